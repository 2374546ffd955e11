/**
 * The LinearStep circuit against the reference trainer, step by step over a
 * whole run: every new parameter must be bit-identical, and a tampered one,
 * another learning rate or another batch must not reproduce the step.
 */
import assert from "node:assert/strict";
import { loadExample } from "../helpers/example.js";
import { before, describe, it } from "mocha";
import type { CommittedDataset } from "../../prover/dataset/dataset.js";
import type { TrainingSpec } from "../../prover/spec/schema.js";
import { asBatchSamples, train, type TrainingRun } from "../../prover/training/trainer.js";
import { gadget, type Gadget } from "../helpers/gadget.js";

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
    const want = run.steps[5]!.paramsAfter;
    const otherLr = outputs(await g.expectPass(inputOf(5, { lr: spec.optimizer.learningRate + 1 })));
    assert.notDeepEqual(otherLr, want);
    const otherBatch = outputs(
      await g.expectPass(inputOf(5, { indices: [(run.steps[5]!.indices[0]! + 1) % 150, run.steps[5]!.indices[1]!] })),
    );
    assert.notDeepEqual(otherBatch, want);
  });
  it("should reject parameters that are not bf16 patterns", async () => {
    const input = inputOf(0);
    await g.expectFail({ ...input, params: [0x10000, ...input.params.slice(1)] });
  });
});
