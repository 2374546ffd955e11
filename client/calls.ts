/**
 * From the prover's proof bundles to the registry's call arguments: the
 * genesis facts and the checkpoint claim are read from the bundle's public
 * signals by name (prover/statement/statement.ts), never by position.
 */
import { getAddress, type Address } from "viem";
import { packProof, proofWords, type ProofWords } from "../prover/proving/calldata.js";
import type { ProofBundle } from "../prover/proving/prove.js";
import {
  CHECKPOINT_PUBLIC_SIGNALS,
  GENESIS_PUBLIC_SIGNALS,
  unpackPlan,
  unpackPosition,
} from "../prover/statement/statement.js";

/** ITrainingRegistry.GenesisFacts. */
export interface GenesisFacts {
  readonly runTag: bigint;
  readonly root0: bigint;
  readonly paramCount: bigint;
  readonly flopsPerStep: bigint;
  readonly plannedSteps: bigint;
}

/** ITrainingRegistry.CheckpointClaim. */
export interface CheckpointClaim {
  readonly firstStep: bigint;
  readonly rootBefore: bigint;
  readonly rootAfter: bigint;
  readonly accumulator: bigint;
}

/** ITrainingRegistry.Attestations. */
export interface Attestations {
  readonly flopsCap: bigint;
  readonly maxSteps: bigint;
  readonly checkpointDeadline: bigint;
}

function signal(bundle: ProofBundle, names: readonly string[], name: string): bigint {
  if (bundle.publicSignals.length !== names.length)
    throw new Error(`${bundle.circuit}: ${bundle.publicSignals.length} public signals, expected ${names.length}`);
  const v = bundle.statement[name];
  if (v === undefined) throw new Error(`${bundle.circuit}: the bundle has no public signal "${name}"`);
  if (v !== bundle.publicSignals[names.indexOf(name)])
    throw new Error(`${bundle.circuit}: statement and public signals disagree on "${name}"`);
  return BigInt(v);
}

/** registerRun's arguments (besides family, attestations and proof) from the genesis signals, in the circuit's order. */
export function genesisArgs(signals: readonly bigint[]): {
  specCommitment: bigint;
  lab: Address;
  facts: GenesisFacts;
} {
  if (signals.length !== GENESIS_PUBLIC_SIGNALS.length)
    throw new Error(`a genesis statement has ${GENESIS_PUBLIC_SIGNALS.length} signals, got ${signals.length}`);
  const g = (name: (typeof GENESIS_PUBLIC_SIGNALS)[number]): bigint => signals[GENESIS_PUBLIC_SIGNALS.indexOf(name)]!;
  return {
    specCommitment: g("specCommitment"),
    lab: getAddress(`0x${g("lab").toString(16).padStart(40, "0")}`),
    facts: {
      runTag: g("runTag"),
      root0: g("root0"),
      paramCount: g("paramCount"),
      flopsPerStep: g("flopsPerStep"),
      plannedSteps: unpackPlan(g("plan")).plannedSteps,
    },
  };
}

/** A checkpoint's claim, FLOPs, beacon and run tag from its signals, in the circuit's order. */
export function checkpointArgs(signals: readonly bigint[]): {
  runTag: bigint;
  flops: bigint;
  beacon: bigint;
  claim: CheckpointClaim;
} {
  if (signals.length !== CHECKPOINT_PUBLIC_SIGNALS.length)
    throw new Error(`a checkpoint statement has ${CHECKPOINT_PUBLIC_SIGNALS.length} signals, got ${signals.length}`);
  const c = (name: (typeof CHECKPOINT_PUBLIC_SIGNALS)[number]): bigint =>
    signals[CHECKPOINT_PUBLIC_SIGNALS.indexOf(name)]!;
  const { firstStep, flops, beacon } = unpackPosition(c("position"));
  return {
    runTag: c("runTag"),
    flops,
    beacon,
    claim: { firstStep, rootBefore: c("rootBefore"), rootAfter: c("rootAfter"), accumulator: c("accumulator") },
  };
}

/** The bundle's signals in the order of `names`, each checked against the bundle's statement by name. */
function signals(bundle: ProofBundle, names: readonly string[]): bigint[] {
  return names.map((name) => signal(bundle, names, name));
}

/** registerRun's arguments (besides family and attestations) from a genesis bundle. */
export function genesisCall(bundle: ProofBundle): {
  specCommitment: bigint;
  lab: Address;
  facts: GenesisFacts;
  proof: ProofWords;
} {
  return { ...genesisArgs(signals(bundle, GENESIS_PUBLIC_SIGNALS)), proof: proofWords(packProof(bundle.proof)) };
}

/** submitCheckpoint's claim and proof from a checkpoint bundle, with the FLOPs it proves and its beacon. */
export function checkpointCall(bundle: ProofBundle): {
  runTag: bigint;
  flops: bigint;
  beacon: bigint;
  claim: CheckpointClaim;
  proof: ProofWords;
} {
  return { ...checkpointArgs(signals(bundle, CHECKPOINT_PUBLIC_SIGNALS)), proof: proofWords(packProof(bundle.proof)) };
}
