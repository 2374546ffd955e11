/**
 * The "linear-mse" model family and its bit-exact training step (DESIGN §2).
 * This is the definition the step circuit reproduces; every operation is one
 * of prover/numerics on bit patterns, in the order written here.
 *
 * Parameters: W (outputs x inputs, row-major) then b (outputs), all bf16.
 * Targets: one-hot, bf16 1.0 (0x3F80) for the label, +0 elsewhere.
 *
 * For each sample s of the batch (in batch order) and output o:
 *   z[s][o] = fp32(dot(W[o], x[s]) + fp32(b[o]))      sequential fp32 MACs over i, then the bias
 *   y[s][o] = bf16(z[s][o])                           round-to-nearest-even
 *   e[s][o] = bf16(fp32(y[s][o] - t[s][o]))           the error
 * Gradients (fp32 accumulation over the batch in batch order, then bf16):
 *   gW[o][i] = bf16(e[0][o]*x[0][i] + e[1][o]*x[1][i] + ...)
 *   gb[o]    = bf16(e[0][o] + e[1][o] + ...)
 * Under the spec's "exact" accumulation rule (prover/numerics/accumulation.ts) every one of these sums is
 * instead the exact sum rounded once to fp32 (the bias as one more product, bias × 1.0), and each update
 * is p' = round_bf16(p − lr · Σ_s e[s][o] · x[s][i]) (x = 1 for a bias), exact inside and rounded once;
 * the gradients above are then a report only.
 * SGD update with the spec's learning rate lr (a bf16 pattern):
 *   p' = bf16(fp32(p) + fp32(-lr * g)) = bf16(mac(fp32(p), -lr, g))
 *
 * The mean-squared-error loss (1/(B*O)) * sum (y - t)^2 has gradient
 * (2/(B*O)) * sum e * x; the constant 2/(B*O) is folded into lr, i.e. lr is
 * the step size applied to the summed error gradient.
 */
import { accumulator, SEQUENTIAL_FP32, type Accumulator } from "../numerics/accumulation.js";
import { bf16ToF32, bf16ToNumber, f32Add, f32ToBf16 } from "../numerics/index.js";

/** The default accumulator: sequential fp32 (the rule of a spec without an accumulation field). */
export const SEQUENTIAL = accumulator(SEQUENTIAL_FP32);

export interface LinearShape {
  readonly inputs: number;
  readonly outputs: number;
}

export const BF16_ONE = 0x3f80;
export const BF16_ZERO = 0x0000;

/** Number of parameters: W then b. */
export const paramCount = (s: LinearShape): number => s.outputs * s.inputs + s.outputs;

/** Index of W[o][i] and b[o] in the parameter vector. */
export const wIndex = (s: LinearShape, o: number, i: number): number => o * s.inputs + i;
export const bIndex = (s: LinearShape, o: number): number => s.outputs * s.inputs + o;

/** One-hot bf16 targets for a label. */
export const targets = (s: LinearShape, label: number): number[] =>
  Array.from({ length: s.outputs }, (_, o) => (o === label ? BF16_ONE : BF16_ZERO));

/** Negation of a bf16 pattern (flips the sign bit; exact). */
export const negBf16 = (x: number): number => x ^ 0x8000;

/** Forward pass for one sample: bf16 outputs y[o] (and their fp32 pre-rounding values). */
export function forward(
  s: LinearShape,
  params: readonly number[],
  x: readonly number[],
  acc: Accumulator = SEQUENTIAL,
  where = "forward",
): { z: number[]; y: number[] } {
  const z: number[] = [];
  for (let o = 0; o < s.outputs; o++) {
    const row = params.slice(wIndex(s, o, 0), wIndex(s, o, 0) + s.inputs);
    z.push(acc.dotBias(row, x, params[bIndex(s, o)]!, () => `${where}, output ${o} (W[${o}][·], b[${o}] · x, 1.0)`));
  }
  return { z, y: z.map(f32ToBf16) };
}

export interface BatchSample {
  readonly x: readonly number[];
  readonly label: number;
}

/** Everything one training step computes; the step circuit's witness comes from this. */
export interface StepTrace {
  readonly paramsBefore: readonly number[];
  readonly y: readonly (readonly number[])[];
  readonly e: readonly (readonly number[])[];
  readonly grads: readonly number[];
  readonly paramsAfter: readonly number[];
}

/** One bit-exact SGD step on a batch. */
export function trainStep(
  s: LinearShape,
  params: readonly number[],
  batch: readonly BatchSample[],
  lr: number,
  acc: Accumulator = SEQUENTIAL,
): StepTrace {
  if (params.length !== paramCount(s)) throw new Error(`expected ${paramCount(s)} parameters, got ${params.length}`);
  if (batch.length === 0) throw new Error("empty batch");
  const y: number[][] = [];
  const e: number[][] = [];
  for (const [n, { x, label }] of batch.entries()) {
    if (x.length !== s.inputs) throw new Error(`sample has ${x.length} features, the model ${s.inputs}`);
    const out = forward(s, params, x, acc, `forward, sample ${n}`).y;
    const t = targets(s, label);
    y.push(out);
    e.push(out.map((v, o) => f32ToBf16(f32Add(bf16ToF32(v), bf16ToF32(negBf16(t[o]!))))));
  }
  const grads: number[] = [];
  const errors = (o: number) => e.map((row) => row[o]!);
  for (let o = 0; o < s.outputs; o++) {
    for (let i = 0; i < s.inputs; i++) {
      const xs = batch.map((b) => b.x[i]!);
      grads.push(f32ToBf16(acc.dot(errors(o), xs, () => `gradient of W[${o}][${i}] (e[·][${o}] · x[·][${i}])`)));
    }
  }
  for (let o = 0; o < s.outputs; o++)
    grads.push(f32ToBf16(acc.sum(errors(o), () => `gradient of b[${o}] (sum of e[·][${o}])`)));
  const ones = batch.map(() => BF16_ONE);
  const paramsAfter = params.map((p, k) => {
    const o = k < s.outputs * s.inputs ? Math.floor(k / s.inputs) : k - s.outputs * s.inputs;
    const xs = k < s.outputs * s.inputs ? batch.map((b) => b.x[k % s.inputs]!) : ones;
    return acc.update(p, lr, grads[k]!, errors(o), xs, () => `update of parameter ${k}`);
  });
  return { paramsBefore: [...params], y, e, grads, paramsAfter };
}

/**
 * Mean squared error and accuracy (argmax) of a model's bf16 outputs over
 * samples, in host doubles: for reporting only (every family's evaluate).
 */
export function scoreOutputs(
  outputs: (x: readonly number[]) => readonly number[],
  samples: readonly BatchSample[],
): { loss: number; accuracy: number } {
  let sq = 0;
  let correct = 0;
  let count = 0;
  for (const { x, label } of samples) {
    const y = outputs(x).map(bf16ToNumber);
    y.forEach((v, o) => (sq += (v - (o === label ? 1 : 0)) ** 2));
    count += y.length;
    const arg = y.reduce((best, v, o) => (v > y[best]! ? o : best), 0);
    if (arg === label) correct++;
  }
  return { loss: sq / count, accuracy: correct / samples.length };
}

/** Mean squared error and accuracy (argmax) over samples, in host doubles: for reporting only. */
export const evaluate = (
  s: LinearShape,
  params: readonly number[],
  samples: readonly BatchSample[],
  acc: Accumulator = SEQUENTIAL,
) => scoreOutputs((x) => forward(s, params, x, acc).y, samples);
