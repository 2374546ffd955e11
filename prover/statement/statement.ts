/**
 * What the genesis and checkpoint proofs state (DESIGN §4-5), defined once:
 * FLOPs counted from the model shape, the step statement, the accumulator over
 * step statements, and the public-signal layouts every consumer uses.
 */
import { hashTagged, TAGS } from "../commit/poseidon.js";
import { flopsOf, type Architecture } from "../training/architecture.js";

/**
 * Floating-point operations of one step, counted from the model shape (each
 * multiply and each add is one FLOP; prover/training/architecture.ts):
 * linear-mse: forward 2*B*O*I (products, accumulation and bias), error B*O,
 *   gradients O*I*(2B-1) + O*(B-1), update 2*(O*I + O);
 * mlp-mse: as prover/training/mlp.ts mlpFlops counts.
 */
export const flopsPerStep = (s: Architecture, batch: number): bigint => flopsOf(s, batch);

/** Poseidon(TAG_RUN, specCommitment, lab): the run binding every checkpoint carries (a spec is registered once). */
export const runTag = (specCommitment: bigint, lab: bigint): bigint => hashTagged(TAGS.run, [specCommitment, lab]);

/**
 * The packed `position` public signal: firstStep in bits 0-63, the
 * checkpoint's FLOPs in bits 64-159, the run's registration beacon in bits
 * 160-223; below 2^224 < p, so the packing is one-to-one (the registry's
 * `checkpointPublicInputs` packs the same way).
 */
export interface Position {
  readonly firstStep: bigint;
  readonly flops: bigint;
  readonly beacon: bigint;
}

const FLOPS_SHIFT = 64n;
const BEACON_SHIFT = 160n;
const mask = (bits: bigint): bigint => (1n << bits) - 1n;

function fits(what: string, v: bigint, bits: bigint): bigint {
  if (v < 0n || v > mask(bits)) throw new RangeError(`${what} ${v} does not fit ${bits} bits`);
  return v;
}

/** Packs a checkpoint's first step index, FLOPs and beacon into its `position` public signal. */
export const packPosition = ({ firstStep, flops, beacon }: Position): bigint =>
  fits("first step", firstStep, 64n) |
  (fits("checkpoint FLOPs", flops, 96n) << FLOPS_SHIFT) |
  (fits("beacon", beacon, 64n) << BEACON_SHIFT);

/** The first step index, FLOPs and beacon packed in a `position` public signal. */
export const unpackPosition = (position: bigint): Position => ({
  firstStep: position & mask(64n),
  flops: (position >> FLOPS_SHIFT) & mask(96n),
  beacon: position >> BEACON_SHIFT,
});

/**
 * The packed `plan` public signal of Genesis: the spec's planned steps in bits
 * 0-31 and its checkpoint interval above them. The registry builds it from
 * the lab's planned steps and the family's K (never the lab's word for the
 * interval), so a spec registers only under a family whose K it committed to.
 */
export interface Plan {
  readonly plannedSteps: bigint;
  readonly checkpointInterval: bigint;
}

const INTERVAL_SHIFT = 32n;

/** Packs planned steps and checkpoint interval into Genesis's `plan` public signal. */
export const packPlan = ({ plannedSteps, checkpointInterval }: Plan): bigint =>
  fits("planned steps", plannedSteps, 32n) | (fits("checkpoint interval", checkpointInterval, 16n) << INTERVAL_SHIFT);

/** The planned steps and checkpoint interval packed in a `plan` public signal. */
export const unpackPlan = (plan: bigint): Plan => ({
  plannedSteps: plan & mask(INTERVAL_SHIFT),
  checkpointInterval: plan >> INTERVAL_SHIFT,
});

/** One step's statement: what a step proof proves and what a checkpoint accumulates. */
export interface StepStatement {
  /** Run binding: Poseidon(TAG_RUN, specCommitment, lab). */
  readonly runTag: bigint;
  /** The run's registration beacon (it fixed the step's batch). */
  readonly beacon: bigint;
  readonly step: number;
  readonly rootBefore: bigint;
  readonly rootAfter: bigint;
  readonly flops: bigint;
}

export const stepStatementHash = (s: StepStatement): bigint =>
  hashTagged(TAGS.step, [s.runTag, s.beacon, BigInt(s.step), s.rootBefore, s.rootAfter, s.flops]);

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
  "plan",
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
