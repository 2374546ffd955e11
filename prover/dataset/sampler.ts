/**
 * The committed sampler (DESIGN §3): the index of batch position j at step t
 * is (Poseidon(tag, seed, t, j) mod 2^64) mod N. The lab cannot choose its
 * batches. Reducing the low 64 bits (rather than the whole field element)
 * keeps the circuit's exact reduction cheap; the bias is below N / 2^64.
 * circuits/dataset/sampler.circom computes the same.
 */
import { hashTagged, TAGS } from "../commit/poseidon.js";

export function sampleIndex(seed: bigint, step: number, position: number, size: number): number {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`dataset size must be a positive integer, got ${size}`);
  const h = hashTagged(TAGS.sample, [seed, BigInt(step), BigInt(position)]);
  return Number((h & 0xffffffffffffffffn) % BigInt(size));
}

/** The dataset indices of the batch of step t. */
export const batchIndices = (seed: bigint, step: number, batchSize: number, size: number): number[] =>
  Array.from({ length: batchSize }, (_, j) => sampleIndex(seed, step, j, size));
