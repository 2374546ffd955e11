/**
 * What the genesis and checkpoint proofs state (DESIGN §4-5), defined once:
 * FLOPs counted from the model shape, the step statement, the accumulator over
 * step statements, and the public-signal layouts every consumer uses.
 */
import { hashTagged, TAGS } from "../commit/poseidon.js";
import type { LinearShape } from "../training/model.js";

/**
 * Floating-point operations of one linear-mse step, counted from the shape
 * (each multiply and each add is one FLOP):
 *   forward 2*B*O*I (products, accumulation and bias), error B*O,
 *   gradients O*I*(2B-1) + O*(B-1), update 2*(O*I + O).
 */
export function flopsPerStep(s: LinearShape, batch: number): bigint {
  const { inputs: I, outputs: O } = s;
  const B = batch;
  return BigInt(2 * B * O * I + B * O + O * I * (2 * B - 1) + O * (B - 1) + 2 * (O * I + O));
}

/** One step's statement: what a step proof proves and what a checkpoint accumulates. */
export interface StepStatement {
  readonly specCommitment: bigint;
  /** Run binding: the registry's run id (or the lab's address) the proof is made for. */
  readonly runBinding: bigint;
  readonly step: number;
  readonly rootBefore: bigint;
  readonly rootAfter: bigint;
  readonly flops: bigint;
}

export const stepStatementHash = (s: StepStatement): bigint =>
  hashTagged(TAGS.step, [s.specCommitment, s.runBinding, BigInt(s.step), s.rootBefore, s.rootAfter, s.flops]);

/** Accumulator over consecutive step statements: acc = Poseidon(tag, acc, statement), from 0. */
export function accumulate(statements: readonly StepStatement[], from = 0n): bigint {
  let acc = from;
  for (const s of statements) acc = hashTagged(TAGS.accumulator, [acc, stepStatementHash(s)]);
  return acc;
}

/** Public signals of Checkpoint(K), in proof order (a step proof is Checkpoint(1)). */
export const CHECKPOINT_PUBLIC_SIGNALS = [
  "specCommitment",
  "runBinding",
  "firstStep",
  "rootBefore",
  "rootAfter",
  "flops",
  "accumulator",
] as const;

/** Public signals of Genesis, in proof order. */
export const GENESIS_PUBLIC_SIGNALS = [
  "specCommitment",
  "lab",
  "root0",
  "paramCount",
  "flopsPerStep",
  "plannedSteps",
] as const;
