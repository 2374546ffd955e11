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

// Rounds the exact value S * 2^(ES - 127 - FB), 0 <= S < 2^NS, to a float
// with FB fraction bits and bf16's and fp32's 8-bit exponent (FB = 23: fp32,
// FB = 7: bf16) with round-to-nearest-even, gradual underflow and overflow
// to infinity.
//
// The hints are the right shift k and the division it implies:
// S * 2^(FB+3) = hi * 2^k + lo with hi < 2^(FB+3) and 0 <= lo < 2^k, all
// checked, and either the top bit of hi is set (a normal result) or k is at
// its minimum (a subnormal one, or zero). That fixes k, hi and lo for every
// S != 0; for S = 0, hi = lo = 0 and every output is forced whatever k is.
// S is bounded by the decomposition itself: hi * 2^k + lo < 2^(NS + FB + 4)
// < p, so a field element S that is not such an integer (a wrong sign hint
// of the caller, say) has no witness.
template ExactRound(NS, ES, FB) {
    var KMIN = FB + 2 - ES < 0 ? 0 : FB + 2 - ES;

    signal input S;
    signal output e;
    signal output m;
    signal output ovf;
    signal output isZero;

    // Hints: the shift and the division it implies, pinned by ExactRoundCore.
    signal k;
    signal hi;
    signal lo;
    k <-- exactNormShift(S, KMIN);
    hi <-- (S * (1 << (FB + 3))) \ (1 << k);
    lo <-- (S * (1 << (FB + 3))) % (1 << k);
    component core = ExactRoundCore(NS, ES, FB);
    core.S <== S;
    core.k <== k;
    core.hi <== hi;
    core.lo <== lo;
    e <== core.e;
    m <== core.m;
    ovf <== core.ovf;
    isZero <== core.isZero;
}

// The constraints of ExactRound with its hints as inputs, so tests can try
// what an adversarial prover could pick.
template ExactRoundCore(NS, ES, FB) {
    var W = FB + 3;            // bits of hi: FB + 1 significand bits, a round bit, a sticky bit
    var KMIN = FB + 2 - ES < 0 ? 0 : FB + 2 - ES;  // the subnormal cap (er = 1)
    var KMAX = NS;
    assert(KMIN <= KMAX);
    assert(NS + W + 1 < 253);
    var KB = exactBits(KMAX - KMIN);
    // The result exponent er = k + ES - FB - 1 is at most ERMAX.
    var ERMAX = KMAX + ES - FB - 1;

    signal input S;            // exact significand, 0 <= S < 2^NS (enforced)
    signal input k;            // claimed right shift of S * 2^W
    signal input hi;           // claimed S * 2^W >> k
    signal input lo;           // claimed S * 2^W mod 2^k
    signal output e;           // effective exponent (1 for zeros and subnormals, 255 on overflow)
    signal output m;           // significand with hidden bit (2^FB for infinity)
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

    component hiBits = Num2Bits(W);
    hiBits.in <== hi;
    // 0 <= lo < 2^k <= 2^KMAX.
    component loBits = Num2Bits(KMAX);
    loBits.in <== lo;
    component loBound = Num2Bits(KMAX);
    loBound.in <== pw[KB] - 1 - lo;
    S * (1 << W) === hi * pw[KB] + lo;

    component sZero = IsZero();
    sZero.in <== S;
    isZero <== sZero.out;
    // Normalised (top bit of hi set) or at the subnormal cap, unless S = 0.
    signal notTop;
    notTop <== (1 - hiBits.out[W - 1]) * (k - KMIN);
    notTop * (1 - sZero.out) === 0;

    // q: the FB + 1 significand bits; round bit hi[1]; sticky hi[0] or lo != 0.
    var q = 0;
    for (var i = 2; i < W; i++) {
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
    carry.in <== [qr, 1 << (FB + 1)];

    // Effective exponent: 1 for S = 0 (whatever k is), else er + carry.
    signal eFin;
    eFin <== (k + ES - FB - 1 + carry.out - 1) * (1 - sZero.out) + 1;
    if (ERMAX + 1 >= 255) {
        // Overflow when er + carry >= 255: bit OB of er + carry + 2^OB - 255.
        var OB = exactBits(ERMAX + 1);
        component over = Num2Bits(OB + 1);
        over.in <== k + ES - FB - 1 + carry.out + (1 << OB) - 255;
        ovf <== over.out[OB] * (1 - sZero.out);
    } else {
        ovf <== 0;
    }
    e <== eFin + ovf * (255 - eFin);
    // (For S = 0, hi = lo = 0 whatever k is, so qr = 0.)
    var mFin = qr - carry.out * (1 << FB);
    m <== mFin + ovf * ((1 << FB) - mFin);
}

// The product of two decoded operands as one operand (for lr * delta, whose
// exact product then enters ExactUpdate's triple products).
template ScaledProduct() {
    input Scaled() x;
    input Scaled() y;
    output Scaled() out;
    out.v <== x.v * y.v;
    out.nz <== x.nz * y.nz;
    out.sign <== x.sign + y.sign - 2 * x.sign * y.sign;
}

// The exact value c * 2^CSHIFT + sum of a[i] * b[i], 0 <= |value| < 2^NS in
// units of 2^(ES - 127 - FB), rounded once to FB fraction bits. A zero sum is
// -0 only when c and every product are -0 (every product zero, the two signs
// of every pair different), +0 otherwise, as IEEE-754's additions give under
// round-to-nearest. Callers: ExactDot (c = -0, fp32) and ExactUpdate (c = p,
// bf16).
//
// Per product: one multiplication of the scaled values, and one of the flag
// words nz + L * sign (ExactTerms); ExactFinish rounds the totals.
template ExactSum(N, NS, ES, FB, CSHIFT) {
    input Scaled() a[N];
    input Scaled() b[N];
    input Scaled() c;
    signal output sign;        // sign of the result
    signal output e;           // as ExactRound
    signal output m;
    signal output ovf;

    component terms = ExactTerms(N, N);
    terms.a <== a;
    terms.b <== b;
    component fin = ExactFinish(N, NS, ES, FB);
    fin.sum <== terms.sum + c.v * (1 << CSHIFT);
    fin.flags <== terms.flags;
    fin.signs <== terms.signs;
    fin.c <== c;
    sign <== fin.sign;
    e <== fin.e;
    m <== fin.m;
    ovf <== fin.ovf;
}

// The exact totals of N of the NT products of a sum (NT: all of them, where a
// sum is split between chunks of a step, issue #26): the sum of the scaled
// products, the sum of the flag words (nz_a + L * sign_a) * (nz_b + L * sign_b)
// with L = 2^exactBits(2 * NT), and the sum of the sign bits. Totals of
// disjoint parts add up to the totals of the whole.
template ExactTerms(N, NT) {
    var LB = exactBits(2 * NT);
    input Scaled() a[N];
    input Scaled() b[N];
    signal output sum;
    signal output flags;
    signal output signs;

    signal prod[N];
    signal flag[N];
    var s = 0;
    var f = 0;
    var g = 0;
    for (var i = 0; i < N; i++) {
        prod[i] <== a[i].v * b[i].v;
        flag[i] <== (a[i].nz + (1 << LB) * a[i].sign) * (b[i].nz + (1 << LB) * b[i].sign);
        s += prod[i];
        f += flag[i];
        g += a[i].sign + b[i].sign;
    }
    sum <== s;
    flags <== f;
    signs <== g;
}

// Rounds the totals of a sum of N products plus the addend c (already in
// `sum`) once to FB fraction bits (see ExactSum). The flag words' total
// N1 + L * N2 + L^2 * N3 (L = 2^LB > 2N) counts the non-zero products (N1)
// and the pairs of negative operands (N3); a total that is not such a word
// has no witness.
template ExactFinish(N, NS, ES, FB) {
    var LB = exactBits(2 * N);
    signal input sum;          // c * 2^CSHIFT + the sum of the products
    signal input flags;        // ExactTerms' flag total over all N products
    signal input signs;        // ExactTerms' sign total over all N products
    input Scaled() c;          // the addend (its zero sign counts)
    signal output sign;
    signal output e;
    signal output m;
    signal output ovf;

    // Sign hint, pinned by the rounding (a wrong one makes S a field element
    // with no decomposition) and, for S = 0, overridden below.
    signal neg;
    neg <-- exactIsNegative(sum);
    neg * (neg - 1) === 0;
    signal S;
    S <== sum - 2 * neg * sum;

    component r = ExactRound(NS, ES, FB);
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
    // Every term -0: c is -0, no non-zero product, and every pair has exactly
    // one sign set (sum of sa + sb = N with no pair at 2).
    component noNonZero = IsZero();
    noNonZero.in <== n1;
    component oneSignEach = IsZero();
    oneSignEach.in <== signs - 2 * n3 - N;
    signal productsNegZero;
    productsNegZero <== noNonZero.out * oneSignEach.out;
    signal cNegZero;
    cNegZero <== (1 - c.nz) * c.sign;
    signal negZero;
    negZero <== productsNegZero * cNegZero;

    sign <== neg + r.isZero * (negZero - neg);
    e <== r.e;
    m <== r.m;
    ovf <== r.ovf;
}

// The exactly rounded dot product of two bf16 vectors of length N already
// decoded by ExactOperand(MIN, MAX): fp32(sum of a[i] * b[i]) with one
// rounding.
template ExactDot(N, MIN, MAX) {
    var NS = exactSumBits(N, MAX - MIN);
    var ES = 2 * (127 + MIN) - 118; // a product's unit: 2^(2 * LO - 268) = 2^(ES - 150)

    input Scaled() a[N];       // decoded by ExactOperand(MIN, MAX) or ScaledOne(MIN)
    input Scaled() b[N];
    output Fp32() out;

    component sum = ExactSum(N, NS, ES, 23, 0);
    sum.a <== a;
    sum.b <== b;
    // No addend: -0, which changes neither the value nor the sign of a zero.
    sum.c.v <== 0;
    sum.c.nz <== 0;
    sum.c.sign <== 1;
    out.sign <== sum.sign;
    out.e <== sum.e;
    out.m <== sum.m;
    out.isInf <== sum.ovf;
    out.isNaN <== 0;
}

// Bits of the exact value of a parameter's update over a batch of B:
// |lr * delta * x| < 2^(24 + 3D) per product, |p| < 2^(22 + D - 2 MIN) in
// the products' unit, B + 1 terms.
function exactUpdateBits(B, MIN, MAX) {
    var D = MAX - MIN;
    var products = 24 + 3 * D;
    var param = 22 + D - 2 * MIN;
    return (products > param ? products : param) + exactBits(B);
}

// A parameter's SGD update over a batch with one rounding (prover/numerics/
// exact.ts bf16UpdateExact): p' = round_bf16(p - sum of lrDelta[s] * x[s]),
// where lrDelta[s] = lr * delta[s] (ScaledProduct) and the value inside is
// exact. p, lr, every delta and every x are operands of the range. Output:
// the bf16 pattern of p'.
template ExactUpdate(B, MIN, MAX) {
    var LO = 127 + MIN;
    var NS = exactUpdateBits(B, MIN, MAX);
    // Unit of a triple product: 2^(3 LO - 402) = 2^(ES - 134); p is v_p * 2^(LO - 134),
    // i.e. v_p * 2^(268 - 2 LO) such units.
    var ES = 3 * LO - 268;

    input Scaled() p;
    input Scaled() lrDelta[B];
    input Scaled() x[B];
    signal output out;         // bf16 pattern of p'

    component sum = ExactSum(B, NS, ES, 7, 268 - 2 * LO);
    for (var s = 0; s < B; s++) {
        // -(lr * delta): the value and the sign negated.
        sum.a[s].v <== -lrDelta[s].v;
        sum.a[s].nz <== lrDelta[s].nz;
        sum.a[s].sign <== 1 - lrDelta[s].sign;
        sum.b[s] <== x[s];
    }
    sum.c <== p;
    out <== sum.sign * (1 << 15) + (sum.e - 1) * (1 << 7) + sum.m;
}

// Witness hint for ExactSum: 1 when the field element x stands for a
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

// Test harness: a parameter's exactly rounded update over a batch of B from
// bf16 patterns, p' = round_bf16(p - lr * sum of d[s] * x[s]), as a pattern.
template Bf16UpdateExact(B, MIN, MAX) {
    signal input p;
    signal input lr;
    signal input d[B];
    signal input x[B];
    signal output out;
    component up = Bf16FromBits();
    up.x <== p;
    component op = ExactOperand(MIN, MAX);
    op.x <== up.out;
    component ul = Bf16FromBits();
    ul.x <== lr;
    component ol = ExactOperand(MIN, MAX);
    ol.x <== ul.out;
    component ud[B];
    component od[B];
    component ux[B];
    component ox[B];
    component ld[B];
    component upd = ExactUpdate(B, MIN, MAX);
    upd.p <== op.out;
    for (var s = 0; s < B; s++) {
        ud[s] = Bf16FromBits();
        ud[s].x <== d[s];
        od[s] = ExactOperand(MIN, MAX);
        od[s].x <== ud[s].out;
        ux[s] = Bf16FromBits();
        ux[s].x <== x[s];
        ox[s] = ExactOperand(MIN, MAX);
        ox[s].x <== ux[s].out;
        ld[s] = ScaledProduct();
        ld[s].x <== ol.out;
        ld[s].y <== od[s].out;
        upd.lrDelta[s] <== ld[s].out;
        upd.x[s] <== ox[s].out;
    }
    out <== upd.out;
}
