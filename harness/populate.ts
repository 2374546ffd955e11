/**
 * Filling a registry on a `hardhat node` with recorded fixture runs (real
 * proofs, harness/fixtures/registry.ts), through the lab's own account: for the
 * dashboard's test and benchmark.
 */
import { network } from "hardhat";
import type { Address, Hash } from "viem";
import { familyId } from "../prover/proving/families.js";
import { checkpointCall, genesisCall, type Attestations } from "../client/calls.js";
import { mined } from "../client/tx.js";
import { useFixtureBeacon, type FixtureRun } from "./fixtures/registry.js";

export type NodeConnection = Awaited<ReturnType<typeof network.create>>;

/** A Hardhat connection to the node at `url` (its accounts are Hardhat's development accounts). */
export const connectNode = (url: string): Promise<NodeConnection> =>
  network.create({ network: "localhost", override: { url } });

/** Registers fixture runs and submits their first checkpoints; returns each run's id. */
export async function populate(
  conn: NodeConnection,
  registryAddress: Address,
  plan: ReadonlyArray<{ run: FixtureRun; attestations: Attestations; checkpoints: number }>,
): Promise<bigint[]> {
  const publicClient = await conn.viem.getPublicClient();
  const registry = await conn.viem.getContractAt("TrainingRegistry", registryAddress);
  const done = (hash: Hash, what: string) => mined(publicClient, hash, what);
  const ids: bigint[] = [];
  for (const { run, attestations, checkpoints } of plan) {
    const g = genesisCall(run.genesis);
    await done(
      await registry.write.registerRun([familyId(run.family), g.specCommitment, attestations, g.facts, g.proof], {
        account: run.lab,
      }),
      "registerRun",
    );
    const id = await registry.read.runOfSpec([run.lab, g.specCommitment]);
    await useFixtureBeacon(conn.networkHelpers, publicClient, registry, id, run);
    for (const bundle of run.checkpoints.slice(0, checkpoints)) {
      const c = checkpointCall(bundle);
      await done(await registry.write.submitCheckpoint([id, c.claim, c.proof], { account: run.lab }), "submit");
    }
    ids.push(id);
  }
  return ids;
}
