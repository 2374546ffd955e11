/**
 * Bring your own run (issue #9), end to end on Hardhat's in-process chain:
 * the Palmer penguins table imported, a fresh spec under the exactly rounded
 * accumulation rule (issue #28), its circuit family (not built by default)
 * built from the spec with keys cached under the family's circuit ids, added
 * on-chain through the policy timelock, a run registered, trained, proved,
 * accepted and completed.
 */
import { registryContract } from "../../client/contract.js";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "mocha";
import { network } from "hardhat";
import { getAddress } from "viem";
import { builtInIris, datasetFileText, datasetForSpec, readDatasetFile } from "../../prover/dataset/file.js";
import type { CommittedDataset } from "../../prover/dataset/dataset.js";
import { artifactPaths, buildAll } from "../../prover/proving/artifacts.js";
import { FAMILIES, familyCircuits, familyId, familyOfSpec, type FamilySpec } from "../../prover/proving/families.js";
import { CIRCUITS } from "../../prover/proving/manifest.js";
import { releaseSnarkjs, silentLogger as log } from "../../prover/proving/log.js";
import { trainAndProve } from "../../prover/run/prover.js";
import { newSpec, writeNewSpec } from "../../prover/spec/init.js";
import { readSpec, type TrainingSpec } from "../../prover/spec/schema.js";
import { deployRegistry } from "../../client/deploy.js";
import { deploymentRecord, type DeploymentRecord } from "../../client/deployments.js";
import { addFamily, compileGeneratedVerifiers } from "../../client/families.js";
import { registerRunDir, submitRunDir } from "../../client/runs.js";
import { importPenguins } from "../../prover/dataset/penguins.js";
import { expectCustomError } from "../helpers/revert.js";

/** The in-process network: development keys are fine there. */
const IN_PROCESS = { network: "default", allowDevelopmentKeys: false };

describe("your own run: penguins to an accepted checkpoint of a family built from the spec", function () {
  this.timeout(1_800_000);
  let dir: string;
  let specFile: string;
  let spec: TrainingSpec;
  let family: FamilySpec;
  let data: CommittedDataset;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "vtr-byo-"));
    const { file } = await importPenguins();
    await mkdir(path.join(dir, "lab"));
    await writeFile(path.join(dir, "lab", "penguins.dataset.json"), datasetFileText(file));
    specFile = path.join(dir, "lab", "spec.json");
    const created = newSpec({
      dataset: {
        committed: await readDatasetFile(path.join(dir, "lab", "penguins.dataset.json")),
        file: path.join(dir, "lab", "penguins.dataset.json"),
      },
      family: "linear-mse",
      learningRate: "0.1",
      batchSize: 1,
      plannedSteps: 2,
      checkpointInterval: 1,
      accumulation: { rule: "exact", range: { min: -40, max: 15 } },
      out: specFile,
    });
    await writeNewSpec(specFile, created.json, created.spec);
    spec = await readSpec(specFile);
    family = familyOfSpec(spec);
    data = await datasetForSpec(spec, specFile);
  });
  after(releaseSnarkjs);

  it("should derive a family that is not built by default and build its keys under its circuit ids", async () => {
    assert.equal(family.name, "linear-mse/i4-o3-b1/exact-40..15/n342/k1");
    assert.ok(!FAMILIES.some((f) => f.name === family.name));
    const circuits = familyCircuits(family);
    assert.deepEqual(
      circuits.map((c) => c.id),
      ["genesis_linear_i4o3b1n342xm40p15", "checkpoint_linear_i4o3b1n342xm40p15k1"],
    );
    assert.ok(circuits.every((c) => !CIRCUITS.some((d) => d.id === c.id)));
    // The model code: linear-mse (1) + 16 × the exact rule's code over [-40, 15].
    const code = 1 + 2 * (-40 + 128) + 512 * (15 + 128);
    assert.deepEqual(circuits[1]!.params, [1 + 16 * code, 4, 0, 3, 1, 1, 342, 9]);
    const built = await buildAll({ circuits }, log);
    for (const b of built) {
      assert.ok(existsSync(artifactPaths(b.id).zkey), b.id);
      assert.ok(b.record.constraints < 2 ** 17, `${b.id}: ${b.record.constraints} constraints`);
    }
    // Cached: a second build reuses the keys.
    assert.ok((await buildAll({ circuits }, log)).every((b) => !b.rebuilt));
    // The generated verifiers are new Solidity sources: compile them.
    await compileGeneratedVerifiers();
  });

  it("should refuse another dataset for the spec before any proving", async () => {
    const iris = path.join(dir, "iris.dataset.json");
    const irisData = builtInIris();
    await writeFile(
      iris,
      datasetFileText({
        format: "vtr-dataset",
        version: 1,
        name: "iris",
        source: { rows: 150, dropped: [] },
        features: ["a", "b", "c", "d"],
        label: { column: "y", classes: [...irisData.dataset.classNames] },
        normalization: { kind: "none", params: [null, null, null, null] },
        rounding: "",
        size: 150,
        depth: irisData.depth,
        root: `0x${irisData.root.toString(16)}`,
        samples: irisData.dataset.samples.map(
          (s) => [s.features.map((b) => `0x${b.toString(16).padStart(4, "0")}`), s.label] as const,
        ),
      }),
    );
    await assert.rejects(datasetForSpec(spec, specFile, iris), /has root 0x[0-9a-f]+, but .*spec\.json commits to/);
  });

  it("should add the family through the timelock, then register, prove and have its checkpoints accepted", async () => {
    const conn = await network.create();
    const { viem, networkHelpers } = conn;
    const [w] = await viem.getWalletClients();
    const lab = getAddress(w!.account.address);
    const d = await deployRegistry(viem, {});
    let record: DeploymentRecord = deploymentRecord("test", d);
    const registry = await registryContract(viem, d.registry.address);
    const table = await viem.getContractAt("CircuitFamilies", d.familyTable.address);
    const publicClient = await viem.getPublicClient();
    const attestations = { flopsCap: 10n ** 9n, maxSteps: 2n, checkpointDeadline: 3600n };

    // Not registered yet: genesis is refused on-chain.
    await trainAndProve(spec, data, { runDir: path.join(dir, "run"), lab: BigInt(lab), steps: 0 }, log);
    await expectCustomError(
      registerRunDir(registry, publicClient, path.join(dir, "run"), family.name, attestations),
      "UnknownFamily",
    );

    // Scheduled in the timelock (default delay one day), waiting, then executed.
    const first = await addFamily(viem, record, family, w!, log, IN_PROCESS);
    assert.equal(first.state, "scheduled");
    // One contract per circuit: the adapter inherits its verifier (issue #24).
    assert.deepEqual([...first.deployed].sort(), [
      "CheckpointLinearI4o3b1n342xm40p15k1VerifierAdapter",
      "GenesisLinearI4o3b1n342xm40p15VerifierAdapter",
    ]);
    record = first.record;
    const second = await addFamily(viem, record, family, w!, log, IN_PROCESS);
    assert.equal(second.state, "waiting");
    assert.deepEqual(second.deployed, [], "nothing deployed twice");
    await networkHelpers.time.increaseTo(second.readyAt!);
    const third = await addFamily(viem, record, family, w!, log, IN_PROCESS);
    assert.equal(third.state, "registered");
    record = third.record;
    assert.ok(record.families.some((f) => f.name === family.name && f.id === familyId(family.name)));
    assert.equal((await table.read.getFamily([familyId(family.name)])).stepsPerCheckpoint, 1);
    assert.equal((await addFamily(viem, record, family, w!, log, IN_PROCESS)).state, "already-registered");

    const runDir = path.join(dir, "run");
    const { runId } = await registerRunDir(registry, publicClient, runDir, family.name, attestations);
    const proved = await trainAndProve(spec, data, { runDir, lab: BigInt(lab) }, log);
    assert.deepEqual([...proved.written].sort(), ["steps/step-000000.json", "steps/step-000001.json"]);
    const out = await submitRunDir(registry, publicClient, record, runDir, log);
    assert.equal(out.submitted, 2);
    const run = await registry.read.getRun([runId]);
    assert.equal(run.steps, 2n);
    assert.equal(run.status, 3, "Completed: the plan is proven");
    assert.deepEqual([...run.violations], [0, 0, 0, 0, 0, 0]);
  });
});
