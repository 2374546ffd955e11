pragma circom 2.2.0;

include "bitify.circom";
include "poseidon.circom";
include "tags.circom";

// Root of a binary Poseidon Merkle tree of depth D from a leaf, its index
// and its siblings (prover/commit/merkle.ts): node = Poseidon(tag, left, right).
template MerkleRoot(D) {
    signal input leaf;         // leaf value
    signal input index;        // leaf position, < 2^D (enforced)
    signal input siblings[D];  // sibling at each level, leaves first
    signal output root;

    // Bit i of the index: is the level-i node a right child?
    component bits = Num2Bits(D);
    bits.in <== index;

    signal node[D + 1];
    signal left[D];
    component h[D];
    node[0] <== leaf;
    for (var i = 0; i < D; i++) {
        left[i] <== node[i] + bits.out[i] * (siblings[i] - node[i]);
        h[i] = Poseidon(3);
        h[i].inputs <== [TAG_MERKLE_NODE(), left[i], node[i] + siblings[i] - left[i]];
        node[i + 1] <== h[i].out;
    }
    root <== node[D];
}
