/**
 * npm run chunks -- --spec FILE --run-dir DIR --tiling HxO --beacon N [--dataset FILE] [--lab ADDRESS] [--steps N]
 *
 * Trains an mlp-mse spec under the exact rule and proves every step as chunk proofs (prover/chunk/run.ts).
 */
import { SingleBar } from "cli-progress";
import { Command, InvalidArgumentError } from "commander";
import { parseTiling, proveChunkedRun } from "../prover/chunk/run.js";
import { datasetForSpec } from "../prover/dataset/file.js";
import { consoleLogger } from "../prover/proving/log.js";
import { DEFAULT_LAB } from "../prover/run/prover.js";
import { readSpec } from "../prover/spec/schema.js";
import { isEntryPoint, paragraphs, runProgram } from "./help.js";

const count =
  (flag: string) =>
  (v: string): number => {
    if (!/^\d+$/.test(v)) throw new InvalidArgumentError(`${flag} must be a non-negative integer`);
    return Number(v);
  };

export const program = new Command("npm run chunks --")
  .description(
    paragraphs(`Trains the model of an mlp-mse spec under the exact rule and proves each step as chunk
    proofs (docs/chunks.md): one proof per hidden tile, per output tile and a link, each an independent
    job written to DIR/step-<t>/ as soon as it exists, so re-running resumes. Each step's proofs are
    then checked as a set, as a verifier would. The chunk circuits' keys are built first if missing
    (minutes for the MNIST example). The registry does not accept chunked steps yet: this proves, it does
    not submit.`),
  )
  .requiredOption(
    "--spec <file>",
    "training spec (JSON), mlp-mse under the exact rule, e.g. prover/spec/examples/mnist-mlp.json",
  )
  .requiredOption("--run-dir <dir>", "where the chunk proofs are written (created if missing)")
  .requiredOption(
    "--tiling <HxO>",
    "hidden units per hidden tile x outputs per output tile, each dividing its width, e.g. 2x5",
  )
  .requiredOption("--beacon <n>", "the run's beacon: it fixes the data order", count("--beacon"))
  .option("--dataset <file>", "the spec's dataset file (default: the spec's dataset.file; else the built-in iris set)")
  .option("--lab <address>", "the lab's address, bound into every link proof (Hardhat's first account)", DEFAULT_LAB)
  .option("--steps <n>", "prove N steps instead of the spec's plannedSteps", count("--steps"))
  .showHelpAfterError()
  .action(
    async (o: {
      spec: string;
      runDir: string;
      tiling: string;
      beacon: number;
      dataset?: string;
      lab: string;
      steps?: number;
    }) => {
      if (!/^0x[0-9a-fA-F]{40}$/.test(o.lab)) throw new Error(`--lab must be a 20-byte hex address, got ${o.lab}`);
      const tiling = parseTiling(o.tiling);
      const spec = await readSpec(o.spec);
      const data = await datasetForSpec(spec, o.spec, o.dataset);
      const log = consoleLogger("chunks");
      const bar = process.stderr.isTTY
        ? new SingleBar({ format: "chunks [{bar}] {value}/{total} | {label} | ETA {eta_formatted}", hideCursor: true })
        : undefined;
      let started = false;
      const s = await proveChunkedRun(
        spec,
        data,
        {
          dir: o.runDir,
          lab: BigInt(o.lab),
          beacon: BigInt(o.beacon),
          tiling,
          ...(o.steps === undefined ? {} : { steps: o.steps }),
          progress: (done, total, label) => {
            if (!started) {
              bar?.start(total, 0, { label: "starting" });
              started = true;
            }
            if (bar) bar.update(done, { label });
            else if (label) log.info(`chunk ${done}/${total}: ${label}`);
          },
        },
        log,
      );
      bar?.stop();
      process.stdout.write(
        `${s.steps} step${s.steps === 1 ? "" : "s"} proven as ${s.chunksPerStep} chunk proofs each, every step's set checked\n` +
          `loss ${s.lossBefore.toFixed(4)} -> ${s.lossAfter.toFixed(4)}, accuracy ` +
          `${(100 * s.accuracyBefore).toFixed(1)}% -> ${(100 * s.accuracyAfter).toFixed(1)}%\n`,
      );
    },
  );

if (isEntryPoint(import.meta.url)) runProgram(program);
