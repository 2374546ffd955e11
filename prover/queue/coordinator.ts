/**
 * The coordinator's side of the proving queue (issue #27): a proving backend
 * that enqueues every proof a run still needs as a BullMQ job, follows them
 * (progress bar on a terminal, a line per change otherwise), and accepts a
 * worker's proof only after checking it states exactly the expected
 * statement and verifies against the local verification key; a refused
 * proof is asked for again (any worker may take it), up to a limit.
 *
 * Nothing is lost and nothing is done twice: job ids are derived from what
 * is proven (jobs.ts), so a re-run or a second coordinator finds the jobs
 * already queued, running or done; a job a worker failed is retried once
 * more on a re-run; completed jobs are kept for a week, so a coordinator
 * that stopped collects what workers proved meanwhile.
 */
import { Queue, type Job } from "bullmq";
import { SingleBar } from "cli-progress";
import type { Redis } from "ioredis";
import type { Logger } from "../proving/log.js";
import { bundleOf, verify, type ProofBundle } from "../proving/prove.js";
import {
  acceptBundle,
  byDeadline,
  reasonOf,
  statementMismatch,
  type ProofTask,
  type ProvingBackend,
  type TaskOutcome,
} from "../proving/tasks.js";
import {
  BACKOFF_MS,
  connectRedis,
  JOB_ATTEMPTS,
  jobId,
  jsonInputs,
  priorityOf,
  ProofResultSchema,
  redactUrl,
  vkeySha256,
  type ProofJob,
} from "./jobs.js";

export interface QueueBackendOptions {
  readonly queueName: string;
  /** How often jobs are looked at (ms). */
  readonly pollMs?: number;
  /** Proofs refused (not verifying, or stating something else) before a task fails. */
  readonly maxRejects?: number;
  /** For messages: where the queue is (without password). */
  readonly where?: string;
}

const KEEP = { age: 7 * 24 * 3600 };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The proof a worker returned, checked: a bundle to accept, or why it is refused. */
async function checkResult(
  task: ProofTask,
  value: unknown,
): Promise<{ bundle: ProofBundle; worker: string; seconds: number } | { refused: string; worker: string }> {
  const parsed = ProofResultSchema.safeParse(value);
  if (!parsed.success) return { refused: "not a proof", worker: "?" };
  const r = parsed.data;
  let bundle: ProofBundle;
  try {
    bundle = bundleOf(task.circuit, r.publicSignals, r.proof);
  } catch (e) {
    return { refused: reasonOf(e), worker: r.worker };
  }
  const wrong = statementMismatch(task, bundle);
  if (wrong !== undefined) return { refused: `it states ${wrong}`, worker: r.worker };
  if (!(await verify(bundle))) return { refused: "it does not verify against the local key", worker: r.worker };
  return { bundle, worker: r.worker, seconds: r.seconds };
}

/** A proving backend over the queue `opts.queueName` on `redis` (the caller owns and closes `redis`). */
export function queueBackend(redis: Redis, opts: QueueBackendOptions): ProvingBackend {
  const pollMs = opts.pollMs ?? 500;
  const maxRejects = opts.maxRejects ?? 3;
  return {
    description: `on queue ${opts.queueName}${opts.where ? ` at ${opts.where}` : ""}`,
    async proveAll(tasks, { stopOnFailure }, log) {
      const queue = new Queue(opts.queueName, { connection: redis });
      try {
        return await run(queue, tasks, stopOnFailure, log);
      } finally {
        await queue.close();
      }
    },
  };

  async function run(
    queue: Queue,
    tasks: readonly ProofTask[],
    stopOnFailure: boolean,
    log: Logger,
  ): Promise<Map<ProofTask, TaskOutcome>> {
    const outcomes = new Map<ProofTask, TaskOutcome>();
    const pending = new Map<string, { task: ProofTask; data: ProofJob }>();
    const add = async (id: string, data: ProofJob) =>
      queue.add(data.label, data, {
        jobId: id,
        priority: priorityOf(data.deadline),
        attempts: JOB_ATTEMPTS,
        backoff: { type: "exponential", delay: BACKOFF_MS },
        removeOnComplete: KEEP,
        removeOnFail: KEEP,
      });
    // Another coordinator may have moved the job first: then there is nothing to do here.
    const again = (job: Job, state: "completed" | "failed") =>
      job.retry(state, { resetAttemptsMade: true, resetAttemptsStarted: true }).catch((e: unknown) => {
        log.warn(`${job.name}: not moved back to the queue (${reasonOf(e)}); looking again`);
      });

    let queued = 0;
    let found = 0;
    for (const task of byDeadline(tasks)) {
      const data: ProofJob = {
        circuit: task.circuit,
        vkeySha256: await vkeySha256(task.circuit),
        inputs: jsonInputs(task.inputs),
        expect: { ...task.expect },
        label: task.label,
        ...(task.deadline === undefined ? {} : { deadline: task.deadline }),
      };
      const id = jobId(data);
      if (pending.has(id)) continue; // the same statement twice in one run: proved once
      pending.set(id, { task, data });
      const existing = await queue.getJob(id);
      if (!existing) {
        await add(id, data);
        queued++;
        continue;
      }
      found++;
      if ((await existing.getState()) === "failed") {
        log.info(`${task.label}: failed before (${existing.failedReason}); trying again`);
        await again(existing, "failed");
      }
    }
    log.info(`${queued} job(s) queued, ${found} found already in the queue (nothing is queued twice)`);

    const total = pending.size;
    const started = Date.now();
    let done = 0;
    let failed = 0;
    let lastLine = "";
    let lastLineAt = 0;
    let lastWorkerCheck = 0;
    const rejects = new Map<string, number>();
    const bar = process.stderr.isTTY
      ? new SingleBar({
          format:
            "proving [{bar}] {value}/{total} done | {running} running, {waiting} waiting, {failed} failed | {rate}/min | ETA {eta_formatted}",
          hideCursor: true,
          etaBuffer: 20,
        })
      : undefined;
    bar?.start(total, 0, { running: 0, waiting: total, failed: 0, rate: "0.0" });
    const fail = (task: ProofTask, reason: string) => {
      outcomes.set(task, { ok: false, reason });
      failed++;
      log.warn(`${task.label} cannot be proved: ${reason}`);
    };
    try {
      while (pending.size > 0) {
        let running = 0;
        let waiting = 0;
        for (const [id, { task, data }] of [...pending]) {
          // The state first, then the job: a job read before its state could miss a result written between.
          const state = await queue.getJobState(id);
          const job = state === "unknown" ? undefined : await queue.getJob(id);
          if (!job) {
            await add(id, data); // removed meanwhile (by hand, or a clean-up): queued again
            waiting++;
            continue;
          }
          if (state === "completed") {
            if (job.returnvalue === null || job.returnvalue === undefined) {
              waiting++; // completed, its result not readable yet: next look
              continue;
            }
            const r = await checkResult(task, job.returnvalue);
            if ("bundle" in r) {
              await acceptBundle(task, r.bundle);
              outcomes.set(task, { ok: true, bundle: r.bundle });
              pending.delete(id);
              done++;
              if (!bar) log.info(`${task.label}: proved by ${r.worker} in ${r.seconds.toFixed(1)} s, verified`);
              continue;
            }
            const n = (rejects.get(id) ?? 0) + 1;
            rejects.set(id, n);
            if (n >= maxRejects) {
              pending.delete(id);
              fail(task, `${n} proofs from workers refused, the last (${r.worker}) because ${r.refused}`);
              if (stopOnFailure) return outcomes;
              continue;
            }
            log.warn(`${task.label}: the proof from ${r.worker} is refused because ${r.refused}: asking again`);
            await again(job, "completed");
            waiting++;
          } else if (state === "failed") {
            pending.delete(id);
            fail(task, job.failedReason || "failed");
            if (stopOnFailure) return outcomes;
          } else if (state === "active") {
            running++;
          } else {
            waiting++;
          }
        }
        const minutes = (Date.now() - started) / 60_000;
        const rate = (done / Math.max(minutes, 1 / 60)).toFixed(1);
        if (bar) {
          bar.update(done + failed, { running, waiting, failed, rate });
        } else {
          const line = `${done}/${total} done, ${running} running, ${waiting} waiting, ${failed} failed`;
          if (line !== lastLine && Date.now() - lastLineAt >= 2_000) {
            log.info(`${line}; ${rate} per minute`);
            lastLine = line;
            lastLineAt = Date.now();
          }
        }
        if (pending.size > 0 && Date.now() - lastWorkerCheck > 30_000) {
          lastWorkerCheck = Date.now();
          if ((await queue.getWorkersCount()) === 0)
            log.warn(
              `no worker is connected to queue ${opts.queueName}: start one with \`npm run worker -- --redis URL\` ` +
                "(the jobs wait; Ctrl-C here loses nothing)",
            );
        }
        if (pending.size > 0) await sleep(pollMs);
      }
    } finally {
      bar?.stop();
    }
    return outcomes;
  }
}

/**
 * Runs `fn` with a queue backend on the Redis at `url` when one is given,
 * else with the in-process default; the connection is closed afterwards.
 */
export async function withBackend<T>(
  url: string | undefined,
  queueName: string,
  fn: (backend: ProvingBackend | undefined) => Promise<T>,
): Promise<T> {
  if (url === undefined) return fn(undefined);
  const redis = await connectRedis(url);
  try {
    return await fn(queueBackend(redis, { queueName, where: redactUrl(url) }));
  } finally {
    await redis.quit().catch(() => undefined);
  }
}
