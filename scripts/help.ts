import type { Command } from "commander";
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
