/**
 * The weights root's sponge (prover/commit/weights.ts) stopped at chosen parameter positions: the state and
 * the carry (the packed patterns of the incomplete element) there, so that the chunk proofs of a step
 * (issue #26) can each absorb a stretch of the parameters and the stretches chain to the root.
 * circuits/chunk/commit.circom is the circuit side.
 */
import { hashTagged, TAGS } from "../commit/poseidon.js";
import { PARAMS_PER_CHUNK } from "../commit/weights.js";

/** The weights sponge at one parameter position: state and carry. */
export type SpongeState = readonly [bigint, bigint];

/** The sponge state and carry of the weights root of `params` at each of the ascending `positions`. */
export function weightsStates(params: readonly number[], positions: readonly number[]): SpongeState[] {
  const out: SpongeState[] = [];
  let h = hashTagged(TAGS.weights, [BigInt(params.length)]);
  let carry = 0n;
  let next = 0;
  for (let k = 0; k <= params.length; k++) {
    while (next < positions.length && positions[next] === k) {
      out.push([h, carry]);
      next++;
    }
    if (k === params.length) break;
    const p = params[k]!;
    if (!Number.isInteger(p) || p < 0 || p > 0xffff) throw new RangeError(`parameter ${k} is not a bf16 pattern: ${p}`);
    const slot = k % PARAMS_PER_CHUNK;
    carry += BigInt(p) << BigInt(16 * slot);
    if (slot === PARAMS_PER_CHUNK - 1) {
      h = hashTagged(TAGS.weights, [h, carry]);
      carry = 0n;
    }
  }
  if (out.length !== positions.length) throw new RangeError(`positions are not ascending within 0..${params.length}`);
  return out;
}

/** The weights root from the sponge after the last of `count` parameters (WeightsFinish). */
export const weightsFinish = ([h, c]: SpongeState, count: number): bigint =>
  count % PARAMS_PER_CHUNK === 0 ? h : hashTagged(TAGS.weights, [h, c]);
