pragma circom 2.2.0;

include "mlp.circom";
include "../training/checkpoint.circom";

// The link proof of a chunked "mlp-mse" step (issue #26, docs/chunks.md):
// everything of Checkpoint(M, I, H, O, B, 1, N, D) except the arithmetic,
// which the NH = H / HB hidden tiles and NO = O / OB output tiles prove, and
// the wiring that makes their statements one step:
//
//   - the spec is opened, the run tag and position checked, the batch drawn
//     from the committed seed and the run's beacon and its samples opened in
//     the committed dataset, exactly as a step proof does;
//   - the weights sponge runs through every tile's stretches in parameter
//     order (W1 rows by hidden block, b1, W2 rows by output block, b2), from
//     its start to R_before for the weights before the step and to R_after
//     for the weights after, each stretch at its phase;
//   - every hidden tile reads these features and this learning rate and the
//     hidden-error totals the last output tile leaves for its block; every
//     output tile reads these labels, the activations of all hidden tiles in
//     block order, and the totals the previous output tile left (zero for the
//     first), at its first output o0;
//   - each tile's io is the digest of exactly those values, and it is public
//     here, so the verifier checks the tile proofs against these io values.
//
// Public: the five inputs of a step proof (runTag, position, rootBefore,
// rootAfter, accumulator), then io[0 .. NH - 1] of the hidden tiles and
// io[NH .. NH + NO - 1] of the output tiles.
template MlpChunkLink(M, I, H, O, B, HB, OB, N, D) {
    var NH = H \ HB;
    var NO = O \ OB;
    assert(NH * HB == H && NO * OB == O);
    assert(familyOf(M) == MODEL_MLP() && isExact(M) == 1);
    var P = paramCountOf(M, I, H, O);
    var F = flopsOf(M, I, H, O, B);
    var S = 2 * NH + 2 * NO;   // stretches of the weights, in parameter order

    signal input runTag;
    signal input position;     // firstStep + 2^64 * F + 2^160 * beacon
    signal input rootBefore;
    signal input rootAfter;
    signal input accumulator;
    signal input io[NH + NO];

    signal input lab;
    signal input firstStep;
    signal input beacon;
    signal input fields[SPEC_FIELD_COUNT()];
    signal input salt;
    signal input x[B][I];
    signal input label[B];
    signal input siblings[B][D];
    signal input oldStates[S + 1][2]; // weights sponge (state, carry) at each stretch boundary, before the step
    signal input newStates[S + 1][2]; // the same, after the step
    signal input rDigest[NH];         // each hidden tile's activations
    signal input gDigest[NH];         // each hidden block's final totals
    signal input totals[NO + 1];      // digest of all totals before each output tile, then after the last

    component stepBits = Num2Bits(64);
    stepBits.in <== firstStep;
    component beaconBits = Num2Bits(64);
    beaconBits.in <== beacon;
    position === firstStep + (2 ** 64) * F + (2 ** 160) * beacon;

    component opened = OpenSpec(M, I, H, O, B, N);
    opened.fields <== fields;
    opened.salt <== salt;
    component tagOf = RunTag();
    tagOf.specCommitment <== opened.commitment;
    tagOf.lab <== lab;
    tagOf.out === runTag;

    component sampler[B];
    component member[B];
    component classOf[B];
    for (var s = 0; s < B; s++) {
        sampler[s] = SampleIndex(N);
        sampler[s].seed <== opened.spec.dataSeed;
        sampler[s].beacon <== beacon;
        sampler[s].step <== firstStep;
        sampler[s].position <== s;
        member[s] = SampleMembership(I, D);
        member[s].features <== x[s];
        member[s].label <== label[s];
        member[s].index <== sampler[s].index;
        member[s].siblings <== siblings[s];
        member[s].root <== opened.spec.datasetRoot;
        classOf[s] = OneHot(O);  // label < O
        classOf[s].label <== label[s];
    }
    component xD = PatternDigest(B * I);
    for (var s = 0; s < B; s++) {
        for (var i = 0; i < I; i++) {
            xD.in[s * I + i] <== x[s][i];
        }
    }
    component labelD = TensorDigest(B);
    labelD.in <== label;
    signal lr;
    lr <== opened.spec.optimizerLearningRate;

    // The weights sponge from its start through every stretch to both roots.
    component start = Poseidon(2);
    start.inputs <== [TAG_WEIGHTS(), P];
    oldStates[0][0] === start.out;
    oldStates[0][1] === 0;
    newStates[0][0] === start.out;
    newStates[0][1] === 0;
    component rootOld = WeightsFinish(P);
    rootOld.h <== oldStates[S][0];
    rootOld.c <== oldStates[S][1];
    rootOld.root === rootBefore;
    component rootNew = WeightsFinish(P);
    rootNew.h <== newStates[S][0];
    rootNew.c <== newStates[S][1];
    rootNew.root === rootAfter;

    // Activations of all blocks; the totals start at zero and end in each block's.
    component rAll = TensorDigest(NH);
    rAll.in <== rDigest;
    component gAll = TensorDigest(NH);
    gAll.in <== gDigest;
    gAll.out === totals[NO];
    component zeroBlock = TotalsDigest(B, HB);
    for (var s = 0; s < B; s++) {
        for (var h = 0; h < HB; h++) {
            zeroBlock.sum[s][h] <== 0;
            zeroBlock.flags[s][h] <== 0;
            zeroBlock.signs[s][h] <== 0;
        }
    }
    component zeroAll = TensorDigest(NH);
    for (var n = 0; n < NH; n++) {
        zeroAll.in[n] <== zeroBlock.out;
    }
    zeroAll.out === totals[0];

    // Each tile's io from the wiring.
    component hIo[NH];
    for (var n = 0; n < NH; n++) {
        var ws = n;                // stretch of its W1 rows
        var bs = NH + n;           // stretch of its b1 entries
        hIo[n] = Digest(TAG_CHUNK(), 25);
        hIo[n].in <== [1, xD.out, lr,
            (n * HB * I) % 15, oldStates[ws][0], oldStates[ws][1], oldStates[ws + 1][0], oldStates[ws + 1][1],
            newStates[ws][0], newStates[ws][1], newStates[ws + 1][0], newStates[ws + 1][1],
            (H * I + n * HB) % 15, oldStates[bs][0], oldStates[bs][1], oldStates[bs + 1][0], oldStates[bs + 1][1],
            newStates[bs][0], newStates[bs][1], newStates[bs + 1][0], newStates[bs + 1][1],
            rDigest[n], gDigest[n], HB, I];
        hIo[n].out === io[n];
    }
    component oIo[NO];
    for (var j = 0; j < NO; j++) {
        var ws = 2 * NH + j;       // stretch of its W2 rows
        var bs = 2 * NH + NO + j;  // stretch of its b2 entries
        oIo[j] = Digest(TAG_CHUNK(), 28);
        oIo[j].in <== [2, labelD.out, lr, j * OB,
            (H * I + H + j * OB * H) % 15, oldStates[ws][0], oldStates[ws][1], oldStates[ws + 1][0], oldStates[ws + 1][1],
            newStates[ws][0], newStates[ws][1], newStates[ws + 1][0], newStates[ws + 1][1],
            (H * I + H + O * H + j * OB) % 15, oldStates[bs][0], oldStates[bs][1], oldStates[bs + 1][0], oldStates[bs + 1][1],
            newStates[bs][0], newStates[bs][1], newStates[bs + 1][0], newStates[bs + 1][1],
            rAll.out, totals[j], totals[j + 1], H, OB, HB];
        oIo[j].out === io[NH + j];
    }

    // The step statement and the accumulator of one step (Checkpoint(1)).
    component stmt = Poseidon(7);
    stmt.inputs <== [TAG_STEP(), runTag, beacon, firstStep, rootBefore, rootAfter, F];
    component acc = Poseidon(3);
    acc.inputs <== [TAG_ACCUMULATOR(), 0, stmt.out];
    accumulator === acc.out;
}
