import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { DEFAULT_QUEUE_NAME } from "../prover/queue/jobs.js";
import { releaseSnarkjs } from "../prover/proving/log.js";

/** Help text written as source paragraphs: single newlines join (commander wraps to the terminal), blank lines stay. */
export const paragraphs = (s: string): string =>
  s
    .split(/\n\s*\n/)
    .map((p) => p.trim().replace(/\s*\n\s*/g, " "))
    .join("\n\n");

/**
 * Runs a command line: parses and acts, prints an error as one line with a
 * non-zero exit code, and releases snarkjs's workers so the process can end.
 */
export function runProgram(program: Command): void {
  program.showHelpAfterError();
  program
    .parseAsync()
    .catch((err: unknown) => {
      process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    })
    .finally(releaseSnarkjs);
}

/**
 * Whether `moduleUrl` is the script node was started with: entry points
 * declare their program on import (so docs/commands.md can be generated from
 * it, scripts/docs.ts) and run it only when started.
 */
export const isEntryPoint = (moduleUrl: string): boolean =>
  process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(moduleUrl);

/** The proving-queue options of every command that proves (docs/proving-queue.md). */
export function queueOptions(cmd: Command): Command {
  return cmd
    .option(
      "--queue <url>",
      "prove on a BullMQ queue at this Redis URL (redis://[user:password@]host:port, rediss:// for TLS), served by " +
        "`npm run worker`; default: in this process",
    )
    .option("--queue-name <name>", "the queue's name", DEFAULT_QUEUE_NAME);
}

/** The options queueOptions adds. */
export interface QueueOptions {
  queue?: string;
  queueName: string;
}
