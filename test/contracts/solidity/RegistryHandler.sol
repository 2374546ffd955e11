// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ITrainingRegistry} from "../../../contracts/registry/ITrainingRegistry.sol";
import {IRegistry} from "../../../contracts/registry/IRegistry.sol";
import {MockProofVerifier} from "./MockProofVerifier.sol";
import {vm} from "./Vm.sol";
import {Deploy} from "./Deploy.sol";

/// @notice Drives the registry with random sequences of registrations,
/// honest and dishonest submissions, flags, closes, pauses and time jumps, and
/// keeps ghost records the invariant tests compare with: the root proven at
/// each step of each run, the last steps and FLOPs seen, an unpaused clock,
/// every deadline window each run missed by that clock, and counters of
/// anything that must never happen.
contract RegistryHandler {
    IRegistry public immutable registry;
    MockProofVerifier public immutable genesisVerifier;
    MockProofVerifier public immutable checkpointVerifier;
    bytes32 public immutable family;
    /// @notice The family's K (read once from the families table).
    uint32 public immutable stepsPerCheckpoint;

    uint64 public constant FLOPS_PER_STEP = 123;
    uint256 private constant _P = 21888242871839275222246405745257275088548364400416034343698204186575808495617;

    uint256[] public runIds;
    mapping(uint256 runId => mapping(uint64 step => uint256 root)) public rootAt;
    mapping(uint256 runId => uint64 steps) public lastSteps;
    mapping(uint256 runId => uint128 flops) public lastFlops;
    /// Seconds that passed while the registry was not paused (the ghost deadline clock).
    uint256 public unpausedClock;
    mapping(uint256 runId => uint256 clock) public periodStart;
    mapping(uint256 runId => uint64 period) public deadlineOf;
    /// Windows the run missed in periods that are over (ended by a checkpoint or a close).
    mapping(uint256 runId => uint256 windows) public missedInClosedPeriods;
    bool public isPaused;

    /// Steps or FLOPs of a run went down.
    uint256 public decreases;
    /// A step of a run got a second, different root, or the stored root is not the one proven at its step.
    uint256 public forks;
    /// A call that reverted left some run different.
    uint256 public changedOnRevert;
    /// A dishonest submission (wrong step, root, proof or sender) was accepted.
    uint256 public dishonestAccepted;
    /// Honest submissions accepted (so the campaign is not vacuous).
    uint256 public accepted;

    constructor(IRegistry registry_, MockProofVerifier g, MockProofVerifier c, bytes32 family_) {
        stepsPerCheckpoint = registry_.families().getFamily(family_).stepsPerCheckpoint;
        registry = registry_;
        genesisVerifier = g;
        checkpointVerifier = c;
        family = family_;
    }

    function runCount() external view returns (uint256) {
        return runIds.length;
    }

    function register(
        uint8 labSeed,
        uint256 commitment,
        uint128 cap,
        uint64 maxSteps,
        uint32 deadline,
        uint8 planned
    ) external {
        address lab = _lab(labSeed);
        commitment %= _P;
        ITrainingRegistry.GenesisFacts memory facts = ITrainingRegistry.GenesisFacts({
            runTag: uint256(keccak256(abi.encode(commitment, lab))) % _P,
            root0: uint256(keccak256(abi.encode("root0", commitment))) % _P,
            paramCount: 15,
            flopsPerStep: FLOPS_PER_STEP,
            plannedSteps: uint64(planned) + 1
        });
        ITrainingRegistry.Attestations memory a = ITrainingRegistry.Attestations({
            flopsCap: cap,
            maxSteps: maxSteps,
            checkpointDeadline: uint64(deadline % 10_000) + 1
        });
        facts.plannedSteps = uint64((planned % 8) + 1) * uint64(stepsPerCheckpoint);
        uint256[8] memory proof = genesisVerifier.proofFor(
            registry.families().genesisPublicInputs(family, commitment, lab, facts)
        );
        bytes32 before = _snapshot();
        vm.prank(lab);
        try registry.registerRun(family, commitment, a, facts, proof) returns (uint256 runId) {
            runIds.push(runId);
            Deploy.drawBeacon(registry, runId);
            rootAt[runId][0] = facts.root0;
            periodStart[runId] = unpausedClock;
            deadlineOf[runId] = a.checkpointDeadline;
        } catch {
            if (_snapshot() != before) ++changedOnRevert;
        }
        _observe();
    }

    /// mode 0: honest; 1: wrong first step; 2: wrong start root; 3: proof of another claim; 4: wrong sender.
    function submit(uint256 runSeed, uint256 rootSeed, uint8 mode) external {
        if (runIds.length == 0) return;
        uint256 runId = runIds[runSeed % runIds.length];
        ITrainingRegistry.Run memory run = registry.getRun(runId);
        ITrainingRegistry.CheckpointClaim memory claim = ITrainingRegistry.CheckpointClaim({
            firstStep: run.steps,
            rootBefore: run.root,
            rootAfter: uint256(keccak256(abi.encode("root", rootSeed))) % _P,
            accumulator: uint256(keccak256(abi.encode("acc", rootSeed))) % _P
        });
        uint96 flops = uint96(run.stepsPerCheckpoint) * run.flopsPerStep;
        uint256[8] memory proof = checkpointVerifier.proofFor(
            registry.families().checkpointPublicInputs(run.runTag, flops, run.beacon, claim)
        );
        mode %= 5;
        address sender = run.lab;
        if (mode == 1) claim.firstStep += run.stepsPerCheckpoint;
        if (mode == 2) claim.rootBefore = (claim.rootBefore + 1) % _P;
        if (mode == 3) claim.rootAfter = (claim.rootAfter + 1) % _P;
        if (mode == 4) sender = _lab(uint8(uint160(run.lab)) + 1);

        bytes32 before = _snapshot();
        vm.prank(sender);
        try registry.submitCheckpoint(runId, claim, proof) {
            if (mode != 0) ++dishonestAccepted;
            ++accepted;
            uint64 steps = claim.firstStep + run.stepsPerCheckpoint;
            if (rootAt[runId][claim.firstStep] != claim.rootBefore) ++forks;
            uint256 known = rootAt[runId][steps];
            if (known != 0 && known != claim.rootAfter) ++forks;
            rootAt[runId][steps] = claim.rootAfter;
            _endPeriod(runId);
        } catch {
            if (_snapshot() != before) ++changedOnRevert;
        }
        _observe();
    }

    function flag(uint256 runSeed, address caller) external {
        if (runIds.length == 0) return;
        uint256 runId = runIds[runSeed % runIds.length];
        bytes32 before = _snapshot();
        vm.prank(caller);
        try registry.flagMissedDeadline(runId) {} catch {
            if (_snapshot() != before) ++changedOnRevert;
        }
        _observe();
    }

    function close(uint256 runSeed) external {
        if (runIds.length == 0 || runSeed % 8 != 0) return;
        uint256 runId = runIds[runSeed % runIds.length];
        ITrainingRegistry.Run memory run = registry.getRun(runId);
        bytes32 before = _snapshot();
        vm.prank(run.lab);
        try registry.closeRun(runId) {
            _endPeriod(runId);
        } catch {
            if (_snapshot() != before) ++changedOnRevert;
        }
        _observe();
    }

    function wait(uint32 seconds_) external {
        uint256 s = seconds_ % 50_000;
        vm.warp(block.timestamp + s);
        if (!isPaused) unpausedClock += s;
        _observe();
    }

    /// The handler holds the pauser role: pause when running, unpause when paused.
    function togglePause() external {
        if (isPaused) registry.unpause();
        else registry.pause();
        isPaused = !isPaused;
        _observe();
    }

    /// Windows the run has missed since its current period began, by the ghost clock.
    function missedNow(uint256 runId) public view returns (uint256) {
        uint256 elapsed = unpausedClock - periodStart[runId];
        return elapsed == 0 ? 0 : (elapsed - 1) / deadlineOf[runId];
    }

    function _endPeriod(uint256 runId) private {
        missedInClosedPeriods[runId] += missedNow(runId);
        periodStart[runId] = unpausedClock;
    }

    /// @dev Hash of every run's record: equal before and after means nothing changed.
    function _snapshot() private view returns (bytes32 h) {
        h = keccak256(abi.encode(registry.runCount()));
        for (uint256 i = 0; i < runIds.length; ++i) {
            h = keccak256(abi.encode(h, registry.getRun(runIds[i])));
        }
    }

    function _observe() private {
        for (uint256 i = 0; i < runIds.length; ++i) {
            uint256 runId = runIds[i];
            ITrainingRegistry.Run memory run = registry.getRun(runId);
            if (run.steps < lastSteps[runId] || run.cumulativeFlops < lastFlops[runId]) ++decreases;
            if (rootAt[runId][run.steps] != run.root) ++forks;
            lastSteps[runId] = run.steps;
            lastFlops[runId] = run.cumulativeFlops;
        }
    }

    function _lab(uint8 seed) private pure returns (address) {
        return address(uint160(0x1000 + (seed % 3)));
    }
}
