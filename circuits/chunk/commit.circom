pragma circom 2.2.0;

include "bitify.circom";
include "poseidon.circom";
include "../commit/digest.circom";

// The weights root's sponge cut into stretches, so that the chunk proofs of
// one training step each absorb their own parameters (issue #26;
// prover/chunk/commit.ts mirrors every template here).

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
