pragma circom 2.2.0;

include "bitify.circom";
include "poseidon.circom";
include "../commit/tags.circom";

// Commitments that link the chunk proofs of one training step (issue #26;
// prover/chunk/commit.ts mirrors every template here).

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

// A stretch of N consecutive parameters of the weights root's sponge
// (circuits/commit/weights.circom): the sponge state h and the carry c (the
// packed patterns of the current, incomplete field element, `phase` of them)
// before the stretch, and both after it. The phase is a private input (the
// link proof fixes it), so one circuit serves a stretch wherever it starts.
// Every pattern is range-checked to 16 bits, so the packing is one-to-one.
template WeightsSegment(N) {
    var K = (N + 13) \ 15 + 1; // field elements the stretch can touch
    signal input p[N];         // bf16 patterns, < 2^16 (enforced)
    signal input phase;        // patterns already in the current element, 0..14 (enforced)
    signal input hIn;
    signal input cIn;
    signal output hOut;
    signal output cOut;

    component range[N];
    for (var j = 0; j < N; j++) {
        range[j] = Num2Bits(16);
        range[j].in <== p[j];
    }
    // One-hot phase.
    signal sel[15];
    var total = 0;
    var weighted = 0;
    for (var f = 0; f < 15; f++) {
        sel[f] <-- phase == f ? 1 : 0;
        sel[f] * (sel[f] - 1) === 0;
        total += sel[f];
        weighted += f * sel[f];
    }
    total === 1;
    weighted === phase;

    // Pattern j sits in element (phase + j) \ 15 (j \ 15 or the next one) at
    // slot (phase + j) % 15.
    signal lo[N];
    signal hi[N];
    var elem[K];
    for (var k = 0; k < K; k++) {
        elem[k] = 0;
    }
    elem[0] = cIn;
    for (var j = 0; j < N; j++) {
        var kj = j \ 15;
        var cLo = 0;
        var cHi = 0;
        for (var f = 0; f < 15; f++) {
            var slot = (f + j) % 15;
            if ((f + j) \ 15 == kj) {
                cLo += sel[f] * (1 << (16 * slot));
            } else {
                cHi += sel[f] * (1 << (16 * slot));
            }
        }
        lo[j] <== p[j] * cLo;
        hi[j] <== p[j] * cHi;
        elem[kj] += lo[j];
        if (kj + 1 < K) {
            elem[kj + 1] += hi[j];
        }
    }
    signal e[K];
    for (var k = 0; k < K; k++) {
        e[k] <== elem[k];
    }
    // Element k is complete when 15 * (k + 1) <= phase + N; the first
    // incomplete one is the carry out (0 when none is).
    component h[K];
    signal state[K + 1];
    signal step[K];
    signal carry[K];
    state[0] <== hIn;
    var cOutSum = 0;
    for (var k = 0; k < K; k++) {
        var complete = 0;
        var isCarry = 0;
        for (var f = 0; f < 15; f++) {
            if (15 * (k + 1) <= f + N) {
                complete += sel[f];
            }
            if ((f + N) \ 15 == k) {
                isCarry += sel[f];
            }
        }
        h[k] = Poseidon(3);
        h[k].inputs <== [TAG_WEIGHTS(), state[k], e[k]];
        step[k] <== complete * (h[k].out - state[k]);
        state[k + 1] <== state[k] + step[k];
        carry[k] <== isCarry * e[k];
        cOutSum += carry[k];
    }
    hOut <== state[K];
    cOut <== cOutSum;
}

// The weights root from the sponge state and carry after the last parameter
// (the incomplete last element is absorbed as it is, as packParams does).
template WeightsFinish(P) {
    signal input h;
    signal input c;
    signal output root;
    if (P % 15 == 0) {
        c === 0;
        root <== h;
    } else {
        component last = Poseidon(3);
        last.inputs <== [TAG_WEIGHTS(), h, c];
        root <== last.out;
    }
}
