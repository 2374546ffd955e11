/**
 * Circuit inputs (witness) for Genesis and Checkpoint(K) of every model
 * family, built from the spec, the committed dataset and the trainer's
 * records, together with the statement the proof will make public.
 */
import type { CircuitInput } from "../circom/witness.js";
import { weightsRoot } from "../commit/weights.js";
import type { CommittedDataset } from "../dataset/dataset.js";
import { batchIndices, checkBeacon } from "../dataset/sampler.js";
import { encodeSpec, specCommitment } from "../spec/commitment.js";
import type { TrainingSpec } from "../spec/schema.js";
import { initialParams, paramCountOf } from "../training/architecture.js";
import { shapeOf, type StepRecord } from "../training/trainer.js";
import {
  accumulate,
  type CheckpointStatement,
  flopsPerStep,
  type GenesisStatement,
  packPosition,
  runTag,
  type StepStatement,
} from "./statement.js";

export type CircuitInputs = CircuitInput;

/** What binds proofs to one registered run: the lab's address and the beacon the registry recorded for it. */
export interface RunBinding {
  readonly lab: bigint;
  readonly beacon: bigint;
}

/** The step statements of consecutive trainer records of the run. */
export function stepStatements(spec: TrainingSpec, records: readonly StepRecord[], run: RunBinding): StepStatement[] {
  const tag = runTag(specCommitment(spec), run.lab);
  const f = flopsPerStep(shapeOf(spec), spec.batchSize);
  const beacon = checkBeacon(run.beacon);
  return records.map((r) => ({
    runTag: tag,
    beacon,
    step: r.step,
    rootBefore: weightsRoot(r.paramsBefore),
    rootAfter: weightsRoot(r.paramsAfter),
    flops: f,
  }));
}

/** Inputs and statement of Checkpoint(K) over `records` (K consecutive steps) of the run. */
export function checkpointInputs(
  spec: TrainingSpec,
  data: CommittedDataset,
  records: readonly StepRecord[],
  run: RunBinding,
): { inputs: CircuitInputs; statement: CheckpointStatement } {
  if (records.length === 0) throw new Error("a checkpoint covers at least one step");
  records.forEach((r, j) => {
    if (r.step !== records[0]!.step + j) throw new Error(`checkpoint steps are not consecutive at step ${r.step}`);
    const drawn = batchIndices(spec.dataSeed, run.beacon, r.step, spec.batchSize, spec.dataset.size);
    if (drawn.some((i, s) => r.indices[s] !== i))
      throw new Error(
        `step ${r.step} was not trained with beacon ${run.beacon}: its batch differs from the one it draws`,
      );
  });
  const statements = stepStatements(spec, records, run);
  const firstStep = BigInt(records[0]!.step);
  const statement: CheckpointStatement = {
    runTag: statements[0]!.runTag,
    position: packPosition({
      firstStep,
      flops: statements.reduce((s, x) => s + x.flops, 0n),
      beacon: run.beacon,
    }),
    rootBefore: statements[0]!.rootBefore,
    rootAfter: statements[statements.length - 1]!.rootAfter,
    accumulator: accumulate(statements),
  };
  const samples = records.map((r) =>
    r.indices.map((i) => ({ sample: data.dataset.samples[i]!, proof: data.proof(i) })),
  );
  const inputs: CircuitInputs = {
    ...statement,
    lab: run.lab,
    firstStep,
    beacon: run.beacon,
    fields: encodeSpec(spec),
    salt: spec.salt,
    params: [...records[0]!.paramsBefore],
    x: samples.map((b) => b.map((s) => [...s.sample.features])),
    label: samples.map((b) => b.map((s) => s.sample.label)),
    siblings: samples.map((b) => b.map((s) => [...s.proof.path.siblings])),
  };
  return { inputs, statement };
}

/** Inputs and statement of Genesis for the lab registering the run. */
export function genesisInputs(spec: TrainingSpec, lab: bigint): { inputs: CircuitInputs; statement: GenesisStatement } {
  const shape = shapeOf(spec);
  const commitment = specCommitment(spec);
  const statement: GenesisStatement = {
    specCommitment: commitment,
    lab,
    runTag: runTag(commitment, lab),
    root0: weightsRoot(initialParams(shape, spec.initSeed)),
    paramCount: BigInt(paramCountOf(shape)),
    flopsPerStep: flopsPerStep(shape, spec.batchSize),
    // Packed without range checks, so that tests can build the witness of a bad plan: the circuit refuses it.
    plan: BigInt(spec.plannedSteps) + (BigInt(spec.checkpointInterval) << 32n),
  };
  return { inputs: { ...statement, fields: encodeSpec(spec), salt: spec.salt }, statement };
}
