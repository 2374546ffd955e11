/**
 * The mlp-mse family end to end at the witness level: the spec, the seeded
 * initial weights (genesis) and Checkpoint(1) of the example MLP run, with
 * the same spec opening, sampler, membership, weight roots and statements as
 * the linear family; a weight not matching its root, another hidden width or
 * another family's spec must not pass.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { before, describe, it } from "mocha";
import { weightsRoot } from "../../prover/commit/weights.js";
import type { CommittedDataset } from "../../prover/dataset/dataset.js";
import { checkpointCircuit, DEFAULT_MLP_SHAPE, genesisCircuit } from "../../prover/proving/manifest.js";
import { familyOfSpec, familySpec } from "../../prover/proving/families.js";
import { encodeSpec, specCommitment } from "../../prover/spec/commitment.js";
import { parseSpec, type TrainingSpec } from "../../prover/spec/schema.js";
import { checkpointInputs, genesisInputs, type CircuitInputs } from "../../prover/statement/inputs.js";
import {
  CHECKPOINT_PUBLIC_SIGNALS,
  GENESIS_PUBLIC_SIGNALS,
  runTag,
  unpackPosition,
} from "../../prover/statement/statement.js";
import { initialParams, initTops, reluInitTop } from "../../prover/training/architecture.js";
import { initParams } from "../../prover/training/init.js";
import { mlpFlops, mlpLayout } from "../../prover/training/mlp.js";
import { evaluateOn, train, type TrainingRun } from "../../prover/training/trainer.js";
import { loadMlpExample, MLP_EXAMPLE_SPEC } from "../../prover/spec/example.js";
import { gadget, type Gadget } from "../helpers/gadget.js";

const LAB = 0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266n;
const BEACON = 0x5eedn;
const RUN = { lab: LAB, beacon: BEACON };
const SHAPE = { inputs: 4, hidden: 6, outputs: 3 } as const;
const FLOPS = BigInt(mlpFlops(SHAPE, 2));

describe("mlp-mse family", function () {
  this.timeout(1_800_000);
  let spec: TrainingSpec;
  let data: CommittedDataset;
  let run: TrainingRun;
  before(async () => {
    ({ spec, data } = await loadMlpExample());
    run = train(spec, data, BEACON);
  });

  /** The example spec with another hidden width, and as a linear-mse spec. */
  const otherModels = (): TrainingSpec[] => [
    { ...spec, model: { family: "mlp-mse", inputs: 4, hidden: 7, outputs: 3 } },
    { ...spec, model: { family: "linear-mse", inputs: 4, outputs: 3 } },
  ];

  describe("spec, family and initial weights", () => {
    it("should name the family and commit to the hidden width", () => {
      const f = familyOfSpec(spec);
      assert.equal(f.name, "mlp-mse/i4-h6-o3-b2/n150/k1");
      assert.deepEqual(familySpec(f.name), f);
      assert.equal(f.checkpoint, checkpointCircuit(DEFAULT_MLP_SHAPE, 1).id);
      assert.equal(encodeSpec(spec)[1], 2n + 256n * 6n);
      assert.notEqual(specCommitment(otherModels()[0]!), specCommitment(spec));
      assert.throws(() => familySpec("mlp-mse/i4-o3-b2/n150/k1"), /not a family name/);
      assert.throws(() => familySpec("linear-mse/i4-h6-o3-b2/n150/k1"), /not a family name/);
    });
    it("should refuse an mlp-mse spec without a hidden width and a linear one with it", async () => {
      const raw = JSON.parse(await readFile(MLP_EXAMPLE_SPEC, "utf8")) as Record<string, unknown>;
      const json = (model: object) => ({ ...raw, model });
      assert.throws(() => parseSpec(json({ family: "mlp-mse", inputs: 4, outputs: 3 })), /model\.hidden/);
      assert.throws(() => parseSpec(json({ family: "linear-mse", inputs: 4, hidden: 6, outputs: 3 })), /model/);
      assert.equal(parseSpec(json({ family: "mlp-mse", inputs: 4, hidden: 6, outputs: 3 })).model.family, "mlp-mse");
    });
    it("should derive the initial weights with the ReLU scale rule and zero biases", () => {
      const L = mlpLayout(SHAPE);
      const tops = initTops(run.shape);
      assert.equal(reluInitTop(4), 126);
      assert.equal(reluInitTop(6), 126);
      assert.equal(reluInitTop(16), 125);
      assert.equal(reluInitTop(1), 127);
      run.initial.forEach((p, k) => {
        if (tops[k] === 0) assert.equal(p, 0, `bias ${k} starts at +0`);
        else {
          const e = (p >> 7) & 0xff;
          assert.ok(e >= tops[k]! - 3 && e <= tops[k]!, `parameter ${k}: exponent ${e} outside its layer's range`);
        }
      });
      assert.deepEqual(run.initial.slice(L.b1, L.w2).concat(run.initial.slice(L.b2)), new Array<number>(9).fill(0));
      // Seeded like the linear family (same Poseidon draw per index), with the layer's exponent range.
      assert.equal(run.initial[0]! & 0x807f, initParams(spec.initSeed, 1)[0]! & 0x807f);
      assert.notDeepEqual(initialParams(run.shape, spec.initSeed + 1n), run.initial);
    });
    it("should count the FLOPs of a step from the shape", () => {
      // forward 2*2*(24+18), error 6, hidden errors 2*6*5, gradients 42*3 + 9, update 2*51.
      assert.equal(mlpFlops({ inputs: 4, hidden: 6, outputs: 3 }, 2), 168 + 6 + 60 + 126 + 9 + 102);
    });
    it("should train: loss down over the planned steps", () => {
      const before = evaluateOn(run.shape, run.initial, data);
      const after = evaluateOn(run.shape, run.final, data);
      assert.equal(run.steps.length, spec.plannedSteps);
      assert.ok(after.loss < before.loss / 2, `loss ${before.loss} -> ${after.loss}`);
    });
  });

  describe("Genesis", () => {
    it("should accept the seed-derived weights and refuse any other start", async () => {
      const c = genesisCircuit(DEFAULT_MLP_SHAPE);
      const g = await gadget(c.include, c.template, c.params, GENESIS_PUBLIC_SIGNALS, { privateInputsMayFold: true });
      const { inputs, statement } = genesisInputs(spec, LAB);
      await g.expectPass(inputs);
      assert.equal(statement.root0, weightsRoot(run.initial));
      assert.equal(statement.paramCount, 51n);
      assert.equal(statement.flopsPerStep, FLOPS);
      await g.expectFail({ ...inputs, root0: weightsRoot(initialParams(run.shape, spec.initSeed + 1n)) });
      // The linear family's rule on the same seed is another start.
      await g.expectFail({ ...inputs, root0: weightsRoot(initParams(spec.initSeed, 51)) });
      const nonZeroBias = [...run.initial];
      nonZeroBias[mlpLayout(SHAPE).b2] = 0x3f80;
      await g.expectFail({ ...inputs, root0: weightsRoot(nonZeroBias) });
      await g.expectFail({ ...inputs, paramCount: 15n });
      await g.expectFail({ ...inputs, flopsPerStep: statement.flopsPerStep + 1n });
      // A spec of another hidden width or of the linear family does not open in this circuit.
      // Everything else consistent (commitment, tag, root, count, FLOPs): only the model field is wrong.
      for (const other of otherModels()) {
        await g.expectFail({
          ...genesisInputs(other, LAB).inputs,
          root0: statement.root0,
          paramCount: 51n,
          flopsPerStep: FLOPS,
        });
      }
    });
  });

  describe("Checkpoint(1), the MLP step proof", () => {
    let g: Gadget;
    let honest: CircuitInputs;
    before(async () => {
      const c = checkpointCircuit(DEFAULT_MLP_SHAPE, 1);
      g = await gadget(c.include, c.template, c.params, CHECKPOINT_PUBLIC_SIGNALS, { privateInputsMayFold: true });
      honest = checkpointInputs(spec, data, run.steps.slice(5, 6), RUN).inputs;
    });
    it("should accept every step of the run, chaining the roots, with the shape's FLOPs", async () => {
      for (const r of run.steps) {
        const { inputs, statement } = checkpointInputs(spec, data, [r], RUN);
        await g.expectPass(inputs);
        assert.equal(unpackPosition(statement.position).flops, FLOPS);
        assert.equal(statement.rootBefore, weightsRoot(r.paramsBefore));
        assert.equal(statement.rootAfter, weightsRoot(r.paramsAfter));
      }
    });
    it("should fail with any public input changed", async () => {
      for (const name of CHECKPOINT_PUBLIC_SIGNALS) {
        await g.expectFail({ ...honest, [name]: BigInt(honest[name] as bigint | number) + 1n });
      }
    });
    it("should fail when a weight does not match the start root", async () => {
      for (const k of [0, 24, 30, 50]) {
        const params = [...(honest.params as number[])];
        params[k] = params[k]! ^ 1;
        await g.expectFail({ ...honest, params });
      }
    });
    it("should fail when the claimed end root skips the update or deviates by one ulp", async () => {
      const r = run.steps[5]!;
      await g.expectFail({ ...honest, rootAfter: weightsRoot(r.paramsBefore) });
      const off = [...r.paramsAfter];
      off[7] = off[7]! + 1;
      await g.expectFail({ ...honest, rootAfter: weightsRoot(off) });
    });
    it("should fail for another hidden width's or the linear family's spec fields", async () => {
      // The commitment opens and the run tag matches: only the model field is wrong.
      for (const other of otherModels()) {
        await g.expectFail({ ...honest, fields: encodeSpec(other), runTag: runTag(specCommitment(other), LAB) });
      }
    });
  });
});
