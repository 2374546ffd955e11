/**
 * The reference trainer: deterministic from the spec, bit-exact against an
 * independent host-float implementation of the same step, and it learns.
 */
import assert from "node:assert/strict";
import { loadExample } from "../../prover/spec/example.js";
import { before, describe, it } from "mocha";
import type { CommittedDataset } from "../../prover/dataset/dataset.js";
import { bf16ToNumber, f32ToBf16, numberToF32 } from "../../prover/numerics/index.js";
import type { TrainingSpec } from "../../prover/spec/schema.js";
import { initParam, initParams } from "../../prover/training/init.js";
import { paramCount, trainStep, type BatchSample, type LinearShape } from "../../prover/training/model.js";
import { asBatchSamples, evaluateOn, train } from "../../prover/training/trainer.js";

/** The step written with host doubles: Math.fround for every fp32 rounding, bf16 via the tested f32ToBf16. */
function hostStep(s: LinearShape, params: readonly number[], batch: readonly BatchSample[], lr: number): number[] {
  const v = bf16ToNumber;
  const toBf16 = (x: number): number => f32ToBf16(numberToF32(x));
  const e = batch.map(({ x, label }) =>
    Array.from({ length: s.outputs }, (_, o) => {
      let acc = Math.fround(v(params[o * s.inputs]!) * v(x[0]!));
      for (let i = 1; i < s.inputs; i++) acc = Math.fround(acc + Math.fround(v(params[o * s.inputs + i]!) * v(x[i]!)));
      const y = toBf16(Math.fround(acc + v(params[s.outputs * s.inputs + o]!)));
      return toBf16(Math.fround(v(y) - (o === label ? 1 : 0)));
    }),
  );
  const grads: number[] = [];
  for (let o = 0; o < s.outputs; o++)
    for (let i = 0; i < s.inputs; i++) {
      let acc = Math.fround(v(e[0]![o]!) * v(batch[0]!.x[i]!));
      for (let k = 1; k < batch.length; k++) acc = Math.fround(acc + Math.fround(v(e[k]![o]!) * v(batch[k]!.x[i]!)));
      grads.push(toBf16(acc));
    }
  for (let o = 0; o < s.outputs; o++) {
    let acc = v(e[0]![o]!);
    for (let k = 1; k < batch.length; k++) acc = Math.fround(acc + v(e[k]![o]!));
    grads.push(toBf16(acc));
  }
  return params.map((p, k) => toBf16(Math.fround(v(p) + Math.fround(-v(lr) * v(grads[k]!)))));
}

describe("reference trainer", function () {
  this.timeout(120_000);
  let spec: TrainingSpec;
  let data: CommittedDataset;
  before(async () => {
    ({ spec, data } = await loadExample());
  });

  describe("initParams", () => {
    it("should derive bf16 weights of magnitude in [2^-7, 2^-3) from the init seed", () => {
      const p = initParams(spec.initSeed, 15);
      for (const w of p) {
        const m = Math.abs(bf16ToNumber(w));
        assert.ok(m >= 2 ** -7 && m < 2 ** -3, `weight ${m}`);
      }
      assert.ok(new Set(p).size > 10, "weights are not all alike");
      assert.notDeepEqual(initParams(spec.initSeed + 1n, 15), p);
      assert.equal(initParam(spec.initSeed, 3), p[3]);
    });
  });

  describe("trainStep", () => {
    it("should equal an independent host-float implementation on 64 steps", () => {
      const run = train(spec, data, 7n, 64);
      for (const r of run.steps) {
        const want = hostStep(run.shape, r.paramsBefore, asBatchSamples(data, r.indices), spec.optimizer.learningRate);
        assert.deepEqual(r.paramsAfter, want, `step ${r.step}`);
      }
    });
    it("should refuse a parameter vector or sample of the wrong size", () => {
      const shape = { inputs: 4, outputs: 3 };
      assert.throws(() => trainStep(shape, [1, 2], [{ x: [0, 0, 0, 0], label: 0 }], 0x3b00), /expected 15 parameters/);
      assert.throws(() => trainStep(shape, Array<number>(15).fill(0), [{ x: [0], label: 0 }], 0x3b00), /1 features/);
      assert.throws(() => trainStep(shape, Array<number>(15).fill(0), [], 0x3b00), /empty batch/);
    });
  });

  describe("train", () => {
    it("should be reproducible from the spec alone", () => {
      const a = train(spec, data, 7n, 16);
      const b = train(spec, data, 7n, 16);
      assert.deepEqual(a.final, b.final);
      assert.deepEqual(
        a.steps.map((s) => s.indices),
        b.steps.map((s) => s.indices),
      );
      assert.equal(a.initial.length, paramCount(a.shape));
    });
    it("should lower the loss over 64 steps whatever the beacon, and over the planned 16 for almost every beacon", () => {
      // The data order depends on the registration beacon, so a run's loss curve does too: measured
      // over 50 beacons, 64 steps always lowered the loss and 16 steps lowered it for 48 of them.
      const beacons = Array.from({ length: 20 }, (_, i) => (BigInt(i) * 0x9e3779b97f4a7c15n) % (1n << 64n));
      let lowerAt16 = 0;
      for (const beacon of beacons) {
        const run = train(spec, data, beacon, 64);
        assert.equal(run.beacon, beacon);
        const before = evaluateOn(run.shape, run.initial, data).loss;
        const at16 = evaluateOn(run.shape, run.steps[spec.plannedSteps - 1]!.paramsAfter, data).loss;
        const at64 = evaluateOn(run.shape, run.final, data).loss;
        assert.ok(at64 < before, `beacon ${beacon}: loss ${before} -> ${at64} after 64 steps`);
        if (at16 < before) lowerAt16++;
      }
      assert.ok(lowerAt16 >= 18, `the planned 16 steps lowered the loss for only ${lowerAt16} of 20 beacons`);
    });
    it("should refuse a dataset that does not match the spec's commitment", () => {
      assert.throws(
        () => train({ ...spec, dataset: { ...spec.dataset, root: spec.dataset.root + 1n } }, data, 7n, 1),
        /the spec commits to/,
      );
      assert.throws(
        () => train({ ...spec, dataset: { ...spec.dataset, size: 149 } }, data, 7n, 1),
        /150 samples, the spec says 149/,
      );
    });
  });
});
