/**
 * The exactly rounded rule (issue #28, first part: the TypeScript reference only; no spec field, circuit or
 * family uses it yet).
 *
 * - `dotBf16Exact`: the exact sum of the exact bf16 × bf16 products, rounded once to fp32 with IEEE-754
 *   round-to-nearest-even — deterministic whatever the order of the terms, and at least as accurate as
 *   sequential fp32 accumulation (`dotBf16`).
 * - `bf16UpdateExact`: a parameter's SGD update over a batch, p' = round_bf16(p - lr · Σ δ_i · x_i), the
 *   exact value rounded once to bf16.
 *
 * Operands are confined to a declared exponent range, as the circuits will need (the exact sum is then an
 * integer multiple of a fixed power of two of bounded size): every operand is ±0 or a finite bf16 whose
 * value v has 2^min <= |v| < 2^(max + 1). NaN, infinities and operands outside the range have no result:
 * the call throws an OutOfRangeError naming the operand.
 *
 * Results follow IEEE-754 for one rounding of the exact value: subnormal results rounded on the subnormal
 * grid, overflow to ±infinity, a non-zero exact value that rounds to zero keeps its sign, and an exact zero
 * is -0 only when every product is -0 (as -0 + -0 = -0 and x + (-x) = +0 under round-to-nearest); an
 * empty dot product is +0.
 */
import { BF16, decode, FP32, roundToFormat, zero, type FloatFormat } from "./format.js";

/** Unbiased binary exponents a non-zero operand's leading bit may have: 2^min <= |v| < 2^(max + 1). */
export interface ExponentRange {
  readonly min: number;
  readonly max: number;
}

/** Every finite non-zero bf16, subnormals included (2^-133 .. 2^127). */
export const FULL_BF16_RANGE: ExponentRange = { min: -133, max: 127 };

/** An operand with no place in the declared range: which one, and its pattern. */
export class OutOfRangeError extends RangeError {
  constructor(
    readonly index: number,
    readonly operand: string,
    readonly bits: number,
    readonly range: ExponentRange,
    why: string,
  ) {
    super(
      `operand ${operand}[${index}] = 0x${bits.toString(16).padStart(4, "0")} ${why} ` +
        `(declared exponent range ${range.min} .. ${range.max})`,
    );
  }
}

/** The leading-bit exponent of a finite non-zero value significand × 2^exponent. */
const leadingExponent = (significand: bigint, exponent: number): number =>
  significand.toString(2).length - 1 + exponent;

/** A bf16 operand as (sign, significand, exponent), checked against the range. */
function operand(bits: number, index: number, which: string, range: ExponentRange) {
  const d = decode(bits, BF16);
  if (d.kind === "nan") throw new OutOfRangeError(index, which, bits, range, "is NaN");
  if (d.kind === "inf") throw new OutOfRangeError(index, which, bits, range, "is infinite");
  if (d.significand !== 0n) {
    const e = leadingExponent(d.significand, d.exponent);
    if (e < range.min || e > range.max)
      throw new OutOfRangeError(index, which, bits, range, `has exponent ${e}, outside the range`);
  }
  return d;
}

/** One exact term of a sum: (-1)^sign × significand × 2^exponent. */
interface Term {
  readonly sign: 0 | 1;
  readonly significand: bigint;
  readonly exponent: number;
}

/**
 * The exact sum of the terms, rounded once to `f`. An exact zero is -0 only when every term is -0 (no
 * terms: +0), as IEEE-754's addition under round-to-nearest gives.
 */
function roundSum(terms: readonly Term[], f: FloatFormat): number {
  const nonZero = terms.filter((t) => t.significand !== 0n);
  if (nonZero.length === 0) return zero(terms.length > 0 && terms.every((t) => t.sign === 1) ? 1 : 0, f);
  const k = Math.min(...nonZero.map((t) => t.exponent));
  let sum = 0n;
  for (const t of nonZero) {
    const scaled = t.significand << BigInt(t.exponent - k);
    sum += t.sign ? -scaled : scaled;
  }
  if (sum === 0n) return zero(0, f); // cancellation to an exact zero: +0 under round-to-nearest
  return roundToFormat(sum < 0n ? 1 : 0, sum < 0n ? -sum : sum, k, f);
}

/** The exact products a[i] × b[i], each operand checked against the range. */
function products(a: readonly number[], b: readonly number[], range: ExponentRange, names: readonly [string, string]) {
  if (a.length !== b.length) throw new RangeError(`vectors of unequal length: ${a.length} and ${b.length}`);
  if (range.min > range.max) throw new RangeError(`empty exponent range ${range.min} .. ${range.max}`);
  return a.map((_, i): Term => {
    const x = operand(a[i]!, i, names[0], range);
    const y = operand(b[i]!, i, names[1], range);
    return {
      sign: (x.sign ^ y.sign) as 0 | 1,
      significand: x.significand * y.significand,
      exponent: x.exponent + y.exponent,
    };
  });
}

/** The exactly rounded dot product of two bf16 vectors (bit patterns), as an fp32 pattern. */
export function dotBf16Exact(
  a: readonly number[],
  b: readonly number[],
  range: ExponentRange = FULL_BF16_RANGE,
): number {
  return roundSum(products(a, b, range, ["a", "b"]), FP32);
}

/**
 * A parameter's SGD update over a batch with one rounding: p' = round_bf16(p - lr · Σ δ_i · x_i), where p,
 * lr, δ_i and x_i are bf16 patterns in the range and the value inside is exact. As a sum of the terms p and
 * -lr·δ_i·x_i, an exact zero is -0 only when every term is -0.
 */
export function bf16UpdateExact(
  p: number,
  lr: number,
  deltas: readonly number[],
  xs: readonly number[],
  range: ExponentRange = FULL_BF16_RANGE,
): number {
  const w = operand(p, 0, "p", range);
  const r = operand(lr, 0, "lr", range);
  const terms: Term[] = [w];
  for (const t of products(deltas, xs, range, ["delta", "x"]))
    terms.push({
      sign: (1 ^ r.sign ^ t.sign) as 0 | 1,
      significand: r.significand * t.significand,
      exponent: r.exponent + t.exponent,
    });
  return roundSum(terms, BF16);
}
