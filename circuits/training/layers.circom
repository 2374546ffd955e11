pragma circom 2.2.0;

include "../float/arith.circom";
include "targets.circom";

// Building blocks of the training steps, on unpacked values (bus Bf16 in,
// bus Fp32 out). Every accumulation is sequential fp32 in index order,
// starting from the first term, as prover/training defines it.

// fp32(a[0]*b[0] + a[1]*b[1] + ... + a[N-1]*b[N-1]): sequential MACs.
template MacChain(N) {
    input Bf16() a[N];
    input Bf16() b[N];
    output Fp32() out;
    component mul[N];
    component add[N];          // index 0 unused
    Fp32() acc[N];
    for (var i = 0; i < N; i++) {
        mul[i] = Bf16MulUU();
        mul[i].a <== a[i];
        mul[i].b <== b[i];
    }
    acc[0] <== mul[0].out;
    for (var i = 1; i < N; i++) {
        add[i] = Fp32AddU();
        add[i].a <== acc[i - 1];
        add[i].b <== mul[i].out;
        acc[i] <== add[i].out;
    }
    out <== acc[N - 1];
}

// fp32(a[0] + a[1] + ... + a[N-1]) of bf16 values: sequential adds.
template SumChain(N) {
    input Bf16() a[N];
    output Fp32() out;
    component f[N];
    component add[N];          // index 0 unused
    Fp32() acc[N];
    for (var i = 0; i < N; i++) {
        f[i] = Bf16ToFp32U();
        f[i].x <== a[i];
    }
    acc[0] <== f[0].out;
    for (var i = 1; i < N; i++) {
        add[i] = Fp32AddU();
        add[i].a <== acc[i - 1];
        add[i].b <== f[i].out;
        acc[i] <== add[i].out;
    }
    out <== acc[N - 1];
}

// A dense unit: fp32(MacChain(w, x) + fp32(bias)).
template DotBias(N) {
    input Bf16() w[N];
    input Bf16() x[N];
    input Bf16() bias;
    output Fp32() out;
    component dot = MacChain(N);
    dot.a <== w;
    dot.b <== x;
    component b = Bf16ToFp32U();
    b.x <== bias;
    component add = Fp32AddU();
    add.a <== dot.out;
    add.b <== b.out;
    out <== add.out;
}

// fp32 -> bf16 (round-to-nearest-even): the pattern and its unpacked value.
template RoundUnpack() {
    input Fp32() x;
    signal output bits;        // bf16 pattern
    output Bf16() out;
    component r = Fp32UToBf16U();
    r.x <== x;
    bits <== r.bits;
    out <== r.out;
}

// The error of one sample against one-hot targets, e[o] = bf16(fp32(y[o] - t[o]))
// with t[o] = 1.0 for the label and +0 elsewhere; the label must be one of the
// O classes (OneHot has no witness otherwise). Off the label the sum is
// fp32(y + (-0)), which is y itself for every y (-0 + -0 = -0, +0 + -0 = +0,
// a NaN y is already the canonical one), so only the labelled output is
// added: it is selected field by field, fp32(y - 1.0) rounded, and put back.
template OutputError(O) {
    input Bf16() y[O];
    signal input label;        // class index, < O (enforced)
    output Bf16() e[O];

    component isLabel = OneHot(O);
    isLabel.label <== label;

    // y at the label: exactly one indicator is 1.
    signal pick[6][O];
    var sel[6];
    for (var f = 0; f < 6; f++) {
        sel[f] = 0;
    }
    for (var o = 0; o < O; o++) {
        pick[0][o] <== isLabel.onehot[o] * y[o].sign;
        pick[1][o] <== isLabel.onehot[o] * y[o].e;
        pick[2][o] <== isLabel.onehot[o] * y[o].m;
        pick[3][o] <== isLabel.onehot[o] * y[o].isInf;
        pick[4][o] <== isLabel.onehot[o] * y[o].isNaN;
        pick[5][o] <== isLabel.onehot[o] * y[o].isZero;
        for (var f = 0; f < 6; f++) {
            sel[f] += pick[f][o];
        }
    }
    Bf16() yL;
    yL.sign <== sel[0];
    yL.e <== sel[1];
    yL.m <== sel[2];
    yL.isInf <== sel[3];
    yL.isNaN <== sel[4];
    yL.isZero <== sel[5];

    // fp32(yL + (-1.0)) rounded to bf16; -1.0 is sign 1, e 127, m 2^23.
    component yF = Bf16ToFp32U();
    yF.x <== yL;
    Fp32() minusOne;
    minusOne.sign <== 1;
    minusOne.e <== 127;
    minusOne.m <== 1 << 23;
    minusOne.isInf <== 0;
    minusOne.isNaN <== 0;
    component add = Fp32AddU();
    add.a <== yF.out;
    add.b <== minusOne;
    component eL = RoundUnpack();
    eL.x <== add.out;

    // Off the label y itself; at the label eL.
    for (var o = 0; o < O; o++) {
        e[o].sign <== y[o].sign + isLabel.onehot[o] * (eL.out.sign - y[o].sign);
        e[o].e <== y[o].e + isLabel.onehot[o] * (eL.out.e - y[o].e);
        e[o].m <== y[o].m + isLabel.onehot[o] * (eL.out.m - y[o].m);
        e[o].isInf <== y[o].isInf + isLabel.onehot[o] * (eL.out.isInf - y[o].isInf);
        e[o].isNaN <== y[o].isNaN + isLabel.onehot[o] * (eL.out.isNaN - y[o].isNaN);
        e[o].isZero <== y[o].isZero + isLabel.onehot[o] * (eL.out.isZero - y[o].isZero);
    }
}

// -x for a bf16 value: the sign flipped (exact).
template Bf16NegU() {
    input Bf16() x;
    output Bf16() out;
    out.sign <== 1 - x.sign;
    out.e <== x.e;
    out.m <== x.m;
    out.isInf <== x.isInf;
    out.isNaN <== x.isNaN;
    out.isZero <== x.isZero;
}

// SGD update of one parameter: bf16(fp32(p) + fp32(minusLr * g)), a pattern.
template SgdUpdate() {
    input Bf16() p;
    input Bf16() minusLr;
    input Bf16() g;
    signal output out;         // bf16 pattern
    component pF = Bf16ToFp32U();
    pF.x <== p;
    component mul = Bf16MulUU();
    mul.a <== minusLr;
    mul.b <== g;
    component add = Fp32AddU();
    add.a <== pF.out;
    add.b <== mul.out;
    component r = Fp32UToBf16();
    r.x <== add.out;
    out <== r.out;
}
