pragma circom 2.2.0;

include "bitify.circom";
include "comparators.circom";

// Witness hint for Fp32RoundMag: the left shift that puts the top bit of S at
// position WT-1, capped so that the result exponent does not go below the
// smallest normal exponent (the subnormal case). 0 when S = 0.
function fp32NormShift(S, eS, WT) {
    var maxShift = eS + WT - 25;
    if (S == 0) {
        return 0;
    }
    var len = 0;
    var t = S;
    while (t != 0) {
        len += 1;
        t = t \ 2;
    }
    var norm = WT - len;
    return norm < maxShift ? norm : maxShift;
}

// Rounds the exact non-negative value S * 2^(eS - 150) to fp32 with IEEE-754
// round-to-nearest-even (gradual underflow, overflow to infinity) and returns
// its magnitude pattern.
//
// Parameters: S < 2^NS (the caller guarantees it); WT >= max(NS, 26) is the
// width S is normalised into; 2^SHB > WT - 1 bounds the shift; EB bounds the
// result exponent (er - 1 < 2^EB). The caller guarantees eS >= 25 - WT, so a
// result exponent of 1 (the subnormal one) is always reachable.
//
// Soundness: the only hint is `sh`. It is range-checked, T = S * 2^sh must fit
// in WT bits, er = eS + WT - 24 - sh must be >= 1, and unless S = 0 either the
// top bit of T is set (normalised) or er = 1 (subnormal). For S != 0 exactly
// one shift satisfies this; for S = 0 the output is forced to 0 whatever sh is.
template Fp32RoundMag(NS, WT, SHB, EB) {
    signal input S;           // exact significand, 0 <= S < 2^NS
    signal input eS;          // exponent: the value is S * 2^(eS - 150)
    signal output e;          // rounded value's effective exponent (1 for zero and subnormals, 255 on overflow)
    signal output m;          // rounded significand with hidden bit (2^23 for infinity)
    signal output mag;        // its fp32 magnitude pattern (e - 1) * 2^23 + m, 0..0x7F800000
    signal output ovf;        // 1 when the result overflowed to infinity
    signal output isZero;     // S == 0 (exact zero; the caller picks the sign)

    // Hint: normalising shift. Pinned down completely by Fp32RoundMagCore.
    signal sh;
    sh <-- fp32NormShift(S, eS, WT);
    component core = Fp32RoundMagCore(NS, WT, SHB, EB);
    core.S <== S;
    core.eS <== eS;
    core.sh <== sh;
    e <== core.e;
    m <== core.m;
    mag <== core.mag;
    ovf <== core.ovf;
    isZero <== core.isZero;
}

// The constraints of Fp32RoundMag with the shift as an input, so tests can
// try every shift an adversarial prover could pick.
template Fp32RoundMagCore(NS, WT, SHB, EB) {
    assert(WT >= NS);
    assert(WT >= 26);
    assert((1 << SHB) > WT - 1);
    assert(NS + (1 << SHB) < 250);
    assert(EB == 9);

    signal input S;           // exact significand, 0 <= S < 2^NS
    signal input eS;          // exponent: the value is S * 2^(eS - 150)
    signal input sh;          // claimed normalising shift
    signal output e;          // effective exponent of the result
    signal output m;          // significand of the result
    signal output mag;        // fp32 magnitude pattern of the result
    signal output ovf;        // overflow to infinity
    signal output isZero;     // S == 0

    component shBits = Num2Bits(SHB);
    shBits.in <== sh;

    // pw[SHB-1] = 2^sh, from the bits of sh.
    signal pw[SHB];
    pw[0] <== 1 + shBits.out[0];
    for (var i = 1; i < SHB; i++) {
        pw[i] <== pw[i - 1] * (1 + shBits.out[i] * ((1 << (1 << i)) - 1));
    }

    // T = S * 2^sh, range-checked to WT bits.
    signal T;
    T <== S * pw[SHB - 1];
    component t = Num2Bits(WT);
    t.in <== T;

    // Result exponent (effective, >= 1): the value is ~ Q * 2^(er - 150).
    signal er;
    er <== eS + WT - 24 - sh;
    component erRange = Num2Bits(EB);
    erRange.in <== er - 1;

    // Unless S = 0: T normalised (top bit set), or er at its minimum 1.
    component sZero = IsZero();
    sZero.in <== S;
    isZero <== sZero.out;
    signal notTop;
    notTop <== (1 - t.out[WT - 1]) * (er - 1);
    notTop * (1 - sZero.out) === 0;

    // Q: the 24 bits below the top; round bit; sticky bits below it.
    var q = 0;
    for (var i = WT - 24; i < WT; i++) {
        q += t.out[i] * (1 << (i - (WT - 24)));
    }
    var low = 0;
    for (var i = 0; i < WT - 25; i++) {
        low += t.out[i] * (1 << i);
    }
    component stickyZero = IsZero();
    stickyZero.in <== low;
    signal lsbOrSticky;
    lsbOrSticky <== 1 - (1 - t.out[WT - 24]) * stickyZero.out;
    signal inc;
    inc <== t.out[WT - 25] * lsbOrSticky;

    // Round-to-nearest-even. A carry out of the significand (qr = 2^24)
    // renormalises to 2^23 one exponent up; a subnormal rounding up to 2^23
    // is the smallest normal with the same e = 1.
    signal qr;
    qr <== q + inc;
    component carry = IsEqual();
    carry.in <== [qr, 1 << 24];

    // Effective exponent: 1 for an exact zero (whatever sh was), else er + carry.
    signal eFin;
    eFin <== (er + carry.out - 1) * (1 - sZero.out) + 1;

    // Overflow: the final biased exponent of a normal result is er + carry
    // (a subnormal result has er = 1 and cannot overflow); >= 255 is infinity.
    // An exact zero never overflows (er is unconstrained when S = 0).
    // With EB = 9: er + carry >= 255 exactly when bit 8 of er + carry + 1 is
    // set, given er + carry + 1 < 2^9, which the decomposition enforces (every
    // caller's er is at most 409: eS <= 392 for a bf16 product, 360 for fp32,
    // 255 for a sum; a witness beyond that has no satisfying assignment).
    component over = Num2Bits(EB);
    over.in <== er + carry.out + 1;
    ovf <== over.out[8] * (1 - sZero.out);
    e <== eFin + ovf * (255 - eFin);
    m <== qr - carry.out * (1 << 23) + ovf * ((1 << 23) - (qr - carry.out * (1 << 23)));
    mag <== (e - 1) * (1 << 23) + m;
}
