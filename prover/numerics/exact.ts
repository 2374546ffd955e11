/**
 * The exactly rounded dot product (issue #28, first part: the TypeScript reference only; no spec field,
 * circuit or family uses it yet). The exact sum of the exact bf16 × bf16 products, rounded once to fp32
 * with IEEE-754 round-to-nearest-even — deterministic whatever the order of the terms, and at least as
 * accurate as sequential fp32 accumulation (`dotBf16`).
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
import { BF16, decode, FP32, roundToFormat, zero } from "./format.js";

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
    readonly operand: "a" | "b",
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
function operand(bits: number, index: number, which: "a" | "b", range: ExponentRange) {
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

/** The exactly rounded dot product of two bf16 vectors (bit patterns), as an fp32 pattern. */
export function dotBf16Exact(
  a: readonly number[],
  b: readonly number[],
  range: ExponentRange = FULL_BF16_RANGE,
): number {
  if (a.length !== b.length) throw new RangeError(`vectors of unequal length: ${a.length} and ${b.length}`);
  if (range.min > range.max) throw new RangeError(`empty exponent range ${range.min} .. ${range.max}`);
  const terms: Array<{ sign: 0 | 1; significand: bigint; exponent: number }> = [];
  let allNegativeZeros = a.length > 0;
  for (let i = 0; i < a.length; i++) {
    const x = operand(a[i]!, i, "a", range);
    const y = operand(b[i]!, i, "b", range);
    const sign = (x.sign ^ y.sign) as 0 | 1;
    const significand = x.significand * y.significand;
    if (significand !== 0n || sign === 0) allNegativeZeros = false;
    if (significand !== 0n) terms.push({ sign, significand, exponent: x.exponent + y.exponent });
  }
  if (terms.length === 0) return zero(allNegativeZeros ? 1 : 0, FP32);
  // The exact sum on the smallest exponent: an integer times 2^k.
  const k = Math.min(...terms.map((t) => t.exponent));
  let sum = 0n;
  for (const t of terms) {
    const scaled = t.significand << BigInt(t.exponent - k);
    sum += t.sign ? -scaled : scaled;
  }
  if (sum === 0n) return zero(0, FP32); // cancellation to an exact zero: +0 under round-to-nearest
  return roundToFormat(sum < 0n ? 1 : 0, sum < 0n ? -sum : sum, k, FP32);
}
