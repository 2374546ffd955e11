// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {IProofVerifier} from "../verifiers/IProofVerifier.sol";
import {ITrainingRegistry} from "./ITrainingRegistry.sol";

/// @title TrainingRegistry
/// @author Verifiable training registry
/// @notice Stores runs and their spec commitments, verifies every genesis and
/// checkpoint proof on-chain, keeps each run's proven state, and flags every
/// breach of the lab's attestations publicly (DESIGN §6, issues #4, #16, #17).
/// @dev Every state-changing call checks, then verifies, then writes, then
/// emits; a failed proof reverts before any write. Roles: the default admin
/// (AccessControlDefaultAdminRules: two-step transfer after a delay) grants
/// and revokes the pauser role; the policy role (meant for a
/// TimelockController, so every policy action waits a public delay) governs
/// circuit families and the designation threshold, and is the only one who
/// can hand the policy role on; the pauser stops registrations, submissions,
/// closes and flags, and paused time never counts against a deadline.
contract TrainingRegistry is ITrainingRegistry, AccessControlDefaultAdminRules, Pausable {
    /// @notice Governs circuit families and the designation threshold; administers itself.
    bytes32 public constant POLICY_ROLE = keccak256("POLICY_ROLE");
    /// @notice May pause and unpause the registry.
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");

    /// @notice Public signals of every genesis proof (prover/statement/statement.ts).
    uint256 public constant GENESIS_SIGNALS = 7;
    /// @notice Public signals of every checkpoint proof (prover/statement/statement.ts).
    uint256 public constant CHECKPOINT_SIGNALS = 5;
    /// @dev The position signal packs firstStep (bits 0-63), the FLOPs (64-159) and the beacon (160-223).
    uint256 private constant _FLOPS_SHIFT = 64;
    uint256 private constant _BEACON_SHIFT = 160;
    uint256 private constant _COUNTER_BITS = 24;
    uint256 private constant _COUNTER_MAX = type(uint24).max;

    /// @dev A run in storage, packed so that a clean submission reads six
    /// slots and writes two (root; steps, time and FLOPs): K fits 16 bits and
    /// the plan 32 (both checked on the way in). The violation counters (24
    /// bits each, saturating), the flagged-window count and the designation
    /// time share a slot with registeredAt, which is never zero, so a run's
    /// first flag or designation is no zero-to-nonzero write, and a
    /// submission that flags and designates writes that slot once.
    struct RunState {
        // Read by every submission.
        address lab;
        RunStatus status;
        uint16 stepsPerCheckpoint;
        uint64 flopsPerStep;
        IProofVerifier checkpointVerifier;
        uint64 beacon;
        uint32 plannedSteps;
        uint256 runTag;
        Attestations attestations;
        // Read and written by every submission.
        uint256 root;
        uint64 steps;
        uint64 lastCheckpointAt;
        uint128 cumulativeFlops;
        // Read and written only when a flag is raised or the run is designated.
        uint120 violations; // five 24-bit counters, ViolationKind k at bits 24k .. 24k + 23
        uint32 flaggedWindows;
        uint40 registeredAt;
        uint40 designatedAt;
        bool projectedToCross;
        // Views only.
        bytes32 familyId;
        uint256 specCommitment;
        uint256 root0;
        uint64 paramCount;
    }

    /// @dev One completed pause of the whole registry.
    struct Pause {
        uint64 start;
        uint64 end;
    }

    mapping(uint256 runId => RunState run) private _runs;
    mapping(address lab => mapping(uint256 specCommitment => uint256 runId)) private _runOfSpec;
    mapping(bytes32 familyId => CircuitFamily family) private _families;
    mapping(uint256 runId => mapping(uint64 steps => mapping(uint64 window => address reporter)))
        private _deadlineReporters;
    Pause[] private _pauses;
    uint256 private _runCount;
    // One slot, read by every submission: the threshold and the pause clock.
    uint128 private _designationThreshold;
    uint64 private _pausedAt;
    uint64 private _lastUnpausedAt;

    /// @notice Deploys the registry with its three roles' first accounts.
    /// @param adminDelay Seconds a transfer of the admin role waits between its two steps.
    /// @param admin Grants and revokes the pauser role.
    /// @param policy Governs circuit families and the designation threshold (a timelock in production).
    /// @param pauser May pause and unpause.
    constructor(
        uint48 adminDelay,
        address admin,
        address policy,
        address pauser
    ) AccessControlDefaultAdminRules(adminDelay, admin) {
        if (admin == address(0)) revert ZeroRoleAccount(DEFAULT_ADMIN_ROLE);
        if (policy == address(0)) revert ZeroRoleAccount(POLICY_ROLE);
        if (pauser == address(0)) revert ZeroRoleAccount(PAUSER_ROLE);
        _setRoleAdmin(POLICY_ROLE, POLICY_ROLE);
        _grantRole(POLICY_ROLE, policy);
        _grantRole(PAUSER_ROLE, pauser);
    }

    // ----------------------------------------------------------------- governance

    /// @inheritdoc ITrainingRegistry
    function registerFamily(
        bytes32 familyId,
        IProofVerifier genesisVerifier,
        IProofVerifier checkpointVerifier,
        uint32 stepsPerCheckpoint,
        string calldata description
    ) external onlyRole(POLICY_ROLE) {
        if (address(_families[familyId].genesisVerifier) != address(0)) revert FamilyAlreadyRegistered(familyId);
        _requireLayout(genesisVerifier, GENESIS_SIGNALS);
        _requireLayout(checkpointVerifier, CHECKPOINT_SIGNALS);
        if (stepsPerCheckpoint == 0 || stepsPerCheckpoint > type(uint16).max) {
            revert InvalidStepsPerCheckpoint(stepsPerCheckpoint);
        }
        _families[familyId] = CircuitFamily({
            genesisVerifier: genesisVerifier,
            stepsPerCheckpoint: stepsPerCheckpoint,
            deprecated: false,
            checkpointVerifier: checkpointVerifier
        });
        emit CircuitFamilyRegistered(familyId, genesisVerifier, checkpointVerifier, stepsPerCheckpoint, description);
    }

    /// @inheritdoc ITrainingRegistry
    function deprecateFamily(bytes32 familyId) external onlyRole(POLICY_ROLE) {
        CircuitFamily storage family = _family(familyId);
        if (family.deprecated) revert FamilyIsDeprecated(familyId);
        family.deprecated = true;
        emit CircuitFamilyDeprecated(familyId, msg.sender);
    }

    /// @inheritdoc ITrainingRegistry
    function setDesignationThreshold(uint256 threshold) external onlyRole(POLICY_ROLE) {
        uint256 previous = _designationThreshold;
        _designationThreshold = uint128(threshold > type(uint128).max ? type(uint128).max : threshold);
        emit DesignationThresholdSet(previous, _designationThreshold);
    }

    /// @notice Stops registrations, submissions, closes and flags; the deadline clock stops too. Pauser only.
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
        _pausedAt = _now();
    }

    /// @notice Whether the registry is paused. Read from the slot every submission reads anyway
    /// (the pause clock), not from Pausable's own flag, which `_pause` / `_unpause` keep equal.
    /// @return isPaused True while paused.
    function paused() public view override returns (bool isPaused) {
        return _pausedAt != 0;
    }

    /// @notice Resumes registrations, submissions, closes and flags, and the deadline clock. Pauser only.
    function unpause() external onlyRole(PAUSER_ROLE) {
        _unpause();
        uint64 time = _now();
        _pauses.push(Pause({start: _pausedAt, end: time}));
        _pausedAt = 0;
        _lastUnpausedAt = time;
    }

    // ----------------------------------------------------------------- runs

    /// @inheritdoc ITrainingRegistry
    function registerRun(
        bytes32 familyId,
        uint256 specCommitment,
        Attestations calldata attestations,
        GenesisFacts calldata facts,
        uint256[8] calldata proof
    ) external whenNotPaused returns (uint256 runId) {
        // Check.
        CircuitFamily storage family = _family(familyId);
        if (family.deprecated) revert FamilyIsDeprecated(familyId);
        uint256 existing = _runOfSpec[msg.sender][specCommitment];
        if (existing != 0) revert SpecAlreadyRegistered(specCommitment, existing);
        if (attestations.checkpointDeadline == 0) revert ZeroCheckpointDeadline();
        uint32 k = family.stepsPerCheckpoint;
        if (facts.plannedSteps == 0 || facts.plannedSteps > type(uint32).max || facts.plannedSteps % k != 0) {
            revert InvalidPlan(facts.plannedSteps, k);
        }
        // Verify.
        if (!family.genesisVerifier.verify(proof, _genesisInputs(specCommitment, msg.sender, facts))) {
            revert InvalidGenesisProof(specCommitment, msg.sender);
        }
        // Write.
        runId = ++_runCount;
        _runOfSpec[msg.sender][specCommitment] = runId;
        RunState storage run = _runs[runId];
        uint64 time = _now();
        run.lab = msg.sender;
        run.status = RunStatus.Active;
        run.checkpointVerifier = family.checkpointVerifier;
        run.stepsPerCheckpoint = uint16(k);
        run.flopsPerStep = facts.flopsPerStep;
        run.beacon = uint64(block.prevrandao);
        run.plannedSteps = uint32(facts.plannedSteps);
        run.runTag = facts.runTag;
        run.paramCount = facts.paramCount;
        run.attestations = attestations;
        run.root = facts.root0;
        run.lastCheckpointAt = time;
        run.registeredAt = uint40(time);
        run.familyId = familyId;
        run.specCommitment = specCommitment;
        run.root0 = facts.root0;
        // Emit.
        emit RunRegistered(runId, msg.sender, familyId, specCommitment, facts.runTag, attestations);
        emit GenesisVerified(runId, facts.root0, facts.paramCount, facts.flopsPerStep, facts.plannedSteps);
        _checkPlan(runId, run, attestations, facts);
    }

    /// @inheritdoc ITrainingRegistry
    function submitCheckpoint(
        uint256 runId,
        CheckpointClaim calldata claim,
        uint256[8] calldata proof
    ) external whenNotPaused {
        // Check: caller and chain.
        RunState storage run = _activeRun(runId);
        if (msg.sender != run.lab) revert NotRunLab(runId, msg.sender);
        uint64 steps = run.steps;
        if (claim.firstStep != steps) revert CheckpointOutOfOrder(runId, steps, claim.firstStep);
        if (claim.rootBefore != run.root) revert CheckpointRootMismatch(runId, run.root, claim.rootBefore);
        // Verify: the circuit fixes the FLOPs of K steps; the registry expects K x the genesis figure.
        uint32 k = run.stepsPerCheckpoint;
        uint96 flops = uint96(k) * run.flopsPerStep;
        if (!run.checkpointVerifier.verify(proof, _checkpointInputs(run.runTag, flops, run.beacon, claim))) {
            revert InvalidCheckpointProof(runId, claim.firstStep);
        }
        // Windows missed since the last checkpoint are facts: flag those nobody flagged yet.
        _flagMissedWindows(runId, run, steps);
        // Write and emit, then check the attestations as running invariants.
        (uint64 newSteps, uint128 cumulative) = _advance(runId, run, claim, k, flops);
        _checkAttestations(runId, run, newSteps, cumulative);
    }

    /// @inheritdoc ITrainingRegistry
    function flagMissedDeadline(uint256 runId) external whenNotPaused returns (uint64 window) {
        RunState storage run = _activeRun(runId);
        uint64 elapsed = _elapsed(run);
        uint64 period = run.attestations.checkpointDeadline;
        uint64 flagged = run.flaggedWindows;
        window = flagged + 1;
        if (elapsed <= uint256(window) * period) {
            revert DeadlineNotMissed(runId, _now() + uint256(window) * period - elapsed, _now());
        }
        uint64 steps = run.steps;
        run.flaggedWindows = uint32(window);
        _deadlineReporters[runId][steps][window] = msg.sender;
        _flag(runId, run, ViolationKind.CheckpointDeadlineMissed, steps, elapsed, uint256(window) * period, 1);
    }

    /// @inheritdoc ITrainingRegistry
    function reassess(uint256 runId) external whenNotPaused {
        RunState storage run = _runs[runId];
        if (run.status == RunStatus.None) revert UnknownRun(runId);
        uint256 threshold = _designationThreshold;
        bool designated = _designate(runId, run, run.cumulativeFlops, threshold, run.steps);
        bool projected = _project(runId, run, uint256(run.plannedSteps) * run.flopsPerStep, threshold);
        if (!designated && !projected) revert NothingToReassess(runId, threshold);
    }

    /// @inheritdoc ITrainingRegistry
    function closeRun(uint256 runId) external whenNotPaused {
        RunState storage run = _activeRun(runId);
        if (msg.sender != run.lab) revert NotRunLab(runId, msg.sender);
        _flagMissedWindows(runId, run, run.steps);
        run.status = RunStatus.Closed;
        emit RunClosed(runId, msg.sender, run.steps, run.cumulativeFlops);
    }

    // ----------------------------------------------------------------- views

    /// @inheritdoc ITrainingRegistry
    function getRun(uint256 runId) external view returns (Run memory record) {
        RunState storage run = _runs[runId];
        if (run.status == RunStatus.None) revert UnknownRun(runId);
        record.lab = run.lab;
        record.status = _status(run);
        record.designatedAt = run.designatedAt;
        record.checkpointVerifier = run.checkpointVerifier;
        record.stepsPerCheckpoint = run.stepsPerCheckpoint;
        record.flopsPerStep = run.flopsPerStep;
        record.familyId = run.familyId;
        record.specCommitment = run.specCommitment;
        record.runTag = run.runTag;
        record.root0 = run.root0;
        record.root = run.root;
        record.steps = run.steps;
        record.lastCheckpointAt = run.lastCheckpointAt;
        record.cumulativeFlops = run.cumulativeFlops;
        record.attestations = run.attestations;
        record.paramCount = run.paramCount;
        record.plannedSteps = run.plannedSteps;
        record.registeredAt = run.registeredAt;
        record.beacon = run.beacon;
        record.flaggedWindows = run.flaggedWindows;
        record.projectedToCross = run.projectedToCross;
        uint120 counts = run.violations;
        for (uint256 kind = 0; kind < 5; ++kind) {
            record.violations[kind] = uint32((counts >> (kind * _COUNTER_BITS)) & _COUNTER_MAX);
        }
    }

    /// @inheritdoc ITrainingRegistry
    function deadlineState(uint256 runId) external view returns (DeadlineState memory state) {
        RunState storage run = _runs[runId];
        RunStatus status = _status(run);
        if (status == RunStatus.None) revert UnknownRun(runId);
        state.flaggedWindows = run.flaggedWindows;
        if (status != RunStatus.Active) return state;
        uint64 period = run.attestations.checkpointDeadline;
        state.elapsed = paused() ? _elapsedAt(run, _pausedAt) : _elapsed(run);
        state.missedWindows = state.elapsed == 0 ? 0 : (state.elapsed - 1) / period;
        uint64 nextEnd = (state.missedWindows + 1) * period;
        state.nextDeadline = (paused() ? _pausedAt : _now()) + nextEnd - state.elapsed;
    }

    /// @inheritdoc ITrainingRegistry
    function pausedSeconds() external view returns (uint64 seconds_) {
        uint256 n = _pauses.length;
        for (uint256 i = 0; i < n; ++i) seconds_ += _pauses[i].end - _pauses[i].start;
        if (paused()) seconds_ += _now() - _pausedAt;
    }

    /// @inheritdoc ITrainingRegistry
    function lastCheckpoint(
        uint256 runId
    ) external view returns (uint64 firstStep, uint64 steps, uint256 root, uint64 acceptedAt) {
        RunState storage run = _runs[runId];
        if (run.status == RunStatus.None) revert UnknownRun(runId);
        steps = run.steps;
        if (steps == 0) revert NoCheckpointYet(runId);
        return (steps - run.stepsPerCheckpoint, steps, run.root, run.lastCheckpointAt);
    }

    /// @inheritdoc ITrainingRegistry
    function runCount() external view returns (uint256 count) {
        return _runCount;
    }

    /// @inheritdoc ITrainingRegistry
    function runOfSpec(address lab, uint256 specCommitment) external view returns (uint256 runId) {
        return _runOfSpec[lab][specCommitment];
    }

    /// @inheritdoc ITrainingRegistry
    function getFamily(bytes32 familyId) external view returns (CircuitFamily memory family) {
        return _family(familyId);
    }

    /// @inheritdoc ITrainingRegistry
    function designationThreshold() external view returns (uint256 threshold) {
        return _designationThreshold;
    }

    /// @inheritdoc ITrainingRegistry
    function deadlineReporter(uint256 runId, uint64 steps, uint64 window) external view returns (address reporter) {
        return _deadlineReporters[runId][steps][window];
    }

    /// @inheritdoc ITrainingRegistry
    function genesisPublicInputs(
        uint256 specCommitment,
        address lab,
        GenesisFacts calldata facts
    ) external pure returns (uint256[] memory inputs) {
        return _genesisInputs(specCommitment, lab, facts);
    }

    /// @inheritdoc ITrainingRegistry
    function checkpointPublicInputs(
        uint256 runTag,
        uint96 flops,
        uint64 beacon,
        CheckpointClaim calldata claim
    ) external pure returns (uint256[] memory inputs) {
        return _checkpointInputs(runTag, flops, beacon, claim);
    }

    // ----------------------------------------------------------------- internals

    /// @dev The block time; virtual so a test harness can move it.
    function _now() internal view virtual returns (uint64) {
        return uint64(block.timestamp);
    }

    function _family(bytes32 familyId) private view returns (CircuitFamily storage family) {
        family = _families[familyId];
        if (address(family.genesisVerifier) == address(0)) revert UnknownFamily(familyId);
    }

    /// @dev The status readers see: an active run that proved its planned steps is Completed.
    function _status(RunState storage run) private view returns (RunStatus status) {
        status = run.status;
        if (status == RunStatus.Active && run.steps >= run.plannedSteps) status = RunStatus.Completed;
    }

    function _activeRun(uint256 runId) private view returns (RunState storage run) {
        run = _runs[runId];
        RunStatus status = _status(run);
        if (status == RunStatus.None) revert UnknownRun(runId);
        if (status != RunStatus.Active) revert RunNotActive(runId, status);
    }

    /// @dev Unpaused seconds from the run's last checkpoint (or registration) to now; the registry is not paused.
    function _elapsed(RunState storage run) private view returns (uint64) {
        return _elapsedAt(run, _now());
    }

    /// @dev Unpaused seconds from the run's last checkpoint to `time`, which is now or the current pause's start.
    /// Only pauses that ended after the last checkpoint are read; a clean submission reads none.
    function _elapsedAt(RunState storage run, uint64 time) private view returns (uint64 elapsed) {
        uint64 last = run.lastCheckpointAt;
        elapsed = time - last;
        if (_lastUnpausedAt <= last) return elapsed;
        for (uint256 i = _pauses.length; i > 0; --i) {
            Pause storage p = _pauses[i - 1];
            if (p.end <= last) break;
            elapsed -= p.end - (p.start > last ? p.start : last);
        }
    }

    /// @dev Flags, in one event recorded as the caller's, every window missed since the last checkpoint
    /// that nobody flagged yet; resets the window count for the next period. A clean submission (no
    /// window missed) reads and writes nothing here but the pause clock.
    function _flagMissedWindows(uint256 runId, RunState storage run, uint64 steps) private {
        uint64 elapsed = _elapsed(run);
        uint64 period = run.attestations.checkpointDeadline;
        if (elapsed <= period) return;
        uint64 missed = (elapsed - 1) / period;
        uint64 flagged = run.flaggedWindows;
        run.flaggedWindows = 0;
        if (missed > flagged) {
            _flag(
                runId,
                run,
                ViolationKind.CheckpointDeadlineMissed,
                steps,
                elapsed,
                uint256(missed) * period,
                missed - flagged
            );
        }
    }

    /// @dev The plan itself against the attestations and the designation threshold, at registration.
    function _checkPlan(
        uint256 runId,
        RunState storage run,
        Attestations calldata attestations,
        GenesisFacts calldata facts
    ) private {
        uint256 plannedFlops = uint256(facts.plannedSteps) * facts.flopsPerStep;
        _project(runId, run, plannedFlops, _designationThreshold);
        if (plannedFlops > attestations.flopsCap) {
            _flag(runId, run, ViolationKind.PlannedComputeAboveCap, 0, plannedFlops, attestations.flopsCap, 1);
        }
        if (facts.plannedSteps > attestations.maxSteps) {
            _flag(runId, run, ViolationKind.PlannedStepsAboveLimit, 0, facts.plannedSteps, attestations.maxSteps, 1);
        }
    }

    /// @dev Records and announces that the plan will cross the threshold, unless it is recorded already
    /// or the threshold is unset or not exceeded. Returns whether it recorded it.
    function _project(
        uint256 runId,
        RunState storage run,
        uint256 plannedFlops,
        uint256 threshold
    ) private returns (bool recorded) {
        if (threshold == 0 || plannedFlops <= threshold || run.projectedToCross) return false;
        run.projectedToCross = true;
        emit RunProjectedToCrossThreshold(runId, run.lab, plannedFlops, threshold);
        return true;
    }

    /// @dev Designates the run if its proven compute is above the threshold and it is not designated yet.
    function _designate(
        uint256 runId,
        RunState storage run,
        uint128 cumulative,
        uint256 threshold,
        uint64 steps
    ) private returns (bool designated) {
        // The threshold first: a run below it never reads its designation slot.
        if (threshold == 0 || cumulative <= threshold || run.designatedAt != 0) return false;
        run.designatedAt = uint40(_now());
        emit RunDesignated(runId, run.lab, cumulative, threshold, steps);
        return true;
    }

    /// @dev Writes an accepted checkpoint and emits CheckpointAccepted.
    function _advance(
        uint256 runId,
        RunState storage run,
        CheckpointClaim calldata claim,
        uint32 k,
        uint96 flops
    ) private returns (uint64 newSteps, uint128 cumulative) {
        uint64 firstStep = claim.firstStep;
        newSteps = firstStep + k;
        cumulative = run.cumulativeFlops + flops;
        run.root = claim.rootAfter;
        run.steps = newSteps;
        run.lastCheckpointAt = _now();
        run.cumulativeFlops = cumulative;
        emit CheckpointAccepted(
            runId,
            msg.sender,
            firstStep,
            newSteps,
            claim.rootAfter,
            flops,
            cumulative,
            claim.accumulator
        );
    }

    /// @dev The attestations as running invariants, and the designation threshold, after a checkpoint.
    function _checkAttestations(uint256 runId, RunState storage run, uint64 steps, uint128 cumulative) private {
        Attestations memory a = run.attestations;
        if (cumulative > a.flopsCap) {
            _flag(runId, run, ViolationKind.ComputeCapExceeded, steps, cumulative, a.flopsCap, 1);
        }
        if (steps > a.maxSteps) _flag(runId, run, ViolationKind.StepLimitExceeded, steps, steps, a.maxSteps, 1);
        _designate(runId, run, cumulative, _designationThreshold, steps);
    }

    /// @dev Adds `count` violations of `kind` (saturating at 2^24 - 1) and emits ViolationFlagged.
    function _flag(
        uint256 runId,
        RunState storage run,
        ViolationKind kind,
        uint64 steps,
        uint256 observed,
        uint256 limit,
        uint64 count
    ) private {
        uint256 shift = uint256(kind) * _COUNTER_BITS;
        uint120 counts = run.violations;
        uint256 current = (counts >> shift) & _COUNTER_MAX;
        uint256 next = current + count > _COUNTER_MAX ? _COUNTER_MAX : current + count;
        run.violations = uint120(counts + ((next - current) << shift));
        emit ViolationFlagged(runId, kind, run.lab, steps, observed, limit, count, msg.sender);
    }

    function _requireLayout(IProofVerifier verifier, uint256 signals) private view {
        if (address(verifier) == address(0)) revert InvalidFamily(address(0), signals, 0);
        uint256 actual = verifier.publicSignalCount();
        if (actual != signals) revert InvalidFamily(address(verifier), signals, actual);
    }

    /// @dev Genesis layout: [specCommitment, lab, runTag, root0, paramCount, flopsPerStep, plannedSteps].
    function _genesisInputs(
        uint256 specCommitment,
        address lab,
        GenesisFacts calldata facts
    ) private pure returns (uint256[] memory inputs) {
        inputs = new uint256[](GENESIS_SIGNALS);
        inputs[0] = specCommitment;
        inputs[1] = uint256(uint160(lab));
        inputs[2] = facts.runTag;
        inputs[3] = facts.root0;
        inputs[4] = facts.paramCount;
        inputs[5] = facts.flopsPerStep;
        inputs[6] = facts.plannedSteps;
    }

    /// @dev Checkpoint layout: [runTag, firstStep + 2^64 * flops + 2^160 * beacon, rootBefore, rootAfter, accumulator].
    function _checkpointInputs(
        uint256 runTag,
        uint96 flops,
        uint64 beacon,
        CheckpointClaim calldata claim
    ) private pure returns (uint256[] memory inputs) {
        inputs = new uint256[](CHECKPOINT_SIGNALS);
        inputs[0] = runTag;
        inputs[1] = uint256(claim.firstStep) | (uint256(flops) << _FLOPS_SHIFT) | (uint256(beacon) << _BEACON_SHIFT);
        inputs[2] = claim.rootBefore;
        inputs[3] = claim.rootAfter;
        inputs[4] = claim.accumulator;
    }
}
