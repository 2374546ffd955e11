pragma circom 2.2.0;

include "../float/arith.circom";
include "targets.circom";

// One bit-exact SGD step of the "linear-mse" family (prover/training/model.ts
// is the definition; every operation below is the same one, in the same
// order). Parameters: W (O x I, row-major) then b (O), bf16 patterns.
template LinearStep(I, O, B) {
    var P = O * I + O;
    signal input params[P];    // bf16 patterns before the step
    signal input x[B][I];      // features of the batch, bf16 patterns, finite (enforced)
    signal input label[B];     // class index of each sample, < O (enforced)
    signal input lr;           // learning rate, bf16 pattern
    signal output newParams[P]; // bf16 patterns after the step

    // Unpack every operand once; products share the unpacked values.
    component pU[P];
    for (var k = 0; k < P; k++) {
        pU[k] = Bf16FromBits();
        pU[k].x <== params[k];
    }
    // Features must be finite: a NaN or infinite feature has no witness.
    component xU[B][I];
    for (var s = 0; s < B; s++) {
        for (var i = 0; i < I; i++) {
            xU[s][i] = Bf16FiniteFromBits();
            xU[s][i].x <== x[s][i];
        }
    }
    component lrU = Bf16FromBits();
    lrU.x <== lr;
    // -lr: the same value with the sign bit flipped.
    Bf16() minusLr;
    minusLr.sign <== 1 - lrU.out.sign;
    minusLr.e <== lrU.out.e;
    minusLr.m <== lrU.out.m;
    minusLr.isInf <== lrU.out.isInf;
    minusLr.isNaN <== lrU.out.isNaN;
    minusLr.isZero <== lrU.out.isZero;

    // Forward: z = fp32(dot(W[o], x[s]) + b[o]); y = bf16(z).
    component fMul[B][O][I];
    component fAdd[B][O][I];    // index 0 unused; index I adds the bias
    component bias[O];
    for (var o = 0; o < O; o++) {
        bias[o] = Bf16ToFp32U();
        bias[o].x <== pU[O * I + o].out;
    }
    Fp32() z[B][O][I + 1];
    component yBits[B][O];
    component yU[B][O];
    for (var s = 0; s < B; s++) {
        for (var o = 0; o < O; o++) {
            for (var i = 0; i < I; i++) {
                fMul[s][o][i] = Bf16MulUU();
                fMul[s][o][i].a <== pU[o * I + i].out;
                fMul[s][o][i].b <== xU[s][i].out;
            }
            z[s][o][0] <== fMul[s][o][0].out;
            for (var i = 1; i < I; i++) {
                fAdd[s][o][i] = Fp32AddU();
                fAdd[s][o][i].a <== z[s][o][i - 1];
                fAdd[s][o][i].b <== fMul[s][o][i].out;
                z[s][o][i] <== fAdd[s][o][i].out;
            }
            fAdd[s][o][0] = Fp32AddU();
            fAdd[s][o][0].a <== z[s][o][I - 1];
            fAdd[s][o][0].b <== bias[o].out;
            z[s][o][I] <== fAdd[s][o][0].out;
            yBits[s][o] = Fp32UToBf16();
            yBits[s][o].x <== z[s][o][I];
            yU[s][o] = Bf16FromBits();
            yU[s][o].x <== yBits[s][o].out;
        }
    }

    // Error e = bf16(fp32(y - t)) with one-hot targets t (1.0 for the label);
    // OneHot requires every label to be one of the O classes.
    component isLabel[B];
    component yF[B][O];
    component errAdd[B][O];
    component errBits[B][O];
    component eU[B][O];
    Fp32() minusT[B][O];
    for (var s = 0; s < B; s++) {
        isLabel[s] = OneHot(O);
        isLabel[s].label <== label[s];
        for (var o = 0; o < O; o++) {
            // -t: -1.0 (sign 1, e 127, m 2^23) for the label, else -0 (sign 1, e 1, m 0):
            // y - (+0) is y + (-0), which keeps a y of -0 (y + (+0) would not).
            minusT[s][o].sign <== 1;
            minusT[s][o].e <== 1 + 126 * isLabel[s].onehot[o];
            minusT[s][o].m <== isLabel[s].onehot[o] * (1 << 23);
            minusT[s][o].isInf <== 0;
            minusT[s][o].isNaN <== 0;
            yF[s][o] = Bf16ToFp32U();
            yF[s][o].x <== yU[s][o].out;
            errAdd[s][o] = Fp32AddU();
            errAdd[s][o].a <== yF[s][o].out;
            errAdd[s][o].b <== minusT[s][o];
            errBits[s][o] = Fp32UToBf16();
            errBits[s][o].x <== errAdd[s][o].out;
            eU[s][o] = Bf16FromBits();
            eU[s][o].x <== errBits[s][o].out;
        }
    }

    // Gradients, fp32-accumulated over the batch in batch order, then bf16.
    component gMul[O * I][B];
    component gAdd[P][B];       // index 0 unused
    component eF[O][B];
    Fp32() gAcc[P][B];
    component gBits[P];
    component gU[P];
    for (var o = 0; o < O; o++) {
        for (var i = 0; i < I; i++) {
            var k = o * I + i;
            for (var s = 0; s < B; s++) {
                gMul[k][s] = Bf16MulUU();
                gMul[k][s].a <== eU[s][o].out;
                gMul[k][s].b <== xU[s][i].out;
            }
            gAcc[k][0] <== gMul[k][0].out;
            for (var s = 1; s < B; s++) {
                gAdd[k][s] = Fp32AddU();
                gAdd[k][s].a <== gAcc[k][s - 1];
                gAdd[k][s].b <== gMul[k][s].out;
                gAcc[k][s] <== gAdd[k][s].out;
            }
        }
        for (var s = 0; s < B; s++) {
            eF[o][s] = Bf16ToFp32U();
            eF[o][s].x <== eU[s][o].out;
        }
        gAcc[O * I + o][0] <== eF[o][0].out;
        for (var s = 1; s < B; s++) {
            gAdd[O * I + o][s] = Fp32AddU();
            gAdd[O * I + o][s].a <== gAcc[O * I + o][s - 1];
            gAdd[O * I + o][s].b <== eF[o][s].out;
            gAcc[O * I + o][s] <== gAdd[O * I + o][s].out;
        }
    }
    for (var k = 0; k < P; k++) {
        gBits[k] = Fp32UToBf16();
        gBits[k].x <== gAcc[k][B - 1];
        gU[k] = Bf16FromBits();
        gU[k].x <== gBits[k].out;
    }

    // SGD update: p' = bf16(fp32(p) + fp32(-lr * g)).
    component pF[P];
    component uMul[P];
    component uAdd[P];
    component uBits[P];
    for (var k = 0; k < P; k++) {
        pF[k] = Bf16ToFp32U();
        pF[k].x <== pU[k].out;
        uMul[k] = Bf16MulUU();
        uMul[k].a <== minusLr;
        uMul[k].b <== gU[k].out;
        uAdd[k] = Fp32AddU();
        uAdd[k].a <== pF[k].out;
        uAdd[k].b <== uMul[k].out;
        uBits[k] = Fp32UToBf16();
        uBits[k].x <== uAdd[k].out;
        newParams[k] <== uBits[k].out;
    }
}
