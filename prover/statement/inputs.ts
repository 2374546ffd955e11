/**
 * Circuit inputs (witness) for Genesis and Checkpoint(K) of the linear-mse
 * family, built from the spec, the committed dataset and the trainer's
 * records, together with the statement the proof will make public.
 */
import type { CircuitInput } from "../circom/witness.js";
import { weightsRoot } from "../commit/weights.js";
import type { CommittedDataset } from "../dataset/dataset.js";
import { encodeSpec, specCommitment } from "../spec/commitment.js";
import type { TrainingSpec } from "../spec/schema.js";
import { initParams } from "../training/init.js";
import { paramCount } from "../training/model.js";
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

/** The step statements of consecutive trainer records of the run (spec, lab). */
export function stepStatements(spec: TrainingSpec, records: readonly StepRecord[], lab: bigint): StepStatement[] {
  const tag = runTag(specCommitment(spec), lab);
  const f = flopsPerStep(shapeOf(spec), spec.batchSize);
  return records.map((r) => ({
    runTag: tag,
    step: r.step,
    rootBefore: weightsRoot(r.paramsBefore),
    rootAfter: weightsRoot(r.paramsAfter),
    flops: f,
  }));
}

/** Inputs and statement of Checkpoint(K) over `records` (K consecutive steps) of the lab's run. */
export function checkpointInputs(
  spec: TrainingSpec,
  data: CommittedDataset,
  records: readonly StepRecord[],
  lab: bigint,
): { inputs: CircuitInputs; statement: CheckpointStatement } {
  if (records.length === 0) throw new Error("a checkpoint covers at least one step");
  records.forEach((r, j) => {
    if (r.step !== records[0]!.step + j) throw new Error(`checkpoint steps are not consecutive at step ${r.step}`);
  });
  const statements = stepStatements(spec, records, lab);
  const firstStep = BigInt(records[0]!.step);
  const statement: CheckpointStatement = {
    runTag: statements[0]!.runTag,
    position: packPosition(
      firstStep,
      statements.reduce((s, x) => s + x.flops, 0n),
    ),
    rootBefore: statements[0]!.rootBefore,
    rootAfter: statements[statements.length - 1]!.rootAfter,
    accumulator: accumulate(statements),
  };
  const samples = records.map((r) =>
    r.indices.map((i) => ({ sample: data.dataset.samples[i]!, proof: data.proof(i) })),
  );
  const inputs: CircuitInputs = {
    ...statement,
    lab,
    firstStep,
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
    root0: weightsRoot(initParams(spec.initSeed, paramCount(shape))),
    paramCount: BigInt(paramCount(shape)),
    flopsPerStep: flopsPerStep(shape, spec.batchSize),
    plannedSteps: BigInt(spec.plannedSteps),
  };
  return { inputs: { ...statement, fields: encodeSpec(spec), salt: spec.salt }, statement };
}
