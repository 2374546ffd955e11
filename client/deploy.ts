/**
 * The one deploy routine (tests, benchmarks, the demo and the CLI all use it):
 * one adapter per circuit of every family (its snarkjs verifier, untouched
 * and inherited, behind IProofVerifier), the PolicyTimelock, the
 * CircuitFamilies table, the SampledMode module, the TrainingRegistry, and
 * the circuit families, threshold and sampling policy (issue #24), and the
 * ComputeObservers table beside the registry (issue #29), whose policy role
 * the timelock holds from its constructor on.
 *
 * Governance (issue #17): the admin role goes to `admin` with a two-step,
 * delayed transfer; the policy role ends with the PolicyTimelock, whose only
 * proposer is `policy` (so every later policy action waits `policyDelay`
 * seconds in public); the pauser role goes to `pauser`. The deployer holds the
 * policy role of the registry and of the families table only while it
 * registers the initial families, threshold and policy, then hands both to
 * the timelock and renounces them; the routine checks every
 * role at the end and throws if any option did not take effect.
 */
import type { HardhatViemHelpers } from "@nomicfoundation/hardhat-viem/types";
import { getAddress, zeroAddress, type Address, type Hash, type Hex } from "viem";
import { FAMILIES, familyId, type FamilySpec } from "../prover/proving/families.js";
import { adapterName, checkpointSteps, circuitSpec } from "../prover/proving/manifest.js";
import { requireArtifacts } from "../prover/proving/prove.js";
import type { Logger } from "../prover/proving/log.js";
import { registryContract } from "./contract.js";
import { deployableKeys, LOCAL_NETWORKS, type KeyRecord } from "./keys.js";
import { mined } from "./tx.js";

/** Default seconds a policy action waits in the timelock. */
export const DEFAULT_POLICY_DELAY = 86_400n;
/** Default seconds between the two steps of an admin transfer. */
export const DEFAULT_ADMIN_DELAY = 259_200n;

/**
 * Sampled mode's default policy: every window draws at least one challenge; a paid challenge costs
 * 0.01 ether; a run answers one challenge in 1 minute to 1 day (its choice within those bounds).
 */
export const DEFAULT_SAMPLING: SamplingPolicy = {
  minChallengesPerWindow: 1,
  challengeFee: 10_000_000_000_000_000n,
  minResponseSeconds: 60,
  maxResponseSeconds: 86_400,
};

/**
 * The reconciliation policy of observers' reports (IComputeObservers.ReconciliationPolicy, issue #29) by
 * default: one-day periods, a day's grace for submissions, and a lab is flagged when an observer saw more
 * than 1.2 times the compute it accounted for plus 10^15 FLOPs (about one accelerator-second).
 */
export const DEFAULT_RECONCILIATION: ReconciliationPolicy = {
  epochSeconds: 86_400n,
  graceSeconds: 86_400n,
  toleranceBps: 12_000,
  allowanceFlops: 10n ** 15n,
};

/** How observers' reports are reconciled (IComputeObservers.ReconciliationPolicy). */
export interface ReconciliationPolicy {
  readonly epochSeconds: bigint;
  readonly graceSeconds: bigint;
  /** Tolerated factor in basis points (at least 10,000). */
  readonly toleranceBps: number;
  readonly allowanceFlops: bigint;
}

/** The sampled-mode policy (ISampledMode.SamplingPolicy). */
export interface SamplingPolicy {
  readonly minChallengesPerWindow: number;
  readonly challengeFee: bigint;
  readonly minResponseSeconds: number;
  readonly maxResponseSeconds: number;
}

/** Shortest policy delay `deploy` accepts off the local networks unless told otherwise (one hour). */
export const MIN_LIVE_POLICY_DELAY = 3_600n;

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
  /** Sampled mode's policy (default: DEFAULT_SAMPLING). */
  readonly sampling?: SamplingPolicy;
  /** Observers' reconciliation policy (default: DEFAULT_RECONCILIATION). */
  readonly reconciliation?: ReconciliationPolicy;
  /** Accept a policy delay under one hour on a network that is not local (default: refuse). */
  readonly allowShortPolicyDelay?: boolean;
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
  /** The circuit families table the registry reads (its policy role is the timelock's too). */
  readonly familyTable: DeployedContract;
  /** The sampled-mode module the registry runs through its fallback. */
  readonly sampledMode: DeployedContract;
  /** Holds the registry's and the families table's policy role. */
  readonly timelock: DeployedContract;
  /** Observers, their reports and reconciliation (issue #29); its policy role is the timelock's. */
  readonly observers: DeployedContract;
  readonly governance: Governance;
  /** Per circuit: its adapter (the generated verifier, untouched, and IProofVerifier in one contract). */
  readonly circuits: Readonly<Record<string, { adapter: DeployedContract }>>;
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
  if (!wallet)
    throw new Error("the network has no account to deploy from: configure one (docs/commands.md, Networks and keys)");
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
  if (
    !LOCAL_NETWORKS.has(opts.network ?? "default") &&
    governance.policyDelay < MIN_LIVE_POLICY_DELAY &&
    opts.allowShortPolicyDelay !== true
  )
    throw new Error(
      `a policy delay of ${governance.policyDelay} s on "${opts.network}" gives nobody time to react to a policy ` +
        `change: use at least ${MIN_LIVE_POLICY_DELAY} s, or pass --allow-short-policy-delay to deploy it anyway`,
    );
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

  const circuits: Record<string, { adapter: DeployedContract }> = {};
  for (const id of new Set(families.flatMap((f) => [f.genesis, f.checkpoint, f.step]))) {
    circuits[id] = { adapter: await deploy(adapterName(id), []) };
  }
  const timelock = await deploy("PolicyTimelock", [governance.policyDelay, [governance.policyProposer], [zeroAddress]]);
  // The deployer holds the policy roles only for the initial families, threshold and policy.
  const familyTable = await deploy("CircuitFamilies", [deployer]);
  const sampledMode = await deploy("SampledMode", []);
  const registry = await deploy("TrainingRegistry", [
    Number(governance.adminDelay),
    governance.admin,
    deployer,
    governance.pauser,
    familyTable.address,
    sampledMode.address,
  ]);

  const reconciliation = opts.reconciliation ?? DEFAULT_RECONCILIATION;
  const observers = await deploy("ComputeObservers", [timelock.address, registry.address, reconciliation]);

  const contract = await registryContract(viem, registry.address);
  const table = await viem.getContractAt("CircuitFamilies", familyTable.address);
  const send = async (what: string, hash: Promise<Hash>): Promise<void> => {
    log?.info(what);
    await mined(publicClient, await hash, what);
  };
  const registered: Array<FamilySpec & { id: Hex }> = [];
  for (const f of families) {
    const id = familyId(f.name);
    await send(
      `registering circuit family ${f.name}`,
      table.write.registerFamily([
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
  await send("setting the sampled-mode policy", contract.write.setSamplingPolicy([sampling]));
  const POLICY = await contract.read.POLICY_ROLE();
  await send("handing the policy role to the timelock", contract.write.grantRole([POLICY, timelock.address]));
  await send("renouncing the deployer's policy role", contract.write.renounceRole([POLICY, deployer]));
  await send("handing the families' policy role to the timelock", table.write.grantRole([POLICY, timelock.address]));
  await send("renouncing the deployer's families policy role", table.write.renounceRole([POLICY, deployer]));

  // Every option must have taken effect.
  const PAUSER = await contract.read.PAUSER_ROLE();
  const checks: Array<[string, boolean]> = [
    [`designation threshold ${threshold}`, (await contract.read.designationThreshold()) === threshold],
    [
      `sampling policy: at least ${sampling.minChallengesPerWindow} challenge(s) per window, fee ${sampling.challengeFee} wei, ` +
        `response ${sampling.minResponseSeconds}..${sampling.maxResponseSeconds} s`,
      samePolicy(await contract.read.samplingPolicy(), sampling),
    ],
    [`policy role held by the timelock ${timelock.address}`, await contract.read.hasRole([POLICY, timelock.address])],
    ["policy role no longer held by the deployer", !(await contract.read.hasRole([POLICY, deployer]))],
    [`families policy role held by the timelock`, await table.read.hasRole([POLICY, timelock.address])],
    ["families policy role no longer held by the deployer", !(await table.read.hasRole([POLICY, deployer]))],
    [
      `registry reads the families table ${familyTable.address}`,
      (await contract.read.families()) === familyTable.address,
    ],
    [
      `registry runs the sampled-mode module ${sampledMode.address}`,
      (await contract.read.sampledModeModule()) === sampledMode.address,
    ],
    [`admin ${governance.admin}`, getAddress(await contract.read.defaultAdmin()) === governance.admin],
    [
      `admin delay ${governance.adminDelay} s`,
      BigInt(await contract.read.defaultAdminDelay()) === governance.adminDelay,
    ],
    [`pauser ${governance.pauser}`, await contract.read.hasRole([PAUSER, governance.pauser])],
  ];
  const observerTable = await viem.getContractAt("ComputeObservers", observers.address);
  checks.push(
    [
      `observers' policy role held by the timelock only`,
      (await observerTable.read.hasRole([POLICY, timelock.address])) &&
        !(await observerTable.read.hasRole([POLICY, deployer])),
    ],
    [`observers read the registry ${registry.address}`, (await observerTable.read.registry()) === registry.address],
    [
      `reconciliation: ${describeReconciliation(reconciliation)}`,
      sameReconciliation(await observerTable.read.reconciliationPolicy(), reconciliation),
    ],
  );
  const lock = await viem.getContractAt("PolicyTimelock", timelock.address);
  checks.push(
    [`policy delay ${governance.policyDelay} s`, (await lock.read.getMinDelay()) === governance.policyDelay],
    [
      `policy proposer ${governance.policyProposer}`,
      await lock.read.hasRole([await lock.read.PROPOSER_ROLE(), governance.policyProposer]),
    ],
  );
  for (const f of registered) {
    checks.push([`family ${f.name} registered`, (await table.read.getFamily([f.id])).stepsPerCheckpoint > 0]);
  }
  const failed = checks.filter(([, ok]) => !ok).map(([what]) => what);
  if (failed.length > 0)
    throw new Error(`deployment of ${registry.address} did not take effect as asked: ${failed.join("; ")}`);
  return {
    chainId: await publicClient.getChainId(),
    deployer,
    registry,
    familyTable,
    sampledMode,
    timelock,
    observers,
    governance,
    circuits,
    families: registered,
    designationThreshold: threshold,
    keys,
    allowDevelopmentKeys,
  };
}

/** Whether two sampling policies are the same. */
export function samePolicy(a: SamplingPolicy, b: SamplingPolicy): boolean {
  return (
    a.minChallengesPerWindow === b.minChallengesPerWindow &&
    a.challengeFee === b.challengeFee &&
    a.minResponseSeconds === b.minResponseSeconds &&
    a.maxResponseSeconds === b.maxResponseSeconds
  );
}

/** Whether two reconciliation policies are the same. */
export function sameReconciliation(a: ReconciliationPolicy, b: ReconciliationPolicy): boolean {
  return (
    a.epochSeconds === b.epochSeconds &&
    a.graceSeconds === b.graceSeconds &&
    a.toleranceBps === b.toleranceBps &&
    a.allowanceFlops === b.allowanceFlops
  );
}

/** A reconciliation policy in words. */
export function describeReconciliation(p: ReconciliationPolicy): string {
  return (
    `periods of ${p.epochSeconds} s, grace ${p.graceSeconds} s, flag above accounted x ${p.toleranceBps / 10_000} ` +
    `+ ${p.allowanceFlops} FLOPs`
  );
}

/**
 * A registry whose policy role one account holds directly (no timelock), over a fresh families table
 * with a deployment's families registered and the default sampling policy: for tests and the bench,
 * which exercise policy calls without waiting for a timelock.
 */
export async function deployDirectPolicyRegistry(viem: HardhatViemHelpers, d: Deployment, policy: Address) {
  const publicClient = await viem.getPublicClient();
  const familyTable = await viem.deployContract("CircuitFamilies", [policy]);
  const module = await viem.deployContract("SampledMode", []);
  const core = await viem.deployContract("TrainingRegistry", [
    0,
    policy,
    policy,
    policy,
    familyTable.address,
    module.address,
  ]);
  const registry = await registryContract(viem, core.address);
  for (const f of d.families) {
    await mined(
      publicClient,
      await familyTable.write.registerFamily([
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
  await mined(publicClient, await registry.write.setSamplingPolicy([DEFAULT_SAMPLING]), "setSamplingPolicy");
  return { registry, familyTable };
}
