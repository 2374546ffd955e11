/**
 * Digests of tensors; circuits/commit/digest.circom is the circuit side of every function here.
 *
 * - `digest(tag, xs)`: h = Poseidon(tag, n), then h = Poseidon(h, up to 15 elements) per group.
 * - `tensorDigest(xs)`: `digest` under the tensor tag; `patternDigest` packs bf16 patterns 15 to an element
 *   first (little-endian, as the weights root does).
 */
import { poseidon, TAGS } from "./poseidon.js";
import { packParams } from "./weights.js";

export function digest(tagValue: bigint, xs: readonly bigint[]): bigint {
  let h = poseidon([tagValue, BigInt(xs.length)]);
  for (let g = 0; g < xs.length; g += 15) h = poseidon([h, ...xs.slice(g, g + 15)]);
  return h;
}

export const tensorDigest = (xs: readonly bigint[]): bigint => digest(TAGS.tensor, xs);

export const patternDigest = (patterns: readonly number[]): bigint => tensorDigest(packParams(patterns));
