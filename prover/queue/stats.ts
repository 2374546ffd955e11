/**
 * Workers' measured throughput, published in Redis beside the queue: each
 * worker writes its proofs and seconds per circuit every few seconds; a
 * report older than STALE_MS is a worker that is gone. From them, whether a
 * list of deadlines (open challenges) can be met at the measured rate.
 */
import type { Redis } from "ioredis";

export interface ProverStats {
  readonly name: string;
  readonly concurrency: number;
  readonly startedAt: number;
  updatedAt: number;
  proofs: number;
  failures: number;
  /** Per circuit: proofs made and the seconds they took. */
  circuits: Record<string, { proofs: number; seconds: number }>;
}

export const STALE_MS = 30_000;

const keyOf = (queueName: string): string => `bull:${queueName}:vtr-provers`;

export async function publishStats(redis: Redis, queueName: string, stats: ProverStats): Promise<void> {
  await redis.hset(keyOf(queueName), stats.name, JSON.stringify(stats));
}

export async function removeStats(redis: Redis, queueName: string, name: string): Promise<void> {
  await redis.hdel(keyOf(queueName), name);
}

/** The workers that reported within STALE_MS. */
export async function liveProvers(redis: Redis, queueName: string, now = Date.now()): Promise<ProverStats[]> {
  const all = await redis.hgetall(keyOf(queueName));
  return Object.values(all)
    .map((s) => JSON.parse(s) as ProverStats)
    .filter((s) => now - s.updatedAt <= STALE_MS)
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** Mean seconds per proof of `circuit` over the workers that proved it, or undefined if none has. */
export function secondsPerProof(provers: readonly ProverStats[], circuit: string): number | undefined {
  let proofs = 0;
  let seconds = 0;
  for (const p of provers) {
    const c = p.circuits[circuit];
    if (c) {
      proofs += c.proofs;
      seconds += c.seconds;
    }
  }
  return proofs === 0 ? undefined : seconds / proofs;
}

export interface Forecast {
  /** Seconds from now each proof is expected done (same order as the input). */
  readonly doneIn: readonly number[];
  /** Indices of the deadlines that would be missed. */
  readonly late: readonly number[];
}

/**
 * Whether proofs due in `secondsLeft`, each taking `perProof` seconds, can
 * be made in time by `workers` workers taking them earliest deadline first
 * (as the queue orders them), each worker one proof at a time (one proof
 * already uses every core of its machine). `extraSeconds` is added to each
 * (the answer's transaction). It assumes the workers start on them now: a
 * proof already running on a worker delays its next one by at most one proof.
 */
export function forecast(
  items: ReadonlyArray<{ readonly secondsLeft: number; readonly perProof: number }>,
  workers: number,
  extraSeconds = 0,
): Forecast {
  if (workers < 1) throw new Error("no worker to forecast with");
  const free = new Array<number>(workers).fill(0);
  const doneIn = new Array<number>(items.length);
  const order = items.map((x, i) => ({ ...x, i })).sort((a, b) => a.secondsLeft - b.secondsLeft || a.i - b.i);
  for (const x of order) {
    const w = free.indexOf(Math.min(...free));
    free[w] = free[w]! + x.perProof;
    doneIn[x.i] = free[w] + extraSeconds;
  }
  const late = items.map((x, i) => (doneIn[i]! > x.secondsLeft ? i : -1)).filter((i) => i >= 0);
  return { doneIn, late };
}
