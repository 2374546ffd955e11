/**
 * The reference trainer: trains a spec's model on its committed dataset,
 * deterministically from the spec (init seed, data seed, learning rate,
 * batch size, planned steps) and the run's registration beacon, which fixes
 * the data order together with the data seed.
 */
import type { CommittedDataset } from "../dataset/dataset.js";
import { batchIndices } from "../dataset/sampler.js";
import { TrainingRangeError } from "../numerics/accumulation.js";
import type { TrainingSpec } from "../spec/schema.js";
import { evaluateArch, initialParams, stepOf, type Architecture, type StepResult } from "./architecture.js";
import type { BatchSample } from "./model.js";

export interface StepRecord extends StepResult {
  readonly step: number;
  /** Dataset indices of the batch, from the committed sampler. */
  readonly indices: readonly number[];
}

export interface TrainingRun {
  readonly shape: Architecture;
  /** The registration beacon the data order was drawn with. */
  readonly beacon: bigint;
  readonly initial: readonly number[];
  readonly steps: readonly StepRecord[];
  readonly final: readonly number[];
}

/** The spec's model architecture (family, layer widths and accumulation rule). */
export const shapeOf = (spec: TrainingSpec): Architecture => ({
  ...spec.model,
  ...(spec.accumulation?.rule === "exact" ? { accumulation: spec.accumulation } : {}),
});

/** Checks that the spec describes this dataset (root, size, shape). */
export function checkDatasetMatchesSpec(spec: TrainingSpec, data: CommittedDataset): void {
  if (data.root !== spec.dataset.root) {
    throw new Error(
      `dataset ${data.dataset.name} has root 0x${data.root.toString(16)}, the spec commits to 0x${spec.dataset.root.toString(16)}`,
    );
  }
  if (data.dataset.samples.length !== spec.dataset.size) {
    throw new Error(`dataset has ${data.dataset.samples.length} samples, the spec says ${spec.dataset.size}`);
  }
  if (data.dataset.features !== spec.model.inputs || data.dataset.classes !== spec.model.outputs) {
    throw new Error(
      `dataset has ${data.dataset.features} features and ${data.dataset.classes} classes, the model ${spec.model.inputs} -> ${spec.model.outputs}`,
    );
  }
}

export const asBatchSamples = (data: CommittedDataset, indices: readonly number[]): BatchSample[] =>
  indices.map((i) => ({ x: data.dataset.samples[i]!.features, label: data.dataset.samples[i]!.label }));

/**
 * A deviation from the reference: the parameters a dishonest lab carries on
 * with after step t instead of the ones the step computed (for the demo's and
 * the tests' dishonest labs; the record of step t then claims them).
 */
export type Deviation = (step: number, paramsAfter: readonly number[]) => readonly number[];

/** Trains `steps` steps (default: the spec's planned steps) with the run's beacon, calling onStep after each. */
export function train(
  spec: TrainingSpec,
  data: CommittedDataset,
  beacon: bigint,
  steps = spec.plannedSteps,
  onStep?: (r: StepRecord) => void,
  deviate?: Deviation,
): TrainingRun {
  checkDatasetMatchesSpec(spec, data);
  const shape = shapeOf(spec);
  const initial = initialParams(shape, spec.initSeed);
  let params: readonly number[] = initial;
  const records: StepRecord[] = [];
  for (let t = 0; t < steps; t++) {
    const indices = batchIndices(spec.dataSeed, beacon, t, spec.batchSize, spec.dataset.size);
    let trace: StepResult;
    try {
      trace = stepOf(shape, params, asBatchSamples(data, indices), spec.optimizer.learningRate);
    } catch (err) {
      if (err instanceof TrainingRangeError) throw new TrainingRangeError(`step ${t}, ${err.where}`, err.cause);
      throw err;
    }
    const rec = {
      step: t,
      indices,
      paramsBefore: trace.paramsBefore,
      grads: trace.grads,
      paramsAfter: deviate ? deviate(t, trace.paramsAfter) : trace.paramsAfter,
    };
    records.push(rec);
    onStep?.(rec);
    params = rec.paramsAfter;
  }
  return { shape, beacon, steps: records, initial, final: params };
}

/** Loss and accuracy of parameters over the whole dataset (reporting only). */
export const evaluateOn = (shape: Architecture, params: readonly number[], data: CommittedDataset) =>
  evaluateArch(
    shape,
    params,
    data.dataset.samples.map((s) => ({ x: s.features, label: s.label })),
  );
