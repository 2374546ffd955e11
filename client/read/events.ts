/**
 * Reading the registry's events: one `eth_getLogs` per block range, decoded
 * with the registry's ABI into RegistryEvents in chain order. The watcher,
 * the demo and the dashboard's live feed all read events through here.
 */
import { getAddress, parseEventLogs, type Abi, type Address, type PublicClient } from "viem";
import type { WatchedAbi } from "./abi.js";
import type { RegistryEvent } from "./format.js";

/** Largest block range of one eth_getLogs request by default (many providers cap it near this). */
export const DEFAULT_LOG_RANGE = 2000n;

/** The events of `address` (the registry, and optionally its families table) in blocks from..to (inclusive), in chain order. */
export async function readEvents(
  client: PublicClient,
  address: Address | readonly Address[],
  abi: Abi,
  fromBlock: bigint,
  toBlock: bigint,
  maxRange: bigint = DEFAULT_LOG_RANGE,
): Promise<RegistryEvent[]> {
  const out: RegistryEvent[] = [];
  for (let from = fromBlock; from <= toBlock; from += maxRange) {
    const to = from + maxRange - 1n < toBlock ? from + maxRange - 1n : toBlock;
    const logs = await client.getLogs({
      address: typeof address === "string" ? address : [...address],
      fromBlock: from,
      toBlock: to,
    });
    // viem decodes each log with the ABI's entry for its topic: its name and arguments belong together
    // (a correlation the union type cannot carry through parseEventLogs, hence the one assertion).
    for (const e of parseEventLogs({ abi: abi as WatchedAbi, logs, strict: true }))
      out.push({
        address: getAddress(e.address),
        eventName: e.eventName,
        args: e.args,
        blockNumber: e.blockNumber,
        logIndex: e.logIndex,
        transactionHash: e.transactionHash,
      } as RegistryEvent);
  }
  return out;
}
