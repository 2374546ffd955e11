/**
 * Deterministic generators of fp32/bf16 bit patterns for numerics tests, and
 * the IEEE edge cases every operation is checked on. A seeded PRNG keeps every
 * failure reproducible.
 */
import { bf16ToNumber, f32ToNumber, numberToF32 } from "../../prover/numerics/index.js";

/** mulberry32: small, fast, seeded 32-bit PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const int = (r: () => number, n: number): number => Math.floor(r() * n);

function fp32From(sign: number, biased: number, frac: number): number {
  return (sign * 2 ** 31 + biased * 2 ** 23 + frac) >>> 0;
}

/** A random fp32 pattern from a mix of distributions that reach every code path. */
export function randomF32(r: () => number, near?: number): number {
  const pick = r();
  if (pick < 0.2) return int(r, 2 ** 32) >>> 0; // uniform over all patterns
  if (pick < 0.3) return fp32From(int(r, 2), int(r, 3), int(r, 2 ** 23)); // subnormal / tiny
  if (pick < 0.35) return fp32From(int(r, 2), 250 + int(r, 6), int(r, 2 ** 23)); // huge / inf / NaN
  if (near !== undefined) {
    const e = (near >>> 23) & 0xff;
    if (pick < 0.55) {
      // cancellation: same exponent, opposite sign, few differing low bits
      const flip = int(r, 2 ** int(r, 24));
      return (near ^ 0x80000000 ^ flip) >>> 0;
    }
    const e2 = Math.min(254, Math.max(0, e + int(r, 61) - 30));
    return fp32From(int(r, 2), e2, int(r, 2 ** 23));
  }
  return fp32From(int(r, 2), 1 + int(r, 253), int(r, 2 ** 23));
}

/** A random bf16 pattern, same mix. */
export function randomBf16(r: () => number): number {
  const pick = r();
  if (pick < 0.3) return int(r, 2 ** 16);
  if (pick < 0.4) return int(r, 2) * 0x8000 + int(r, 3) * 0x80 + int(r, 0x80);
  if (pick < 0.5) return int(r, 2) * 0x8000 + (1 + int(r, 20)) * 0x80 + int(r, 0x80); // product underflow region
  if (pick < 0.6) return int(r, 2) * 0x8000 + (230 + int(r, 26)) * 0x80 + int(r, 0x80); // overflow region
  return int(r, 2) * 0x8000 + (100 + int(r, 55)) * 0x80 + int(r, 0x80); // training range
}

/** fp32 edge cases: zeros, subnormals, boundaries, max finite, infinities, NaNs. */
export const F32_EDGES: readonly number[] = [
  0x00000000,
  0x80000000, // +-0
  0x00000001,
  0x80000001, // smallest subnormal
  0x007fffff,
  0x807fffff, // largest subnormal
  0x00400000,
  0x00000002,
  0x00000003,
  0x00800000,
  0x80800000, // smallest normal
  0x00800001,
  0x00ffffff,
  0x3f800000,
  0xbf800000, // +-1
  0x3f800001,
  0x3f7fffff,
  0x3fffffff,
  0x40000000,
  0x33800000,
  0x33800001,
  0x34000000,
  0x7f7fffff,
  0xff7fffff, // max finite
  0x7f7ffffe,
  0x7f000000,
  0x7effffff,
  0x7f800000,
  0xff800000, // +-inf
  0x7fc00000,
  0xffc00000,
  0x7f800001,
  0x7fffffff, // NaNs
];

/** bf16 edge cases. */
export const BF16_EDGES: readonly number[] = [
  0x0000, 0x8000, 0x0001, 0x8001, 0x007f, 0x0040, 0x0080, 0x8080, 0x00ff, 0x3f80, 0xbf80, 0x3f81, 0x3f7f, 0x4000,
  0x1f80, 0x2000, 0x3c00, 0x7f7f, 0xff7f, 0x7f00, 0x7f80, 0xff80, 0x7fc0, 0xffc0, 0x7f81, 0x7fff,
];

/** Hand-picked pairs for addition: ties, deep cancellation, rounding overflow. */
export const F32_ADD_PAIRS: ReadonlyArray<readonly [number, number]> = [
  [0x3f800000, 0x33800000], // 1 + 2^-24: exact tie, rounds to even (1)
  [0x3f800001, 0x33800000], // tie, rounds up to even
  [0x3f800000, 0x33800001], // just above the tie
  [0x3f800000, 0xb3800000], // 1 - 2^-24: exact (below 1)
  [0x3f800000, 0xb3000000], // 1 - 2^-25
  [0x3f800000, 0xb2800000], // 1 - 2^-26: rounds back to 1
  [0x3f800000, 0xb2800001],
  [0x3f800001, 0xbf800000], // deep cancellation: 2^-23
  [0x00800000, 0x807fffff], // normal - subnormal = smallest subnormal
  [0x007fffff, 0x00000001], // subnormal + subnormal = smallest normal
  [0x7f7fffff, 0x73800000], // max + half ulp: tie, rounds to even = inf
  [0x7f7fffff, 0x737fffff], // max + just under half ulp: stays max
  [0x7f7fffff, 0x7f7fffff], // overflow to inf
  [0xff7fffff, 0xff7fffff],
  [0x3f800000, 0xbf800000], // x + (-x) = +0
  [0x80000000, 0x80000000], // -0 + -0 = -0
  [0x80000000, 0x00000000], // -0 + +0 = +0
  [0xbf800000, 0x3f800000],
  [0x7f800000, 0xff800000], // inf - inf = NaN
  [0x7f800000, 0x7f800000],
  [0x7f800000, 0xff7fffff],
  [0x7fc00000, 0x3f800000],
  [0x4b800000, 0x3f800000], // 2^24 + 1: tie to even
  [0x4b800001, 0x3f800000],
  [0x4b800000, 0xbf800000], // 2^24 - 1: exact
  [0x3f800000, 0x0c000000], // d far beyond 26
  [0xbf800000, 0x0c000000],
  [0x3f800000, 0x8c000000], // 1 - tiny = 1 (rounds)
  [0x33000000, 0x3f800000],
  [0x4c000000, 0xb2800001], // magnitude gap 26..27 around the cap
  [0x4c000000, 0xb3000001],
  [0x4c000000, 0xb3800001],
];

/** Pairs for multiplication: gradual underflow with ties, overflow by rounding. */
export const F32_MUL_PAIRS: ReadonlyArray<readonly [number, number]> = [
  [0x00800000, 0x3f000000], // smallest normal / 2: exact subnormal
  [0x00800001, 0x3f000000], // tie in the subnormal range
  [0x00800003, 0x3f000000],
  [0x00000001, 0x3f000000], // half the smallest subnormal: tie, rounds to 0
  [0x00000001, 0x3f000001], // just above: rounds to smallest subnormal
  [0x00000003, 0x3f000000], // 1.5 * min subnormal: tie, rounds to 2
  [0x00ffffff, 0x3f000000],
  [0x00800000, 0x00800000], // deep underflow
  [0x7f7fffff, 0x3f800001], // overflow by rounding
  [0x7f7fffff, 0x40000000],
  [0x7f800000, 0x00000000], // inf * 0 = NaN
  [0x80000000, 0x3f800000], // -0 * 1 = -0
  [0x7f800000, 0xbf800000],
  [0x3fffffff, 0x3fffffff],
];

/** Host-value helpers for oracles. */
export const f32 = f32ToNumber;
export const bf16 = bf16ToNumber;
export const toF32 = numberToF32;
