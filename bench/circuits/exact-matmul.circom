pragma circom 2.2.0;

// For npm run bench only (bench/exact.ts): an R x N by N x C matrix product
// under the exactly rounded rule, every operand decoded once and reused, so
// constraints / (R * N * C) is the cost per multiply-accumulate inside a
// matrix product, rounding of each output included.
include "../../circuits/float/exact.circom";

template MatMulExact(R, N, C, MIN, MAX) {
    signal input a[R][N];      // bf16 patterns
    signal input b[N][C];
    signal output out[R][C];   // fp32 patterns
    component ua[R][N];
    component xa[R][N];
    component ub[N][C];
    component xb[N][C];
    for (var r = 0; r < R; r++) {
        for (var n = 0; n < N; n++) {
            ua[r][n] = Bf16FromBits();
            ua[r][n].x <== a[r][n];
            xa[r][n] = ExactOperand(MIN, MAX);
            xa[r][n].x <== ua[r][n].out;
        }
    }
    for (var n = 0; n < N; n++) {
        for (var c = 0; c < C; c++) {
            ub[n][c] = Bf16FromBits();
            ub[n][c].x <== b[n][c];
            xb[n][c] = ExactOperand(MIN, MAX);
            xb[n][c].x <== ub[n][c].out;
        }
    }
    component dot[R][C];
    component bits[R][C];
    for (var r = 0; r < R; r++) {
        for (var c = 0; c < C; c++) {
            dot[r][c] = ExactDot(N, MIN, MAX);
            for (var n = 0; n < N; n++) {
                dot[r][c].a[n] <== xa[r][n].out;
                dot[r][c].b[n] <== xb[n][c].out;
            }
            bits[r][c] = Fp32ToBits();
            bits[r][c].x <== dot[r][c].out;
            out[r][c] <== bits[r][c].out;
        }
    }
}
