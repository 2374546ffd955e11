/**
 * A TrainingRegistry whose policy role one account holds directly (no
 * timelock), with a deployment's families registered in its own families
 * table: for tests that exercise policy calls without waiting for the
 * timelock. The routine itself is the bench's (scripts/registry/deploy.ts).
 */
import type { HardhatViemHelpers } from "@nomicfoundation/hardhat-viem/types";
import type { Address } from "viem";
import { deployDirectPolicyRegistry, type Deployment } from "../../scripts/registry/deploy.js";

export async function directPolicyRegistry(viem: HardhatViemHelpers, d: Deployment, policy: Address) {
  return (await deployDirectPolicyRegistry(viem, d, policy)).registry;
}
