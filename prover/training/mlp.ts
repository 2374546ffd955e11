/**
 * The "mlp-mse" model family and its bit-exact training step (issue #10):
 * inputs -> hidden (ReLU) -> outputs, mean squared error against one-hot
 * targets, plain SGD. This is the definition circuits/training/mlp.circom
 * reproduces; every operation is one of prover/numerics on bit patterns, in
 * the order written here, and that order is part of the statement.
 *
 * Parameters, in this order (row-major matrices):
 *   W1 (hidden x inputs), b1 (hidden), W2 (outputs x hidden), b2 (outputs).
 *
 * Forward, for each sample s of the batch (batch order):
 *   a[s][h] = fp32(W1[h][0]*x[0] + ... + W1[h][I-1]*x[I-1] + fp32(b1[h]))
 *             sequential fp32 MACs over i from the first product, then the bias
 *   p[s][h] = bf16(a[s][h])                              the pre-activation
 *   r[s][h] = relu(p[s][h])                              bf16: negatives and -0 -> +0
 *   y[s][o] = bf16(fp32(W2[o][0]*r[s][0] + ... + fp32(b2[o])))   MACs over h, then the bias
 *   e[s][o] = bf16(fp32(y[s][o] - t[s][o]))              t one-hot: 1.0 at the label, +0 elsewhere
 * Backward (with the weights before the step):
 *   g[s][h]  = bf16(fp32(W2[0][h]*e[s][0] + ... + W2[O-1][h]*e[s][O-1]))   MACs over o
 *   d[s][h]  = g[s][h] if p[s][h] > 0, else +0          ReLU derivative: 1 for p > 0 only, so 0 at
 *                                                       +0, at -0 and for NaN (d is then exactly +0)
 *   gW2[o][h] = bf16(sum over s of e[s][o]*r[s][h])     fp32 MACs in batch order, then bf16
 *   gb2[o]    = bf16(sum over s of e[s][o])             fp32 adds in batch order
 *   gW1[h][i] = bf16(sum over s of d[s][h]*x[s][i])
 *   gb1[h]    = bf16(sum over s of d[s][h])
 * Under the spec's "exact" accumulation rule every sum above (each dense unit with its bias, each hidden
 * error, each gradient) is instead the exact sum rounded once to fp32 (prover/numerics/accumulation.ts), and
 * each update is p' = round_bf16(p − lr · Σ_s δ[s] · a[s]), exact inside and rounded once, with the two
 * vectors the parameter's gradient is the dot product of (the gradients are then a report only).
 * SGD update of every parameter p with its gradient g (the same rule as linear-mse):
 *   p' = bf16(fp32(p) + fp32(-lr * g))
 *
 * As for linear-mse, the MSE constant 2/(B*O) is folded into lr: lr is the
 * step size applied to the summed error gradient.
 */
import type { Accumulator } from "../numerics/accumulation.js";
import { bf16Relu, bf16ToF32, f32Add, f32ToBf16 } from "../numerics/index.js";
import { negBf16, scoreOutputs, SEQUENTIAL, targets, type BatchSample } from "./model.js";

export interface MlpShape {
  readonly inputs: number;
  readonly hidden: number;
  readonly outputs: number;
}

/** Number of parameters: W1, b1, W2, b2. */
export const mlpParamCount = ({ inputs: I, hidden: H, outputs: O }: MlpShape): number => H * I + H + O * H + O;

/** Offsets of the four blocks in the parameter vector. */
export function mlpLayout({ inputs: I, hidden: H, outputs: O }: MlpShape) {
  return { w1: 0, b1: H * I, w2: H * I + H, b2: H * I + H + O * H } as const;
}

/** The ReLU derivative mask: 1 exactly when the bf16 pre-activation is > 0 (not +0, -0 or NaN). */
export const reluMask = (p: number): 0 | 1 => ((p & 0x8000) === 0 && p !== 0 && (p & 0x7fff) <= 0x7f80 ? 1 : 0);

/** A dense layer on one sample: fp32 of the dot product with the bias (sequential: the bias last). */
function dense(
  params: readonly number[],
  w: number,
  b: number,
  rows: number,
  cols: number,
  x: readonly number[],
  acc: Accumulator,
  where: string,
) {
  const z: number[] = [];
  for (let o = 0; o < rows; o++)
    z.push(acc.dotBias(params.slice(w + o * cols, w + (o + 1) * cols), x, params[b + o]!, () => `${where}, unit ${o}`));
  return z;
}

/** Forward pass for one sample: pre-activations p, activations r and outputs y (bf16 patterns). */
export function mlpForward(
  s: MlpShape,
  params: readonly number[],
  x: readonly number[],
  acc: Accumulator = SEQUENTIAL,
  where = "forward",
) {
  const L = mlpLayout(s);
  const p = dense(params, L.w1, L.b1, s.hidden, s.inputs, x, acc, `${where}, hidden layer`).map(f32ToBf16);
  const r = p.map(bf16Relu);
  const y = dense(params, L.w2, L.b2, s.outputs, s.hidden, r, acc, `${where}, output layer`).map(f32ToBf16);
  return { p, r, y };
}

/** Everything one MLP step computes; the step circuit's witness follows it. */
export interface MlpStepTrace {
  readonly paramsBefore: readonly number[];
  /** Pre-activations, activations, outputs, errors, back-propagated hidden errors (after the mask), per sample. */
  readonly p: readonly (readonly number[])[];
  readonly r: readonly (readonly number[])[];
  readonly y: readonly (readonly number[])[];
  readonly e: readonly (readonly number[])[];
  readonly d: readonly (readonly number[])[];
  /** Gradients in parameter order. */
  readonly grads: readonly number[];
  readonly paramsAfter: readonly number[];
}

/** One bit-exact SGD step of the MLP on a batch. */
export function mlpTrainStep(
  s: MlpShape,
  params: readonly number[],
  batch: readonly BatchSample[],
  lr: number,
  acc: Accumulator = SEQUENTIAL,
): MlpStepTrace {
  const P = mlpParamCount(s);
  if (params.length !== P) throw new Error(`expected ${P} parameters, got ${params.length}`);
  if (batch.length === 0) throw new Error("empty batch");
  const L = mlpLayout(s);
  const { inputs: I, hidden: H, outputs: O } = s;
  const p: number[][] = [];
  const r: number[][] = [];
  const y: number[][] = [];
  const e: number[][] = [];
  const d: number[][] = [];
  for (const [n, { x, label }] of batch.entries()) {
    if (x.length !== I) throw new Error(`sample has ${x.length} features, the model ${I}`);
    const f = mlpForward(s, params, x, acc, `forward, sample ${n}`);
    const t = targets(s, label);
    const err = f.y.map((v, o) => f32ToBf16(f32Add(bf16ToF32(v), bf16ToF32(negBf16(t[o]!)))));
    const back = Array.from({ length: H }, (_, h) => {
      const column = Array.from({ length: O }, (_, o) => params[L.w2 + o * H + h]!);
      const g = acc.dot(column, err, () => `hidden error, sample ${n}, unit ${h} (W2[·][${h}] · e)`);
      return reluMask(f.p[h]!) ? f32ToBf16(g) : 0;
    });
    p.push(f.p);
    r.push(f.r);
    y.push(f.y);
    e.push(err);
    d.push(back);
  }
  const col = (m: readonly (readonly number[])[], j: number) => m.map((row) => row[j]!);
  const xs = (i: number) => batch.map((b) => b.x[i]!);
  const grads = new Array<number>(P);
  const batchDot = (a: readonly number[], b: readonly number[], what: string) =>
    f32ToBf16(acc.dot(a, b, () => `gradient of ${what}`));
  const batchSum = (a: readonly number[], what: string) => f32ToBf16(acc.sum(a, () => `gradient of ${what}`));
  for (let h = 0; h < H; h++) {
    for (let i = 0; i < I; i++) grads[L.w1 + h * I + i] = batchDot(col(d, h), xs(i), `W1[${h}][${i}]`);
    grads[L.b1 + h] = batchSum(col(d, h), `b1[${h}]`);
  }
  for (let o = 0; o < O; o++) {
    for (let h = 0; h < H; h++) grads[L.w2 + o * H + h] = batchDot(col(e, o), col(r, h), `W2[${o}][${h}]`);
    grads[L.b2 + o] = batchSum(col(e, o), `b2[${o}]`);
  }
  // Each parameter's update with the two vectors its gradient is the dot product of.
  const ones = batch.map(() => 0x3f80);
  const factors = (k: number): [readonly number[], readonly number[]] => {
    if (k < L.b1) return [col(d, Math.floor(k / I)), xs(k % I)];
    if (k < L.w2) return [col(d, k - L.b1), ones];
    if (k < L.b2) return [col(e, Math.floor((k - L.w2) / H)), col(r, (k - L.w2) % H)];
    return [col(e, k - L.b2), ones];
  };
  const paramsAfter = params.map((v, k) => {
    const [deltas, inputs] = factors(k);
    return acc.update(v, lr, grads[k]!, deltas, inputs, () => `update of parameter ${k}`);
  });
  return { paramsBefore: [...params], p, r, y, e, d, grads, paramsAfter };
}

/**
 * Floating-point operations of one mlp-mse step, counted from the shape (each
 * multiply and each add is one FLOP; ReLU and its mask are not counted):
 *   forward 2*B*(H*I + O*H), error B*O, hidden errors B*H*(2O-1),
 *   gradients (H*I + O*H)*(2B-1) + (H + O)*(B-1), update 2*P.
 */
export function mlpFlops({ inputs: I, hidden: H, outputs: O }: MlpShape, B: number): number {
  const P = H * I + H + O * H + O;
  return (
    2 * B * (H * I + O * H) + B * O + B * H * (2 * O - 1) + (H * I + O * H) * (2 * B - 1) + (H + O) * (B - 1) + 2 * P
  );
}

/**
 * Multiply-accumulates of one step (each bf16 x bf16 product with the fp32
 * add that accumulates it): forward B*(H*I + O*H), hidden errors B*H*O,
 * weight gradients B*(H*I + O*H), update P. The bench divides the step
 * circuit's constraints by this count.
 */
export function mlpMacs({ inputs: I, hidden: H, outputs: O }: MlpShape, B: number): number {
  return 2 * B * (H * I + O * H) + B * H * O + (H * I + H + O * H + O);
}

/** Mean squared error and accuracy (argmax) over samples, in host doubles: for reporting only. */
export const mlpEvaluate = (
  s: MlpShape,
  params: readonly number[],
  samples: readonly BatchSample[],
  acc: Accumulator = SEQUENTIAL,
) => scoreOutputs((x) => mlpForward(s, params, x, acc).y, samples);
