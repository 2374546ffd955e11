// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {ICircuitFamilies} from "../families/ICircuitFamilies.sol";
import {IBatchProofVerifier} from "../verifiers/IBatchProofVerifier.sol";
import {PublicSignals} from "../families/PublicSignals.sol";
import {ICheckpointBatches} from "../registry/ICheckpointBatches.sol";
import {IChunkedSteps} from "../registry/IChunkedSteps.sol";
import {IChunkedStepVerifier} from "../verifiers/IChunkedStepVerifier.sol";
import {IChunkVerifier} from "../verifiers/IChunkVerifier.sol";
import {IComputeLedger} from "../registry/IComputeLedger.sol";
import {ITrainingRegistry} from "../registry/ITrainingRegistry.sol";
import {RegistryStorage} from "../registry/RegistryStorage.sol";
import {RunRules} from "../registry/RunRules.sol";
import {ISampledMode} from "./ISampledMode.sol";
import {SampledRules} from "./SampledRules.sol";

/// @title SampledMode
/// @author Verifiable training registry
/// @notice Sampled mode's draws, paid challenges, answers and unanswered flags (ISampledMode), with the
/// registry's beacon draws, batched checkpoint submissions (ICheckpointBatches, issue #26), chunked steps
/// (IChunkedSteps, issue #26) and compute
/// ledger (IComputeLedger, issue #29) that its size
/// leaves no room for, as a module the TrainingRegistry runs through delegatecall on its own storage
/// (RegistryStorage): its code does not count against the registry's size. The registry forwards the calldata
/// here unchanged (its fallback, or a function of the same signature); each function checks the pause as its
/// mode requires. Called directly, every function reverts with NotDelegated.
/// @dev Departs from a linked library (STYLE.md) for two reasons: the calldata is forwarded as it came
/// (no re-encoding of the answer's paths), and no deploy step or test runner has to link bytecode.
contract SampledMode is ISampledMode, ICheckpointBatches, IChunkedSteps, IComputeLedger, ReentrancyGuard {
    /// @inheritdoc ISampledMode
    uint64 public constant override DRAW_DELAY_BLOCKS = RunRules.DRAW_DELAY_BLOCKS;
    /// @dev blockhash(n) is available for the 256 most recent blocks only.
    uint256 private constant _BLOCKHASH_HORIZON = RunRules.BLOCKHASH_HORIZON;

    address private immutable _self = address(this);

    /// @inheritdoc ISampledMode
    uint16 public constant override MAX_WINDOW_STEPS = SampledRules.MAX_WINDOW_STEPS;
    /// @inheritdoc ISampledMode
    uint16 public constant override MAX_CHALLENGES_PER_WINDOW = SampledRules.MAX_CHALLENGES_PER_WINDOW;
    /// @inheritdoc ISampledMode
    uint128 public constant override MIN_CHALLENGE_FEE = SampledRules.MIN_CHALLENGE_FEE;
    /// @inheritdoc ISampledMode
    uint32 public constant override MAX_RESPONSE_SECONDS = SampledRules.MAX_RESPONSE_SECONDS;

    modifier onlyDelegated() {
        if (address(this) == _self) revert NotDelegated();
        _;
    }

    /// @dev The registry's pause (its clock slot), read here since the module runs on its storage.
    modifier whenNotPaused() {
        if (RegistryStorage.layout().pausedAt != 0) revert SampledModePaused();
        _;
    }

    /// @inheritdoc IComputeLedger
    function accountedCompute(
        address lab,
        uint64 fromDay,
        uint64 toDay
    ) external view onlyDelegated returns (uint256 flops) {
        mapping(uint64 day => uint256 flops) storage perDay = RegistryStorage.layout().accounted[lab];
        for (uint64 d = fromDay; d < toDay; ++d) flops += perDay[d];
    }

    /// @inheritdoc ICheckpointBatches
    uint256 public constant override MAX_CHECKPOINT_BATCH = RunRules.MAX_CHECKPOINT_BATCH;

    /// @inheritdoc ICheckpointBatches
    /// @dev Paused as the registry's own submitCheckpoint is (EnforcedPause), not as sampled mode is.
    function submitCheckpoints(
        uint256 runId,
        ITrainingRegistry.CheckpointClaim[] calldata claims,
        uint256[8][] calldata proofs
    ) external onlyDelegated {
        // Check: pause, caller, mode, shape.
        (RegistryStorage.Layout storage $, RegistryStorage.RunState storage run) = _labsFullRun(runId);
        uint256 n = claims.length;
        if (n == 0 || n != proofs.length || n > RunRules.MAX_CHECKPOINT_BATCH)
            revert InvalidCheckpointBatch(n, proofs.length);
        // Check the chain of claims from where the run stands, and verify every proof in one batched check.
        uint64 steps = run.steps;
        uint32 k = run.stepsPerCheckpoint;
        uint96 flops = uint96(k) * run.flopsPerStep;
        uint256[] memory signals = _batchSignals(runId, run, claims, flops);
        address verifier = address(run.proofVerifier);
        bool valid;
        try IBatchProofVerifier(verifier).verifyBatch(proofs, signals) returns (bool ok) {
            valid = ok;
        } catch {
            revert BatchVerificationUnavailable(runId, verifier);
        }
        if (!valid) revert InvalidCheckpointBatchProof(runId, steps, n);
        // Write and emit as n submissions in this block would: missed windows first, then each checkpoint
        // with the attestations checked after it; a claim past the one that ends the run is refused.
        RunRules.flagMissedWindows($, runId, run, steps);
        for (uint256 i = 0; i < n; ++i) {
            if (i != 0) RunRules.activeRun($, runId);
            RunRules.acceptCheckpoint($, runId, run, steps + uint64(i) * k, flops, claims[i]);
        }
    }

    /// @inheritdoc IChunkedSteps
    /// @dev Paused as the registry's own submitCheckpoint is (EnforcedPause), not as sampled mode is.
    function submitChunkedStep(
        uint256 runId,
        ITrainingRegistry.CheckpointClaim calldata claim,
        bytes calldata chunks
    ) external onlyDelegated {
        // Check: pause, caller, mode, K, and the claim's place in the run.
        (RegistryStorage.Layout storage $, RegistryStorage.RunState storage run) = _labsFullRun(runId);
        IChunkedStepVerifier verifier = IChunkedStepVerifier(address(run.proofVerifier));
        if (run.stepsPerCheckpoint != 1) revert ChunkedStepsUnavailable(runId, address(verifier));
        uint64 steps = run.steps;
        if (claim.firstStep != steps) revert ITrainingRegistry.CheckpointOutOfOrder(runId, steps, claim.firstStep);
        if (claim.rootBefore != run.root)
            revert ITrainingRegistry.CheckpointRootMismatch(runId, run.root, claim.rootBefore);
        // Verify: the link's statement is a step proof's for this claim; the tiles are verified under it.
        uint96 flops = run.flopsPerStep;
        uint256[] memory inputs = PublicSignals.checkpoint(
            run.runTag,
            steps,
            flops,
            RunRules.drawnBeacon(runId, run),
            claim.rootBefore,
            claim.rootAfter,
            claim.accumulator
        );
        try verifier.verifyChunks(_statement(inputs), chunks) returns (bool valid) {
            if (!valid) revert ITrainingRegistry.InvalidCheckpointProof(runId, steps);
        } catch (bytes memory reason) {
            // No reason: the verifier has no verifyChunks (an ordinary adapter). Otherwise, its own error.
            if (reason.length == 0) revert ChunkedStepsUnavailable(runId, address(verifier));
            // solhint-disable-next-line no-inline-assembly
            assembly ("memory-safe") {
                revert(add(reason, 32), mload(reason))
            }
        }
        // Write and emit as submitCheckpoint does: missed windows first, then the step as a checkpoint.
        RunRules.flagMissedWindows($, runId, run, steps);
        RunRules.acceptCheckpoint($, runId, run, steps, flops, claim);
    }

    /// @inheritdoc IChunkedSteps
    function commitChunkStatements(
        uint256 runId,
        uint64 window,
        bytes32 statementsRoot
    ) external onlyDelegated whenNotPaused {
        RegistryStorage.Layout storage $ = RegistryStorage.layout();
        RegistryStorage.RunState storage run = RunRules.activeRun($, runId);
        if (msg.sender != run.lab) revert ITrainingRegistry.NotRunLab(runId, msg.sender);
        if (!run.sampled) revert NotSampledRun(runId);
        uint64 next = run.steps / run.stepsPerCheckpoint;
        if (window != next || statementsRoot == 0) revert ChunkStatementsOutOfOrder(runId, window, next);
        // The tiling is the run's verifier's, fixed here so that the draw reads it with the window.
        address verifier = address(run.proofVerifier);
        uint256 tiles;
        try IChunkVerifier(verifier).tiles() returns (uint256 hidden, uint256 output) {
            tiles = hidden + output;
        } catch {
            revert ChunkedStepsUnavailable(runId, verifier);
        }
        if (tiles == 0 || tiles > type(uint16).max) revert ChunkedStepsUnavailable(runId, verifier);
        RegistryStorage.WindowRecord storage w = $.windows[runId][window];
        w.chunkStatements = statementsRoot;
        w.chunkTiles = uint16(tiles);
        emit ChunkStatementsCommitted(runId, window, statementsRoot, uint16(tiles));
    }

    /// @inheritdoc IChunkedSteps
    function answerChunkChallenge(
        uint256 runId,
        ChallengeAnswer calldata answer,
        uint256[] calldata io,
        bytes32[] calldata ioPath,
        bytes calldata proofs
    ) external onlyDelegated whenNotPaused {
        (
            RegistryStorage.Layout storage $,
            RegistryStorage.RunState storage run,
            RegistryStorage.ChallengeRecord storage c,
            uint256[] memory inputs
        ) = _openAnswer(runId, answer);
        // The step's io as committed before the draw, then the proofs the challenge asks for under them.
        uint64 t = answer.step;
        uint32 w = run.stepsPerCheckpoint;
        bytes32 statements = $.windows[runId][t / w].chunkStatements;
        if (statements == 0 || SampledRules.rootsTreeRoot(_chunkLeaf(t, io), t % w, w, ioPath) != statements)
            revert InvalidChunkPath(runId, t);
        IChunkedStepVerifier verifier = IChunkedStepVerifier(address(run.proofVerifier));
        if (!verifier.verifyAnswer(_statement(inputs), io, c.chunk, proofs)) revert InvalidStepProof(runId, t);
        _answered($, runId, run, c, answer);
    }

    /// @inheritdoc IChunkedSteps
    function chunkStatements(
        uint256 runId,
        uint64 window
    ) external view returns (bytes32 statementsRoot, uint16 tiles) {
        RegistryStorage.WindowRecord storage w = RegistryStorage.layout().windows[runId][window];
        return (w.chunkStatements, w.chunkTiles);
    }

    /// @inheritdoc IChunkedSteps
    function chunkLeaf(uint64 step, uint256[] calldata io) external pure returns (bytes32 leaf) {
        return _chunkLeaf(step, io);
    }

    /// @inheritdoc ISampledMode
    function registerSampledRun(
        bytes32 familyId,
        uint256 specCommitment,
        ITrainingRegistry.Attestations calldata attestations,
        Sampling calldata sampling,
        ITrainingRegistry.GenesisFacts calldata facts,
        uint256[8] calldata proof
    ) external onlyDelegated whenNotPaused returns (uint256 runId) {
        ICircuitFamilies.CircuitFamily memory family = RunRules.family(familyId);
        if (address(family.stepVerifier) == address(0)) revert FamilyCannotSample(familyId);
        RegistryStorage.Layout storage $ = RegistryStorage.layout();
        uint16 w = sampling.windowSteps;
        uint16 s = sampling.challengesPerWindow;
        uint32 response = sampling.responseSeconds;
        if (
            w == 0 ||
            w > SampledRules.MAX_WINDOW_STEPS ||
            s < $.minChallengesPerWindow ||
            s > w ||
            s > SampledRules.MAX_CHALLENGES_PER_WINDOW ||
            response < $.minResponseSeconds ||
            response > $.maxResponseSeconds
        ) revert InvalidSampling(s, response, w);
        RegistryStorage.RunState storage run;
        (runId, run) = RunRules.registerRun(
            familyId,
            family,
            family.stepVerifier,
            w,
            specCommitment,
            attestations,
            facts,
            proof
        );
        run.sampled = true;
        run.challengesPerWindow = s;
        run.responseSeconds = response;
        emit RunSampled(runId, s, response, w);
        RunRules.checkPlan(runId, run, attestations, facts);
    }

    /// @notice ITrainingRegistry.drawBeacon, which the registry runs here (the draws are here).
    /// @dev Not paused: a pause must not change a run's beacon (issue #24).
    /// @param runId The run.
    /// @return beacon The beacon.
    function drawBeacon(uint256 runId) external onlyDelegated returns (uint64 beacon) {
        RegistryStorage.RunState storage run = RunRules.knownRun(RegistryStorage.layout(), runId);
        if (run.beacon != 0) revert ITrainingRegistry.BeaconAlreadyDrawn(runId, run.beacon);
        uint64 beaconBlock = run.beaconBlock;
        if (block.number <= beaconBlock) revert ITrainingRegistry.BeaconTooEarly(runId, beaconBlock, block.number);
        if (block.number - beaconBlock > _BLOCKHASH_HORIZON) {
            revert ITrainingRegistry.BeaconExpired(runId, beaconBlock, block.number);
        }
        beacon = uint64(uint256(blockhash(beaconBlock)));
        if (beacon == 0) beacon = 1;
        run.beacon = beacon;
        emit ITrainingRegistry.BeaconDrawn(runId, beaconBlock, beacon, msg.sender);
    }

    /// @inheritdoc ISampledMode
    /// @dev Not paused: a pause must not change which steps are challenged (issue #24, S2).
    function drawChallenges(
        uint256 runId,
        uint64 window,
        WindowRef calldata ref
    ) external onlyDelegated returns (uint64[] memory steps) {
        RegistryStorage.Layout storage $ = RegistryStorage.layout();
        RegistryStorage.RunState storage run = SampledRules.sampledRun($, runId);
        RegistryStorage.WindowRecord storage w = SampledRules.committedWindow($, runId, window, ref);
        if (w.drawnAt != 0) revert ChallengesAlreadyDrawn(runId, window);
        uint64 seedBlock = ref.committedBlock + DRAW_DELAY_BLOCKS;
        if (block.number <= seedBlock) revert DrawTooEarly(runId, window, seedBlock, block.number);
        uint64 k = run.stepsPerCheckpoint;
        uint64 first = window * k;
        uint64 time = uint64(block.timestamp);
        uint64 active = RegistryStorage.clock($);
        w.drawnAt = uint40(time);
        w.drawnActive = uint40(active);
        bytes32 seed;
        uint32 issued;
        if (block.number - seedBlock > _BLOCKHASH_HORIZON) {
            // The seed is gone: a later draw would be a new roll, so every step is challenged instead,
            // each due one response time after the one before it, behind the run's queue.
            w.everyStep = true;
            issued = uint32(k) - w.paidChallenges;
            uint64 last = run.lastDeadlineActive;
            uint64 start = last > active ? last : active;
            w.queueStartActive = uint40(start);
            run.lastDeadlineActive = uint40(start + k * uint64(run.responseSeconds));
        } else {
            seed = keccak256(abi.encode(ref.root, blockhash(seedBlock)));
            uint256 tiles = w.chunkTiles; // a chunked window's challenge names one tile, from the same seed
            uint64[] memory offsets = SampledRules.challengeOffsets(seed, k, run.challengesPerWindow);
            // A step challenged already (paid) keeps its challenge: count the new ones, then issue them.
            mapping(uint64 step => RegistryStorage.ChallengeRecord challenge) storage challenges = $.challenges[runId];
            for (uint256 j = 0; j < offsets.length; ++j) {
                if (challenges[first + offsets[j]].state == ChallengeState.None) ++issued;
            }
            steps = new uint64[](issued);
            uint256 n = 0;
            for (uint256 j = 0; j < offsets.length; ++j) {
                uint64 step = first + offsets[j];
                RegistryStorage.ChallengeRecord storage c = challenges[step];
                if (c.state != ChallengeState.None) continue;
                SampledRules.issue(run, c, time, active);
                if (tiles != 0) c.chunk = uint16(1 + (uint256(keccak256(abi.encode(seed, step, tiles))) % tiles));
                steps[n] = step;
                ++n;
            }
        }
        run.challenged += issued;
        emit ChallengesDrawn(runId, window, seedBlock, seed, steps, w.everyStep, msg.sender);
    }

    /// @inheritdoc ISampledMode
    function requestChallenge(uint256 runId, uint64 step) external payable onlyDelegated whenNotPaused {
        RegistryStorage.Layout storage $ = RegistryStorage.layout();
        RegistryStorage.RunState storage run = SampledRules.sampledRun($, runId);
        uint128 fee = $.challengeFee;
        if (fee == 0) revert PaidChallengesDisabled();
        if (msg.value != fee) revert WrongChallengeFee(fee, msg.value);
        uint64 committed = run.steps;
        if (step >= committed) revert StepNotCommitted(runId, step, committed);
        RegistryStorage.WindowRecord storage w = $.windows[runId][step / run.stepsPerCheckpoint];
        RegistryStorage.ChallengeRecord storage c = $.challenges[runId][step];
        if (c.state != ChallengeState.None || w.everyStep) {
            revert StepAlreadyChallenged(runId, step);
        }
        SampledRules.issue(run, c, uint64(block.timestamp), RegistryStorage.clock($));
        c.challenger = msg.sender;
        c.fee = uint96(fee);
        ++w.paidChallenges;
        ++run.challenged;
        emit ChallengeRequested(runId, step, msg.sender, fee);
    }

    /// @inheritdoc ISampledMode
    function answerChallenge(
        uint256 runId,
        ChallengeAnswer calldata answer,
        uint256[8] calldata proof
    ) external onlyDelegated whenNotPaused {
        (
            RegistryStorage.Layout storage $,
            RegistryStorage.RunState storage run,
            RegistryStorage.ChallengeRecord storage c,
            uint256[] memory inputs
        ) = _openAnswer(runId, answer);
        if (!run.proofVerifier.verify(proof, inputs)) revert InvalidStepProof(runId, answer.step);
        _answered($, runId, run, c, answer);
    }

    /// @inheritdoc ISampledMode
    function flagUnansweredChallenge(uint256 runId, uint64 step) external onlyDelegated whenNotPaused {
        RegistryStorage.Layout storage $ = RegistryStorage.layout();
        RegistryStorage.RunState storage run = SampledRules.sampledRun($, runId);
        (
            RegistryStorage.ChallengeRecord storage c,
            ChallengeState state,
            uint64 issuedActive,
            uint64 deadline
        ) = SampledRules.challenge($, runId, run, step);
        if (state != ChallengeState.Open) revert ChallengeNotOpen(runId, step, state);
        uint64 active = RegistryStorage.clock($);
        uint64 elapsed = active - issuedActive;
        uint64 allowed = deadline - issuedActive;
        if (active <= deadline) revert ChallengeNotExpired(runId, step, elapsed, allowed);
        c.state = ChallengeState.Unanswered;
        uint128 fee = c.fee;
        address challenger = c.challenger;
        if (fee != 0) {
            $.credits[challenger] += fee;
            emit ChallengeFeeRefunded(runId, step, challenger, fee);
        }
        RegistryStorage.flag(
            runId,
            run,
            ITrainingRegistry.ViolationKind.ChallengeUnanswered,
            step,
            elapsed,
            allowed,
            1
        );
    }

    /// @inheritdoc ISampledMode
    function withdraw() external onlyDelegated nonReentrant {
        RegistryStorage.Layout storage $ = RegistryStorage.layout();
        uint256 amount = $.credits[msg.sender];
        if (amount == 0) revert NothingToWithdraw(msg.sender);
        $.credits[msg.sender] = 0;
        emit Withdrawn(msg.sender, amount);
        (bool ok, ) = msg.sender.call{value: amount}("");
        if (!ok) revert WithdrawalFailed(msg.sender, amount);
    }

    /// @inheritdoc ISampledMode
    function getChallenge(uint256 runId, uint64 step) external view returns (Challenge memory challenge) {
        RegistryStorage.Layout storage $ = RegistryStorage.layout();
        RegistryStorage.RunState storage run = SampledRules.sampledRun($, runId);
        if (step >= run.steps) return challenge;
        (
            RegistryStorage.ChallengeRecord storage c,
            ChallengeState state,
            uint64 issuedActive,
            uint64 deadline
        ) = SampledRules.challenge($, runId, run, step);
        challenge.state = state;
        if (state == ChallengeState.None) return challenge;
        challenge.issuedAt = c.issuedAt;
        if (c.state == ChallengeState.None)
            challenge.issuedAt = $.windows[runId][step / run.stepsPerCheckpoint].drawnAt;
        challenge.allowedSeconds = deadline - issuedActive;
        if (state == ChallengeState.Open) challenge.elapsed = RegistryStorage.clock($) - issuedActive;
        challenge.challenger = c.challenger;
        challenge.fee = c.fee;
        challenge.chunk = c.chunk;
    }

    /// @inheritdoc ISampledMode
    function getWindow(uint256 runId, uint64 window) external view returns (WindowState memory state) {
        RegistryStorage.Layout storage $ = RegistryStorage.layout();
        SampledRules.sampledRun($, runId);
        RegistryStorage.WindowRecord storage w = $.windows[runId][window];
        return
            WindowState({
                commitment: w.commitment,
                drawnAt: w.drawnAt,
                everyStep: w.everyStep,
                paidChallenges: w.paidChallenges
            });
    }

    /// @inheritdoc ISampledMode
    function samplingPolicy() external view returns (SamplingPolicy memory policy) {
        RegistryStorage.Layout storage $ = RegistryStorage.layout();
        return
            SamplingPolicy({
                minChallengesPerWindow: $.minChallengesPerWindow,
                challengeFee: $.challengeFee,
                minResponseSeconds: $.minResponseSeconds,
                maxResponseSeconds: $.maxResponseSeconds
            });
    }

    /// @inheritdoc ISampledMode
    function creditOf(address account) external view returns (uint256 amount) {
        return RegistryStorage.layout().credits[account];
    }

    /// @inheritdoc ISampledMode
    function challengeOffsets(
        bytes32 seed,
        uint64 windowSteps,
        uint16 count
    ) external pure returns (uint64[] memory offsets) {
        return SampledRules.challengeOffsets(seed, windowSteps, count);
    }

    /// @inheritdoc ISampledMode
    function rootLeaf(uint64 index, uint256 root) external pure returns (bytes32 leaf) {
        return SampledRules.rootLeaf(index, root);
    }

    /// @dev The run a full-mode submission names, once the registry is not paused (EnforcedPause, as the
    /// registry's own submitCheckpoint), the run is active, the caller is its lab and it is not sampled.
    function _labsFullRun(
        uint256 runId
    ) private view returns (RegistryStorage.Layout storage $, RegistryStorage.RunState storage run) {
        $ = RegistryStorage.layout();
        if ($.pausedAt != 0) revert ITrainingRegistry.EnforcedPause();
        run = RunRules.activeRun($, runId);
        if (msg.sender != run.lab) revert ITrainingRegistry.NotRunLab(runId, msg.sender);
        if (run.sampled) revert ITrainingRegistry.RunIsSampled(runId);
    }

    /// @dev The public signals of every claim of a batch, proof after proof, once each claim is checked to
    /// start where the previous one ends (the first where the run stands), as submitCheckpoint checks one.
    function _batchSignals(
        uint256 runId,
        RegistryStorage.RunState storage run,
        ITrainingRegistry.CheckpointClaim[] calldata claims,
        uint96 flops
    ) private view returns (uint256[] memory signals) {
        uint256 n = claims.length;
        uint64 steps = run.steps;
        uint32 k = run.stepsPerCheckpoint;
        uint64 beacon = RunRules.drawnBeacon(runId, run);
        uint256 runTag = run.runTag;
        uint256 root = run.root;
        signals = new uint256[](n * PublicSignals.CHECKPOINT);
        for (uint256 i = 0; i < n; ++i) {
            ITrainingRegistry.CheckpointClaim calldata claim = claims[i];
            uint64 first = steps + uint64(i) * k;
            if (claim.firstStep != first) revert ITrainingRegistry.CheckpointOutOfOrder(runId, first, claim.firstStep);
            if (claim.rootBefore != root)
                revert ITrainingRegistry.CheckpointRootMismatch(runId, root, claim.rootBefore);
            uint256[] memory inputs = PublicSignals.checkpoint(
                runTag,
                first,
                flops,
                beacon,
                root,
                claim.rootAfter,
                claim.accumulator
            );
            for (uint256 j = 0; j < PublicSignals.CHECKPOINT; ++j)
                signals[i * PublicSignals.CHECKPOINT + j] = inputs[j];
            root = claim.rootAfter;
        }
    }

    /// @dev An answer's checks before its proofs: the lab, an open challenge within its deadline, and both
    /// roots opened against the committed windows (r(0) is the genesis root); returns the step statement's
    /// public signals (the run's tag and beacon, one step's FLOPs).
    function _openAnswer(
        uint256 runId,
        ChallengeAnswer calldata answer
    )
        private
        view
        returns (
            RegistryStorage.Layout storage $,
            RegistryStorage.RunState storage run,
            RegistryStorage.ChallengeRecord storage c,
            uint256[] memory inputs
        )
    {
        $ = RegistryStorage.layout();
        run = SampledRules.sampledRun($, runId);
        if (msg.sender != run.lab) revert ITrainingRegistry.NotRunLab(runId, msg.sender);
        uint64 t = answer.step;
        ChallengeState state;
        uint64 issuedActive;
        uint64 deadline;
        (c, state, issuedActive, deadline) = SampledRules.challenge($, runId, run, t);
        if (state != ChallengeState.Open) revert ChallengeNotOpen(runId, t, state);
        uint64 active = RegistryStorage.clock($);
        if (active > deadline) {
            revert AnswerTooLate(runId, t, active - issuedActive, deadline - issuedActive);
        }
        uint32 w = run.stepsPerCheckpoint;
        if (t == 0) {
            if (answer.rootBefore != run.root0) revert InvalidRootPath(runId, 0);
        } else {
            SampledRules.requireRootLeaf($, runId, w, t, answer.rootBefore, answer.windowBefore, answer.pathBefore);
        }
        SampledRules.requireRootLeaf($, runId, w, t + 1, answer.rootAfter, answer.windowAfter, answer.pathAfter);
        inputs = PublicSignals.checkpoint(
            run.runTag,
            t,
            run.flopsPerStep,
            RunRules.drawnBeacon(runId, run),
            answer.rootBefore,
            answer.rootAfter,
            answer.accumulator
        );
    }

    /// @dev Writes a verified answer: the step is proven; a paid challenge's fee is the lab's.
    function _answered(
        RegistryStorage.Layout storage $,
        uint256 runId,
        RegistryStorage.RunState storage run,
        RegistryStorage.ChallengeRecord storage c,
        ChallengeAnswer calldata answer
    ) private {
        c.state = ChallengeState.Answered;
        ++run.answered;
        uint128 fee = c.fee;
        if (fee != 0) $.credits[msg.sender] += fee;
        emit ChallengeAnswered(
            runId,
            answer.step,
            msg.sender,
            answer.rootBefore,
            answer.rootAfter,
            answer.accumulator,
            fee
        );
    }

    /// @dev A statements-tree leaf (IChunkedSteps.chunkLeaf).
    function _chunkLeaf(uint64 step, uint256[] calldata io) private pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(uint256(step), io))));
    }

    /// @dev A step statement's five signals as the chunk verifiers take them.
    function _statement(uint256[] memory inputs) private pure returns (uint256[5] memory statement) {
        for (uint256 i = 0; i < 5; ++i) statement[i] = inputs[i];
    }
}
