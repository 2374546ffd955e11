/**
 * The model families a spec can name, behind one interface: the parameter
 * count, the bit-exact step, the initial weights, the FLOPs and the
 * reporting metrics of each family come from here, so the trainer, the
 * statements and the circuit inputs never branch on the family themselves.
 */
import {
  accumulator,
  describeRule,
  reportingAccumulator,
  SEQUENTIAL_FP32,
  type AccumulationRule,
} from "../numerics/accumulation.js";
import { initParam, initParams, LINEAR_INIT_TOP } from "./init.js";
import { evaluate, paramCount, trainStep, type BatchSample, type LinearShape } from "./model.js";
import { mlpEvaluate, mlpFlops, mlpLayout, mlpParamCount, mlpTrainStep, type MlpShape } from "./mlp.js";

export type Architecture = (
  ({ readonly family: "linear-mse" } & LinearShape) | ({ readonly family: "mlp-mse" } & MlpShape)
) & {
  /** How every sum of a step is accumulated and rounded; absent: sequential fp32. */
  readonly accumulation?: AccumulationRule;
};

/** The accumulation rule of an architecture (sequential fp32 unless it says otherwise). */
export const ruleOf = (a: Architecture): AccumulationRule => a.accumulation ?? SEQUENTIAL_FP32;

export type ModelFamily = Architecture["family"];
export const MODEL_FAMILIES: readonly ModelFamily[] = ["linear-mse", "mlp-mse"];

/** What a training step yields whatever the family: the parameters before, the gradients, the parameters after. */
export interface StepResult {
  readonly paramsBefore: readonly number[];
  readonly grads: readonly number[];
  readonly paramsAfter: readonly number[];
}

export const paramCountOf = (a: Architecture): number => (a.family === "linear-mse" ? paramCount(a) : mlpParamCount(a));

/** One bit-exact SGD step of the architecture. */
export const stepOf = (
  a: Architecture,
  params: readonly number[],
  batch: readonly BatchSample[],
  lr: number,
): StepResult => {
  const acc = accumulator(ruleOf(a));
  return a.family === "linear-mse" ? trainStep(a, params, batch, lr, acc) : mlpTrainStep(a, params, batch, lr, acc);
};

/**
 * Top biased exponent of the initial weights of a layer with fan-in n
 * (prover/training/init.ts): linear-mse keeps its fixed 123 (magnitudes in
 * [2^-7, 2^-3)); a ReLU network takes 127 - floor(log2(n) / 2), so the
 * magnitudes lie in [2^-3 / 2^floor(log2(n)/2), 2 / 2^floor(log2(n)/2)):
 * about 1/sqrt(n), the scale that keeps ReLU activations from vanishing.
 */
export const reluInitTop = (fanIn: number): number => 127 - Math.floor((31 - Math.clz32(fanIn)) / 2);

/**
 * Initial weights from the init seed. linear-mse: every parameter by the
 * seeded rule with top exponent 123. mlp-mse: W1 with top reluInitTop(inputs),
 * W2 with top reluInitTop(hidden), every bias +0; parameter k always uses
 * Poseidon(tag, seed, k) with its index in the whole vector.
 */
export function initialParams(a: Architecture, seed: bigint): number[] {
  if (a.family === "linear-mse") return initParams(seed, paramCount(a));
  return initTops(a).map((top, k) => (top === 0 ? 0 : initParam(seed, k, top)));
}

/** Per parameter: the top exponent of its seeded initial value, or 0 for a parameter that starts at +0. */
export function initTops(a: Architecture): number[] {
  if (a.family === "linear-mse") return new Array<number>(paramCount(a)).fill(LINEAR_INIT_TOP);
  const L = mlpLayout(a);
  return Array.from({ length: mlpParamCount(a) }, (_, k) =>
    k < L.b1 ? reluInitTop(a.inputs) : k < L.w2 ? 0 : k < L.b2 ? reluInitTop(a.hidden) : 0,
  );
}

/** FLOPs of one step (each multiply and add one FLOP), from the shape. */
export function flopsOf(a: Architecture, batch: number): bigint {
  if (a.family === "mlp-mse") return BigInt(mlpFlops(a, batch));
  const { inputs: I, outputs: O } = a;
  const B = batch;
  return BigInt(2 * B * O * I + B * O + O * I * (2 * B - 1) + O * (B - 1) + 2 * (O * I + O));
}

/** Mean squared error and accuracy over samples (host doubles, reporting only). */
export const evaluateArch = (a: Architecture, params: readonly number[], samples: readonly BatchSample[]) => {
  // A sample whose sums leave an exact rule's range is scored with those sums under sequential fp32.
  const acc = reportingAccumulator(ruleOf(a));
  return a.family === "linear-mse" ? evaluate(a, params, samples, acc) : mlpEvaluate(a, params, samples, acc);
};

/** A short description: "linear 4->3" or "MLP 4->6->3 (ReLU)", with ", exact[-40..15]" under the exact rule. */
export const describeArch = (a: Architecture): string =>
  (a.family === "linear-mse"
    ? `linear ${a.inputs}->${a.outputs}`
    : `MLP ${a.inputs}->${a.hidden}->${a.outputs} (ReLU)`) +
  (a.accumulation?.rule === "exact" ? `, ${describeRule(a.accumulation)}` : "");
