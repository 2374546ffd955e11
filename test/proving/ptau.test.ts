import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "mocha";
import * as snarkjs from "snarkjs";
import { assertUsablePtau, inspectPtau, requiredPower } from "../../prover/proving/ptau.js";
import { releaseSnarkjs, silentLogger as log } from "../../prover/proving/log.js";
import { DEV_PTAU } from "../../prover/paths.js";
import { artifactPaths, buildCircuit } from "../../prover/proving/artifacts.js";
import { circuitSpec } from "../../prover/proving/manifest.js";

describe("powers of tau checks", function () {
  this.timeout(300_000);
  let dir: string;
  const f = (name: string): string => path.join(dir, name);

  before(async () => {
    // Tiny ptau files (2^6): one fresh (tau = 1), one beacon-only, one with a real contribution.
    dir = await mkdtemp(path.join(tmpdir(), "vtr-ptau-"));
    const curve = await snarkjs.curves.getCurveFromName("bn128");
    await snarkjs.powersOfTau.newAccumulator(curve, 6, f("new.ptau"), log);
    await snarkjs.powersOfTau.preparePhase2(f("new.ptau"), f("new_final.ptau"), log);
    await snarkjs.powersOfTau.beacon(f("new.ptau"), f("beacon.ptau"), "b", "0102030405060708090a0b0c0d0e0f10", 10, log);
    await snarkjs.powersOfTau.preparePhase2(f("beacon.ptau"), f("beacon_final.ptau"), log);
    await snarkjs.powersOfTau.contribute(f("new.ptau"), f("contrib.ptau"), "c", "some secret entropy", log);
    await snarkjs.powersOfTau.preparePhase2(f("contrib.ptau"), f("contrib_final.ptau"), log);
  });
  after(releaseSnarkjs);

  describe("inspectPtau", () => {
    it("should read power, contributions and tau != 1 from the shared development ptau", async function () {
      if (!existsSync(DEV_PTAU)) this.skip(); // ../shared is beside the checkout in CI, not in every clone
      const info = await inspectPtau(DEV_PTAU);
      assert.equal(info.power, 17);
      assert.deepEqual(
        info.contributions.map((c) => c.type),
        ["contribution", "beacon"],
      );
      assert.equal(info.tauIsNotOne, true);
      assert.equal(info.preparedForPhase2, true);
    });
    it("should see tau = 1 in a ptau straight from powersoftau new", async () => {
      const info = await inspectPtau(f("new_final.ptau"));
      assert.equal(info.tauIsNotOne, false);
      assert.equal(info.contributions.length, 0);
    });
    it("should reject a file that is not a ptau", async () => {
      await assert.rejects(inspectPtau(new URL(import.meta.url).pathname), /not a powers-of-tau/);
    });
  });

  describe("assertUsablePtau", () => {
    it("should refuse a ptau with no contribution (tau = 1)", async () => {
      const info = await inspectPtau(f("new_final.ptau"));
      assert.throws(() => {
        assertUsablePtau(info, 4);
      }, /tau = 1/);
    });
    it("should refuse a ptau whose only contribution is a public beacon", async () => {
      const info = await inspectPtau(f("beacon_final.ptau"));
      assert.throws(() => {
        assertUsablePtau(info, 4);
      }, /only beacon/);
    });
    it("should refuse a ptau not prepared for phase 2", async () => {
      const info = await inspectPtau(f("contrib.ptau"));
      assert.throws(() => {
        assertUsablePtau(info, 4);
      }, /prepare phase2/);
    });
    it("should refuse a ptau too small for the circuit, naming the power needed", async () => {
      const info = await inspectPtau(f("contrib_final.ptau"));
      assert.throws(() => {
        assertUsablePtau(info, 11, "c (1500 constraints, 5 public signals)");
      }, /c \(1500 constraints, 5 public signals\) needs a ptau of power 11 .* has power 6\. Pass a larger phase-1 file with --ptau FILE/);
      assert.doesNotThrow(() => {
        assertUsablePtau(info, 6);
      });
    });
  });

  describe("buildCircuit", () => {
    it("should refuse a circuit too big for the ptau after compiling and before any setup, with its count", async () => {
      const dirs = { buildDir: path.join(dir, "build"), contractsDir: path.join(dir, "contracts") };
      await assert.rejects(
        buildCircuit(circuitSpec("dot4"), { ptau: f("contrib_final.ptau"), dirs }, log),
        /dot4 \(\d+ constraints, 5 public signals\) needs a ptau of power \d+ .* has power 6\. Pass a larger phase-1 file with --ptau FILE \(or VTR_PTAU=FILE\)/,
      );
      const a = artifactPaths("dot4", dirs);
      assert.ok(existsSync(a.r1cs), "compiled");
      assert.ok(
        !existsSync(a.zkey) && !existsSync(a.verifierSol) && !existsSync(a.record),
        "no key, verifier or record",
      );
    });
  });

  describe("requiredPower", () => {
    it("should match snarkjs's rule: 2^power > constraints + public signals", () => {
      assert.equal(requiredPower(1331, 5), 11);
      assert.equal(requiredPower(99_540, 1), 17);
      assert.equal(requiredPower(131_071, 1), 18);
      assert.equal(requiredPower(131_070, 1), 17);
    });
  });
});
