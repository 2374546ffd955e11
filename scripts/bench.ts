/**
 * npm run bench — every measured figure (bench/run.ts): constraints, proving
 * times, memory, gas, code sizes, sampled mode, the dashboard's page load.
 * Figures are printed for people; the last line is one JSON object.
 */
import { runBench } from "../bench/run.js";
import { releaseSnarkjs } from "../prover/proving/log.js";

runBench()
  .catch((err: unknown) => {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(async () => {
    await releaseSnarkjs();
    setTimeout(() => process.exit(), 100).unref();
  });
