/**
 * The one deploy routine (tests, benchmarks, the demo and the CLI all use it):
 * the untouched snarkjs verifiers of every family's circuits, one
 * Groth16VerifierAdapter per circuit, the TrainingRegistry, and the circuit
 * families registered by the policy account.
 */
import type { HardhatViemHelpers } from "@nomicfoundation/hardhat-viem/types";
import { getAddress, type Address, type Hash, type Hex } from "viem";
import { FAMILIES, familyId, checkpointK, type FamilySpec } from "../../prover/proving/families.js";
import { circuitSpec, verifierName } from "../../prover/proving/manifest.js";
import { requireArtifacts } from "../../prover/proving/prove.js";
import type { Logger } from "../../prover/proving/log.js";
import { mined } from "./tx.js";

export interface DeployOptions {
  /** Role accounts; each defaults to the deployer (the first wallet account). */
  readonly admin?: Address;
  readonly policy?: Address;
  readonly pauser?: Address;
  /** Families to register (default: every family in prover/proving/families.ts). */
  readonly families?: readonly FamilySpec[];
  /** Designation threshold in FLOPs to set after deployment (default: none). */
  readonly designationThreshold?: bigint;
}

export interface DeployedContract {
  readonly name: string;
  readonly address: Address;
  /** Block of the deployment transaction (readers and watchers start there). */
  readonly block: bigint;
  readonly transaction: Hash;
}

export interface Deployment {
  readonly chainId: number;
  readonly deployer: Address;
  readonly registry: DeployedContract;
  /** Per circuit: the generated verifier and its adapter. */
  readonly circuits: Readonly<Record<string, { verifier: DeployedContract; adapter: DeployedContract }>>;
  readonly families: ReadonlyArray<FamilySpec & { readonly id: Hex }>;
  readonly designationThreshold: bigint;
}

/** Deploys everything with the connection's first wallet account and registers the families. */
export async function deployRegistry(
  viem: HardhatViemHelpers,
  opts: DeployOptions = {},
  log?: Logger,
): Promise<Deployment> {
  const publicClient = await viem.getPublicClient();
  const [wallet] = await viem.getWalletClients();
  if (!wallet) throw new Error("the network has no account to deploy from: configure one (see README, Deploy)");
  const deployer = getAddress(wallet.account.address);
  const policy = opts.policy ?? deployer;
  const families = opts.families ?? FAMILIES;
  for (const f of families) {
    if (checkpointK(f.checkpoint) !== f.stepsPerCheckpoint)
      throw new Error(`family ${f.name}: K = ${f.stepsPerCheckpoint} but ${f.checkpoint} proves another K`);
    requireArtifacts(f.genesis);
    requireArtifacts(f.checkpoint);
  }

  const deploy = async (name: string, args: readonly unknown[]): Promise<DeployedContract> => {
    log?.info(`deploying ${name}`);
    const { deploymentTransaction, contract } = await viem.sendDeploymentTransaction(name, [...args]);
    const receipt = await mined(publicClient, deploymentTransaction.hash, `deploying ${name}`);
    return {
      name,
      address: getAddress(contract.address),
      block: receipt.blockNumber,
      transaction: receipt.transactionHash,
    };
  };

  const circuits: Record<string, { verifier: DeployedContract; adapter: DeployedContract }> = {};
  for (const id of new Set(families.flatMap((f) => [f.genesis, f.checkpoint]))) {
    const verifier = await deploy(verifierName(id), []);
    const count = BigInt(circuitSpec(id).publicSignals.length);
    circuits[id] = { verifier, adapter: await deploy("Groth16VerifierAdapter", [verifier.address, count]) };
  }
  const registry = await deploy("TrainingRegistry", [opts.admin ?? deployer, policy, opts.pauser ?? deployer]);

  const contract = await viem.getContractAt("TrainingRegistry", registry.address);
  const registered: Array<FamilySpec & { id: Hex }> = [];
  if (getAddress(policy) === deployer) {
    for (const f of families) {
      log?.info(`registering circuit family ${f.name}`);
      const id = familyId(f.name);
      await mined(
        publicClient,
        await contract.write.registerFamily([
          id,
          circuits[f.genesis]!.adapter.address,
          circuits[f.checkpoint]!.adapter.address,
          f.stepsPerCheckpoint,
          f.description,
        ]),
        `registering family ${f.name}`,
      );
      registered.push({ ...f, id });
    }
    if (opts.designationThreshold !== undefined) {
      await mined(
        publicClient,
        await contract.write.setDesignationThreshold([opts.designationThreshold]),
        "setting the designation threshold",
      );
    }
  } else {
    log?.warn(`the policy role is ${policy}, not the deployer: it must register the circuit families itself`);
  }
  return {
    chainId: await publicClient.getChainId(),
    deployer,
    registry,
    circuits,
    families: registered,
    designationThreshold: getAddress(policy) === deployer ? (opts.designationThreshold ?? 0n) : 0n,
  };
}
