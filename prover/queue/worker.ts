/**
 * A proving worker (issue #27): takes proof jobs from the BullMQ queue,
 * proves each with this machine's keys and returns the proof. Any number of
 * workers, on any machines with the same build (keys), serve one queue. A
 * worker that dies mid-job (even SIGKILL) stops renewing the job's lock, and
 * BullMQ's stalled-job check hands the job to another worker. Every worker
 * publishes its measured time per proof, by circuit, so a coordinator can
 * tell whether open challenges can be answered in time.
 */
import { hostname } from "node:os";
import { UnrecoverableError, Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "../proving/log.js";
import { prove } from "../proving/prove.js";
import { reasonOf, statementMismatch } from "../proving/tasks.js";
import { ProofJobSchema, vkeySha256, type ProofResult } from "./jobs.js";
import { publishStats, removeStats, type ProverStats } from "./stats.js";

export interface WorkerOptions {
  readonly queueName: string;
  /** Jobs proved at once by this worker (snarkjs already uses every core for one proof). */
  readonly concurrency: number;
  /** How long a job's lock lasts without renewal: a dead worker's job is taken up again after about this. */
  readonly lockMs: number;
  /** This worker's name in reports (default host-pid). */
  readonly name?: string;
}

export const DEFAULT_LOCK_MS = 30_000;

/** A witness the circuit rejects, or inputs of the wrong shape: no other worker can do better. */
const DETERMINISTIC =
  /Assert Failed|Error in template|Not enough values|Too many values|Signal not found|not all inputs/i;

export interface RunningWorker {
  readonly name: string;
  readonly stats: ProverStats;
  /** Stops taking jobs, lets running ones finish, and leaves the queue. */
  close(): Promise<void>;
}

export async function startWorker(redis: Redis, opts: WorkerOptions, log: Logger): Promise<RunningWorker> {
  const name = opts.name ?? `${hostname()}-${process.pid}`;
  const stats: ProverStats = {
    name,
    concurrency: opts.concurrency,
    startedAt: Date.now(),
    updatedAt: Date.now(),
    proofs: 0,
    failures: 0,
    circuits: {},
  };
  const processor = async (job: Job): Promise<ProofResult> => {
    const parsed = ProofJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`malformed job: ${parsed.error.issues[0]?.message ?? "?"}`);
    const data = parsed.data;
    let local: string;
    try {
      local = await vkeySha256(data.circuit);
    } catch (e) {
      throw new Error(`worker ${name} has no keys for ${data.circuit}: ${reasonOf(e)}`);
    }
    if (local !== data.vkeySha256)
      throw new Error(
        `worker ${name}'s verification key of ${data.circuit} (sha256 ${local.slice(0, 12)}…) is not the coordinator's ` +
          `(${data.vkeySha256.slice(0, 12)}…): workers need the coordinator's build (docs/proving-queue.md)`,
      );
    const t = performance.now();
    let bundle;
    try {
      bundle = await prove(data.circuit, data.inputs);
    } catch (e) {
      stats.failures++;
      const reason = reasonOf(e);
      throw DETERMINISTIC.test(reason) ? new UnrecoverableError(reason) : e;
    }
    const seconds = (performance.now() - t) / 1000;
    const wrong = statementMismatch({ ...data, file: "", inputs: data.inputs }, bundle);
    if (wrong !== undefined) throw new UnrecoverableError(`the inputs prove ${wrong}`);
    const c = (stats.circuits[data.circuit] ??= { proofs: 0, seconds: 0 });
    c.proofs++;
    c.seconds += seconds;
    stats.proofs++;
    stats.updatedAt = Date.now();
    await publishStats(redis, opts.queueName, stats);
    const provingSeconds = Object.values(stats.circuits).reduce((s, x) => s + x.seconds, 0);
    log.info(
      `${data.label} (${data.circuit}): proved in ${seconds.toFixed(1)} s; ${stats.proofs} proof(s), ` +
        `${((60 * stats.proofs) / provingSeconds).toFixed(1)} per proving minute, ${(c.seconds / c.proofs).toFixed(1)} s each on this circuit`,
    );
    return { publicSignals: bundle.publicSignals, proof: bundle.proof, worker: name, seconds };
  };
  const worker = new Worker(opts.queueName, processor, {
    connection: redis,
    concurrency: opts.concurrency,
    lockDuration: opts.lockMs,
    stalledInterval: Math.max(1_000, Math.floor(opts.lockMs / 2)),
    maxStalledCount: 2,
    name,
  });
  worker.on("failed", (job, err) => {
    if (job) log.warn(`${String((job.data as { label?: string }).label)}: ${err.message}`);
  });
  worker.on("error", (err) => {
    log.warn(`queue: ${err.message}`);
  });
  await worker.waitUntilReady();
  await publishStats(redis, opts.queueName, stats);
  const heartbeat = setInterval(() => {
    stats.updatedAt = Date.now();
    void publishStats(redis, opts.queueName, stats).catch(() => undefined);
  }, 5_000);
  heartbeat.unref();
  log.info(`worker ${name} on queue ${opts.queueName}: concurrency ${opts.concurrency}, lock ${opts.lockMs} ms`);
  return {
    name,
    stats,
    async close() {
      clearInterval(heartbeat);
      await worker.close();
      await removeStats(redis, opts.queueName, name).catch(() => undefined);
    },
  };
}
