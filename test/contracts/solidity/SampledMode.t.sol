// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ISampledMode} from "../../../contracts/sampled/ISampledMode.sol";
import {ITrainingRegistry} from "../../../contracts/registry/ITrainingRegistry.sol";
import {CircuitFamilies} from "../../../contracts/families/CircuitFamilies.sol";
import {Deploy} from "./Deploy.sol";
import {IRegistry} from "../../../contracts/registry/IRegistry.sol";
import {MockProofVerifier} from "./MockProofVerifier.sol";
import {RootsTree} from "./RootsTree.sol";
import {SampledMode} from "../../../contracts/sampled/SampledMode.sol";
import {SampledHandler} from "./SampledHandler.sol";
import {vm} from "./Vm.sol";

/// @notice Sampled mode's bookkeeping (issue #11) with mock verifiers bound to every public signal:
/// commitments, draws, paid challenges, answers, unanswered flags and pull payments; fuzz tests of the
/// challenge draw and an invariant campaign for "no step is proven without a verified proof". Real
/// proofs (a dishonest step that cannot be answered) are in test/contracts/sampled.test.ts.
contract SampledModeTest {
    uint32 private constant _K = 4;
    uint16 private constant _S = 2;
    uint32 private constant _RESPONSE = 600;
    uint128 private constant _FEE = 1 ether;
    address private constant _LAB = address(0x1000);
    address private constant _AUDITOR = address(0x2000);
    uint256 private constant _T0 = 1_000_000;
    uint8 private constant _UNANSWERED = uint8(ITrainingRegistry.ViolationKind.ChallengeUnanswered);

    IRegistry private registry;
    CircuitFamilies private families;
    MockProofVerifier private genesisVerifier;
    MockProofVerifier private checkpointVerifier;
    MockProofVerifier private stepVerifier;
    SampledHandler private handler;
    bytes32 private family = keccak256("test/mock/k4");
    bytes32 private fullOnly = keccak256("test/mock/k4/no-step-verifier");

    /// @dev The roots every test run trains through: r(i) = 1000 + i (r(0) is the genesis root).
    function _r(uint64 i) private pure returns (uint256) {
        return 1000 + i;
    }

    function setUp() public {
        vm.warp(_T0);
        vm.roll(100);
        (registry, families) = Deploy.registry(address(this));
        genesisVerifier = new MockProofVerifier(registry.GENESIS_SIGNALS());
        checkpointVerifier = new MockProofVerifier(registry.CHECKPOINT_SIGNALS());
        stepVerifier = new MockProofVerifier(registry.CHECKPOINT_SIGNALS());
        families.registerFamily(family, genesisVerifier, checkpointVerifier, _K, stepVerifier, "mock, K = 4");
        families.registerFamily(
            fullOnly,
            genesisVerifier,
            checkpointVerifier,
            _K,
            MockProofVerifier(address(0)),
            "mock, no sampling"
        );
        registry.setSamplingPolicy(Deploy.policy(1, _FEE));
        handler = new SampledHandler(registry, genesisVerifier, stepVerifier, family);
        registry.grantRole(registry.PAUSER_ROLE(), address(handler));
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    // ------------------------------------------------------------- invariants

    /// @notice No step is counted proven without a verified proof of exactly its transition.
    function invariant_noStepProvenWithoutVerifiedProof() public view {
        require(handler.unprovenAnswered() == 0, "a step counted proven without a verified proof of it");
        require(handler.dishonestAccepted() == 0, "a dishonest answer, commitment or draw was accepted");
        require(handler.drawsNotTheSeeds() == 0, "a draw was not its seed's (a pause changed it?)");
        require(handler.deadlinesMoved() == 0, "a pause moved a challenge's deadline or counted paused time");
        for (uint256 i = 0; i < handler.runCount(); ++i) {
            uint256 runId = handler.runIds(i);
            ITrainingRegistry.Run memory run = registry.getRun(runId);
            require(run.answered == handler.verifiedAnswers(runId), "answered differs from verified answers");
            require(run.answered + run.violations[_UNANSWERED] <= run.challenged, "more outcomes than challenges");
        }
    }

    /// @notice The campaign is not vacuous: the handler's honest calls commit, challenge and prove a step,
    /// and its dishonest answers of the same kind are refused.
    function test_handlerHonestPathProvesAStep() public {
        handler.register(1, 1, 0);
        handler.commit(0, 0);
        handler.request(0, 2);
        for (uint8 mode = 1; mode < 6; ++mode) handler.answer(0, 2, mode);
        require(handler.verifiedAnswers(handler.runIds(0)) == 0, "a dishonest answer counted");
        handler.answer(0, 2, 0);
        uint256 runId = handler.runIds(0);
        require(handler.verifiedAnswers(runId) == 1, "the honest answer was refused");
        require(registry.getChallenge(runId, 2).state == ISampledMode.ChallengeState.Answered, "not answered");
        require(handler.dishonestAccepted() == 0 && handler.unprovenAnswered() == 0, "bookkeeping");
    }

    // ------------------------------------------------------------- fuzz

    /// @notice The draw picks `min(s, K)` distinct offsets, all in [0, K).
    function testFuzz_challengeOffsetsDistinctInRange(bytes32 seed, uint64 kSeed, uint16 sSeed) public view {
        uint64 k = (kSeed % 4096) + 1;
        uint16 s = uint16(sSeed % 65);
        uint64[] memory offsets = registry.challengeOffsets(seed, k, s);
        require(offsets.length == (s < k ? s : k), "wrong number of offsets");
        for (uint256 i = 0; i < offsets.length; ++i) {
            require(offsets[i] < k, "offset out of the window");
            for (uint256 j = 0; j < i; ++j) require(offsets[i] != offsets[j], "offset drawn twice");
        }
    }

    /// @notice Every offset can be drawn: over 64 seeds with K = 4, s = 1, each offset comes up.
    function test_everyOffsetReachable() public view {
        bool[4] memory seen;
        for (uint256 i = 0; i < 64; ++i) {
            seen[registry.challengeOffsets(keccak256(abi.encode(i)), 4, 1)[0]] = true;
        }
        for (uint256 o = 0; o < 4; ++o) require(seen[o], "an offset is never drawn");
    }

    /// @notice A window's root opens at every position and at no other index.
    function testFuzz_rootsTreePositional(uint64 kSeed, uint64 windowSeed, uint64 posSeed) public view {
        uint64 k = (kSeed % 70) + 1;
        uint64 first = (windowSeed % 1000) * k;
        uint64 pos = posSeed % k;
        (bytes32 root, bytes32[][] memory paths) = RootsTree.build(registry, first, k, _r);
        bytes32[] memory path = paths[pos];
        require(RootsTree.open(registry.rootLeaf(first + 1 + pos, _r(first + 1 + pos)), pos, path) == root, "no open");
        if (k > 1) {
            uint64 other = (pos + 1) % k;
            require(
                RootsTree.open(registry.rootLeaf(first + 1 + pos, _r(first + 1 + pos)), other, path) != root,
                "moved"
            );
        }
    }

    // ------------------------------------------------------------- helpers

    function _register(bytes32 familyId, uint16 s, uint32 response) private returns (uint256 runId) {
        ITrainingRegistry.GenesisFacts memory facts = _facts(uint256(keccak256(abi.encode(familyId, s, response))));
        uint256[8] memory proof = genesisVerifier.proofFor(
            registry.families().genesisPublicInputs(familyId, 1, _LAB, facts)
        );
        vm.prank(_LAB);
        runId = registry.registerSampledRun(
            familyId,
            1,
            _attest(),
            ISampledMode.Sampling(s, response, uint16(_K)),
            facts,
            proof
        );
        Deploy.drawBeacon(registry, runId);
    }

    function _facts(uint256 tag) private pure returns (ITrainingRegistry.GenesisFacts memory) {
        return
            ITrainingRegistry.GenesisFacts({
                runTag: tag,
                root0: _r(0),
                paramCount: 15,
                flopsPerStep: 100,
                plannedSteps: 16
            });
    }

    function _attest() private pure returns (ITrainingRegistry.Attestations memory) {
        return ITrainingRegistry.Attestations({flopsCap: 1e30, maxSteps: 1e6, checkpointDeadline: 1 days});
    }

    function _commit(uint256 runId, uint64 window) private returns (ISampledMode.WindowRef memory ref) {
        (bytes32 root, bytes32[][] memory paths) = RootsTree.build(registry, window * _K, _K, _r);
        vm.prank(_LAB);
        registry.commitWindow(runId, window * _K, root, _r(window * _K + _K), paths[_K - 1]);
        ref = ISampledMode.WindowRef(root, uint64(block.number));
    }

    function _answer(
        uint256 runId,
        uint64 t,
        ISampledMode.WindowRef memory before,
        ISampledMode.WindowRef memory after_
    ) private view returns (ISampledMode.ChallengeAnswer memory a, uint256[8] memory proof) {
        a.step = t;
        a.rootBefore = _r(t);
        if (t > 0) {
            uint64 wb = (t - 1) / _K;
            (, bytes32[][] memory pb) = RootsTree.build(registry, wb * _K, _K, _r);
            a.windowBefore = before;
            a.pathBefore = pb[(t - 1) % _K];
        }
        (, bytes32[][] memory pa) = RootsTree.build(registry, (t / _K) * _K, _K, _r);
        a.rootAfter = _r(t + 1);
        a.windowAfter = after_;
        a.pathAfter = pa[t % _K];
        a.accumulator = 77;
        proof = _proof(runId, a);
    }

    function _proof(uint256 runId, ISampledMode.ChallengeAnswer memory a) private view returns (uint256[8] memory) {
        return RootsTree.mockStepProof(registry, stepVerifier, runId, a);
    }

    function _drawn(uint256 runId, uint64 window, ISampledMode.WindowRef memory ref) private returns (uint64[] memory) {
        vm.roll(ref.committedBlock + registry.DRAW_DELAY_BLOCKS() + 1);
        return registry.drawChallenges(runId, window, ref);
    }

    // ------------------------------------------------------------- registration

    function test_registrationChecksTerms() public {
        ITrainingRegistry.GenesisFacts memory facts = _facts(5);
        uint256[8] memory proof = genesisVerifier.proofFor(
            registry.families().genesisPublicInputs(family, 1, _LAB, facts)
        );
        vm.prank(_LAB);
        vm.expectRevert(abi.encodeWithSelector(ISampledMode.FamilyCannotSample.selector, fullOnly));
        registry.registerSampledRun(fullOnly, 1, _attest(), ISampledMode.Sampling(1, 60, uint16(_K)), facts, proof);
        vm.prank(_LAB);
        vm.expectRevert(
            abi.encodeWithSelector(ISampledMode.InvalidSampling.selector, uint16(5), uint32(60), uint16(4))
        );
        registry.registerSampledRun(family, 1, _attest(), ISampledMode.Sampling(5, 60, uint16(_K)), facts, proof);
        vm.prank(_LAB);
        vm.expectRevert(abi.encodeWithSelector(ISampledMode.InvalidSampling.selector, uint16(1), uint32(0), uint16(4)));
        registry.registerSampledRun(family, 1, _attest(), ISampledMode.Sampling(1, 0, uint16(_K)), facts, proof);
        registry.setSamplingPolicy(Deploy.policy(3, _FEE));
        vm.prank(_LAB);
        vm.expectRevert(
            abi.encodeWithSelector(ISampledMode.InvalidSampling.selector, uint16(2), uint32(60), uint16(4))
        );
        registry.registerSampledRun(family, 1, _attest(), ISampledMode.Sampling(2, 60, uint16(_K)), facts, proof);
        vm.prank(_LAB);
        uint256 runId = registry.registerSampledRun(
            family,
            1,
            _attest(),
            ISampledMode.Sampling(3, 60, uint16(_K)),
            facts,
            proof
        );
        ITrainingRegistry.Run memory run = registry.getRun(runId);
        require(run.sampled && run.sampling.challengesPerWindow == 3 && run.sampling.responseSeconds == 60, "terms");
    }

    function test_modesDoNotMix() public {
        uint256 runId = _register(family, _S, _RESPONSE);
        ITrainingRegistry.CheckpointClaim memory claim = ITrainingRegistry.CheckpointClaim(0, _r(0), _r(4), 1);
        uint256[8] memory proof;
        vm.prank(_LAB);
        vm.expectRevert(abi.encodeWithSelector(ITrainingRegistry.RunIsSampled.selector, runId));
        registry.submitCheckpoint(runId, claim, proof);
        // A full run has no windows, draws or challenges.
        ITrainingRegistry.GenesisFacts memory facts = _facts(9);
        uint256[8] memory g = genesisVerifier.proofFor(registry.families().genesisPublicInputs(family, 2, _LAB, facts));
        vm.prank(_LAB);
        uint256 full = registry.registerRun(family, 2, _attest(), facts, g);
        bytes32[] memory none = new bytes32[](2);
        vm.prank(_LAB);
        vm.expectRevert(abi.encodeWithSelector(ISampledMode.NotSampledRun.selector, full));
        registry.commitWindow(full, 0, bytes32(0), 0, none);
        vm.expectRevert(abi.encodeWithSelector(ISampledMode.NotSampledRun.selector, full));
        registry.requestChallenge{value: _FEE}(full, 0);
    }

    // ------------------------------------------------------------- commitments

    function test_commitChecksOrderLabAndEnd() public {
        uint256 runId = _register(family, _S, _RESPONSE);
        (bytes32 root, bytes32[][] memory paths) = RootsTree.build(registry, 0, _K, _r);
        vm.expectRevert(abi.encodeWithSelector(ITrainingRegistry.NotRunLab.selector, runId, address(this)));
        registry.commitWindow(runId, 0, root, _r(4), paths[3]);
        vm.prank(_LAB);
        vm.expectRevert(abi.encodeWithSelector(ISampledMode.WindowOutOfOrder.selector, runId, uint64(0), uint64(4)));
        registry.commitWindow(runId, 4, root, _r(4), paths[3]);
        // rootAfter must be the tree's last leaf: another root, another position's path, a short path.
        vm.prank(_LAB);
        vm.expectRevert(abi.encodeWithSelector(ISampledMode.InvalidRootPath.selector, runId, uint64(4)));
        registry.commitWindow(runId, 0, root, _r(5), paths[3]);
        vm.prank(_LAB);
        vm.expectRevert(abi.encodeWithSelector(ISampledMode.InvalidRootPath.selector, runId, uint64(4)));
        registry.commitWindow(runId, 0, root, _r(4), paths[2]);
        bytes32[] memory short = new bytes32[](1);
        short[0] = paths[3][0];
        vm.prank(_LAB);
        vm.expectRevert(abi.encodeWithSelector(ISampledMode.InvalidRootPath.selector, runId, uint64(4)));
        registry.commitWindow(runId, 0, root, _r(4), short);
        _commit(runId, 0);
        ITrainingRegistry.Run memory run = registry.getRun(runId);
        require(run.steps == 4 && run.cumulativeFlops == 400 && run.root == _r(4), "committed steps not counted");
        require(run.answered == 0 && run.challenged == 0, "nothing proven by a commitment");
    }

    // ------------------------------------------------------------- draws

    function test_drawWaitsForItsBlockAndHappensOnce() public {
        uint256 runId = _register(family, _S, _RESPONSE);
        ISampledMode.WindowRef memory ref = _commit(runId, 0);
        uint64 seedBlock = ref.committedBlock + registry.DRAW_DELAY_BLOCKS();
        vm.roll(seedBlock);
        vm.expectRevert(
            abi.encodeWithSelector(ISampledMode.DrawTooEarly.selector, runId, uint64(0), seedBlock, uint256(seedBlock))
        );
        registry.drawChallenges(runId, 0, ref);
        vm.roll(seedBlock + 1);
        vm.expectRevert(abi.encodeWithSelector(ISampledMode.UnknownWindow.selector, runId, uint64(0)));
        registry.drawChallenges(runId, 0, ISampledMode.WindowRef(ref.root, ref.committedBlock + 1));
        vm.expectRevert(abi.encodeWithSelector(ISampledMode.UnknownWindow.selector, runId, uint64(1)));
        registry.drawChallenges(runId, 1, ref);
        uint64[] memory steps = registry.drawChallenges(runId, 0, ref);
        require(steps.length == _S, "not s challenges");
        bytes32 seed = keccak256(abi.encode(ref.root, blockhash(seedBlock)));
        uint64[] memory expected = registry.challengeOffsets(seed, _K, _S);
        for (uint256 i = 0; i < _S; ++i) {
            require(steps[i] == expected[i], "draw is not the seed's");
            require(registry.getChallenge(runId, steps[i]).state == ISampledMode.ChallengeState.Open, "not open");
        }
        vm.expectRevert(abi.encodeWithSelector(ISampledMode.ChallengesAlreadyDrawn.selector, runId, uint64(0)));
        registry.drawChallenges(runId, 0, ref);
        require(registry.getRun(runId).challenged == _S, "challenged count");
    }

    function test_drawPastHorizonChallengesEveryStep() public {
        uint256 runId = _register(family, _S, _RESPONSE);
        ISampledMode.WindowRef memory ref = _commit(runId, 0);
        vm.roll(ref.committedBlock + registry.DRAW_DELAY_BLOCKS() + 257);
        uint64[] memory steps = registry.drawChallenges(runId, 0, ref);
        require(steps.length == 0 && registry.getWindow(runId, 0).everyStep, "not every step");
        for (uint64 t = 0; t < _K; ++t) {
            require(registry.getChallenge(runId, t).state == ISampledMode.ChallengeState.Open, "step not open");
        }
        require(registry.getRun(runId).challenged == _K, "challenged count");
        vm.expectRevert(abi.encodeWithSelector(ISampledMode.StepAlreadyChallenged.selector, runId, uint64(1)));
        registry.requestChallenge{value: _FEE}(runId, 1);
        // The lab answers one; the others fall due one response time after another (offset j at (j + 1) x
        // the response time: deadlines queue), and each is flagged once past its own deadline only.
        (ISampledMode.ChallengeAnswer memory a, uint256[8] memory proof) = _answer(runId, 2, ref, ref);
        vm.prank(_LAB);
        registry.answerChallenge(runId, a, proof);
        for (uint64 t = 0; t < _K; ++t) {
            if (t == 2) continue;
            require(registry.getChallenge(runId, t).allowedSeconds == (t + 1) * _RESPONSE, "queued deadline");
        }
        vm.warp(_T0 + _RESPONSE + 1);
        registry.flagUnansweredChallenge(runId, 0);
        vm.expectRevert(
            abi.encodeWithSelector(
                ISampledMode.ChallengeNotExpired.selector,
                runId,
                uint64(1),
                uint64(_RESPONSE + 1),
                uint64(2 * _RESPONSE)
            )
        );
        registry.flagUnansweredChallenge(runId, 1);
        vm.warp(_T0 + _K * _RESPONSE + 1);
        for (uint64 t = 1; t < _K; ++t) if (t != 2) registry.flagUnansweredChallenge(runId, t);
        ITrainingRegistry.Run memory run = registry.getRun(runId);
        require(run.answered == 1 && run.violations[_UNANSWERED] == 3, "outcomes");
    }

    // ------------------------------------------------------------- answers

    function test_answerOpensBothRootsAndVerifiesTheStep() public {
        uint256 runId = _register(family, _S, _RESPONSE);
        ISampledMode.WindowRef memory w0 = _commit(runId, 0);
        ISampledMode.WindowRef memory w1 = _commit(runId, 1);
        // Challenge step 4 (first of window 1: r(4) is in window 0) and step 5 by paying.
        vm.deal(_AUDITOR, 10 ether);
        vm.prank(_AUDITOR);
        registry.requestChallenge{value: _FEE}(runId, 4);
        vm.prank(_AUDITOR);
        registry.requestChallenge{value: _FEE}(runId, 5);
        (ISampledMode.ChallengeAnswer memory a, uint256[8] memory proof) = _answer(runId, 4, w0, w1);
        // Wrong: the other window's reference, another leaf's path, another index, another run's proof.
        ISampledMode.ChallengeAnswer memory bad = _copy(a);
        bad.windowBefore = ISampledMode.WindowRef(w1.root, w1.committedBlock);
        _expectAnswerRevert(
            runId,
            bad,
            proof,
            abi.encodeWithSelector(ISampledMode.UnknownWindow.selector, runId, uint64(0))
        );
        bad = _copy(a);
        bad.windowAfter = ISampledMode.WindowRef(w0.root, w0.committedBlock);
        _expectAnswerRevert(
            runId,
            bad,
            proof,
            abi.encodeWithSelector(ISampledMode.UnknownWindow.selector, runId, uint64(1))
        );
        bad = _copy(a);
        bad.pathAfter = bad.pathBefore;
        _expectAnswerRevert(
            runId,
            bad,
            proof,
            abi.encodeWithSelector(ISampledMode.InvalidRootPath.selector, runId, uint64(5))
        );
        bad = _copy(a);
        bad.rootAfter = _r(6);
        _expectAnswerRevert(
            runId,
            bad,
            _proof(runId, bad),
            abi.encodeWithSelector(ISampledMode.InvalidRootPath.selector, runId, uint64(5))
        );
        bad = _copy(a);
        bad.step = 5;
        // Step 5's r(5) is a leaf of window 1, not of the window 0 the answer names.
        _expectAnswerRevert(
            runId,
            bad,
            _proof(runId, bad),
            abi.encodeWithSelector(ISampledMode.UnknownWindow.selector, runId, uint64(1))
        );
        bad.windowBefore = ISampledMode.WindowRef(w1.root, w1.committedBlock);
        _expectAnswerRevert(
            runId,
            bad,
            _proof(runId, bad),
            abi.encodeWithSelector(ISampledMode.InvalidRootPath.selector, runId, uint64(5))
        );
        uint256 other = _otherRun();
        _expectAnswerRevert(
            runId,
            a,
            _proof(other, a),
            abi.encodeWithSelector(ISampledMode.InvalidStepProof.selector, runId, uint64(4))
        );
        bad = _copy(a);
        bad.accumulator = 78;
        _expectAnswerRevert(
            runId,
            bad,
            proof,
            abi.encodeWithSelector(ISampledMode.InvalidStepProof.selector, runId, uint64(4))
        );
        vm.expectRevert(abi.encodeWithSelector(ITrainingRegistry.NotRunLab.selector, runId, address(this)));
        registry.answerChallenge(runId, a, proof);
        // Right, once; then the fee is the lab's.
        vm.prank(_LAB);
        registry.answerChallenge(runId, a, proof);
        _expectAnswerRevert(
            runId,
            a,
            proof,
            abi.encodeWithSelector(
                ISampledMode.ChallengeNotOpen.selector,
                runId,
                uint64(4),
                ISampledMode.ChallengeState.Answered
            )
        );
        require(registry.creditOf(_LAB) == _FEE, "fee not credited to the lab");
        // An unchallenged step cannot be answered.
        (ISampledMode.ChallengeAnswer memory u, uint256[8] memory up) = _answer(runId, 6, w1, w1);
        _expectAnswerRevert(
            runId,
            u,
            up,
            abi.encodeWithSelector(
                ISampledMode.ChallengeNotOpen.selector,
                runId,
                uint64(6),
                ISampledMode.ChallengeState.None
            )
        );
        // Step 5 answered late: refused, then flagged, and the fee goes back to the auditor. Its deadline
        // queues behind the challenges issued before it.
        ISampledMode.Challenge memory c5 = registry.getChallenge(runId, 5);
        require(c5.allowedSeconds >= _RESPONSE, "a queued deadline is never shorter than the response time");
        vm.warp(c5.issuedAt + c5.allowedSeconds + 1);
        (ISampledMode.ChallengeAnswer memory late, uint256[8] memory lp) = _answer(runId, 5, w1, w1);
        _expectAnswerRevert(
            runId,
            late,
            lp,
            abi.encodeWithSelector(
                ISampledMode.AnswerTooLate.selector,
                runId,
                uint64(5),
                c5.allowedSeconds + 1,
                c5.allowedSeconds
            )
        );
        vm.prank(_AUDITOR);
        registry.flagUnansweredChallenge(runId, 5);
        require(registry.creditOf(_AUDITOR) == _FEE, "fee not refunded");
        vm.expectRevert(
            abi.encodeWithSelector(
                ISampledMode.ChallengeNotOpen.selector,
                runId,
                uint64(5),
                ISampledMode.ChallengeState.Unanswered
            )
        );
        registry.flagUnansweredChallenge(runId, 5);
        // Pull payments.
        uint256 before = _AUDITOR.balance;
        vm.prank(_AUDITOR);
        registry.withdraw();
        require(_AUDITOR.balance == before + _FEE && registry.creditOf(_AUDITOR) == 0, "withdrawal");
        vm.prank(_AUDITOR);
        vm.expectRevert(abi.encodeWithSelector(ISampledMode.NothingToWithdraw.selector, _AUDITOR));
        registry.withdraw();
        ITrainingRegistry.Run memory run = registry.getRun(runId);
        require(run.challenged == 2 && run.answered == 1 && run.violations[_UNANSWERED] == 1, "counts");
    }

    function test_stepZeroOpensAgainstGenesisRoot() public {
        uint256 runId = _register(family, _S, _RESPONSE);
        ISampledMode.WindowRef memory w0 = _commit(runId, 0);
        vm.deal(_AUDITOR, 1 ether);
        vm.prank(_AUDITOR);
        registry.requestChallenge{value: _FEE}(runId, 0);
        (ISampledMode.ChallengeAnswer memory a, uint256[8] memory proof) = _answer(runId, 0, w0, w0);
        ISampledMode.ChallengeAnswer memory bad = _copy(a);
        bad.rootBefore = _r(1);
        _expectAnswerRevert(
            runId,
            bad,
            _proof(runId, bad),
            abi.encodeWithSelector(ISampledMode.InvalidRootPath.selector, runId, uint64(0))
        );
        vm.prank(_LAB);
        registry.answerChallenge(runId, a, proof);
        require(registry.getChallenge(runId, 0).state == ISampledMode.ChallengeState.Answered, "not answered");
    }

    function test_paidChallengeChecks() public {
        uint256 runId = _register(family, _S, _RESPONSE);
        _commit(runId, 0);
        vm.deal(_AUDITOR, 10 ether);
        vm.prank(_AUDITOR);
        vm.expectRevert(abi.encodeWithSelector(ISampledMode.WrongChallengeFee.selector, uint256(_FEE), uint256(1)));
        registry.requestChallenge{value: 1}(runId, 0);
        vm.prank(_AUDITOR);
        vm.expectRevert(abi.encodeWithSelector(ISampledMode.StepNotCommitted.selector, runId, uint64(4), uint64(4)));
        registry.requestChallenge{value: _FEE}(runId, 4);
        vm.prank(_AUDITOR);
        registry.requestChallenge{value: _FEE}(runId, 3);
        vm.prank(_AUDITOR);
        vm.expectRevert(abi.encodeWithSelector(ISampledMode.StepAlreadyChallenged.selector, runId, uint64(3)));
        registry.requestChallenge{value: _FEE}(runId, 3);
        vm.expectRevert(
            abi.encodeWithSelector(ISampledMode.ChallengeNotExpired.selector, runId, uint64(3), uint64(0), _RESPONSE)
        );
        registry.flagUnansweredChallenge(runId, 3);
        vm.expectRevert(abi.encodeWithSelector(ITrainingRegistry.UnknownRun.selector, uint256(99)));
        registry.requestChallenge{value: _FEE}(99, 0);
        registry.setSamplingPolicy(Deploy.policy(1, 0));
        vm.prank(_AUDITOR);
        vm.expectRevert(ISampledMode.PaidChallengesDisabled.selector);
        registry.requestChallenge{value: 0}(runId, 2);
    }

    function test_pausedTimeDoesNotCountAgainstAnAnswer() public {
        uint256 runId = _register(family, _S, _RESPONSE);
        ISampledMode.WindowRef memory w0 = _commit(runId, 0);
        vm.deal(_AUDITOR, 1 ether);
        vm.prank(_AUDITOR);
        registry.requestChallenge{value: _FEE}(runId, 1);
        vm.warp(_T0 + 100);
        registry.pause();
        vm.warp(_T0 + 100 + 10_000);
        registry.unpause();
        vm.warp(_T0 + 100 + 10_000 + 400);
        require(registry.getChallenge(runId, 1).elapsed == 500, "paused time counted");
        vm.expectRevert(
            abi.encodeWithSelector(ISampledMode.ChallengeNotExpired.selector, runId, uint64(1), uint64(500), _RESPONSE)
        );
        registry.flagUnansweredChallenge(runId, 1);
        (ISampledMode.ChallengeAnswer memory a, uint256[8] memory proof) = _answer(runId, 1, w0, w0);
        vm.prank(_LAB);
        registry.answerChallenge(runId, a, proof);
    }

    function test_withdrawalToARefusingAccountFailsWhole() public {
        uint256 runId = _register(family, _S, _RESPONSE);
        _commit(runId, 0);
        Refuser refuser = new Refuser(registry);
        vm.deal(address(refuser), 1 ether);
        refuser.challenge{value: _FEE}(runId, 2);
        vm.warp(_T0 + _RESPONSE + 1);
        registry.flagUnansweredChallenge(runId, 2);
        vm.expectRevert(
            abi.encodeWithSelector(ISampledMode.WithdrawalFailed.selector, address(refuser), uint256(_FEE))
        );
        refuser.pull();
        require(registry.creditOf(address(refuser)) == _FEE, "credit lost on a failed withdrawal");
    }

    function test_reentrantWithdrawalGetsNothingMore() public {
        uint256 runId = _register(family, _S, _RESPONSE);
        _commit(runId, 0);
        Reenterer r = new Reenterer(registry);
        vm.deal(address(r), 1 ether);
        r.challenge{value: _FEE}(runId, 2);
        vm.warp(_T0 + _RESPONSE + 1);
        registry.flagUnansweredChallenge(runId, 2);
        uint256 before = address(r).balance;
        r.pull();
        require(address(r).balance == before + _FEE, "paid other than once");
        require(r.reentered() && registry.creditOf(address(r)) == 0, "reentry not attempted or credit left");
    }

    function _otherRun() private returns (uint256 runId) {
        ITrainingRegistry.GenesisFacts memory facts = _facts(31337);
        uint256[8] memory proof = genesisVerifier.proofFor(
            registry.families().genesisPublicInputs(family, 3, _LAB, facts)
        );
        vm.prank(_LAB);
        runId = registry.registerSampledRun(
            family,
            3,
            _attest(),
            ISampledMode.Sampling(1, 60, uint16(_K)),
            facts,
            proof
        );
        Deploy.drawBeacon(registry, runId);
    }

    /// @dev A deep copy: assigning to a member of a copy never writes through to the original's refs.
    function _copy(ISampledMode.ChallengeAnswer memory a) private pure returns (ISampledMode.ChallengeAnswer memory b) {
        b = ISampledMode.ChallengeAnswer(
            a.step,
            a.rootBefore,
            ISampledMode.WindowRef(a.windowBefore.root, a.windowBefore.committedBlock),
            a.pathBefore,
            a.rootAfter,
            ISampledMode.WindowRef(a.windowAfter.root, a.windowAfter.committedBlock),
            a.pathAfter,
            a.accumulator
        );
    }

    function _expectAnswerRevert(
        uint256 runId,
        ISampledMode.ChallengeAnswer memory a,
        uint256[8] memory proof,
        bytes memory err
    ) private {
        vm.prank(_LAB);
        vm.expectRevert(err);
        registry.answerChallenge(runId, a, proof);
    }

    // ------------------------------------------------------------- the review's findings (issue #24)

    /// @notice No step proof is accepted before the run's beacon is drawn (a proof made with beacon 0,
    /// which the lab knows in advance, is refused), nor ever once the beacon's block is past the horizon.
    function test_answerNeedsTheDrawnBeacon() public {
        ITrainingRegistry.GenesisFacts memory facts = _facts(4242);
        uint256[8] memory g = genesisVerifier.proofFor(
            registry.families().genesisPublicInputs(family, 42, _LAB, facts)
        );
        vm.prank(_LAB);
        uint256 runId = registry.registerSampledRun(
            family,
            42,
            _attest(),
            ISampledMode.Sampling(_S, _RESPONSE, uint16(_K)),
            facts,
            g
        );
        uint64 beaconBlock = registry.getRun(runId).beaconBlock;
        ISampledMode.WindowRef memory w0 = _commit(runId, 0);
        vm.deal(_AUDITOR, 1 ether);
        vm.prank(_AUDITOR);
        registry.requestChallenge{value: _FEE}(runId, 1);
        (ISampledMode.ChallengeAnswer memory a, uint256[8] memory proof) = _answer(runId, 1, w0, w0);
        bytes memory notDrawn = abi.encodeWithSelector(ITrainingRegistry.BeaconNotDrawn.selector, runId, beaconBlock);
        _expectAnswerRevert(runId, a, proof, notDrawn);
        uint256 late = uint256(beaconBlock) + 300;
        vm.roll(late);
        vm.expectRevert(abi.encodeWithSelector(ITrainingRegistry.BeaconExpired.selector, runId, beaconBlock, late));
        registry.drawBeacon(runId);
        _expectAnswerRevert(runId, a, proof, notDrawn);
    }

    /// @notice S1: a response time outside the policy's bounds is refused (2^32 - 1 s was accepted before),
    /// and the policy's own bounds, fee floor and minimum ceiling are enforced.
    function test_S1_responseTimeWithinPolicyBounds() public {
        ITrainingRegistry.GenesisFacts memory facts = _facts(901);
        uint256[8] memory proof = genesisVerifier.proofFor(
            registry.families().genesisPublicInputs(family, 1, _LAB, facts)
        );
        vm.prank(_LAB);
        vm.expectRevert(
            abi.encodeWithSelector(ISampledMode.InvalidSampling.selector, uint16(1), type(uint32).max, uint16(_K))
        );
        registry.registerSampledRun(
            family,
            1,
            _attest(),
            ISampledMode.Sampling(1, type(uint32).max, uint16(_K)),
            facts,
            proof
        );
        ISampledMode.SamplingPolicy[5] memory bad = [
            ISampledMode.SamplingPolicy(0, _FEE, 60, 600),
            ISampledMode.SamplingPolicy(65, _FEE, 60, 600),
            ISampledMode.SamplingPolicy(1, 1e12 - 1, 60, 600),
            ISampledMode.SamplingPolicy(1, _FEE, 601, 600),
            ISampledMode.SamplingPolicy(1, _FEE, 60, 30 days + 1)
        ];
        for (uint256 i = 0; i < bad.length; ++i) {
            vm.expectRevert(abi.encodeWithSelector(ITrainingRegistry.InvalidSamplingPolicy.selector, bad[i]));
            registry.setSamplingPolicy(bad[i]);
        }
    }

    /// @notice S2: a draw during a pause is allowed and is exactly the draw without the pause (it was
    /// refused before, so a pause longer than the horizon turned every window into "every step").
    function test_S2_pauseChangesNoDraw() public {
        uint256 runId = _register(family, _S, _RESPONSE);
        ISampledMode.WindowRef memory ref = _commit(runId, 0);
        registry.pause();
        uint64 seedBlock = ref.committedBlock + registry.DRAW_DELAY_BLOCKS();
        vm.roll(seedBlock + 1);
        uint64[] memory steps = registry.drawChallenges(runId, 0, ref);
        uint64[] memory expected = registry.challengeOffsets(
            keccak256(abi.encode(ref.root, blockhash(seedBlock))),
            _K,
            _S
        );
        require(steps.length == _S && !registry.getWindow(runId, 0).everyStep, "a pause changed the draw");
        for (uint256 i = 0; i < _S; ++i) require(steps[i] == expected[i], "not the seed's draw");
        // The pause outlives the horizon: the window stays drawn as it was; its deadlines wait for the unpause.
        vm.roll(seedBlock + 1_000);
        vm.warp(_T0 + 10 days);
        registry.unpause();
        require(registry.getChallenge(runId, steps[0]).elapsed == 0, "paused time counted");
        require(registry.getRun(runId).challenged == _S, "challenged count");
    }

    /// @notice S3 / N1: the registry's clock costs the same whatever the number of pauses (each pause added
    /// about 2,700 gas to every later call on an older run before).
    function test_S3_pausesCostNoGas() public {
        uint256 a = _registerSpec(11);
        uint256 b = _registerSpec(12);
        (bytes32 root, bytes32[][] memory paths) = RootsTree.build(registry, 0, _K, _r);
        vm.prank(_LAB);
        uint256 g0 = gasleft();
        registry.commitWindow(a, 0, root, _r(_K), paths[_K - 1]);
        g0 -= gasleft();
        uint256 time = _T0;
        for (uint256 i = 0; i < 300; ++i) {
            time += 10;
            vm.warp(time);
            registry.pause();
            time += 10;
            vm.warp(time);
            registry.unpause();
        }
        vm.prank(_LAB);
        uint256 g1 = gasleft();
        registry.commitWindow(b, 0, root, _r(_K), paths[_K - 1]);
        g1 -= gasleft();
        require(g1 <= g0 + 100, "pauses made a commitment costlier");
        require(registry.pausedSeconds() == 3_000, "paused seconds");
        require(registry.deadlineState(a).elapsed == 3_000, "unpaused seconds since the commitment");
    }

    function _registerSpec(uint256 spec) private returns (uint256 runId) {
        ITrainingRegistry.GenesisFacts memory facts = _facts(spec);
        uint256[8] memory proof = genesisVerifier.proofFor(
            registry.families().genesisPublicInputs(family, spec, _LAB, facts)
        );
        vm.prank(_LAB);
        runId = registry.registerSampledRun(
            family,
            spec,
            _attest(),
            ISampledMode.Sampling(_S, _RESPONSE, uint16(_K)),
            facts,
            proof
        );
        Deploy.drawBeacon(registry, runId);
    }

    /// @notice P2: a flood of paid challenges never flags an honest lab that answers one challenge per
    /// response time, earliest deadline first (every paid challenge was due one response time after its
    /// own issue before, so a lab could not keep up).
    function test_P2_floodNeverFlagsAnHonestLab() public {
        uint256 runId = _register(family, _S, _RESPONSE);
        ISampledMode.WindowRef[4] memory refs;
        for (uint64 w = 0; w < 4; ++w) refs[w] = _commit(runId, w);
        vm.roll(block.number + 3);
        registry.drawChallenges(runId, 0, refs[0]);
        vm.deal(_AUDITOR, 100 ether);
        for (uint64 t = 0; t < 16; ++t) {
            if (registry.getChallenge(runId, t).state != ISampledMode.ChallengeState.None) continue;
            vm.prank(_AUDITOR);
            registry.requestChallenge{value: _FEE}(runId, t);
        }
        // Every step is challenged at once; the lab answers in deadline order, one per response time.
        uint64[16] memory due;
        for (uint64 t = 0; t < 16; ++t) {
            ISampledMode.Challenge memory c = registry.getChallenge(runId, t);
            due[t] = c.issuedAt + c.allowedSeconds;
        }
        for (uint256 n = 0; n < 16; ++n) {
            uint64 next = 16;
            for (uint64 t = 0; t < 16; ++t) {
                if (registry.getChallenge(runId, t).state != ISampledMode.ChallengeState.Open) continue;
                if (next == 16 || due[t] < due[next]) next = t;
            }
            require(due[next] <= _T0 + (n + 1) * _RESPONSE, "a deadline comes sooner than the lab's pace");
            vm.warp(_T0 + (n + 1) * _RESPONSE);
            for (uint64 t = 0; t < 16; ++t) {
                if (registry.getChallenge(runId, t).state != ISampledMode.ChallengeState.Open) continue;
                (bool flagged, ) = address(registry).call(
                    abi.encodeCall(ISampledMode.flagUnansweredChallenge, (runId, t))
                );
                require(!flagged, "an honest lab was flagged");
            }
            (ISampledMode.ChallengeAnswer memory a, uint256[8] memory proof) = _answer(
                runId,
                next,
                refs[next == 0 ? 0 : (next - 1) / _K],
                refs[next / _K]
            );
            vm.prank(_LAB);
            registry.answerChallenge(runId, a, proof);
        }
        ITrainingRegistry.Run memory run = registry.getRun(runId);
        require(run.answered == 16 && run.violations[_UNANSWERED] == 0, "flood outcome");
    }

    /// @notice A sampled run's window is its own: 16-step windows on a family whose checkpoints are K = 4.
    function test_windowLengthIsTheRunsNotTheFamilys() public {
        ITrainingRegistry.GenesisFacts memory facts = _facts(902);
        uint256[8] memory proof = genesisVerifier.proofFor(
            registry.families().genesisPublicInputs(family, 2, _LAB, facts)
        );
        vm.prank(_LAB);
        uint256 runId = registry.registerSampledRun(
            family,
            2,
            _attest(),
            ISampledMode.Sampling(2, 600, 16),
            facts,
            proof
        );
        Deploy.drawBeacon(registry, runId);
        ITrainingRegistry.Run memory run = registry.getRun(runId);
        require(run.stepsPerCheckpoint == 16 && run.sampling.windowSteps == 16, "window length");
        (bytes32 root, bytes32[][] memory paths) = RootsTree.build(registry, 0, 16, _r);
        vm.prank(_LAB);
        registry.commitWindow(runId, 0, root, _r(16), paths[15]);
        vm.roll(block.number + 3);
        uint64[] memory steps = registry.drawChallenges(
            runId,
            0,
            ISampledMode.WindowRef(root, uint64(block.number - 3))
        );
        require(steps.length == 2 && registry.getRun(runId).steps == 16, "one window of 16 steps, 2 drawn");
        for (uint256 i = 0; i < 2; ++i) require(steps[i] < 16, "drawn within the window");
    }

    /// @notice The module does nothing outside the registry: called directly, each call reverts.
    function test_moduleRunsOnlyInsideTheRegistry() public {
        SampledMode module = SampledMode(registry.sampledModeModule());
        vm.expectRevert(ISampledMode.NotDelegated.selector);
        module.drawChallenges(1, 0, ISampledMode.WindowRef(0, 0));
        vm.expectRevert(ISampledMode.NotDelegated.selector);
        module.flagUnansweredChallenge(1, 0);
        vm.expectRevert(ISampledMode.NotDelegated.selector);
        module.withdraw();
    }

    /// @notice A pause stops commitments, paid challenges, answers and flags (and registrations); draws and
    /// withdrawals go on.
    function test_pauseStopsSampledModeButNotDraws() public {
        uint256 runId = _register(family, _S, _RESPONSE);
        ISampledMode.WindowRef memory w0 = _commit(runId, 0);
        registry.pause();
        (bytes32 root, bytes32[][] memory paths) = RootsTree.build(registry, _K, _K, _r);
        vm.prank(_LAB);
        vm.expectRevert(bytes4(keccak256("EnforcedPause()"))); // the registry's own (Pausable) check
        registry.commitWindow(runId, _K, root, _r(2 * _K), paths[_K - 1]);
        vm.deal(_AUDITOR, 1 ether);
        vm.prank(_AUDITOR);
        vm.expectRevert(ISampledMode.SampledModePaused.selector);
        registry.requestChallenge{value: _FEE}(runId, 0);
        vm.expectRevert(ISampledMode.SampledModePaused.selector);
        registry.flagUnansweredChallenge(runId, 0);
        vm.roll(block.number + 3);
        uint64[] memory steps = registry.drawChallenges(runId, 0, w0);
        (ISampledMode.ChallengeAnswer memory a, uint256[8] memory proof) = _answer(runId, steps[0], w0, w0);
        vm.prank(_LAB);
        vm.expectRevert(ISampledMode.SampledModePaused.selector);
        registry.answerChallenge(runId, a, proof);
        vm.prank(_AUDITOR);
        vm.expectRevert(abi.encodeWithSelector(ISampledMode.NothingToWithdraw.selector, _AUDITOR));
        registry.withdraw();
        registry.unpause();
        vm.prank(_LAB);
        registry.answerChallenge(runId, a, proof);
    }
}

/// @notice An account with code that pays for challenges and withdraws its credit.
abstract contract Challenger {
    IRegistry internal immutable _registry;

    constructor(IRegistry registry) {
        _registry = registry;
    }

    function challenge(uint256 runId, uint64 step) external payable {
        _registry.requestChallenge{value: msg.value}(runId, step);
    }

    function pull() external {
        _registry.withdraw();
    }
}

/// @notice Challenges, then refuses every payment.
contract Refuser is Challenger {
    constructor(IRegistry registry) Challenger(registry) {}

    receive() external payable {
        revert("no");
    }
}

/// @notice Challenges, then tries to withdraw again from inside its withdrawal.
contract Reenterer is Challenger {
    bool public reentered;

    constructor(IRegistry registry) Challenger(registry) {}

    receive() external payable {
        if (reentered) return;
        reentered = true;
        // Both guards stand (the credit is zero already); the reentrancy guard answers first.
        (bool ok, bytes memory data) = address(_registry).call(abi.encodeCall(ISampledMode.withdraw, ()));
        require(!ok, "reentered withdrawal succeeded");
        require(
            keccak256(data) == keccak256(abi.encodeWithSignature("ReentrancyGuardReentrantCall()")),
            "reentry refused by something else than the reentrancy guard"
        );
    }
}
