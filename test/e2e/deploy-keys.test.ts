/**
 * Deployments and keys (issue #12): against a second `hardhat node` used as
 * the non-local network `live` (its RPC URL and key from the environment),
 * `deploy` refuses development keys unless --allow-development-keys (then
 * recorded), `verify-deployment` passes and fails once a verifier address in
 * the record is changed; and the key policy accepts a circuit whose
 * ceremony key is installed with a matching transcript, and refuses one
 * whose transcript does not match.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "mocha";
import { artifactPaths, buildAll, buildCircuit } from "../../prover/proving/artifacts.js";
import {
  applyBeacon,
  contribute,
  finalizeCeremony,
  installCeremonyKeys,
  newCeremony,
} from "../../prover/proving/ceremony.js";
import { releaseSnarkjs, silentLogger as log } from "../../prover/proving/log.js";
import { circuitSpec } from "../../prover/proving/manifest.js";
import { DEV_PTAU, PROJECT_ROOT } from "../../prover/paths.js";
import { artifacts, network } from "hardhat";
import { FAMILIES, familyCircuits, familyOf } from "../../prover/proving/families.js";
import { deployRegistry } from "../../client/deploy.js";
import { deploymentRecord } from "../../client/deployments.js";
import { compileGeneratedVerifiers } from "../../client/families.js";
import { deployableKeys, keyRecord, verifyDeployment } from "../../client/keys.js";
import { registryFixtures } from "../../harness/fixtures/registry.js";
import { freePort, until } from "../../harness/net.js";

const BIN = path.join(PROJECT_ROOT, "node_modules", ".bin");
/** Hardhat's first development account: its key is public, which is fine on a throwaway node. */
const KEY0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

describe("deployments and keys: development keys refused off local chains, deployments verifiable", function () {
  this.timeout(1_800_000);
  let node: ChildProcess;
  let port: number;
  let work: string;
  let deployments: string;
  const cli = (...args: string[]) =>
    spawnSync(
      process.execPath,
      ["--import", "tsx", path.join("scripts", "cli.ts"), ...args, "--deployments", deployments],
      {
        cwd: PROJECT_ROOT,
        encoding: "utf8",
        env: { ...process.env, LIVE_RPC_URL: `http://127.0.0.1:${port}`, LIVE_DEPLOYER_KEY: KEY0 },
      },
    );

  before(async () => {
    await registryFixtures(log); // builds the default keys
    work = await mkdtemp(path.join(tmpdir(), "vtr-keys-"));
    deployments = path.join(work, "deployments");
    port = await freePort();
    node = spawn(path.join(BIN, "hardhat"), ["node", "--port", String(port), "--hostname", "127.0.0.1"], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, PATH: `${BIN}${path.delimiter}${process.env.PATH ?? ""}` },
      stdio: "ignore",
    });
    await until("the second hardhat node", async () => {
      try {
        const r = await fetch(`http://127.0.0.1:${port}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
        });
        return r.ok;
      } catch {
        return false;
      }
    });
  });
  after(async () => {
    node.kill("SIGTERM");
    await releaseSnarkjs();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("should refuse development keys on `live`, deploy them with --allow-development-keys, and record it", () => {
    const refused = cli("deploy", "--network", "live");
    assert.equal(refused.status, 1, refused.stdout);
    assert.match(
      refused.stderr,
      /network "live" is not a development chain, and .* DEVELOPMENT keys .*--allow-development-keys/,
    );
    assert.equal(existsSync(path.join(deployments, "live")), false, "nothing recorded");
    const ok = cli("deploy", "--network", "live", "--allow-development-keys");
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /DEVELOPMENT keys: .*allowed by --allow-development-keys, recorded/);
  });

  it("should record each verifier's key, and pass verify-deployment", async () => {
    const record = JSON.parse(await readFile(path.join(deployments, "live", "deployment.json"), "utf8")) as {
      allowDevelopmentKeys: boolean;
      developmentKeys: boolean;
      keys: Record<string, { zkeySha256: string; developmentOnly: boolean }>;
    };
    assert.equal(record.allowDevelopmentKeys, true);
    assert.equal(record.developmentKeys, true);
    // Every circuit of the default families (linear K = 1 and K = 4, MLP K = 1), once each.
    const circuits = [...new Set(FAMILIES.flatMap((f) => [f.genesis, f.checkpoint, f.step]))].sort();
    assert.ok(circuits.includes("checkpoint_mlp_i4h6o3b2n150k1") && circuits.includes("genesis_linear_i4o3b2n150"));
    assert.deepEqual(Object.keys(record.keys).sort(), circuits);
    for (const [c, k] of Object.entries(record.keys)) assert.deepEqual(k, await keyRecord(c));
    const v = cli("verify-deployment", "--network", "live");
    assert.equal(v.status, 0, v.stderr + v.stdout);
    assert.match(v.stdout, new RegExp(`all ${4 * circuits.length} checks passed \\(development keys are deployed\\)`));
  });

  it("should fail verify-deployment once an adapter address in the record is changed", async () => {
    const file = path.join(deployments, "live", "deployment.json");
    const text = await readFile(file, "utf8");
    const record = JSON.parse(text) as { contracts: Record<string, { address: string }> };
    // Point the K = 4 adapter's entry at the K = 1 adapter: real code, the wrong circuit.
    record.contracts.CheckpointLinearI4o3b2n150k4VerifierAdapter!.address =
      record.contracts.CheckpointLinearI4o3b2n150k1VerifierAdapter!.address;
    await writeFile(file, JSON.stringify(record));
    const v = cli("verify-deployment", "--network", "live");
    assert.equal(v.status, 1);
    assert.match(
      v.stdout,
      /FAIL checkpoint_linear_i4o3b2n150k4: deployed adapter: code at 0x[0-9a-fA-F]+ is not the compiled CheckpointLinearI4o3b2n150k4VerifierAdapter/,
    );
    assert.match(v.stderr, /1 check\(s\) failed/);
    await writeFile(file, text);
  });

  it("should deploy on `live` a family whose circuits have ceremony keys, without --allow-development-keys", async function () {
    if (!existsSync(DEV_PTAU)) this.skip();
    // A family of its own, the smallest there is (linear 1 -> 1, batch 1, 2 samples: a few thousand
    // constraints per circuit), so that its ceremonies cost seconds: every ceremony step re-does part of
    // the Groth16 setup (issue #25's test budget). Built where the default families are, removed after.
    const family = familyOf({ model: "linear-mse", inputs: 1, outputs: 1, batch: 1, size: 2 }, 1);
    const circuits = familyCircuits(family);
    assert.ok(!FAMILIES.some((f) => f.name === family.name));
    try {
      await buildAll({ circuits }, log);
      for (const c of circuits) {
        const a = artifactPaths(c.id);
        const cer = path.join(work, `ceremony-${c.id}`);
        await newCeremony(cer, c.id, a.r1cs, DEV_PTAU, log);
        await contribute(cer, "alice", log);
        await applyBeacon(cer, "c0ffee", 10, log);
        const f = await finalizeCeremony(cer, a.r1cs, DEV_PTAU, path.join(cer, "final"), log);
        await installCeremonyKeys(f.transcript, f.outputs, a);
      }
      await compileGeneratedVerifiers();
      process.env.LIVE_RPC_URL = `http://127.0.0.1:${port}`;
      process.env.LIVE_DEPLOYER_KEY = KEY0;
      const conn = await network.create("live");
      const d = await deployRegistry(conn.viem, { families: [family], network: "live" });
      assert.equal(d.allowDevelopmentKeys, false);
      const ids = circuits.map((c) => c.id).sort();
      for (const c of ids) assert.equal(d.keys[c]!.developmentOnly, false, c);
      assert.deepEqual(Object.keys(d.keys).sort(), ids);
      // The deployed verifier is the ceremony's: the compiled verifier generated from the ceremony key.
      const lines = await verifyDeployment(
        await conn.viem.getPublicClient(),
        deploymentRecord("live", d),
        async (name) => (await artifacts.readArtifact(name)).deployedBytecode,
      );
      assert.deepEqual(
        lines.filter((l) => !l.ok),
        [],
      );
      assert.equal(lines.length, 8);
    } finally {
      for (const c of circuits) {
        const a = artifactPaths(c.id);
        for (const f of [a.dir, a.verifierSol, a.adapterSol]) await rm(f, { recursive: true, force: true });
      }
      delete process.env.LIVE_RPC_URL;
      delete process.env.LIVE_DEPLOYER_KEY;
      await compileGeneratedVerifiers();
    }
  });

  it("should accept a ceremony key whose transcript matches, and refuse one whose transcript does not", async function () {
    if (!existsSync(DEV_PTAU)) this.skip();
    const dirs = { buildDir: path.join(work, "build"), contractsDir: path.join(work, "contracts") };
    await buildCircuit(circuitSpec("dot4"), { dirs }, log);
    await assert.rejects(deployableKeys(["dot4"], "live", false, dirs), /dot4 has DEVELOPMENT keys/);
    assert.equal((await deployableKeys(["dot4"], "localhost", false, dirs)).dot4!.developmentOnly, true);
    const a = artifactPaths("dot4", dirs);
    const cer = path.join(work, "ceremony");
    await newCeremony(cer, "dot4", a.r1cs, DEV_PTAU, log);
    await contribute(cer, "alice", log);
    await applyBeacon(cer, "0a0b0c0d", 10, log);
    const f = await finalizeCeremony(cer, a.r1cs, DEV_PTAU, path.join(cer, "final"), log);
    await installCeremonyKeys(f.transcript, f.outputs, a);
    const keys = await deployableKeys(["dot4"], "live", false, dirs);
    assert.equal(keys.dot4!.developmentOnly, false);
    assert.match(keys.dot4!.transcriptSha256!, /^[0-9a-f]{64}$/);
    // A transcript that no longer matches its key.
    const tFile = path.join(a.dir, "dot4.transcript.json");
    const t = JSON.parse(await readFile(tFile, "utf8")) as { finalZkeySha256: string };
    await writeFile(tFile, JSON.stringify({ ...t, finalZkeySha256: "0".repeat(64) }));
    await assert.rejects(deployableKeys(["dot4"], "live", false, dirs), /transcript does not match its keys/);
  });
});
