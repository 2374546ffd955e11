// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ITrainingRegistry} from "../../../contracts/registry/ITrainingRegistry.sol";
import {TrainingRegistry} from "../../../contracts/registry/TrainingRegistry.sol";
import {MockProofVerifier} from "./MockProofVerifier.sol";
import {RootsTree} from "./RootsTree.sol";
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

    TrainingRegistry private registry;
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
        registry = new TrainingRegistry(0, address(this), address(this), address(this));
        genesisVerifier = new MockProofVerifier(registry.GENESIS_SIGNALS());
        checkpointVerifier = new MockProofVerifier(registry.CHECKPOINT_SIGNALS());
        stepVerifier = new MockProofVerifier(registry.CHECKPOINT_SIGNALS());
        registry.registerFamily(family, genesisVerifier, checkpointVerifier, _K, stepVerifier, "mock, K = 4");
        registry.registerFamily(
            fullOnly,
            genesisVerifier,
            checkpointVerifier,
            _K,
            MockProofVerifier(address(0)),
            "mock, no sampling"
        );
        registry.setSamplingPolicy(1, _FEE);
        handler = new SampledHandler(registry, genesisVerifier, stepVerifier, family);
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
        require(registry.getChallenge(runId, 2).state == ITrainingRegistry.ChallengeState.Answered, "not answered");
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
        uint256[8] memory proof = genesisVerifier.proofFor(registry.genesisPublicInputs(1, _LAB, facts));
        vm.prank(_LAB);
        runId = registry.registerSampledRun(
            familyId,
            1,
            _attest(),
            ITrainingRegistry.Sampling(s, response),
            facts,
            proof
        );
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

    function _commit(uint256 runId, uint64 window) private returns (ITrainingRegistry.WindowRef memory ref) {
        (bytes32 root, bytes32[][] memory paths) = RootsTree.build(registry, window * _K, _K, _r);
        vm.prank(_LAB);
        registry.commitWindow(runId, window * _K, root, _r(window * _K + _K), paths[_K - 1]);
        ref = ITrainingRegistry.WindowRef(root, uint64(block.number));
    }

    function _answer(
        uint256 runId,
        uint64 t,
        ITrainingRegistry.WindowRef memory before,
        ITrainingRegistry.WindowRef memory after_
    ) private view returns (ITrainingRegistry.ChallengeAnswer memory a, uint256[8] memory proof) {
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

    function _proof(
        uint256 runId,
        ITrainingRegistry.ChallengeAnswer memory a
    ) private view returns (uint256[8] memory) {
        return RootsTree.mockStepProof(registry, stepVerifier, runId, a);
    }

    function _drawn(
        uint256 runId,
        uint64 window,
        ITrainingRegistry.WindowRef memory ref
    ) private returns (uint64[] memory) {
        vm.roll(ref.committedBlock + registry.DRAW_DELAY_BLOCKS() + 1);
        return registry.drawChallenges(runId, window, ref);
    }

    // ------------------------------------------------------------- registration

    function test_registrationChecksTerms() public {
        ITrainingRegistry.GenesisFacts memory facts = _facts(5);
        uint256[8] memory proof = genesisVerifier.proofFor(registry.genesisPublicInputs(1, _LAB, facts));
        vm.prank(_LAB);
        vm.expectRevert(abi.encodeWithSelector(ITrainingRegistry.FamilyCannotSample.selector, fullOnly));
        registry.registerSampledRun(fullOnly, 1, _attest(), ITrainingRegistry.Sampling(1, 60), facts, proof);
        vm.prank(_LAB);
        vm.expectRevert(
            abi.encodeWithSelector(
                ITrainingRegistry.InvalidSampling.selector,
                uint16(5),
                uint32(60),
                uint16(1),
                uint16(4)
            )
        );
        registry.registerSampledRun(family, 1, _attest(), ITrainingRegistry.Sampling(5, 60), facts, proof);
        vm.prank(_LAB);
        vm.expectRevert(
            abi.encodeWithSelector(
                ITrainingRegistry.InvalidSampling.selector,
                uint16(1),
                uint32(0),
                uint16(1),
                uint16(4)
            )
        );
        registry.registerSampledRun(family, 1, _attest(), ITrainingRegistry.Sampling(1, 0), facts, proof);
        registry.setSamplingPolicy(3, _FEE);
        vm.prank(_LAB);
        vm.expectRevert(
            abi.encodeWithSelector(
                ITrainingRegistry.InvalidSampling.selector,
                uint16(2),
                uint32(60),
                uint16(3),
                uint16(4)
            )
        );
        registry.registerSampledRun(family, 1, _attest(), ITrainingRegistry.Sampling(2, 60), facts, proof);
        vm.prank(_LAB);
        uint256 runId = registry.registerSampledRun(
            family,
            1,
            _attest(),
            ITrainingRegistry.Sampling(3, 60),
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
        uint256[8] memory g = genesisVerifier.proofFor(registry.genesisPublicInputs(2, _LAB, facts));
        vm.prank(_LAB);
        uint256 full = registry.registerRun(family, 2, _attest(), facts, g);
        bytes32[] memory none = new bytes32[](2);
        vm.prank(_LAB);
        vm.expectRevert(abi.encodeWithSelector(ITrainingRegistry.NotSampledRun.selector, full));
        registry.commitWindow(full, 0, bytes32(0), 0, none);
        vm.expectRevert(abi.encodeWithSelector(ITrainingRegistry.NotSampledRun.selector, full));
        registry.requestChallenge{value: _FEE}(full, 0);
    }

    // ------------------------------------------------------------- commitments

    function test_commitChecksOrderLabAndEnd() public {
        uint256 runId = _register(family, _S, _RESPONSE);
        (bytes32 root, bytes32[][] memory paths) = RootsTree.build(registry, 0, _K, _r);
        vm.expectRevert(abi.encodeWithSelector(ITrainingRegistry.NotRunLab.selector, runId, address(this)));
        registry.commitWindow(runId, 0, root, _r(4), paths[3]);
        vm.prank(_LAB);
        vm.expectRevert(
            abi.encodeWithSelector(ITrainingRegistry.WindowOutOfOrder.selector, runId, uint64(0), uint64(4))
        );
        registry.commitWindow(runId, 4, root, _r(4), paths[3]);
        // rootAfter must be the tree's last leaf: another root, another position's path, a short path.
        vm.prank(_LAB);
        vm.expectRevert(abi.encodeWithSelector(ITrainingRegistry.InvalidRootPath.selector, runId, uint64(4)));
        registry.commitWindow(runId, 0, root, _r(5), paths[3]);
        vm.prank(_LAB);
        vm.expectRevert(abi.encodeWithSelector(ITrainingRegistry.InvalidRootPath.selector, runId, uint64(4)));
        registry.commitWindow(runId, 0, root, _r(4), paths[2]);
        bytes32[] memory short = new bytes32[](1);
        short[0] = paths[3][0];
        vm.prank(_LAB);
        vm.expectRevert(abi.encodeWithSelector(ITrainingRegistry.InvalidRootPath.selector, runId, uint64(4)));
        registry.commitWindow(runId, 0, root, _r(4), short);
        _commit(runId, 0);
        ITrainingRegistry.Run memory run = registry.getRun(runId);
        require(run.steps == 4 && run.cumulativeFlops == 400 && run.root == _r(4), "committed steps not counted");
        require(run.answered == 0 && run.challenged == 0, "nothing proven by a commitment");
    }

    // ------------------------------------------------------------- draws

    function test_drawWaitsForItsBlockAndHappensOnce() public {
        uint256 runId = _register(family, _S, _RESPONSE);
        ITrainingRegistry.WindowRef memory ref = _commit(runId, 0);
        uint64 seedBlock = ref.committedBlock + registry.DRAW_DELAY_BLOCKS();
        vm.roll(seedBlock);
        vm.expectRevert(
            abi.encodeWithSelector(
                ITrainingRegistry.DrawTooEarly.selector,
                runId,
                uint64(0),
                seedBlock,
                uint256(seedBlock)
            )
        );
        registry.drawChallenges(runId, 0, ref);
        vm.roll(seedBlock + 1);
        vm.expectRevert(abi.encodeWithSelector(ITrainingRegistry.UnknownWindow.selector, runId, uint64(0)));
        registry.drawChallenges(runId, 0, ITrainingRegistry.WindowRef(ref.root, ref.committedBlock + 1));
        vm.expectRevert(abi.encodeWithSelector(ITrainingRegistry.UnknownWindow.selector, runId, uint64(1)));
        registry.drawChallenges(runId, 1, ref);
        uint64[] memory steps = registry.drawChallenges(runId, 0, ref);
        require(steps.length == _S, "not s challenges");
        bytes32 seed = keccak256(abi.encode(ref.root, blockhash(seedBlock)));
        uint64[] memory expected = registry.challengeOffsets(seed, _K, _S);
        for (uint256 i = 0; i < _S; ++i) {
            require(steps[i] == expected[i], "draw is not the seed's");
            require(registry.getChallenge(runId, steps[i]).state == ITrainingRegistry.ChallengeState.Open, "not open");
        }
        vm.expectRevert(abi.encodeWithSelector(ITrainingRegistry.ChallengesAlreadyDrawn.selector, runId, uint64(0)));
        registry.drawChallenges(runId, 0, ref);
        require(registry.getRun(runId).challenged == _S, "challenged count");
    }

    function test_drawPastHorizonChallengesEveryStep() public {
        uint256 runId = _register(family, _S, _RESPONSE);
        ITrainingRegistry.WindowRef memory ref = _commit(runId, 0);
        vm.roll(ref.committedBlock + registry.DRAW_DELAY_BLOCKS() + 257);
        uint64[] memory steps = registry.drawChallenges(runId, 0, ref);
        require(steps.length == 0 && registry.getWindow(runId, 0).everyStep, "not every step");
        for (uint64 t = 0; t < _K; ++t) {
            require(registry.getChallenge(runId, t).state == ITrainingRegistry.ChallengeState.Open, "step not open");
        }
        require(registry.getRun(runId).challenged == _K, "challenged count");
        vm.expectRevert(abi.encodeWithSelector(ITrainingRegistry.StepAlreadyChallenged.selector, runId, uint64(1)));
        registry.requestChallenge{value: _FEE}(runId, 1);
        // The lab answers one, the rest are flagged after the response time.
        (ITrainingRegistry.ChallengeAnswer memory a, uint256[8] memory proof) = _answer(runId, 2, ref, ref);
        vm.prank(_LAB);
        registry.answerChallenge(runId, a, proof);
        vm.warp(_T0 + _RESPONSE + 1);
        for (uint64 t = 0; t < _K; ++t) if (t != 2) registry.flagUnansweredChallenge(runId, t);
        ITrainingRegistry.Run memory run = registry.getRun(runId);
        require(run.answered == 1 && run.violations[_UNANSWERED] == 3, "outcomes");
    }

    // ------------------------------------------------------------- answers

    function test_answerOpensBothRootsAndVerifiesTheStep() public {
        uint256 runId = _register(family, _S, _RESPONSE);
        ITrainingRegistry.WindowRef memory w0 = _commit(runId, 0);
        ITrainingRegistry.WindowRef memory w1 = _commit(runId, 1);
        // Challenge step 4 (first of window 1: r(4) is in window 0) and step 5 by paying.
        vm.deal(_AUDITOR, 10 ether);
        vm.prank(_AUDITOR);
        registry.requestChallenge{value: _FEE}(runId, 4);
        vm.prank(_AUDITOR);
        registry.requestChallenge{value: _FEE}(runId, 5);
        (ITrainingRegistry.ChallengeAnswer memory a, uint256[8] memory proof) = _answer(runId, 4, w0, w1);
        // Wrong: the other window's reference, another leaf's path, another index, another run's proof.
        ITrainingRegistry.ChallengeAnswer memory bad = _copy(a);
        bad.windowBefore = ITrainingRegistry.WindowRef(w1.root, w1.committedBlock);
        _expectAnswerRevert(
            runId,
            bad,
            proof,
            abi.encodeWithSelector(ITrainingRegistry.UnknownWindow.selector, runId, uint64(0))
        );
        bad = _copy(a);
        bad.windowAfter = ITrainingRegistry.WindowRef(w0.root, w0.committedBlock);
        _expectAnswerRevert(
            runId,
            bad,
            proof,
            abi.encodeWithSelector(ITrainingRegistry.UnknownWindow.selector, runId, uint64(1))
        );
        bad = _copy(a);
        bad.pathAfter = bad.pathBefore;
        _expectAnswerRevert(
            runId,
            bad,
            proof,
            abi.encodeWithSelector(ITrainingRegistry.InvalidRootPath.selector, runId, uint64(5))
        );
        bad = _copy(a);
        bad.rootAfter = _r(6);
        _expectAnswerRevert(
            runId,
            bad,
            _proof(runId, bad),
            abi.encodeWithSelector(ITrainingRegistry.InvalidRootPath.selector, runId, uint64(5))
        );
        bad = _copy(a);
        bad.step = 5;
        // Step 5's r(5) is a leaf of window 1, not of the window 0 the answer names.
        _expectAnswerRevert(
            runId,
            bad,
            _proof(runId, bad),
            abi.encodeWithSelector(ITrainingRegistry.UnknownWindow.selector, runId, uint64(1))
        );
        bad.windowBefore = ITrainingRegistry.WindowRef(w1.root, w1.committedBlock);
        _expectAnswerRevert(
            runId,
            bad,
            _proof(runId, bad),
            abi.encodeWithSelector(ITrainingRegistry.InvalidRootPath.selector, runId, uint64(5))
        );
        uint256 other = _otherRun();
        _expectAnswerRevert(
            runId,
            a,
            _proof(other, a),
            abi.encodeWithSelector(ITrainingRegistry.InvalidStepProof.selector, runId, uint64(4))
        );
        bad = _copy(a);
        bad.accumulator = 78;
        _expectAnswerRevert(
            runId,
            bad,
            proof,
            abi.encodeWithSelector(ITrainingRegistry.InvalidStepProof.selector, runId, uint64(4))
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
                ITrainingRegistry.ChallengeNotOpen.selector,
                runId,
                uint64(4),
                ITrainingRegistry.ChallengeState.Answered
            )
        );
        require(registry.creditOf(_LAB) == _FEE, "fee not credited to the lab");
        // An unchallenged step cannot be answered.
        (ITrainingRegistry.ChallengeAnswer memory u, uint256[8] memory up) = _answer(runId, 6, w1, w1);
        _expectAnswerRevert(
            runId,
            u,
            up,
            abi.encodeWithSelector(
                ITrainingRegistry.ChallengeNotOpen.selector,
                runId,
                uint64(6),
                ITrainingRegistry.ChallengeState.None
            )
        );
        // Step 5 answered late: refused, then flagged, and the fee goes back to the auditor.
        vm.warp(_T0 + _RESPONSE + 1);
        (ITrainingRegistry.ChallengeAnswer memory late, uint256[8] memory lp) = _answer(runId, 5, w1, w1);
        _expectAnswerRevert(
            runId,
            late,
            lp,
            abi.encodeWithSelector(
                ITrainingRegistry.AnswerTooLate.selector,
                runId,
                uint64(5),
                uint64(_RESPONSE + 1),
                _RESPONSE
            )
        );
        vm.prank(_AUDITOR);
        registry.flagUnansweredChallenge(runId, 5);
        require(registry.creditOf(_AUDITOR) == _FEE, "fee not refunded");
        vm.expectRevert(
            abi.encodeWithSelector(
                ITrainingRegistry.ChallengeNotOpen.selector,
                runId,
                uint64(5),
                ITrainingRegistry.ChallengeState.Unanswered
            )
        );
        registry.flagUnansweredChallenge(runId, 5);
        // Pull payments.
        uint256 before = _AUDITOR.balance;
        vm.prank(_AUDITOR);
        registry.withdraw();
        require(_AUDITOR.balance == before + _FEE && registry.creditOf(_AUDITOR) == 0, "withdrawal");
        vm.prank(_AUDITOR);
        vm.expectRevert(abi.encodeWithSelector(ITrainingRegistry.NothingToWithdraw.selector, _AUDITOR));
        registry.withdraw();
        ITrainingRegistry.Run memory run = registry.getRun(runId);
        require(run.challenged == 2 && run.answered == 1 && run.violations[_UNANSWERED] == 1, "counts");
    }

    function test_stepZeroOpensAgainstGenesisRoot() public {
        uint256 runId = _register(family, _S, _RESPONSE);
        ITrainingRegistry.WindowRef memory w0 = _commit(runId, 0);
        vm.deal(_AUDITOR, 1 ether);
        vm.prank(_AUDITOR);
        registry.requestChallenge{value: _FEE}(runId, 0);
        (ITrainingRegistry.ChallengeAnswer memory a, uint256[8] memory proof) = _answer(runId, 0, w0, w0);
        ITrainingRegistry.ChallengeAnswer memory bad = _copy(a);
        bad.rootBefore = _r(1);
        _expectAnswerRevert(
            runId,
            bad,
            _proof(runId, bad),
            abi.encodeWithSelector(ITrainingRegistry.InvalidRootPath.selector, runId, uint64(0))
        );
        vm.prank(_LAB);
        registry.answerChallenge(runId, a, proof);
        require(registry.getChallenge(runId, 0).state == ITrainingRegistry.ChallengeState.Answered, "not answered");
    }

    function test_paidChallengeChecks() public {
        uint256 runId = _register(family, _S, _RESPONSE);
        _commit(runId, 0);
        vm.deal(_AUDITOR, 10 ether);
        vm.prank(_AUDITOR);
        vm.expectRevert(
            abi.encodeWithSelector(ITrainingRegistry.WrongChallengeFee.selector, uint256(_FEE), uint256(1))
        );
        registry.requestChallenge{value: 1}(runId, 0);
        vm.prank(_AUDITOR);
        vm.expectRevert(
            abi.encodeWithSelector(ITrainingRegistry.StepNotCommitted.selector, runId, uint64(4), uint64(4))
        );
        registry.requestChallenge{value: _FEE}(runId, 4);
        vm.prank(_AUDITOR);
        registry.requestChallenge{value: _FEE}(runId, 3);
        vm.prank(_AUDITOR);
        vm.expectRevert(abi.encodeWithSelector(ITrainingRegistry.StepAlreadyChallenged.selector, runId, uint64(3)));
        registry.requestChallenge{value: _FEE}(runId, 3);
        vm.expectRevert(
            abi.encodeWithSelector(
                ITrainingRegistry.ChallengeNotExpired.selector,
                runId,
                uint64(3),
                uint64(0),
                _RESPONSE
            )
        );
        registry.flagUnansweredChallenge(runId, 3);
        vm.expectRevert(abi.encodeWithSelector(ITrainingRegistry.UnknownRun.selector, uint256(99)));
        registry.requestChallenge{value: _FEE}(99, 0);
        registry.setSamplingPolicy(1, 0);
        vm.prank(_AUDITOR);
        vm.expectRevert(ITrainingRegistry.PaidChallengesDisabled.selector);
        registry.requestChallenge{value: 0}(runId, 2);
    }

    function test_pausedTimeDoesNotCountAgainstAnAnswer() public {
        uint256 runId = _register(family, _S, _RESPONSE);
        ITrainingRegistry.WindowRef memory w0 = _commit(runId, 0);
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
            abi.encodeWithSelector(
                ITrainingRegistry.ChallengeNotExpired.selector,
                runId,
                uint64(1),
                uint64(500),
                _RESPONSE
            )
        );
        registry.flagUnansweredChallenge(runId, 1);
        (ITrainingRegistry.ChallengeAnswer memory a, uint256[8] memory proof) = _answer(runId, 1, w0, w0);
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
            abi.encodeWithSelector(ITrainingRegistry.WithdrawalFailed.selector, address(refuser), uint256(_FEE))
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
        uint256[8] memory proof = genesisVerifier.proofFor(registry.genesisPublicInputs(3, _LAB, facts));
        vm.prank(_LAB);
        runId = registry.registerSampledRun(family, 3, _attest(), ITrainingRegistry.Sampling(1, 60), facts, proof);
    }

    /// @dev A deep copy: assigning to a member of a copy never writes through to the original's refs.
    function _copy(
        ITrainingRegistry.ChallengeAnswer memory a
    ) private pure returns (ITrainingRegistry.ChallengeAnswer memory b) {
        b = ITrainingRegistry.ChallengeAnswer(
            a.step,
            a.rootBefore,
            ITrainingRegistry.WindowRef(a.windowBefore.root, a.windowBefore.committedBlock),
            a.pathBefore,
            a.rootAfter,
            ITrainingRegistry.WindowRef(a.windowAfter.root, a.windowAfter.committedBlock),
            a.pathAfter,
            a.accumulator
        );
    }

    function _expectAnswerRevert(
        uint256 runId,
        ITrainingRegistry.ChallengeAnswer memory a,
        uint256[8] memory proof,
        bytes memory err
    ) private {
        vm.prank(_LAB);
        vm.expectRevert(err);
        registry.answerChallenge(runId, a, proof);
    }
}

/// @notice An account with code that pays for challenges and withdraws its credit.
abstract contract Challenger {
    TrainingRegistry internal immutable _registry;

    constructor(TrainingRegistry registry) {
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
    constructor(TrainingRegistry registry) Challenger(registry) {}

    receive() external payable {
        revert("no");
    }
}

/// @notice Challenges, then tries to withdraw again from inside its withdrawal.
contract Reenterer is Challenger {
    bool public reentered;

    constructor(TrainingRegistry registry) Challenger(registry) {}

    receive() external payable {
        if (reentered) return;
        reentered = true;
        // Both guards stand (the credit is zero already); the reentrancy guard answers first.
        (bool ok, bytes memory data) = address(_registry).call(abi.encodeCall(TrainingRegistry.withdraw, ()));
        require(!ok, "reentered withdrawal succeeded");
        require(
            keccak256(data) == keccak256(abi.encodeWithSignature("ReentrancyGuardReentrantCall()")),
            "reentry refused by something else than the reentrancy guard"
        );
    }
}
