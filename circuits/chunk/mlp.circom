pragma circom 2.2.0;

include "commit.circom";
include "../float/exact.circom";
include "../training/layers.circom";
include "../training/mlp.circom";
include "../training/targets.circom";

// A step of "mlp-mse" under the exactly rounded rule (circuits/training/
// exact.circom MlpStepExact) cut into chunk proofs (issue #26, docs/chunks.md):
//
//   - a hidden tile per block of HB hidden units: the block's pre-activations,
//     ReLU and activations for the batch, its hidden errors from the totals of
//     W2^T e, and the updates of its rows of W1 and entries of b1;
//   - an output tile per block of OB outputs: the block's outputs and errors,
//     the updates of its rows of W2 and entries of b2, and its part of every
//     hidden error's exact sum, added to a running total;
//   - one link proof (link.circom) that opens the spec, draws the batch and
//     wires the tiles together.
//
// Because the rule sums exactly and rounds once, a sum split between tiles
// (ExactTerms) and rounded where it is complete (ExactFinish) is the same
// value, bit for bit, as the unchunked step's.
//
// A tile's only public input is `io`, a digest (TAG_CHUNK) of everything it
// reads and writes: digests of the tensors (PackedDigest, TensorDigest), the
// weights root's sponge state before and after each of its parameter stretches
// (WeightsSegment) in the weights before and after the step, and the learning
// rate. Tiles do not know where they sit: the link fixes every position.

// Digest of the hidden-error totals of one block: (sum, flags, signs) per
// sample and unit, sample-major.
template TotalsDigest(B, HB) {
    signal input sum[B][HB];
    signal input flags[B][HB];
    signal input signs[B][HB];
    signal output out;
    component d = TensorDigest(3 * B * HB);
    for (var s = 0; s < B; s++) {
        for (var h = 0; h < HB; h++) {
            d.in[3 * (s * HB + h)] <== sum[s][h];
            d.in[3 * (s * HB + h) + 1] <== flags[s][h];
            d.in[3 * (s * HB + h) + 2] <== signs[s][h];
        }
    }
    out <== d.out;
}

// A stretch of parameters before and after the step: the same positions of
// both weights sponges (one phase), each state in and out.
template StretchPair(N) {
    signal input before[N];    // bf16 patterns before the step
    signal input after[N];     // bf16 patterns after the step
    signal input phase;
    signal input oldIn[2];     // (sponge state, carry) before the stretch, weights before the step
    signal input newIn[2];     // the same, weights after the step
    signal output oldOut[2];
    signal output newOut[2];

    component o = WeightsSegment(N);
    o.p <== before;
    o.phase <== phase;
    o.hIn <== oldIn[0];
    o.cIn <== oldIn[1];
    oldOut <== [o.hOut, o.cOut];
    component n = WeightsSegment(N);
    n.p <== after;
    n.phase <== phase;
    n.hIn <== newIn[0];
    n.cIn <== newIn[1];
    newOut <== [n.hOut, n.cOut];
}

// The outputs of the step at o0 .. o0 + OB - 1 against one-hot targets: as
// OutputError, with the label possibly outside the block (then no output
// changes: each error is y itself). The label's range is the link's check.
template BlockOutputError(OB) {
    input Bf16() y[OB];
    signal input label;
    signal input o0;
    output Bf16() e[OB];

    component eq[OB];
    var hits = 0;
    for (var o = 0; o < OB; o++) {
        eq[o] = IsEqual();
        eq[o].in <== [label, o0 + o];
        hits += eq[o].out;
    }
    signal off;
    off <== 1 - hits;          // 0 or 1: at most one output matches

    // y at the label, or +0 when the label is elsewhere (then unused).
    signal pick[6][OB];
    var sel[6];
    for (var f = 0; f < 6; f++) {
        sel[f] = 0;
    }
    for (var o = 0; o < OB; o++) {
        pick[0][o] <== eq[o].out * y[o].sign;
        pick[1][o] <== eq[o].out * y[o].e;
        pick[2][o] <== eq[o].out * y[o].m;
        pick[3][o] <== eq[o].out * y[o].isInf;
        pick[4][o] <== eq[o].out * y[o].isNaN;
        pick[5][o] <== eq[o].out * y[o].isZero;
        for (var f = 0; f < 6; f++) {
            sel[f] += pick[f][o];
        }
    }
    Bf16() yL;
    yL.sign <== sel[0];
    yL.e <== sel[1] + off;
    yL.m <== sel[2];
    yL.isInf <== sel[3];
    yL.isNaN <== sel[4];
    yL.isZero <== sel[5] + off;

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

    for (var o = 0; o < OB; o++) {
        e[o].sign <== y[o].sign + eq[o].out * (eL.out.sign - y[o].sign);
        e[o].e <== y[o].e + eq[o].out * (eL.out.e - y[o].e);
        e[o].m <== y[o].m + eq[o].out * (eL.out.m - y[o].m);
        e[o].isInf <== y[o].isInf + eq[o].out * (eL.out.isInf - y[o].isInf);
        e[o].isNaN <== y[o].isNaN + eq[o].out * (eL.out.isNaN - y[o].isNaN);
        e[o].isZero <== y[o].isZero + eq[o].out * (eL.out.isZero - y[o].isZero);
    }
}

// Hidden tile: HB hidden units of an MLP with I inputs and O outputs, batch B,
// exact range [MIN, MAX]. Reads the batch's features, the learning rate, the
// block's rows of W1 and entries of b1, and the block's hidden-error totals
// (sum over all O outputs, from the output tiles); writes the block's
// activations and its new W1 rows and b1 entries.
template MlpHiddenTile(I, HB, O, B, MIN, MAX) {
    var NS = exactSumBits(O, MAX - MIN);
    var ES = 2 * (127 + MIN) - 118;

    signal input io;           // public: digest of everything below
    signal input x[B][I];      // features, bf16 patterns
    signal input lr;           // learning rate, bf16 pattern
    signal input w[HB * I];    // W1 rows of the block, before the step
    signal input b[HB];        // b1 entries of the block, before the step
    signal input wPhase;       // phase of the W1 stretch in the weights sponge
    signal input wOld[2];
    signal input wNew[2];
    signal input bPhase;       // phase of the b1 stretch
    signal input bOld[2];
    signal input bNew[2];
    signal input gSum[B][HB];  // hidden-error totals: exact sums of W2[o][h] * e[s][o]
    signal input gFlags[B][HB];
    signal input gSigns[B][HB];

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

    component wU[HB * I];
    component wX[HB * I];
    for (var k = 0; k < HB * I; k++) {
        wU[k] = Bf16FromBits();
        wU[k].x <== w[k];
        wX[k] = ExactOperand(MIN, MAX);
        wX[k].x <== wU[k].out;
    }
    component bU[HB];
    component bX[HB];
    for (var h = 0; h < HB; h++) {
        bU[h] = Bf16FromBits();
        bU[h].x <== b[h];
        bX[h] = ExactOperand(MIN, MAX);
        bX[h].x <== bU[h].out;
    }

    // Forward: p = bf16(exact(W1 x + b1)), r = relu(p); r's pattern is p's or +0.
    component hid[B][HB];
    component pre[B][HB];
    component relu[B][HB];
    signal r[B][HB];
    for (var s = 0; s < B; s++) {
        for (var h = 0; h < HB; h++) {
            hid[s][h] = ExactDot(I + 1, MIN, MAX);
            for (var i = 0; i < I; i++) {
                hid[s][h].a[i] <== wX[h * I + i].out;
                hid[s][h].b[i] <== xX[s][i].out;
            }
            hid[s][h].a[I] <== bX[h].out;
            hid[s][h].b[I] <== one.out;
            pre[s][h] = RoundUnpack();
            pre[s][h].x <== hid[s][h].out;
            relu[s][h] = ReluMaskU();
            relu[s][h].p <== pre[s][h].out;
            r[s][h] <== (1 - pre[s][h].out.sign) * pre[s][h].bits;
        }
    }

    // Hidden errors: g = fp32 of the exact totals, rounded to bf16, masked.
    component fin[B][HB];
    Fp32() g[B][HB];
    component gR[B][HB];
    component d[B][HB];
    component dX[B][HB];
    component lrD[B][HB];
    for (var s = 0; s < B; s++) {
        for (var h = 0; h < HB; h++) {
            fin[s][h] = ExactFinish(O, NS, ES, 23);
            fin[s][h].sum <== gSum[s][h];
            fin[s][h].flags <== gFlags[s][h];
            fin[s][h].signs <== gSigns[s][h];
            fin[s][h].c.v <== 0;
            fin[s][h].c.nz <== 0;
            fin[s][h].c.sign <== 1;
            g[s][h].sign <== fin[s][h].sign;
            g[s][h].e <== fin[s][h].e;
            g[s][h].m <== fin[s][h].m;
            g[s][h].isInf <== fin[s][h].ovf;
            g[s][h].isNaN <== 0;
            gR[s][h] = RoundUnpack();
            gR[s][h].x <== g[s][h];
            d[s][h] = MaskSelectU();
            d[s][h].g <== gR[s][h].out;
            d[s][h].mask <== relu[s][h].mask;
            dX[s][h] = ExactOperand(MIN, MAX);
            dX[s][h].x <== d[s][h].out;
            lrD[s][h] = ScaledProduct();
            lrD[s][h].x <== lrX.out;
            lrD[s][h].y <== dX[s][h].out;
        }
    }

    // Updates: W1[h][i] with d[s][h] * x[s][i]; b1[h] with d[s][h] * 1.
    component upd[HB * I + HB];
    signal wAfter[HB * I];
    signal bAfter[HB];
    for (var h = 0; h < HB; h++) {
        for (var i = 0; i <= I; i++) {
            var k = h * I + i;
            if (i == I) {
                k = HB * I + h;
            }
            upd[k] = ExactUpdate(B, MIN, MAX);
            if (i < I) {
                upd[k].p <== wX[h * I + i].out;
            } else {
                upd[k].p <== bX[h].out;
            }
            for (var s = 0; s < B; s++) {
                upd[k].lrDelta[s] <== lrD[s][h].out;
                if (i < I) {
                    upd[k].x[s] <== xX[s][i].out;
                } else {
                    upd[k].x[s] <== one.out;
                }
            }
            if (i < I) {
                wAfter[h * I + i] <== upd[k].out;
            } else {
                bAfter[h] <== upd[k].out;
            }
        }
    }

    // What the tile reads and writes.
    component xD = PackedDigest(B * I);
    for (var s = 0; s < B; s++) {
        for (var i = 0; i < I; i++) {
            xD.in[s * I + i] <== x[s][i];
        }
    }
    component rD = PackedDigest(B * HB);
    for (var s = 0; s < B; s++) {
        for (var h = 0; h < HB; h++) {
            rD.in[s * HB + h] <== r[s][h];
        }
    }
    component gD = TotalsDigest(B, HB);
    gD.sum <== gSum;
    gD.flags <== gFlags;
    gD.signs <== gSigns;
    component ws = StretchPair(HB * I);
    ws.before <== w;
    ws.after <== wAfter;
    ws.phase <== wPhase;
    ws.oldIn <== wOld;
    ws.newIn <== wNew;
    component bs = StretchPair(HB);
    bs.before <== b;
    bs.after <== bAfter;
    bs.phase <== bPhase;
    bs.oldIn <== bOld;
    bs.newIn <== bNew;

    component ioD = Digest(TAG_CHUNK(), 25);
    ioD.in <== [1, xD.out, lr,
        wPhase, wOld[0], wOld[1], ws.oldOut[0], ws.oldOut[1], wNew[0], wNew[1], ws.newOut[0], ws.newOut[1],
        bPhase, bOld[0], bOld[1], bs.oldOut[0], bs.oldOut[1], bNew[0], bNew[1], bs.newOut[0], bs.newOut[1],
        rD.out, gD.out, HB, I];
    io === ioD.out;
}

// Output tile: OB outputs (o0 .. o0 + OB - 1) of an MLP with H hidden units
// (in blocks of HB) and O outputs, batch B, exact range [MIN, MAX]. Reads the
// activations (all of them), the labels, the learning rate, the block's rows
// of W2 and entries of b2, and the hidden-error totals so far; writes the
// block's new W2 rows and b2 entries and the totals with its part added.
template MlpOutputTile(H, HB, O, OB, B, MIN, MAX) {
    var NB = H \ HB;
    assert(NB * HB == H);

    signal input io;           // public: digest of everything below
    signal input r[B][H];      // activations, bf16 patterns
    signal input label[B];     // class indices (their range is the link's check)
    signal input o0;           // first output of the block
    signal input lr;
    signal input w[OB * H];    // W2 rows of the block, before the step
    signal input b[OB];        // b2 entries of the block, before the step
    signal input wPhase;
    signal input wOld[2];
    signal input wNew[2];
    signal input bPhase;
    signal input bOld[2];
    signal input bNew[2];
    signal input gSum[B][H];   // hidden-error totals before this tile
    signal input gFlags[B][H];
    signal input gSigns[B][H];

    component rU[B][H];
    component rX[B][H];
    for (var s = 0; s < B; s++) {
        for (var h = 0; h < H; h++) {
            rU[s][h] = Bf16FromBits();
            rU[s][h].x <== r[s][h];
            rX[s][h] = ExactOperand(MIN, MAX);
            rX[s][h].x <== rU[s][h].out;
        }
    }
    component lrU = Bf16FromBits();
    lrU.x <== lr;
    component lrX = ExactOperand(MIN, MAX);
    lrX.x <== lrU.out;
    component one = ScaledOne(MIN);

    component wU[OB * H];
    component wX[OB * H];
    for (var k = 0; k < OB * H; k++) {
        wU[k] = Bf16FromBits();
        wU[k].x <== w[k];
        wX[k] = ExactOperand(MIN, MAX);
        wX[k].x <== wU[k].out;
    }
    component bU[OB];
    component bX[OB];
    for (var o = 0; o < OB; o++) {
        bU[o] = Bf16FromBits();
        bU[o].x <== b[o];
        bX[o] = ExactOperand(MIN, MAX);
        bX[o].x <== bU[o].out;
    }

    // Forward: y = bf16(exact(W2 r + b2)); errors against the labels.
    component outD[B][OB];
    component yR[B][OB];
    component err[B];
    component eX[B][OB];
    component lrE[B][OB];
    for (var s = 0; s < B; s++) {
        err[s] = BlockOutputError(OB);
        for (var o = 0; o < OB; o++) {
            outD[s][o] = ExactDot(H + 1, MIN, MAX);
            for (var h = 0; h < H; h++) {
                outD[s][o].a[h] <== wX[o * H + h].out;
                outD[s][o].b[h] <== rX[s][h].out;
            }
            outD[s][o].a[H] <== bX[o].out;
            outD[s][o].b[H] <== one.out;
            yR[s][o] = RoundUnpack();
            yR[s][o].x <== outD[s][o].out;
            err[s].y[o] <== yR[s][o].out;
        }
        err[s].label <== label[s];
        err[s].o0 <== o0;
        for (var o = 0; o < OB; o++) {
            eX[s][o] = ExactOperand(MIN, MAX);
            eX[s][o].x <== err[s].e[o];
            lrE[s][o] = ScaledProduct();
            lrE[s][o].x <== lrX.out;
            lrE[s][o].y <== eX[s][o].out;
        }
    }

    // This block's part of every hidden error: sum over its outputs of W2[o][h] * e[s][o].
    component part[B][H];
    signal gSumOut[B][H];
    signal gFlagsOut[B][H];
    signal gSignsOut[B][H];
    for (var s = 0; s < B; s++) {
        for (var h = 0; h < H; h++) {
            part[s][h] = ExactTerms(OB, O);
            for (var o = 0; o < OB; o++) {
                part[s][h].a[o] <== wX[o * H + h].out;
                part[s][h].b[o] <== eX[s][o].out;
            }
            gSumOut[s][h] <== gSum[s][h] + part[s][h].sum;
            gFlagsOut[s][h] <== gFlags[s][h] + part[s][h].flags;
            gSignsOut[s][h] <== gSigns[s][h] + part[s][h].signs;
        }
    }

    // Updates: W2[o][h] with e[s][o] * r[s][h]; b2[o] with e[s][o] * 1.
    component upd[OB * H + OB];
    signal wAfter[OB * H];
    signal bAfter[OB];
    for (var o = 0; o < OB; o++) {
        for (var h = 0; h <= H; h++) {
            var k = h < H ? o * H + h : OB * H + o;
            upd[k] = ExactUpdate(B, MIN, MAX);
            if (h < H) {
                upd[k].p <== wX[o * H + h].out;
            } else {
                upd[k].p <== bX[o].out;
            }
            for (var s = 0; s < B; s++) {
                upd[k].lrDelta[s] <== lrE[s][o].out;
                if (h < H) {
                    upd[k].x[s] <== rX[s][h].out;
                } else {
                    upd[k].x[s] <== one.out;
                }
            }
            if (h < H) {
                wAfter[o * H + h] <== upd[k].out;
            } else {
                bAfter[o] <== upd[k].out;
            }
        }
    }

    // What the tile reads and writes: the activations and totals by hidden block.
    component rD[NB];
    component gInD[NB];
    component gOutD[NB];
    for (var n = 0; n < NB; n++) {
        rD[n] = PackedDigest(B * HB);
        gInD[n] = TotalsDigest(B, HB);
        gOutD[n] = TotalsDigest(B, HB);
        for (var s = 0; s < B; s++) {
            for (var h = 0; h < HB; h++) {
                rD[n].in[s * HB + h] <== r[s][n * HB + h];
                gInD[n].sum[s][h] <== gSum[s][n * HB + h];
                gInD[n].flags[s][h] <== gFlags[s][n * HB + h];
                gInD[n].signs[s][h] <== gSigns[s][n * HB + h];
                gOutD[n].sum[s][h] <== gSumOut[s][n * HB + h];
                gOutD[n].flags[s][h] <== gFlagsOut[s][n * HB + h];
                gOutD[n].signs[s][h] <== gSignsOut[s][n * HB + h];
            }
        }
    }
    component rAll = TensorDigest(NB);
    component gInAll = TensorDigest(NB);
    component gOutAll = TensorDigest(NB);
    for (var n = 0; n < NB; n++) {
        rAll.in[n] <== rD[n].out;
        gInAll.in[n] <== gInD[n].out;
        gOutAll.in[n] <== gOutD[n].out;
    }
    component labelD = TensorDigest(B);
    labelD.in <== label;
    component ws = StretchPair(OB * H);
    ws.before <== w;
    ws.after <== wAfter;
    ws.phase <== wPhase;
    ws.oldIn <== wOld;
    ws.newIn <== wNew;
    component bs = StretchPair(OB);
    bs.before <== b;
    bs.after <== bAfter;
    bs.phase <== bPhase;
    bs.oldIn <== bOld;
    bs.newIn <== bNew;

    component ioD = Digest(TAG_CHUNK(), 28);
    ioD.in <== [2, labelD.out, lr, o0,
        wPhase, wOld[0], wOld[1], ws.oldOut[0], ws.oldOut[1], wNew[0], wNew[1], ws.newOut[0], ws.newOut[1],
        bPhase, bOld[0], bOld[1], bs.oldOut[0], bs.oldOut[1], bNew[0], bNew[1], bs.newOut[0], bs.newOut[1],
        rAll.out, gInAll.out, gOutAll.out, H, OB, HB];
    io === ioD.out;
}
