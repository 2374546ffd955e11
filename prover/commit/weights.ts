/**
 * Weights commitment (DESIGN §3): a Poseidon sponge over the bf16 bit
 * patterns of all parameters in their fixed order. Fifteen 16-bit patterns
 * are packed little-endian into one field element (240 bits); the root is
 *   h = Poseidon(tag, count); for each chunk c: h = Poseidon(tag, h, c).
 * circuits/commit/weights.circom mirrors it.
 */
import { hashTagged, TAGS } from "./poseidon.js";

export const PARAMS_PER_CHUNK = 15;

export function packParams(params: readonly number[]): bigint[] {
  const chunks: bigint[] = [];
  for (let c = 0; c < params.length; c += PARAMS_PER_CHUNK) {
    let v = 0n;
    params.slice(c, c + PARAMS_PER_CHUNK).forEach((p, j) => {
      if (!Number.isInteger(p) || p < 0 || p > 0xffff)
        throw new RangeError(`parameter ${c + j} is not a bf16 pattern: ${p}`);
      v += BigInt(p) << BigInt(16 * j);
    });
    chunks.push(v);
  }
  return chunks;
}

export function weightsRoot(params: readonly number[]): bigint {
  let h = hashTagged(TAGS.weights, [BigInt(params.length)]);
  for (const c of packParams(params)) h = hashTagged(TAGS.weights, [h, c]);
  return h;
}
