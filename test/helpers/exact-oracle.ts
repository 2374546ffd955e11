/**
 * An independent oracle for the exactly rounded dot product (issue #28), shared by the reference's test
 * (test/numerics/exact.test.ts) and the bench's million-case agreement run: each bf16 × bf16 product is
 * exact in a host double, the exact sum is a BigInt multiple of 2^-266, and the nearest fp32 is found by
 * comparing the exact distances to the fp32 neighbours of Math.fround's guess (ties to the even pattern),
 * with its own overflow and signed-zero rules — none of it shared with the code under test.
 */
import { bf16ToNumber, f32ToNumber, numberToF32 } from "../../prover/numerics/index.js";

export const SCALE = 266; // every bf16 x bf16 product is an integer multiple of 2^-266
export const TWO_SCALE = 2 ** SCALE;
/** |S| at or above this (the midpoint between the largest fp32 and 2^128) rounds to infinity. */
const OVERFLOW = (2n ** 128n - 2n ** 103n) * 2n ** BigInt(SCALE);

/** A finite fp32 pattern's value as a BigInt multiple of 2^-266 (exact: fp32 values are multiples of 2^-149). */
export const f32Scaled = (bits: number): bigint => BigInt(f32ToNumber(bits) * TWO_SCALE);

/** The oracle: nearest fp32 pattern to the exact sum of the products, ties to even. */
export function dotOracle(a: readonly number[], b: readonly number[]): number {
  let sum = 0n;
  let allNegativeZeros = a.length > 0;
  for (let i = 0; i < a.length; i++) {
    const p = bf16ToNumber(a[i]!) * bf16ToNumber(b[i]!); // exact in a double
    if (!Object.is(p, -0)) allNegativeZeros = false;
    sum += BigInt(p * TWO_SCALE); // exact: a power-of-two scaling
  }
  const neg = sum < 0n;
  const mag = neg ? -sum : sum;
  if (mag === 0n) return allNegativeZeros ? 0x80000000 : 0;
  const signBit = neg ? 0x80000000 : 0;
  if (mag >= OVERFLOW) return (signBit + 0x7f800000) >>> 0;
  const guess = numberToF32(Math.abs(Number(mag) / TWO_SCALE)) & 0x7fffffff;
  let best = -1;
  let bestDistance = 0n;
  for (const c of [guess - 1, guess, guess + 1]) {
    if (c < 0 || c > 0x7f7fffff) continue;
    const d = f32Scaled(c) - mag;
    const distance = d < 0n ? -d : d;
    if (best < 0 || distance < bestDistance || (distance === bestDistance && c % 2 === 0)) {
      best = c;
      bestDistance = distance;
    }
  }
  return (signBit + best) >>> 0;
}
