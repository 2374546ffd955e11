// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
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
/// closes and flags, and paused time never counts against a deadline or a
/// response time. Fees of paid challenges are credited and withdrawn (pull
/// payments); withdrawals work while paused.
contract TrainingRegistry is ITrainingRegistry, AccessControlDefaultAdminRules, Pausable, ReentrancyGuard {
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
    uint256 private constant _KINDS = 6;
    /// @notice A window's draw is seeded by the hash of the block this many blocks after its commitment.
    uint64 public constant DRAW_DELAY_BLOCKS = 2;
    /// @notice Most challenges a window may draw (bounds the draw's gas).
    uint16 public constant MAX_CHALLENGES_PER_WINDOW = 64;
    /// @dev blockhash(n) is available for the 256 most recent blocks only.
    uint256 private constant _BLOCKHASH_HORIZON = 256;

    /// @dev A run in storage, packed so that a clean submission reads six
    /// slots and writes two (root; steps, plan, time and FLOPs), and a window
    /// commitment reads five: K fits 16 bits and the plan, so the steps, 32
    /// (both checked on the way in). The violation counters (24
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
        bool sampled;
        IProofVerifier checkpointVerifier;
        uint64 beacon;
        uint256 runTag;
        Attestations attestations;
        // Read and written by every submission.
        uint256 root;
        uint32 steps;
        uint32 plannedSteps;
        uint64 lastCheckpointAt;
        uint128 cumulativeFlops;
        // Read and written only when a flag is raised or the run is designated.
        uint144 violations; // six 24-bit counters, ViolationKind k at bits 24k .. 24k + 23
        uint32 flaggedWindows;
        uint40 registeredAt;
        uint40 designatedAt;
        // Views, reassessments and the sampled mode's draws and answers.
        uint64 paramCount;
        bool projectedToCross;
        uint16 challengesPerWindow;
        uint32 responseSeconds;
        uint32 challenged;
        uint32 answered;
        // Views and answers.
        bytes32 familyId;
        uint256 specCommitment;
        uint256 root0;
    }

    /// @dev A window of a sampled run: one slot written at commitment (the hash of its root and
    /// block), one by its draw and the paid challenges on it.
    struct WindowRecord {
        bytes32 commitment;
        uint64 drawnAt;
        bool everyStep;
        uint16 paidChallenges;
    }

    /// @dev A challenge: one slot, and a second for a paid one's fee.
    struct ChallengeRecord {
        ChallengeState state;
        uint40 issuedAt;
        address challenger;
        uint128 fee;
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
    mapping(uint256 runId => mapping(uint64 window => WindowRecord record)) private _windows;
    mapping(uint256 runId => mapping(uint64 step => ChallengeRecord challenge)) private _challenges;
    mapping(address account => uint256 amount) private _credits;
    Pause[] private _pauses;
    uint256 private _runCount;
    // One slot, read by every submission: the threshold and the pause clock.
    uint128 private _designationThreshold;
    uint64 private _pausedAt;
    uint64 private _lastUnpausedAt;
    uint16 private _minChallengesPerWindow;
    uint128 private _challengeFee;

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
        IProofVerifier stepVerifier,
        string calldata description
    ) external onlyRole(POLICY_ROLE) {
        if (address(_families[familyId].genesisVerifier) != address(0)) revert FamilyAlreadyRegistered(familyId);
        _requireLayout(genesisVerifier, GENESIS_SIGNALS);
        _requireLayout(checkpointVerifier, CHECKPOINT_SIGNALS);
        if (address(stepVerifier) != address(0)) _requireLayout(stepVerifier, CHECKPOINT_SIGNALS);
        if (stepsPerCheckpoint == 0 || stepsPerCheckpoint > type(uint16).max) {
            revert InvalidStepsPerCheckpoint(stepsPerCheckpoint);
        }
        _families[familyId] = CircuitFamily({
            genesisVerifier: genesisVerifier,
            stepsPerCheckpoint: stepsPerCheckpoint,
            deprecated: false,
            checkpointVerifier: checkpointVerifier,
            stepVerifier: stepVerifier
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

    /// @inheritdoc ITrainingRegistry
    function setSamplingPolicy(uint16 minChallengesPerWindow, uint128 challengeFee) external onlyRole(POLICY_ROLE) {
        _minChallengesPerWindow = minChallengesPerWindow;
        _challengeFee = challengeFee;
        emit SamplingPolicySet(minChallengesPerWindow, challengeFee);
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
        (runId, ) = _registerRun(familyId, specCommitment, attestations, facts, proof);
        _checkPlan(runId, _runs[runId], attestations, facts);
    }

    /// @inheritdoc ITrainingRegistry
    function registerSampledRun(
        bytes32 familyId,
        uint256 specCommitment,
        Attestations calldata attestations,
        Sampling calldata sampling,
        GenesisFacts calldata facts,
        uint256[8] calldata proof
    ) external whenNotPaused returns (uint256 runId) {
        CircuitFamily storage family = _family(familyId);
        if (address(family.stepVerifier) == address(0)) revert FamilyCannotSample(familyId);
        uint16 minimum = _minChallengesPerWindow == 0 ? 1 : _minChallengesPerWindow;
        uint32 k = family.stepsPerCheckpoint;
        uint16 maximum = k < MAX_CHALLENGES_PER_WINDOW ? uint16(k) : MAX_CHALLENGES_PER_WINDOW;
        uint16 s = sampling.challengesPerWindow;
        if (s < minimum || s > maximum || sampling.responseSeconds == 0) {
            revert InvalidSampling(s, sampling.responseSeconds, minimum, maximum);
        }
        RunState storage run;
        (runId, run) = _registerRun(familyId, specCommitment, attestations, facts, proof);
        run.sampled = true;
        run.challengesPerWindow = s;
        run.responseSeconds = sampling.responseSeconds;
        emit RunSampled(runId, s, sampling.responseSeconds);
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
        if (run.sampled) revert RunIsSampled(runId);
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
        RunState storage run = _activeRun(runId);
        if (msg.sender != run.lab) revert NotRunLab(runId, msg.sender);
        if (!run.sampled) revert NotSampledRun(runId);
        uint64 steps = run.steps;
        if (firstStep != steps) revert WindowOutOfOrder(runId, steps, firstStep);
        uint32 k = run.stepsPerCheckpoint;
        uint64 last = steps + k;
        if (_rootsTreeRoot(rootLeaf(last, rootAfter), k - 1, k, endPath) != root) {
            revert InvalidRootPath(runId, last);
        }
        // Write: the window, then the run as a checkpoint of committed (not proven) steps.
        uint64 window = steps / k;
        _windows[runId][window].commitment = keccak256(abi.encode(root, uint64(block.number)));
        _flagMissedWindows(runId, run, steps);
        uint96 flops = uint96(k) * run.flopsPerStep;
        uint128 cumulative = run.cumulativeFlops + flops;
        run.root = rootAfter;
        run.steps = uint32(last);
        run.lastCheckpointAt = _now();
        run.cumulativeFlops = cumulative;
        emit WindowCommitted(runId, msg.sender, window, steps, root, rootAfter, cumulative);
        _checkAttestations(runId, run, last, cumulative);
    }

    /// @inheritdoc ITrainingRegistry
    function drawChallenges(
        uint256 runId,
        uint64 window,
        WindowRef calldata ref
    ) external whenNotPaused returns (uint64[] memory steps) {
        RunState storage run = _sampledRun(runId);
        WindowRecord storage w = _committedWindow(runId, window, ref);
        if (w.drawnAt != 0) revert ChallengesAlreadyDrawn(runId, window);
        uint64 seedBlock = ref.committedBlock + DRAW_DELAY_BLOCKS;
        if (block.number <= seedBlock) revert DrawTooEarly(runId, window, seedBlock, block.number);
        uint64 k = run.stepsPerCheckpoint;
        uint64 first = window * k;
        uint64 time = _now();
        w.drawnAt = time;
        bytes32 seed;
        uint32 issued;
        if (block.number - seedBlock > _BLOCKHASH_HORIZON) {
            // The seed is gone: a later draw would be a new roll, so every step is challenged instead.
            w.everyStep = true;
            issued = uint32(k) - w.paidChallenges;
        } else {
            seed = keccak256(abi.encode(ref.root, blockhash(seedBlock)));
            uint64[] memory offsets = challengeOffsets(seed, k, run.challengesPerWindow);
            // A step challenged already (paid) keeps its challenge: count the new ones, then issue them.
            mapping(uint64 step => ChallengeRecord challenge) storage challenges = _challenges[runId];
            for (uint256 j = 0; j < offsets.length; ++j) {
                if (challenges[first + offsets[j]].state == ChallengeState.None) ++issued;
            }
            steps = new uint64[](issued);
            uint256 n = 0;
            for (uint256 j = 0; j < offsets.length; ++j) {
                uint64 step = first + offsets[j];
                ChallengeRecord storage c = challenges[step];
                if (c.state != ChallengeState.None) continue;
                c.state = ChallengeState.Open;
                c.issuedAt = uint40(time);
                steps[n] = step;
                ++n;
            }
        }
        run.challenged += issued;
        emit ChallengesDrawn(runId, window, seedBlock, seed, steps, w.everyStep, msg.sender);
    }

    /// @inheritdoc ITrainingRegistry
    function requestChallenge(uint256 runId, uint64 step) external payable whenNotPaused {
        RunState storage run = _sampledRun(runId);
        uint128 fee = _challengeFee;
        if (fee == 0) revert PaidChallengesDisabled();
        if (msg.value != fee) revert WrongChallengeFee(fee, msg.value);
        uint64 committed = run.steps;
        if (step >= committed) revert StepNotCommitted(runId, step, committed);
        WindowRecord storage w = _windows[runId][step / run.stepsPerCheckpoint];
        ChallengeRecord storage c = _challenges[runId][step];
        if (c.state != ChallengeState.None || w.everyStep) revert StepAlreadyChallenged(runId, step);
        c.state = ChallengeState.Open;
        c.issuedAt = uint40(_now());
        c.challenger = msg.sender;
        c.fee = fee;
        ++w.paidChallenges;
        ++run.challenged;
        emit ChallengeRequested(runId, step, msg.sender, fee);
    }

    /// @inheritdoc ITrainingRegistry
    function answerChallenge(
        uint256 runId,
        ChallengeAnswer calldata answer,
        uint256[8] calldata proof
    ) external whenNotPaused {
        RunState storage run = _sampledRun(runId);
        if (msg.sender != run.lab) revert NotRunLab(runId, msg.sender);
        uint64 t = answer.step;
        (ChallengeRecord storage c, ChallengeState state, uint64 issuedAt) = _challenge(runId, run, t);
        if (state != ChallengeState.Open) revert ChallengeNotOpen(runId, t, state);
        uint64 elapsed = _unpausedSince(issuedAt, _now());
        if (elapsed > run.responseSeconds) revert AnswerTooLate(runId, t, elapsed, run.responseSeconds);
        // Both roots open against the committed windows (r(0) is the genesis root).
        uint32 k = run.stepsPerCheckpoint;
        if (t == 0) {
            if (answer.rootBefore != run.root0) revert InvalidRootPath(runId, 0);
        } else {
            _requireRootLeaf(runId, k, t, answer.rootBefore, answer.windowBefore, answer.pathBefore);
        }
        _requireRootLeaf(runId, k, t + 1, answer.rootAfter, answer.windowAfter, answer.pathAfter);
        // The step proof, with the run's tag and beacon, one step's FLOPs.
        CheckpointClaim memory claim = CheckpointClaim({
            firstStep: t,
            rootBefore: answer.rootBefore,
            rootAfter: answer.rootAfter,
            accumulator: answer.accumulator
        });
        IProofVerifier verifier = _families[run.familyId].stepVerifier;
        if (!verifier.verify(proof, _checkpointInputs(run.runTag, run.flopsPerStep, run.beacon, claim))) {
            revert InvalidStepProof(runId, t);
        }
        // Write: the step is proven; a paid challenge's fee is the lab's.
        c.state = ChallengeState.Answered;
        ++run.answered;
        uint128 fee = c.fee;
        if (fee != 0) _credits[msg.sender] += fee;
        emit ChallengeAnswered(runId, t, msg.sender, answer.rootBefore, answer.rootAfter, answer.accumulator, fee);
    }

    /// @inheritdoc ITrainingRegistry
    function flagUnansweredChallenge(uint256 runId, uint64 step) external whenNotPaused {
        RunState storage run = _sampledRun(runId);
        (ChallengeRecord storage c, ChallengeState state, uint64 issuedAt) = _challenge(runId, run, step);
        if (state != ChallengeState.Open) revert ChallengeNotOpen(runId, step, state);
        uint64 elapsed = _unpausedSince(issuedAt, _now());
        uint32 response = run.responseSeconds;
        if (elapsed <= response) revert ChallengeNotExpired(runId, step, elapsed, response);
        c.state = ChallengeState.Unanswered;
        uint128 fee = c.fee;
        address challenger = c.challenger;
        if (fee != 0) {
            _credits[challenger] += fee;
            emit ChallengeFeeRefunded(runId, step, challenger, fee);
        }
        _flag(runId, run, ViolationKind.ChallengeUnanswered, step, elapsed, response, 1);
    }

    /// @inheritdoc ITrainingRegistry
    function withdraw() external nonReentrant {
        uint256 amount = _credits[msg.sender];
        if (amount == 0) revert NothingToWithdraw(msg.sender);
        _credits[msg.sender] = 0;
        emit Withdrawn(msg.sender, amount);
        (bool ok, ) = msg.sender.call{value: amount}("");
        if (!ok) revert WithdrawalFailed(msg.sender, amount);
    }

    // ----------------------------------------------------------------- deadlines

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
        uint144 counts = run.violations;
        for (uint256 kind = 0; kind < _KINDS; ++kind) {
            record.violations[kind] = uint32((counts >> (kind * _COUNTER_BITS)) & _COUNTER_MAX);
        }
        record.sampled = run.sampled;
        record.sampling = Sampling({
            challengesPerWindow: run.challengesPerWindow,
            responseSeconds: run.responseSeconds
        });
        record.challenged = run.challenged;
        record.answered = run.answered;
    }

    /// @inheritdoc ITrainingRegistry
    function getChallenge(uint256 runId, uint64 step) external view returns (Challenge memory challenge) {
        RunState storage run = _sampledRun(runId);
        if (step >= run.steps) return challenge;
        (ChallengeRecord storage c, ChallengeState state, uint64 issuedAt) = _challenge(runId, run, step);
        challenge.state = state;
        challenge.issuedAt = issuedAt;
        if (state == ChallengeState.Open) {
            challenge.elapsed = _unpausedSince(issuedAt, paused() ? _pausedAt : _now());
        }
        challenge.challenger = c.challenger;
        challenge.fee = c.fee;
    }

    /// @inheritdoc ITrainingRegistry
    function getWindow(uint256 runId, uint64 window) external view returns (WindowState memory state) {
        _sampledRun(runId);
        WindowRecord storage w = _windows[runId][window];
        return
            WindowState({
                commitment: w.commitment,
                drawnAt: w.drawnAt,
                everyStep: w.everyStep,
                paidChallenges: w.paidChallenges
            });
    }

    /// @inheritdoc ITrainingRegistry
    function samplingPolicy() external view returns (uint16 minChallengesPerWindow, uint128 challengeFee) {
        return (_minChallengesPerWindow, _challengeFee);
    }

    /// @inheritdoc ITrainingRegistry
    function creditOf(address account) external view returns (uint256 amount) {
        return _credits[account];
    }

    /// @inheritdoc ITrainingRegistry
    function challengeOffsets(
        bytes32 seed,
        uint64 windowSteps,
        uint16 count
    ) public pure returns (uint64[] memory offsets) {
        // Floyd: for j = K - s .. K - 1 take r uniform in [0, j]; r if new, else j. Every s-subset is
        // equally likely; the O(s^2) membership scan is bounded by MAX_CHALLENGES_PER_WINDOW.
        uint256 n = count > windowSteps ? windowSteps : count;
        offsets = new uint64[](n);
        for (uint256 i = 0; i < n; ++i) {
            uint256 j = windowSteps - n + i;
            uint64 pick = uint64(uint256(keccak256(abi.encode(seed, j))) % (j + 1));
            for (uint256 m = 0; m < i; ++m) {
                if (offsets[m] == pick) {
                    pick = uint64(j);
                    break;
                }
            }
            offsets[i] = pick;
        }
    }

    /// @inheritdoc ITrainingRegistry
    function rootLeaf(uint64 index, uint256 root) public pure returns (bytes32 leaf) {
        return keccak256(bytes.concat(keccak256(abi.encode(uint256(index), root))));
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

    /// @dev A registered sampled run, in any status: closing or completing a run ends no challenge.
    function _sampledRun(uint256 runId) private view returns (RunState storage run) {
        run = _runs[runId];
        if (run.status == RunStatus.None) revert UnknownRun(runId);
        if (!run.sampled) revert NotSampledRun(runId);
    }

    /// @dev A committed window, checked against the caller's reference (its root and block).
    function _committedWindow(
        uint256 runId,
        uint64 window,
        WindowRef calldata ref
    ) private view returns (WindowRecord storage w) {
        w = _windows[runId][window];
        bytes32 commitment = w.commitment;
        if (commitment == 0 || commitment != keccak256(abi.encode(ref.root, ref.committedBlock))) {
            revert UnknownWindow(runId, window);
        }
    }

    /// @dev A step's challenge: its record, and its state and issue time, counting the implicit open
    /// challenge of every step of a window drawn past the horizon.
    function _challenge(
        uint256 runId,
        RunState storage run,
        uint64 step
    ) private view returns (ChallengeRecord storage c, ChallengeState state, uint64 issuedAt) {
        c = _challenges[runId][step];
        state = c.state;
        issuedAt = c.issuedAt;
        if (state == ChallengeState.None && step < run.steps) {
            WindowRecord storage w = _windows[runId][step / run.stepsPerCheckpoint];
            if (w.everyStep) (state, issuedAt) = (ChallengeState.Open, w.drawnAt);
        }
    }

    /// @dev Requires r(index) = root as leaf `index` of its window ((index - 1) / K), index >= 1.
    function _requireRootLeaf(
        uint256 runId,
        uint32 k,
        uint64 index,
        uint256 root,
        WindowRef calldata ref,
        bytes32[] calldata path
    ) private view {
        uint64 window = (index - 1) / k;
        _committedWindow(runId, window, ref);
        if (_rootsTreeRoot(rootLeaf(index, root), (index - 1) % k, k, path) != ref.root) {
            revert InvalidRootPath(runId, index);
        }
    }

    /// @dev The roots tree's root from a leaf at `position` and its path; a path of another length than
    /// D = ceil(log2 k) yields 0, which no committed window has (it is refused at commitment).
    function _rootsTreeRoot(
        bytes32 leaf,
        uint64 position,
        uint32 k,
        bytes32[] calldata path
    ) private pure returns (bytes32 node) {
        uint256 depth = 0;
        while ((uint256(1) << depth) < k) ++depth;
        if (path.length != depth) return 0;
        node = leaf;
        for (uint256 level = 0; level < depth; ++level) {
            node =
                (position >> level) & 1 == 0
                    ? keccak256(abi.encodePacked(node, path[level]))
                    : keccak256(abi.encodePacked(path[level], node));
        }
    }

    function _activeRun(uint256 runId) private view returns (RunState storage run) {
        run = _runs[runId];
        RunStatus status = _status(run);
        if (status == RunStatus.None) revert UnknownRun(runId);
        if (status != RunStatus.Active) revert RunNotActive(runId, status);
    }

    /// @dev Unpaused seconds from the run's last checkpoint (or registration) to now; the registry is not paused.
    function _elapsed(RunState storage run) private view returns (uint64) {
        return _unpausedSince(run.lastCheckpointAt, _now());
    }

    /// @dev Unpaused seconds from the run's last checkpoint to `time`, which is now or the current pause's start.
    function _elapsedAt(RunState storage run, uint64 time) private view returns (uint64) {
        return _unpausedSince(run.lastCheckpointAt, time);
    }

    /// @dev Unpaused seconds from `last` to `time` (now, or the current pause's start). Only pauses
    /// that ended after `last` are read; a clean submission reads none.
    function _unpausedSince(uint64 last, uint64 time) private view returns (uint64 elapsed) {
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

    /// @dev Checks the family, the spec and the plan, verifies the genesis proof, writes the run and emits
    /// RunRegistered and GenesisVerified; the caller sets the mode and checks the plan.
    function _registerRun(
        bytes32 familyId,
        uint256 specCommitment,
        Attestations calldata attestations,
        GenesisFacts calldata facts,
        uint256[8] calldata proof
    ) private returns (uint256 runId, RunState storage run) {
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
        run = _runs[runId];
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
        run.steps = uint32(newSteps);
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
        uint144 counts = run.violations;
        uint256 current = (counts >> shift) & _COUNTER_MAX;
        uint256 next = current + count > _COUNTER_MAX ? _COUNTER_MAX : current + count;
        run.violations = uint144(counts + ((next - current) << shift));
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
        CheckpointClaim memory claim
    ) private pure returns (uint256[] memory inputs) {
        inputs = new uint256[](CHECKPOINT_SIGNALS);
        inputs[0] = runTag;
        inputs[1] = uint256(claim.firstStep) | (uint256(flops) << _FLOPS_SHIFT) | (uint256(beacon) << _BEACON_SHIFT);
        inputs[2] = claim.rootBefore;
        inputs[3] = claim.rootAfter;
        inputs[4] = claim.accumulator;
    }
}
