pragma circom 2.2.0;

include "../float/exact.circom";
include "layers.circom";
include "mlp.circom";

// The training steps of the two families under the exactly rounded rule
// (issue #28): the same operations as linear.circom and mlp.circom in the
// same places, except that every dot product (a dense unit with its bias as
// one more product, bias * 1.0; a hidden error) is the exact sum rounded once
// to fp32 (ExactDot) instead of a chain of fp32 multiply-accumulates, and each
// parameter's gradient and update are one exact value rounded once to bf16,
// p' = round_bf16(p - lr * sum over the batch of delta * x) (ExactUpdate).
// prover/training/model.ts and mlp.ts with prover/numerics/accumulation.ts
// are the definition.
//
// Every value that enters a product is decoded once into a Scaled operand
// (ExactOperand: this is where the declared range [MIN, MAX] is enforced, so a
// parameter, feature, activation, error or learning rate outside it has no
// witness) and reused by every product it enters; lr * delta is formed once
// per sample and unit (ScaledProduct).

// One step of "linear-mse" under the exact rule.
template LinearStepExact(I, O, B, MIN, MAX) {
    var P = O * I + O;
    signal input params[P];    // bf16 patterns before the step
    signal input x[B][I];      // features of the batch, bf16 patterns, in the range (enforced)
    signal input label[B];     // class index of each sample, < O (enforced)
    signal input lr;           // learning rate, bf16 pattern
    signal output newParams[P]; // bf16 patterns after the step

    component pU[P];
    component pX[P];
    for (var k = 0; k < P; k++) {
        pU[k] = Bf16FromBits();
        pU[k].x <== params[k];
        pX[k] = ExactOperand(MIN, MAX);
        pX[k].x <== pU[k].out;
    }
    component xU[B][I];
    component xX[B][I];
    for (var s = 0; s < B; s++) {
        for (var i = 0; i < I; i++) {
            xU[s][i] = Bf16FromBits();
            xU[s][i].x <== x[s][i];
            xX[s][i] = ExactOperand(MIN, MAX);
            xX[s][i].x <== xU[s][i].out;
        }
    }
    component lrU = Bf16FromBits();
    lrU.x <== lr;
    component lrX = ExactOperand(MIN, MAX);
    lrX.x <== lrU.out;
    component one = ScaledOne(MIN);

    // Forward: y = bf16(fp32(exact(W[o] . x + b[o] * 1))); e = bf16(y - t).
    component fwd[B][O];
    component yR[B][O];
    component err[B];
    component eX[B][O];
    for (var s = 0; s < B; s++) {
        err[s] = OutputError(O);
        for (var o = 0; o < O; o++) {
            fwd[s][o] = ExactDot(I + 1, MIN, MAX);
            for (var i = 0; i < I; i++) {
                fwd[s][o].a[i] <== pX[o * I + i].out;
                fwd[s][o].b[i] <== xX[s][i].out;
            }
            fwd[s][o].a[I] <== pX[O * I + o].out;
            fwd[s][o].b[I] <== one.out;
            yR[s][o] = RoundUnpack();
            yR[s][o].x <== fwd[s][o].out;
            err[s].y[o] <== yR[s][o].out;
        }
        err[s].label <== label[s];
        for (var o = 0; o < O; o++) {
            eX[s][o] = ExactOperand(MIN, MAX);
            eX[s][o].x <== err[s].e[o];
        }
    }

    // lr * e, once per sample and output.
    component lrE[B][O];
    for (var s = 0; s < B; s++) {
        for (var o = 0; o < O; o++) {
            lrE[s][o] = ScaledProduct();
            lrE[s][o].x <== lrX.out;
            lrE[s][o].y <== eX[s][o].out;
        }
    }

    // Gradient and update in one rounding: p' = round_bf16(p - lr * sum over s of e[s][o] * x[s][i]),
    // x = 1 for the bias b[o].
    component upd[P];
    for (var o = 0; o < O; o++) {
        for (var i = 0; i <= I; i++) {
            var k = i < I ? o * I + i : O * I + o;
            upd[k] = ExactUpdate(B, MIN, MAX);
            upd[k].p <== pX[k].out;
            for (var s = 0; s < B; s++) {
                upd[k].lrDelta[s] <== lrE[s][o].out;
                if (i < I) {
                    upd[k].x[s] <== xX[s][i].out;
                } else {
                    upd[k].x[s] <== one.out;
                }
            }
            newParams[k] <== upd[k].out;
        }
    }
}

// One step of "mlp-mse" under the exact rule.
template MlpStepExact(I, H, O, B, MIN, MAX) {
    var W1 = 0;
    var B1 = H * I;
    var W2 = H * I + H;
    var B2 = H * I + H + O * H;
    var P = H * I + H + O * H + O;
    signal input params[P];    // bf16 patterns before the step
    signal input x[B][I];      // features of the batch, bf16 patterns, in the range (enforced)
    signal input label[B];     // class index of each sample, < O (enforced)
    signal input lr;           // learning rate, bf16 pattern
    signal output newParams[P]; // bf16 patterns after the step

    component pU[P];
    component pX[P];
    for (var k = 0; k < P; k++) {
        pU[k] = Bf16FromBits();
        pU[k].x <== params[k];
        pX[k] = ExactOperand(MIN, MAX);
        pX[k].x <== pU[k].out;
    }
    component xU[B][I];
    component xX[B][I];
    for (var s = 0; s < B; s++) {
        for (var i = 0; i < I; i++) {
            xU[s][i] = Bf16FromBits();
            xU[s][i].x <== x[s][i];
            xX[s][i] = ExactOperand(MIN, MAX);
            xX[s][i].x <== xU[s][i].out;
        }
    }
    component lrU = Bf16FromBits();
    lrU.x <== lr;
    component lrX = ExactOperand(MIN, MAX);
    lrX.x <== lrU.out;
    component one = ScaledOne(MIN);

    // Forward: p = bf16(exact(W1 x + b1)), r = relu(p), y = bf16(exact(W2 r + b2)); e = bf16(y - t).
    component hid[B][H];
    component pre[B][H];
    component relu[B][H];
    component rX[B][H];
    component outD[B][O];
    component yR[B][O];
    component err[B];
    component eX[B][O];
    for (var s = 0; s < B; s++) {
        for (var h = 0; h < H; h++) {
            hid[s][h] = ExactDot(I + 1, MIN, MAX);
            for (var i = 0; i < I; i++) {
                hid[s][h].a[i] <== pX[W1 + h * I + i].out;
                hid[s][h].b[i] <== xX[s][i].out;
            }
            hid[s][h].a[I] <== pX[B1 + h].out;
            hid[s][h].b[I] <== one.out;
            pre[s][h] = RoundUnpack();
            pre[s][h].x <== hid[s][h].out;
            relu[s][h] = ReluMaskU();
            relu[s][h].p <== pre[s][h].out;
            rX[s][h] = ExactOperand(MIN, MAX);
            rX[s][h].x <== relu[s][h].out;
        }
        err[s] = OutputError(O);
        for (var o = 0; o < O; o++) {
            outD[s][o] = ExactDot(H + 1, MIN, MAX);
            for (var h = 0; h < H; h++) {
                outD[s][o].a[h] <== pX[W2 + o * H + h].out;
                outD[s][o].b[h] <== rX[s][h].out;
            }
            outD[s][o].a[H] <== pX[B2 + o].out;
            outD[s][o].b[H] <== one.out;
            yR[s][o] = RoundUnpack();
            yR[s][o].x <== outD[s][o].out;
            err[s].y[o] <== yR[s][o].out;
        }
        err[s].label <== label[s];
        for (var o = 0; o < O; o++) {
            eX[s][o] = ExactOperand(MIN, MAX);
            eX[s][o].x <== err[s].e[o];
        }
    }

    // Backward: g = bf16(exact(W2^T e)), d = g where p > 0, else +0.
    component back[B][H];
    component gR[B][H];
    component d[B][H];
    component dX[B][H];
    for (var s = 0; s < B; s++) {
        for (var h = 0; h < H; h++) {
            back[s][h] = ExactDot(O, MIN, MAX);
            for (var o = 0; o < O; o++) {
                back[s][h].a[o] <== pX[W2 + o * H + h].out;
                back[s][h].b[o] <== eX[s][o].out;
            }
            gR[s][h] = RoundUnpack();
            gR[s][h].x <== back[s][h].out;
            d[s][h] = MaskSelectU();
            d[s][h].g <== gR[s][h].out;
            d[s][h].mask <== relu[s][h].mask;
            dX[s][h] = ExactOperand(MIN, MAX);
            dX[s][h].x <== d[s][h].out;
        }
    }

    // lr * e and lr * d, once per sample and unit.
    component lrE[B][O];
    component lrD[B][H];
    for (var s = 0; s < B; s++) {
        for (var o = 0; o < O; o++) {
            lrE[s][o] = ScaledProduct();
            lrE[s][o].x <== lrX.out;
            lrE[s][o].y <== eX[s][o].out;
        }
        for (var h = 0; h < H; h++) {
            lrD[s][h] = ScaledProduct();
            lrD[s][h].x <== lrX.out;
            lrD[s][h].y <== dX[s][h].out;
        }
    }

    // Gradient and update in one rounding per parameter:
    //   W1[h][i]: p - lr * sum of d[s][h] * x[s][i];   b1[h]: with x = 1;
    //   W2[o][h]: p - lr * sum of e[s][o] * r[s][h];   b2[o]: with r = 1.
    component upd[P];
    for (var h = 0; h < H; h++) {
        for (var i = 0; i <= I; i++) {
            var k = i < I ? W1 + h * I + i : B1 + h;
            upd[k] = ExactUpdate(B, MIN, MAX);
            upd[k].p <== pX[k].out;
            for (var s = 0; s < B; s++) {
                upd[k].lrDelta[s] <== lrD[s][h].out;
                if (i < I) {
                    upd[k].x[s] <== xX[s][i].out;
                } else {
                    upd[k].x[s] <== one.out;
                }
            }
            newParams[k] <== upd[k].out;
        }
    }
    for (var o = 0; o < O; o++) {
        for (var h = 0; h <= H; h++) {
            var k = h < H ? W2 + o * H + h : B2 + o;
            upd[k] = ExactUpdate(B, MIN, MAX);
            upd[k].p <== pX[k].out;
            for (var s = 0; s < B; s++) {
                upd[k].lrDelta[s] <== lrE[s][o].out;
                if (h < H) {
                    upd[k].x[s] <== rX[s][h].out;
                } else {
                    upd[k].x[s] <== one.out;
                }
            }
            newParams[k] <== upd[k].out;
        }
    }
}
