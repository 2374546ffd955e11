// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IProofVerifier} from "../verifiers/IProofVerifier.sol";

/// @title ITrainingRegistry
/// @author Verifiable training registry
/// @notice The registry labs, readers and watchers share (DESIGN §6): runs
/// and their spec commitments, every genesis and checkpoint proof verified
/// on-chain, each run's proven history, and public flags for every breach of
/// the lab's attestations.
/// @dev Public-input layouts (one source of truth: prover/statement/statement.ts,
/// mirrored by genesisPublicInputs and checkpointPublicInputs):
///   genesis    [specCommitment, lab, runTag, root0, paramCount, flopsPerStep, plannedSteps]
///   checkpoint [runTag, firstStep + 2^64 * flops + 2^160 * beacon, rootBefore, rootAfter, accumulator]
/// runTag = Poseidon("vtr/run/v1", specCommitment, lab) names one run: a lab
/// registers a spec commitment once, and every checkpoint must carry the tag
/// the genesis proof established. The beacon (the low 64 bits of the
/// registration block's prevrandao) is recorded at registration and fixes the
/// data order together with the lab's committed seed.
///
/// Deadlines run on the registry's clock, which stops while the registry is
/// paused: window w after a checkpoint is missed once more than w x
/// checkpointDeadline unpaused seconds have passed without the next one.
///
/// Sampled mode (issue #11): a run registered with registerSampledRun commits
/// each window of K steps as a Merkle root over the leaves (i, r(i)) of the
/// weights roots it reached, instead of proving the window; anyone then draws
/// the window's challenges from a block hash that did not exist at commitment,
/// anyone may pay for more, and the lab answers each challenged step t with a
/// step proof (the family's K = 1 circuit) of r(t) -> r(t+1), both roots
/// opened against the committed windows. For a sampled run `steps` and
/// `cumulativeFlops` count committed steps (the attestations and the
/// designation apply to them); answered challenges are the proven steps. A
/// challenge not answered within the run's response time (unpaused seconds)
/// is flagged ChallengeUnanswered by anyone.
///
/// Roots tree of a window w covering steps [wK, wK + K): leaf at position p
/// (0 <= p < K) = keccak256(bytes.concat(keccak256(abi.encode(uint256 i, uint256 r(i))))) for
/// i = wK + 1 + p; positions K .. 2^D - 1 hold bytes32(0), D = ceil(log2 K);
/// node = keccak256(left || right). Positional: an index has one leaf.
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

    /// @notice Where a challenge of a sampled run stands.
    enum ChallengeState {
        /// The step is not challenged.
        None,
        /// Challenged; the lab may answer until the response time has passed.
        Open,
        /// Answered with a verified step proof: the step is proven.
        Answered,
        /// Not answered in time and flagged.
        Unanswered
    }

    /// @notice A sampled run's terms, public and fixed at registration.
    struct Sampling {
        /// Steps of each committed window drawn for challenge (1 .. min(K, 64), at least the policy's minimum).
        uint16 challengesPerWindow;
        /// Unpaused seconds the lab has to answer a challenge.
        uint32 responseSeconds;
    }

    /// @notice A committed window as its WindowCommitted event names it; storage keeps only its hash.
    struct WindowRef {
        /// The roots tree's Merkle root.
        bytes32 root;
        /// The block the window was committed in.
        uint64 committedBlock;
    }

    /// @notice The lab's answer to the challenge of step t: r(t) and r(t+1) opened, and the step proof.
    struct ChallengeAnswer {
        /// The challenged step t.
        uint64 step;
        /// r(t): the run's root0 when t = 0, else leaf t of window (t - 1) / K.
        uint256 rootBefore;
        /// The window holding leaf t (ignored when t = 0).
        WindowRef windowBefore;
        /// Merkle path of leaf t (empty when t = 0).
        bytes32[] pathBefore;
        /// r(t + 1): leaf t + 1 of window t / K.
        uint256 rootAfter;
        /// The window holding leaf t + 1 (the challenged window).
        WindowRef windowAfter;
        /// Merkle path of leaf t + 1.
        bytes32[] pathAfter;
        /// The step proof's accumulator.
        uint256 accumulator;
    }

    /// @notice A challenge as readers see it.
    struct Challenge {
        /// Where it stands.
        ChallengeState state;
        /// When it was issued (block time; 0: not challenged).
        uint64 issuedAt;
        /// Unpaused seconds since it was issued, now (frozen once answered or flagged: 0).
        uint64 elapsed;
        /// Who paid for it (zero: drawn).
        address challenger;
        /// The fee paid (0: drawn).
        uint128 fee;
    }

    /// @notice A committed window of a sampled run, and its draw.
    struct WindowState {
        /// keccak256(abi.encode(root, committedBlock)) of the window (0: not committed).
        bytes32 commitment;
        /// When its challenges were drawn (0: not yet).
        uint64 drawnAt;
        /// The draw came after the block-hash horizon: every step of the window is challenged.
        bool everyStep;
        /// Paid challenges requested on the window's steps.
        uint16 paidChallenges;
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

    /// @notice A governed circuit family: one model shape and checkpoint size K with its verifiers.
    struct CircuitFamily {
        /// Verifier of the family's genesis proofs.
        IProofVerifier genesisVerifier;
        /// Steps K every checkpoint of the family covers.
        uint32 stepsPerCheckpoint;
        /// Deprecated families accept no new runs (existing runs continue).
        bool deprecated;
        /// Verifier of the family's checkpoint proofs.
        IProofVerifier checkpointVerifier;
        /// Verifier of the family's step proofs (its K = 1 circuit; zero: no sampled runs).
        IProofVerifier stepVerifier;
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
        /// Checkpoint verifier of the run's family (families are never replaced).
        IProofVerifier checkpointVerifier;
        /// Steps K per checkpoint (the family's).
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
        /// The data-order beacon recorded at registration (low 64 bits of that block's prevrandao).
        uint64 beacon;
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
        Sampling sampling;
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
    /// @notice A family with this id exists; families are never replaced.
    /// @param familyId The id.
    error FamilyAlreadyRegistered(bytes32 familyId);
    /// @notice The family is deprecated and accepts no new runs.
    /// @param familyId The id.
    error FamilyIsDeprecated(bytes32 familyId);
    /// @notice A family's K must be 1 to 65,535.
    /// @param stepsPerCheckpoint The K given.
    error InvalidStepsPerCheckpoint(uint32 stepsPerCheckpoint);
    /// @notice A family needs two verifiers with the registry's layouts.
    /// @param verifier The offending verifier.
    /// @param expectedSignals Public signals the registry's layout has.
    /// @param actualSignals Public signals the verifier reports.
    error InvalidFamily(address verifier, uint256 expectedSignals, uint256 actualSignals);
    /// @notice A lab registers a spec commitment once.
    /// @param specCommitment The commitment.
    /// @param runId The lab's run that registered it.
    error SpecAlreadyRegistered(uint256 specCommitment, uint256 runId);
    /// @notice Attestations need a positive checkpoint deadline.
    error ZeroCheckpointDeadline();
    /// @notice A plan must have at least one checkpoint, a whole number of them, and fewer than 2^32 steps.
    /// @param plannedSteps The planned steps of the genesis facts.
    /// @param stepsPerCheckpoint The family's K.
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
    /// @notice The call is for sampled runs and this run proves every step.
    /// @param runId The run.
    error NotSampledRun(uint256 runId);
    /// @notice A sampled run commits windows; it submits no checkpoints.
    /// @param runId The run.
    error RunIsSampled(uint256 runId);
    /// @notice The family has no step verifier: it accepts no sampled runs.
    /// @param familyId The family.
    error FamilyCannotSample(bytes32 familyId);
    /// @notice Sampling terms need 1 .. min(K, 64) challenges per window, at least the policy's minimum,
    /// and a positive response time.
    /// @param challengesPerWindow The challenges asked for.
    /// @param responseSeconds The response time asked for.
    /// @param minimum The policy's minimum challenges per window.
    /// @param maximum The most a window of this family allows.
    error InvalidSampling(uint16 challengesPerWindow, uint32 responseSeconds, uint16 minimum, uint16 maximum);
    /// @notice The window does not start at the run's committed steps.
    /// @param runId The run.
    /// @param expected The run's committed steps.
    /// @param given The window's first step.
    error WindowOutOfOrder(uint256 runId, uint64 expected, uint64 given);
    /// @notice A Merkle path does not open the roots tree at this leaf.
    /// @param runId The run.
    /// @param index The leaf's step index i (its root is r(i)).
    error InvalidRootPath(uint256 runId, uint64 index);
    /// @notice The window is not committed, or not as the reference says.
    /// @param runId The run.
    /// @param window The window.
    error UnknownWindow(uint256 runId, uint64 window);
    /// @notice The draw's block does not exist yet.
    /// @param runId The run.
    /// @param window The window.
    /// @param seedBlock The block whose hash seeds the draw.
    /// @param blockNumber The current block.
    error DrawTooEarly(uint256 runId, uint64 window, uint64 seedBlock, uint256 blockNumber);
    /// @notice The window's challenges are drawn already.
    /// @param runId The run.
    /// @param window The window.
    error ChallengesAlreadyDrawn(uint256 runId, uint64 window);
    /// @notice The step is not committed yet.
    /// @param runId The run.
    /// @param step The step.
    /// @param committed The run's committed steps.
    error StepNotCommitted(uint256 runId, uint64 step, uint64 committed);
    /// @notice The step is challenged already.
    /// @param runId The run.
    /// @param step The step.
    error StepAlreadyChallenged(uint256 runId, uint64 step);
    /// @notice Paid challenges are off (the policy's fee is zero).
    error PaidChallengesDisabled();
    /// @notice A paid challenge must send exactly the policy's fee.
    /// @param fee The fee in force.
    /// @param sent The value sent.
    error WrongChallengeFee(uint256 fee, uint256 sent);
    /// @notice The step has no open challenge.
    /// @param runId The run.
    /// @param step The step.
    /// @param state Its challenge's state.
    error ChallengeNotOpen(uint256 runId, uint64 step, ChallengeState state);
    /// @notice The response time has passed: the challenge can only be flagged.
    /// @param runId The run.
    /// @param step The step.
    /// @param elapsed Unpaused seconds since the challenge.
    /// @param responseSeconds The run's response time.
    error AnswerTooLate(uint256 runId, uint64 step, uint64 elapsed, uint32 responseSeconds);
    /// @notice The response time has not passed yet.
    /// @param runId The run.
    /// @param step The step.
    /// @param elapsed Unpaused seconds since the challenge.
    /// @param responseSeconds The run's response time.
    error ChallengeNotExpired(uint256 runId, uint64 step, uint64 elapsed, uint32 responseSeconds);
    /// @notice The step proof does not verify for this run, step and roots.
    /// @param runId The run.
    /// @param step The step.
    error InvalidStepProof(uint256 runId, uint64 step);
    /// @notice The account has nothing to withdraw.
    /// @param account The account.
    error NothingToWithdraw(address account);
    /// @notice Sending the withdrawal failed.
    /// @param account The account.
    /// @param amount The amount.
    error WithdrawalFailed(address account, uint256 amount);

    /// @notice The policy role registered a circuit family.
    /// @param familyId The family's id.
    /// @param genesisVerifier Verifier of its genesis proofs.
    /// @param checkpointVerifier Verifier of its checkpoint proofs.
    /// @param stepsPerCheckpoint Steps K per checkpoint.
    /// @param description What the family is (model shape, dataset, K).
    event CircuitFamilyRegistered(
        bytes32 indexed familyId,
        IProofVerifier genesisVerifier,
        IProofVerifier checkpointVerifier,
        uint32 stepsPerCheckpoint,
        string description
    );
    /// @notice The policy role deprecated a circuit family: no new runs use it.
    /// @param familyId The family's id.
    /// @param by The policy account.
    event CircuitFamilyDeprecated(bytes32 indexed familyId, address indexed by);
    /// @notice The policy role set the designation threshold.
    /// @param previous The former threshold (0: none).
    /// @param threshold The new threshold in FLOPs (0: none).
    event DesignationThresholdSet(uint256 previous, uint256 threshold);
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
    /// @notice The policy role set the sampled-mode policy.
    /// @param minChallengesPerWindow Fewest challenges per window a sampled run may choose.
    /// @param challengeFee Fee of a paid challenge in wei (0: paid challenges off).
    event SamplingPolicySet(uint16 minChallengesPerWindow, uint128 challengeFee);
    /// @notice The run registered in sampled mode with these terms.
    /// @param runId The run.
    /// @param challengesPerWindow Steps of each window drawn for challenge.
    /// @param responseSeconds Unpaused seconds the lab has to answer a challenge.
    event RunSampled(uint256 indexed runId, uint16 challengesPerWindow, uint32 responseSeconds);
    /// @notice The lab committed a window of a sampled run: its steps are committed, not proven. The
    /// window's reference (WindowRef) is its root and this event's block; it covers K steps from firstStep.
    /// @param runId The run.
    /// @param lab The run's lab.
    /// @param window The window (firstStep / K).
    /// @param firstStep First step of the window.
    /// @param root The roots tree's Merkle root.
    /// @param rootAfter Weights root after the window.
    /// @param cumulativeFlops Cumulative committed FLOPs.
    event WindowCommitted(
        uint256 indexed runId,
        address indexed lab,
        uint64 window,
        uint64 firstStep,
        bytes32 root,
        uint256 rootAfter,
        uint128 cumulativeFlops
    );
    /// @notice A window's challenges were drawn.
    /// @param runId The run.
    /// @param window The window.
    /// @param seedBlock The block whose hash seeded the draw.
    /// @param seed keccak256(abi.encode(window root, blockhash(seedBlock))) (0 when everyStep).
    /// @param steps The challenged steps newly issued (a step challenged already is not repeated).
    /// @param everyStep The seed block was past the block-hash horizon: every step is challenged.
    /// @param drawer Who called the draw.
    event ChallengesDrawn(
        uint256 indexed runId,
        uint64 indexed window,
        uint64 seedBlock,
        bytes32 seed,
        uint64[] steps,
        bool everyStep,
        address drawer
    );
    /// @notice Someone paid to challenge a committed step.
    /// @param runId The run.
    /// @param step The step.
    /// @param challenger Who paid.
    /// @param fee The fee paid.
    event ChallengeRequested(uint256 indexed runId, uint64 indexed step, address indexed challenger, uint128 fee);
    /// @notice The lab answered a challenge with a verified step proof: the step is proven.
    /// @param runId The run.
    /// @param step The step.
    /// @param lab The run's lab.
    /// @param rootBefore r(step).
    /// @param rootAfter r(step + 1).
    /// @param accumulator The step proof's accumulator.
    /// @param feeToLab The paid challenge's fee, credited to the lab (0: drawn).
    event ChallengeAnswered(
        uint256 indexed runId,
        uint64 indexed step,
        address indexed lab,
        uint256 rootBefore,
        uint256 rootAfter,
        uint256 accumulator,
        uint128 feeToLab
    );
    /// @notice An unanswered paid challenge's fee was credited back to its challenger.
    /// @param runId The run.
    /// @param step The step.
    /// @param challenger The challenger.
    /// @param fee The fee.
    event ChallengeFeeRefunded(uint256 indexed runId, uint64 indexed step, address indexed challenger, uint128 fee);
    /// @notice An account withdrew its credit.
    /// @param account The account.
    /// @param amount Wei sent.
    event Withdrawn(address indexed account, uint256 amount);
    /// @notice The lab closed the run: no more checkpoints, no more deadlines.
    /// @param runId The run.
    /// @param lab The run's lab.
    /// @param steps Proven steps.
    /// @param cumulativeFlops Cumulative proven FLOPs.
    event RunClosed(uint256 indexed runId, address indexed lab, uint64 steps, uint128 cumulativeFlops);

    /// @notice Registers a circuit family. Policy role only (a timelock: see the README); an existing id reverts.
    /// @param familyId The family's id (e.g. keccak256 of its name).
    /// @param genesisVerifier Verifier of genesis proofs (7 public signals).
    /// @param checkpointVerifier Verifier of checkpoint proofs (5 public signals).
    /// @param stepsPerCheckpoint Steps K per checkpoint (> 0).
    /// @param stepVerifier Verifier of the family's step proofs, K = 1 (5 public signals; zero: no sampled runs).
    /// @param description What the family is.
    function registerFamily(
        bytes32 familyId,
        IProofVerifier genesisVerifier,
        IProofVerifier checkpointVerifier,
        uint32 stepsPerCheckpoint,
        IProofVerifier stepVerifier,
        string calldata description
    ) external;

    /// @notice Sets the sampled-mode policy. Policy role only.
    /// @param minChallengesPerWindow Fewest challenges per window a new sampled run may choose (0 counts as 1).
    /// @param challengeFee Fee of a paid challenge in wei (0: paid challenges off).
    function setSamplingPolicy(uint16 minChallengesPerWindow, uint128 challengeFee) external;

    /// @notice Deprecates a circuit family: it accepts no new runs. Policy role only.
    /// @param familyId The family's id.
    function deprecateFamily(bytes32 familyId) external;

    /// @notice Sets the compute threshold above which runs are designated (0: none). Policy role only: a
    /// timelock, so every change is announced (scheduled publicly) a delay before it applies.
    /// @param threshold FLOPs.
    function setDesignationThreshold(uint256 threshold) external;

    /// @notice Registers a run: the caller becomes its lab. Verifies the genesis
    /// proof for (specCommitment, caller, facts), refuses a plan that is not a
    /// positive multiple of the family's K, records the data-order beacon, then
    /// flags at once any planned breach of the attestations.
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

    /// @notice Registers a run in sampled mode: as registerRun, with the sampling terms; the family
    /// needs a step verifier. Its windows are committed with commitWindow, not proven.
    /// @param familyId The run's circuit family.
    /// @param specCommitment Commitment to the private spec (registered once).
    /// @param attestations The lab's public attestations (the deadline applies to window commitments).
    /// @param sampling Challenges per window and response time.
    /// @param facts The genesis proof's public facts.
    /// @param proof The packed genesis proof.
    /// @return runId The new run's id.
    function registerSampledRun(
        bytes32 familyId,
        uint256 specCommitment,
        Attestations calldata attestations,
        Sampling calldata sampling,
        GenesisFacts calldata facts,
        uint256[8] calldata proof
    ) external returns (uint256 runId);

    /// @notice Commits the sampled run's next window of K steps. Lab only. Checks that it starts at the
    /// committed steps and that rootAfter is the tree's last leaf, stores the window, counts its K
    /// steps and FLOPs as committed, flags missed deadline windows, then checks the attestations.
    /// @param runId The run.
    /// @param firstStep First step of the window: must equal the run's committed steps.
    /// @param root Merkle root of the window's roots tree.
    /// @param rootAfter Weights root after the window's last step, r(firstStep + K).
    /// @param endPath Merkle path of rootAfter's leaf (position K - 1): D siblings, bottom up.
    function commitWindow(
        uint256 runId,
        uint64 firstStep,
        bytes32 root,
        uint256 rootAfter,
        bytes32[] calldata endPath
    ) external;

    /// @notice Draws a committed window's challenges: challengesPerWindow distinct steps from
    /// keccak256(abi.encode(window root, blockhash(committedBlock + DRAW_DELAY_BLOCKS))). Anyone may
    /// call, once, from the block after the seed block. Past the block-hash horizon (256 blocks) the
    /// seed is gone: every step of the window is challenged instead, so waiting cannot re-roll a draw.
    /// @param runId The run.
    /// @param window The window.
    /// @param ref The window's root and block, as committed.
    /// @return steps The challenged steps newly issued.
    function drawChallenges(
        uint256 runId,
        uint64 window,
        WindowRef calldata ref
    ) external returns (uint64[] memory steps);

    /// @notice Challenges a committed step of a sampled run for the policy's fee. Anyone may; the fee
    /// goes to the lab if it answers in time, back to the challenger (with the violation) if not.
    /// @param runId The run.
    /// @param step The step (its transition r(step) -> r(step + 1)).
    function requestChallenge(uint256 runId, uint64 step) external payable;

    /// @notice Answers an open challenge with a step proof. Lab only, within the response time.
    /// @param runId The run.
    /// @param answer The roots, their paths and the accumulator.
    /// @param proof The packed step proof (the family's K = 1 circuit).
    function answerChallenge(uint256 runId, ChallengeAnswer calldata answer, uint256[8] calldata proof) external;

    /// @notice Flags an open challenge whose response time has passed. Anyone may, once; the caller is recorded.
    /// @param runId The run.
    /// @param step The challenged step.
    function flagUnansweredChallenge(uint256 runId, uint64 step) external;

    /// @notice Sends the caller its credit (fees of answered or unanswered paid challenges).
    function withdraw() external;

    /// @notice Submits the run's next checkpoint. Lab only. Checks the chain,
    /// verifies the proof (with the run's tag and beacon), writes the new state,
    /// flags every deadline window missed since the last checkpoint and not yet
    /// flagged, then checks the attestations. The checkpoint that proves the
    /// last planned step completes the run.
    /// @param runId The run.
    /// @param claim The checkpoint's chain link and result.
    /// @param proof The packed checkpoint proof.
    function submitCheckpoint(uint256 runId, CheckpointClaim calldata claim, uint256[8] calldata proof) external;

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

    /// @notice A sampled run's challenge of a step.
    /// @param runId The run.
    /// @param step The step.
    /// @return challenge Its state, issue time, unpaused seconds since, challenger and fee.
    function getChallenge(uint256 runId, uint64 step) external view returns (Challenge memory challenge);

    /// @notice A sampled run's window.
    /// @param runId The run.
    /// @param window The window.
    /// @return state Its commitment hash and its draw.
    function getWindow(uint256 runId, uint64 window) external view returns (WindowState memory state);

    /// @notice The sampled-mode policy.
    /// @return minChallengesPerWindow Fewest challenges per window.
    /// @return challengeFee Fee of a paid challenge in wei (0: off).
    function samplingPolicy() external view returns (uint16 minChallengesPerWindow, uint128 challengeFee);

    /// @notice An account's withdrawable credit.
    /// @param account The account.
    /// @return amount Wei.
    function creditOf(address account) external view returns (uint256 amount);

    /// @notice The challenged offsets (0 .. windowSteps - 1) a seed selects: `count` distinct ones,
    /// uniformly among all subsets (Floyd's algorithm over keccak256(abi.encode(seed, j))).
    /// @param seed The draw's seed.
    /// @param windowSteps Steps per window K.
    /// @param count Challenges per window (<= K).
    /// @return offsets The offsets, in draw order.
    function challengeOffsets(
        bytes32 seed,
        uint64 windowSteps,
        uint16 count
    ) external pure returns (uint64[] memory offsets);

    /// @notice A roots-tree leaf: keccak256(bytes.concat(keccak256(abi.encode(index, root)))).
    /// @param index The step index i.
    /// @param root The weights root r(i).
    /// @return leaf The leaf.
    function rootLeaf(uint64 index, uint256 root) external pure returns (bytes32 leaf);

    /// @notice A circuit family.
    /// @param familyId The id.
    /// @return family The family (reverts for an unknown id).
    function getFamily(bytes32 familyId) external view returns (CircuitFamily memory family);

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

    /// @notice The genesis public inputs, in the circuit's order.
    /// @param specCommitment The spec commitment.
    /// @param lab The registering lab.
    /// @param facts The genesis facts.
    /// @return inputs [specCommitment, lab, runTag, root0, paramCount, flopsPerStep, plannedSteps].
    function genesisPublicInputs(
        uint256 specCommitment,
        address lab,
        GenesisFacts calldata facts
    ) external pure returns (uint256[] memory inputs);

    /// @notice The checkpoint public inputs, in the circuit's order.
    /// @param runTag The run's tag.
    /// @param flops FLOPs of the covered steps (< 2^96).
    /// @param beacon The run's beacon.
    /// @param claim The checkpoint claim.
    /// @return inputs [runTag, firstStep + 2^64 * flops + 2^160 * beacon, rootBefore, rootAfter, accumulator].
    function checkpointPublicInputs(
        uint256 runTag,
        uint96 flops,
        uint64 beacon,
        CheckpointClaim calldata claim
    ) external pure returns (uint256[] memory inputs);
}
