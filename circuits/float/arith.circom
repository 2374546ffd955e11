pragma circom 2.1.6;

include "bitify.circom";
include "comparators.circom";
include "unpack.circom";
include "round.circom";

// Bit-exact IEEE-754 arithmetic on bit patterns (DESIGN §2), the same
// semantics as prover/numerics/ops.ts. NaN results are the canonical quiet NaN
// (fp32 0x7FC00000, bf16 0x7FC0); signed zeros, subnormals and infinities
// follow IEEE-754 with round-to-nearest-even.

// Selects between a finite result and a special (infinity/NaN) one.
//   out = isSpecial ? (isNaN ? nanPattern : infPattern) : finitePattern
template SelectSpecial() {
    signal input isSpecial;    // 0/1: the result is infinite or NaN
    signal input isNaN;        // 0/1: the special result is NaN
    signal input infPattern;   // pattern of the signed infinity
    signal input nanPattern;   // canonical NaN pattern
    signal input finitePattern;
    signal output out;

    signal special;
    special <== infPattern + isNaN * (nanPattern - infPattern);
    out <== finitePattern + isSpecial * (special - finitePattern);
}

// fp32 + fp32 -> fp32 with round-to-nearest-even.
template Fp32Add() {
    signal input a;            // fp32 pattern
    signal input b;            // fp32 pattern
    signal output out;         // fp32 pattern of fp32(a + b)

    component ua = FloatUnpack(32, 23);
    ua.x <== a;
    component ub = FloatUnpack(32, 23);
    ub.x <== b;

    // Order by magnitude: `big` has the larger magnitude pattern (a on ties).
    component swap = LessThan(31);
    swap.in <== [ua.mag, ub.mag];
    signal sBig;
    sBig <== ua.sign + swap.out * (ub.sign - ua.sign);
    signal eBig;
    eBig <== ua.e + swap.out * (ub.e - ua.e);
    signal mBig;
    mBig <== ua.m + swap.out * (ub.m - ua.m);
    signal eSmall;
    eSmall <== ua.e + ub.e - eBig;
    signal mSmall;
    mSmall <== ua.m + ub.m - mBig;

    // Alignment distance, capped at 26: beyond it the smaller operand is
    // below a quarter ulp of the larger one and only acts as a sticky bit,
    // which the cap preserves (the result is the larger operand either way).
    component near = LessThan(9);
    near.in <== [eBig - eSmall, 26];
    signal dc;
    dc <== 26 + near.out * (eBig - eSmall - 26);
    component dBits = Num2Bits(5);
    dBits.in <== dc;
    signal pw[5];
    pw[0] <== 1 + dBits.out[0];
    for (var i = 1; i < 5; i++) {
        pw[i] <== pw[i - 1] * (1 + dBits.out[i] * ((1 << (1 << i)) - 1));
    }

    // Exact sum (or difference) of the aligned significands: S < 2^51.
    signal op;                 // 1 when the signs differ (effective subtraction)
    op <== ua.sign + ub.sign - 2 * ua.sign * ub.sign;
    signal bigAligned;
    bigAligned <== mBig * pw[4];
    signal smallSigned;
    smallSigned <== mSmall * (1 - 2 * op);
    component rnd = Fp32RoundMag(51, 51, 6, 9);
    rnd.S <== bigAligned + smallSigned;
    rnd.eS <== eBig - dc;

    // Sign: the larger operand's; an exact zero is -0 only for (-0) + (-0)
    // or a sum of two negatives cancelling, i.e. when both signs are 1.
    signal bothNeg;
    bothNeg <== ua.sign * ub.sign;
    signal sign;
    sign <== sBig + rnd.isZero * (bothNeg - sBig);

    // Specials: NaN in, or inf - inf, gives NaN; otherwise the infinity
    // (which is `big`, having the larger magnitude).
    signal anyNaN;
    anyNaN <== ua.isNaN + ub.isNaN - ua.isNaN * ub.isNaN;
    signal bothInf;
    bothInf <== ua.isInf * ub.isInf;
    signal infMinusInf;
    infMinusInf <== bothInf * op;
    signal anySpecial;
    anySpecial <== ua.isSpecial + ub.isSpecial - ua.isSpecial * ub.isSpecial;

    component sel = SelectSpecial();
    sel.isSpecial <== anySpecial;
    sel.isNaN <== anyNaN + infMinusInf;
    sel.infPattern <== sBig * (1 << 31) + 0x7F800000;
    sel.nanPattern <== 0x7FC00000;
    sel.finitePattern <== sign * (1 << 31) + rnd.mag;
    out <== sel.out;
}

// Product of two IEEE patterns (width W, FB fraction bits) rounded to fp32.
// The exact product S = ma * mb < 2^(2*FB+2) has exponent eS = ea + eb - OFS.
// Results below half the smallest subnormal round to zero, so eS is clamped
// from below at -NS (S * 2^(-NS-150) < 2^-150 still rounds to zero).
template FloatMulToFp32(W, FB, OFS, SHB) {
    var NS = 2 * FB + 2;
    signal input a;            // pattern
    signal input b;            // pattern
    signal output out;         // fp32 pattern of the rounded product

    component ua = FloatUnpack(W, FB);
    ua.x <== a;
    component ub = FloatUnpack(W, FB);
    ub.x <== b;

    signal sign;
    sign <== ua.sign + ub.sign - 2 * ua.sign * ub.sign;

    // Exponent sum ea + eb in [2, 510], clamped below at OFS - NS.
    component low = LessThan(9);
    low.in <== [ua.e + ub.e, OFS - NS];
    signal eSum;
    eSum <== ua.e + ub.e + low.out * (OFS - NS - ua.e - ub.e);

    component rnd = Fp32RoundMag(NS, NS + 25, SHB, 9);
    rnd.S <== ua.m * ub.m;
    rnd.eS <== eSum - OFS;

    // Specials: NaN in, or 0 * inf, gives NaN; otherwise inf * x is inf.
    signal anyNaN;
    anyNaN <== ua.isNaN + ub.isNaN - ua.isNaN * ub.isNaN;
    signal infA0;
    infA0 <== ua.isInf * ub.isZero;
    signal infB0;
    infB0 <== ub.isInf * ua.isZero;
    signal anySpecial;
    anySpecial <== ua.isSpecial + ub.isSpecial - ua.isSpecial * ub.isSpecial;

    component sel = SelectSpecial();
    sel.isSpecial <== anySpecial;
    sel.isNaN <== anyNaN + infA0 + infB0;
    sel.infPattern <== sign * (1 << 31) + 0x7F800000;
    sel.nanPattern <== 0x7FC00000;
    sel.finitePattern <== sign * (1 << 31) + rnd.mag;
    out <== sel.out;
}

// bf16 x bf16 -> fp32: the exact product rounded once to fp32 (exact except
// in the subnormal range and on overflow). eS = ea + eb - 118.
template Bf16MulToFp32() {
    signal input a;            // bf16 pattern
    signal input b;            // bf16 pattern
    signal output out;         // fp32 pattern
    component mul = FloatMulToFp32(16, 7, 118, 6);
    mul.a <== a;
    mul.b <== b;
    out <== mul.out;
}

// fp32 x fp32 -> fp32 with round-to-nearest-even. eS = ea + eb - 150.
template Fp32Mul() {
    signal input a;            // fp32 pattern
    signal input b;            // fp32 pattern
    signal output out;         // fp32 pattern
    component mul = FloatMulToFp32(32, 23, 150, 7);
    mul.a <== a;
    mul.b <== b;
    out <== mul.out;
}

// fp32 -> bf16 with round-to-nearest-even: drop the low 16 bits of the
// pattern and round; the carry propagates into the exponent by pattern
// arithmetic (also subnormal -> normal and max finite -> infinity).
template Fp32ToBf16() {
    signal input x;            // fp32 pattern
    signal output out;         // bf16 pattern

    component bits = Num2Bits(32);
    bits.in <== x;

    var hi = 0;                // magnitude bits 16..30: the truncated bf16 magnitude
    for (var i = 16; i < 31; i++) {
        hi += bits.out[i] * (1 << (i - 16));
    }
    var lo = 0;                // sticky bits 0..14
    for (var i = 0; i < 15; i++) {
        lo += bits.out[i] * (1 << i);
    }
    var ex = 0;
    for (var i = 23; i < 31; i++) {
        ex += bits.out[i] * (1 << (i - 23));
    }
    var fr = 0;
    for (var i = 0; i < 23; i++) {
        fr += bits.out[i] * (1 << i);
    }

    component stickyZero = IsZero();
    stickyZero.in <== lo;
    signal lsbOrSticky;
    lsbOrSticky <== 1 - (1 - bits.out[16]) * stickyZero.out;
    signal inc;
    inc <== bits.out[15] * lsbOrSticky;

    // NaN in -> canonical NaN (a NaN pattern would otherwise round anywhere).
    component expMax = IsEqual();
    expMax.in <== [ex, 255];
    component fracZero = IsZero();
    fracZero.in <== fr;
    signal isNaN;
    isNaN <== expMax.out * (1 - fracZero.out);

    signal rounded;
    rounded <== bits.out[31] * (1 << 15) + hi + inc;
    out <== rounded + isNaN * (0x7FC0 - rounded);
}

// One step of sequential fp32 accumulation: fp32(acc + fp32(a * b)).
template Fp32Mac() {
    signal input acc;          // fp32 pattern
    signal input a;            // bf16 pattern
    signal input b;            // bf16 pattern
    signal output out;         // fp32 pattern
    component prod = Bf16MulToFp32();
    prod.a <== a;
    prod.b <== b;
    component add = Fp32Add();
    add.a <== acc;
    add.b <== prod.out;
    out <== add.out;
}

// Dot product of two bf16 vectors, sequential fp32 accumulation in index
// order starting from the first product (prover/numerics dotBf16).
template Bf16Dot(N) {
    signal input a[N];         // bf16 patterns
    signal input b[N];         // bf16 patterns
    signal output out;         // fp32 pattern
    component first = Bf16MulToFp32();
    first.a <== a[0];
    first.b <== b[0];
    component step[N - 1];
    signal acc[N];
    acc[0] <== first.out;
    for (var i = 1; i < N; i++) {
        step[i - 1] = Fp32Mac();
        step[i - 1].acc <== acc[i - 1];
        step[i - 1].a <== a[i];
        step[i - 1].b <== b[i];
        acc[i] <== step[i - 1].out;
    }
    out <== acc[N - 1];
}

// ReLU on bf16: NaN -> canonical NaN; negative (and -0) -> +0; else x.
template Bf16Relu() {
    signal input x;            // bf16 pattern
    signal output out;         // bf16 pattern
    component u = FloatUnpack(16, 7);
    u.x <== x;
    signal kept;
    kept <== (1 - u.sign) * x;
    out <== kept + u.isNaN * (0x7FC0 - kept);
}

// IEEE compareLess on bf16: 0 if either operand is NaN; -0 == +0.
template Bf16Lt() {
    signal input a;            // bf16 pattern
    signal input b;            // bf16 pattern
    signal output out;         // 1 if a < b, else 0
    component ua = FloatUnpack(16, 7);
    ua.x <== a;
    component ub = FloatUnpack(16, 7);
    ub.x <== b;
    // Ordered keys in (-2^15, 2^15): the magnitude with the sign applied.
    signal ka;
    ka <== ua.mag * (1 - 2 * ua.sign);
    signal kb;
    kb <== ub.mag * (1 - 2 * ub.sign);
    component lt = LessThan(16);
    lt.in <== [ka + (1 << 15), kb + (1 << 15)];
    signal noNaN;
    noNaN <== (1 - ua.isNaN) * (1 - ub.isNaN);
    out <== lt.out * noNaN;
}
