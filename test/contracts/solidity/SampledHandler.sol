// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ISampledMode} from "../../../contracts/sampled/ISampledMode.sol";
import {ITrainingRegistry} from "../../../contracts/registry/ITrainingRegistry.sol";
import {IRegistry} from "../../../contracts/registry/IRegistry.sol";
import {MockProofVerifier} from "./MockProofVerifier.sol";
import {RootsTree} from "./RootsTree.sol";
import {vm} from "./Vm.sol";
import {Deploy} from "./Deploy.sol";

/// @notice Drives sampled runs with random sequences of honest and dishonest commitments, draws,
/// paid challenges, honest and dishonest answers, flags and time and block jumps, and keeps ghost
/// records: the steps it answered with a valid proof of exactly that transition, and counters of
/// anything that must never happen.
contract SampledHandler {
    IRegistry public immutable registry;
    MockProofVerifier public immutable genesisVerifier;
    MockProofVerifier public immutable stepVerifier;
    bytes32 public immutable family;
    uint64 private constant _K = 4;
    uint64 private constant _PLANNED = 16;

    uint256[] public runIds;
    mapping(uint256 runId => mapping(uint64 window => ISampledMode.WindowRef ref)) private _refs;
    mapping(uint256 runId => mapping(uint64 step => bool proven)) public provenByHandler;
    mapping(uint256 runId => uint256 count) public verifiedAnswers;
    /// A step the registry says is answered that the handler never proved.
    uint256 public unprovenAnswered;
    /// A dishonest call was accepted.
    uint256 public dishonestAccepted;
    /// A draw within the horizon that did not challenge exactly its seed's offsets, a draw past it that
    /// did not challenge every step, or a draw refused that was due (paused or not: issue #24, S2).
    uint256 public drawsNotTheSeeds;
    /// A challenge whose allowed seconds changed after issue, or whose unpaused elapsed seconds differ from
    /// the handler's own count (wall time minus every paused second since its issue).
    uint256 public deadlinesMoved;
    /// Seconds the handler kept the registry paused.
    uint64 public pausedTotal;
    mapping(uint256 runId => mapping(uint64 step => uint64 allowed)) private _allowed;
    mapping(uint256 runId => mapping(uint64 step => uint64 issuedAt)) private _issuedAt;
    mapping(uint256 runId => mapping(uint64 step => uint64 pausedAtIssue)) private _pausedAtIssue;

    constructor(IRegistry registry_, MockProofVerifier g, MockProofVerifier s, bytes32 family_) {
        registry = registry_;
        genesisVerifier = g;
        stepVerifier = s;
        family = family_;
        _now = block.timestamp;
    }

    function runCount() external view returns (uint256) {
        return runIds.length;
    }

    function _r(uint64 i) private pure returns (uint256) {
        return 1000 + i;
    }

    function register(uint256 commitment, uint8 s, uint16 response) external {
        if (runIds.length >= 4) return;
        ITrainingRegistry.GenesisFacts memory facts = ITrainingRegistry.GenesisFacts({
            runTag: uint256(keccak256(abi.encode(commitment))) >> 8,
            root0: _r(0),
            paramCount: 15,
            flopsPerStep: 100,
            plannedSteps: _PLANNED
        });
        ITrainingRegistry.Attestations memory a = ITrainingRegistry.Attestations(1e30, 1e6, 1 days);
        uint256[8] memory proof = genesisVerifier.proofFor(
            registry.families().genesisPublicInputs(family, commitment, address(this), facts)
        );
        uint256 runId = registry.registerSampledRun(
            family,
            commitment,
            a,
            ISampledMode.Sampling(uint16((s % _K) + 1), uint32(response) + 60, uint16(_K)),
            facts,
            proof
        );
        runIds.push(runId);
        Deploy.drawBeacon(registry, runId);
    }

    /// mode 0: honest; 1: rootAfter not the tree's last leaf; 2: wrong first step.
    function commit(uint256 runSeed, uint8 mode) external {
        if (runIds.length == 0) return;
        uint256 runId = runIds[runSeed % runIds.length];
        uint64 first = registry.getRun(runId).steps;
        (bytes32 root, bytes32[][] memory paths) = RootsTree.build(registry, first, _K, _r);
        mode %= 3;
        uint64 firstStep = mode == 2 ? first + _K : first;
        uint256 rootAfter = mode == 1 ? _r(first + _K) + 1 : _r(first + _K);
        try registry.commitWindow(runId, firstStep, root, rootAfter, paths[_K - 1]) {
            if (mode != 0) ++dishonestAccepted;
            _refs[runId][first / _K] = ISampledMode.WindowRef(root, uint64(block.number));
        } catch {}
        _observe();
    }

    function draw(uint256 runSeed, uint64 windowSeed, uint16 blocks) external {
        _draw(runSeed, windowSeed, blocks);
        _observe();
    }

    /// @notice A draw in the middle of a pause of `seconds_`, which then ends.
    function drawWhilePaused(uint256 runSeed, uint64 windowSeed, uint16 blocks, uint32 seconds_) external {
        uint64 start = uint64(_now);
        registry.pause();
        _draw(runSeed, windowSeed, blocks);
        _observe(); // while paused: a challenge drawn now is issued at the pause's start
        _now += seconds_ % 5000;
        vm.warp(_now);
        registry.unpause();
        pausedTotal += uint64(_now) - start;
        _observe();
    }

    /// @notice A pause of `seconds_` over `blocks` blocks, during which nothing happens.
    function pauseFor(uint32 seconds_, uint16 blocks) external {
        uint64 start = uint64(_now);
        registry.pause();
        _now += seconds_ % 5000;
        vm.warp(_now);
        vm.roll(block.number + (blocks % 400));
        registry.unpause();
        pausedTotal += uint64(_now) - start;
        _observe();
    }

    function _draw(uint256 runSeed, uint64 windowSeed, uint16 blocks) private {
        if (runIds.length == 0) return;
        uint256 runId = runIds[runSeed % runIds.length];
        uint64 window = windowSeed % (_PLANNED / _K);
        vm.roll(block.number + (blocks % 300));
        ISampledMode.WindowRef memory ref = _refs[runId][window];
        bool[_K] memory before;
        for (uint64 j = 0; j < _K; ++j) {
            before[j] = registry.getChallenge(runId, window * _K + j).state != ISampledMode.ChallengeState.None;
        }
        try registry.drawChallenges(runId, window, ref) returns (uint64[] memory steps) {
            uint64 seedBlock = ref.committedBlock + registry.DRAW_DELAY_BLOCKS();
            bool everyStep = registry.getWindow(runId, window).everyStep;
            if (block.number - seedBlock > 256) {
                if (!everyStep) ++drawsNotTheSeeds;
            } else {
                uint64[] memory offsets = registry.challengeOffsets(
                    keccak256(abi.encode(ref.root, blockhash(seedBlock))),
                    _K,
                    registry.getRun(runId).sampling.challengesPerWindow
                );
                uint256 n = 0;
                for (uint256 i = 0; i < offsets.length; ++i) {
                    if (before[offsets[i]]) continue;
                    if (n >= steps.length || steps[n] != window * _K + offsets[i]) ++drawsNotTheSeeds;
                    ++n;
                }
                if (everyStep || n != steps.length) ++drawsNotTheSeeds;
            }
        } catch {
            // Refused: only a window not committed, drawn already, or whose seed block is not past may be.
            bool drawable =
                ref.committedBlock != 0 &&
                    registry.getWindow(runId, window).drawnAt == 0 &&
                    block.number > ref.committedBlock + registry.DRAW_DELAY_BLOCKS();
            if (drawable) ++drawsNotTheSeeds;
        }
    }

    function request(uint256 runSeed, uint64 stepSeed) external {
        if (runIds.length == 0) return;
        uint256 runId = runIds[runSeed % runIds.length];
        uint128 fee = registry.samplingPolicy().challengeFee;
        vm.deal(address(this), fee);
        try registry.requestChallenge{value: fee}(runId, stepSeed % _PLANNED) {} catch {}
        _observe();
    }

    /// mode 0: honest; 1: another step's proof; 2: wrong rootBefore; 3: accumulator not the proof's;
    /// 4: roots of the next step; 5: another window's reference.
    function answer(uint256 runSeed, uint64 stepSeed, uint8 mode) external {
        if (runIds.length == 0) return;
        uint256 runId = runIds[runSeed % runIds.length];
        uint64 t = stepSeed % _PLANNED;
        if (registry.getRun(runId).steps <= t + 1 && mode % 6 == 4) return;
        mode %= 6;
        ISampledMode.ChallengeAnswer memory a = _answer(runId, mode == 4 ? t + 1 : t);
        uint256[8] memory proof = _proof(runId, a);
        if (mode == 1) {
            ISampledMode.ChallengeAnswer memory b = _answer(runId, t + 1);
            proof = _proof(runId, b);
        }
        if (mode == 2) {
            a.rootBefore += 1;
            proof = _proof(runId, a);
        }
        if (mode == 3) a.accumulator += 1;
        if (mode == 4) a.step = t;
        if (mode == 5) a.windowAfter = _refs[runId][(t / _K + 1) % (_PLANNED / _K)];
        try registry.answerChallenge(runId, a, proof) {
            if (mode != 0) ++dishonestAccepted;
            provenByHandler[runId][t] = true;
            ++verifiedAnswers[runId];
        } catch {}
        _observe();
    }

    function flag(uint256 runSeed, uint64 stepSeed) external {
        if (runIds.length == 0) return;
        uint256 runId = runIds[runSeed % runIds.length];
        try registry.flagUnansweredChallenge(runId, stepSeed % _PLANNED) {} catch {}
        _observe();
    }

    function wait(uint32 seconds_) external {
        _now += seconds_ % 2000;
        vm.warp(_now);
        _observe();
    }

    /// @dev The handler's clock (block.timestamp is not re-read reliably across cheatcode warps under viaIR).
    uint256 private _now;

    receive() external payable {}

    function _answer(uint256 runId, uint64 t) private view returns (ISampledMode.ChallengeAnswer memory a) {
        a.step = t;
        a.rootBefore = _r(t);
        if (t > 0) {
            uint64 wb = (t - 1) / _K;
            (, bytes32[][] memory pb) = RootsTree.build(registry, wb * _K, _K, _r);
            a.windowBefore = _refs[runId][wb];
            a.pathBefore = pb[(t - 1) % _K];
        }
        (, bytes32[][] memory pa) = RootsTree.build(registry, (t / _K) * _K, _K, _r);
        a.rootAfter = _r(t + 1);
        a.windowAfter = _refs[runId][t / _K];
        a.pathAfter = pa[t % _K];
        a.accumulator = uint256(keccak256(abi.encode(runId, t))) >> 8;
    }

    function _proof(uint256 runId, ISampledMode.ChallengeAnswer memory a) private view returns (uint256[8] memory) {
        return RootsTree.mockStepProof(registry, stepVerifier, runId, a);
    }

    function _observe() private {
        for (uint256 i = 0; i < runIds.length; ++i) {
            uint256 runId = runIds[i];
            uint64 steps = registry.getRun(runId).steps;
            for (uint64 t = 0; t < steps; ++t) {
                ISampledMode.Challenge memory c = registry.getChallenge(runId, t);
                if (c.state == ISampledMode.ChallengeState.Answered && !provenByHandler[runId][t]) {
                    ++unprovenAnswered;
                }
                if (c.state != ISampledMode.ChallengeState.Open) continue;
                if (_issuedAt[runId][t] == 0) {
                    // First seen open: issued at the current time (draws, requests and pauses all run at
                    // the handler's clock, a pause's draw at the pause's start).
                    _issuedAt[runId][t] = c.issuedAt;
                    _allowed[runId][t] = c.allowedSeconds;
                    _pausedAtIssue[runId][t] = pausedTotal;
                    continue;
                }
                uint64 expected = uint64(_now) - _issuedAt[runId][t] - (pausedTotal - _pausedAtIssue[runId][t]);
                if (c.allowedSeconds != _allowed[runId][t] || c.elapsed != expected) ++deadlinesMoved;
            }
        }
    }
}
