/**
 * The committed sampler (DESIGN §3): the index of batch position j at step t
 * is (Poseidon(tag, seed, beacon, t, j) mod 2^64) mod N, where the seed is
 * the lab's (committed in its spec) and the beacon is the registry's
 * (recorded at registration, after the lab committed). The lab chose its seed
 * and dataset without knowing the beacon, so it could not choose its batches.
 * Reducing the low 64 bits (rather than the whole field element) keeps the
 * circuit's exact reduction cheap; the bias is below N / 2^64.
 * circuits/dataset/sampler.circom computes the same.
 */
import { hashTagged, TAGS } from "../commit/poseidon.js";

/** A registration beacon: 64 bits (the registry keeps the low 64 bits of block.prevrandao). */
export const BEACON_BITS = 64n;

export function checkBeacon(beacon: bigint): bigint {
  if (beacon < 0n || beacon >= 1n << BEACON_BITS)
    throw new RangeError(`a beacon is a 64-bit unsigned integer, got ${beacon}`);
  return beacon;
}

export function sampleIndex(seed: bigint, beacon: bigint, step: number, position: number, size: number): number {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`dataset size must be a positive integer, got ${size}`);
  const h = hashTagged(TAGS.sample, [seed, checkBeacon(beacon), BigInt(step), BigInt(position)]);
  return Number((h & 0xffffffffffffffffn) % BigInt(size));
}

/** The dataset indices of the batch of step t. */
export const batchIndices = (seed: bigint, beacon: bigint, step: number, batchSize: number, size: number): number[] =>
  Array.from({ length: batchSize }, (_, j) => sampleIndex(seed, beacon, step, j, size));
