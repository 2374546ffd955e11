/**
 * The LinearStep circuit against the reference trainer, step by step over a
 * whole run: every new parameter must be bit-identical, and a tampered one,
 * another learning rate or another batch must not reproduce the step.
 */
import assert from "node:assert/strict";
import { loadExample } from "../../prover/spec/example.js";
import { before, describe, it } from "mocha";
import type { CommittedDataset } from "../../prover/dataset/dataset.js";
import type { TrainingSpec } from "../../prover/spec/schema.js";
import { asBatchSamples, train, type TrainingRun } from "../../prover/training/trainer.js";
import { gadget, type Gadget } from "../helpers/gadget.js";
import { bIndex, trainStep, wIndex, type LinearShape } from "../../prover/training/model.js";

describe("LinearStep circuit", function () {
  this.timeout(600_000);
  let spec: TrainingSpec;
  let data: CommittedDataset;
  let run: TrainingRun;
  let g: Gadget;
  const inputOf = (t: number, over: Partial<{ lr: number; indices: readonly number[] }> = {}) => {
    const r = run.steps[t]!;
    const batch = asBatchSamples(data, over.indices ?? r.indices);
    return {
      params: [...r.paramsBefore],
      x: batch.map((b) => [...b.x]),
      label: batch.map((b) => b.label),
      lr: over.lr ?? spec.optimizer.learningRate,
    };
  };
  const outputs = (w: readonly bigint[]): number[] =>
    run.steps[0]!.paramsAfter.map((_, k) => Number(w[g.wire(`newParams[${k}]`)]));

  before(async () => {
    ({ spec, data } = await loadExample());
    run = train(spec, data, 7n);
    g = await gadget("training/linear.circom", "LinearStep", [4, 3, 2]);
  });

  it("should reproduce every step of a 16-step run bit for bit", async () => {
    for (const r of run.steps) {
      const w = await g.expectPass(inputOf(r.step));
      assert.deepEqual(outputs(w), r.paramsAfter, `step ${r.step}`);
    }
  });
  it("should not satisfy the constraints with a tampered new parameter", async () => {
    const w = await g.expectPass(inputOf(3));
    for (const k of [0, 7, 14]) g.expectTamperFails(w, `newParams[${k}]`, BigInt(run.steps[3]!.paramsAfter[k]! ^ 1));
  });
  it("should give other parameters with another learning rate or another batch", async () => {
    // Twice the learning rate (exponent + 1), and the first sample replaced by one of another class
    // (iris keeps 50 samples per class): at every one of the first 8 steps the update differs.
    for (let t = 0; t < 8; t++) {
      const want = run.steps[t]!.paramsAfter;
      const otherLr = outputs(await g.expectPass(inputOf(t, { lr: spec.optimizer.learningRate + 0x80 })));
      assert.notDeepEqual(otherLr, want, `step ${t}: doubling the learning rate changed nothing`);
      const [first, second] = run.steps[t]!.indices as [number, number];
      const otherBatch = outputs(await g.expectPass(inputOf(t, { indices: [(first + 50) % 150, second] })));
      assert.notDeepEqual(otherBatch, want, `step ${t}: another sample changed nothing`);
    }
  });
  it("should keep an output of exactly -0 off the label (y - (+0) = y + (-0) = -0), as the reference does", async () => {
    // Output 2's weights are zeros of the sign opposite to each feature's and its bias is -0, so y[2] = -0 for
    // both samples; the samples are of classes 0 and 1, so the error of output 2 is -0 - (+0) = -0, its summed
    // bias gradient -0, and the bias update -0 + (-lr * -0) = -0 + (+0) = +0 (with +0 errors it would stay -0).
    const batch = asBatchSamples(data, [0, 50]);
    const params = [...run.steps[0]!.paramsBefore];
    for (let i = 0; i < 4; i++) params[wIndex(run.shape, 2, i)] = (batch[0]!.x[i]! & 0x8000) ^ 0x8000;
    params[bIndex(run.shape, 2)] = 0x8000;
    const want = trainStep(run.shape, params, batch, spec.optimizer.learningRate);
    assert.deepEqual(
      want.e.map((e) => e[2]),
      [0x8000, 0x8000],
    );
    assert.equal(want.paramsAfter[bIndex(run.shape as LinearShape, 2)], 0x0000);
    const input = {
      params,
      x: batch.map((b) => [...b.x]),
      label: batch.map((b) => b.label),
      lr: spec.optimizer.learningRate,
    };
    assert.deepEqual(outputs(await g.expectPass(input)), want.paramsAfter);
  });
  it("should reject parameters that are not bf16 patterns", async () => {
    const input = inputOf(0);
    await g.expectFail({ ...input, params: [0x10000, ...input.params.slice(1)] });
  });
});
