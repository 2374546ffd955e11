/**
 * Deployment records (DESIGN §7, STYLE: EAS's deployments/<network>/): for
 * each network, the chain id, every contract's address, ABI and deployment
 * block, and the registered circuit families, so readers and watchers never
 * scan from block 0 and need nothing but this folder.
 *
 *   deployments/<network>/deployment.json
 *   deployments/<network>/abi/<ContractName>.json
 */
import { existsSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { Abi, Address, Hex } from "viem";
import { writeJsonAtomic } from "../prover/fs/atomic.js";
import { PROJECT_ROOT } from "../prover/paths.js";
import type { FamilySpec } from "../prover/proving/families.js";
import { DeploymentRecordSchema, type DeploymentRecord } from "./read/deployment.js";
import type { Deployment } from "./deploy.js";

export type { DeploymentRecord };

export const DEFAULT_DEPLOYMENTS_DIR = path.join(PROJECT_ROOT, "deployments");

/** A family as the record stores it (what readers need; the shape is in the name). */
export function familyEntry(f: FamilySpec, id: Hex): DeploymentRecord["families"][number] {
  return {
    name: f.name,
    id,
    genesis: f.genesis,
    checkpoint: f.checkpoint,
    stepsPerCheckpoint: f.stepsPerCheckpoint,
    description: f.description,
  };
}

export const deploymentFile = (dir: string, network: string): string => path.join(dir, network, "deployment.json");

/** The recorded deployment of `network`, or undefined if there is none. Throws on a damaged record. */
export async function readDeployment(dir: string, network: string): Promise<DeploymentRecord | undefined> {
  const file = deploymentFile(dir, network);
  if (!existsSync(file)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, "utf8"));
  } catch (e) {
    throw new Error(`${file} is not valid JSON (${e instanceof Error ? e.message : String(e)}); redeploy with --force`);
  }
  const parsed = DeploymentRecordSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`${file} is not a deployment record (${issues}); redeploy with --force`);
  }
  return parsed.data;
}

/** The recorded deployment of `network`; throws, saying what to run, if there is none. */
export async function requireDeployment(dir: string, network: string): Promise<DeploymentRecord> {
  const d = await readDeployment(dir, network);
  if (!d)
    throw new Error(
      `no deployment recorded for network "${network}" in ${dir}: run \`npm run registry -- deploy --network ${network}\` first`,
    );
  return d;
}

/** A recorded contract's address and ABI. */
export async function recordedContract(
  dir: string,
  d: DeploymentRecord,
  name: string,
): Promise<{ address: Address; abi: Abi; block: bigint }> {
  const c = d.contracts[name];
  if (!c) throw new Error(`the ${d.network} deployment has no contract "${name}"`);
  const abi = JSON.parse(await readFile(path.join(dir, d.network, c.abi), "utf8")) as Abi;
  return { address: c.address, abi, block: BigInt(c.block) };
}

/** The record of a deployment; `abiFile` names each contract's ABI file (none: the record stays in memory). */
export function deploymentRecord(
  network: string,
  deployment: Deployment,
  abiFile: (contractName: string) => string = () => "",
): DeploymentRecord {
  const contracts: DeploymentRecord["contracts"] = {};
  const add = (key: string, c: Deployment["registry"]): void => {
    contracts[key] = {
      address: c.address,
      block: c.block.toString(),
      transaction: c.transaction,
      abi: abiFile(c.name),
    };
  };
  add("TrainingRegistry", deployment.registry);
  add("CircuitFamilies", deployment.familyTable);
  add("SampledMode", deployment.sampledMode);
  add("PolicyTimelock", deployment.timelock);
  add("ComputeObservers", deployment.observers);
  for (const c of Object.values(deployment.circuits)) add(c.adapter.name, c.adapter);
  return {
    network,
    chainId: deployment.chainId,
    deployedAt: new Date().toISOString(),
    deployer: deployment.deployer,
    developmentKeys: Object.values(deployment.keys).some((k) => k.developmentOnly),
    allowDevelopmentKeys: deployment.allowDevelopmentKeys,
    keys: { ...deployment.keys },
    contracts,
    families: deployment.families.map((f) => familyEntry(f, f.id)),
    designationThreshold: deployment.designationThreshold.toString(),
    governance: {
      admin: deployment.governance.admin,
      adminDelay: deployment.governance.adminDelay.toString(),
      policyProposer: deployment.governance.policyProposer,
      policyDelay: deployment.governance.policyDelay.toString(),
      pauser: deployment.governance.pauser,
      timelock: deployment.timelock.address,
    },
  };
}

/** Writes the record and the ABIs of a fresh deployment. */
export async function writeDeployment(
  dir: string,
  network: string,
  deployment: Deployment,
  abiOf: (contractName: string) => Promise<Abi>,
): Promise<DeploymentRecord> {
  const folder = path.join(dir, network);
  await mkdir(path.join(folder, "abi"), { recursive: true });
  const abiFile = (name: string): string => path.join("abi", `${name}.json`);
  const record = deploymentRecord(network, deployment, abiFile);
  for (const name of new Set(Object.values(record.contracts).map((c) => c.abi)))
    await writeJsonAtomic(path.join(folder, name), await abiOf(path.basename(name, ".json")));
  await writeJsonAtomic(deploymentFile(dir, network), record);
  return record;
}

/** Writes an updated record and the ABIs of the contracts it newly names (`add-family`). */
export async function writeDeploymentRecord(
  dir: string,
  record: DeploymentRecord,
  newContracts: readonly string[],
  abiOf: (contractName: string) => Promise<Abi>,
): Promise<void> {
  const folder = path.join(dir, record.network);
  await mkdir(path.join(folder, "abi"), { recursive: true });
  for (const key of newContracts) {
    const c = record.contracts[key];
    if (c) await writeJsonAtomic(path.join(folder, c.abi), await abiOf(path.basename(c.abi, ".json")));
  }
  await writeJsonAtomic(deploymentFile(dir, record.network), record);
}
