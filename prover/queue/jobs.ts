/**
 * The proving queue's one definition of a job (issue #27): its data, its id,
 * its priority and the Redis connection. A job carries everything a worker
 * needs to prove one statement: the circuit, the witness inputs (the lab's
 * private weights and data: whoever can read the Redis can read them) and
 * the statement the proof must carry. Its id is derived from what is proven
 * (the circuit, the hash of its verification key and the statement), so a
 * re-run, or a second coordinator, enqueues nothing twice.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { Redis } from "ioredis";
import { z } from "zod";
import type { CircuitInput, SignalValue } from "../circom/witness.js";
import { requireArtifacts } from "../proving/prove.js";

/** The queue's default name; `--queue-name` chooses another (one per deployment, or per lab). */
export const DEFAULT_QUEUE_NAME = "vtr-proofs";

/** Attempts per job (a worker that throws, or dies twice, counts), with exponential backoff from 2 s. */
export const JOB_ATTEMPTS = 3;
export const BACKOFF_MS = 2_000;

/** BullMQ priorities run from 1 (first) to 2^21 - 1; tasks without a deadline take the last. */
export const LOWEST_PRIORITY = 2 ** 21 - 1;

const signal: z.ZodType<SignalValue> = z.lazy(() => z.union([z.string().regex(/^-?\d+$/), z.array(signal)]));

export const ProofJobSchema = z.object({
  circuit: z.string().regex(/^[a-z0-9_]+$/),
  /** SHA-256 of the circuit's verification key the coordinator will check the proof against. */
  vkeySha256: z.string().regex(/^[0-9a-f]{64}$/),
  inputs: z.record(signal),
  expect: z.record(z.string()),
  label: z.string(),
  deadline: z.number().int().optional(),
});
export type ProofJob = z.infer<typeof ProofJobSchema>;

/** What a worker returns: the proof and its public signals (the coordinator rebuilds and checks the bundle). */
export const ProofResultSchema = z.object({
  publicSignals: z.array(z.string()),
  proof: z.object({
    pi_a: z.tuple([z.string(), z.string(), z.string()]),
    pi_b: z.tuple([
      z.tuple([z.string(), z.string()]),
      z.tuple([z.string(), z.string()]),
      z.tuple([z.string(), z.string()]),
    ]),
    pi_c: z.tuple([z.string(), z.string(), z.string()]),
    protocol: z.literal("groth16"),
    curve: z.literal("bn128"),
  }),
  worker: z.string(),
  seconds: z.number(),
});
export type ProofResult = z.infer<typeof ProofResultSchema>;

/** Circuit inputs as JSON (bigints as decimal strings), the way snarkjs reads them. */
export function jsonInputs(input: CircuitInput): Record<string, SignalValue> {
  const conv = (v: SignalValue): SignalValue =>
    typeof v === "string" ? v : typeof v === "number" || typeof v === "bigint" ? BigInt(v).toString() : v.map(conv);
  return Object.fromEntries(Object.entries(input).map(([k, v]) => [k, conv(v)]));
}

const vkeyHashes = new Map<string, string>();

/** SHA-256 of a circuit's local verification key (cached per process). */
export async function vkeySha256(circuit: string): Promise<string> {
  let h = vkeyHashes.get(circuit);
  if (h === undefined) {
    h = createHash("sha256")
      .update(await readFile(requireArtifacts(circuit).vkey))
      .digest("hex");
    vkeyHashes.set(circuit, h);
  }
  return h;
}

/** The job id: what is proven, never who asked or when (BullMQ ids may not contain ':'). */
export function jobId(job: Pick<ProofJob, "circuit" | "vkeySha256" | "expect">): string {
  const statement = Object.entries(job.expect)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
  const h = createHash("sha256").update(`${job.circuit}\n${job.vkeySha256}\n${statement}`).digest("hex");
  return `${job.circuit}-${h.slice(0, 40)}`;
}

/**
 * A job's priority: answers by their deadline (seconds left at enqueueing,
 * so earlier deadlines go first), then everything else.
 */
export function priorityOf(deadline: number | undefined, now = Math.floor(Date.now() / 1000)): number {
  if (deadline === undefined) return LOWEST_PRIORITY;
  return 1 + Math.min(LOWEST_PRIORITY - 2, Math.max(0, deadline - now));
}

/**
 * A Redis connection from a URL (redis://[user:password@]host:port[/db], or
 * rediss:// for TLS), as BullMQ needs it: commands wait for a reconnection
 * instead of failing.
 */
export function redisConnection(url: string): Redis {
  if (!/^rediss?:\/\//.test(url)) throw new Error(`--queue must be a redis:// or rediss:// URL, got "${url}"`);
  return new Redis(url, { maxRetriesPerRequest: null, lazyConnect: true });
}

/** Connects, or says in one line what is wrong and how to get a Redis. */
export async function connectRedis(url: string): Promise<Redis> {
  const redis = redisConnection(url);
  redis.on("error", () => undefined); // reported below, or retried by ioredis once connected
  try {
    await Promise.race([
      redis.connect(),
      new Promise((_, reject) =>
        setTimeout(() => {
          reject(new Error("no answer within 5 s"));
        }, 5_000),
      ),
    ]);
    await redis.ping();
  } catch (e) {
    redis.disconnect();
    throw new Error(
      `cannot reach Redis at ${redactUrl(url)} (${e instanceof Error ? e.message : String(e)}): ` +
        "start one (`redis-server`, or `docker run -p 6379:6379 redis:7`; docs/proving-queue.md) or pass another --queue URL",
    );
  }
  return redis;
}

/** The URL without its password, for messages. */
export const redactUrl = (url: string): string => url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@");
