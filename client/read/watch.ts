/**
 * The watcher: follows the registry's events by polling `eth_getLogs` from a
 * persisted cursor, so a restarted watcher neither misses nor repeats an
 * event, and an RPC endpoint that goes away is retried with backoff and then
 * caught up from the cursor.
 *
 * Cursor: the position of the next event to emit, {block, logIndex}. Each
 * event is written (synchronously) and then the cursor is saved
 * (synchronously, atomically) before anything else runs, so a stop by signal
 * always falls between two events. Only a hard kill (SIGKILL, power loss)
 * between those two writes can repeat the one event being written; every
 * line carries the event's unique id (transaction hash : log index) for
 * consumers that must be exact even then.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import type { Abi, Address, PublicClient } from "viem";
import { DEFAULT_LOG_RANGE, readEvents } from "./events.js";
import type { RegistryEvent } from "./format.js";

export interface Cursor {
  readonly block: bigint;
  readonly logIndex: number;
}

export interface WatchOptions {
  /** Where to start when there is no cursor file (the registry's deployment block). */
  readonly fromBlock: bigint;
  /** Where to start instead, when there is no cursor file (a cursor this process kept). */
  readonly start?: Cursor;
  /** File that persists the cursor (none: start at fromBlock every time). */
  readonly cursorFile?: string;
  /** Only blocks this deep below the head are read (0: the head itself). */
  readonly confirmations: number;
  readonly pollMs: number;
  /** Largest block range per eth_getLogs request. */
  readonly maxRange?: bigint;
  /** Called once per event, in chain order. Must be synchronous. */
  readonly emit: (e: RegistryEvent) => void;
  /** Progress and connection messages (stderr in the CLI). */
  readonly note: (msg: string) => void;
  /** Whether the watcher should stop (checked between events and between polls). */
  readonly stopped: () => boolean;
  /** Stop once caught up with the head (minus confirmations). */
  readonly once?: boolean;
  /** Identity the cursor file is tied to (a cursor of another registry is refused). */
  readonly identity: string;
}

interface CursorFile {
  identity: string;
  block: string;
  logIndex: number;
}

export function readCursor(file: string, identity: string): Cursor | undefined {
  if (!existsSync(file)) return undefined;
  const c = JSON.parse(readFileSync(file, "utf8")) as CursorFile;
  if (c.identity !== identity)
    throw new Error(`cursor ${file} belongs to another registry (${c.identity}); use another --cursor file`);
  return { block: BigInt(c.block), logIndex: c.logIndex };
}

function saveCursor(file: string, identity: string, c: Cursor): void {
  const tmp = `${file}.tmp`;
  const body: CursorFile = { identity, block: c.block.toString(), logIndex: c.logIndex };
  writeFileSync(tmp, JSON.stringify(body) + "\n");
  renameSync(tmp, file);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Follows the registry's events until `stopped()`; returns the final cursor. */
export async function watchRegistry(
  client: PublicClient,
  address: Address | readonly Address[],
  abi: Abi,
  opts: WatchOptions,
): Promise<Cursor> {
  let cursor: Cursor = (opts.cursorFile && readCursor(opts.cursorFile, opts.identity)) ||
    opts.start || { block: opts.fromBlock, logIndex: 0 };
  const maxRange = opts.maxRange ?? DEFAULT_LOG_RANGE;
  let backoff = 0;
  let down = false;
  const advance = (c: Cursor): void => {
    cursor = c;
    if (opts.cursorFile) saveCursor(opts.cursorFile, opts.identity, c);
  };
  while (!opts.stopped()) {
    try {
      const head = await client.getBlockNumber();
      if (down) {
        opts.note(`RPC endpoint reachable again at block ${head}; catching up from block ${cursor.block}`);
        down = false;
      }
      backoff = 0;
      const safe = head - BigInt(opts.confirmations);
      while (!opts.stopped() && cursor.block <= safe) {
        const to = cursor.block + maxRange - 1n < safe ? cursor.block + maxRange - 1n : safe;
        const events = await readEvents(client, address, abi, cursor.block, to, maxRange);
        // Everything below is synchronous: a signal cannot split an event from its cursor.
        for (const e of events) {
          const block = e.blockNumber;
          if (block === cursor.block && e.logIndex < cursor.logIndex) continue; // emitted before a restart
          opts.emit(e);
          advance({ block, logIndex: e.logIndex + 1 });
        }
        advance({ block: to + 1n, logIndex: 0 });
      }
      if (opts.once) break;
    } catch (e) {
      backoff = Math.min(backoff === 0 ? 500 : backoff * 2, 10_000);
      const msg = e instanceof Error ? e.message.split("\n")[0] : String(e);
      opts.note(`RPC error (${msg}); retrying in ${(backoff / 1000).toFixed(1)} s from block ${cursor.block}`);
      down = true;
      await sleep(backoff);
      continue;
    }
    await sleep(opts.pollMs);
  }
  return cursor;
}
