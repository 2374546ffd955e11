/**
 * Adding a circuit family to a deployed registry (issue #9): deploy the
 * family's verifiers and adapters (those not deployed yet), then register
 * the family in the CircuitFamilies table through the policy timelock (schedule; execute once the delay
 * has passed), recording every step in deployments/<network>/. The timelock
 * operation's salt is derived from the family name, so running the same
 * command again continues where it stopped: nothing is deployed or
 * scheduled twice.
 */
import type { HardhatViemHelpers } from "@nomicfoundation/hardhat-viem/types";
import { artifacts, tasks } from "hardhat";
import {
  BaseError,
  ContractFunctionRevertedError,
  getAddress,
  keccak256,
  stringToHex,
  type Address,
  type Hex,
} from "viem";
import { familyId, type FamilySpec } from "../prover/proving/families.js";
import type { Logger } from "../prover/proving/log.js";
import { adapterName } from "../prover/proving/manifest.js";
import { requireArtifacts } from "../prover/proving/prove.js";
import type { wallet as walletOf } from "./connect.js";
import { familyEntry, type DeploymentRecord } from "./deployments.js";
import { deployableKeys } from "./keys.js";
import { policyCall, throughTimelock } from "./governance.js";
import { mined } from "./tx.js";

type Signer = Awaited<ReturnType<typeof walletOf>>;

export type AddFamilyState = "registered" | "already-registered" | "scheduled" | "waiting";

export interface AddFamilyOutcome {
  readonly state: AddFamilyState;
  /** The updated deployment record (contracts deployed, family added once registered). */
  readonly record: DeploymentRecord;
  /** New contracts by record key, to write their ABIs. */
  readonly deployed: readonly string[];
  /** When the scheduled registration can be executed (unix seconds), if waiting. */
  readonly readyAt?: bigint;
}

type RegistryReader = { read: { getFamily: (args: readonly [Hex]) => Promise<{ stepsPerCheckpoint: number }> } };

/** Whether a family is registered: `getFamily` reverts with UnknownFamily for one that is not. */
export async function familyRegistered(registry: RegistryReader, id: Hex): Promise<boolean> {
  try {
    return (await registry.read.getFamily([id])).stepsPerCheckpoint > 0;
  } catch (err) {
    const reverted = err instanceof BaseError ? err.walk((e) => e instanceof ContractFunctionRevertedError) : null;
    if (reverted instanceof ContractFunctionRevertedError && reverted.data?.errorName === "UnknownFamily") return false;
    throw err;
  }
}

/**
 * Compiles the Solidity verifiers `npm run artifacts` generated since this
 * process started, and makes Hardhat read its artifacts afresh (it caches
 * the list of contracts on first use).
 */
export async function compileGeneratedVerifiers(): Promise<void> {
  await tasks.getTask("build").run({ quiet: true, noTests: true });
  await artifacts.clearCache();
}

/** The timelock salt of a family's registration: one operation per family name. */
export const addFamilySalt = (name: string) => keccak256(stringToHex(`vtr/add-family/${name}`));

export async function addFamily(
  viem: HardhatViemHelpers,
  record: DeploymentRecord,
  family: FamilySpec,
  wallet: Signer,
  log: Logger,
  keyPolicy: { network: string; allowDevelopmentKeys: boolean } = {
    network: record.network,
    allowDevelopmentKeys: false,
  },
): Promise<AddFamilyOutcome> {
  const circuits = [...new Set([family.genesis, family.checkpoint, family.step])];
  for (const id of circuits) requireArtifacts(id);
  const keys = await deployableKeys(circuits, keyPolicy.network, keyPolicy.allowDevelopmentKeys);
  const publicClient = await viem.getPublicClient();
  const tableAddr = record.contracts.CircuitFamilies?.address;
  const timelockAddr = record.contracts.PolicyTimelock?.address;
  if (!tableAddr || !timelockAddr) throw new Error(`the "${record.network}" record has no families table or timelock`);
  const registry = await viem.getContractAt("CircuitFamilies", tableAddr, {
    client: { public: publicClient, wallet },
  });
  const id = familyId(family.name);
  const next: DeploymentRecord = {
    ...record,
    contracts: { ...record.contracts },
    families: [...record.families],
    keys: { ...record.keys, ...keys },
    developmentKeys: record.developmentKeys || Object.values(keys).some((k) => k.developmentOnly),
    ...(keyPolicy.allowDevelopmentKeys ? { allowDevelopmentKeys: true } : {}),
  };
  const withFamily = (): DeploymentRecord =>
    next.families.some((f) => f.id.toLowerCase() === id.toLowerCase())
      ? next
      : { ...next, families: [...next.families, familyEntry(family, id)] };

  if (await familyRegistered(registry, id)) {
    log.info(`family ${family.name} is already registered (${id})`);
    return { state: "already-registered", record: withFamily(), deployed: [] };
  }

  // Adapters (each with its verifier) not deployed yet.
  const deployed: string[] = [];
  const adapters: Record<string, Address> = {};
  for (const circuit of circuits) {
    const adapterKey = adapterName(circuit);
    let adapter = next.contracts[adapterKey]?.address;
    if (adapter === undefined || (await publicClient.getCode({ address: adapter })) === undefined) {
      const deploy = async (contract: string, args: readonly unknown[], key: string): Promise<Address> => {
        log.info(`deploying ${contract}${key === contract ? "" : ` as ${key}`}`);
        const { deploymentTransaction, contract: c } = await viem.sendDeploymentTransaction(contract, [...args], {
          client: { wallet },
        });
        const receipt = await mined(publicClient, deploymentTransaction.hash, `deploying ${contract}`);
        next.contracts[key] = {
          address: getAddress(c.address),
          block: receipt.blockNumber.toString(),
          transaction: receipt.transactionHash,
          abi: `abi/${contract}.json`,
        };
        deployed.push(key);
        return getAddress(c.address);
      };
      adapter = await deploy(adapterKey, [], adapterKey);
    }
    adapters[circuit] = adapter;
  }

  // Registration through the timelock: schedule, then execute once ready.
  const call = policyCall(
    timelockAddr,
    { address: tableAddr, abi: registry.abi },
    "registerFamily",
    [
      id,
      adapters[family.genesis]!,
      adapters[family.checkpoint]!,
      family.stepsPerCheckpoint,
      adapters[family.step]!,
      family.description,
    ],
    addFamilySalt(family.name),
  );
  const action = await throughTimelock(viem, call, wallet.account.address, log, `the registration of ${family.name}`);
  if (action.state !== "executed") {
    return {
      state: action.state === "scheduled" || deployed.length > 0 ? "scheduled" : "waiting",
      record: next,
      deployed,
      ...(action.readyAt === undefined ? {} : { readyAt: action.readyAt }),
    };
  }
  if (!(await familyRegistered(registry, id)))
    throw new Error(`the timelock executed, but family ${family.name} is not registered (bug)`);
  return { state: "registered", record: withFamily(), deployed };
}
