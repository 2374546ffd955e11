pragma circom 2.2.0;

include "../commit/weights.circom";
include "checkpoint.circom";

// Genesis for model family M (DESIGN §1, §4; family.circom): the initial weights are
// those derived from the committed init seed, their root is R0, the policy
// facts are those of the private spec (its planned steps and its checkpoint
// interval, which the registry matches with the family's K), and runTag binds
// the spec commitment to the registering lab (the tag every checkpoint of the
// run carries).
template Genesis(M, I, H, O, B, N) {
    var P = paramCountOf(M, I, H, O);

    signal input specCommitment; // public: commitment to the private spec
    signal input lab;            // public: registering lab's address
    signal input runTag;         // public: Poseidon(TAG_RUN, specCommitment, lab)
    signal input root0;          // public: weights root R0
    signal input paramCount;     // public: number of parameters
    signal input flopsPerStep;   // public: FLOPs of one step (from the shape)
    signal input plan;           // public: plannedSteps + 2^32 * checkpointInterval

    signal input fields[SPEC_FIELD_COUNT()]; // private: spec encoding
    signal input salt;           // private: spec salt

    component opened = OpenSpec(M, I, H, O, B, N);
    opened.fields <== fields;
    opened.salt <== salt;
    opened.commitment === specCommitment;

    // The lab enters the run tag, so the proof cannot be replayed with another address.
    component tagOf = RunTag();
    tagOf.specCommitment <== specCommitment;
    tagOf.lab <== lab;
    tagOf.out === runTag;

    component init = FamilyInit(M, I, H, O);
    init.seed <== opened.spec.initSeed;
    component r = WeightsRoot(P);
    r.params <== init.params;
    r.root === root0;
    paramCount === P;
    flopsPerStep === flopsOf(M, I, H, O, B);
    // The plan and the checkpoint interval, packed (planned steps are range-checked to 32 bits in
    // OpenSpec, so the packing is one-to-one): the registry supplies the family's K as the interval,
    // so a spec is registered only under a family whose K it committed to (issue #24).
    plan === opened.spec.plannedSteps + 4294967296 * opened.spec.checkpointInterval;
}
