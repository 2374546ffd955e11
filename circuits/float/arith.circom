pragma circom 2.2.0;

include "bitify.circom";
include "comparators.circom";
include "unpack.circom";
include "round.circom";

// Bit-exact IEEE-754 arithmetic (DESIGN §2), the same semantics as
// prover/numerics/ops.ts. NaN results are the canonical quiet NaN
// (fp32 0x7FC00000, bf16 0x7FC0); signed zeros, subnormals and infinities
// follow IEEE-754 with round-to-nearest-even.
//
// Values are passed between operations unpacked (bus Fp32), so a chain of
// multiply-accumulates never packs and re-range-checks its intermediates.

// An unpacked fp32 value. Every producer (Fp32FromBits, Fp32AddU, the
// multiplications) constrains all fields as functions of its inputs and keeps
// these invariants: sign, isInf, isNaN are bits (not both set); e in [1, 255]
// is the effective exponent (1 for zeros and subnormals, 255 for inf/NaN);
// m < 2^24 is the significand with its hidden bit (>= 2^23 unless e = 1;
// 2^23 for infinity, > 2^23 for NaN). The bit pattern is then the linear
// sign * 2^31 + (e - 1) * 2^23 + m.
bus Fp32() {
    signal sign;               // sign bit
    signal e;                  // effective exponent
    signal m;                  // significand with hidden bit
    signal isInf;              // +-infinity
    signal isNaN;              // NaN
}

// fp32 bit pattern -> Fp32 (range-checks the pattern to 32 bits).
template Fp32FromBits() {
    signal input x;            // fp32 pattern
    output Fp32() out;
    component u = FloatUnpack(32, 23);
    u.x <== x;
    out.sign <== u.sign;
    out.e <== u.e;
    out.m <== u.m;
    out.isInf <== u.isInf;
    out.isNaN <== u.isNaN;
}

// Fp32 -> fp32 bit pattern (linear: no constraint).
template Fp32ToBits() {
    input Fp32() x;
    signal output out;         // fp32 pattern
    out <== x.sign * (1 << 31) + (x.e - 1) * (1 << 23) + x.m;
}

// Builds the result of an operation from its rounded finite part and its
// special-case flags: a special result is the canonical NaN or the signed
// infinity; otherwise the rounded value (infinity if rounding overflowed).
template FinishFp32() {
    signal input sign;         // sign of the finite (or infinite) result
    signal input e;            // rounded effective exponent (255 on overflow)
    signal input m;            // rounded significand (2^23 on overflow)
    signal input ovf;          // rounding overflowed to infinity
    signal input special;      // an input was inf/NaN: the result is inf or NaN
    signal input nan;          // the result is NaN (implies special)
    output Fp32() out;

    out.e <== e + special * (255 - e);
    out.m <== m + special * ((1 << 23) + nan * (1 << 22) - m);
    out.isNaN <== nan;
    signal infFinite;          // overflow of a finite computation
    infFinite <== (1 - special) * ovf;
    out.isInf <== special - nan + infFinite;
    signal signKept;           // NaN is canonical: sign 0
    signKept <== (1 - nan) * sign;
    out.sign <== signKept;
}

// fp32 + fp32 -> fp32 with round-to-nearest-even, on unpacked values.
template Fp32AddU() {
    input Fp32() a;
    input Fp32() b;
    output Fp32() out;

    // Order by effective exponent: `big` has the larger one (a on ties).
    // Only on a tie can `small` have the larger magnitude; the signed sum
    // below then comes out negative and its sign is taken into account.
    component swap = LessThan(8);
    swap.in <== [a.e, b.e];
    signal sBig;
    sBig <== a.sign + swap.out * (b.sign - a.sign);
    signal eBig;
    eBig <== a.e + swap.out * (b.e - a.e);
    signal mBig;
    mBig <== a.m + swap.out * (b.m - a.m);
    signal eSmall;
    eSmall <== a.e + b.e - eBig;
    signal mSmall;
    mSmall <== a.m + b.m - mBig;

    // Alignment distance, capped at 26: beyond it the smaller operand is
    // below a quarter ulp of the larger one and only acts as a sticky bit,
    // which the cap preserves (the result is the larger operand either way).
    component near = LessThan(8);
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

    // Exact signed sum (or difference) of the aligned significands:
    // |D| < 2^51. D < 0 only when the exponents tie, the signs differ and
    // small's significand is the larger.
    signal op;                 // 1 when the signs differ (effective subtraction)
    op <== a.sign + b.sign - 2 * a.sign * b.sign;
    signal bigAligned;
    bigAligned <== mBig * pw[4];
    signal smallSigned;
    smallSigned <== mSmall * (1 - 2 * op);
    signal D;
    D <== bigAligned + smallSigned;
    // Hint: neg = (D < 0). Pinned down: with the wrong bit, |D| below is
    // -|D| mod p, above 2^254 unless D = 0, and the rounding's range check
    // (T = S * 2^sh in 51 bits, sh < 64) has no witness; for D = 0 the
    // constraint after the rounding forces neg = 0.
    signal neg;
    neg <-- (D < 0) ? 1 : 0;   // circom compares field elements as signed (val(z) = z - p above p/2)
    neg * (1 - neg) === 0;
    signal absD;
    absD <== D * (1 - 2 * neg);
    component rnd = Fp32RoundMag(51, 51, 6, 9);
    rnd.S <== absD;
    rnd.eS <== eBig - dc;
    neg * rnd.isZero === 0;

    // Sign: the larger magnitude's (big's, or small's when D < 0); an exact
    // zero is -0 only when both operands are negative (round-to-nearest).
    signal sLarger;
    sLarger <== sBig + neg - 2 * sBig * neg;
    signal bothNeg;
    bothNeg <== a.sign * b.sign;
    signal sign;
    sign <== sLarger + rnd.isZero * (bothNeg - sLarger);

    // Specials: NaN in, or inf - inf, gives NaN; otherwise the infinity,
    // which is `big` (exponent 255 against a finite operand's <= 254; on a
    // tie both are infinite with the same sign), hence the sign sBig.
    signal anyNaN;
    anyNaN <== a.isNaN + b.isNaN - a.isNaN * b.isNaN;
    signal bothInf;
    bothInf <== a.isInf * b.isInf;
    signal infMinusInf;
    infMinusInf <== bothInf * op;
    signal aSpecial;
    aSpecial <== a.isInf + a.isNaN;
    signal bSpecial;
    bSpecial <== b.isInf + b.isNaN;
    signal anySpecial;
    anySpecial <== aSpecial + bSpecial - aSpecial * bSpecial;
    signal signOut;
    signOut <== sign + anySpecial * (sBig - sign);

    component fin = FinishFp32();
    fin.sign <== signOut;
    fin.e <== rnd.e;
    fin.m <== rnd.m;
    fin.ovf <== rnd.ovf;
    fin.special <== anySpecial;
    fin.nan <== anyNaN + infMinusInf;
    out <== fin.out;
}

// An unpacked bf16 value (same conventions as Fp32 with a 7-bit fraction):
// e in [1, 255], m < 2^8 with its hidden bit, flags are bits. Produced by
// Bf16FromBits only, so every field is a function of a range-checked pattern.
bus Bf16() {
    signal sign;               // sign bit
    signal e;                  // effective exponent
    signal m;                  // significand with hidden bit
    signal isInf;              // +-infinity
    signal isNaN;              // NaN
    signal isZero;             // +-0
}

// bf16 bit pattern -> Bf16 (range-checks the pattern to 16 bits).
template Bf16FromBits() {
    signal input x;            // bf16 pattern
    output Bf16() out;
    component u = FloatUnpack(16, 7);
    u.x <== x;
    out.sign <== u.sign;
    out.e <== u.e;
    out.m <== u.m;
    out.isInf <== u.isInf;
    out.isNaN <== u.isNaN;
    out.isZero <== u.isZero;
}

// bf16 bit pattern -> Bf16 for a value that must be finite (a training
// sample's feature): infinities and NaNs have no satisfying witness.
template Bf16FiniteFromBits() {
    signal input x;            // bf16 pattern, finite (enforced)
    output Bf16() out;
    component u = Bf16FromBits();
    u.x <== x;
    u.out.isInf === 0;
    u.out.isNaN === 0;
    out <== u.out;
}

// Requires a bf16 pattern to be a positive normal number: sign 0, exponent
// field in [1, 254]. Zero, negative values, subnormals, infinities and NaNs
// have no satisfying witness (the learning rate of a spec, issue #16).
template RequirePositiveNormalBf16() {
    signal input x;            // bf16 pattern (range-checked to 16 bits by the unpacking)
    component u = FloatUnpack(16, 7);
    u.x <== x;
    u.sign === 0;              // positive
    u.isSpecial === 0;         // not infinity, not NaN (exponent field != 255)
    component sub = IsZero();
    sub.in <== u.biased;
    sub.out === 0;             // not zero, not subnormal (exponent field != 0)
}

// bf16 -> fp32, exact (linear: no constraint).
template Bf16ToFp32U() {
    input Bf16() x;
    output Fp32() out;
    out.sign <== x.sign;
    out.e <== x.e;
    out.m <== x.m * (1 << 16);
    out.isInf <== x.isInf;
    out.isNaN <== x.isNaN;
}

// Product of two unpacked values with FB fraction bits, rounded to fp32.
// The exact product S = ma * mb < 2^(2*FB+2) has exponent eS = ea + eb - OFS.
// Results below half the smallest subnormal round to zero, so eS is clamped
// from below at -NS (S * 2^(-NS-150) < 2^-150 still rounds to zero).
template FloatMulCore(FB, OFS, SHB) {
    var NS = 2 * FB + 2;
    signal input aSign;        // operand a: sign, effective exponent, significand, flags
    signal input aE;
    signal input aM;
    signal input aInf;
    signal input aNaN;
    signal input aZero;
    signal input bSign;        // operand b, likewise
    signal input bE;
    signal input bM;
    signal input bInf;
    signal input bNaN;
    signal input bZero;
    output Fp32() out;

    signal sign;
    sign <== aSign + bSign - 2 * aSign * bSign;

    // Exponent sum ea + eb in [2, 510], clamped below at OFS - NS.
    component low = LessThan(9);
    low.in <== [aE + bE, OFS - NS];
    signal eSum;
    eSum <== aE + bE + low.out * (OFS - NS - aE - bE);

    component rnd = Fp32RoundMag(NS, NS + 25, SHB, 9);
    rnd.S <== aM * bM;
    rnd.eS <== eSum - OFS;

    // Specials: NaN in, or 0 * inf, gives NaN; otherwise inf * x is inf.
    signal anyNaN;
    anyNaN <== aNaN + bNaN - aNaN * bNaN;
    signal infA0;
    infA0 <== aInf * bZero;
    signal infB0;
    infB0 <== bInf * aZero;
    signal aSpecial;
    aSpecial <== aInf + aNaN;
    signal bSpecial;
    bSpecial <== bInf + bNaN;
    signal anySpecial;
    anySpecial <== aSpecial + bSpecial - aSpecial * bSpecial;

    component fin = FinishFp32();
    fin.sign <== sign;
    fin.e <== rnd.e;
    fin.m <== rnd.m;
    fin.ovf <== rnd.ovf;
    fin.special <== anySpecial;
    fin.nan <== anyNaN + infA0 + infB0;
    out <== fin.out;
}

// Product of two IEEE patterns (width W, FB fraction bits) rounded to fp32.
template FloatMulU(W, FB, OFS, SHB) {
    signal input a;            // pattern
    signal input b;            // pattern
    output Fp32() out;
    component ua = FloatUnpack(W, FB);
    ua.x <== a;
    component ub = FloatUnpack(W, FB);
    ub.x <== b;
    component core = FloatMulCore(FB, OFS, SHB);
    core.aSign <== ua.sign;
    core.aE <== ua.e;
    core.aM <== ua.m;
    core.aInf <== ua.isInf;
    core.aNaN <== ua.isNaN;
    core.aZero <== ua.isZero;
    core.bSign <== ub.sign;
    core.bE <== ub.e;
    core.bM <== ub.m;
    core.bInf <== ub.isInf;
    core.bNaN <== ub.isNaN;
    core.bZero <== ub.isZero;
    out <== core.out;
}

// bf16 x bf16 -> fp32 on unpacked operands (shared unpacking).
template Bf16MulUU() {
    input Bf16() a;
    input Bf16() b;
    output Fp32() out;
    component core = FloatMulCore(7, 118, 6);
    core.aSign <== a.sign;
    core.aE <== a.e;
    core.aM <== a.m;
    core.aInf <== a.isInf;
    core.aNaN <== a.isNaN;
    core.aZero <== a.isZero;
    core.bSign <== b.sign;
    core.bE <== b.e;
    core.bM <== b.m;
    core.bInf <== b.isInf;
    core.bNaN <== b.isNaN;
    core.bZero <== b.isZero;
    out <== core.out;
}

// Splits a 24-bit significand into its high 8 and low 16 bits, given the low
// part as a hint; the range checks make the split unique.
template SplitSignificand() {
    signal input m;            // < 2^24 (an Fp32 significand)
    signal input lo;           // claimed m mod 2^16
    signal output hiBits[8];   // bits of m >> 16
    signal output loBits[16];  // bits of m mod 2^16
    component l = Num2Bits(16);
    l.in <== lo;
    component h = Num2Bits(8);
    h.in <== (m - lo) / (1 << 16);
    hiBits <== h.out;
    loBits <== l.out;
}

// Fp32 -> bf16 bit pattern with round-to-nearest-even (same semantics as
// Fp32ToBf16 on patterns): keep the top 8 significand bits, round on the low
// 16; a carry propagates into the exponent by pattern arithmetic.
template Fp32UToBf16() {
    input Fp32() x;
    signal output out;         // bf16 pattern

    // Hint: the low 16 bits of the significand, pinned down by SplitSignificand.
    signal lo;
    lo <-- x.m % (1 << 16);
    component split = SplitSignificand();
    split.m <== x.m;
    split.lo <== lo;

    var hi = 0;
    for (var i = 0; i < 8; i++) {
        hi += split.hiBits[i] * (1 << i);
    }
    var sticky = 0;
    for (var i = 0; i < 15; i++) {
        sticky += split.loBits[i] * (1 << i);
    }
    component stickyZero = IsZero();
    stickyZero.in <== sticky;
    signal lsbOrSticky;
    lsbOrSticky <== 1 - (1 - split.hiBits[0]) * stickyZero.out;
    signal inc;
    inc <== split.loBits[15] * lsbOrSticky;

    // Magnitude: (e - 1) * 2^7 + (m >> 16) + inc; infinities come out exact
    // (m = 2^23, no rounding); NaN becomes the canonical bf16 NaN.
    signal rounded;
    rounded <== x.sign * (1 << 15) + (x.e - 1) * (1 << 7) + hi + inc;
    out <== rounded + x.isNaN * (0x7FC0 - rounded);
}

// Fp32 -> bf16 with round-to-nearest-even, both as the bit pattern and
// unpacked (the same fields Bf16FromBits gives for that pattern), without
// decomposing the pattern again: the rounded significand hi + inc is in
// [0, 2^8]; a carry (2^8) renormalises to 2^7 one exponent up (an fp32
// subnormal rounding up to 2^7 is the smallest normal bf16, e = 1 either
// way; exponent 254 carrying up is infinity); NaN becomes the canonical
// 0x7FC0 (sign 0, e 255, m 0xC0).
template Fp32UToBf16U() {
    input Fp32() x;
    signal output bits;        // bf16 pattern
    output Bf16() out;

    component r = Fp32UToBf16();
    r.x <== x;
    bits <== r.out;
    // The rounded significand (hi + inc of Fp32UToBf16) for a non-NaN x:
    // the pattern minus its sign and exponent parts (for a NaN, 0xC0 - sign * 2^15,
    // neither 0 nor 2^8, and every field below is overridden).
    var q = r.out - x.sign * (1 << 15) - (x.e - 1) * (1 << 7);
    component carry = IsEqual();
    carry.in <== [q, 1 << 8];
    out.sign <== x.sign * (1 - x.isNaN);
    out.e <== x.e + carry.out + x.isNaN * (255 - x.e - carry.out);
    out.m <== q - carry.out * (1 << 7) + x.isNaN * (0xC0 - (q - carry.out * (1 << 7)));
    component eMax = IsEqual();
    eMax.in <== [x.e + carry.out, 255];
    out.isInf <== eMax.out * (1 - x.isNaN);
    out.isNaN <== x.isNaN;
    component mZero = IsZero();
    mZero.in <== q;
    out.isZero <== mZero.out;
}

// Test harness: fp32 pattern -> Fp32UToBf16U, with Bf16FromBits of the
// rounded pattern beside it (the two unpackings must agree field by field).
template Fp32ToBf16UnpackedViaBus() {
    signal input x;            // fp32 pattern
    signal output bits;        // bf16 pattern
    signal output direct[6];   // sign, e, m, isInf, isNaN, isZero from Fp32UToBf16U
    signal output unpacked[6]; // the same fields from Bf16FromBits(bits)
    component u = Fp32FromBits();
    u.x <== x;
    component r = Fp32UToBf16U();
    r.x <== u.out;
    bits <== r.bits;
    direct <== [r.out.sign, r.out.e, r.out.m, r.out.isInf, r.out.isNaN, r.out.isZero];
    component b = Bf16FromBits();
    b.x <== r.bits;
    unpacked <== [b.out.sign, b.out.e, b.out.m, b.out.isInf, b.out.isNaN, b.out.isZero];
}

// Test harness: fp32 pattern -> Fp32 bus -> bf16 pattern.
template Fp32ToBf16ViaBus() {
    signal input x;            // fp32 pattern
    signal output out;         // bf16 pattern
    component u = Fp32FromBits();
    u.x <== x;
    component r = Fp32UToBf16();
    r.x <== u.out;
    out <== r.out;
}

// bf16 x bf16 -> fp32, unpacked result: the exact product rounded once to
// fp32 (exact except in the subnormal range and on overflow). eS = ea + eb - 118.
template Bf16MulU() {
    signal input a;            // bf16 pattern
    signal input b;            // bf16 pattern
    output Fp32() out;
    component mul = FloatMulU(16, 7, 118, 6);
    mul.a <== a;
    mul.b <== b;
    out <== mul.out;
}

// fp32 + fp32 -> fp32 on bit patterns.
template Fp32Add() {
    signal input a;            // fp32 pattern
    signal input b;            // fp32 pattern
    signal output out;         // fp32 pattern of fp32(a + b)
    component ua = Fp32FromBits();
    ua.x <== a;
    component ub = Fp32FromBits();
    ub.x <== b;
    component add = Fp32AddU();
    add.a <== ua.out;
    add.b <== ub.out;
    component bits = Fp32ToBits();
    bits.x <== add.out;
    out <== bits.out;
}

// bf16 x bf16 -> fp32 on bit patterns.
template Bf16MulToFp32() {
    signal input a;            // bf16 pattern
    signal input b;            // bf16 pattern
    signal output out;         // fp32 pattern
    component mul = Bf16MulU();
    mul.a <== a;
    mul.b <== b;
    component bits = Fp32ToBits();
    bits.x <== mul.out;
    out <== bits.out;
}

// fp32 x fp32 -> fp32 with round-to-nearest-even. eS = ea + eb - 150.
template Fp32Mul() {
    signal input a;            // fp32 pattern
    signal input b;            // fp32 pattern
    signal output out;         // fp32 pattern
    component mul = FloatMulU(32, 23, 150, 7);
    mul.a <== a;
    mul.b <== b;
    component bits = Fp32ToBits();
    bits.x <== mul.out;
    out <== bits.out;
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

// One step of sequential fp32 accumulation on bit patterns: fp32(acc + fp32(a * b)).
template Fp32Mac() {
    signal input acc;          // fp32 pattern
    signal input a;            // bf16 pattern
    signal input b;            // bf16 pattern
    signal output out;         // fp32 pattern
    component ua = Fp32FromBits();
    ua.x <== acc;
    component prod = Bf16MulU();
    prod.a <== a;
    prod.b <== b;
    component add = Fp32AddU();
    add.a <== ua.out;
    add.b <== prod.out;
    component bits = Fp32ToBits();
    bits.x <== add.out;
    out <== bits.out;
}

// Dot product of two bf16 vectors, unpacked result: sequential fp32
// accumulation in index order starting from the first product
// (prover/numerics dotBf16).
template Bf16DotU(N) {
    signal input a[N];         // bf16 patterns
    signal input b[N];         // bf16 patterns
    output Fp32() out;
    component prod[N];
    component add[N - 1];
    for (var i = 0; i < N; i++) {
        prod[i] = Bf16MulU();
        prod[i].a <== a[i];
        prod[i].b <== b[i];
    }
    Fp32() acc[N];
    acc[0] <== prod[0].out;
    for (var i = 1; i < N; i++) {
        add[i - 1] = Fp32AddU();
        add[i - 1].a <== acc[i - 1];
        add[i - 1].b <== prod[i].out;
        acc[i] <== add[i - 1].out;
    }
    out <== acc[N - 1];
}

// Dot product on bit patterns.
template Bf16Dot(N) {
    signal input a[N];         // bf16 patterns
    signal input b[N];         // bf16 patterns
    signal output out;         // fp32 pattern
    component dot = Bf16DotU(N);
    dot.a <== a;
    dot.b <== b;
    component bits = Fp32ToBits();
    bits.x <== dot.out;
    out <== bits.out;
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
