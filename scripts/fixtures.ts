/**
 * npm run fixtures [-- --force]
 *
 * Records the registry test fixtures (real proofs made with the locally built
 * keys) in build/fixtures/registry.json. Tests do this on their own when the
 * recording is missing or was made with other keys; --force re-records.
 */
import { Command } from "commander";
import { consoleLogger } from "../prover/proving/log.js";
import { registryFixtures } from "../harness/fixtures/registry.js";
import { isEntryPoint, paragraphs, runProgram } from "./help.js";

export const program = new Command("npm run fixtures --")
  .description(
    paragraphs(`Records real genesis, checkpoint and step proofs for the registry tests and the gas
    benchmark in build/fixtures/registry.json, building the keys first if needed. Proofs are tied to
    the keys they were made with: the recording is redone whenever the keys change.`),
  )
  .option("--force", "record again even if the recording matches the keys", false)
  .action(record);

async function record(values: { force: boolean }): Promise<void> {
  const log = consoleLogger("fixtures");
  const t = performance.now();
  const f = await registryFixtures(log, values.force);
  const n = Object.values(f.runs).reduce((s, r) => s + 1 + r.checkpoints.length, 0);
  log.info(`${n} proofs ready (keys ${f.keys.slice(0, 12)}…) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}

if (isEntryPoint(import.meta.url)) runProgram(program);
