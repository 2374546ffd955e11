/**
 * Genesis and Checkpoint(K) circuits at the witness level: honest runs agree
 * with the trainer and the TypeScript statement; every way of cheating that
 * the issue lists makes the witness fail.
 */
import assert from "node:assert/strict";
import { loadExample } from "../helpers/example.js";
import { before, describe, it } from "mocha";
import { weightsRoot } from "../../prover/commit/weights.js";
import type { CommittedDataset } from "../../prover/dataset/dataset.js";
import { encodeSpec, specCommitment } from "../../prover/spec/commitment.js";
import type { TrainingSpec } from "../../prover/spec/schema.js";
import { checkpointInputs, genesisInputs, type CircuitInputs } from "../../prover/statement/inputs.js";
import {
  CHECKPOINT_PUBLIC_SIGNALS,
  GENESIS_PUBLIC_SIGNALS,
  accumulate,
  flopsPerStep,
  packPosition,
  runTag,
  unpackPosition,
} from "../../prover/statement/statement.js";
import { initParams } from "../../prover/training/init.js";
import { train, type TrainingRun } from "../../prover/training/trainer.js";
import { gadget, type Gadget } from "../helpers/gadget.js";

const LAB = 0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266n;
const OTHER_LAB = 0x70997970c51812dc3a010c7d01b50e0d17dc79c8n;

describe("training circuits", function () {
  this.timeout(900_000);
  let spec: TrainingSpec;
  let data: CommittedDataset;
  let run: TrainingRun;
  before(async () => {
    ({ spec, data } = await loadExample());
    run = train(spec, data);
  });

  describe("Checkpoint(1), the step proof", () => {
    let g: Gadget;
    let honest: CircuitInputs;
    before(async () => {
      g = await gadget("training/checkpoint.circom", "Checkpoint", [4, 3, 2, 1, 150, 8], CHECKPOINT_PUBLIC_SIGNALS);
      honest = checkpointInputs(spec, data, run.steps.slice(5, 6), LAB).inputs;
    });
    it("should accept every step of the run and chain the roots", async () => {
      for (const r of run.steps) {
        const { inputs, statement } = checkpointInputs(spec, data, [r], LAB);
        await g.expectPass(inputs);
        assert.deepEqual(unpackPosition(statement.position), {
          firstStep: BigInt(r.step),
          flops: flopsPerStep(run.shape, 2),
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
    it("should fail when the packed position claims other FLOPs or another first step", async () => {
      const { firstStep, flops } = unpackPosition(honest.position as bigint);
      await g.expectFail({ ...honest, position: packPosition(firstStep, flops + 1n) });
      await g.expectFail({ ...honest, position: packPosition(firstStep + 1n, flops) });
      // A first step of 64 bits or more would alias other FLOPs: the range check refuses it.
      await g.expectFail({
        ...honest,
        firstStep: firstStep + (1n << 64n),
        position: packPosition(firstStep, flops + 1n),
      });
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
        [4, 3, 2, 4, 150, 8],
        CHECKPOINT_PUBLIC_SIGNALS,
      );
      for (let a = 0; a < 16; a += 4) {
        const { inputs, statement } = checkpointInputs(spec, data, run.steps.slice(a, a + 4), LAB);
        await g.expectPass(inputs);
        assert.deepEqual(unpackPosition(statement.position), {
          firstStep: BigInt(a),
          flops: 4n * flopsPerStep(run.shape, 2),
        });
        const steps = run.steps.slice(a, a + 4).map((r) => checkpointInputs(spec, data, [r], LAB).statement);
        assert.equal(statement.rootBefore, steps[0]!.rootBefore);
        assert.equal(statement.rootAfter, steps[3]!.rootAfter);
        // The accumulator is recomputable from the four step statements.
        assert.equal(
          statement.accumulator,
          accumulate(
            steps.map((s, j) => ({
              runTag: s.runTag,
              step: a + j,
              rootBefore: s.rootBefore,
              rootAfter: s.rootAfter,
              flops: unpackPosition(s.position).flops,
            })),
          ),
        );
      }
      const bad = checkpointInputs(spec, data, run.steps.slice(0, 4), LAB).inputs;
      await g.expectFail({
        ...bad,
        accumulator: checkpointInputs(spec, data, run.steps.slice(0, 4), OTHER_LAB).statement.accumulator,
      });
    });
  });

  describe("Genesis", () => {
    it("should accept the seed-derived weights and the spec's facts, and nothing else", async () => {
      const g = await gadget("training/genesis.circom", "Genesis", [4, 3, 2, 150], GENESIS_PUBLIC_SIGNALS);
      const { inputs, statement } = genesisInputs(spec, LAB);
      await g.expectPass(inputs);
      assert.equal(statement.root0, weightsRoot(run.initial));
      assert.equal(statement.root0, checkpointInputs(spec, data, run.steps.slice(0, 1), LAB).statement.rootBefore);
      assert.equal(statement.runTag, checkpointInputs(spec, data, run.steps.slice(0, 1), LAB).statement.runTag);
      // Weights not derived from the committed init seed.
      await g.expectFail({ ...inputs, root0: weightsRoot(initParams(spec.initSeed + 1n, 15)) });
      await g.expectFail({ ...inputs, paramCount: 16n });
      await g.expectFail({ ...inputs, flopsPerStep: statement.flopsPerStep + 1n });
      await g.expectFail({ ...inputs, plannedSteps: statement.plannedSteps + 1n });
      await g.expectFail({ ...inputs, specCommitment: statement.specCommitment + 1n });
      // The lab is bound through the run tag: another address needs another tag.
      await g.expectFail({ ...inputs, lab: OTHER_LAB });
      await g.expectFail({ ...inputs, runTag: statement.runTag + 1n });
      await g.expectPass({ ...inputs, lab: OTHER_LAB, runTag: runTag(statement.specCommitment, OTHER_LAB) });
    });
  });
});
