// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ICheckpointBatches} from "../../../contracts/registry/ICheckpointBatches.sol";
import {ITrainingRegistry} from "../../../contracts/registry/ITrainingRegistry.sol";
import {CircuitFamilies} from "../../../contracts/families/CircuitFamilies.sol";
import {Deploy} from "./Deploy.sol";
import {IRegistry} from "../../../contracts/registry/IRegistry.sol";
import {MockBatchProofVerifier} from "./MockBatchProofVerifier.sol";
import {MockProofVerifier} from "./MockProofVerifier.sol";
import {RegistryHandler} from "./RegistryHandler.sol";
import {vm} from "./Vm.sol";

/// @notice Fuzz, invariant and unit tests of the registry's bookkeeping, with
/// mock verifiers whose "proofs" are bound to every public signal (real
/// proofs are exercised by test/contracts/registry.test.ts).
contract TrainingRegistryFuzzTest {
    uint32 private constant _K = 2;
    address private constant _LAB = address(0x1000);
    uint8 private constant _DEADLINE_KIND = uint8(ITrainingRegistry.ViolationKind.CheckpointDeadlineMissed);
    /// @dev Tests that warp several times count from this constant, never from a `block.timestamp`
    /// kept in a local: compiled with viaIR, such a local may be re-read after a warp.
    uint256 private constant _T0 = 1_000_000;

    IRegistry private registry;
    CircuitFamilies private families;
    MockProofVerifier private genesisVerifier;
    MockProofVerifier private checkpointVerifier;
    RegistryHandler private handler;
    bytes32 private family = keccak256("test/mock/k2");
    /// @dev The same family with a checkpoint verifier that also verifies batches (issue #26).
    bytes32 private batchFamily = keccak256("test/mock/k2/batch");
    MockBatchProofVerifier private batchVerifier;

    function setUp() public {
        (registry, families) = Deploy.registry(address(this));
        genesisVerifier = new MockProofVerifier(registry.GENESIS_SIGNALS());
        checkpointVerifier = new MockProofVerifier(registry.CHECKPOINT_SIGNALS());
        families.registerFamily(
            family,
            genesisVerifier,
            checkpointVerifier,
            _K,
            checkpointVerifier,
            "mock family, K = 2"
        );
        batchVerifier = new MockBatchProofVerifier(registry.CHECKPOINT_SIGNALS());
        families.registerFamily(
            batchFamily,
            genesisVerifier,
            batchVerifier,
            _K,
            batchVerifier,
            "mock family, K = 2, batches"
        );
        handler = new RegistryHandler(registry, genesisVerifier, checkpointVerifier, family);
        registry.grantRole(registry.PAUSER_ROLE(), address(handler));
    }

    /// @notice The invariant campaign calls only the handler.
    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    // ------------------------------------------------------------- invariants

    function invariant_stepsAndFlopsNeverDecrease() public view {
        require(handler.decreases() == 0, "a run's proven steps or FLOPs went down");
    }

    function invariant_chainNeverForks() public view {
        require(handler.forks() == 0, "a run's chain forked");
        for (uint256 i = 0; i < handler.runCount(); ++i) {
            uint256 runId = handler.runIds(i);
            ITrainingRegistry.Run memory run = registry.getRun(runId);
            require(handler.rootAt(runId, run.steps) == run.root, "stored root is not the one proven at its step");
            require(run.cumulativeFlops == uint128(run.steps) * run.flopsPerStep, "FLOPs not steps x FLOPs per step");
            require(run.steps % _K == 0, "steps not a multiple of K");
            require(run.steps <= run.plannedSteps, "a run went past its plan");
        }
    }

    function invariant_revertedCallsChangeNothing() public view {
        require(handler.changedOnRevert() == 0, "a reverted call changed a run");
        require(handler.dishonestAccepted() == 0, "a dishonest submission was accepted");
        require(registry.runCount() == handler.runCount(), "run count differs from registrations");
    }

    /// @notice Every window a run missed is flagged, or still flaggable by anyone: nothing erases one.
    function invariant_missedWindowNeverUnflaggable() public view {
        for (uint256 i = 0; i < handler.runCount(); ++i) {
            uint256 runId = handler.runIds(i);
            ITrainingRegistry.Run memory run = registry.getRun(runId);
            uint256 flagged = run.violations[_DEADLINE_KIND];
            uint256 closed = handler.missedInClosedPeriods(runId);
            if (run.status == ITrainingRegistry.RunStatus.Active) {
                ITrainingRegistry.DeadlineState memory d = registry.deadlineState(runId);
                require(d.missedWindows == handler.missedNow(runId), "missed windows differ from the ghost clock's");
                require(flagged + d.missedWindows - d.flaggedWindows == closed + d.missedWindows, "a window lost");
            } else {
                require(flagged == closed, "a window of a finished period is not flagged");
            }
        }
    }

    /// @notice The deadline clock is the unpaused one: paused time never counts against a lab.
    function invariant_pausedTimeNeverCounts() public view {
        for (uint256 i = 0; i < handler.runCount(); ++i) {
            uint256 runId = handler.runIds(i);
            if (registry.getRun(runId).status != ITrainingRegistry.RunStatus.Active) continue;
            uint256 ghost = handler.unpausedClock() - handler.periodStart(runId);
            require(registry.deadlineState(runId).elapsed == ghost, "paused time counted, or unpaused time lost");
        }
    }

    // ------------------------------------------------------------- helpers

    function _register(uint64 deadline, uint64 planned) private returns (uint256 runId, uint256 root0) {
        return _registerIn(family, deadline, planned);
    }

    function _registerIn(
        bytes32 familyId,
        uint64 deadline,
        uint64 planned
    ) private returns (uint256 runId, uint256 root0) {
        ITrainingRegistry.GenesisFacts memory facts = ITrainingRegistry.GenesisFacts({
            runTag: 42,
            root0: 7,
            paramCount: 15,
            flopsPerStep: 123,
            plannedSteps: planned
        });
        ITrainingRegistry.Attestations memory a = ITrainingRegistry.Attestations({
            flopsCap: 1e30,
            maxSteps: 1e6,
            checkpointDeadline: deadline
        });
        uint256[8] memory proof = genesisVerifier.proofFor(
            registry.families().genesisPublicInputs(familyId, 1, _LAB, facts)
        );
        vm.prank(_LAB);
        runId = registry.registerRun(familyId, 1, a, facts, proof);
        Deploy.drawBeacon(registry, runId);
        root0 = facts.root0;
    }

    /// @dev Submits the run's next checkpoint honestly (as its lab).
    function _submit(uint256 runId) private {
        ITrainingRegistry.Run memory run = registry.getRun(runId);
        ITrainingRegistry.CheckpointClaim memory claim = ITrainingRegistry.CheckpointClaim(
            run.steps,
            run.root,
            run.root + 1,
            3
        );
        uint256[] memory inputs = registry.families().checkpointPublicInputs(run.runTag, 246, run.beacon, claim);
        uint256[8] memory proof = checkpointVerifier.proofFor(inputs);
        vm.prank(_LAB);
        registry.submitCheckpoint(runId, claim, proof);
    }

    /// @dev The run's next `n` checkpoints, honest, with their mock proofs (each chained on the previous).
    function _batch(
        uint256 runId,
        uint256 n
    ) private view returns (ITrainingRegistry.CheckpointClaim[] memory claims, uint256[8][] memory proofs) {
        ITrainingRegistry.Run memory run = registry.getRun(runId);
        claims = new ITrainingRegistry.CheckpointClaim[](n);
        proofs = new uint256[8][](n);
        for (uint256 i = 0; i < n; ++i) {
            uint256 before = run.root + i;
            claims[i] = ITrainingRegistry.CheckpointClaim(run.steps + uint64(i) * _K, before, before + 1, 3);
            proofs[i] = batchVerifier.proofFor(
                registry.families().checkpointPublicInputs(run.runTag, 246, run.beacon, claims[i])
            );
        }
    }

    function submitBatchAs(
        uint256 runId,
        ITrainingRegistry.CheckpointClaim[] memory claims,
        uint256[8][] memory proofs
    ) external {
        vm.prank(_LAB);
        registry.submitCheckpoints(runId, claims, proofs);
    }

    function _deadlineFlags(uint256 runId) private view returns (uint32) {
        return registry.getRun(runId).violations[_DEADLINE_KIND];
    }

    // ------------------------------------------------------------- unit: deadlines (issue #17)

    /// @notice A late checkpoint flags every window it missed in its own transaction.
    function test_lateCheckpointFlagsEveryMissedWindow() public {
        (uint256 runId, ) = _register(100, 10);
        vm.warp(block.timestamp + 250);
        _submit(runId);
        require(_deadlineFlags(runId) == 2, "two missed windows flagged by the late checkpoint");
        require(registry.deadlineState(runId).missedWindows == 0, "the next period starts clean");
    }

    /// @notice Windows a watcher flagged are not flagged twice by the late checkpoint.
    function test_lateCheckpointFlagsOnlyWhatIsLeft() public {
        (uint256 runId, ) = _register(100, 10);
        vm.warp(block.timestamp + 350);
        require(registry.flagMissedDeadline(runId) == 1, "first window");
        require(registry.deadlineReporter(runId, 0, 1) == address(this), "reporter recorded");
        _submit(runId);
        require(_deadlineFlags(runId) == 3, "three windows in all");
    }

    /// @notice Closing a run flags the windows it missed first.
    function test_closeFlagsMissedWindows() public {
        (uint256 runId, ) = _register(100, 10);
        vm.warp(block.timestamp + 301);
        vm.prank(_LAB);
        registry.closeRun(runId);
        require(_deadlineFlags(runId) == 3, "three missed windows flagged at close");
        require(registry.getRun(runId).status == ITrainingRegistry.RunStatus.Closed, "closed");
    }

    /// @notice A plan of zero steps, or one that is not a multiple of K, is refused.
    function test_invalidPlansRefused() public {
        for (uint64 planned = 0; planned < 8; ++planned) {
            if (planned != 0 && planned % _K == 0) continue;
            vm.expectRevert(abi.encodeWithSelector(ITrainingRegistry.InvalidPlan.selector, planned, _K));
            this.registerAs(planned);
        }
    }

    function registerAs(uint64 planned) external {
        _register(100, planned);
    }

    /// @notice A run that proved its plan is completed: no more checkpoints, no more deadlines, no close.
    function test_runPastItsPlanIsCompleted() public {
        (uint256 runId, ) = _register(100, 4);
        _submit(runId);
        _submit(runId);
        require(registry.getRun(runId).status == ITrainingRegistry.RunStatus.Completed, "completed");
        vm.warp(block.timestamp + 100 days);
        bytes memory notActive = abi.encodeWithSelector(
            ITrainingRegistry.RunNotActive.selector,
            runId,
            ITrainingRegistry.RunStatus.Completed
        );
        vm.expectRevert(notActive);
        this.submitAs(runId);
        vm.expectRevert(notActive);
        registry.flagMissedDeadline(runId);
        vm.expectRevert(notActive);
        vm.prank(_LAB);
        registry.closeRun(runId);
        require(_deadlineFlags(runId) == 0, "no deadline after completion");
    }

    function submitAs(uint256 runId) external {
        _submit(runId);
    }

    // ------------------------------------------------------------- unit: batches (issue #26)

    /// @notice A batch has the effects of its checkpoints submitted one by one: steps, root, FLOPs, completion.
    function test_batchActsAsCheckpointsOneByOne() public {
        (uint256 runId, ) = _registerIn(batchFamily, 100, 6);
        vm.warp(block.timestamp + 250);
        (ITrainingRegistry.CheckpointClaim[] memory claims, uint256[8][] memory proofs) = _batch(runId, 3);
        this.submitBatchAs(runId, claims, proofs);
        ITrainingRegistry.Run memory run = registry.getRun(runId);
        require(run.steps == 6 && run.root == 7 + 3, "three checkpoints chained");
        require(run.cumulativeFlops == 6 * 123, "FLOPs of six steps");
        require(run.status == ITrainingRegistry.RunStatus.Completed, "the plan is proven");
        require(_deadlineFlags(runId) == 2, "the windows missed before the batch are flagged, once");
    }

    /// @notice A claim past the checkpoint that completes the run is refused, with the whole batch.
    function test_batchPastCompletionRefused() public {
        (uint256 runId, ) = _registerIn(batchFamily, 100, 4);
        (ITrainingRegistry.CheckpointClaim[] memory claims, uint256[8][] memory proofs) = _batch(runId, 3);
        vm.expectRevert(
            abi.encodeWithSelector(
                ITrainingRegistry.RunNotActive.selector,
                runId,
                ITrainingRegistry.RunStatus.Completed
            )
        );
        this.submitBatchAs(runId, claims, proofs);
        require(registry.getRun(runId).steps == 0, "nothing recorded");
    }

    /// @notice A family whose checkpoint verifier has no batch entry point refuses batches, by name.
    function test_batchWithoutBatchVerifierRefused() public {
        (uint256 runId, ) = _register(100, 4);
        (ITrainingRegistry.CheckpointClaim[] memory claims, uint256[8][] memory proofs) = _batch(runId, 2);
        vm.expectRevert(
            abi.encodeWithSelector(
                ICheckpointBatches.BatchVerificationUnavailable.selector,
                runId,
                address(checkpointVerifier)
            )
        );
        this.submitBatchAs(runId, claims, proofs);
    }

    /// @notice A pause that starts mid-window extends the window by its length.
    function test_pauseMidWindowDoesNotCount() public {
        uint256 t = _T0;
        vm.warp(t);
        (uint256 runId, ) = _register(100, 10);
        vm.warp(t + 60);
        registry.pause();
        vm.warp(t + 560);
        registry.unpause();
        vm.warp(t + 600); // 100 unpaused seconds: on time
        vm.expectRevert(abi.encodeWithSelector(ITrainingRegistry.DeadlineNotMissed.selector, runId, t + 600, t + 600));
        registry.flagMissedDeadline(runId);
        vm.warp(t + 601);
        registry.flagMissedDeadline(runId);
        require(registry.pausedSeconds() == 500, "paused seconds");
    }

    // ------------------------------------------------------------- fuzz

    /// @notice The genesis plan signal packs the planned steps with the family's K (never the lab's word).
    function testFuzz_genesisPacksPlanAndTheFamilysK(uint32 planned, uint256 spec) public view {
        ITrainingRegistry.GenesisFacts memory facts = ITrainingRegistry.GenesisFacts(1, 2, 15, 123, planned);
        uint256[] memory inputs = registry.families().genesisPublicInputs(family, spec, _LAB, facts);
        require(inputs.length == 7 && inputs[0] == spec, "layout");
        require(
            inputs[6] == uint256(planned) + (uint256(registry.families().getFamily(family).stepsPerCheckpoint) << 32),
            "plan"
        );
    }

    /// @notice The position signal packs firstStep, the FLOPs and the beacon one-to-one.
    function testFuzz_positionPacksStepFlopsAndBeacon(
        uint64 firstStep,
        uint96 flops,
        uint64 beacon,
        uint256 r1,
        uint256 r2
    ) public view {
        ITrainingRegistry.CheckpointClaim memory claim = ITrainingRegistry.CheckpointClaim(firstStep, r1, r2, 5);
        uint256[] memory inputs = registry.families().checkpointPublicInputs(9, flops, beacon, claim);
        require(inputs.length == 5, "five signals");
        require(inputs[0] == 9 && inputs[2] == r1 && inputs[3] == r2 && inputs[4] == 5, "layout");
        require(uint64(inputs[1]) == firstStep, "first step");
        require(uint96(inputs[1] >> 64) == flops, "flops");
        require(inputs[1] >> 160 == beacon, "beacon");
    }

    /// @notice After `elapsed` seconds without a checkpoint, exactly the windows whose deadline passed can be flagged, once each.
    function testFuzz_missedWindowsFlaggedOnceEach(uint32 deadlineSeed, uint32 elapsedSeed) public {
        uint64 deadline = uint64(deadlineSeed % 1000) + 1;
        uint256 elapsed = elapsedSeed % (uint256(deadline) * 20 + 1);
        (uint256 runId, ) = _register(deadline, 100);
        uint64 start = registry.getRun(runId).lastCheckpointAt;
        vm.warp(start + elapsed);
        uint256 expected = elapsed == 0 ? 0 : (elapsed - 1) / deadline;
        for (uint256 k = 1; k <= expected; ++k) {
            require(registry.flagMissedDeadline(runId) == k, "window");
        }
        vm.expectRevert(
            abi.encodeWithSelector(
                ITrainingRegistry.DeadlineNotMissed.selector,
                runId,
                start + (expected + 1) * deadline,
                start + elapsed
            )
        );
        registry.flagMissedDeadline(runId);
        require(_deadlineFlags(runId) == expected, "one violation per window");
    }

    /// @notice With a pause of any length anywhere, only unpaused seconds count towards a window.
    function testFuzz_pausedSecondsNeverCount(uint32 beforeSeed, uint32 pausedSeed, uint32 afterSeed) public {
        uint256 t = _T0;
        vm.warp(t);
        (uint256 runId, ) = _register(1000, 100);
        uint256 a = beforeSeed % 3000;
        uint256 p = pausedSeed % 100_000;
        uint256 b = afterSeed % 3000;
        vm.warp(t + a);
        registry.pause();
        vm.warp(t + a + p);
        registry.unpause();
        vm.warp(t + a + p + b);
        ITrainingRegistry.DeadlineState memory d = registry.deadlineState(runId);
        require(d.elapsed == a + b, "elapsed");
        require(d.missedWindows == (a + b == 0 ? 0 : (a + b - 1) / 1000), "missed");
        _submit(runId);
        require(_deadlineFlags(runId) == d.missedWindows, "the checkpoint flags exactly the unpaused misses");
    }

    /// @notice A submission that reverts, whatever is wrong with it, leaves the run exactly as it was.
    function testFuzz_rejectedSubmissionChangesNothing(uint8 mode, uint256 seed, address sender) public {
        (uint256 runId, uint256 root0) = _register(3600, 100);
        uint64 beacon = registry.getRun(runId).beacon;
        ITrainingRegistry.CheckpointClaim memory claim = ITrainingRegistry.CheckpointClaim(0, root0, seed % 1000, 3);
        uint256[8] memory proof = checkpointVerifier.proofFor(
            registry.families().checkpointPublicInputs(42, 246, beacon, claim)
        );
        mode %= 5;
        if (mode == 0) claim.firstStep = uint64(seed % 100) + 1;
        if (mode == 1) claim.rootBefore = root0 + 1 + (seed % 100);
        if (mode == 2) proof[0] ^= (seed | 1);
        if (mode == 4) {
            // A proof made for another beacon.
            uint64 other = beacon ^ uint64(seed | 1);
            proof = checkpointVerifier.proofFor(registry.families().checkpointPublicInputs(42, 246, other, claim));
        }
        if (mode == 3) vm.assume(sender != _LAB);
        else sender = _LAB;
        bytes32 before = keccak256(abi.encode(registry.getRun(runId)));
        vm.prank(sender);
        try registry.submitCheckpoint(runId, claim, proof) {
            revert("a wrong submission was accepted");
        } catch {}
        require(keccak256(abi.encode(registry.getRun(runId))) == before, "the run changed");
        // The right one still goes through afterwards.
        claim = ITrainingRegistry.CheckpointClaim(0, root0, seed % 1000, 3);
        proof = checkpointVerifier.proofFor(registry.families().checkpointPublicInputs(42, 246, beacon, claim));
        vm.prank(_LAB);
        registry.submitCheckpoint(runId, claim, proof);
        require(registry.getRun(runId).steps == _K, "accepted");
    }
}
