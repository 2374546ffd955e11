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

/** Poseidon(TAG_RUN, specCommitment, lab): the run binding every checkpoint carries (a spec is registered once). */
export const runTag = (specCommitment: bigint, lab: bigint): bigint => hashTagged(TAGS.run, [specCommitment, lab]);

/** firstStep occupies the low 64 bits of the packed `position` signal, the checkpoint's FLOPs the bits above. */
export const POSITION_STEP_BITS = 64n;
const STEP_MASK = (1n << POSITION_STEP_BITS) - 1n;

/** Packs a checkpoint's first step index and FLOPs into its `position` public signal. */
export function packPosition(firstStep: bigint, flops: bigint): bigint {
  if (firstStep < 0n || firstStep > STEP_MASK) throw new RangeError(`first step ${firstStep} does not fit 64 bits`);
  if (flops < 0n || flops >= 1n << 128n) throw new RangeError(`checkpoint FLOPs ${flops} do not fit 128 bits`);
  return firstStep | (flops << POSITION_STEP_BITS);
}

/** The first step index and FLOPs packed in a `position` public signal. */
export function unpackPosition(position: bigint): { firstStep: bigint; flops: bigint } {
  return { firstStep: position & STEP_MASK, flops: position >> POSITION_STEP_BITS };
}

/** One step's statement: what a step proof proves and what a checkpoint accumulates. */
export interface StepStatement {
  /** Run binding: Poseidon(TAG_RUN, specCommitment, lab). */
  readonly runTag: bigint;
  readonly step: number;
  readonly rootBefore: bigint;
  readonly rootAfter: bigint;
  readonly flops: bigint;
}

export const stepStatementHash = (s: StepStatement): bigint =>
  hashTagged(TAGS.step, [s.runTag, BigInt(s.step), s.rootBefore, s.rootAfter, s.flops]);

/** Accumulator over consecutive step statements: acc = Poseidon(tag, acc, statement), from 0. */
export function accumulate(statements: readonly StepStatement[], from = 0n): bigint {
  let acc = from;
  for (const s of statements) acc = hashTagged(TAGS.accumulator, [acc, stepStatementHash(s)]);
  return acc;
}

/**
 * Public signals of Checkpoint(K), in proof order (a step proof is
 * Checkpoint(1)). Five, to keep on-chain verification cheap; the registry's
 * `checkpointPublicInputs` view builds the same array.
 */
export const CHECKPOINT_PUBLIC_SIGNALS = ["runTag", "position", "rootBefore", "rootAfter", "accumulator"] as const;

/** Public signals of Genesis, in proof order; the registry's `genesisPublicInputs` view builds the same array. */
export const GENESIS_PUBLIC_SIGNALS = [
  "specCommitment",
  "lab",
  "runTag",
  "root0",
  "paramCount",
  "flopsPerStep",
  "plannedSteps",
] as const;

export type CheckpointSignal = (typeof CHECKPOINT_PUBLIC_SIGNALS)[number];
export type GenesisSignal = (typeof GENESIS_PUBLIC_SIGNALS)[number];
/** A checkpoint's statement: its public signals by name. */
export type CheckpointStatement = Readonly<Record<CheckpointSignal, bigint>>;
/** A genesis statement: its public signals by name. */
export type GenesisStatement = Readonly<Record<GenesisSignal, bigint>>;

/** The public signals of a statement in proof order. */
export const checkpointSignals = (s: CheckpointStatement): bigint[] => CHECKPOINT_PUBLIC_SIGNALS.map((k) => s[k]);
export const genesisSignals = (s: GenesisStatement): bigint[] => GENESIS_PUBLIC_SIGNALS.map((k) => s[k]);
