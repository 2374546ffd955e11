/**
 * IEEE-754 binary formats used by the project, handled as bit patterns.
 *
 * fp32 (binary32): 1 sign bit, 8 exponent bits, 23 fraction bits.
 * bf16 (bfloat16): 1 sign bit, 8 exponent bits, 7 fraction bits: the upper
 * half of an fp32 pattern, so both share the exponent range (bias 127).
 *
 * Values travel as unsigned integers holding the bit pattern (fp32: 0..2^32-1,
 * bf16: 0..2^16-1). All arithmetic here is exact integer arithmetic on
 * significands and exponents; nothing relies on the host's floating point.
 */

export interface FloatFormat {
  readonly name: "fp32" | "bf16";
  /** Precision in bits, including the hidden bit. */
  readonly precision: number;
  /** Total width of the pattern in bits. */
  readonly width: number;
}

export const FP32: FloatFormat = { name: "fp32", precision: 24, width: 32 };
export const BF16: FloatFormat = { name: "bf16", precision: 8, width: 16 };

/** Exponent bias shared by fp32 and bf16. */
export const BIAS = 127;
/** Largest biased exponent field (all ones: infinities and NaNs). */
export const EXP_SPECIAL = 255;

/** The canonical quiet NaN every operation returns for a NaN result. */
export const FP32_NAN = 0x7fc00000;
export const BF16_NAN = 0x7fc0;
export const FP32_INF = 0x7f800000;
export const BF16_INF = 0x7f80;

/** Fraction bits of a format. */
export const fracBits = (f: FloatFormat): number => f.precision - 1;

/** A decoded value: finite, infinite or NaN. */
export type Decoded =
  | {
      readonly kind: "finite";
      /** 1 for negative (including -0). */
      readonly sign: 0 | 1;
      /** Integer significand (hidden bit included for normal numbers). */
      readonly significand: bigint;
      /** The value is (-1)^sign * significand * 2^exponent. */
      readonly exponent: number;
    }
  | { readonly kind: "inf"; readonly sign: 0 | 1 }
  | { readonly kind: "nan" };

function checkPattern(bits: number, f: FloatFormat): void {
  if (!Number.isInteger(bits) || bits < 0 || bits >= 2 ** f.width) {
    throw new RangeError(`${f.name} bit pattern must be an integer in [0, 2^${f.width}), got ${bits}`);
  }
}

/** Decodes a bit pattern into sign, integer significand and exponent. */
export function decode(bits: number, f: FloatFormat): Decoded {
  checkPattern(bits, f);
  const fb = fracBits(f);
  const sign = (Math.floor(bits / 2 ** (f.width - 1)) & 1) as 0 | 1;
  const biased = Math.floor(bits / 2 ** fb) & 0xff;
  const frac = bits % 2 ** fb;
  if (biased === EXP_SPECIAL) return frac === 0 ? { kind: "inf", sign } : { kind: "nan" };
  // Subnormals (biased exponent 0) share the exponent of the smallest normal.
  const significand = BigInt(biased === 0 ? frac : frac + 2 ** fb);
  const exponent = Math.max(biased, 1) - BIAS - fb;
  return { kind: "finite", sign, significand, exponent };
}

/** The pattern of a signed zero / infinity / canonical NaN. */
export const zero = (sign: 0 | 1, f: FloatFormat): number => sign * 2 ** (f.width - 1);
export const inf = (sign: 0 | 1, f: FloatFormat): number => sign * 2 ** (f.width - 1) + EXP_SPECIAL * 2 ** fracBits(f);
export const nan = (f: FloatFormat): number => (f.width === 32 ? FP32_NAN : BF16_NAN);

function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

/**
 * Rounds the exact value (-1)^sign * s * 2^k to format f with IEEE-754
 * round-to-nearest-even, including gradual underflow and overflow to infinity.
 * s must be non-negative; s = 0 yields a zero with the given sign.
 */
export function roundToFormat(sign: 0 | 1, s: bigint, k: number, f: FloatFormat): number {
  if (s < 0n) throw new RangeError("significand must be non-negative");
  if (s === 0n) return zero(sign, f);
  const p = f.precision;
  const top = bitLength(s) - 1 + k; // value lies in [2^top, 2^(top+1))
  const minQuantum = 1 - BIAS - (p - 1); // quantum of subnormals and of the smallest binade
  let quantum = Math.max(top - (p - 1), minQuantum);
  const drop = quantum - k;
  let m: bigint;
  if (drop <= 0) {
    m = s << BigInt(-drop);
  } else {
    const d = BigInt(drop);
    m = s >> d;
    const rem = s - (m << d);
    const half = 1n << (d - 1n);
    if (rem > half || (rem === half && (m & 1n) === 1n)) m += 1n;
  }
  if (m === 1n << BigInt(p)) {
    // Rounding carried out of the significand: renormalise.
    m >>= 1n;
    quantum += 1;
  }
  const hidden = 1n << BigInt(p - 1);
  const signBit = sign * 2 ** (f.width - 1);
  if (m < hidden) {
    // Subnormal: biased exponent field 0.
    return signBit + Number(m);
  }
  const biased = quantum + (p - 1) + BIAS;
  if (biased >= EXP_SPECIAL) return inf(sign, f);
  return signBit + biased * 2 ** fracBits(f) + Number(m - hidden);
}
