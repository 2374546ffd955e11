/**
 * Initial weights derived from the committed init seed (DESIGN §1, genesis):
 * a seeded parameter k is built from the low 16 bits L of Poseidon(tag, seed, k):
 *   sign = bit 15 of L, biased exponent = top - 3 + bits 7..8 of L, fraction = bits 0..6
 * i.e. a bf16 value of magnitude in [2^(top-130), 2^(top-126)) with a random
 * sign. linear-mse uses top = 123 for every parameter, the bias included
 * (magnitudes in [2^-7, 2^-3)); mlp-mse chooses top per layer from its fan-in
 * (prover/training/architecture.ts). A lab cannot pick a convenient start.
 */
import { hashTagged, TAGS } from "../commit/poseidon.js";

/** The linear family's top biased exponent. */
export const LINEAR_INIT_TOP = 123;

export function initParam(seed: bigint, k: number, top = LINEAR_INIT_TOP): number {
  if (!Number.isInteger(top) || top < 3 || top > 254) throw new RangeError(`init top exponent ${top} out of range`);
  const low = Number(hashTagged(TAGS.init, [seed, BigInt(k)]) & 0xffffn);
  const sign = (low >> 15) & 1;
  const exponent = top - 3 + ((low >> 7) & 3);
  const fraction = low & 0x7f;
  return (sign << 15) | (exponent << 7) | fraction;
}

/** The first `count` seeded parameters with the linear rule. */
export const initParams = (seed: bigint, count: number): number[] =>
  Array.from({ length: count }, (_, k) => initParam(seed, k));
