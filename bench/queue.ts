/**
 * The proving queue's bench (issue #27): wall time of proving a multi-step
 * run (the example spec, 4 steps: genesis, 4 step proofs and a K = 4
 * checkpoint) in process, then through the queue with 1 and with 2 worker
 * processes on this machine; the queue's overhead per job; and a projection
 * (not a measurement) for N machines from the measured per-job times.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Queue } from "bullmq";
import { PROJECT_ROOT } from "../prover/paths.js";
import { silentLogger, type Logger } from "../prover/proving/log.js";
import { queueBackend } from "../prover/queue/coordinator.js";
import { connectRedis } from "../prover/queue/jobs.js";
import { liveProvers } from "../prover/queue/stats.js";
import { trainAndProve } from "../prover/run/prover.js";
import { loadExample } from "../prover/spec/example.js";

export interface QueueBench {
  readonly proofs: number;
  /** Wall seconds: in process, and through the queue with 1 and 2 workers. */
  readonly inProcessSeconds: number;
  readonly oneWorkerSeconds: number;
  readonly twoWorkersSeconds: number;
  /** (one worker - in process) / proofs, in ms. */
  readonly overheadPerJobMs: number;
  /** Mean proving seconds per proof, as the workers measured them. */
  readonly meanProofSeconds: number;
  /**
   * Projected wall seconds with N machines of this kind (a projection, not a measurement): the larger of
   * the longest proof and the total proving time shared evenly, plus the overhead per job.
   */
  readonly projected: Readonly<Record<number, number>>;
}

const STEPS = 4;
const LAB = 0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266n;

function startWorkers(url: string, queueName: string, count: number): ChildProcess[] {
  return Array.from({ length: count }, (_, i) =>
    spawn(
      process.execPath,
      ["--import", "tsx", "scripts/worker.ts", "--redis", url, "--queue-name", queueName, "--name", `bench-${i + 1}`],
      { cwd: PROJECT_ROOT, stdio: "ignore" },
    ),
  );
}

export async function measureQueue(url: string, log: Logger): Promise<QueueBench | { skipped: string }> {
  let redis;
  try {
    redis = await connectRedis(url);
  } catch (e) {
    return { skipped: e instanceof Error ? e.message : String(e) };
  }
  const dir = await mkdtemp(path.join(tmpdir(), "vtr-bench-queue-"));
  const { spec, data } = await loadExample();
  const opts = { lab: LAB, beacon: 0xbe7cn, steps: STEPS };
  try {
    let t = performance.now();
    const local = await trainAndProve(spec, data, { ...opts, runDir: path.join(dir, "local") }, silentLogger);
    const inProcessSeconds = (performance.now() - t) / 1000;
    const proofs = local.written.length;
    const wall: number[] = [];
    let meanProofSeconds = 0;
    let totalProofSeconds = 0;
    let longestProofSeconds = 0;
    for (const workers of [1, 2]) {
      // A queue of its own per measurement: the jobs of the first would be found done by the second.
      const queueName = `vtr-bench-${process.pid}-${workers}`;
      const children = startWorkers(url, queueName, workers);
      try {
        for (let i = 0; (await liveProvers(redis, queueName)).length < workers; i++) {
          if (i > 600) throw new Error("the bench's workers did not start");
          await new Promise((r) => setTimeout(r, 100));
        }
        const backend = queueBackend(redis, { queueName, pollMs: 100 });
        t = performance.now();
        await trainAndProve(spec, data, { ...opts, runDir: path.join(dir, `queue-${workers}`), backend }, silentLogger);
        wall.push((performance.now() - t) / 1000);
        const stats = await liveProvers(redis, queueName);
        const seconds = stats.flatMap((s) => Object.values(s.circuits)).reduce((a, c) => a + c.seconds, 0);
        const n = stats.reduce((a, s) => a + s.proofs, 0);
        if (workers === 1) {
          meanProofSeconds = seconds / n;
          totalProofSeconds = seconds;
          longestProofSeconds = Math.max(
            ...stats.flatMap((s) => Object.values(s.circuits)).map((c) => c.seconds / c.proofs),
          );
        }
        log.info(`queue with ${workers} worker(s): ${proofs} proofs in ${wall.at(-1)!.toFixed(1)} s`);
      } finally {
        for (const c of children) c.kill("SIGTERM");
        const q = new Queue(queueName, { connection: redis });
        await new Promise((r) => setTimeout(r, 500));
        await q.obliterate({ force: true }).catch(() => undefined);
        await redis.del(`bull:${queueName}:vtr-provers`);
        await q.close();
      }
    }
    const overheadPerJobMs = ((wall[0]! - inProcessSeconds) / proofs) * 1000;
    const projected: Record<number, number> = {};
    // No faster than the longest proof, nor than the total shared evenly; plus the queue's overhead per job.
    for (const n of [1, 2, 4, 8, 16]) {
      const overhead = (Math.max(0, overheadPerJobMs) / 1000) * Math.ceil(proofs / n);
      projected[n] = Math.round((Math.max(longestProofSeconds, totalProofSeconds / n) + overhead) * 10) / 10;
    }
    return {
      proofs,
      inProcessSeconds: Math.round(inProcessSeconds * 10) / 10,
      oneWorkerSeconds: Math.round(wall[0]! * 10) / 10,
      twoWorkersSeconds: Math.round(wall[1]! * 10) / 10,
      overheadPerJobMs: Math.round(overheadPerJobMs),
      meanProofSeconds: Math.round(meanProofSeconds * 100) / 100,
      projected,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
    await redis.quit();
  }
}
