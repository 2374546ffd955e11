/**
 * npm run worker -- --redis URL [--concurrency N] [--queue-name NAME] [--lock-ms MS] [--name NAME]
 *
 * A proving worker: serves the BullMQ proving queue (prover/queue/worker.ts)
 * until stopped (Ctrl-C, SIGTERM: running proofs finish first).
 */
import { Command, InvalidArgumentError, Option } from "commander";
import { consoleLogger } from "../prover/proving/log.js";
import { connectRedis, DEFAULT_QUEUE_NAME, redactUrl } from "../prover/queue/jobs.js";
import { DEFAULT_LOCK_MS, startWorker } from "../prover/queue/worker.js";
import { isEntryPoint, paragraphs, runProgram } from "./help.js";

const positive = (flag: string) => (v: string) => {
  if (!/^[1-9]\d*$/.test(v)) throw new InvalidArgumentError(`${flag} must be a positive integer`);
  return Number(v);
};

interface Options {
  redis: string;
  concurrency: number;
  queueName: string;
  lockMs: number;
  name?: string;
}

export const program = new Command("npm run worker --")
  .description(
    paragraphs(`Proves jobs from the proving queue: step, checkpoint and genesis proofs enqueued by \`npm run prove
    -- --queue URL\` or \`npm run registry -- prove|answer --queue URL\`, sampled-mode answers first
    (earliest deadline first). Start any number, on any machines that have this project built with the
    same keys (\`npm run artifacts\`, or the coordinator's build/circuits copied): a job whose key differs
    from the coordinator's is refused here and retried elsewhere.

    A worker killed mid-proof (even with SIGKILL) loses nothing: its job's lock lapses after --lock-ms
    and another worker proves it. Each worker publishes its measured seconds per proof, which
    \`npm run registry -- challenges --queue URL\` uses to say whether open challenges can be answered in
    time.

    Redis sees every job's witness inputs: the lab's private weights and data. Run it where the lab
    trusts it, with a password and TLS (rediss://) when it is not on this machine (docs/proving-queue.md).`),
  )
  .requiredOption("--redis <url>", "the queue's Redis: redis://[user:password@]host:port[/db], rediss:// for TLS")
  .addOption(
    new Option("--concurrency <n>", "proofs at once (one proof already uses every core)")
      .argParser(positive("--concurrency"))
      .default(1),
  )
  .option("--queue-name <name>", "the queue's name", DEFAULT_QUEUE_NAME)
  .addOption(
    new Option("--lock-ms <ms>", "a job's lock: a dead worker's job is taken up again after about this")
      .argParser(positive("--lock-ms"))
      .default(DEFAULT_LOCK_MS),
  )
  .option("--name <name>", "this worker's name in reports (default: host-pid)")
  .action(async (o: Options) => {
    const log = consoleLogger("worker");
    const redis = await connectRedis(o.redis);
    const worker = await startWorker(
      redis,
      { queueName: o.queueName, concurrency: o.concurrency, lockMs: o.lockMs, ...(o.name ? { name: o.name } : {}) },
      log,
    );
    log.info(`serving ${redactUrl(o.redis)}; Ctrl-C stops after the running proofs`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        log.info("stopping: finishing running proofs");
        void worker
          .close()
          .then(() => redis.quit())
          .finally(resolve);
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
  });

if (isEntryPoint(import.meta.url)) runProgram(program);
