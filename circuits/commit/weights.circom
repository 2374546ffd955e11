pragma circom 2.2.0;

include "bitify.circom";
include "poseidon.circom";
include "tags.circom";

// Weights root (prover/commit/weights.ts): 15 bf16 patterns per field
// element, little-endian; h = Poseidon(tag, P); h = Poseidon(tag, h, chunk)
// for each chunk. Every parameter is range-checked to 16 bits here, so the
// packing is one-to-one whatever the caller did: a root opens to exactly one
// parameter vector (up to a Poseidon collision).
template WeightsRoot(P) {
    var C = (P + 14) \ 15;
    signal input params[P];    // bf16 patterns, < 2^16 (enforced)
    signal output root;

    component range[P];
    for (var k = 0; k < P; k++) {
        range[k] = Num2Bits(16);
        range[k].in <== params[k];
    }

    signal chunk[C];
    for (var c = 0; c < C; c++) {
        var acc = 0;
        for (var j = 0; j < 15; j++) {
            if (c * 15 + j < P) {
                acc += params[c * 15 + j] * (1 << (16 * j));
            }
        }
        chunk[c] <== acc;
    }
    component start = Poseidon(2);
    start.inputs <== [TAG_WEIGHTS(), P];
    component h[C];
    signal state[C + 1];
    state[0] <== start.out;
    for (var c = 0; c < C; c++) {
        h[c] = Poseidon(3);
        h[c].inputs <== [TAG_WEIGHTS(), state[c], chunk[c]];
        state[c + 1] <== h[c].out;
    }
    root <== state[C];
}
