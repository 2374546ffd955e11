/**
 * The proving pipeline end to end on the manifest's demo circuit: artifacts
 * build and cache, proofs verify with snarkjs and on-chain with the generated
 * verifier, and every tampered public signal is rejected by both.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "mocha";
import { network } from "hardhat";
import * as snarkjs from "snarkjs";
import { artifactPaths, buildAll, buildCircuit, type OutputDirs } from "../../prover/proving/artifacts.js";
import { packProof, packPublicSignals, unpackProof } from "../../prover/proving/calldata.js";
import { releaseSnarkjs, silentLogger as log } from "../../prover/proving/log.js";
import { circuitSpec, type CircuitSpec } from "../../prover/proving/manifest.js";
import { prove, verify, type ProofBundle } from "../../prover/proving/prove.js";
import { dotBf16, numberToBf16 } from "../../prover/numerics/index.js";
import { FIELD_P } from "../../prover/circom/r1cs.js";

const A = [1.5, -2.25, 0.1, 3].map(numberToBf16);
const B = [0.5, 0.75, -8, 1e-3].map(numberToBf16);

describe("proving pipeline", function () {
  this.timeout(600_000);
  after(releaseSnarkjs);

  describe("buildCircuit (cache)", () => {
    let dirs: OutputDirs;
    const spec = (n: number): CircuitSpec => ({
      ...circuitSpec("dot4"),
      id: "cache_probe",
      params: [n],
      publicSignals: ["out", ...Array.from({ length: n }, (_, i) => `a[${i}]`)],
    });
    before(async () => {
      const root = await mkdtemp(path.join(tmpdir(), "vtr-art-"));
      dirs = { buildDir: path.join(root, "build"), contractsDir: path.join(root, "contracts") };
    });

    it("should build once, then reuse the cached build", async () => {
      const first = await buildCircuit(spec(2), { dirs }, log);
      assert.equal(first.rebuilt, true);
      assert.equal(first.record.developmentOnly, true);
      const a = artifactPaths("cache_probe", dirs);
      for (const f of [a.r1cs, a.wasm, a.zkey, a.vkey, a.verifierSol]) assert.ok(existsSync(f), f);
      assert.match(await readFile(a.verifierSol, "utf8"), /^\/\/ DEVELOPMENT ONLY/);
      assert.match(await readFile(a.verifierSol, "utf8"), /contract CacheProbeVerifier/);
      const second = await buildCircuit(spec(2), { dirs }, log);
      assert.equal(second.rebuilt, false);
      assert.equal(second.record.hash, first.record.hash);
    });
    it("should rebuild when the circuit changes", async () => {
      const changed = await buildCircuit(spec(3), { dirs }, log);
      assert.equal(changed.rebuilt, true);
      assert.ok(changed.record.constraints > 0);
    });
    it("should not accept a manifest whose public signals differ from the circuit's", async () => {
      await assert.rejects(
        buildCircuit({ ...spec(2), publicSignals: ["a[0]", "a[1]", "out"] }, { dirs, force: true }, log),
        /public signals/,
      );
    });
    it("should refuse a missing ptau file", async () => {
      await assert.rejects(
        buildCircuit(spec(2), { dirs, force: true, ptau: "/nonexistent.ptau" }, log),
        /ptau file not found/,
      );
    });
  });

  describe("prove and verify (dot4)", () => {
    let bundle: ProofBundle;
    before(async () => {
      await buildAll({ only: ["dot4"] }, log);
      bundle = await prove("dot4", { a: A, b: B });
    });

    it("should prove the bit-exact dot product and verify with snarkjs", async () => {
      assert.equal(bundle.statement.out, String(dotBf16(A, B)));
      assert.deepEqual(
        [0, 1, 2, 3].map((i) => bundle.statement[`a[${i}]`]),
        A.map(String),
      );
      assert.equal(await verify(bundle), true);
    });
    it("should reject the proof with any one public signal changed", async () => {
      for (let i = 0; i < bundle.publicSignals.length; i++) {
        const publicSignals = [...bundle.publicSignals];
        publicSignals[i] = String((BigInt(publicSignals[i]!) + 1n) % FIELD_P);
        assert.equal(await verify({ ...bundle, publicSignals }), false, `signal ${i} changed`);
      }
    });
    it("should refuse inputs that are not bf16 bit patterns", async () => {
      await assert.rejects(prove("dot4", { a: A, b: [...B.slice(0, 3), 0x10000] }));
    });
    it("should round-trip proofs through the calldata packing", () => {
      const packed = packProof(bundle.proof);
      assert.deepEqual(unpackProof(packed), {
        ...bundle.proof,
        pi_a: bundle.proof.pi_a,
        protocol: "groth16",
        curve: "bn128",
      });
      assert.equal(packed.b[0][0], BigInt(bundle.proof.pi_b[0][1])); // coordinates swapped for the EVM
    });

    it("should verify on-chain with the generated verifier and reject tampered signals", async () => {
      const { viem } = await network.create();
      const verifier = await viem.deployContract("Dot4Verifier");
      const p = packProof(bundle.proof);
      const pub = packPublicSignals(bundle.publicSignals) as [bigint, bigint, bigint, bigint, bigint];
      assert.equal(await verifier.read.verifyProof([p.a, p.b, p.c, pub]), true);
      for (let i = 0; i < pub.length; i++) {
        const bad = [...pub] as typeof pub;
        bad[i] = (bad[i]! + 1n) % FIELD_P;
        assert.equal(await verifier.read.verifyProof([p.a, p.b, p.c, bad]), false, `signal ${i} changed`);
      }
      const badA: typeof p.a = [p.a[0], (p.a[1] + 1n) % FIELD_P];
      assert.equal(await verifier.read.verifyProof([badA, p.b, p.c, pub]), false);
    });
  });

  describe("snarkjs groth16 verify (command line)", () => {
    it("should accept the exported verification key with a fresh proof, and reject a tampered statement", async () => {
      const a = artifactPaths("dot4");
      const vkey = JSON.parse(await readFile(a.vkey, "utf8")) as { developmentOnly: boolean; protocol: string };
      assert.equal(vkey.developmentOnly, true);
      assert.equal(vkey.protocol, "groth16");
      const { proof, publicSignals } = await snarkjs.groth16.fullProve({ a: A, b: B }, a.wasm, a.zkey);
      const dir = await mkdtemp(path.join(tmpdir(), "vtr-cli-"));
      await writeFile(path.join(dir, "proof.json"), JSON.stringify(proof));
      await writeFile(path.join(dir, "public.json"), JSON.stringify(publicSignals));
      const cli = (pub: string): { status: number | null; out: string } => {
        const r = spawnSync(
          process.execPath,
          [
            path.join("node_modules", "snarkjs", "build", "cli.cjs"),
            "groth16",
            "verify",
            a.vkey,
            pub,
            path.join(dir, "proof.json"),
          ],
          { encoding: "utf8" },
        );
        return { status: r.status, out: r.stdout + r.stderr };
      };
      const ok = cli(path.join(dir, "public.json"));
      assert.equal(ok.status, 0, ok.out);
      assert.match(ok.out, /OK!/);
      await writeFile(
        path.join(dir, "bad.json"),
        JSON.stringify([String(BigInt(publicSignals[0]!) + 1n), ...publicSignals.slice(1)]),
      );
      const bad = cli(path.join(dir, "bad.json"));
      assert.notEqual(bad.status, 0);
      assert.match(bad.out, /Invalid proof/);
    });
  });
});
