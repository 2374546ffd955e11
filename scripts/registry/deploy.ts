/**
 * The one deploy routine (tests, benchmarks, the demo and the CLI all use it):
 * the untouched snarkjs verifiers of every family's circuits, one
 * Groth16VerifierAdapter per circuit, the PolicyTimelock, the
 * TrainingRegistry, and the circuit families and threshold.
 *
 * Governance (issue #17): the admin role goes to `admin` with a two-step,
 * delayed transfer; the policy role ends with the PolicyTimelock, whose only
 * proposer is `policy` (so every later policy action waits `policyDelay`
 * seconds in public); the pauser role goes to `pauser`. The deployer holds the
 * policy role only while it registers the initial families and threshold,
 * then hands it to the timelock and renounces it; the routine checks every
 * role at the end and throws if any option did not take effect.
 */
import type { HardhatViemHelpers } from "@nomicfoundation/hardhat-viem/types";
import { getAddress, zeroAddress, type Address, type Hash, type Hex } from "viem";
import { FAMILIES, familyId, type FamilySpec } from "../../prover/proving/families.js";
import { checkpointSteps, circuitSpec, verifierName } from "../../prover/proving/manifest.js";
import { requireArtifacts } from "../../prover/proving/prove.js";
import type { Logger } from "../../prover/proving/log.js";
import { deployableKeys, type KeyRecord } from "./keys.js";
import { mined } from "./tx.js";

/** Default seconds a policy action waits in the timelock. */
export const DEFAULT_POLICY_DELAY = 86_400n;
/** Default seconds between the two steps of an admin transfer. */
export const DEFAULT_ADMIN_DELAY = 259_200n;

/** Sampled mode's default policy: every window draws at least one challenge; a paid challenge costs 0.01 ether. */
export const DEFAULT_SAMPLING = { minChallengesPerWindow: 1, challengeFee: 10_000_000_000_000_000n } as const;

export interface DeployOptions {
  /** Role accounts; each defaults to the deployer (the first wallet account). */
  readonly admin?: Address;
  /** The account that proposes policy actions to the timelock. */
  readonly policy?: Address;
  readonly pauser?: Address;
  /** Seconds a policy action waits between scheduling and execution (default one day). */
  readonly policyDelay?: bigint;
  /** Seconds between beginning and accepting an admin transfer (default three days). */
  readonly adminDelay?: bigint;
  /** Families to register (default: every family in prover/proving/families.ts). */
  readonly families?: readonly FamilySpec[];
  /** Designation threshold in FLOPs to set after deployment (default: none). */
  readonly designationThreshold?: bigint;
  /** Sampled mode's policy (default: at least 1 challenge per window, paid challenges for 0.01 ether). */
  readonly sampling?: { readonly minChallengesPerWindow: number; readonly challengeFee: bigint };
  /** The network's name: development keys are refused off the local ones (default: treated as local). */
  readonly network?: string;
  /** Deploy development keys on a network that is not local (recorded). */
  readonly allowDevelopmentKeys?: boolean;
}

export interface DeployedContract {
  readonly name: string;
  readonly address: Address;
  /** Block of the deployment transaction (readers and watchers start there). */
  readonly block: bigint;
  readonly transaction: Hash;
}

export interface Governance {
  readonly admin: Address;
  readonly adminDelay: bigint;
  /** Proposer of policy actions to the timelock. */
  readonly policyProposer: Address;
  readonly policyDelay: bigint;
  readonly pauser: Address;
}

export interface Deployment {
  readonly chainId: number;
  readonly deployer: Address;
  readonly registry: DeployedContract;
  /** Holds the registry's policy role. */
  readonly timelock: DeployedContract;
  readonly governance: Governance;
  /** Per circuit: the generated verifier and its adapter. */
  readonly circuits: Readonly<Record<string, { verifier: DeployedContract; adapter: DeployedContract }>>;
  readonly families: ReadonlyArray<FamilySpec & { readonly id: Hex }>;
  readonly designationThreshold: bigint;
  /** Each deployed circuit's key: its hash, and its ceremony transcript's if it has one. */
  readonly keys: Readonly<Record<string, KeyRecord>>;
  readonly allowDevelopmentKeys: boolean;
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
  const governance: Governance = {
    admin: getAddress(opts.admin ?? deployer),
    adminDelay: opts.adminDelay ?? DEFAULT_ADMIN_DELAY,
    policyProposer: getAddress(opts.policy ?? deployer),
    policyDelay: opts.policyDelay ?? DEFAULT_POLICY_DELAY,
    pauser: getAddress(opts.pauser ?? deployer),
  };
  if (governance.adminDelay < 0n || governance.adminDelay >= 2n ** 48n)
    throw new Error(`admin delay ${governance.adminDelay} s does not fit 48 bits`);
  if (governance.policyDelay < 0n) throw new Error(`policy delay ${governance.policyDelay} s is negative`);
  const families = opts.families ?? FAMILIES;
  for (const f of families) {
    if (checkpointSteps(circuitSpec(f.checkpoint)) !== f.stepsPerCheckpoint)
      throw new Error(`family ${f.name}: K = ${f.stepsPerCheckpoint} but ${f.checkpoint} proves another K`);
    requireArtifacts(f.genesis);
    requireArtifacts(f.checkpoint);
    requireArtifacts(f.step);
  }
  const allowDevelopmentKeys = opts.allowDevelopmentKeys ?? false;
  const keys = await deployableKeys(
    [...new Set(families.flatMap((f) => [f.genesis, f.checkpoint, f.step]))],
    opts.network ?? "default",
    allowDevelopmentKeys,
  );

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
  for (const id of new Set(families.flatMap((f) => [f.genesis, f.checkpoint, f.step]))) {
    const verifier = await deploy(verifierName(id), []);
    const count = BigInt(circuitSpec(id).publicSignals.length);
    circuits[id] = { verifier, adapter: await deploy("Groth16VerifierAdapter", [verifier.address, count]) };
  }
  const timelock = await deploy("PolicyTimelock", [governance.policyDelay, [governance.policyProposer], [zeroAddress]]);
  // The deployer holds the policy role only for the initial families and threshold.
  const registry = await deploy("TrainingRegistry", [
    Number(governance.adminDelay),
    governance.admin,
    deployer,
    governance.pauser,
  ]);

  const contract = await viem.getContractAt("TrainingRegistry", registry.address);
  const send = async (what: string, hash: Promise<Hash>): Promise<void> => {
    log?.info(what);
    await mined(publicClient, await hash, what);
  };
  const registered: Array<FamilySpec & { id: Hex }> = [];
  for (const f of families) {
    const id = familyId(f.name);
    await send(
      `registering circuit family ${f.name}`,
      contract.write.registerFamily([
        id,
        circuits[f.genesis]!.adapter.address,
        circuits[f.checkpoint]!.adapter.address,
        f.stepsPerCheckpoint,
        circuits[f.step]!.adapter.address,
        f.description,
      ]),
    );
    registered.push({ ...f, id });
  }
  const threshold = opts.designationThreshold ?? 0n;
  if (threshold !== 0n) {
    await send("setting the designation threshold", contract.write.setDesignationThreshold([threshold]));
  }
  const sampling = opts.sampling ?? DEFAULT_SAMPLING;
  await send(
    "setting the sampled-mode policy",
    contract.write.setSamplingPolicy([sampling.minChallengesPerWindow, sampling.challengeFee]),
  );
  const POLICY = await contract.read.POLICY_ROLE();
  await send("handing the policy role to the timelock", contract.write.grantRole([POLICY, timelock.address]));
  await send("renouncing the deployer's policy role", contract.write.renounceRole([POLICY, deployer]));

  // Every option must have taken effect.
  const PAUSER = await contract.read.PAUSER_ROLE();
  const checks: Array<[string, boolean]> = [
    [`designation threshold ${threshold}`, (await contract.read.designationThreshold()) === threshold],
    [
      `sampling policy: at least ${sampling.minChallengesPerWindow} challenge(s) per window, fee ${sampling.challengeFee} wei`,
      (await contract.read.samplingPolicy()).join(",") ===
        `${sampling.minChallengesPerWindow},${sampling.challengeFee}`,
    ],
    [`policy role held by the timelock ${timelock.address}`, await contract.read.hasRole([POLICY, timelock.address])],
    ["policy role no longer held by the deployer", !(await contract.read.hasRole([POLICY, deployer]))],
    [`admin ${governance.admin}`, getAddress(await contract.read.defaultAdmin()) === governance.admin],
    [
      `admin delay ${governance.adminDelay} s`,
      BigInt(await contract.read.defaultAdminDelay()) === governance.adminDelay,
    ],
    [`pauser ${governance.pauser}`, await contract.read.hasRole([PAUSER, governance.pauser])],
  ];
  const lock = await viem.getContractAt("PolicyTimelock", timelock.address);
  checks.push(
    [`policy delay ${governance.policyDelay} s`, (await lock.read.getMinDelay()) === governance.policyDelay],
    [
      `policy proposer ${governance.policyProposer}`,
      await lock.read.hasRole([await lock.read.PROPOSER_ROLE(), governance.policyProposer]),
    ],
  );
  for (const f of registered) {
    checks.push([`family ${f.name} registered`, (await contract.read.getFamily([f.id])).stepsPerCheckpoint > 0]);
  }
  const failed = checks.filter(([, ok]) => !ok).map(([what]) => what);
  if (failed.length > 0)
    throw new Error(`deployment of ${registry.address} did not take effect as asked: ${failed.join("; ")}`);
  return {
    chainId: await publicClient.getChainId(),
    deployer,
    registry,
    timelock,
    governance,
    circuits,
    families: registered,
    designationThreshold: threshold,
    keys,
    allowDevelopmentKeys,
  };
}
