/**
 * Real Groth16 proofs of the training circuits: genesis, a step proof
 * (Checkpoint(1)) and a K = 4 checkpoint verify with the exported keys; each
 * one with any single public signal changed is rejected.
 */
import assert from "node:assert/strict";
import { loadExample } from "../../prover/spec/example.js";
import { after, before, describe, it } from "mocha";
import { FIELD_P } from "../../prover/circom/r1cs.js";
import type { CommittedDataset } from "../../prover/dataset/dataset.js";
import { buildAll } from "../../prover/proving/artifacts.js";
import { releaseSnarkjs, silentLogger } from "../../prover/proving/log.js";
import { prove, verify, type ProofBundle } from "../../prover/proving/prove.js";
import type { TrainingSpec } from "../../prover/spec/schema.js";
import { checkpointInputs, genesisInputs } from "../../prover/statement/inputs.js";
import { runTag, unpackPosition } from "../../prover/statement/statement.js";
import { specCommitment } from "../../prover/spec/commitment.js";
import { train, type TrainingRun } from "../../prover/training/trainer.js";

const LAB = 0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266n;

async function expectEverySignalBound(bundle: ProofBundle): Promise<void> {
  assert.equal(await verify(bundle), true, "honest proof verifies");
  for (let i = 0; i < bundle.publicSignals.length; i++) {
    const publicSignals = [...bundle.publicSignals];
    publicSignals[i] = String((BigInt(publicSignals[i]!) + 1n) % FIELD_P);
    assert.equal(await verify({ ...bundle, publicSignals }), false, `public signal ${i} changed`);
  }
}

describe("training proofs (Groth16)", function () {
  this.timeout(1_800_000);
  let spec: TrainingSpec;
  let data: CommittedDataset;
  let run: TrainingRun;
  before(async () => {
    await buildAll(
      { only: ["genesis_linear_i4o3b2n150", "checkpoint_linear_i4o3b2n150k1", "checkpoint_linear_i4o3b2n150k4"] },
      silentLogger,
    );
    ({ spec, data } = await loadExample());
    run = train(spec, data, 7n);
  });
  after(releaseSnarkjs);

  it("should prove genesis, and reject it with any public signal changed", async () => {
    const { inputs, statement } = genesisInputs(spec, LAB);
    const bundle = await prove("genesis_linear_i4o3b2n150", inputs);
    assert.equal(bundle.statement.root0, statement.root0.toString());
    assert.equal(bundle.statement.lab, LAB.toString());
    await expectEverySignalBound(bundle);
  });
  it("should prove a step (Checkpoint(1)), and reject it with any public signal changed", async () => {
    const { inputs, statement } = checkpointInputs(spec, data, run.steps.slice(0, 1), { lab: LAB, beacon: 7n });
    const bundle = await prove("checkpoint_linear_i4o3b2n150k1", inputs);
    assert.equal(bundle.statement.rootAfter, statement.rootAfter.toString());
    await expectEverySignalBound(bundle);
  });
  it("should prove a K = 4 checkpoint, and reject it with any public signal changed", async () => {
    const { inputs, statement } = checkpointInputs(spec, data, run.steps.slice(4, 8), { lab: LAB, beacon: 7n });
    const bundle = await prove("checkpoint_linear_i4o3b2n150k4", inputs);
    assert.deepEqual(unpackPosition(BigInt(bundle.statement.position!)), {
      firstStep: 4n,
      flops: 4n * 123n,
      beacon: 7n,
    });
    assert.equal(bundle.statement.accumulator, statement.accumulator.toString());
    assert.equal(bundle.statement.runTag, runTag(specCommitment(spec), LAB).toString());
    await expectEverySignalBound(bundle);
  });
});
