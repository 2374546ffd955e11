pragma circom 2.2.0;

include "bitify.circom";
include "poseidon.circom";
include "tags.circom";

// Digests of tensors (prover/commit/digest.ts mirrors every template here):
// the wide dataset leaves (circuits/dataset/leaf.circom) and the values the
// chunk proofs of a step hand each other (circuits/chunk, issue #26).

// Digest of N field elements under a domain tag: h = Poseidon(TAG, N), then
// h = Poseidon(h, up to 15 elements) per group, in order.
template Digest(TAG, N) {
    var G = (N + 14) \ 15;
    signal input in[N];
    signal output out;

    component start = Poseidon(2);
    start.inputs <== [TAG, N];
    component h[G];
    signal state[G + 1];
    state[0] <== start.out;
    for (var g = 0; g < G; g++) {
        var len = N - 15 * g < 15 ? N - 15 * g : 15;
        h[g] = Poseidon(len + 1);
        h[g].inputs[0] <== state[g];
        for (var j = 0; j < len; j++) {
            h[g].inputs[j + 1] <== in[15 * g + j];
        }
        state[g + 1] <== h[g].out;
    }
    out <== state[G];
}

// A tensor's digest: Digest under TAG_TENSOR.
template TensorDigest(N) {
    signal input in[N];
    signal output out;
    out <== Digest(TAG_TENSOR(), N)(in);
}

// Digest of N bf16 patterns (range-checked to 16 bits here): 15 patterns per
// field element, little-endian, as in the weights root, then TensorDigest.
template PatternDigest(N) {
    signal input in[N];
    signal output out;
    component range[N];
    for (var k = 0; k < N; k++) {
        range[k] = Num2Bits(16);
        range[k].in <== in[k];
    }
    out <== PackedDigest(N)(in);
}

// PatternDigest for patterns the caller has already range-checked to 16
// bits (decoded by Bf16FromBits, or made by a rounding).
template PackedDigest(N) {
    var C = (N + 14) \ 15;
    signal input in[N];
    signal output out;
    component d = TensorDigest(C);
    for (var c = 0; c < C; c++) {
        var acc = 0;
        for (var j = 0; j < 15; j++) {
            if (c * 15 + j < N) {
                acc += in[c * 15 + j] * (1 << (16 * j));
            }
        }
        d.in[c] <== acc;
    }
    out <== d.out;
}
