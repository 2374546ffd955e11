pragma circom 2.2.0;

include "layers.circom";

// ReLU and its derivative mask on a bf16 pre-activation that comes out of
// Fp32UToBf16 (so a NaN is the canonical, positive 0x7FC0):
//   out  = +0 if p is negative or -0, else p (NaN and +inf pass through);
//   mask = 1 exactly when p > 0: 0 at +0, at -0, for negatives and for NaN.
template ReluMaskU() {
    input Bf16() p;
    output Bf16() out;
    signal output mask;
    out.sign <== 0;
    out.e <== p.e + p.sign * (1 - p.e);
    out.m <== (1 - p.sign) * p.m;
    out.isInf <== (1 - p.sign) * p.isInf;
    out.isNaN <== (1 - p.sign) * p.isNaN;
    out.isZero <== p.isZero + p.sign * (1 - p.isZero);
    mask <== 1 - out.isZero - out.isNaN;
}

// Selects g where mask = 1 and +0 where mask = 0 (mask is a bit).
template MaskSelectU() {
    input Bf16() g;
    signal input mask;
    output Bf16() out;
    out.sign <== mask * g.sign;
    out.e <== 1 + mask * (g.e - 1);
    out.m <== mask * g.m;
    out.isInf <== mask * g.isInf;
    out.isNaN <== mask * g.isNaN;
    out.isZero <== 1 - mask * (1 - g.isZero);
}

// One bit-exact SGD step of the "mlp-mse" family: inputs -> hidden (ReLU) ->
// outputs, MSE against one-hot targets (prover/training/mlp.ts is the
// definition; every operation below is the same one, in the same order).
// Parameters: W1 (H x I), b1 (H), W2 (O x H), b2 (O), row-major, bf16 patterns.
template MlpStep(I, H, O, B) {
    var W1 = 0;
    var B1 = H * I;
    var W2 = H * I + H;
    var B2 = H * I + H + O * H;
    var P = H * I + H + O * H + O;
    signal input params[P];    // bf16 patterns before the step
    signal input x[B][I];      // features of the batch, bf16 patterns, finite (enforced)
    signal input label[B];     // class index of each sample, < O (enforced)
    signal input lr;           // learning rate, bf16 pattern
    signal output newParams[P]; // bf16 patterns after the step

    component pU[P];
    for (var k = 0; k < P; k++) {
        pU[k] = Bf16FromBits();
        pU[k].x <== params[k];
    }
    component xU[B][I];
    for (var s = 0; s < B; s++) {
        for (var i = 0; i < I; i++) {
            xU[s][i] = Bf16FiniteFromBits();
            xU[s][i].x <== x[s][i];
        }
    }
    component lrU = Bf16FromBits();
    lrU.x <== lr;
    component minusLr = Bf16NegU();
    minusLr.x <== lrU.out;

    // Forward: p = bf16(W1 x + b1), r = relu(p), y = bf16(W2 r + b2); e = bf16(y - t).
    component hid[B][H];
    component pre[B][H];
    component relu[B][H];
    component outU[B][O];
    component yR[B][O];
    component err[B];
    for (var s = 0; s < B; s++) {
        for (var h = 0; h < H; h++) {
            hid[s][h] = DotBias(I);
            for (var i = 0; i < I; i++) {
                hid[s][h].w[i] <== pU[W1 + h * I + i].out;
                hid[s][h].x[i] <== xU[s][i].out;
            }
            hid[s][h].bias <== pU[B1 + h].out;
            pre[s][h] = RoundUnpack();
            pre[s][h].x <== hid[s][h].out;
            relu[s][h] = ReluMaskU();
            relu[s][h].p <== pre[s][h].out;
        }
        err[s] = OutputError(O);
        for (var o = 0; o < O; o++) {
            outU[s][o] = DotBias(H);
            for (var h = 0; h < H; h++) {
                outU[s][o].w[h] <== pU[W2 + o * H + h].out;
                outU[s][o].x[h] <== relu[s][h].out;
            }
            outU[s][o].bias <== pU[B2 + o].out;
            yR[s][o] = RoundUnpack();
            yR[s][o].x <== outU[s][o].out;
            err[s].y[o] <== yR[s][o].out;
        }
        err[s].label <== label[s];
    }

    // Backward: g = bf16(W2^T e) in output order, d = g where p > 0, else +0.
    component back[B][H];
    component gR[B][H];
    component d[B][H];
    for (var s = 0; s < B; s++) {
        for (var h = 0; h < H; h++) {
            back[s][h] = MacChain(O);
            for (var o = 0; o < O; o++) {
                back[s][h].a[o] <== pU[W2 + o * H + h].out;
                back[s][h].b[o] <== err[s].e[o];
            }
            gR[s][h] = RoundUnpack();
            gR[s][h].x <== back[s][h].out;
            d[s][h] = MaskSelectU();
            d[s][h].g <== gR[s][h].out;
            d[s][h].mask <== relu[s][h].mask;
        }
    }

    // Gradients, fp32-accumulated over the batch in batch order, then bf16.
    component gW1[H][I];
    component gb1[H];
    component gW2[O][H];
    component gb2[O];
    component gradR[P];
    for (var h = 0; h < H; h++) {
        for (var i = 0; i < I; i++) {
            gW1[h][i] = MacChain(B);
            for (var s = 0; s < B; s++) {
                gW1[h][i].a[s] <== d[s][h].out;
                gW1[h][i].b[s] <== xU[s][i].out;
            }
            gradR[W1 + h * I + i] = RoundUnpack();
            gradR[W1 + h * I + i].x <== gW1[h][i].out;
        }
        gb1[h] = SumChain(B);
        for (var s = 0; s < B; s++) {
            gb1[h].a[s] <== d[s][h].out;
        }
        gradR[B1 + h] = RoundUnpack();
        gradR[B1 + h].x <== gb1[h].out;
    }
    for (var o = 0; o < O; o++) {
        for (var h = 0; h < H; h++) {
            gW2[o][h] = MacChain(B);
            for (var s = 0; s < B; s++) {
                gW2[o][h].a[s] <== err[s].e[o];
                gW2[o][h].b[s] <== relu[s][h].out;
            }
            gradR[W2 + o * H + h] = RoundUnpack();
            gradR[W2 + o * H + h].x <== gW2[o][h].out;
        }
        gb2[o] = SumChain(B);
        for (var s = 0; s < B; s++) {
            gb2[o].a[s] <== err[s].e[o];
        }
        gradR[B2 + o] = RoundUnpack();
        gradR[B2 + o].x <== gb2[o].out;
    }

    // SGD update: p' = bf16(fp32(p) + fp32(-lr * g)).
    component upd[P];
    for (var k = 0; k < P; k++) {
        upd[k] = SgdUpdate();
        upd[k].p <== pU[k].out;
        upd[k].minusLr <== minusLr.out;
        upd[k].g <== gradR[k].out;
        newParams[k] <== upd[k].out;
    }
}
