// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ITrainingRegistry} from "../../../contracts/registry/ITrainingRegistry.sol";
import {TrainingRegistry} from "../../../contracts/registry/TrainingRegistry.sol";
import {MockProofVerifier} from "./MockProofVerifier.sol";
import {RegistryHandler} from "./RegistryHandler.sol";
import {vm} from "./Vm.sol";

/// @notice Fuzz and invariant tests of the registry's bookkeeping, with mock
/// verifiers whose "proofs" are bound to every public signal (real proofs
/// are exercised by test/contracts/registry.test.ts).
contract TrainingRegistryFuzzTest {
    uint32 private constant _K = 2;
    address private constant _LAB = address(0x1000);

    TrainingRegistry private registry;
    MockProofVerifier private genesisVerifier;
    MockProofVerifier private checkpointVerifier;
    RegistryHandler private handler;
    bytes32 private family = keccak256("test/mock/k2");

    function setUp() public {
        registry = new TrainingRegistry(address(this), address(this), address(this));
        genesisVerifier = new MockProofVerifier(registry.GENESIS_SIGNALS());
        checkpointVerifier = new MockProofVerifier(registry.CHECKPOINT_SIGNALS());
        registry.registerFamily(family, genesisVerifier, checkpointVerifier, _K, "mock family, K = 2");
        handler = new RegistryHandler(registry, genesisVerifier, checkpointVerifier, family);
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
        }
    }

    function invariant_revertedCallsChangeNothing() public view {
        require(handler.changedOnRevert() == 0, "a reverted call changed a run");
        require(handler.dishonestAccepted() == 0, "a dishonest submission was accepted");
        require(registry.runCount() == handler.runCount(), "run count differs from registrations");
    }

    // ------------------------------------------------------------- fuzz

    function _register(uint64 deadline, uint64 planned) private returns (uint256 runId, uint256 root0) {
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
        uint256[8] memory proof = genesisVerifier.proofFor(registry.genesisPublicInputs(1, _LAB, facts));
        vm.prank(_LAB);
        runId = registry.registerRun(family, 1, a, facts, proof);
        root0 = facts.root0;
    }

    /// @notice The packed position signal holds firstStep in its low 64 bits and the FLOPs above.
    function testFuzz_positionPacksStepAndFlops(uint64 firstStep, uint128 flops, uint256 r1, uint256 r2) public view {
        ITrainingRegistry.CheckpointClaim memory claim = ITrainingRegistry.CheckpointClaim(firstStep, r1, r2, 5);
        uint256[] memory inputs = registry.checkpointPublicInputs(9, flops, claim);
        require(inputs.length == 5, "five signals");
        require(inputs[0] == 9 && inputs[2] == r1 && inputs[3] == r2 && inputs[4] == 5, "layout");
        require(uint64(inputs[1]) == firstStep && inputs[1] >> 64 == flops, "packing");
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
            require(registry.flagMissedDeadline(runId) == start + k * deadline, "window deadline");
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
        require(registry.getRun(runId).violations[4] == expected, "one violation per window");
    }

    /// @notice A submission that reverts, whatever is wrong with it, leaves the run exactly as it was.
    function testFuzz_rejectedSubmissionChangesNothing(uint8 mode, uint256 seed, address sender) public {
        (uint256 runId, uint256 root0) = _register(3600, 100);
        ITrainingRegistry.CheckpointClaim memory claim = ITrainingRegistry.CheckpointClaim(0, root0, seed % 1000, 3);
        uint256[8] memory proof = checkpointVerifier.proofFor(registry.checkpointPublicInputs(42, 246, claim));
        mode %= 4;
        if (mode == 0) claim.firstStep = uint64(seed % 100) + 1;
        if (mode == 1) claim.rootBefore = root0 + 1 + (seed % 100);
        if (mode == 2) proof[0] ^= (seed | 1);
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
        proof = checkpointVerifier.proofFor(registry.checkpointPublicInputs(42, 246, claim));
        vm.prank(_LAB);
        registry.submitCheckpoint(runId, claim, proof);
        require(registry.getRun(runId).steps == _K, "accepted");
    }
}
