/**
 * The accumulation rule a spec commits to (issue #28): how every dot product and sum of a training step is
 * computed and rounded. The model families (prover/training) do all their accumulation through an
 * Accumulator, so the two rules share every other operation.
 *
 * - `sequential-fp32` (the default, and the rule of every spec written before the field existed): fp32
 *   multiply-accumulates in index order, each rounded (ops.ts `mac`, `f32Add`).
 * - `exact`: the exact sum of the exact bf16 products, rounded once to fp32 (exact.ts `dotBf16Exact`), with
 *   every operand confined to the declared exponent range; a bias is one more product (bias × 1.0), a sum of
 *   bf16 values is a dot product with ones. Each parameter's update over the batch is exact too, rounded once
 *   to bf16 (exact.ts `bf16UpdateExact`): p' = round_bf16(p − lr · Σ δ·x), the learning rate an operand.
 */
import { bf16UpdateExact, dotBf16Exact, OutOfRangeError, type ExponentRange } from "./exact.js";
import { bf16MulToF32, bf16ToF32, f32Add, f32ToBf16, mac } from "./ops.js";

export type AccumulationRule =
  { readonly rule: "sequential-fp32" } | { readonly rule: "exact"; readonly range: ExponentRange };

export const SEQUENTIAL_FP32: AccumulationRule = { rule: "sequential-fp32" };

/**
 * The limits of a declared range the circuits support: normal operands only, 1.0 inside, and an update's
 * exact value within the field (circuits/float/exact.circom exactUpdateBits: the larger of 24 + 3 (max − min)
 * and 22 + (max − min) − 2 min bits, plus at most 7 for the batch, below 242; with min <= 0 <= max, a span of
 * at most 70 bounds both, at 241 and 239).
 */
export const EXACT_RANGE_LIMITS = { minLow: -125, maxHigh: 127, maxSpan: 70 } as const;

/** Why a declared exponent range cannot be used, or undefined when it can. */
export function rangeProblem(r: ExponentRange): string | undefined {
  const { minLow, maxHigh, maxSpan } = EXACT_RANGE_LIMITS;
  if (!Number.isInteger(r.min) || !Number.isInteger(r.max)) return "the bounds must be integers";
  if (r.min < minLow || r.min > 0) return `min must be in ${minLow} .. 0 (1.0 is an operand), got ${r.min}`;
  if (r.max < 0 || r.max > maxHigh) return `max must be in 0 .. ${maxHigh}, got ${r.max}`;
  if (r.max - r.min > maxSpan)
    return `max - min must be at most ${maxSpan} (an update's exact value must fit the field), got ${r.max - r.min}`;
  return undefined;
}

/** A short name: "sequential-fp32" or "exact[-40..15]". */
export const describeRule = (r: AccumulationRule): string =>
  r.rule === "exact" ? `exact[${r.range.min}..${r.range.max}]` : r.rule;

/** An operand left the declared range during training: where, and which value. */
export class TrainingRangeError extends RangeError {
  constructor(
    readonly where: string,
    override readonly cause: OutOfRangeError,
  ) {
    super(`${where}: ${cause.message}; the exactly rounded rule has no result outside the declared range`);
  }
}

const BF16_ONE = 0x3f80;

/** Every accumulation of a training step; `where` names the computation for an out-of-range error. */
export interface Accumulator {
  /** fp32 of w · x + bias. */
  dotBias(w: readonly number[], x: readonly number[], bias: number, where: () => string): number;
  /** fp32 of a · b. */
  dot(a: readonly number[], b: readonly number[], where: () => string): number;
  /** fp32 of the sum of a. */
  sum(a: readonly number[], where: () => string): number;
  /**
   * A parameter's SGD update, a bf16 pattern: sequential, bf16(fp32(p) + fp32(−lr · g)) with g the bf16
   * gradient; exact, round_bf16(p − lr · Σ deltas[s] · xs[s]) (g unused).
   */
  update(
    p: number,
    lr: number,
    g: number,
    deltas: readonly number[],
    xs: readonly number[],
    where: () => string,
  ): number;
}

const sequential: Accumulator = {
  dotBias(w, x, bias) {
    return f32Add(
      this.dot(w, x, () => ""),
      bf16ToF32(bias),
    );
  },
  dot(a, b) {
    let acc = bf16MulToF32(a[0]!, b[0]!);
    for (let i = 1; i < a.length; i++) acc = mac(acc, a[i]!, b[i]!);
    return acc;
  },
  sum(a) {
    let acc = bf16ToF32(a[0]!);
    for (let i = 1; i < a.length; i++) acc = f32Add(acc, bf16ToF32(a[i]!));
    return acc;
  },
  update: (p, lr, g) => f32ToBf16(mac(bf16ToF32(p), lr ^ 0x8000, g)),
};

function exact(range: ExponentRange): Accumulator {
  const guard = <T>(f: () => T, where: () => string): T => {
    try {
      return f();
    } catch (err) {
      if (err instanceof OutOfRangeError) throw new TrainingRangeError(where(), err);
      throw err;
    }
  };
  const run = (a: readonly number[], b: readonly number[], where: () => string): number =>
    guard(() => dotBf16Exact(a, b, range), where);
  return {
    dotBias: (w, x, bias, where) => run([...w, bias], [...x, BF16_ONE], where),
    dot: run,
    sum: (a, where) =>
      run(
        a,
        a.map(() => BF16_ONE),
        where,
      ),
    update: (p, lr, _g, deltas, xs, where) => guard(() => bf16UpdateExact(p, lr, deltas, xs, range), where),
  };
}

/**
 * For reports only (loss and accuracy over a dataset): the rule's accumulator, except that a sum whose
 * operands leave an exact rule's range is taken under sequential fp32 instead of stopping. A report is
 * not a proof; the steps themselves use `accumulator`.
 */
export function reportingAccumulator(rule: AccumulationRule): Accumulator {
  const primary = accumulator(rule);
  if (rule.rule !== "exact") return primary;
  const fallback = sequential;
  const orFallback = <T>(f: () => T, g: () => T): T => {
    try {
      return f();
    } catch (err) {
      if (err instanceof TrainingRangeError) return g();
      throw err;
    }
  };
  return {
    dotBias: (w, x, bias, where) =>
      orFallback(
        () => primary.dotBias(w, x, bias, where),
        () => fallback.dotBias(w, x, bias, where),
      ),
    dot: (a, b, where) =>
      orFallback(
        () => primary.dot(a, b, where),
        () => fallback.dot(a, b, where),
      ),
    sum: (a, where) =>
      orFallback(
        () => primary.sum(a, where),
        () => fallback.sum(a, where),
      ),
    update: (p, lr, g, deltas, xs, where) =>
      orFallback(
        () => primary.update(p, lr, g, deltas, xs, where),
        () => fallback.update(p, lr, g, deltas, xs, where),
      ),
  };
}

/** The accumulator of a rule. */
export const accumulator = (rule: AccumulationRule): Accumulator =>
  rule.rule === "exact" ? exact(rule.range) : sequential;
