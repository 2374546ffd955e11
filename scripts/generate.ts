/**
 * npm run generate — rewrites the generated sources from their owners
 * (scripts/docs.ts): the command reference in docs/commands.md and
 * circuits/spec/fields.circom. Writes only what changed and says which.
 */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { PROJECT_ROOT } from "../prover/paths.js";
import { generatedFiles } from "./docs.js";

async function main(): Promise<void> {
  for (const { file, text } of await generatedFiles((f) => readFile(f, "utf8"))) {
    const now = await readFile(file, "utf8").catch(() => undefined);
    const name = path.relative(PROJECT_ROOT, file);
    if (now === text) {
      process.stdout.write(`${name}: up to date\n`);
    } else {
      await writeFile(file, text);
      process.stdout.write(`${name}: written\n`);
    }
  }
  // Importing the command lines loads the client (and snarkjs's workers): end explicitly.
  setTimeout(() => process.exit(), 100).unref();
}

main().catch((err: unknown) => {
  process.stderr.write(`generate: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
