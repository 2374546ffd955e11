/**
 * Conversions between bit patterns and host numbers. Used by tests (the
 * platform oracle), by reporting, and to bring real-valued data into bf16.
 * The arithmetic itself never goes through these.
 */
import { f32ToBf16 } from "./ops.js";

const buf = new DataView(new ArrayBuffer(4));

/** The number an fp32 pattern denotes (NaN for every NaN pattern). */
export function f32ToNumber(bits: number): number {
  buf.setUint32(0, bits >>> 0);
  return buf.getFloat32(0);
}

/** The fp32 pattern of Math.fround(x); NaN maps to the canonical NaN. */
export function numberToF32(x: number): number {
  if (Number.isNaN(x)) return 0x7fc00000;
  buf.setFloat32(0, x);
  return buf.getUint32(0);
}

/** The number a bf16 pattern denotes. */
export const bf16ToNumber = (bits: number): number => f32ToNumber(bits * 0x10000);

/** A host number rounded to bf16 (through fp32; each step round-to-nearest-even). */
export const numberToBf16 = (x: number): number => f32ToBf16(numberToF32(x));
