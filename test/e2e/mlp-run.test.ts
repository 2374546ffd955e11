/**
 * An MLP run on iris end to end on Hardhat's in-process chain (issue #10):
 * the registry deployed with its default families (the MLP family among
 * them, the registry itself unchanged), a run of the example MLP spec
 * registered with its genesis proof, trained with a step proof per step,
 * every checkpoint verified on-chain at no more than 300k gas, the loss
 * down; and a proof submitted out of order refused.
 */
import { registryContract } from "../../client/contract.js";
import assert from "node:assert/strict";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "mocha";
import { network } from "hardhat";
import { getAddress } from "viem";
import { FAMILIES, familyId, familyOfSpec } from "../../prover/proving/families.js";
import { releaseSnarkjs, silentLogger as log } from "../../prover/proving/log.js";
import { trainAndProve } from "../../prover/run/prover.js";
import { deployRegistry } from "../../client/deploy.js";
import { deploymentRecord } from "../../client/deployments.js";
import { checkpointCall } from "../../client/calls.js";
import { checkpointBundles, registerRunDir, submitRunDir } from "../../client/runs.js";
import { loadMlpExample } from "../../prover/spec/example.js";
import { expectCustomError } from "../helpers/revert.js";

describe("an MLP run proved and accepted on-chain", function () {
  this.timeout(1_800_000);
  after(releaseSnarkjs);

  it("should register, prove every step and have each checkpoint accepted at <= 300k gas, loss down", async () => {
    const example = await loadMlpExample();
    // Four steps of the example (its own salt): the cost per step is the example's.
    const spec = { ...example.spec, plannedSteps: 4, salt: example.spec.salt + 1n };
    const family = familyOfSpec(spec);
    assert.ok(
      FAMILIES.some((f) => f.name === family.name),
      "the MLP family is deployed by default",
    );

    const conn = await network.create();
    const { viem } = conn;
    const [w] = await viem.getWalletClients();
    const lab = getAddress(w!.account.address);
    const d = await deployRegistry(viem, {});
    const record = deploymentRecord("test", d);
    const registry = await registryContract(viem, d.registry.address);
    const table = await viem.getContractAt("CircuitFamilies", d.familyTable.address);
    const publicClient = await viem.getPublicClient();
    const onChain = await table.read.getFamily([familyId(family.name)]);
    assert.equal(onChain.stepsPerCheckpoint, 1);

    const runDir = await mkdtemp(path.join(tmpdir(), "vtr-mlp-"));
    await trainAndProve(spec, example.data, { runDir, lab: BigInt(lab), steps: 0 }, log);
    const att = { flopsCap: 10n ** 9n, maxSteps: 4n, checkpointDeadline: 3600n };
    const { runId } = await registerRunDir(registry, publicClient, runDir, family.name, att);
    const proved = await trainAndProve(spec, example.data, { runDir, lab: BigInt(lab), stepProofs: false }, log);
    assert.ok(proved.lossAfter < proved.lossBefore, `loss ${proved.lossBefore} -> ${proved.lossAfter}`);
    assert.ok(proved.accuracyAfter >= 0 && proved.accuracyAfter <= 1);

    // Step 1's proof submitted first (out of order) is refused; then all four in order are accepted.
    const bundles = await checkpointBundles(runDir, family.checkpoint);
    assert.deepEqual(
      bundles.map((b) => b.firstStep),
      [0n, 1n, 2n, 3n],
    );
    const c1 = checkpointCall(bundles[1]!.bundle);
    await expectCustomError(registry.write.submitCheckpoint([runId, c1.claim, c1.proof]), "CheckpointOutOfOrder", [
      runId,
      0n,
      1n,
    ]);
    const out = await submitRunDir(registry, publicClient, record, runDir, log);
    assert.equal(out.submitted, 4);
    for (const gas of out.gas) assert.ok(gas <= 300_000n, `a checkpoint cost ${gas} gas`);
    const run = await registry.read.getRun([runId]);
    assert.equal(run.steps, 4n);
    assert.equal(run.status, 3, "Completed: the plan is proven");
    assert.deepEqual([...run.violations], [0, 0, 0, 0, 0, 0]);
  });
});
