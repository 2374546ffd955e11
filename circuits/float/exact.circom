pragma circom 2.2.0;

include "bitify.circom";
include "comparators.circom";
include "arith.circom";

// The exactly rounded rule (issue #28; prover/numerics/exact.ts is the
// definition): a dot product of bf16 vectors is the exact sum of the exact
// products, rounded once to fp32 with round-to-nearest-even.
//
// Operands live in a declared exponent range: every operand is +-0 or a
// normal bf16 whose leading exponent (biased exponent - 127) is in
// [MIN, MAX], with -125 <= MIN <= 0 <= MAX <= 127 (prover/spec/schema.ts).
// Inside the range an operand is an integer multiple of 2^(LO - 134), where
// LO = 127 + MIN is the smallest biased exponent: its "scaled" value
// v = (-1)^s * m * 2^(e - LO) is exact, and a product of two is one field
// multiplication. Only the sum is normalised and rounded.

// Number of bits of n >= 0 (0 for 0).
function exactBits(n) {
    var r = 0;
    var v = n;
    while (v > 0) {
        r++;
        v = v \ 2;
    }
    return r;
}

// Bits of the exact sum of N products of operands with exponent span D = MAX - MIN:
// |S| <= N * 255^2 * 2^(2D) < 2^(16 + 2D + exactBits(N - 1)).
function exactSumBits(N, D) {
    return 16 + 2 * D + exactBits(N - 1);
}

// Witness hint: the right shift k that leaves the 26 top bits of
// S' = S * 2^26 (24 significand bits, the round bit and one sticky bit),
// never below kMin (the subnormal cap) and never above KMAX.
function exactNormShift(S, kMin) {
    var k = exactBits(S);
    return k < kMin ? kMin : k;
}

// An operand of the rule, decoded once and reused by every product it enters.
bus Scaled() {
    signal v;                  // (-1)^sign * m * 2^(e - LO), exact
    signal nz;                 // 1 unless the operand is +-0
    signal sign;               // sign bit
}

// The constant 1.0 as a Scaled operand of the range [MIN, MAX] (MIN <= 0 <= MAX).
template ScaledOne(MIN) {
    output Scaled() out;
    out.v <== 128 * (1 << (0 - MIN));
    out.nz <== 1;
    out.sign <== 0;
}

// One operand of the rule: a Bf16 in the range [MIN, MAX] (no witness
// otherwise: NaN, infinities, subnormals and out-of-range exponents fail the
// range check), as its signed scaled value and its two flag bits.
template ExactOperand(MIN, MAX) {
    var LO = 127 + MIN;        // smallest biased exponent in the range
    var D = MAX - MIN;         // exponent span
    var DB = exactBits(D);
    assert(MIN >= -125 && MIN <= MAX && MAX <= 127);

    input Bf16() x;
    output Scaled() out;

    // A zero takes the exponent LO (its m is 0, so its value is 0 anyway).
    signal eZ;
    eZ <== x.isZero * (LO - x.e);
    signal d;
    d <== x.e + eZ - LO;
    // 0 <= d <= D: d in DB bits, and D - d too unless D + 1 is a power of two.
    // (x.e <= 255, so d < 2^DB cannot wrap around the field.)
    component dBits = Num2Bits(DB);
    dBits.in <== d;
    if ((1 << DB) != D + 1) {
        component upper = Num2Bits(DB);
        upper.in <== D - d;
    }
    // 2^d from the bits of d.
    signal pw[DB + 1];
    pw[0] <== 1;
    for (var i = 0; i < DB; i++) {
        pw[i + 1] <== pw[i] * (1 + dBits.out[i] * ((1 << (1 << i)) - 1));
    }
    signal mag;
    mag <== x.m * pw[DB];
    out.v <== mag - 2 * x.sign * mag;
    out.nz <== 1 - x.isZero;
    out.sign <== x.sign;
}

// Rounds the exact value S * 2^(ES - 150), 0 <= S < 2^NS, to fp32 with
// round-to-nearest-even, gradual underflow and overflow to infinity.
//
// The hints are the right shift k and the division it implies:
// S * 2^26 = hi * 2^k + lo with hi < 2^26 and 0 <= lo < 2^k, all checked,
// and either the top bit of hi is set (a normal result) or k is at its
// minimum (a subnormal one, or zero). That fixes k, hi and lo for every
// S != 0; for S = 0, hi = lo = 0 and every output is forced whatever k is.
// S is bounded by the decomposition itself: hi * 2^k + lo < 2^(NS + 27) < p,
// so a field element S that is not such an integer (a wrong sign hint of the
// caller, say) has no witness.
template ExactRoundFp32(NS, ES) {
    var KMIN = 25 - ES < 0 ? 0 : 25 - ES;

    signal input S;
    signal output e;
    signal output m;
    signal output ovf;
    signal output isZero;

    // Hints: the shift and the division it implies, pinned by ExactRoundFp32Core.
    signal k;
    signal hi;
    signal lo;
    k <-- exactNormShift(S, KMIN);
    hi <-- (S * (1 << 26)) \ (1 << k);
    lo <-- (S * (1 << 26)) % (1 << k);
    component core = ExactRoundFp32Core(NS, ES);
    core.S <== S;
    core.k <== k;
    core.hi <== hi;
    core.lo <== lo;
    e <== core.e;
    m <== core.m;
    ovf <== core.ovf;
    isZero <== core.isZero;
}

// The constraints of ExactRoundFp32 with its hints as inputs, so tests can
// try what an adversarial prover could pick.
template ExactRoundFp32Core(NS, ES) {
    var KMIN = 25 - ES < 0 ? 0 : 25 - ES;  // the subnormal cap (er = 1)
    var KMAX = NS;
    assert(KMIN <= KMAX);
    assert(NS + 27 < 253);
    var KB = exactBits(KMAX - KMIN);
    // The result exponent er = k + ES - 24 is at most ERMAX.
    var ERMAX = KMAX + ES - 24;

    signal input S;            // exact significand, 0 <= S < 2^NS (enforced)
    signal input k;            // claimed right shift of S * 2^26
    signal input hi;           // claimed S * 2^26 >> k
    signal input lo;           // claimed S * 2^26 mod 2^k
    signal output e;           // effective exponent (1 for zeros and subnormals, 255 on overflow)
    signal output m;           // significand with hidden bit (2^23 for infinity)
    signal output ovf;         // overflow to infinity
    signal output isZero;      // S == 0

    component kLow = Num2Bits(KB);
    kLow.in <== k - KMIN;
    component kHigh = Num2Bits(KB);
    kHigh.in <== KMAX - k;

    // 2^k = 2^KMIN * prod over the bits of k - KMIN.
    signal pw[KB + 1];
    pw[0] <== 1 << KMIN;
    for (var i = 0; i < KB; i++) {
        pw[i + 1] <== pw[i] * (1 + kLow.out[i] * ((1 << (1 << i)) - 1));
    }

    component hiBits = Num2Bits(26);
    hiBits.in <== hi;
    // 0 <= lo < 2^k <= 2^KMAX.
    component loBits = Num2Bits(KMAX);
    loBits.in <== lo;
    component loBound = Num2Bits(KMAX);
    loBound.in <== pw[KB] - 1 - lo;
    S * (1 << 26) === hi * pw[KB] + lo;

    component sZero = IsZero();
    sZero.in <== S;
    isZero <== sZero.out;
    // Normalised (top bit of hi set) or at the subnormal cap, unless S = 0.
    signal notTop;
    notTop <== (1 - hiBits.out[25]) * (k - KMIN);
    notTop * (1 - sZero.out) === 0;

    // q: the 24 significand bits; round bit hi[1]; sticky hi[0] or lo != 0.
    var q = 0;
    for (var i = 2; i < 26; i++) {
        q += hiBits.out[i] * (1 << (i - 2));
    }
    component loZero = IsZero();
    loZero.in <== lo;
    signal stickyZero;
    stickyZero <== (1 - hiBits.out[0]) * loZero.out;
    signal lsbOrSticky;
    lsbOrSticky <== 1 - (1 - hiBits.out[2]) * stickyZero;
    signal inc;
    inc <== hiBits.out[1] * lsbOrSticky;
    signal qr;
    qr <== q + inc;
    component carry = IsEqual();
    carry.in <== [qr, 1 << 24];

    // Effective exponent: 1 for S = 0 (whatever k is), else er + carry.
    signal eFin;
    eFin <== (k + ES - 24 + carry.out - 1) * (1 - sZero.out) + 1;
    if (ERMAX + 1 >= 255) {
        // Overflow when er + carry >= 255: bit OB of er + carry + 2^OB - 255.
        var OB = exactBits(ERMAX + 1);
        component over = Num2Bits(OB + 1);
        over.in <== k + ES - 24 + carry.out + (1 << OB) - 255;
        ovf <== over.out[OB] * (1 - sZero.out);
    } else {
        ovf <== 0;
    }
    e <== eFin + ovf * (255 - eFin);
    // (For S = 0, hi = lo = 0 whatever k is, so qr = 0.)
    var mFin = qr - carry.out * (1 << 23);
    m <== mFin + ovf * ((1 << 23) - mFin);
}

// The exactly rounded dot product of two bf16 vectors of length N already
// decoded by ExactOperand(MIN, MAX): fp32(sum of a[i] * b[i]) with one
// rounding. A zero sum is -0 only when every product is -0 (every product
// zero, and the two signs of every pair differ), +0 otherwise, as IEEE-754's
// additions give under round-to-nearest.
//
// Per product: one multiplication of the scaled values, and one of the flag
// words nz + L * sign, whose sum N1 + L * N2 + L^2 * N3 (L = 2^LB > 2N)
// counts the non-zero products (N1) and the pairs of negative operands (N3).
template ExactDot(N, MIN, MAX) {
    var D = MAX - MIN;
    var NS = exactSumBits(N, D);
    var ES = 2 * (127 + MIN) - 118; // a product's scale: 2^(2 * LO - 268) = 2^(ES - 150)
    var LB = exactBits(2 * N);

    input Scaled() a[N];       // decoded by ExactOperand(MIN, MAX) or ScaledOne(MIN)
    input Scaled() b[N];
    output Fp32() out;

    signal prod[N];
    signal flag[N];
    var sum = 0;
    var flags = 0;
    var signs = 0;
    for (var i = 0; i < N; i++) {
        prod[i] <== a[i].v * b[i].v;
        flag[i] <== (a[i].nz + (1 << LB) * a[i].sign) * (b[i].nz + (1 << LB) * b[i].sign);
        sum += prod[i];
        flags += flag[i];
        signs += a[i].sign + b[i].sign;
    }

    // Sign hint, pinned by the rounding (a wrong one makes S a field element
    // with no decomposition) and, for S = 0, overridden below.
    signal neg;
    neg <-- exactIsNegative(sum);
    neg * (neg - 1) === 0;
    signal S;
    S <== sum - 2 * neg * sum;

    component r = ExactRoundFp32(NS, ES);
    r.S <== S;

    // The counts N1 (non-zero products) and N3 (pairs with both signs set).
    component fBits = Num2Bits(3 * LB);
    fBits.in <== flags;
    var n1 = 0;
    var n3 = 0;
    for (var i = 0; i < LB; i++) {
        n1 += fBits.out[i] * (1 << i);
        n3 += fBits.out[2 * LB + i] * (1 << i);
    }
    // Every product -0: no non-zero product, and every pair has exactly one
    // sign set (sum of sa + sb = N with no pair at 2).
    component noNonZero = IsZero();
    noNonZero.in <== n1;
    component oneSignEach = IsZero();
    oneSignEach.in <== signs - 2 * n3 - N;
    signal negZero;
    negZero <== noNonZero.out * oneSignEach.out;

    out.sign <== neg + r.isZero * (negZero - neg);
    out.e <== r.e;
    out.m <== r.m;
    out.isInf <== r.ovf;
    out.isNaN <== 0;
}

// Witness hint for ExactDot: 1 when the field element x stands for a
// negative integer (circom compares values in (-p/2, p/2]).
function exactIsNegative(x) {
    return x < 0 ? 1 : 0;
}

// Test harness: the exactly rounded dot product of two bf16 vectors (patterns)
// as an fp32 pattern.
template Bf16DotExact(N, MIN, MAX) {
    signal input a[N];
    signal input b[N];
    signal output out;
    component ua[N];
    component ub[N];
    component oa[N];
    component ob[N];
    component dot = ExactDot(N, MIN, MAX);
    for (var i = 0; i < N; i++) {
        ua[i] = Bf16FromBits();
        ua[i].x <== a[i];
        ub[i] = Bf16FromBits();
        ub[i].x <== b[i];
        oa[i] = ExactOperand(MIN, MAX);
        oa[i].x <== ua[i].out;
        ob[i] = ExactOperand(MIN, MAX);
        ob[i].x <== ub[i].out;
        dot.a[i] <== oa[i].out;
        dot.b[i] <== ob[i].out;
    }
    component bits = Fp32ToBits();
    bits.x <== dot.out;
    out <== bits.out;
}
