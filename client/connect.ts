/**
 * Connecting to a network of hardhat.config.ts and to the recorded registry:
 * the in-process network ("default", lives as long as the process), a local
 * `hardhat node` ("localhost") or any configured chain, optionally at another
 * RPC URL; accounts chosen by address or index.
 */
import { network } from "hardhat";
import { getAddress, isAddress } from "viem";
import { registryEntry } from "./read/deployment.js";
import type { RegistryRef } from "./read/runs.js";
import { registryContract } from "./contract.js";
import type { DeploymentRecord } from "./deployments.js";

export type Connection = Awaited<ReturnType<typeof network.create>>;

/** Networks whose chain lives only as long as the process that created it. */
export const IN_PROCESS_NETWORKS = new Set(["default", "hardhat"]);

export interface Chain {
  readonly name: string;
  readonly conn: Connection;
  readonly chainId: number;
  /** Whether the chain outlives this process (not the in-process network). */
  readonly persistent: boolean;
}

export async function connect(name: string, rpcUrl?: string): Promise<Chain> {
  let conn: Connection;
  try {
    conn =
      rpcUrl === undefined
        ? await network.create(name === "hardhat" ? "default" : name)
        : await network.create({ network: name, override: { url: rpcUrl } });
  } catch (e) {
    throw new Error(`cannot use network "${name}": ${e instanceof Error ? e.message : String(e)}`);
  }
  let chainId: number;
  try {
    chainId = await (await conn.viem.getPublicClient()).getChainId();
  } catch (e) {
    const where = rpcUrl ?? (name === "localhost" ? "http://127.0.0.1:8545" : `network "${name}"`);
    throw new Error(
      `cannot reach ${where}${name === "localhost" ? " (start one with `npx hardhat node`)" : ""}: ` +
        (e instanceof Error ? (e.message.split("\n")[0] ?? "") : String(e)),
    );
  }
  return { name, conn, chainId, persistent: !IN_PROCESS_NETWORKS.has(name) };
}

/** The wallet for `account` (an address, or an index into the network's accounts; default the first). */
export async function wallet(chain: Chain, account?: string) {
  const wallets = await chain.conn.viem.getWalletClients();
  if (wallets.length === 0)
    throw new Error(
      `network "${chain.name}" has no accounts: configure a key for it (docs/commands.md, Networks and keys)`,
    );
  if (account === undefined) return wallets[0]!;
  if (/^\d+$/.test(account)) {
    const w = wallets[Number(account)];
    if (!w) throw new Error(`--account ${account}: network "${chain.name}" has ${wallets.length} account(s)`);
    return w;
  }
  if (!isAddress(account)) throw new Error(`--account must be an address or an index, got "${account}"`);
  const w = wallets.find((x) => getAddress(x.account.address) === getAddress(account));
  if (!w) throw new Error(`network "${chain.name}" has no unlocked account ${account}`);
  return w;
}

/** The observers' table of a recorded registry (registryAt); throws, saying what to do, if it has none. */
export function requireObservers<T>(r: { observers?: T }, network: string): T {
  if (r.observers === undefined)
    throw new Error(
      `the "${network}" deployment was recorded before observers existed (issue #29): it has no ComputeObservers; ` +
        `redeploy with \`npm run registry -- deploy --network ${network} --force\``,
    );
  return r.observers;
}

/** The recorded registry, checked to exist on this chain (same chain id, code at the address). */
export async function registryAt(chain: Chain, d: DeploymentRecord, account?: string) {
  if (d.chainId !== chain.chainId)
    throw new Error(
      `the deployment recorded for "${d.network}" is on chain ${d.chainId}, but the node answers as chain ${chain.chainId}`,
    );
  const c = registryEntry(d);
  const publicClient = await chain.conn.viem.getPublicClient();
  const code = await publicClient.getCode({ address: c.address });
  if (!code || code === "0x")
    throw new Error(
      `no contract at the recorded registry ${c.address} on "${d.network}" (was the node restarted?): ` +
        `redeploy with \`npm run registry -- deploy --network ${d.network} --force\``,
    );
  const w = await wallet(chain, account);
  const registry = await registryContract(chain.conn.viem, c.address, { public: publicClient, wallet: w });
  /** The registry as the shared reader (client/read/) reads it. */
  const ref: RegistryRef = { client: publicClient, address: registry.address, abi: registry.abi, families: d.families };
  const table = d.contracts.CircuitFamilies;
  if (!table) throw new Error(`the "${d.network}" deployment record has no CircuitFamilies: redeploy with --force`);
  const familyTable = await chain.conn.viem.getContractAt("CircuitFamilies", table.address, {
    client: { public: publicClient, wallet: w },
  });
  // A deployment recorded before issue #29 has no observers' table: everything else still works with it.
  const observersEntry = d.contracts.ComputeObservers;
  const observers = observersEntry
    ? await chain.conn.viem.getContractAt("ComputeObservers", observersEntry.address, {
        client: { public: publicClient, wallet: w },
      })
    : undefined;
  return {
    registry,
    familyTable,
    observers,
    ref,
    publicClient,
    wallet: w,
    fromBlock: c.fromBlock,
    lab: getAddress(w.account.address),
  };
}
