/**
 * The proving queue (issue #27) against a real Redis (REDIS_URL,
 * default redis://127.0.0.1:6379): workers prove exactly what the in-process
 * prover proves; nothing is enqueued or proved twice; a proof that does not
 * verify, or states something else, is refused and asked for again; a worker
 * killed with SIGKILL mid-proof loses nothing; answers go first, earliest
 * deadline first; the first proof that cannot be made stops the run with its
 * name and reason; a worker with other keys refuses the job. Each test uses a
 * queue of its own, removed afterwards.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Queue, Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import { after, afterEach, before, describe, it } from "mocha";
import type { CommittedDataset } from "../../prover/dataset/dataset.js";
import { PROJECT_ROOT } from "../../prover/paths.js";
import { silentLogger, type Logger } from "../../prover/proving/log.js";
import { prove, verify, type ProofBundle } from "../../prover/proving/prove.js";
import { inProcess, statementOf, type ProofTask } from "../../prover/proving/tasks.js";
import { queueBackend } from "../../prover/queue/coordinator.js";
import {
  connectRedis,
  jobId,
  LOWEST_PRIORITY,
  priorityOf,
  vkeySha256,
  type ProofResult,
} from "../../prover/queue/jobs.js";
import { forecast, liveProvers, secondsPerProof } from "../../prover/queue/stats.js";
import { startWorker, type RunningWorker } from "../../prover/queue/worker.js";
import { proveTasks, runCircuitsOf, trainAndProve } from "../../prover/run/prover.js";
import { EXAMPLE_SPEC, loadExample } from "../../prover/spec/example.js";
import type { TrainingSpec } from "../../prover/spec/schema.js";
import { checkpointInputs } from "../../prover/statement/inputs.js";
import { train } from "../../prover/training/trainer.js";
import { answerForecast } from "../../scripts/cli/sampled.js";

const REDIS = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const LAB = 0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266n;
const BEACON = 0x5eedn;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A logger that keeps its lines, for asserting on what the coordinator said. */
function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m: string) => void lines.push(m),
    warn: (m: string) => void lines.push(`warning: ${m}`),
  } as Logger & { lines: string[] };
}

describe("the proving queue on BullMQ and Redis (issue #27)", function () {
  let redis: Redis;
  let connected = false;
  let spec: TrainingSpec;
  let data: CommittedDataset;
  let dir: string;
  let stepTasks: ProofTask[];
  const cleanups: Array<() => Promise<unknown>> = [];
  let queues = 0;
  const newQueue = () => `vtr-test-${process.pid}-${++queues}`;

  before(async function () {
    try {
      redis = await connectRedis(REDIS);
      connected = true;
    } catch (e) {
      const msg =
        `the proving-queue tests need a Redis: ${e instanceof Error ? e.message : String(e)}. ` +
        "Install one (Debian: `apt install redis-server`; or `docker run -p 6379:6379 redis:7`) or set REDIS_URL=redis://host:port";
      if (process.env.CI) throw new Error(msg);
      process.stderr.write(`    skipped: ${msg}\n`);
      this.skip();
    }
    ({ spec, data } = await loadExample());
    dir = await mkdtemp(path.join(tmpdir(), "vtr-queue-"));
    const run = train(spec, data, BEACON, 4);
    const step = runCircuitsOf(spec).step;
    stepTasks = run.steps.map((record, t) => {
      const c = checkpointInputs(spec, data, [record], { lab: LAB, beacon: BEACON });
      return {
        file: path.join(dir, "tasks", `step-${t}.json`),
        circuit: step,
        inputs: c.inputs,
        expect: statementOf(c.statement),
        label: `step ${t}`,
      };
    });
  });

  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  });

  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    if (connected) await redis.quit();
  });

  /** A worker on a connection of its own, closed after the test. */
  async function worker(queueName: string, name: string, lockMs = 30_000): Promise<RunningWorker> {
    const conn = await connectRedis(REDIS);
    const w = await startWorker(conn, { queueName, concurrency: 1, lockMs, name }, silentLogger);
    cleanups.push(async () => {
      await w.close();
      await conn.quit();
    });
    return w;
  }

  /** The queue, obliterated after the test. */
  function queueOf(name: string): Queue {
    const q = new Queue(name, { connection: redis });
    cleanups.push(async () => {
      await q.obliterate({ force: true });
      await redis.del(`bull:${name}:vtr-provers`);
      await q.close();
    });
    return q;
  }

  const withFile = (t: ProofTask, file: string): ProofTask => ({ ...t, file });

  it("should prove a run on two workers exactly as the in-process prover does, and enqueue nothing twice", async () => {
    const name = newQueue();
    const queue = queueOf(name);
    const local = path.join(dir, "local");
    const remote = path.join(dir, "remote");
    const opts = { lab: LAB, beacon: BEACON, steps: 2 };
    await trainAndProve(spec, data, { ...opts, runDir: local }, silentLogger);
    const w1 = await worker(name, "w1");
    const w2 = await worker(name, "w2");
    const backend = queueBackend(redis, { queueName: name, pollMs: 100 });
    const first = recordingLogger();
    const s = await trainAndProve(spec, data, { ...opts, runDir: remote, backend }, first);
    assert.equal(s.written.length, 3);
    for (const f of ["genesis.json", "steps/step-000000.json", "steps/step-000001.json"]) {
      const a = JSON.parse(await readFile(path.join(local, f), "utf8")) as ProofBundle;
      const b = JSON.parse(await readFile(path.join(remote, f), "utf8")) as ProofBundle;
      // Groth16 proofs are randomised: the same statement, both valid.
      assert.deepEqual(b.publicSignals, a.publicSignals, f);
      assert.deepEqual(b.statement, a.statement, f);
      assert.ok((await verify(a)) && (await verify(b)), f);
    }
    assert.equal(w1.stats.proofs + w2.stats.proofs, 3, first.lines.join("\n"));

    // A second coordinator (another directory, the same statements) finds the jobs done: nothing is proved again.
    const log = recordingLogger();
    const again = await trainAndProve(spec, data, { ...opts, runDir: path.join(dir, "again"), backend }, log);
    assert.equal(again.written.length, 3);
    assert.ok(
      log.lines.some((l) => l.includes("0 job(s) queued, 3 found already in the queue")),
      log.lines.join("\n"),
    );
    assert.equal(w1.stats.proofs + w2.stats.proofs, 3, "no proof made twice");
    assert.equal((await queue.getJobCounts("completed")).completed, 3);
    const provers = await liveProvers(redis, name);
    assert.deepEqual(
      provers.map((p) => p.name),
      ["w1", "w2"],
    );
    assert.ok(secondsPerProof(provers, runCircuitsOf(spec).step)! > 0);
  });

  /** A rogue worker: answers with `lie(job, honest)` while `lying()` holds, honestly otherwise. */
  async function rogue(name: string, lie: (job: Job, honest: ProofResult) => ProofResult, lying: () => boolean) {
    const conn = await connectRedis(REDIS);
    const w = new Worker(
      name,
      async (job: Job) => {
        const d = job.data as { circuit: string; inputs: Record<string, string> };
        const b = await prove(d.circuit, d.inputs);
        const honest: ProofResult = { publicSignals: b.publicSignals, proof: b.proof, worker: "rogue", seconds: 1 };
        return lying() ? lie(job, honest) : honest;
      },
      { connection: conn },
    );
    cleanups.push(async () => {
      await w.close();
      await conn.quit();
    });
    return w;
  }

  it("should refuse a proof that does not verify or states another statement, and have it redone by another worker", async () => {
    const name = newQueue();
    const queue = queueOf(name);
    const other = (
      await inProcess.proveAll(
        [withFile(stepTasks[3]!, path.join(dir, "other.json"))],
        { stopOnFailure: true },
        silentLogger,
      )
    )
      .values()
      .next().value!;
    assert.ok(other.ok);
    // A worker as one with a corrupted key would be: its proofs do not verify. It lies twice: first a
    // proof of this statement with another proof's A point, then a valid proof of another step.
    let lies = 0;
    const liar = await rogue(
      name,
      (_job, honest) => {
        lies++;
        // After its second lie it takes no more jobs (close waits for this one to be returned).
        if (lies === 2) void liar.close();
        return lies === 1
          ? { ...honest, proof: { ...honest.proof, pi_a: other.bundle.proof.pi_a } }
          : { ...honest, publicSignals: other.bundle.publicSignals, proof: other.bundle.proof };
      },
      () => true,
    );
    const log = recordingLogger();
    const task = withFile(stepTasks[0]!, path.join(dir, "refused", "step-0.json"));
    const proving = proveTasks(
      path.join(dir, "refused"),
      [task],
      queueBackend(redis, { queueName: name, pollMs: 100 }),
      true,
      log,
    );
    for (let i = 0; lies < 2; i++) {
      assert.ok(i < 1200, "the liar answered twice");
      await sleep(100);
    }
    await liar.close();
    await worker(name, "honest");
    const r = await proving;
    const bundle = r.bundles.get(task)!;
    assert.ok(await verify(bundle));
    assert.deepEqual(bundle.statement, task.expect);
    const id = jobId({ circuit: task.circuit, vkeySha256: await vkeySha256(task.circuit), expect: task.expect });
    assert.equal(((await queue.getJob(id))!.returnvalue as ProofResult).worker, "honest");
    assert.ok(
      log.lines.some((l) => /refused because it does not verify against the local key/.test(l)),
      log.lines.join("\n"),
    );
    assert.ok(
      log.lines.some((l) => /refused because it states (rootBefore|position)/.test(l)),
      log.lines.join("\n"),
    );
  });

  it("should enqueue nothing twice when a coordinator is killed mid-run and started again", async () => {
    const name = newQueue();
    const queue = queueOf(name);
    const runDir = path.join(dir, "restarted");
    const args = [
      "--import",
      "tsx",
      "scripts/prove.ts",
      "--spec",
      EXAMPLE_SPEC,
      "--run-dir",
      runDir,
      "--beacon",
      String(BEACON),
      "--steps",
      "2",
      "--queue",
      REDIS,
      "--queue-name",
      name,
    ];
    // The first coordinator (the CLI) enqueues every proof, then is killed with no worker running.
    const first = spawn(process.execPath, args, { cwd: PROJECT_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    cleanups.push(() => Promise.resolve(first.kill("SIGKILL")));
    let out = "";
    first.stdout.on("data", (b: Buffer) => (out += b.toString()));
    first.stderr.on("data", (b: Buffer) => (out += b.toString()));
    for (let i = 0; !out.includes("3 job(s) queued"); i++) {
      assert.ok(i < 1200, `the first coordinator queued its jobs: ${out}`);
      await sleep(100);
    }
    first.kill("SIGKILL");
    const w = await worker(name, "after-restart");
    const log = recordingLogger();
    const backend = queueBackend(redis, { queueName: name, pollMs: 100 });
    const s = await trainAndProve(spec, data, { lab: LAB, beacon: BEACON, steps: 2, runDir, backend }, log);
    assert.equal(s.written.length, 3);
    assert.ok(
      log.lines.some((l) => l.includes("0 job(s) queued, 3 found already in the queue")),
      log.lines.join("\n"),
    );
    assert.equal(w.stats.proofs, 3, "each proof made once");
    assert.equal((await queue.getJobCounts("completed")).completed, 3);
  });

  it("should fail a task after repeated refused proofs, naming the step and the reason", async () => {
    const name = newQueue();
    queueOf(name);
    await rogue(
      name,
      (_job, honest) => ({ ...honest, proof: { ...honest.proof, pi_c: honest.proof.pi_a } }),
      () => true,
    );
    const task = withFile(stepTasks[1]!, path.join(dir, "liar", "step-1.json"));
    await assert.rejects(
      proveTasks(
        path.join(dir, "liar"),
        [task],
        queueBackend(redis, { queueName: name, pollMs: 100, maxRejects: 2 }),
        true,
        silentLogger,
      ),
      /step 1 cannot be proved: 2 proofs from workers refused, the last \(rogue\) because it does not verify/,
    );
  });

  it("should hand the job of a worker killed with SIGKILL mid-proof to another worker", async () => {
    const name = newQueue();
    const queue = queueOf(name);
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "scripts/worker.ts",
        "--redis",
        REDIS,
        "--queue-name",
        name,
        "--lock-ms",
        "3000",
        "--name",
        "victim",
      ],
      { cwd: PROJECT_ROOT, stdio: "ignore" },
    );
    cleanups.push(() => Promise.resolve(child.kill("SIGKILL")));
    const task = withFile(stepTasks[2]!, path.join(dir, "killed", "step-2.json"));
    const backend = queueBackend(redis, { queueName: name, pollMs: 100 });
    const proving = proveTasks(path.join(dir, "killed"), [task], backend, true, silentLogger);
    const id = jobId({ circuit: task.circuit, vkeySha256: await vkeySha256(task.circuit), expect: task.expect });
    for (let i = 0; ; i++) {
      const job = await queue.getJob(id);
      if (job && (await job.getState()) === "active") break;
      assert.ok(i < 600, "the victim took the job");
      await sleep(100);
    }
    child.kill("SIGKILL");
    await worker(name, "rescuer", 3000);
    const r = await proving;
    assert.ok(await verify(r.bundles.get(task)!));
    const job = (await queue.getJob(id))!;
    assert.equal((job.returnvalue as ProofResult).worker, "rescuer");
  });

  it("should prove answers first, earliest deadline first, before ordinary steps", async () => {
    const name = newQueue();
    const queue = queueOf(name);
    const backend = queueBackend(redis, { queueName: name, pollMs: 100 });
    const now = Math.floor(Date.now() / 1000);
    const ordinary = [0, 1].map((t) => withFile(stepTasks[t]!, path.join(dir, "edf", `step-${t}.json`)));
    const late = { ...withFile(stepTasks[2]!, path.join(dir, "edf", "step-2.json")), deadline: now + 600 };
    const early = { ...withFile(stepTasks[3]!, path.join(dir, "edf", "step-3.json")), deadline: now + 60 };
    // Enqueued in the worst order, with no worker yet: ordinary steps, then the later deadline, then the earlier.
    const runs = [
      backend.proveAll(ordinary, { stopOnFailure: true }, silentLogger),
      (await sleep(300), backend.proveAll([late], { stopOnFailure: true }, silentLogger)),
      (await sleep(300), backend.proveAll([early], { stopOnFailure: true }, silentLogger)),
    ];
    await sleep(300);
    assert.equal((await queue.getJobCounts("prioritized")).prioritized, 4);
    await worker(name, "edf");
    await Promise.all(runs);
    const jobs = await queue.getJobs(["completed"]);
    const order = jobs.sort((a, b) => a.processedOn! - b.processedOn!).map((j) => j.name);
    assert.deepEqual(order, ["step 3", "step 2", "step 0", "step 1"]);
  });

  it("should stop at the first proof that cannot be made, with its name and the circuit's reason, without retrying", async () => {
    const name = newQueue();
    const queue = queueOf(name);
    await worker(name, "honest");
    const good = withFile(stepTasks[0]!, path.join(dir, "bad", "step-0.json"));
    // Step 1's statement with step 0's weights: no witness satisfies the circuit.
    const bad: ProofTask = {
      ...withFile(stepTasks[1]!, path.join(dir, "bad", "step-1.json")),
      inputs: { ...stepTasks[1]!.inputs, params: stepTasks[0]!.inputs.params! },
    };
    await assert.rejects(
      proveTasks(
        path.join(dir, "bad"),
        [good, bad],
        queueBackend(redis, { queueName: name, pollMs: 100 }),
        true,
        silentLogger,
      ),
      /step 1 cannot be proved: .*Assert Failed/,
    );
    const failed = await queue.getJobs(["failed"]);
    assert.equal(failed.length, 1);
    assert.equal(failed[0]!.attemptsMade, 1, "a circuit that rejects the witness is not retried");
  });

  it("should refuse, on a worker, a job made for another verification key", async () => {
    const name = newQueue();
    const queue = queueOf(name);
    await worker(name, "keys");
    const t = stepTasks[0]!;
    const job = await queue.add(
      "step 0",
      { circuit: t.circuit, vkeySha256: "0".repeat(64), inputs: {}, expect: t.expect, label: "step 0" },
      { jobId: "mismatch", attempts: 1 },
    );
    for (let i = 0; (await job.getState()) !== "failed"; i++) {
      assert.ok(i < 300);
      await sleep(100);
    }
    const failed = (await queue.getJob("mismatch"))!;
    assert.match(failed.failedReason, /is not the coordinator's .*workers need the coordinator's build/);
  });

  it("should derive job ids from what is proven and order priorities by deadline", () => {
    const t = stepTasks[0]!;
    const a = jobId({ circuit: t.circuit, vkeySha256: "a".repeat(64), expect: t.expect });
    const reordered = Object.fromEntries(Object.entries(t.expect).reverse());
    assert.equal(jobId({ circuit: t.circuit, vkeySha256: "a".repeat(64), expect: reordered }), a);
    assert.notEqual(jobId({ circuit: t.circuit, vkeySha256: "b".repeat(64), expect: t.expect }), a);
    assert.notEqual(jobId({ circuit: t.circuit, vkeySha256: "a".repeat(64), expect: stepTasks[1]!.expect }), a);
    assert.ok(!a.includes(":"));
    assert.ok(priorityOf(100, 0) < priorityOf(200, 0));
    assert.ok(priorityOf(10 ** 9, 0) < priorityOf(undefined));
    assert.equal(priorityOf(undefined), LOWEST_PRIORITY);
    assert.equal(priorityOf(0, 50), 1);
  });
});

describe("proving forecasts and connection errors (issue #27, no Redis needed)", () => {
  it("should forecast earliest deadline first over the workers", () => {
    // Two workers, 10 s a proof: deadlines 15, 15, 25, 25 -> done at 10, 10, 20, 20.
    const f = forecast(
      [25, 15, 25, 15].map((s) => ({ secondsLeft: s, perProof: 10 })),
      2,
    );
    assert.deepEqual(f.doneIn, [20, 10, 20, 10]);
    assert.deepEqual(f.late, []);
    // One worker: done at 10 (a 15), 20 (the other 15: late), 30 and 40 (both 25s: late).
    assert.deepEqual(
      forecast(
        [25, 15, 25, 15].map((s) => ({ secondsLeft: s, perProof: 10 })),
        1,
      ).late,
      [0, 2, 3],
    );
    assert.throws(() => forecast([], 0), /no worker/);
  });

  it("should say whether open challenges can be answered in time at the measured rate", () => {
    const c = (step: bigint, secondsLeft: bigint) =>
      ({ runId: 1n, step, window: 0n, state: "Open", secondsLeft, fee: 0n, challenger: "0x0", issuedAt: 0n }) as never;
    const circuits = new Map([[1n, "checkpoint_x_k1"]]);
    const prover = (name: string) => ({
      name,
      concurrency: 1,
      startedAt: 0,
      updatedAt: 0,
      proofs: 2,
      failures: 0,
      circuits: { checkpoint_x_k1: { proofs: 2, seconds: 20 } },
    });
    assert.match(
      answerForecast([c(3n, 600n)], circuits, [prover("a")]).join("\n"),
      /all 1 open challenge\(s\) can be answered in time/,
    );
    const late = answerForecast([c(3n, 30n), c(4n, 30n)], circuits, [prover("a")]).join("\n");
    assert.match(late, /1 of 2 open challenge\(s\) would be answered late/);
    assert.match(late, /step 4: about 35 s needed, 30 s left/);
    assert.match(answerForecast([c(3n, 30n)], circuits, []).join("\n"), /no worker is serving the queue/);
    assert.match(
      answerForecast([c(3n, 30n)], new Map([[1n, "other"]]), [prover("a")]).join("\n"),
      /no worker has proved other yet/,
    );
  });

  it("should say how to get a Redis when none answers, within 10 s, without the URL's password", async () => {
    const t = Date.now();
    await assert.rejects(connectRedis("redis://user:secret@127.0.0.1:1"), (e: Error) => {
      assert.match(e.message, /cannot reach Redis at redis:\/\/user:\*\*\*@127\.0\.0\.1:1 .*start one/);
      assert.ok(!e.message.includes("secret"));
      return true;
    });
    assert.ok(Date.now() - t < 10_000, "the error comes within 10 s");
    await assert.rejects(connectRedis("http://x"), /must be a redis:\/\/ or rediss:\/\/ URL/);
  });
});
