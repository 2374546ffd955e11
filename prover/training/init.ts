/**
 * Initial weights derived from the committed init seed (DESIGN §1, genesis):
 * parameter k is built from the low 16 bits L of Poseidon(tag, seed, k):
 *   sign = bit 15 of L, biased exponent = 120 + bits 7..8 of L, fraction = bits 0..6
 * i.e. a bf16 value of magnitude in [2^-7, 2^-3) with a random sign. The bias
 * uses the same rule (a lab cannot pick a convenient start).
 */
import { hashTagged, TAGS } from "../commit/poseidon.js";

export function initParam(seed: bigint, k: number): number {
  const low = Number(hashTagged(TAGS.init, [seed, BigInt(k)]) & 0xffffn);
  const sign = (low >> 15) & 1;
  const exponent = 120 + ((low >> 7) & 3);
  const fraction = low & 0x7f;
  return (sign << 15) | (exponent << 7) | fraction;
}

export const initParams = (seed: bigint, count: number): number[] =>
  Array.from({ length: count }, (_, k) => initParam(seed, k));
