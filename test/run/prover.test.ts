/**
 * The train-and-prove command over a run directory: bundles verify (also with
 * the snarkjs command line), a re-run resumes without re-proving, a missing or
 * corrupt bundle is re-proved, and bad input stops before any work.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadExample } from "../../prover/spec/example.js";
import { after, before, describe, it } from "mocha";
import type { CommittedDataset } from "../../prover/dataset/dataset.js";
import { artifactPaths, buildAll } from "../../prover/proving/artifacts.js";
import { releaseSnarkjs, silentLogger as log } from "../../prover/proving/log.js";
import type { ProofBundle } from "../../prover/proving/prove.js";
import { readRunRecord, recordBeacon, recordRegistration, trainAndProve } from "../../prover/run/prover.js";
import type { TrainingSpec } from "../../prover/spec/schema.js";
import { readJsonIfExists } from "../../prover/fs/atomic.js";
import { specCommitment } from "../../prover/spec/commitment.js";
import { runTag, unpackPosition } from "../../prover/statement/statement.js";

const LAB = 0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266n;
const BEACON = 0x5eedn;

describe("trainAndProve", function () {
  this.timeout(1_800_000);
  let spec: TrainingSpec;
  let data: CommittedDataset;
  let dir: string;
  before(async () => {
    await buildAll(
      { only: ["genesis_linear_i4o3b2n150", "checkpoint_linear_i4o3b2n150k1", "checkpoint_linear_i4o3b2n150k4"] },
      log,
    );
    ({ spec, data } = await loadExample());
    dir = await mkdtemp(path.join(tmpdir(), "vtr-run-"));
  });
  after(releaseSnarkjs);

  it("should prove genesis alone before registration, and refuse to train without the run's beacon", async () => {
    await assert.rejects(
      trainAndProve(spec, data, { runDir: dir, lab: LAB, steps: 4 }, log),
      /data order depends on the run's beacon[\s\S]*register the run first/,
    );
    const g = await trainAndProve(spec, data, { runDir: dir, lab: LAB, steps: 0 }, log);
    assert.deepEqual(g.written, ["genesis.json"]);
    // What `register` does once the chain has drawn the beacon.
    const registration = { chainId: 31337, registry: `0x${"12".repeat(20)}`, runId: "3", beaconBlock: "41" };
    await recordRegistration(dir, registration, BEACON);
    assert.deepEqual((await readRunRecord(dir))?.registration, registration);
    await assert.rejects(recordBeacon(dir, BEACON + 1n), /already records beacon/);
    await assert.rejects(recordRegistration(dir, { ...registration, runId: "4" }, BEACON), /already records run 3/);
    // run.json has one schema: a damaged record is refused, saying what is wrong.
    const file = path.join(dir, "run.json");
    const good = await readFile(file, "utf8");
    await writeFile(file, JSON.stringify({ ...JSON.parse(good), lab: "me" }));
    await assert.rejects(readRunRecord(dir), /run\.json is not a run record: lab: a 0x-prefixed hex integer/);
    await writeFile(file, good);
    await assert.rejects(
      trainAndProve(spec, data, { runDir: dir, lab: LAB, steps: 4, beacon: BEACON + 1n }, log),
      /contradicts it/,
    );
  });
  it("should write step and checkpoint bundles with the recorded beacon that snarkjs groth16 verify accepts", async () => {
    const s = await trainAndProve(spec, data, { runDir: dir, lab: LAB, steps: 4 }, log);
    assert.deepEqual(s.reused, ["genesis.json"]);
    assert.deepEqual([...s.written].sort(), [
      "checkpoints/checkpoint-000000-000003.json",
      "steps/step-000000.json",
      "steps/step-000001.json",
      "steps/step-000002.json",
      "steps/step-000003.json",
    ]);
    const cp = (await readJsonIfExists(path.join(dir, "checkpoints", "checkpoint-000000-000003.json"))) as ProofBundle;
    assert.equal(cp.circuit, "checkpoint_linear_i4o3b2n150k4");
    assert.equal(cp.statement.runTag, runTag(specCommitment(spec), LAB).toString());
    assert.equal(unpackPosition(BigInt(cp.statement.position!)).beacon, BEACON);
    const pub = path.join(dir, "public.json");
    const proof = path.join(dir, "proof.json");
    await writeFile(pub, JSON.stringify(cp.publicSignals));
    await writeFile(proof, JSON.stringify(cp.proof));
    const r = spawnSync(
      process.execPath,
      [
        path.join("node_modules", "snarkjs", "build", "cli.cjs"),
        "groth16",
        "verify",
        artifactPaths(cp.circuit).vkey,
        pub,
        proof,
      ],
      { encoding: "utf8" },
    );
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /OK!/);
  });
  it("should resume without re-proving complete bundles", async () => {
    const s = await trainAndProve(spec, data, { runDir: dir, lab: LAB, steps: 4 }, log);
    assert.equal(s.written.length, 0);
    assert.equal(s.reused.length, 6);
  });
  it("should re-prove a missing bundle and a corrupt one, and ignore leftovers of an interrupted write", async () => {
    await rm(path.join(dir, "steps", "step-000001.json"));
    const bundle = (await readJsonIfExists(path.join(dir, "steps", "step-000002.json"))) as ProofBundle;
    await writeFile(
      path.join(dir, "steps", "step-000002.json"),
      JSON.stringify({ ...bundle, publicSignals: [...bundle.publicSignals].reverse() }),
    );
    await writeFile(path.join(dir, "steps", "step-000003.json.tmp-99999"), "{ half a bund");
    const s = await trainAndProve(spec, data, { runDir: dir, lab: LAB, steps: 4 }, log);
    assert.deepEqual([...s.written].sort(), ["steps/step-000001.json", "steps/step-000002.json"]);
    assert.ok((await readdir(path.join(dir, "steps"))).includes("step-000003.json"));
  });
  it("should say a half-written bundle is not JSON rather than use it", async () => {
    await writeFile(path.join(dir, "genesis.json"), "{ half a bund");
    await assert.rejects(
      trainAndProve(spec, data, { runDir: dir, lab: LAB, steps: 4 }, log),
      /genesis\.json is not valid JSON/,
    );
    await rm(path.join(dir, "genesis.json"));
  });
  it("should stop before any work on bad input", async () => {
    const fresh = await mkdtemp(path.join(tmpdir(), "vtr-bad-"));
    await assert.rejects(
      trainAndProve({ ...spec, batchSize: 3 }, data, { runDir: fresh, lab: LAB }, log),
      /family linear-mse\/i4-o3-b3\/n150\/k4 has no built proving keys \(genesis_linear_i4o3b3n150 missing\): run `npm run artifacts -- --spec/,
    );
    await assert.rejects(
      trainAndProve({ ...spec, dataset: { ...spec.dataset, root: 1n } }, data, { runDir: fresh, lab: LAB }, log),
      /the spec commits to/,
    );
    await assert.rejects(
      trainAndProve(spec, data, { runDir: dir, lab: LAB + 1n, steps: 4 }, log),
      /belongs to another run/,
    );
    assert.equal(existsSync(path.join(fresh, "genesis.json")), false);
  });
});
