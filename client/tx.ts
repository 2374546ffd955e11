/** Waiting for a transaction, once for every caller. */
import type { Hash, PublicClient, TransactionReceipt } from "viem";
import type { Logger } from "../prover/proving/log.js";

/** The receipt of `hash` once mined; throws, naming `what`, if it reverted. */
export async function mined(publicClient: PublicClient, hash: Hash, what: string): Promise<TransactionReceipt> {
  const r = await publicClient.waitForTransactionReceipt({ hash });
  if (r.status !== "success") throw new Error(`${what}: transaction ${hash} reverted`);
  return r;
}

/** Waits until block `n` exists: polls a live chain, mines empty blocks on a development chain. */
export async function waitForBlock(
  publicClient: PublicClient,
  n: bigint,
  mineEmptyBlocks: boolean,
  log: Logger,
): Promise<void> {
  let head = await publicClient.getBlockNumber();
  if (head >= n) return;
  if (mineEmptyBlocks) {
    const rpc = publicClient as unknown as { request(a: { method: string; params: unknown[] }): Promise<unknown> };
    await rpc.request({ method: "hardhat_mine", params: [`0x${(n - head).toString(16)}`] });
    return;
  }
  log.info(`waiting for block ${n} (head ${head})`);
  while (head < n) {
    await new Promise((r) => setTimeout(r, 2_000));
    head = await publicClient.getBlockNumber();
  }
}
