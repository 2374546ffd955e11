pragma circom 2.2.0;

include "bitify.circom";
include "comparators.circom";

// Unpacks an IEEE-754 bit pattern of width W with FB fraction bits and an
// 8-bit exponent (fp32: W=32, FB=23; bf16: W=16, FB=7). The pattern is
// range-checked to W bits here, so every output is a function of `x` alone.
template FloatUnpack(W, FB) {
    signal input x;            // bit pattern, 0 <= x < 2^W (enforced)
    signal output sign;        // sign bit
    signal output biased;      // biased exponent field, 0..255
    signal output e;           // effective exponent max(biased, 1): subnormals share the smallest normal's
    signal output m;           // significand with the hidden bit; < 2^FB for zero and subnormals
    signal output mag;         // x without its sign bit; orders |x| (NaNs above infinity)
    signal output isSpecial;   // biased == 255 (infinity or NaN)
    signal output isInf;       // +-infinity
    signal output isNaN;       // any NaN pattern
    signal output isZero;      // +-0

    // Bit decomposition: the only range check on x.
    component bits = Num2Bits(W);
    bits.in <== x;
    sign <== bits.out[W - 1];

    var ex = 0;
    for (var i = 0; i < 8; i++) {
        ex += bits.out[FB + i] * (1 << i);
    }
    biased <== ex;
    var fr = 0;
    for (var i = 0; i < FB; i++) {
        fr += bits.out[i] * (1 << i);
    }
    mag <== x - sign * (1 << (W - 1));

    // Field classification.
    component expZero = IsZero();
    expZero.in <== biased;
    component expMax = IsEqual();
    expMax.in <== [biased, 255];
    component fracZero = IsZero();
    fracZero.in <== fr;

    e <== biased + expZero.out;
    m <== fr + (1 - expZero.out) * (1 << FB);
    isSpecial <== expMax.out;
    isInf <== expMax.out * fracZero.out;
    isNaN <== expMax.out - isInf;
    isZero <== expZero.out * fracZero.out;
}
