// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {ICircuitFamilies} from "../families/ICircuitFamilies.sol";
import {PublicSignals} from "../families/PublicSignals.sol";
import {ISampledMode} from "../sampled/ISampledMode.sol";
import {SampledRules} from "../sampled/SampledRules.sol";
import {ITrainingRegistry} from "./ITrainingRegistry.sol";
import {RegistryStorage} from "./RegistryStorage.sol";
import {RunRules} from "./RunRules.sol";

/// @title TrainingRegistry
/// @author Verifiable training registry
/// @notice Stores runs and their spec commitments, verifies every genesis and checkpoint proof on-chain,
/// keeps each run's proven (or, in sampled mode, committed) state, and flags every breach of the lab's
/// attestations publicly (DESIGN §6, issues #4, #11, #16, #17, #24).
/// @dev Three parts (issue #24): circuit families live in their own CircuitFamilies contract (read at
/// registration; a run keeps the verifier it needs); sampled mode's draws, paid challenges, answers and
/// unanswered flags run in the SampledMode module through delegatecall on this contract's storage
/// (RegistryStorage, one ERC-7201 namespace); runs, checkpoints, windows, deadlines, attestations and
/// designation are here. Every state-changing call checks, then verifies, then writes, then emits; a
/// failed proof reverts before any write. Roles: the default admin (two-step transfer after a delay)
/// grants and revokes the pauser role; the policy role (a TimelockController) sets the designation
/// threshold and the sampling policy and hands its role on; the pauser stops registrations,
/// submissions, commitments, paid challenges, answers, closes and flags, and the registry's clock
/// (unpaused seconds) stops with it. Draws and withdrawals work while paused. ReentrancyGuard is inherited
/// for its constructor only: it sets the guard's (namespaced) slot that the module's withdraw uses, so a
/// withdrawal does not pay a zero-to-nonzero write.
contract TrainingRegistry is ITrainingRegistry, AccessControlDefaultAdminRules, ReentrancyGuard {
    /// @notice Sets the designation threshold and the sampling policy; administers itself.
    bytes32 public constant POLICY_ROLE = keccak256("POLICY_ROLE");
    /// @notice May pause and unpause the registry.
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    /// @notice Public signals of every genesis proof (prover/statement/statement.ts).
    uint256 public constant GENESIS_SIGNALS = PublicSignals.GENESIS;
    /// @notice Public signals of every checkpoint and step proof (prover/statement/statement.ts).
    uint256 public constant CHECKPOINT_SIGNALS = PublicSignals.CHECKPOINT;
    // The policy's bounds (public through the SampledMode module: ISampledMode).
    uint16 private constant _MAX_CHALLENGES_PER_WINDOW = SampledRules.MAX_CHALLENGES_PER_WINDOW;
    uint128 private constant _MIN_CHALLENGE_FEE = SampledRules.MIN_CHALLENGE_FEE;
    uint32 private constant _MAX_RESPONSE_SECONDS = SampledRules.MAX_RESPONSE_SECONDS;
    uint256 private constant _KINDS = 6;

    address private immutable _SAMPLED_MODE;

    /// @dev The pause is the clock slot's pause start (0: not paused), which every call that checks it
    /// reads anyway; OpenZeppelin's Pausable would keep a second flag in a slot of its own.
    modifier whenNotPaused() {
        if (RegistryStorage.layout().pausedAt != 0) revert EnforcedPause();
        _;
    }

    /// @notice Deploys the registry with its three roles' first accounts, its families and its module.
    /// @param adminDelay Seconds a transfer of the admin role waits between its two steps.
    /// @param admin Grants and revokes the pauser role.
    /// @param policy Sets the threshold and the sampling policy (a timelock in production).
    /// @param pauser May pause and unpause.
    /// @param familyTable The CircuitFamilies contract runs are registered against.
    /// @param sampledMode The SampledMode module (draws, paid challenges, answers, unanswered flags).
    constructor(
        uint48 adminDelay,
        address admin,
        address policy,
        address pauser,
        ICircuitFamilies familyTable,
        address sampledMode
    ) AccessControlDefaultAdminRules(adminDelay, admin) {
        if (admin == address(0)) revert ZeroRoleAccount(DEFAULT_ADMIN_ROLE);
        if (policy == address(0)) revert ZeroRoleAccount(POLICY_ROLE);
        if (pauser == address(0)) revert ZeroRoleAccount(PAUSER_ROLE);
        if (address(familyTable) == address(0) || sampledMode == address(0)) revert ZeroModule();
        _setRoleAdmin(POLICY_ROLE, POLICY_ROLE);
        _grantRole(POLICY_ROLE, policy);
        _grantRole(PAUSER_ROLE, pauser);
        _SAMPLED_MODE = sampledMode;
        RegistryStorage.Layout storage $ = RegistryStorage.layout();
        $.families = address(familyTable);
        $.minChallengesPerWindow = 1;
        $.minResponseSeconds = 1;
        $.maxResponseSeconds = _MAX_RESPONSE_SECONDS;
    }

    // ----------------------------------------------------------------- governance

    /// @inheritdoc ITrainingRegistry
    function setDesignationThreshold(uint256 threshold) external onlyRole(POLICY_ROLE) {
        RegistryStorage.Layout storage $ = RegistryStorage.layout();
        uint256 previous = $.designationThreshold;
        $.designationThreshold = uint128(threshold > type(uint128).max ? type(uint128).max : threshold);
        emit DesignationThresholdSet(previous, $.designationThreshold);
    }

    /// @inheritdoc ITrainingRegistry
    function setSamplingPolicy(ISampledMode.SamplingPolicy calldata policy) external onlyRole(POLICY_ROLE) {
        if (
            policy.minChallengesPerWindow == 0 ||
            policy.minChallengesPerWindow > _MAX_CHALLENGES_PER_WINDOW ||
            (policy.challengeFee != 0 && policy.challengeFee < _MIN_CHALLENGE_FEE) ||
            policy.minResponseSeconds == 0 ||
            policy.minResponseSeconds > policy.maxResponseSeconds ||
            policy.maxResponseSeconds > _MAX_RESPONSE_SECONDS
        ) revert InvalidSamplingPolicy(policy);
        RegistryStorage.Layout storage $ = RegistryStorage.layout();
        $.minChallengesPerWindow = policy.minChallengesPerWindow;
        $.challengeFee = policy.challengeFee;
        $.minResponseSeconds = policy.minResponseSeconds;
        $.maxResponseSeconds = policy.maxResponseSeconds;
        emit SamplingPolicySet(policy);
    }

    /// @notice Stops registrations, submissions, commitments, paid challenges, answers, closes and flags;
    /// the registry's clock stops too. Pauser only.
    function pause() external onlyRole(PAUSER_ROLE) whenNotPaused {
        RegistryStorage.layout().pausedAt = uint64(block.timestamp);
        emit Paused(msg.sender);
    }

    /// @notice Whether the registry is paused (read from the clock slot).
    /// @return isPaused True while paused.
    function paused() external view returns (bool isPaused) {
        return RegistryStorage.layout().pausedAt != 0;
    }

    /// @notice Resumes everything paused, and the registry's clock. Pauser only.
    function unpause() external onlyRole(PAUSER_ROLE) {
        RegistryStorage.Layout storage $ = RegistryStorage.layout();
        uint64 pausedAt = $.pausedAt;
        if (pausedAt == 0) revert ExpectedPause();
        $.pausedTotal += uint64(block.timestamp) - pausedAt;
        $.pausedAt = 0;
        emit Unpaused(msg.sender);
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
        ICircuitFamilies.CircuitFamily memory family = RunRules.family(familyId);
        RegistryStorage.RunState storage run;
        (runId, run) = RunRules.registerRun(
            familyId,
            family,
            family.checkpointVerifier,
            family.stepsPerCheckpoint,
            specCommitment,
            attestations,
            facts,
            proof
        );
        RunRules.checkPlan(runId, run, attestations, facts);
    }

    /// @inheritdoc ITrainingRegistry
    function submitCheckpoint(
        uint256 runId,
        CheckpointClaim calldata claim,
        uint256[8] calldata proof
    ) external whenNotPaused {
        // Check: caller and chain.
        RegistryStorage.Layout storage $ = RegistryStorage.layout();
        RegistryStorage.RunState storage run = RunRules.activeRun($, runId);
        if (msg.sender != run.lab) revert NotRunLab(runId, msg.sender);
        if (run.sampled) revert RunIsSampled(runId);
        uint64 steps = run.steps;
        if (claim.firstStep != steps) revert CheckpointOutOfOrder(runId, steps, claim.firstStep);
        if (claim.rootBefore != run.root) revert CheckpointRootMismatch(runId, run.root, claim.rootBefore);
        // Verify: the circuit fixes the FLOPs of K steps; the registry expects K x the genesis figure.
        uint32 k = run.stepsPerCheckpoint;
        uint96 flops = uint96(k) * run.flopsPerStep;
        uint256[] memory inputs = PublicSignals.checkpoint(
            run.runTag,
            claim.firstStep,
            flops,
            RunRules.drawnBeacon(runId, run),
            claim.rootBefore,
            claim.rootAfter,
            claim.accumulator
        );
        if (!run.proofVerifier.verify(proof, inputs)) revert InvalidCheckpointProof(runId, claim.firstStep);
        // Windows missed since the last checkpoint are facts: flag those nobody flagged yet.
        RunRules.flagMissedWindows($, runId, run, steps);
        // Write and emit, then check the attestations as running invariants.
        RunRules.acceptCheckpoint($, runId, run, steps, flops, claim);
    }

    /// @inheritdoc ITrainingRegistry
    /// @dev Runs in the SampledMode module, where the draws are (this contract has no room for it).
    function drawBeacon(uint256) external returns (uint64) {
        _delegateToSampledMode();
    }

    // ----------------------------------------------------------------- sampled mode

    /// @inheritdoc ITrainingRegistry
    function commitWindow(
        uint256 runId,
        uint64 firstStep,
        bytes32 root,
        uint256 rootAfter,
        bytes32[] calldata endPath
    ) external whenNotPaused {
        // Check: caller, mode, order, and that rootAfter is the window's last leaf.
        RegistryStorage.Layout storage $ = RegistryStorage.layout();
        RegistryStorage.RunState storage run = RunRules.activeRun($, runId);
        if (msg.sender != run.lab) revert ITrainingRegistry.NotRunLab(runId, msg.sender);
        if (!run.sampled) revert ISampledMode.NotSampledRun(runId);
        uint64 steps = run.steps;
        if (firstStep != steps) revert ISampledMode.WindowOutOfOrder(runId, steps, firstStep);
        uint32 w = run.stepsPerCheckpoint;
        uint64 last = steps + w;
        if (SampledRules.rootsTreeRoot(SampledRules.rootLeaf(last, rootAfter), w - 1, w, endPath) != root) {
            revert ISampledMode.InvalidRootPath(runId, last);
        }
        // Write: the window, then the run as a checkpoint of committed (not proven) steps.
        uint64 window = steps / w;
        $.windows[runId][window].commitment = keccak256(abi.encode(root, uint64(block.number)));
        RunRules.flagMissedWindows($, runId, run, steps);
        uint96 cumulative = RunRules.advance($, run, last, rootAfter);
        emit ISampledMode.WindowCommitted(runId, msg.sender, window, steps, root, rootAfter, cumulative);
        RunRules.checkAttestations($, runId, run, last, cumulative);
    }

    /// @notice Sampled mode (ISampledMode at this address): every call this contract does not implement
    /// runs in the SampledMode module, through delegatecall on this contract's storage, with the calldata
    /// as it came; the module checks the pause itself (draws and withdrawals work while paused).
    fallback() external payable {
        _delegateToSampledMode();
    }

    // ----------------------------------------------------------------- deadlines

    /// @inheritdoc ITrainingRegistry
    function flagMissedDeadline(uint256 runId) external whenNotPaused returns (uint64 window) {
        RegistryStorage.Layout storage $ = RegistryStorage.layout();
        RegistryStorage.RunState storage run = RunRules.activeRun($, runId);
        uint64 elapsed = RegistryStorage.clock($) - run.lastCheckpointActive;
        uint64 period = run.deadlineSeconds;
        window = run.flaggedWindows + 1;
        if (elapsed <= uint256(window) * period) {
            revert DeadlineNotMissed(runId, block.timestamp + uint256(window) * period - elapsed, block.timestamp);
        }
        uint64 steps = run.steps;
        run.flaggedWindows = uint32(window);
        $.reporters[runId][steps][window] = msg.sender;
        RegistryStorage.flag(
            runId,
            run,
            ViolationKind.CheckpointDeadlineMissed,
            steps,
            elapsed,
            uint256(window) * period,
            1
        );
    }

    /// @inheritdoc ITrainingRegistry
    function reassess(uint256 runId) external whenNotPaused {
        RegistryStorage.Layout storage $ = RegistryStorage.layout();
        RegistryStorage.RunState storage run = RunRules.knownRun($, runId);
        uint256 threshold = $.designationThreshold;
        bool designated = RunRules.designate(runId, run, RunRules.cumulativeFlops(run), threshold, run.steps);
        bool projected = RunRules.project(runId, run, uint256(run.plannedSteps) * run.flopsPerStep, threshold);
        if (!designated && !projected) revert NothingToReassess(runId, threshold);
    }

    /// @inheritdoc ITrainingRegistry
    function closeRun(uint256 runId) external whenNotPaused {
        RegistryStorage.Layout storage $ = RegistryStorage.layout();
        RegistryStorage.RunState storage run = RunRules.activeRun($, runId);
        if (msg.sender != run.lab) revert NotRunLab(runId, msg.sender);
        RunRules.flagMissedWindows($, runId, run, run.steps);
        run.status = RunStatus.Closed;
        emit RunClosed(runId, msg.sender, run.steps, RunRules.cumulativeFlops(run));
    }

    // ----------------------------------------------------------------- views

    /// @inheritdoc ITrainingRegistry
    function getRun(uint256 runId) external view returns (Run memory record) {
        RegistryStorage.RunState storage run = RunRules.knownRun(RegistryStorage.layout(), runId);
        record.lab = run.lab;
        record.status = RunRules.status(run);
        record.designatedAt = run.designatedAt;
        record.proofVerifier = run.proofVerifier;
        record.stepsPerCheckpoint = run.stepsPerCheckpoint;
        record.flopsPerStep = run.flopsPerStep;
        record.familyId = run.familyId;
        record.specCommitment = run.specCommitment;
        record.runTag = run.runTag;
        record.root0 = run.root0;
        record.root = run.root;
        record.steps = run.steps;
        record.lastCheckpointAt = run.lastCheckpointAt;
        record.cumulativeFlops = RunRules.cumulativeFlops(run);
        record.attestations = run.attestations;
        record.paramCount = run.paramCount;
        record.plannedSteps = run.plannedSteps;
        record.registeredAt = run.registeredAt;
        record.beacon = run.beacon;
        record.beaconBlock = run.beaconBlock;
        record.flaggedWindows = run.flaggedWindows;
        record.projectedToCross = run.projectedToCross;
        for (uint256 kind = 0; kind < _KINDS; ++kind) {
            record.violations[kind] = RegistryStorage.violationCount(run, kind);
        }
        record.sampled = run.sampled;
        if (run.sampled) {
            record.sampling = ISampledMode.Sampling({
                challengesPerWindow: run.challengesPerWindow,
                responseSeconds: run.responseSeconds,
                windowSteps: run.stepsPerCheckpoint
            });
        }
        record.challenged = run.challenged;
        record.answered = run.answered;
    }

    /// @inheritdoc ITrainingRegistry
    function deadlineState(uint256 runId) external view returns (DeadlineState memory state) {
        RegistryStorage.Layout storage $ = RegistryStorage.layout();
        RegistryStorage.RunState storage run = RunRules.knownRun($, runId);
        state.flaggedWindows = run.flaggedWindows;
        if (RunRules.status(run) != RunStatus.Active) return state;
        uint64 period = run.deadlineSeconds;
        state.elapsed = RegistryStorage.clock($) - run.lastCheckpointActive;
        state.missedWindows = state.elapsed == 0 ? 0 : (state.elapsed - 1) / period;
        uint64 nextEnd = (state.missedWindows + 1) * period;
        uint64 pausedAt = $.pausedAt;
        state.nextDeadline = (pausedAt != 0 ? pausedAt : uint64(block.timestamp)) + nextEnd - state.elapsed;
    }

    /// @inheritdoc ITrainingRegistry
    function pausedSeconds() external view returns (uint64 seconds_) {
        RegistryStorage.Layout storage $ = RegistryStorage.layout();
        seconds_ = $.pausedTotal;
        if ($.pausedAt != 0) seconds_ += uint64(block.timestamp) - $.pausedAt;
    }

    /// @inheritdoc ITrainingRegistry
    function lastCheckpoint(
        uint256 runId
    ) external view returns (uint64 firstStep, uint64 steps, uint256 root, uint64 acceptedAt) {
        RegistryStorage.RunState storage run = RunRules.knownRun(RegistryStorage.layout(), runId);
        steps = run.steps;
        if (steps == 0) revert NoCheckpointYet(runId);
        return (steps - run.stepsPerCheckpoint, steps, run.root, run.lastCheckpointAt);
    }

    /// @inheritdoc ITrainingRegistry
    function runCount() external view returns (uint256 count) {
        return RegistryStorage.layout().runCount;
    }

    /// @inheritdoc ITrainingRegistry
    function runOfSpec(address lab, uint256 specCommitment) external view returns (uint256 runId) {
        return RegistryStorage.layout().runOfSpec[lab][specCommitment];
    }

    /// @inheritdoc ITrainingRegistry
    function families() external view returns (ICircuitFamilies table) {
        return ICircuitFamilies(RegistryStorage.layout().families);
    }

    /// @notice The SampledMode module this registry runs through delegatecall.
    /// @return module Its address (fixed at deployment).
    function sampledModeModule() external view returns (address module) {
        return _SAMPLED_MODE;
    }

    /// @inheritdoc ITrainingRegistry
    function designationThreshold() external view returns (uint256 threshold) {
        return RegistryStorage.layout().designationThreshold;
    }

    /// @inheritdoc ITrainingRegistry
    function deadlineReporter(uint256 runId, uint64 steps, uint64 window) external view returns (address reporter) {
        return RegistryStorage.layout().reporters[runId][steps][window];
    }

    // ----------------------------------------------------------------- internals

    /// @dev Runs the SampledMode module on this contract's storage with the calldata as it came, and
    /// returns or reverts with what it returned. Never returns to the caller's code.
    function _delegateToSampledMode() private {
        address module = _SAMPLED_MODE;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            calldatacopy(ptr, 0, calldatasize())
            let ok := delegatecall(gas(), module, ptr, calldatasize(), 0, 0)
            returndatacopy(ptr, 0, returndatasize())
            if iszero(ok) {
                revert(ptr, returndatasize())
            }
            return(ptr, returndatasize())
        }
    }
}
