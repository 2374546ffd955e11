// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ITrainingRegistry} from "../registry/ITrainingRegistry.sol";

/// @title ISampledMode
/// @author Verifiable training registry
/// @notice Sampled mode (issues #11, #24): a run registered with registerSampledRun commits each window
/// of W steps (its own window length, 1 .. 1,024, independent of the family's K) as a Merkle root over
/// the leaves (i, r(i)) of the weights roots it reached, instead of proving the window; anyone then draws
/// the window's challenges from a block hash that did not exist at commitment, anyone may pay for more,
/// and the lab answers each challenged step t with a step proof (the family's K = 1 circuit) of
/// r(t) -> r(t+1), both roots opened against the committed windows. For a sampled run `steps` and
/// `cumulativeFlops` count committed steps (the attestations and the designation apply to them);
/// answered challenges are the proven steps.
///
/// Deadlines of challenges queue: a challenge issued when the run's last deadline is D and the registry's
/// clock reads now is due at max(now, D) + responseSeconds, and becomes the run's last deadline (a draw
/// issues its challenges one after another in draw order). So a lab that proves and lands one answer per
/// responseSeconds of the registry's clock, earliest deadline first, is never flagged however many
/// challenges anyone pays for; a flood only delays later deadlines. The registry's clock counts unpaused
/// seconds only. A challenge past its deadline is flagged ChallengeUnanswered by anyone.
///
/// Draws are allowed while the registry is paused (they verify nothing and move no clock), so a pause
/// never changes which steps are challenged or how many: the block-hash horizon is the same with or
/// without one. Past the horizon (a window nobody drew within 256 blocks of its seed block) every step
/// of the window is challenged, so that waiting can never re-roll a draw; the lab's tools draw each
/// window as soon as its seed block exists.
///
/// Roots tree of a window w covering steps [wW, wW + W): leaf at position p (0 <= p < W) =
/// keccak256(bytes.concat(keccak256(abi.encode(uint256 i, uint256 r(i))))) for i = wW + 1 + p;
/// positions W .. 2^D - 1 hold bytes32(0), D = ceil(log2 W); node = keccak256(left || right).
/// Positional: an index has one leaf.
interface ISampledMode {
    /// @notice Where a challenge of a sampled run stands.
    enum ChallengeState {
        /// The step is not challenged.
        None,
        /// Challenged; the lab may answer until its deadline.
        Open,
        /// Answered with a verified step proof: the step is proven.
        Answered,
        /// Not answered in time and flagged.
        Unanswered
    }

    /// @notice A sampled run's terms, public and fixed at registration.
    struct Sampling {
        /// Steps of each committed window drawn for challenge (1 .. min(W, 64), at least the policy's minimum).
        uint16 challengesPerWindow;
        /// Unpaused seconds the lab takes to answer one challenge (within the policy's bounds).
        uint32 responseSeconds;
        /// Steps W of every window (1 .. 1,024); the planned steps are a multiple of it.
        uint16 windowSteps;
    }

    /// @notice The sampled-mode policy, set by the policy role.
    struct SamplingPolicy {
        /// Fewest challenges per window a new sampled run may choose (1 .. 64).
        uint16 minChallengesPerWindow;
        /// Fee of a paid challenge in wei (0: paid challenges off; else at least MIN_CHALLENGE_FEE).
        uint128 challengeFee;
        /// Shortest response time a new sampled run may choose (seconds, >= 1).
        uint32 minResponseSeconds;
        /// Longest response time a new sampled run may choose (seconds, <= MAX_RESPONSE_SECONDS).
        uint32 maxResponseSeconds;
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
        /// r(t): the run's root0 when t = 0, else leaf t of window (t - 1) / W.
        uint256 rootBefore;
        /// The window holding leaf t (ignored when t = 0).
        WindowRef windowBefore;
        /// Merkle path of leaf t (empty when t = 0).
        bytes32[] pathBefore;
        /// r(t + 1): leaf t + 1 of window t / W.
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
        /// Unpaused seconds since it was issued, now (frozen at 0 once answered or flagged).
        uint64 elapsed;
        /// Unpaused seconds from its issue to its deadline (responseSeconds, more behind a queue).
        uint64 allowedSeconds;
        /// Who paid for it (zero: drawn).
        address challenger;
        /// The fee paid (0: drawn).
        uint128 fee;
        /// A chunked window's challenge (IChunkedSteps): 0 asks for every chunk of the step (paid challenges,
        /// windows drawn past the horizon, and every unchunked run), c >= 1 for tile c - 1 with the link.
        uint16 chunk;
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

    /// @notice The call is for sampled runs and this run proves every step.
    /// @param runId The run.
    error NotSampledRun(uint256 runId);
    /// @notice The family has no step verifier: it accepts no sampled runs.
    /// @param familyId The family.
    error FamilyCannotSample(bytes32 familyId);
    /// @notice Sampling terms need a window of 1 .. 1,024 steps, 1 .. min(W, 64) challenges per window
    /// and at least the policy's minimum, and a response time within the policy's bounds.
    /// @param challengesPerWindow The challenges asked for.
    /// @param responseSeconds The response time asked for.
    /// @param windowSteps The window length asked for.
    error InvalidSampling(uint16 challengesPerWindow, uint32 responseSeconds, uint16 windowSteps);
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
    /// @notice The challenge's deadline has passed: it can only be flagged.
    /// @param runId The run.
    /// @param step The step.
    /// @param elapsed Unpaused seconds since the challenge.
    /// @param allowedSeconds Unpaused seconds it allowed.
    error AnswerTooLate(uint256 runId, uint64 step, uint64 elapsed, uint64 allowedSeconds);
    /// @notice The challenge's deadline has not passed yet.
    /// @param runId The run.
    /// @param step The step.
    /// @param elapsed Unpaused seconds since the challenge.
    /// @param allowedSeconds Unpaused seconds it allows.
    error ChallengeNotExpired(uint256 runId, uint64 step, uint64 elapsed, uint64 allowedSeconds);
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
    /// @notice The sampled-mode module runs only inside the registry (through delegatecall).
    error NotDelegated();
    /// @notice Sampled mode is paused with the registry (draws and withdrawals are not).
    error SampledModePaused();

    /// @notice The run registered in sampled mode with these terms.
    /// @param runId The run.
    /// @param challengesPerWindow Steps of each window drawn for challenge.
    /// @param responseSeconds Unpaused seconds the lab takes to answer one challenge.
    /// @param windowSteps Steps W per window.
    event RunSampled(uint256 indexed runId, uint16 challengesPerWindow, uint32 responseSeconds, uint16 windowSteps);
    /// @notice The lab committed a window of a sampled run: its steps are committed, not proven. The
    /// window's reference (WindowRef) is its root and this event's block; it covers W steps from firstStep.
    /// @param runId The run.
    /// @param lab The run's lab.
    /// @param window The window (firstStep / W).
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

    /// @notice A window's draw is seeded by the hash of the block this many blocks after its commitment.
    /// @return blocks The delay in blocks.
    function DRAW_DELAY_BLOCKS() external view returns (uint64 blocks);

    /// @notice Longest window W a sampled run may choose.
    /// @return steps The bound.
    function MAX_WINDOW_STEPS() external view returns (uint16 steps);

    /// @notice Most challenges a window may draw (bounds the draw's gas; also the policy minimum's ceiling).
    /// @return count The bound.
    function MAX_CHALLENGES_PER_WINDOW() external view returns (uint16 count);

    /// @notice Smallest paid-challenge fee the policy may set when paid challenges are on.
    /// @return fee 10^12 wei.
    function MIN_CHALLENGE_FEE() external view returns (uint128 fee);

    /// @notice Longest response time the policy may allow.
    /// @return seconds_ 30 days.
    function MAX_RESPONSE_SECONDS() external view returns (uint32 seconds_);

    /// @notice Registers a run in sampled mode: as registerRun, with the sampling terms; the family needs
    /// a step verifier, and the planned steps must be a positive multiple of the window length W.
    /// @param familyId The run's circuit family.
    /// @param specCommitment Commitment to the private spec (registered once).
    /// @param attestations The lab's public attestations (the deadline applies to window commitments).
    /// @param sampling Challenges per window, response time and window length.
    /// @param facts The genesis proof's public facts.
    /// @param proof The packed genesis proof.
    /// @return runId The new run's id.
    function registerSampledRun(
        bytes32 familyId,
        uint256 specCommitment,
        ITrainingRegistry.Attestations calldata attestations,
        Sampling calldata sampling,
        ITrainingRegistry.GenesisFacts calldata facts,
        uint256[8] calldata proof
    ) external returns (uint256 runId);

    /// @notice Draws a committed window's challenges: challengesPerWindow distinct steps from
    /// keccak256(abi.encode(window root, blockhash(committedBlock + DRAW_DELAY_BLOCKS))). Anyone may
    /// call, once, from the block after the seed block, paused or not. Past the block-hash horizon
    /// (256 blocks) the seed is gone: every step of the window is challenged instead.
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

    /// @notice Answers an open challenge with a step proof. Lab only, by the challenge's deadline.
    /// @param runId The run.
    /// @param answer The roots, their paths and the accumulator.
    /// @param proof The packed step proof (the family's K = 1 circuit).
    function answerChallenge(uint256 runId, ChallengeAnswer calldata answer, uint256[8] calldata proof) external;

    /// @notice Flags an open challenge whose deadline has passed. Anyone may, once; the caller is recorded.
    /// @param runId The run.
    /// @param step The challenged step.
    function flagUnansweredChallenge(uint256 runId, uint64 step) external;

    /// @notice Sends the caller its credit (fees of answered or unanswered paid challenges).
    function withdraw() external;

    /// @notice A sampled run's challenge of a step.
    /// @param runId The run.
    /// @param step The step.
    /// @return challenge Its state, issue time, unpaused seconds since and allowed, challenger and fee.
    function getChallenge(uint256 runId, uint64 step) external view returns (Challenge memory challenge);

    /// @notice A sampled run's window.
    /// @param runId The run.
    /// @param window The window.
    /// @return state Its commitment hash and its draw.
    function getWindow(uint256 runId, uint64 window) external view returns (WindowState memory state);

    /// @notice An account's withdrawable credit.
    /// @param account The account.
    /// @return amount Wei.
    function creditOf(address account) external view returns (uint256 amount);

    /// @notice The challenged offsets (0 .. windowSteps - 1) a seed selects: `count` distinct ones,
    /// uniformly among all subsets (Floyd's algorithm over keccak256(abi.encode(seed, j))).
    /// @param seed The draw's seed.
    /// @param windowSteps Steps per window W.
    /// @param count Challenges per window (<= W).
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

    /// @notice The sampled-mode policy in force.
    /// @return policy The policy.
    function samplingPolicy() external view returns (SamplingPolicy memory policy);
}
