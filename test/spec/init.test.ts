/**
 * Spec creation (issue #9): fresh secrets every time, uniform below the
 * field; the learning rate rounded to bf16 by the reference rule; the file
 * never overwritten and readable by its owner only; the commitment equal to
 * the circuit's; the family derived from the spec.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { statSync } from "node:fs";
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { before, describe, it } from "mocha";
import { FIELD_P } from "../../prover/circom/r1cs.js";
import { datasetFileText, readDatasetFile } from "../../prover/dataset/file.js";
import type { CommittedDataset } from "../../prover/dataset/dataset.js";
import { numberToBf16, bf16ToNumber } from "../../prover/numerics/index.js";
import { PROJECT_ROOT } from "../../prover/paths.js";
import { familyOfSpec } from "../../prover/proving/families.js";
import { encodeSpec, specCommitment } from "../../prover/spec/commitment.js";
import { learningRateBf16, newSpec, randomFieldElement, writeNewSpec } from "../../prover/spec/init.js";
import { readSpec } from "../../prover/spec/schema.js";
import { gadget } from "../helpers/gadget.js";
import { importPenguins } from "../../prover/dataset/penguins.js";

describe("spec init", function () {
  this.timeout(300_000);
  let dir: string;
  let datasetFile: string;
  let committed: CommittedDataset;
  const options = () => ({
    dataset: { committed, file: datasetFile },
    family: "linear-mse" as const,
    learningRate: "0.05",
    batchSize: 3,
    plannedSteps: 8,
    checkpointInterval: 2,
    out: path.join(dir, "spec.json"),
  });

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "vtr-spec-"));
    const { file } = await importPenguins();
    datasetFile = path.join(dir, "data", "penguins.dataset.json");
    await mkdir(path.dirname(datasetFile));
    await writeFile(datasetFile, datasetFileText(file));
    committed = await readDatasetFile(datasetFile);
  });

  it("should draw fresh secrets each time: two specs from the same choices differ in salt and both seeds", () => {
    const a = newSpec(options()).spec;
    const b = newSpec(options()).spec;
    for (const k of ["salt", "dataSeed", "initSeed"] as const) {
      assert.notEqual(a[k], b[k], k);
      assert.ok(a[k] < FIELD_P && b[k] < FIELD_P);
    }
    assert.notEqual(specCommitment(a), specCommitment(b));
    // Same public facts: same family.
    assert.equal(familyOfSpec(a).name, "linear-mse/i4-o3-b3/n342/k2");
    assert.equal(familyOfSpec(a).name, familyOfSpec(b).name);
  });

  it("should write an mlp-mse spec with its hidden width, and refuse --hidden on the wrong family", () => {
    const { spec } = newSpec({ ...options(), family: "mlp-mse", hidden: 5, checkpointInterval: 1 });
    assert.deepEqual(spec.model, { family: "mlp-mse", inputs: 4, hidden: 5, outputs: 3 });
    assert.equal(familyOfSpec(spec).name, "mlp-mse/i4-h5-o3-b3/n342/k1");
    assert.equal(encodeSpec(spec)[1], 2n + 256n * 5n);
    assert.throws(() => newSpec({ ...options(), family: "mlp-mse" }), /needs --hidden/);
    assert.throws(() => newSpec({ ...options(), hidden: 5 }), /--hidden is for mlp-mse/);
  });

  it("should sample field elements by rejection: 254 random bits, redrawn at or above p", () => {
    const draws = [Buffer.alloc(32, 0xff), Buffer.alloc(32, 0xff), Buffer.from("00".repeat(31) + "2a", "hex")];
    let calls = 0;
    const x = randomFieldElement((n) => {
      assert.equal(n, 32);
      return draws[calls++]!;
    });
    assert.equal(x, 42n);
    assert.equal(calls, 3, "the two draws >= p were rejected");
    // p itself (as 32 bytes) is rejected, p - 1 accepted.
    const be = (v: bigint) => Buffer.from(v.toString(16).padStart(64, "0"), "hex");
    const seq = [be(FIELD_P), be(FIELD_P - 1n)];
    let i = 0;
    assert.equal(
      randomFieldElement(() => seq[i++]!),
      FIELD_P - 1n,
    );
  });

  it("should round the learning rate to bf16 exactly as the reference does, and refuse what the circuits refuse", () => {
    fc.assert(
      fc.property(fc.double({ min: 2 ** -120, max: 1e30, noNaN: true }), (x) => {
        const text = x.toString();
        const { bits, value } = learningRateBf16(text);
        assert.equal(bits, numberToBf16(Number(text)));
        assert.equal(value, bf16ToNumber(bits));
      }),
      { numRuns: 500 },
    );
    assert.deepEqual(learningRateBf16("0.05"), { bits: 0x3d4d, value: 0.050048828125 });
    assert.deepEqual(learningRateBf16("1e-3"), { bits: numberToBf16(0.001), value: bf16ToNumber(numberToBf16(0.001)) });
    for (const [bad, msg] of [
      ["0", /not a positive finite value/],
      ["-0.1", /positive decimal number/],
      ["abc", /positive decimal number/],
      ["1e-40", /subnormal|not a positive finite/],
      ["1e39", /not a positive finite value/],
      ["", /positive decimal number/],
    ] as const)
      assert.throws(() => learningRateBf16(bad), msg, bad);
  });

  it("should refuse plans that are not a multiple of K and shapes the dataset does not have", () => {
    assert.throws(() => newSpec({ ...options(), plannedSteps: 7 }), /positive multiple of the checkpoint interval/);
    assert.throws(() => newSpec({ ...options(), inputs: 5 }), /--inputs 5 does not match the dataset's 4 features/);
    assert.throws(() => newSpec({ ...options(), outputs: 2 }), /--outputs 2 does not match the dataset's 3 classes/);
  });

  it("should write the spec readable by its owner only, refuse to overwrite it, and read it back to the same commitment", async () => {
    const o = options();
    const { json, spec } = newSpec(o);
    const c = await writeNewSpec(o.out, json, spec);
    assert.equal(statSync(o.out).mode & 0o777, 0o600);
    const text = await readFile(o.out, "utf8");
    const other = newSpec(o);
    await assert.rejects(writeNewSpec(o.out, other.json, other.spec), /exists: a spec holds a lab's secrets/);
    assert.equal(await readFile(o.out, "utf8"), text, "untouched");
    const back = await readSpec(o.out);
    assert.equal(specCommitment(back), c);
    // The dataset path is recorded relative to the spec.
    assert.equal(back.dataset.file, "data/penguins.dataset.json");
  });

  it("should have the commitment the SpecCommitment circuit computes", async () => {
    const { spec } = newSpec(options());
    const g = await gadget("spec/commitment.circom", "SpecCommitment");
    const w = await g.expectPass({ fields: encodeSpec(spec), salt: spec.salt });
    assert.equal(w[g.wire("commitment")], specCommitment(spec));
  });

  it("should work as a command: prints the bf16 rate and commitment, refuses an existing file", async () => {
    const out = path.join(dir, "cli-spec.json");
    const run = () =>
      spawnSync(
        process.execPath,
        [
          "--import",
          "tsx",
          path.join(PROJECT_ROOT, "scripts", "spec.ts"),
          "init",
          "--dataset",
          datasetFile,
          "--learning-rate",
          "0.05",
          "--batch",
          "3",
          "--steps",
          "4",
          "--checkpoint-interval",
          "1",
          "--out",
          out,
        ],
        { cwd: PROJECT_ROOT, encoding: "utf8" },
      );
    const r = run();
    assert.equal(r.status, 0, r.stderr);
    const spec = await readSpec(out);
    assert.match(r.stdout, /learning rate 0\.05 -> bf16 0x3d4d = 0\.050048828125/);
    assert.match(r.stdout, new RegExp(`commitment 0x0*${specCommitment(spec).toString(16)}`));
    assert.match(r.stdout, /family linear-mse\/i4-o3-b3\/n342\/k1/);
    const again = run();
    assert.equal(again.status, 1);
    assert.match(again.stderr, /exists/);
    assert.equal(specCommitment(await readSpec(out)), specCommitment(spec));
  });
});
