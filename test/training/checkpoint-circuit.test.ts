/**
 * Genesis and Checkpoint(K) circuits at the witness level: honest runs agree
 * with the trainer and the TypeScript statement; every way of cheating that
 * the issue lists makes the witness fail.
 */
import assert from "node:assert/strict";
import { loadExample } from "../../prover/spec/example.js";
import { before, describe, it } from "mocha";
import { weightsRoot } from "../../prover/commit/weights.js";
import { commitDataset, type CommittedDataset } from "../../prover/dataset/dataset.js";
import { encodeSpec, specCommitment } from "../../prover/spec/commitment.js";
import type { TrainingSpec } from "../../prover/spec/schema.js";
import { checkpointInputs, genesisInputs, type CircuitInputs } from "../../prover/statement/inputs.js";
import {
  CHECKPOINT_PUBLIC_SIGNALS,
  GENESIS_PUBLIC_SIGNALS,
  accumulate,
  flopsPerStep,
  packPlan,
  packPosition,
  runTag,
  unpackPlan,
  unpackPosition,
} from "../../prover/statement/statement.js";
import { initParams } from "../../prover/training/init.js";
import { train, type TrainingRun } from "../../prover/training/trainer.js";
import { gadget, type Gadget } from "../helpers/gadget.js";

const LAB = 0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266n;
const OTHER_LAB = 0x70997970c51812dc3a010c7d01b50e0d17dc79c8n;
const BEACON = 0x5eedn;
const RUN = { lab: LAB, beacon: BEACON };

describe("training circuits", function () {
  this.timeout(900_000);
  let spec: TrainingSpec;
  let data: CommittedDataset;
  let run: TrainingRun;
  before(async () => {
    ({ spec, data } = await loadExample());
    run = train(spec, data, BEACON);
  });

  describe("Checkpoint(1), the step proof", () => {
    let g: Gadget;
    let honest: CircuitInputs;
    before(async () => {
      g = await gadget(
        "training/checkpoint.circom",
        "Checkpoint",
        [1, 4, 0, 3, 2, 1, 150, 8],
        CHECKPOINT_PUBLIC_SIGNALS,
        {
          privateInputsMayFold: true,
        },
      );
      honest = checkpointInputs(spec, data, run.steps.slice(5, 6), RUN).inputs;
    });
    it("should accept every step of the run and chain the roots", async () => {
      for (const r of run.steps) {
        const { inputs, statement } = checkpointInputs(spec, data, [r], RUN);
        await g.expectPass(inputs);
        assert.deepEqual(unpackPosition(statement.position), {
          firstStep: BigInt(r.step),
          flops: flopsPerStep(run.shape, 2),
          beacon: BEACON,
        });
        assert.equal(statement.rootAfter, weightsRoot(r.paramsAfter));
        if (r.step > 0) assert.equal(statement.rootBefore, weightsRoot(run.steps[r.step - 1]!.paramsAfter));
      }
    });
    it("should fail with any public input changed", async () => {
      for (const name of CHECKPOINT_PUBLIC_SIGNALS) {
        await g.expectFail({ ...honest, [name]: BigInt(honest[name] as bigint | number) + 1n });
      }
    });
    it("should fail for another lab or another spec commitment (the run tag binds both)", async () => {
      await g.expectFail({ ...honest, lab: OTHER_LAB });
      await g.expectFail({ ...honest, lab: OTHER_LAB, runTag: runTag(specCommitment(spec), OTHER_LAB) + 1n });
      const other = { ...spec, salt: spec.salt + 1n };
      await g.expectFail({ ...honest, runTag: runTag(specCommitment(other), LAB) });
    });
    it("should fail when the packed position claims other FLOPs, another first step or another beacon", async () => {
      const p = unpackPosition(honest.position as bigint);
      await g.expectFail({ ...honest, position: packPosition({ ...p, flops: p.flops + 1n }) });
      await g.expectFail({ ...honest, position: packPosition({ ...p, firstStep: p.firstStep + 1n }) });
      await g.expectFail({ ...honest, position: packPosition({ ...p, beacon: p.beacon + 1n }) });
      // A first step of 64 bits or more would alias other FLOPs: the range check refuses it.
      await g.expectFail({
        ...honest,
        firstStep: p.firstStep + (1n << 64n),
        position: packPosition({ ...p, flops: p.flops + 1n }),
      });
      // Likewise a beacon of 64 bits or more (it would alias nothing below 2^224, but is refused).
      await g.expectFail({ ...honest, beacon: BEACON + (1n << 64n) });
    });
    it("should draw other batches with another beacon, and fail on the honest batch under another beacon", async () => {
      const other = train(spec, data, BEACON + 1n, 16);
      const differ = run.steps.slice(0, 16).filter((r, t) => r.indices.join() !== other.steps[t]!.indices.join());
      assert.ok(differ.length >= 14, `only ${differ.length} of 16 batches differ`);
      // The honest step 5 claimed under another beacon: its batch is not the one that beacon draws.
      const p = unpackPosition(honest.position as bigint);
      await g.expectFail({ ...honest, beacon: BEACON + 1n, position: packPosition({ ...p, beacon: BEACON + 1n }) });
      assert.throws(
        () => checkpointInputs(spec, data, run.steps.slice(5, 6), { lab: LAB, beacon: BEACON + 1n }),
        /not trained with beacon/,
      );
    });
    it("should fail for a learning rate that is zero, negative, subnormal, infinite or NaN, even correctly committed", async () => {
      // Each witness is the honest one for a run trained with that learning rate: only the rate is wrong.
      for (const lr of [0x0000, 0x8000, 0xbb00, 0xbf80, 0x0001, 0x007f, 0x7f80, 0xff80, 0x7fc0, 0x7f81]) {
        const bad = { ...spec, optimizer: { ...spec.optimizer, learningRate: lr } };
        const badRun = train(bad, data, BEACON, 6);
        await g.expectFail(checkpointInputs(bad, data, badRun.steps.slice(5, 6), RUN).inputs);
      }
      // The same construction with a valid rate passes: the refusal is the rate's.
      const ok = { ...spec, optimizer: { ...spec.optimizer, learningRate: 0x3c00 } };
      await g.expectPass(checkpointInputs(ok, data, train(ok, data, BEACON, 6).steps.slice(5, 6), RUN).inputs);
    });
    it("should fail for a drawn sample with a NaN or infinite feature, even in the committed dataset", async () => {
      const r = run.steps[5]!;
      const i = r.indices[0]!;
      const withFeature = (f0: number) => {
        const samples = data.dataset.samples.map((x, j) =>
          j === i ? { ...x, features: [f0, ...x.features.slice(1)] } : x,
        );
        const d = commitDataset({ ...data.dataset, samples });
        const sp = { ...spec, dataset: { ...spec.dataset, root: d.root } };
        return checkpointInputs(sp, d, train(sp, d, BEACON, 6).steps.slice(5, 6), RUN).inputs;
      };
      for (const f of [0x7fc0, 0x7f80, 0xff80, 0xffc1]) await g.expectFail(withFeature(f));
      // The same construction with a finite feature (the largest) passes: the refusal is the feature's.
      await g.expectPass(withFeature(0x7f7f));
    });
    it("should fail for a drawn sample whose label is not one of the outputs, even in the committed dataset", async () => {
      const r = run.steps[5]!;
      const i = r.indices[0]!;
      const withLabel = (label: number) => {
        const samples = data.dataset.samples.map((x, j) => (j === i ? { ...x, label } : x));
        const d = commitDataset({ ...data.dataset, samples });
        const sp = { ...spec, dataset: { ...spec.dataset, root: d.root } };
        return checkpointInputs(sp, d, train(sp, d, BEACON, 6).steps.slice(5, 6), RUN).inputs;
      };
      for (const label of [3, 4, 255]) await g.expectFail(withLabel(label));
      // The same construction with another valid label passes: the refusal is the label's range.
      await g.expectPass(withLabel((data.dataset.samples[i]!.label + 1) % 3));
    });
    it("should fail on a batch not drawn by the sampler (another dataset sample, valid path)", async () => {
      const r = run.steps[5]!;
      const other = (r.indices[0]! + 1) % 150;
      const s = data.dataset.samples[other]!;
      const x = honest.x as number[][][];
      const label = honest.label as number[][];
      const siblings = honest.siblings as bigint[][][];
      await g.expectFail({
        ...honest,
        x: [[[...s.features], x[0]![1]!]],
        label: [[s.label, label[0]![1]!]],
        siblings: [[[...data.proof(other).path.siblings], siblings[0]![1]!]],
      });
    });
    it("should fail on a sample that is not in the dataset", async () => {
      const x = honest.x as number[][][];
      await g.expectFail({ ...honest, x: [[[x[0]![0]![0]! + 1, ...x[0]![0]!.slice(1)], x[0]![1]!]] });
    });
    it("should fail with a learning rate other than the committed one", async () => {
      const fields = encodeSpec(spec);
      fields[5] = fields[5]! + 1n;
      await g.expectFail({ ...honest, fields });
      // Even with the spec commitment recomputed, the roots no longer follow.
      const other = { ...spec, optimizer: { ...spec.optimizer, learningRate: spec.optimizer.learningRate + 1 } };
      await g.expectFail({ ...honest, fields, runTag: runTag(specCommitment(other), LAB) });
    });
    it("should fail when the weights do not match the claimed start root (broken chain)", async () => {
      const params = [...(honest.params as number[])];
      params[0] = params[0]! ^ 1;
      await g.expectFail({ ...honest, params });
    });
  });

  describe("Checkpoint(4)", () => {
    it("should accept the four checkpoints of a 16-step run, matching the TypeScript statement", async () => {
      const g = await gadget(
        "training/checkpoint.circom",
        "Checkpoint",
        [1, 4, 0, 3, 2, 4, 150, 8],
        CHECKPOINT_PUBLIC_SIGNALS,
        { privateInputsMayFold: true },
      );
      for (let a = 0; a < 16; a += 4) {
        const { inputs, statement } = checkpointInputs(spec, data, run.steps.slice(a, a + 4), RUN);
        await g.expectPass(inputs);
        assert.deepEqual(unpackPosition(statement.position), {
          firstStep: BigInt(a),
          flops: 4n * flopsPerStep(run.shape, 2),
          beacon: BEACON,
        });
        const steps = run.steps.slice(a, a + 4).map((r) => checkpointInputs(spec, data, [r], RUN).statement);
        assert.equal(statement.rootBefore, steps[0]!.rootBefore);
        assert.equal(statement.rootAfter, steps[3]!.rootAfter);
        // The accumulator is recomputable from the four step statements.
        assert.equal(
          statement.accumulator,
          accumulate(
            steps.map((s, j) => ({
              runTag: s.runTag,
              beacon: BEACON,
              step: a + j,
              rootBefore: s.rootBefore,
              rootAfter: s.rootAfter,
              flops: unpackPosition(s.position).flops,
            })),
          ),
        );
      }
      const bad = checkpointInputs(spec, data, run.steps.slice(0, 4), RUN).inputs;
      await g.expectFail({
        ...bad,
        accumulator: checkpointInputs(spec, data, run.steps.slice(0, 4), { lab: OTHER_LAB, beacon: BEACON }).statement
          .accumulator,
      });
    });
  });

  describe("Genesis", () => {
    it("should accept the seed-derived weights and the spec's facts, and nothing else", async () => {
      const g = await gadget("training/genesis.circom", "Genesis", [1, 4, 0, 3, 2, 150], GENESIS_PUBLIC_SIGNALS, {
        privateInputsMayFold: true,
      });
      const { inputs, statement } = genesisInputs(spec, LAB);
      await g.expectPass(inputs);
      assert.equal(statement.root0, weightsRoot(run.initial));
      assert.equal(statement.root0, checkpointInputs(spec, data, run.steps.slice(0, 1), RUN).statement.rootBefore);
      assert.equal(statement.runTag, checkpointInputs(spec, data, run.steps.slice(0, 1), RUN).statement.runTag);
      // Weights not derived from the committed init seed.
      await g.expectFail({ ...inputs, root0: weightsRoot(initParams(spec.initSeed + 1n, 15)) });
      await g.expectFail({ ...inputs, paramCount: 16n });
      await g.expectFail({ ...inputs, flopsPerStep: statement.flopsPerStep + 1n });
      await g.expectFail({ ...inputs, plan: statement.plan + 1n });
      // The checkpoint interval is bound: the registry supplies the family's K, and a spec
      // committed to another interval cannot open under it.
      assert.deepEqual(unpackPlan(statement.plan), { plannedSteps: 16n, checkpointInterval: 4n });
      await g.expectFail({ ...inputs, plan: packPlan({ plannedSteps: 16n, checkpointInterval: 1n }) });
      await g.expectFail({ ...inputs, plan: packPlan({ plannedSteps: 16n, checkpointInterval: 5n }) });
      await g.expectFail({ ...inputs, specCommitment: statement.specCommitment + 1n });
      // The lab is bound through the run tag: another address needs another tag.
      await g.expectFail({ ...inputs, lab: OTHER_LAB });
      await g.expectFail({ ...inputs, runTag: statement.runTag + 1n });
      await g.expectPass({ ...inputs, lab: OTHER_LAB, runTag: runTag(statement.specCommitment, OTHER_LAB) });
    });
    it("should refuse a spec with a bad learning rate or no planned step, even correctly committed", async () => {
      const g = await gadget("training/genesis.circom", "Genesis", [1, 4, 0, 3, 2, 150], GENESIS_PUBLIC_SIGNALS, {
        privateInputsMayFold: true,
      });
      for (const lr of [0x0000, 0x8000, 0xbb00, 0x0001, 0x7f80, 0xff80, 0x7fc0]) {
        await g.expectFail(genesisInputs({ ...spec, optimizer: { ...spec.optimizer, learningRate: lr } }, LAB).inputs);
      }
      await g.expectFail(genesisInputs({ ...spec, plannedSteps: 0 }, LAB).inputs);
      await g.expectFail(genesisInputs({ ...spec, plannedSteps: 2 ** 32 }, LAB).inputs);
      // The smallest normal and the largest finite learning rates are accepted.
      for (const lr of [0x0080, 0x7f7f]) {
        await g.expectPass(genesisInputs({ ...spec, optimizer: { ...spec.optimizer, learningRate: lr } }, LAB).inputs);
      }
    });
  });
});
