// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {IProofVerifier} from "../verifiers/IProofVerifier.sol";
import {ITrainingRegistry} from "./ITrainingRegistry.sol";

/// @title TrainingRegistry
/// @author Verifiable training registry
/// @notice Stores runs and their spec commitments, verifies every genesis and
/// checkpoint proof on-chain, keeps each run's proven state, and flags every
/// breach of the lab's attestations publicly (DESIGN §6, issue #4).
/// @dev Every state-changing call checks, then verifies, then writes, then
/// emits; a failed proof reverts before any write. Roles: the admin grants
/// roles; the policy role governs circuit families and the designation
/// threshold; the pauser stops registrations, submissions, closes and flags.
/// The history of checkpoints lives in CheckpointAccepted events; storage
/// keeps where the run stands (keeping every checkpoint would cost ~70k gas
/// per submission, keeping even the last accumulator ~17k on the first).
contract TrainingRegistry is ITrainingRegistry, AccessControl, Pausable {
    /// @notice Governs circuit families and the designation threshold.
    bytes32 public constant POLICY_ROLE = keccak256("POLICY_ROLE");
    /// @notice May pause and unpause the registry.
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");

    /// @notice Public signals of every genesis proof (prover/statement/statement.ts).
    uint256 public constant GENESIS_SIGNALS = 7;
    /// @notice Public signals of every checkpoint proof (prover/statement/statement.ts).
    uint256 public constant CHECKPOINT_SIGNALS = 5;
    /// @dev firstStep takes the low 64 bits of the packed position signal, the FLOPs the bits above.
    uint256 private constant _POSITION_STEP_BITS = 64;

    mapping(uint256 runId => Run run) private _runs;
    mapping(uint256 specCommitment => uint256 runId) private _runOfSpec;
    mapping(bytes32 familyId => CircuitFamily family) private _families;
    mapping(uint256 runId => mapping(uint64 deadline => address reporter)) private _deadlineReporters;
    uint256 private _runCount;
    uint256 private _designationThreshold;

    /// @notice Deploys the registry with its three roles' first accounts.
    /// @param admin Grants and revokes roles.
    /// @param policy Governs circuit families and the designation threshold.
    /// @param pauser May pause and unpause.
    constructor(address admin, address policy, address pauser) {
        if (admin == address(0)) revert ZeroRoleAccount(DEFAULT_ADMIN_ROLE);
        if (policy == address(0)) revert ZeroRoleAccount(POLICY_ROLE);
        if (pauser == address(0)) revert ZeroRoleAccount(PAUSER_ROLE);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
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
        if (stepsPerCheckpoint == 0) revert InvalidFamily(address(0), 1, 0);
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
        _designationThreshold = threshold;
        emit DesignationThresholdSet(previous, threshold);
    }

    /// @notice Stops registrations, submissions, closes and flags. Pauser role only.
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @notice Resumes registrations, submissions, closes and flags. Pauser role only.
    function unpause() external onlyRole(PAUSER_ROLE) {
        _unpause();
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
        uint256 existing = _runOfSpec[specCommitment];
        if (existing != 0) revert SpecAlreadyRegistered(specCommitment, existing);
        if (attestations.checkpointDeadline == 0) revert ZeroCheckpointDeadline();
        // Verify.
        if (!family.genesisVerifier.verify(proof, _genesisInputs(specCommitment, msg.sender, facts))) {
            revert InvalidGenesisProof(specCommitment, msg.sender);
        }
        // Write.
        runId = ++_runCount;
        _runOfSpec[specCommitment] = runId;
        Run storage run = _runs[runId];
        uint64 time = _now();
        run.lab = msg.sender;
        run.status = RunStatus.Active;
        run.registeredAt = time;
        run.checkpointVerifier = family.checkpointVerifier;
        run.stepsPerCheckpoint = family.stepsPerCheckpoint;
        run.flopsPerStep = facts.flopsPerStep;
        run.familyId = familyId;
        run.specCommitment = specCommitment;
        run.runTag = facts.runTag;
        run.root0 = facts.root0;
        run.root = facts.root0;
        run.lastCheckpointAt = time;
        run.attestations = attestations;
        run.paramCount = facts.paramCount;
        run.plannedSteps = facts.plannedSteps;
        // Emit.
        emit RunRegistered(runId, msg.sender, familyId, specCommitment, facts.runTag, attestations);
        emit GenesisVerified(runId, facts.root0, facts.paramCount, facts.flopsPerStep, facts.plannedSteps);
        // The plan itself against the attestations.
        uint256 plannedFlops = uint256(facts.plannedSteps) * facts.flopsPerStep;
        if (plannedFlops > attestations.flopsCap) {
            _flag(runId, run, ViolationKind.PlannedComputeAboveCap, 0, plannedFlops, attestations.flopsCap);
        }
        if (facts.plannedSteps > attestations.maxSteps) {
            _flag(runId, run, ViolationKind.PlannedStepsAboveLimit, 0, facts.plannedSteps, attestations.maxSteps);
        }
    }

    /// @inheritdoc ITrainingRegistry
    function submitCheckpoint(
        uint256 runId,
        CheckpointClaim calldata claim,
        uint256[8] calldata proof
    ) external whenNotPaused {
        // Check: caller and chain.
        Run storage run = _activeRun(runId);
        if (msg.sender != run.lab) revert NotRunLab(runId, msg.sender);
        uint64 steps = run.steps;
        if (claim.firstStep != steps) revert CheckpointOutOfOrder(runId, steps, claim.firstStep);
        if (claim.rootBefore != run.root) revert CheckpointRootMismatch(runId, run.root, claim.rootBefore);
        // Verify: the circuit fixes the FLOPs of K steps; the registry expects K x the genesis figure.
        uint32 k = run.stepsPerCheckpoint;
        uint128 flops = uint128(k) * run.flopsPerStep;
        if (!run.checkpointVerifier.verify(proof, _checkpointInputs(run.runTag, flops, claim))) {
            revert InvalidCheckpointProof(runId, claim.firstStep);
        }
        // Write and emit, then check the attestations as running invariants.
        (uint64 newSteps, uint128 cumulative) = _advance(runId, run, claim, k, flops);
        _checkAttestations(runId, run, newSteps, cumulative);
    }

    /// @inheritdoc ITrainingRegistry
    function flagMissedDeadline(uint256 runId) external whenNotPaused returns (uint64 deadline) {
        Run storage run = _activeRun(runId);
        uint64 steps = run.steps;
        if (steps >= run.plannedSteps) revert NoCheckpointDue(runId, steps);
        // Windows are consecutive periods of checkpointDeadline seconds after the
        // last checkpoint; flaggedUntil is the deadline of the last one flagged
        // (older than the last checkpoint if none was flagged since).
        uint256 last = run.lastCheckpointAt;
        uint256 period = run.attestations.checkpointDeadline;
        uint256 flagged = run.flaggedUntil;
        uint256 window = flagged < last + period ? 1 : (flagged - last) / period + 1;
        uint256 due = last + window * period;
        uint64 time = _now();
        if (time <= due) revert DeadlineNotMissed(runId, due, time);
        deadline = uint64(due); // due < time, so it fits
        run.flaggedUntil = deadline;
        _deadlineReporters[runId][deadline] = msg.sender;
        _flag(runId, run, ViolationKind.CheckpointDeadlineMissed, steps, time - last, window * period);
    }

    /// @inheritdoc ITrainingRegistry
    function closeRun(uint256 runId) external whenNotPaused {
        Run storage run = _activeRun(runId);
        if (msg.sender != run.lab) revert NotRunLab(runId, msg.sender);
        run.status = RunStatus.Closed;
        emit RunClosed(runId, msg.sender, run.steps, run.cumulativeFlops);
    }

    // ----------------------------------------------------------------- views

    /// @inheritdoc ITrainingRegistry
    function getRun(uint256 runId) external view returns (Run memory run) {
        run = _runs[runId];
        if (run.status == RunStatus.None) revert UnknownRun(runId);
    }

    /// @inheritdoc ITrainingRegistry
    function lastCheckpoint(
        uint256 runId
    ) external view returns (uint64 firstStep, uint64 steps, uint256 root, uint64 acceptedAt) {
        Run storage run = _runs[runId];
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
    function runOfSpec(uint256 specCommitment) external view returns (uint256 runId) {
        return _runOfSpec[specCommitment];
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
    function deadlineReporter(uint256 runId, uint64 deadline) external view returns (address reporter) {
        return _deadlineReporters[runId][deadline];
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
        uint128 flops,
        CheckpointClaim calldata claim
    ) external pure returns (uint256[] memory inputs) {
        return _checkpointInputs(runTag, flops, claim);
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

    function _activeRun(uint256 runId) private view returns (Run storage run) {
        run = _runs[runId];
        RunStatus status = run.status;
        if (status == RunStatus.None) revert UnknownRun(runId);
        if (status != RunStatus.Active) revert RunNotActive(runId, status);
    }

    /// @dev Writes an accepted checkpoint and emits CheckpointAccepted.
    function _advance(
        uint256 runId,
        Run storage run,
        CheckpointClaim calldata claim,
        uint32 k,
        uint128 flops
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
    function _checkAttestations(uint256 runId, Run storage run, uint64 steps, uint128 cumulative) private {
        Attestations memory a = run.attestations;
        if (cumulative > a.flopsCap) _flag(runId, run, ViolationKind.ComputeCapExceeded, steps, cumulative, a.flopsCap);
        if (steps > a.maxSteps) _flag(runId, run, ViolationKind.StepLimitExceeded, steps, steps, a.maxSteps);
        if (run.designatedAt != 0) return;
        uint256 threshold = _designationThreshold;
        if (threshold != 0 && cumulative > threshold) {
            run.designatedAt = _now();
            emit RunDesignated(runId, run.lab, cumulative, threshold, steps);
        }
    }

    function _flag(
        uint256 runId,
        Run storage run,
        ViolationKind kind,
        uint64 steps,
        uint256 observed,
        uint256 limit
    ) private {
        ++run.violations[uint256(kind)];
        emit ViolationFlagged(runId, kind, run.lab, steps, observed, limit, msg.sender);
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

    /// @dev Checkpoint layout: [runTag, firstStep + 2^64 * flops, rootBefore, rootAfter, accumulator].
    function _checkpointInputs(
        uint256 runTag,
        uint128 flops,
        CheckpointClaim calldata claim
    ) private pure returns (uint256[] memory inputs) {
        inputs = new uint256[](CHECKPOINT_SIGNALS);
        inputs[0] = runTag;
        inputs[1] = uint256(claim.firstStep) | (uint256(flops) << _POSITION_STEP_BITS);
        inputs[2] = claim.rootBefore;
        inputs[3] = claim.rootAfter;
        inputs[4] = claim.accumulator;
    }
}
