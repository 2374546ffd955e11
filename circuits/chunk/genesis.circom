pragma circom 2.2.0;

include "commit.circom";
include "../training/checkpoint.circom";

// The genesis of a chunked "mlp-mse" run (issue #26, docs/chunks.md): the
// initial weights of a model too large for one genesis circuit, derived from
// the committed init seed in stretches, each its own proof, and wired to R0
// by a link proof that carries the genesis statement.
//
// An init tile (InitTile) derives L consecutive parameters k0 .. k0 + L - 1
// with one top exponent (InitParam's rule, the top a signal) and absorbs them
// into the weights root's sponge from a given state, at a given phase. Its
// only public input is io, a digest (TAG_CHUNK, kind 3) of the seed, k0, the
// top, the phase, the sponge state and carry before and after, and L. One
// circuit serves every stretch of L parameters wherever it starts.
//
// The link (MlpGenesisLink) proves Genesis(M, I, H, O, B, N)'s statement:
// it opens the spec, checks the run tag and the policy facts as the genesis
// circuit does, absorbs the zero biases itself, and runs the sponge from its
// start through the W1 rows of every hidden block (an init tile each), b1,
// the W2 rows of every output block (an init tile each) and b2 to R0.

// Parameter k from the init seed, with the top exponent a signal (InitParam
// with TOP given at proving time; the link fixes it through io).
template InitParamAt() {
    signal input seed;
    signal input k;
    signal input top;
    signal output param;

    component h = Poseidon(3);
    h.inputs <== [TAG_INIT(), seed, k];
    component bits = Num2Bits_strict();
    bits.in <== h.out;
    var fraction = 0;
    for (var i = 0; i < 7; i++) {
        fraction += bits.out[i] * (1 << i);
    }
    param <== bits.out[15] * (1 << 15) + (top - 3 + bits.out[7] + 2 * bits.out[8]) * (1 << 7) + fraction;
}

// L seeded parameters from k0, absorbed into the weights sponge.
template InitTile(L) {
    signal input io;           // public: digest of everything below
    signal input seed;
    signal input k0;
    signal input top;
    signal input phase;
    signal input hIn;
    signal input cIn;

    component p[L];
    component seg = WeightsSegment(L);
    for (var j = 0; j < L; j++) {
        p[j] = InitParamAt();
        p[j].seed <== seed;
        p[j].k <== k0 + j;
        p[j].top <== top;
        seg.p[j] <== p[j].param;
    }
    seg.phase <== phase;
    seg.hIn <== hIn;
    seg.cIn <== cIn;

    component ioD = Digest(TAG_CHUNK(), 10);
    ioD.in <== [3, seed, k0, top, phase, hIn, cIn, seg.hOut, seg.cOut, L];
    io === ioD.out;
}

// The genesis link of a chunked mlp-mse run with NH = H / HB hidden blocks and
// NO = O / OB output blocks. Public: the seven genesis inputs (specCommitment,
// lab, runTag, root0, paramCount, flopsPerStep, plan), then io[0 .. NH - 1] of
// the hidden blocks' init tiles (HB * I parameters each) and io[NH .. NH + NO - 1]
// of the output blocks' (OB * H each).
template MlpGenesisLink(M, I, H, O, B, HB, OB, N) {
    var NH = H \ HB;
    var NO = O \ OB;
    assert(NH * HB == H && NO * OB == O);
    assert(familyOf(M) == MODEL_MLP());
    var P = paramCountOf(M, I, H, O);
    var S = NH + NO + 2;       // stretches: W1 blocks, b1, W2 blocks, b2

    signal input specCommitment;
    signal input lab;
    signal input runTag;
    signal input root0;
    signal input paramCount;
    signal input flopsPerStep;
    signal input plan;
    signal input io[NH + NO];

    signal input fields[SPEC_FIELD_COUNT()];
    signal input salt;
    signal input states[S + 1][2]; // weights sponge (state, carry) at each stretch boundary

    component opened = OpenSpec(M, I, H, O, B, N);
    opened.fields <== fields;
    opened.salt <== salt;
    opened.commitment === specCommitment;
    component tagOf = RunTag();
    tagOf.specCommitment <== specCommitment;
    tagOf.lab <== lab;
    tagOf.out === runTag;
    paramCount === P;
    flopsPerStep === flopsOf(M, I, H, O, B);
    plan === opened.spec.plannedSteps + 4294967296 * opened.spec.checkpointInterval;
    signal seed;
    seed <== opened.spec.initSeed;

    component start = Poseidon(2);
    start.inputs <== [TAG_WEIGHTS(), P];
    states[0][0] === start.out;
    states[0][1] === 0;
    component root = WeightsFinish(P);
    root.h <== states[S][0];
    root.c <== states[S][1];
    root.root === root0;

    // Init tiles: the W1 rows of hidden block n, then (after b1) the W2 rows of output block j.
    component tIo[NH + NO];
    for (var t = 0; t < NH + NO; t++) {
        var hidden = t < NH ? 1 : 0;
        var k0 = hidden == 1 ? t * HB * I : H * I + H + (t - NH) * OB * H;
        var s = hidden == 1 ? t : t + 1;
        tIo[t] = Digest(TAG_CHUNK(), 10);
        tIo[t].in <== [3, seed, k0, initTopOf(M, I, H, O, k0), k0 % 15,
            states[s][0], states[s][1], states[s + 1][0], states[s + 1][1], hidden == 1 ? HB * I : OB * H];
        tIo[t].out === io[t];
    }
    // The biases start at zero (initTopOf is 0 for them): absorbed here.
    assert(initTopOf(M, I, H, O, H * I) == 0 && initTopOf(M, I, H, O, P - 1) == 0);
    component b1 = WeightsSegment(H);
    for (var h = 0; h < H; h++) {
        b1.p[h] <== 0;
    }
    b1.phase <== (H * I) % 15;
    b1.hIn <== states[NH][0];
    b1.cIn <== states[NH][1];
    b1.hOut === states[NH + 1][0];
    b1.cOut === states[NH + 1][1];
    component b2 = WeightsSegment(O);
    for (var o = 0; o < O; o++) {
        b2.p[o] <== 0;
    }
    b2.phase <== (H * I + H + O * H) % 15;
    b2.hIn <== states[S - 1][0];
    b2.cIn <== states[S - 1][1];
    b2.hOut === states[S][0];
    b2.cOut === states[S][1];
}
