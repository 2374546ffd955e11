/** Waiting for a transaction, once for every caller. */
import type { Hash, PublicClient, TransactionReceipt } from "viem";

/** The receipt of `hash` once mined; throws, naming `what`, if it reverted. */
export async function mined(publicClient: PublicClient, hash: Hash, what: string): Promise<TransactionReceipt> {
  const r = await publicClient.waitForTransactionReceipt({ hash });
  if (r.status !== "success") throw new Error(`${what}: transaction ${hash} reverted`);
  return r;
}
