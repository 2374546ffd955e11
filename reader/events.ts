/**
 * Reading the registry's events: one `eth_getLogs` per block range, decoded
 * with the registry's ABI into RegistryEvents in chain order. The watcher,
 * the demo and the dashboard's live feed all read events through here.
 */
import { parseEventLogs, type Abi, type Address, type PublicClient } from "viem";
import type { RegistryEvent } from "./format.js";

/** Largest block range of one eth_getLogs request by default (many providers cap it near this). */
export const DEFAULT_LOG_RANGE = 2000n;

/** The registry's events in blocks from..to (inclusive), in chain order. */
export async function readEvents(
  client: PublicClient,
  address: Address,
  abi: Abi,
  fromBlock: bigint,
  toBlock: bigint,
  maxRange: bigint = DEFAULT_LOG_RANGE,
): Promise<RegistryEvent[]> {
  const out: RegistryEvent[] = [];
  for (let from = fromBlock; from <= toBlock; from += maxRange) {
    const to = from + maxRange - 1n < toBlock ? from + maxRange - 1n : toBlock;
    const logs = await client.getLogs({ address, fromBlock: from, toBlock: to });
    for (const e of parseEventLogs({ abi, logs, strict: true }))
      out.push({
        eventName: e.eventName,
        args: e.args as unknown as Record<string, unknown>,
        blockNumber: e.blockNumber,
        logIndex: e.logIndex,
        transactionHash: e.transactionHash,
      });
  }
  return out;
}
