/**
 * Bit-exact reference arithmetic: the semantics every circuit reproduces.
 *
 * - bf16 x bf16 -> fp32: the exact product rounded once to fp32 (exact unless
 *   it underflows into the subnormal range or overflows).
 * - fp32 + fp32 and fp32 x fp32: IEEE-754 binary32, round-to-nearest-even.
 * - fp32 -> bf16: round-to-nearest-even.
 * - mac(acc, a, b) = fp32(acc + fp32(a * b)): one step of sequential fp32
 *   accumulation of bf16 products.
 *
 * NaN: every operation that yields NaN returns the canonical quiet NaN
 * (fp32 0x7FC00000, bf16 0x7FC0); NaN payloads and signs are not propagated.
 * Signed zeros, subnormals and infinities follow IEEE-754.
 */
import { BF16, decode, FP32, nan, roundToFormat, zero, inf, type FloatFormat } from "./format.js";

function addIn(a: number, b: number, f: FloatFormat): number {
  const x = decode(a, f);
  const y = decode(b, f);
  if (x.kind === "nan" || y.kind === "nan") return nan(f);
  if (x.kind === "inf" && y.kind === "inf") return x.sign === y.sign ? inf(x.sign, f) : nan(f);
  if (x.kind === "inf") return inf(x.sign, f);
  if (y.kind === "inf") return inf(y.sign, f);
  // Exact sum on a common exponent.
  const k = Math.min(x.exponent, y.exponent);
  const sx = x.significand << BigInt(x.exponent - k);
  const sy = y.significand << BigInt(y.exponent - k);
  const sum = (x.sign ? -sx : sx) + (y.sign ? -sy : sy);
  if (sum === 0n) {
    // Exact zero: -0 only if both addends are negative (round-to-nearest).
    return zero(x.sign === 1 && y.sign === 1 ? 1 : 0, f);
  }
  return roundToFormat(sum < 0n ? 1 : 0, sum < 0n ? -sum : sum, k, f);
}

function mulIn(a: number, b: number, fa: FloatFormat, out: FloatFormat): number {
  const x = decode(a, fa);
  const y = decode(b, fa);
  if (x.kind === "nan" || y.kind === "nan") return nan(out);
  const sign = (x.sign ^ y.sign) as 0 | 1;
  const isZero = (d: typeof x): boolean => d.kind === "finite" && d.significand === 0n;
  if (x.kind === "inf" || y.kind === "inf") return isZero(x) || isZero(y) ? nan(out) : inf(sign, out);
  return roundToFormat(sign, x.significand * y.significand, x.exponent + y.exponent, out);
}

/** fp32 + fp32, round-to-nearest-even. */
export function f32Add(a: number, b: number): number {
  return addIn(a, b, FP32);
}

/** fp32 x fp32, round-to-nearest-even. */
export function f32Mul(a: number, b: number): number {
  return mulIn(a, b, FP32, FP32);
}

/** bf16 x bf16 -> fp32, the exact product rounded once to fp32. */
export function bf16MulToF32(a: number, b: number): number {
  return mulIn(a, b, BF16, FP32);
}

/** fp32 -> bf16, round-to-nearest-even; NaN becomes the canonical bf16 NaN. */
export function f32ToBf16(x: number): number {
  const d = decode(x, FP32);
  if (d.kind === "nan") return nan(BF16);
  if (d.kind === "inf") return inf(d.sign, BF16);
  return roundToFormat(d.sign, d.significand, d.exponent, BF16);
}

/** bf16 -> fp32 (exact: a bf16 pattern is the upper half of an fp32 pattern). */
export function bf16ToF32(x: number): number {
  const d = decode(x, BF16);
  return d.kind === "nan" ? nan(FP32) : x * 0x10000;
}

/** One step of sequential fp32 accumulation: fp32(acc + fp32(a * b)). */
export function mac(acc: number, a: number, b: number): number {
  return f32Add(acc, bf16MulToF32(a, b));
}

/**
 * Dot product of two bf16 vectors with sequential fp32 accumulation in index
 * order, starting from the first product: fp32(...fp32(p0 + p1) + ... + p_{n-1}).
 */
export function dotBf16(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length || a.length === 0) {
    throw new RangeError(`dot product needs two non-empty vectors of equal length, got ${a.length} and ${b.length}`);
  }
  let acc = bf16MulToF32(a[0]!, b[0]!);
  for (let i = 1; i < a.length; i++) acc = mac(acc, a[i]!, b[i]!);
  return acc;
}

/** ReLU on bf16: NaN -> canonical NaN; negative values and -0 -> +0; else x. */
export function bf16Relu(x: number): number {
  const d = decode(x, BF16);
  if (d.kind === "nan") return nan(BF16);
  return d.sign === 1 ? zero(0, BF16) : x;
}

/** IEEE compareLess on bf16: false if either operand is NaN; -0 == +0. */
export function bf16Lt(a: number, b: number): boolean {
  const key = (v: number): number | undefined => {
    const d = decode(v, BF16);
    if (d.kind === "nan") return undefined;
    const mag = v & 0x7fff;
    return v & 0x8000 ? -mag : mag;
  };
  const ka = key(a);
  const kb = key(b);
  return ka !== undefined && kb !== undefined && ka < kb;
}
