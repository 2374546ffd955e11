pragma circom 2.2.0;

include "poseidon.circom";
include "../commit/tags.circom";
include "../commit/merkle.circom";
include "../commit/digest.circom";

// Leaf of a sample (prover/dataset/dataset.ts): Poseidon(tag, features...,
// label) for up to 14 features; above, Poseidon(wide tag, PatternDigest of
// the features, label), which range-checks every feature to 16 bits.
template SampleLeaf(F) {
    signal input features[F];  // bf16 patterns
    signal input label;        // class index
    signal output leaf;
    if (F > 14) {
        component wide = Poseidon(3);
        wide.inputs <== [TAG_WIDE_LEAF(), PatternDigest(F)(features), label];
        leaf <== wide.out;
    } else {
        leaf <== NarrowLeaf(F)(features, label);
    }
}

template NarrowLeaf(F) {
    signal input features[F];  // bf16 patterns
    signal input label;        // class index
    signal output leaf;
    component h = Poseidon(F + 2);
    h.inputs[0] <== TAG_DATASET_LEAF();
    for (var i = 0; i < F; i++) {
        h.inputs[i + 1] <== features[i];
    }
    h.inputs[F + 1] <== label;
    leaf <== h.out;
}

// A sample belongs to the dataset with the given root at the given index.
template SampleMembership(F, D) {
    signal input features[F];  // bf16 patterns
    signal input label;        // class index
    signal input index;        // position in the dataset
    signal input siblings[D];  // Merkle path
    signal input root;         // dataset root
    component leaf = SampleLeaf(F);
    leaf.features <== features;
    leaf.label <== label;
    component mr = MerkleRoot(D);
    mr.leaf <== leaf.leaf;
    mr.index <== index;
    mr.siblings <== siblings;
    mr.root === root;
}
