pragma circom 2.2.0;

include "bitify.circom";
include "comparators.circom";
include "poseidon.circom";
include "../commit/tags.circom";

// Bits needed to write n.
function bitLength(n) {
    var len = 0;
    var t = n;
    while (t > 0) {
        len++;
        t = t \ 2;
    }
    return len;
}

// r = x mod N for x < 2^XB, given the quotient q and remainder r.
// Soundness: q < 2^(XB - NB + 1) and r < N < 2^NB give q * N + r < 2^(XB + 2),
// far below p (XB <= 200), so x = q * N + r holds over the integers and
// (q, r) is the unique Euclidean division.
template ModCore(N, XB) {
    var NB = bitLength(N);
    assert(XB <= 200);
    signal input x;            // value to reduce, < 2^XB (the caller guarantees it)
    signal input q;            // claimed quotient
    signal input r;            // claimed remainder
    signal output out;         // r, once checked

    component qRange = Num2Bits(XB - NB + 1);
    qRange.in <== q;
    component rRange = Num2Bits(NB);
    rRange.in <== r;
    component rLt = LessThan(NB);
    rLt.in <== [r, N];
    rLt.out === 1;
    x === q * N + r;
    out <== r;
}

// Index of batch position `position` at step `step` in a dataset of N
// samples: (Poseidon(tag, seed, beacon, step, position) mod 2^64) mod N
// (prover/dataset/sampler.ts). The seed is the lab's, committed in its spec;
// the beacon is the registry's, recorded at registration (DESIGN §3), so the
// lab could not know the data order when it chose its seed and dataset. The
// hash is decomposed strictly (alias-checked against p), so its low 64 bits
// are those of its canonical value.
template SampleIndex(N) {
    signal input seed;         // committed data-order seed
    signal input beacon;       // the run's registration beacon
    signal input step;         // step index t
    signal input position;     // position j in the batch
    signal output index;       // dataset index, < N

    component h = Poseidon(5);
    h.inputs <== [TAG_SAMPLE(), seed, beacon, step, position];
    component bits = Num2Bits_strict();
    bits.in <== h.out;
    var low = 0;
    for (var i = 0; i < 64; i++) {
        low += bits.out[i] * (1 << i);
    }
    signal low64;
    low64 <== low;

    // Hints: quotient and remainder of low64 by N, pinned down by ModCore.
    signal q;
    signal r;
    q <-- low64 \ N;
    r <-- low64 % N;
    component mod = ModCore(N, 64);
    mod.x <== low64;
    mod.q <== q;
    mod.r <== r;
    index <== mod.out;
}
