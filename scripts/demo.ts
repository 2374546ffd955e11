/**
 * npm run demo — the whole story on Hardhat's in-process chain (demo/story.ts;
 * act by act in docs/demo.md). Exits non-zero if it does not come out exactly so.
 */
import { describeError } from "../client/errors.js";
import { runDemo } from "../demo/story.js";
import { releaseSnarkjs } from "../prover/proving/log.js";

runDemo()
  .catch((err: unknown) => {
    process.stderr.write(`demo: ${describeError(err)}\n`);
    process.exitCode = 1;
  })
  .finally(releaseSnarkjs);
