pragma circom 2.2.0;

include "bitify.circom";
include "poseidon.circom";
include "../commit/tags.circom";

// Initial parameter k from the init seed (prover/training/init.ts): with L
// the low 16 bits of Poseidon(tag, seed, k) (strict decomposition) and TOP
// the top biased exponent of its layer (123 for linear-mse),
//   pattern = bit15(L) * 2^15 + (TOP - 3 + bits 7..8 of L) * 2^7 + bits 0..6 of L.
template InitParam(TOP) {
    signal input seed;         // committed init seed
    signal input k;            // parameter index
    signal output param;       // bf16 pattern

    component h = Poseidon(3);
    h.inputs <== [TAG_INIT(), seed, k];
    component bits = Num2Bits_strict();
    bits.in <== h.out;
    var fraction = 0;
    for (var i = 0; i < 7; i++) {
        fraction += bits.out[i] * (1 << i);
    }
    param <== bits.out[15] * (1 << 15) + (TOP - 3 + bits.out[7] + 2 * bits.out[8]) * (1 << 7) + fraction;
}
