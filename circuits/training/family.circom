pragma circom 2.2.0;

include "linear.circom";
include "mlp.circom";
include "init.circom";
include "exact.circom";

// The model families, by the code the spec commits to (prover/spec/commitment.ts
// MODEL_FAMILY_CODES): 1 = linear-mse (inputs I, outputs O; H is 0),
// 2 = mlp-mse (inputs I, hidden H, outputs O). Genesis and Checkpoint(K) take
// the model code M as their first parameter and get everything
// family-specific here: M = family code + 16 * accumulation code, where the
// accumulation code (prover/spec/commitment.ts accumulationCode) is 0 for
// sequential fp32 and 1 + 2 * (MIN + 128) + 512 * (MAX + 128) for the
// exactly rounded rule over the exponent range [MIN, MAX] (issue #28).
function MODEL_LINEAR() { return 1; }
function MODEL_MLP() { return 2; }

function familyOf(M) { return M % 16; }
function accumulationOf(M) { return M \ 16; }
function isExact(M) { return accumulationOf(M) % 2; }
function exactMin(M) { return (accumulationOf(M) \ 2) % 256 - 128; }
function exactMax(M) { return accumulationOf(M) \ 512 - 128; }

// The spec's "model.family" field: the family code + 256 * the hidden width
// + 2^16 * the accumulation code.
function modelField(M, H) {
    return familyOf(M) + 256 * H + 65536 * accumulationOf(M);
}

// Number of parameters.
function paramCountOf(M, I, H, O) {
    if (familyOf(M) == MODEL_LINEAR()) {
        return O * I + O;
    }
    return H * I + H + O * H + O;
}

// FLOPs of one step, counted from the shape (prover/training/architecture.ts).
function flopsOf(M, I, H, O, B) {
    if (familyOf(M) == MODEL_LINEAR()) {
        return 2 * B * O * I + B * O + O * I * (2 * B - 1) + O * (B - 1) + 2 * (O * I + O);
    }
    var P = H * I + H + O * H + O;
    return 2 * B * (H * I + O * H) + B * O + B * H * (2 * O - 1) + (H * I + O * H) * (2 * B - 1) + (H + O) * (B - 1) + 2 * P;
}

// floor(log2(n)) for n >= 1.
function floorLog2(n) {
    var r = 0;
    var v = n;
    while (v > 1) {
        v = v \ 2;
        r++;
    }
    return r;
}

// Top biased exponent of the seeded initial value of parameter k, or 0 for a
// parameter that starts at +0 (prover/training/architecture.ts initTops):
// linear-mse 123 everywhere; mlp-mse 127 - floor(log2(fan-in) / 2) for the
// weights of each layer, +0 for every bias.
function initTopOf(M, I, H, O, k) {
    if (familyOf(M) == MODEL_LINEAR()) {
        return 123;
    }
    if (k < H * I) {
        return 127 - floorLog2(I) \ 2;
    }
    if (k < H * I + H) {
        return 0;
    }
    if (k < H * I + H + O * H) {
        return 127 - floorLog2(H) \ 2;
    }
    return 0;
}

// One training step of the family.
template FamilyStep(M, I, H, O, B) {
    var P = paramCountOf(M, I, H, O);
    signal input params[P];    // bf16 patterns before the step
    signal input x[B][I];      // features of the batch
    signal input label[B];     // labels
    signal input lr;           // learning rate, bf16 pattern
    signal output newParams[P]; // bf16 patterns after the step

    var F = familyOf(M);
    assert(F == MODEL_LINEAR() || F == MODEL_MLP());
    assert(accumulationOf(M) == 0 || isExact(M) == 1);
    if (isExact(M) == 1 && F == MODEL_LINEAR()) {
        component linearX = LinearStepExact(I, O, B, exactMin(M), exactMax(M));
        linearX.params <== params;
        linearX.x <== x;
        linearX.label <== label;
        linearX.lr <== lr;
        newParams <== linearX.newParams;
    } else if (isExact(M) == 1) {
        component mlpX = MlpStepExact(I, H, O, B, exactMin(M), exactMax(M));
        mlpX.params <== params;
        mlpX.x <== x;
        mlpX.label <== label;
        mlpX.lr <== lr;
        newParams <== mlpX.newParams;
    } else if (F == MODEL_LINEAR()) {
        component linear = LinearStep(I, O, B);
        linear.params <== params;
        linear.x <== x;
        linear.label <== label;
        linear.lr <== lr;
        newParams <== linear.newParams;
    } else {
        component mlp = MlpStep(I, H, O, B);
        mlp.params <== params;
        mlp.x <== x;
        mlp.label <== label;
        mlp.lr <== lr;
        newParams <== mlp.newParams;
    }
}

// The initial weights of the family from the init seed.
template FamilyInit(M, I, H, O) {
    var P = paramCountOf(M, I, H, O);
    signal input seed;         // committed init seed
    signal output params[P];   // bf16 patterns

    component init[P];
    for (var k = 0; k < P; k++) {
        var top = initTopOf(M, I, H, O, k);
        if (top == 0) {
            params[k] <== 0;
        } else {
            init[k] = InitParam(top);
            init[k].seed <== seed;
            init[k].k <== k;
            params[k] <== init[k].param;
        }
    }
}
