pragma circom 2.2.0;

include "poseidon.circom";
include "bitify.circom";
include "../commit/tags.circom";
include "../commit/weights.circom";
include "../spec/commitment.circom";
include "../dataset/sampler.circom";
include "../dataset/leaf.circom";
include "family.circom";

// Opens the spec commitment and checks the fields the circuit is built for
// and every field the statement relies on (DESIGN §3, issue #16): the
// learning rate is a positive normal bf16 (not zero, negative, subnormal,
// infinite or NaN) and the plan has 1 to 2^32 - 1 steps. M is the model
// family's code, H its hidden width (0 for linear-mse).
template OpenSpec(M, I, H, O, B, N) {
    signal input fields[SPEC_FIELD_COUNT()]; // canonical spec encoding (private)
    signal input salt;           // hiding salt (private)
    signal output commitment;    // the spec commitment
    output Spec() spec;          // the same fields, by name

    component c = SpecCommitment();
    c.fields <== fields;
    c.salt <== salt;
    commitment <== c.commitment;
    spec <== DecodeSpec()(fields);
    spec.version === 1;
    spec.modelFamily === modelField(M, H); // model family (and hidden width)
    spec.modelInputs === I;
    spec.modelOutputs === O;
    spec.optimizerKind === 1;    // sgd
    spec.batchSize === B;
    spec.datasetSize === N;

    component lr = RequirePositiveNormalBf16();
    lr.x <== spec.optimizerLearningRate;
    component planBits = Num2Bits(32);
    planBits.in <== spec.plannedSteps; // planned steps < 2^32
    component planZero = IsZero();
    planZero.in <== spec.plannedSteps;
    planZero.out === 0;          // planned steps >= 1
}

// Run tag (DESIGN §4, issue #4): Poseidon(TAG_RUN, specCommitment, lab).
// A spec commitment is registered once, so the pair names exactly one run;
// the registry learns the tag from the genesis proof and every checkpoint
// must carry it, so no proof can be replayed into another run or by
// another lab.
template RunTag() {
    signal input specCommitment; // commitment to the private spec
    signal input lab;            // the registering lab's address
    signal output out;           // the run tag

    component h = Poseidon(3);
    h.inputs <== [TAG_RUN(), specCommitment, lab];
    out <== h.out;
}

// Checkpoint(K) for model family M (DESIGN §4-5, family.circom): K consecutive
// training steps re-proved in one circuit ("aggregation by re-proving", not
// recursive verification). A step proof is Checkpoint(1).
//
// Public (five inputs, to keep on-chain verification cheap):
//   runTag      = Poseidon(TAG_RUN, specCommitment, lab), the run binding;
//   position    = firstStep + 2^64 * flops + 2^160 * beacon: the first step
//                 index a and the run's registration beacon (each
//                 range-checked to 64 bits) and the FLOPs of the K steps
//                 (a constant of the shape, < 2^96), so the packing is
//                 one-to-one (it stays below 2^224 < p);
//   rootBefore  = weights root R_a;  rootAfter = weights root R_{a+K};
//   accumulator = accumulator over the K step statements.
template Checkpoint(M, I, H, O, B, K, N, D) {
    var P = paramCountOf(M, I, H, O);
    var F = flopsOf(M, I, H, O, B);
    assert(K * F < 2 ** 96);

    signal input runTag;           // public: run binding (spec commitment and lab)
    signal input position;         // public: firstStep + 2^64 * (K * F) + 2^160 * beacon
    signal input rootBefore;       // public: weights root R_a
    signal input rootAfter;        // public: weights root R_{a+K}
    signal input accumulator;      // public: accumulator over the K step statements

    signal input lab;              // private: the run's lab address
    signal input firstStep;        // private: index a of the first step (unpacked from position)
    signal input beacon;           // private: the run's registration beacon (unpacked from position)
    signal input fields[SPEC_FIELD_COUNT()]; // private: spec encoding
    signal input salt;             // private: spec salt
    signal input params[P];        // private: weights at step a
    signal input x[K][B][I];       // private: features of each batch sample
    signal input label[K][B];      // private: labels
    signal input siblings[K][B][D]; // private: dataset Merkle paths

    // position packs firstStep (< 2^64), the constant FLOPs of K steps and the beacon (< 2^64).
    component stepBits = Num2Bits(64);
    stepBits.in <== firstStep;
    component beaconBits = Num2Bits(64);
    beaconBits.in <== beacon;
    position === firstStep + (2 ** 64) * (K * F) + (2 ** 160) * beacon;

    // The spec and the run: the commitment opened here and the lab give the run tag.
    component opened = OpenSpec(M, I, H, O, B, N);
    opened.fields <== fields;
    opened.salt <== salt;
    component tagOf = RunTag();
    tagOf.specCommitment <== opened.commitment;
    tagOf.lab <== lab;
    tagOf.out === runTag;

    // Weights at step a match R_a (WeightsRoot range-checks each pattern).
    component r0 = WeightsRoot(P);
    r0.params <== params;
    r0.root === rootBefore;

    component sampler[K][B];
    component member[K][B];
    component step[K];
    component root[K];
    component stmt[K];
    component acc[K];
    signal roots[K + 1];
    signal accs[K + 1];
    roots[0] <== rootBefore;
    accs[0] <== 0;
    for (var j = 0; j < K; j++) {
        // The batch: indices from the committed seed and the run's beacon, samples in the committed dataset.
        for (var s = 0; s < B; s++) {
            sampler[j][s] = SampleIndex(N);
            sampler[j][s].seed <== opened.spec.dataSeed;
            sampler[j][s].beacon <== beacon;
            sampler[j][s].step <== firstStep + j;
            sampler[j][s].position <== s;
            member[j][s] = SampleMembership(I, D);
            member[j][s].features <== x[j][s];
            member[j][s].label <== label[j][s];
            member[j][s].index <== sampler[j][s].index;
            member[j][s].siblings <== siblings[j][s];
            member[j][s].root <== opened.spec.datasetRoot;
        }
        // The step itself, bit-exact, with the committed learning rate.
        step[j] = FamilyStep(M, I, H, O, B);
        if (j == 0) {
            step[j].params <== params;
        } else {
            step[j].params <== step[j - 1].newParams;
        }
        step[j].x <== x[j];
        step[j].label <== label[j];
        step[j].lr <== opened.spec.optimizerLearningRate;
        root[j] = WeightsRoot(P);
        root[j].params <== step[j].newParams;
        roots[j + 1] <== root[j].root;

        // Step statement and accumulator (prover/statement/statement.ts).
        stmt[j] = Poseidon(7);
        stmt[j].inputs <== [TAG_STEP(), runTag, beacon, firstStep + j, roots[j], roots[j + 1], F];
        acc[j] = Poseidon(3);
        acc[j].inputs <== [TAG_ACCUMULATOR(), accs[j], stmt[j].out];
        accs[j + 1] <== acc[j].out;
    }
    rootAfter === roots[K];
    accumulator === accs[K];
}
