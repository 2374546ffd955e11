// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IProofVerifier} from "../verifiers/IProofVerifier.sol";
import {ICircuitFamilies} from "../families/ICircuitFamilies.sol";
import {ISampledMode} from "../sampled/ISampledMode.sol";

/// @title ITrainingRegistry
/// @author Verifiable training registry
/// @notice The registry labs, readers and watchers share (DESIGN §6): runs
/// and their spec commitments, every genesis and checkpoint proof verified
/// on-chain, each run's proven history, and public flags for every breach of
/// the lab's attestations.
/// @dev Public-input layouts (one source of truth: prover/statement/statement.ts,
/// mirrored by genesisPublicInputs and checkpointPublicInputs):
///   genesis    [specCommitment, lab, runTag, root0, paramCount, flopsPerStep, plannedSteps + 2^32 * K]
///   checkpoint [runTag, firstStep + 2^64 * flops + 2^160 * beacon, rootBefore, rootAfter, accumulator]
/// runTag = Poseidon("vtr/run/v1", specCommitment, lab) names one run: a lab
/// registers a spec commitment once, and every checkpoint must carry the tag
/// the genesis proof established; the genesis proof also binds the spec's
/// checkpoint interval to the family's K (the registry supplies K). The
/// data-order beacon is the low 64 bits of the hash of the block
/// DRAW_DELAY_BLOCKS after registration, drawn by anyone (drawBeacon) once
/// that block exists: the lab signs its registration before the hash exists,
/// so it cannot choose it (the builder of that block can: see docs). Together
/// with the lab's committed seed it fixes the data order; no checkpoint and no
/// sampled-mode answer (no proof at all) is accepted before it is drawn, and a
/// beacon not drawn within 256 blocks never can be (the run's deadlines keep
/// running). Sampled windows commit roots, not proofs: they are accepted before
/// the draw, but their challenges can only be answered after it.
///
/// Deadlines run on the registry's clock, which stops while the registry is
/// paused: window w after a checkpoint is missed once more than w x
/// checkpointDeadline unpaused seconds have passed without the next one.
///
/// Sampled mode (windows, draws, challenges, answers, fees) is declared in ISampledMode and the
/// circuit families in ICircuitFamilies (a contract of their own, read at registration); the
/// registry implements ITrainingRegistry and ISampledMode (issue #24).
///
/// The registry's clock counts unpaused seconds only: it reads block time minus every second the
/// registry was paused, kept as one running total, so accounting for pauses costs the same whatever
/// their number.
interface ITrainingRegistry {
    /// @notice Lifecycle of a run.
    enum RunStatus {
        /// No run with this id.
        None,
        /// Registered; accepts checkpoints; deadlines run.
        Active,
        /// Closed by its lab: no more checkpoints, no more deadlines.
        Closed,
        /// All planned steps proven: no more checkpoints, no more deadlines.
        Completed
    }

    /// @notice What a ViolationFlagged event reports.
    enum ViolationKind {
        /// At registration: planned steps x FLOPs per step is above the FLOPs cap.
        PlannedComputeAboveCap,
        /// At registration: planned steps are above the attested maximum.
        PlannedStepsAboveLimit,
        /// After a checkpoint: cumulative proven FLOPs are above the cap.
        ComputeCapExceeded,
        /// After a checkpoint: cumulative proven steps are above the maximum.
        StepLimitExceeded,
        /// Flagged by anyone: a checkpoint window elapsed without a checkpoint.
        CheckpointDeadlineMissed,
        /// Flagged by anyone: a sampled run's challenged step was not answered within the response time.
        ChallengeUnanswered
    }

    /// @notice The lab's public attestations, fixed at registration.
    struct Attestations {
        /// Maximum cumulative FLOPs the run will use.
        uint128 flopsCap;
        /// Maximum number of training steps.
        uint64 maxSteps;
        /// Longest time, in seconds, between two checkpoints (and from registration to the first).
        uint64 checkpointDeadline;
    }

    /// @notice The public facts a genesis proof establishes from the private spec.
    struct GenesisFacts {
        /// Poseidon("vtr/run/v1", specCommitment, lab).
        uint256 runTag;
        /// Weights root R0 of the initial weights.
        uint256 root0;
        /// Number of model parameters.
        uint64 paramCount;
        /// FLOPs of one training step, counted from the shape.
        uint64 flopsPerStep;
        /// Planned number of training steps.
        uint64 plannedSteps;
    }

    /// @notice A checkpoint as submitted: the chain link it claims and where it leads.
    struct CheckpointClaim {
        /// Index of the first step covered: must equal the run's proven steps.
        uint64 firstStep;
        /// Weights root before the first step: must equal the run's last root.
        uint256 rootBefore;
        /// Weights root after the last step.
        uint256 rootAfter;
        /// Accumulator over the covered step statements.
        uint256 accumulator;
    }

    /// @notice A run's full record, as readers see it (storage keeps it in
    /// another layout, packed for cheap submissions). Each checkpoint's
    /// accumulator is in its CheckpointAccepted event, not in storage.
    struct Run {
        /// The registering address; the only one that may submit checkpoints.
        address lab;
        /// Lifecycle status.
        RunStatus status;
        /// When the run was designated (0: not designated).
        uint64 designatedAt;
        /// Verifier of the run's proofs: its family's checkpoint verifier (full mode) or step verifier
        /// (sampled mode), fixed at registration (families are never replaced).
        IProofVerifier proofVerifier;
        /// Steps per checkpoint (full mode: the family's K) or per window (sampled mode: the run's W).
        uint32 stepsPerCheckpoint;
        /// FLOPs of one step (from the genesis proof).
        uint64 flopsPerStep;
        /// The run's circuit family.
        bytes32 familyId;
        /// Commitment to the private training spec.
        uint256 specCommitment;
        /// Poseidon("vtr/run/v1", specCommitment, lab), carried by every checkpoint.
        uint256 runTag;
        /// Weights root R0 (from the genesis proof).
        uint256 root0;
        /// Weights root after the last accepted checkpoint (R0 before any).
        uint256 root;
        /// Proven steps: the index of the next step.
        uint64 steps;
        /// Time of the last accepted checkpoint (registration time before any).
        uint64 lastCheckpointAt;
        /// Cumulative proven FLOPs.
        uint128 cumulativeFlops;
        /// The lab's attestations.
        Attestations attestations;
        /// Number of parameters (from the genesis proof).
        uint64 paramCount;
        /// Planned steps (from the genesis proof).
        uint64 plannedSteps;
        /// When the run was registered.
        uint64 registeredAt;
        /// The data-order beacon (low 64 bits of blockhash(beaconBlock); 0 until drawn).
        uint64 beacon;
        /// The block whose hash is the beacon: registration block + DRAW_DELAY_BLOCKS.
        uint64 beaconBlock;
        /// Windows since the last checkpoint (or registration) already flagged as missed.
        uint64 flaggedWindows;
        /// The plan (planned steps x FLOPs per step) was found above the designation threshold in force,
        /// at registration or by a later reassessment (RunProjectedToCrossThreshold).
        bool projectedToCross;
        /// Violations flagged so far, indexed by ViolationKind (each saturates at 2^24 - 1 = 16,777,215).
        uint32[6] violations;
        /// Sampled mode: windows are committed and challenged steps proven (false: every step proven).
        bool sampled;
        /// A sampled run's terms (zero for a full run).
        ISampledMode.Sampling sampling;
        /// Challenges issued (drawn and paid).
        uint32 challenged;
        /// Challenges answered with a verified step proof.
        uint32 answered;
    }

    /// @notice Where a run stands against its checkpoint deadline, now.
    struct DeadlineState {
        /// Unpaused seconds since the last checkpoint (or registration).
        uint64 elapsed;
        /// Windows of checkpointDeadline seconds missed since then.
        uint64 missedWindows;
        /// Of those, windows already flagged.
        uint64 flaggedWindows;
        /// When the next window not yet missed ends, if the registry is not paused meanwhile (0: no deadline runs).
        uint64 nextDeadline;
    }

    /// @notice There is no run with this id.
    /// @param runId The id asked for.
    error UnknownRun(uint256 runId);
    /// @notice The run does not accept this call in its status.
    /// @param runId The run.
    /// @param status Its status.
    error RunNotActive(uint256 runId, RunStatus status);
    /// @notice Only the run's lab may do this.
    /// @param runId The run.
    /// @param caller The address that tried.
    error NotRunLab(uint256 runId, address caller);
    /// @notice There is no circuit family with this id.
    /// @param familyId The id asked for.
    error UnknownFamily(bytes32 familyId);
    /// @notice The family is deprecated and accepts no new runs.
    /// @param familyId The id.
    error FamilyIsDeprecated(bytes32 familyId);
    /// @notice A lab registers a spec commitment once.
    /// @param specCommitment The commitment.
    /// @param runId The lab's run that registered it.
    error SpecAlreadyRegistered(uint256 specCommitment, uint256 runId);
    /// @notice Attestations need a positive checkpoint deadline.
    error ZeroCheckpointDeadline();
    /// @notice A plan must have at least one checkpoint, a whole number of them, and fewer than 2^32 steps.
    /// @param plannedSteps The planned steps of the genesis facts.
    /// @param stepsPerCheckpoint The family's K (full mode) or the run's window length W (sampled mode).
    error InvalidPlan(uint64 plannedSteps, uint32 stepsPerCheckpoint);
    /// @notice The genesis proof does not verify for these facts, this spec commitment and this lab.
    /// @param specCommitment The commitment being registered.
    /// @param lab The registering address.
    error InvalidGenesisProof(uint256 specCommitment, address lab);
    /// @notice The checkpoint does not start at the run's proven step.
    /// @param runId The run.
    /// @param expected The run's proven steps.
    /// @param given The claim's first step.
    error CheckpointOutOfOrder(uint256 runId, uint64 expected, uint64 given);
    /// @notice The checkpoint does not start from the run's last root.
    /// @param runId The run.
    /// @param expected The run's last weights root.
    /// @param given The claim's start root.
    error CheckpointRootMismatch(uint256 runId, uint256 expected, uint256 given);
    /// @notice The checkpoint proof does not verify for this run and claim.
    /// @param runId The run.
    /// @param firstStep The claim's first step.
    error InvalidCheckpointProof(uint256 runId, uint64 firstStep);
    /// @notice The run has no checkpoint yet.
    /// @param runId The run.
    error NoCheckpointYet(uint256 runId);
    /// @notice No checkpoint window has been missed without a flag yet.
    /// @param runId The run.
    /// @param deadline When the next unflagged window ends, if the registry is not paused meanwhile.
    /// @param nowTime The current block time.
    error DeadlineNotMissed(uint256 runId, uint256 deadline, uint256 nowTime);
    /// @notice A reassessment found nothing to record: the run is designated or below the threshold
    /// in proven compute, and projected or below it in planned compute.
    /// @param runId The run.
    /// @param threshold The threshold in force (0: none).
    error NothingToReassess(uint256 runId, uint256 threshold);
    /// @notice A role's initial account is the zero address.
    /// @param role The role.
    error ZeroRoleAccount(bytes32 role);
    /// @notice The families contract or the sampled-mode module is the zero address.
    error ZeroModule();
    /// @notice A sampled run commits windows; it submits no checkpoints.
    /// @param runId The run.
    error RunIsSampled(uint256 runId);
    /// @notice The registry is paused.
    error EnforcedPause();
    /// @notice The registry is not paused.
    error ExpectedPause();
    /// @notice The run's data-order beacon is not drawn yet: anyone may draw it (drawBeacon).
    /// @param runId The run.
    /// @param beaconBlock The block whose hash is the beacon.
    error BeaconNotDrawn(uint256 runId, uint64 beaconBlock);
    /// @notice The run's beacon is drawn already.
    /// @param runId The run.
    /// @param beacon Its beacon.
    error BeaconAlreadyDrawn(uint256 runId, uint64 beacon);
    /// @notice The beacon's block is not mined yet (it is drawn from a later block).
    /// @param runId The run.
    /// @param beaconBlock The block whose hash is the beacon.
    /// @param blockNumber The current block.
    error BeaconTooEarly(uint256 runId, uint64 beaconBlock, uint256 blockNumber);
    /// @notice The beacon's block hash is past the 256-block horizon: nobody drew it in time, and no other
    /// beacon is ever given (a later one would let the lab choose), so the run can never be proven.
    /// @param runId The run.
    /// @param beaconBlock The block whose hash was the beacon.
    /// @param blockNumber The current block.
    error BeaconExpired(uint256 runId, uint64 beaconBlock, uint256 blockNumber);
    /// @notice A sampling policy needs 1 .. 64 minimum challenges, a fee of 0 or at least
    /// MIN_CHALLENGE_FEE, and 1 <= minResponseSeconds <= maxResponseSeconds <= MAX_RESPONSE_SECONDS.
    /// @param policy The policy refused.
    error InvalidSamplingPolicy(ISampledMode.SamplingPolicy policy);

    /// @notice The policy role set the designation threshold.
    /// @param previous The former threshold (0: none).
    /// @param threshold The new threshold in FLOPs (0: none).
    event DesignationThresholdSet(uint256 previous, uint256 threshold);
    /// @notice The policy role set the sampled-mode policy.
    /// @param policy The policy now in force.
    event SamplingPolicySet(ISampledMode.SamplingPolicy policy);
    /// @notice A lab registered a run; its genesis proof verified.
    /// @param runId The new run's id.
    /// @param lab The registering address.
    /// @param familyId The run's circuit family.
    /// @param specCommitment Commitment to the private spec.
    /// @param runTag The tag every checkpoint of the run carries.
    /// @param attestations The lab's attestations.
    event RunRegistered(
        uint256 indexed runId,
        address indexed lab,
        bytes32 indexed familyId,
        uint256 specCommitment,
        uint256 runTag,
        Attestations attestations
    );
    /// @notice The run's genesis proof verified these facts.
    /// @param runId The run.
    /// @param root0 Weights root R0.
    /// @param paramCount Number of parameters.
    /// @param flopsPerStep FLOPs of one step.
    /// @param plannedSteps Planned steps.
    event GenesisVerified(
        uint256 indexed runId,
        uint256 root0,
        uint64 paramCount,
        uint64 flopsPerStep,
        uint64 plannedSteps
    );
    /// @notice The pauser paused the registry (and its clock).
    /// @param account The pauser.
    event Paused(address account);
    /// @notice The pauser resumed the registry (and its clock).
    /// @param account The pauser.
    event Unpaused(address account);
    /// @notice The run's data-order beacon was drawn.
    /// @param runId The run.
    /// @param beaconBlock The block whose hash it is.
    /// @param beacon The beacon (low 64 bits of the hash; 1 if those are 0).
    /// @param by Who drew it (anyone may).
    event BeaconDrawn(uint256 indexed runId, uint64 beaconBlock, uint64 beacon, address by);
    /// @notice A checkpoint proof verified and the run advanced.
    /// @param runId The run.
    /// @param lab The run's lab.
    /// @param firstStep First step covered.
    /// @param steps Proven steps after it (firstStep + K).
    /// @param rootAfter Weights root after the last step.
    /// @param flops FLOPs of the covered steps.
    /// @param cumulativeFlops Cumulative proven FLOPs after it.
    /// @param accumulator Accumulator over the covered step statements.
    event CheckpointAccepted(
        uint256 indexed runId,
        address indexed lab,
        uint64 firstStep,
        uint64 steps,
        uint256 rootAfter,
        uint128 flops,
        uint128 cumulativeFlops,
        uint256 accumulator
    );
    /// @notice An attestation of the run was breached. The run keeps being recorded.
    /// @param runId The run.
    /// @param kind What was breached.
    /// @param lab The run's lab.
    /// @param steps The run's proven steps when flagged (for a missed deadline: the checkpoint the windows followed).
    /// @param observed The figure that breached (FLOPs, steps, or unpaused seconds since the last checkpoint).
    /// @param limit The attested limit it breached (for a missed deadline: last window flagged x deadline seconds).
    /// @param count Violations this flag records (for a missed deadline: windows, the last `count` up to `limit`).
    /// @param reporter The address whose call raised the flag (the lab, when its own late checkpoint or close did).
    event ViolationFlagged(
        uint256 indexed runId,
        ViolationKind indexed kind,
        address indexed lab,
        uint64 steps,
        uint256 observed,
        uint256 limit,
        uint64 count,
        address reporter
    );
    /// @notice The run's proven cumulative compute crossed the designation threshold (a public fact, not a violation).
    /// @param runId The run.
    /// @param lab The run's lab.
    /// @param cumulativeFlops Cumulative proven FLOPs.
    /// @param threshold The threshold in force.
    /// @param steps Proven steps.
    event RunDesignated(
        uint256 indexed runId,
        address indexed lab,
        uint256 cumulativeFlops,
        uint256 threshold,
        uint64 steps
    );
    /// @notice The run's plan will cross the designation threshold in force (a public fact, not a
    /// violation; cf. EU AI Act Recital 112: a provider knows ahead that a planned run will cross).
    /// @param runId The run.
    /// @param lab The run's lab.
    /// @param plannedFlops Planned steps x FLOPs per step, from the genesis proof.
    /// @param threshold The threshold in force.
    event RunProjectedToCrossThreshold(
        uint256 indexed runId,
        address indexed lab,
        uint256 plannedFlops,
        uint256 threshold
    );
    /// @notice The lab closed the run: no more checkpoints, no more deadlines.
    /// @param runId The run.
    /// @param lab The run's lab.
    /// @param steps Proven steps.
    /// @param cumulativeFlops Cumulative proven FLOPs.
    event RunClosed(uint256 indexed runId, address indexed lab, uint64 steps, uint128 cumulativeFlops);

    /// @notice Sets the compute threshold above which runs are designated (0: none). Policy role only: a
    /// timelock, so every change is announced (scheduled publicly) a delay before it applies.
    /// @param threshold FLOPs.
    function setDesignationThreshold(uint256 threshold) external;

    /// @notice Sets the sampled-mode policy for runs registered from now on. Policy role only.
    /// @param policy Minimum challenges per window, paid-challenge fee, response-time bounds.
    function setSamplingPolicy(ISampledMode.SamplingPolicy calldata policy) external;

    /// @notice Registers a run: the caller becomes its lab. Verifies the genesis
    /// proof for (specCommitment, caller, facts), refuses a plan that is not a
    /// positive multiple of the family's K, fixes the beacon's block
    /// (DRAW_DELAY_BLOCKS later), then flags at once any planned breach of the attestations.
    /// @param familyId The run's circuit family.
    /// @param specCommitment Commitment to the private spec (registered once).
    /// @param attestations The lab's public attestations.
    /// @param facts The genesis proof's public facts.
    /// @param proof The packed genesis proof.
    /// @return runId The new run's id (from 1).
    function registerRun(
        bytes32 familyId,
        uint256 specCommitment,
        Attestations calldata attestations,
        GenesisFacts calldata facts,
        uint256[8] calldata proof
    ) external returns (uint256 runId);

    /// @notice Draws the run's data-order beacon: the low 64 bits of the hash of the block
    /// DRAW_DELAY_BLOCKS after registration (1 if they are 0). Anyone may, once that block exists and
    /// within the 256 blocks its hash is available, paused or not (a pause must not change a beacon).
    /// @param runId The run.
    /// @return beacon The beacon.
    function drawBeacon(uint256 runId) external returns (uint64 beacon);

    /// @notice Submits the run's next checkpoint. Lab only. Checks the chain,
    /// verifies the proof (with the run's tag and beacon), writes the new state,
    /// flags every deadline window missed since the last checkpoint and not yet
    /// flagged, then checks the attestations. The checkpoint that proves the
    /// last planned step completes the run.
    /// @param runId The run.
    /// @param claim The checkpoint's chain link and result.
    /// @param proof The packed checkpoint proof.
    function submitCheckpoint(uint256 runId, CheckpointClaim calldata claim, uint256[8] calldata proof) external;

    /// @notice Commits the sampled run's next window of W steps. Lab only. Checks that it starts at the
    /// committed steps and that rootAfter is the tree's last leaf, stores the window, counts its W
    /// steps and FLOPs as committed, flags missed deadline windows, then checks the attestations.
    /// @param runId The run.
    /// @param firstStep First step of the window: must equal the run's committed steps.
    /// @param root Merkle root of the window's roots tree.
    /// @param rootAfter Weights root after the window's last step, r(firstStep + W).
    /// @param endPath Merkle path of rootAfter's leaf (position W - 1): D siblings, bottom up.
    function commitWindow(
        uint256 runId,
        uint64 firstStep,
        bytes32 root,
        uint256 rootAfter,
        bytes32[] calldata endPath
    ) external;

    /// @notice Flags the run's next missed checkpoint window. Anyone may call,
    /// once per window, after its deadline; the caller is recorded.
    /// @param runId The run.
    /// @return window The window flagged (1: the first after the last checkpoint).
    function flagMissedDeadline(uint256 runId) external returns (uint64 window);

    /// @notice Applies the designation threshold in force to a run that registered or last submitted
    /// under another: designates it at once if its proven compute is above it, and records the
    /// projection if its plan is. Anyone may call (a threshold change is not applied to existing runs
    /// by itself; it applies at their next checkpoint, or here, sooner). Works on any registered run.
    /// @param runId The run.
    function reassess(uint256 runId) external;

    /// @notice Closes the run (lab only) after flagging every missed window not
    /// yet flagged: no more checkpoints, no more deadlines.
    /// @param runId The run.
    function closeRun(uint256 runId) external;

    /// @notice A run's full record.
    /// @param runId The run.
    /// @return run The record (reverts for an unknown id).
    function getRun(uint256 runId) external view returns (Run memory run);

    /// @notice The run's last accepted checkpoint (its accumulator is in its CheckpointAccepted event).
    /// @param runId The run.
    /// @return firstStep First step it covered.
    /// @return steps Proven steps after it.
    /// @return root Weights root after it.
    /// @return acceptedAt When it was accepted.
    function lastCheckpoint(
        uint256 runId
    ) external view returns (uint64 firstStep, uint64 steps, uint256 root, uint64 acceptedAt);

    /// @notice Number of registered runs (ids are 1..runCount).
    /// @return count The number of runs.
    function runCount() external view returns (uint256 count);

    /// @notice The lab's run that registered a spec commitment (0: none).
    /// @param lab The lab.
    /// @param specCommitment The commitment.
    /// @return runId The run's id.
    function runOfSpec(address lab, uint256 specCommitment) external view returns (uint256 runId);

    /// @notice Where the run stands against its checkpoint deadline now.
    /// @param runId The run.
    /// @return state Unpaused seconds since the last checkpoint, missed and flagged windows, next deadline.
    function deadlineState(uint256 runId) external view returns (DeadlineState memory state);

    /// @notice Seconds the registry has been paused in total (the current pause included).
    /// @return seconds_ Paused seconds.
    function pausedSeconds() external view returns (uint64 seconds_);

    /// @notice The circuit families this registry accepts runs of.
    /// @return table The CircuitFamilies contract (fixed at deployment).
    function families() external view returns (ICircuitFamilies table);

    /// @notice The designation threshold in FLOPs (0: none).
    /// @return threshold The threshold.
    function designationThreshold() external view returns (uint256 threshold);

    /// @notice Who flagged missed window `window` after the checkpoint that brought the run to `steps`
    /// proven steps, with flagMissedDeadline (zero: not flagged that way; windows flagged by the lab's
    /// own late checkpoint or close name the lab in their event).
    /// @param runId The run.
    /// @param steps Proven steps when the window ran.
    /// @param window The window (1: the first after that checkpoint).
    /// @return reporter The flagging address.
    function deadlineReporter(uint256 runId, uint64 steps, uint64 window) external view returns (address reporter);
}
