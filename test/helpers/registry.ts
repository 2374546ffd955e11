/**
 * A TrainingRegistry whose policy role one account holds directly (no
 * timelock), with a deployment's families registered in it: for tests that
 * exercise policy calls without waiting for the timelock.
 */
import type { HardhatViemHelpers } from "@nomicfoundation/hardhat-viem/types";
import type { Address } from "viem";
import type { Deployment } from "../../scripts/registry/deploy.js";
import { mined } from "../../scripts/registry/tx.js";

export async function directPolicyRegistry(viem: HardhatViemHelpers, d: Deployment, policy: Address) {
  const publicClient = await viem.getPublicClient();
  const registry = await viem.deployContract("TrainingRegistry", [0, policy, policy, policy]);
  for (const f of d.families) {
    await mined(
      publicClient,
      await registry.write.registerFamily([
        f.id,
        d.circuits[f.genesis]!.adapter.address,
        d.circuits[f.checkpoint]!.adapter.address,
        f.stepsPerCheckpoint,
        d.circuits[f.step]!.adapter.address,
        f.description,
      ]),
      `registerFamily ${f.name}`,
    );
  }
  return registry;
}
