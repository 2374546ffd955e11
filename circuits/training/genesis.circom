pragma circom 2.2.0;

include "../commit/weights.circom";
include "init.circom";
include "checkpoint.circom";

// Genesis for the linear-mse family (DESIGN §1, §4): the initial weights are
// those derived from the committed init seed, their root is R0, the policy
// facts are those of the private spec, and runTag binds the spec commitment
// to the registering lab (the tag every checkpoint of the run carries).
template Genesis(I, O, B, N) {
    var P = O * I + O;

    signal input specCommitment; // public: commitment to the private spec
    signal input lab;            // public: registering lab's address
    signal input runTag;         // public: Poseidon(TAG_RUN, specCommitment, lab)
    signal input root0;          // public: weights root R0
    signal input paramCount;     // public: number of parameters
    signal input flopsPerStep;   // public: FLOPs of one step (from the shape)
    signal input plannedSteps;   // public: planned number of steps

    signal input fields[13];     // private: spec encoding
    signal input salt;           // private: spec salt

    component spec = OpenLinearSpec(I, O, B, N);
    spec.fields <== fields;
    spec.salt <== salt;
    spec.commitment === specCommitment;

    // The lab enters the run tag, so the proof cannot be replayed with another address.
    component tagOf = RunTag();
    tagOf.specCommitment <== specCommitment;
    tagOf.lab <== lab;
    tagOf.out === runTag;

    component init[P];
    component r = WeightsRoot(P);
    for (var k = 0; k < P; k++) {
        init[k] = InitParam();
        init[k].seed <== fields[12];
        init[k].k <== k;
        r.params[k] <== init[k].param;
    }
    r.root === root0;
    paramCount === P;
    flopsPerStep === linearFlopsPerStep(I, O, B);
    plannedSteps === fields[7];
}
