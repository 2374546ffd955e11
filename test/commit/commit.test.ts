/**
 * Commitments (DESIGN §3): domain tags, the training spec and its salted
 * commitment, the dataset Merkle root and membership, and the committed
 * sampler, each in TypeScript and in circom, agreeing, with tampering caught.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { before, describe, it } from "mocha";
import { MerkleTree, rootFromPath } from "../../prover/commit/merkle.js";
import { poseidon, tag, TAGS } from "../../prover/commit/poseidon.js";
import { commitDataset, sampleLeaf, type CommittedDataset } from "../../prover/dataset/dataset.js";
import { loadIris } from "../../prover/dataset/iris.js";
import { batchIndices, sampleIndex } from "../../prover/dataset/sampler.js";
import { encodeSpec, SPEC_FIELDS, specCommitment } from "../../prover/spec/commitment.js";
import { parseSpec, readSpec, type TrainingSpec } from "../../prover/spec/schema.js";
import { FIELD_P } from "../../prover/circom/r1cs.js";
import { numberToBf16 } from "../../prover/numerics/index.js";
import { PROJECT_ROOT } from "../../prover/paths.js";
import { weightsRoot } from "../../prover/commit/weights.js";
import { gadget } from "../helpers/gadget.js";
import { prng } from "../helpers/floats.js";

const EXAMPLE = path.join(PROJECT_ROOT, "prover", "spec", "examples", "iris-linear.json");

describe("commitments", function () {
  this.timeout(600_000);
  let spec: TrainingSpec;
  let iris: CommittedDataset;
  before(async () => {
    spec = await readSpec(EXAMPLE);
    iris = commitDataset(loadIris());
  });

  describe("poseidon and tags", () => {
    it("should match circomlib's Poseidon on a known vector", () => {
      assert.equal(poseidon([1n, 2n]), 7853200120776062878684798364095072458815029376092732009249414926327459813530n);
      assert.throws(() => poseidon([]), /1 to 16/);
      assert.throws(() => poseidon([FIELD_P]), /not a field element/);
      assert.throws(() => tag("é"), /printable ASCII/);
    });
    it("should use the same tags in circom as in TypeScript", async () => {
      const g = await gadget("commit/tags.circom", "Tags");
      const w = await g.expectPass({});
      for (const [k, v] of Object.entries(TAGS)) assert.equal(w[g.wire(k)], v, k);
    });
  });

  describe("parseSpec", () => {
    it("should accept the example spec and read fields exactly", () => {
      assert.equal(spec.optimizer.learningRate, 0x3b00);
      assert.equal(spec.dataset.root, iris.root, "the example's dataset root is the real iris root");
      assert.equal(spec.dataset.size, iris.dataset.samples.length);
    });
    it("should name every invalid field and say what is wrong", async () => {
      const raw = JSON.parse(await readFile(EXAMPLE, "utf8")) as Record<string, unknown>;
      const bad = {
        ...raw,
        optimizer: { kind: "sgd", learningRate: "0x7f80" },
        batchSize: 0,
        salt: "not a number",
        extra: true,
      };
      assert.throws(
        () => parseSpec(bad, "bad.json"),
        (err: Error) =>
          /invalid training spec bad\.json/.test(err.message) &&
          /optimizer\.learningRate: must be a finite, positive bf16 value/.test(err.message) &&
          /batchSize: must be at least 1/.test(err.message) &&
          /salt: must be a decimal or 0x-hex string/.test(err.message) &&
          /Unrecognized key/.test(err.message),
      );
      assert.throws(() => parseSpec({ version: 1 }), /model: Required/);
    });
    it("should refuse field elements outside the BN254 field", async () => {
      const raw = JSON.parse(await readFile(EXAMPLE, "utf8")) as Record<string, unknown>;
      assert.throws(
        () => parseSpec({ ...raw, salt: FIELD_P.toString() }),
        /salt: must be below the BN254 scalar field modulus/,
      );
    });
    it("should say when the file cannot be read", async () => {
      await assert.rejects(readSpec("/nonexistent/spec.json"), /cannot read training spec/);
    });
  });

  describe("specCommitment", () => {
    it("should equal the SpecCommitment circuit and change with every field and the salt", async () => {
      const g = await gadget("spec/commitment.circom", "SpecCommitment");
      const fields = encodeSpec(spec);
      assert.equal(fields.length, SPEC_FIELDS.length);
      const w = await g.expectPass({ fields, salt: spec.salt });
      const c = specCommitment(spec);
      assert.equal(w[g.wire("commitment")], c);
      g.expectTamperFails(w, "commitment", c + 1n);
      const seen = new Set([c]);
      for (let i = 0; i < fields.length; i++) {
        const f = [...fields];
        f[i] = f[i]! + 1n;
        const wi = await g.expectPass({ fields: f, salt: spec.salt });
        seen.add(wi[g.wire("commitment")]!);
      }
      seen.add(specCommitment({ ...spec, salt: spec.salt + 1n }));
      assert.equal(seen.size, fields.length + 2, "every field and the salt change the commitment");
    });
  });

  describe("MerkleTree", () => {
    it("should produce paths that recompute the root, and not with a wrong leaf or sibling", () => {
      const leaves = [1n, 2n, 3n, 4n, 5n];
      const t = new MerkleTree(leaves, 3);
      for (let i = 0; i < 8; i++) assert.equal(rootFromPath(leaves[i] ?? 0n, t.path(i)), t.root);
      const p = t.path(2);
      assert.notEqual(rootFromPath(4n, p), t.root);
      assert.notEqual(rootFromPath(3n, { ...p, siblings: [p.siblings[0]! + 1n, ...p.siblings.slice(1)] }), t.root);
      assert.notEqual(rootFromPath(3n, { ...p, index: 3 }), t.root);
      assert.throws(() => new MerkleTree([1n, 2n, 3n], 1), /do not fit/);
    });
  });

  describe("commitDataset (iris)", () => {
    it("should load the 150 iris samples as bf16 with 3 classes, depth 8", () => {
      assert.equal(iris.dataset.samples.length, 150);
      assert.equal(iris.depth, 8);
      assert.deepEqual(iris.dataset.samples[0]!.features, [5.1, 3.5, 1.4, 0.2].map(numberToBf16));
      assert.deepEqual(new Set(iris.dataset.samples.map((s) => s.label)), new Set([0, 1, 2]));
    });
    it("should prove membership in circom, and reject a changed feature, label, index or root", async () => {
      const g = await gadget("dataset/leaf.circom", "SampleMembership", [4, 8]);
      for (const i of [0, 77, 149]) {
        const s = iris.dataset.samples[i]!;
        const { leaf, path: p } = iris.proof(i);
        assert.equal(leaf, sampleLeaf(s));
        const input = {
          features: [...s.features],
          label: s.label,
          index: i,
          siblings: [...p.siblings],
          root: iris.root,
        };
        await g.expectPass(input);
        await g.expectFail({ ...input, features: [s.features[0]! + 1, ...s.features.slice(1)] });
        await g.expectFail({ ...input, label: (s.label + 1) % 3 });
        await g.expectFail({ ...input, index: i ^ 1 });
        await g.expectFail({ ...input, index: i + 256 }); // index beyond the tree
        await g.expectFail({ ...input, root: iris.root + 1n });
      }
    });
  });

  describe("WeightsRoot", () => {
    it("should be one-to-one on its own: a parameter of 16 bits or more has no witness", async () => {
      const g = await gadget("commit/weights.circom", "WeightsRoot", [15]);
      const params = Array.from({ length: 15 }, (_, k) => (0x3c00 + 37 * k) & 0xffff);
      const w = await g.expectPass({ params });
      assert.equal(w[g.wire("root")], weightsRoot(params));
      // Carry 1 from params[1] into params[0] + 2^16: the packed chunk (so the root) is unchanged.
      const aliased = [params[0]! + 2 ** 16, params[1]! - 1, ...params.slice(2)];
      await g.expectFail({ params: aliased });
      g.expectTamperFails(w, "params[0]", BigInt(aliased[0]!));
    });
  });

  describe("OneHot", () => {
    it("should give one-hot targets for labels 0 .. O-1 and no witness for any other label", async () => {
      const g = await gadget("training/targets.circom", "OneHot", [3]);
      for (const label of [0, 1, 2]) {
        const w = await g.expectPass({ label });
        assert.deepEqual(
          [0, 1, 2].map((o) => w[g.wire(`onehot[${o}]`)]),
          [0, 1, 2].map((o) => (o === label ? 1n : 0n)),
        );
      }
      for (const label of [3n, 4n, 255n, FIELD_P - 1n]) await g.expectFail({ label });
      const w = await g.expectPass({ label: 1 });
      g.expectTamperFails(w, "label", 3n);
    });
  });

  describe("sampleIndex", () => {
    it("should equal the SampleIndex circuit on 200 (seed, beacon, step, position) draws", async () => {
      const g = await gadget("dataset/sampler.circom", "SampleIndex", [150]);
      const r = prng(31);
      for (let k = 0; k < 200; k++) {
        const seed = BigInt(Math.floor(r() * 2 ** 32)) * BigInt(Math.floor(r() * 2 ** 32));
        const step = Math.floor(r() * 1000);
        const position = Math.floor(r() * 8);
        const beacon = BigInt(Math.floor(r() * 2 ** 32)) * BigInt(Math.floor(r() * 2 ** 32));
        const w = await g.expectPass({ seed, beacon, step, position });
        assert.equal(w[g.wire("index")], BigInt(sampleIndex(seed, beacon, step, position, 150)));
        if (k % 20 === 0) g.expectTamperFails(w, "index", (w[g.wire("index")]! + 1n) % 150n);
      }
      assert.deepEqual(
        batchIndices(spec.dataSeed, 9n, 0, 2, 150),
        [0, 1].map((j) => sampleIndex(spec.dataSeed, 9n, 0, j, 150)),
      );
      assert.throws(() => sampleIndex(spec.dataSeed, 1n << 64n, 0, 0, 150), /64-bit/);
    });
    it("should accept only the honest quotient and remainder (ModCore)", async () => {
      const g = await gadget("dataset/sampler.circom", "ModCore", [150, 64], ["x", "q", "r"]);
      const r = prng(32);
      for (let k = 0; k < 30; k++) {
        const x = k === 0 ? 2n ** 64n - 1n : BigInt(Math.floor(r() * 2 ** 32)) * BigInt(Math.floor(r() * 2 ** 32));
        const q = x / 150n;
        const rem = x % 150n;
        await g.expectPass({ x, q, r: rem });
        await g.expectFail({ x, q: q - 1n, r: rem + 150n });
        await g.expectFail({ x, q: q + 1n, r: (rem - 150n + FIELD_P) % FIELD_P });
        await g.expectFail({ x, q: q + 1n, r: rem });
        // A field-wrapped quotient: q' = (x - r') / 150 in the field for another r' < 150.
        const rAlt = (rem + 1n) % 150n;
        await g.expectFail({ x, q: (((x - rAlt + FIELD_P) % FIELD_P) * modInverse(150n)) % FIELD_P, r: rAlt });
      }
    });
  });
});

function modInverse(a: bigint): bigint {
  let [r0, r1] = [a % FIELD_P, FIELD_P];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return ((s0 % FIELD_P) + FIELD_P) % FIELD_P;
}
