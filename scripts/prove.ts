/**
 * npm run prove -- --spec FILE --run-dir DIR [--lab ADDRESS] [--beacon N] [--no-step-proofs] [--steps N]
 *
 * Trains the spec's model with the bit-exact reference trainer and writes
 * genesis, step and checkpoint proof bundles into the run directory,
 * resuming where an earlier run stopped.
 */
import { Command, InvalidArgumentError } from "commander";
import { datasetForSpec } from "../prover/dataset/file.js";
import { consoleLogger } from "../prover/proving/log.js";
import { DEFAULT_LAB, trainAndProve } from "../prover/run/prover.js";
import { readSpec } from "../prover/spec/schema.js";
import { specCommitment } from "../prover/spec/commitment.js";
import { withBackend } from "../prover/queue/coordinator.js";
import { isEntryPoint, paragraphs, queueOptions, runProgram, type QueueOptions } from "./help.js";

const nonNegative =
  (flag: string) =>
  (v: string): bigint => {
    if (!/^\d+$/.test(v)) throw new InvalidArgumentError(`${flag} must be a non-negative integer`);
    return BigInt(v);
  };

interface Options extends QueueOptions {
  spec: string;
  runDir: string;
  lab: string;
  expectCommitment?: string;
  beacon?: bigint;
  dataset?: string;
  stepProofs: boolean;
  steps?: bigint;
}

export const program = new Command("npm run prove --")
  .description(
    paragraphs(`Trains the model of a training spec on its committed dataset (bit-exact bf16, fp32
    accumulation) and proves it: a genesis proof, a step proof per step and a checkpoint proof every K
    steps (K = the spec's checkpointInterval), with the circuits of the spec's family (e.g.
    linear-mse/i4-o3-b2/n150/k4). Re-running resumes: complete, valid bundles are kept, missing ones
    proved. Build the family's circuits first with \`npm run artifacts -- --spec FILE\` (\`npm run
    artifacts\` builds the example spec's families).

    The data order depends on the run's beacon, which the registry records when the run is registered:
    \`npm run registry -- register\` writes it into the run directory, or pass --beacon. Without a beacon
    only the genesis proof is made (with --steps 0).

    With --queue the proofs are made by \`npm run worker\` processes on any machines with the same build,
    through a BullMQ queue on Redis; each is verified here before it is written (docs/proving-queue.md).`),
  )
  .requiredOption("--spec <file>", "training spec (JSON), e.g. prover/spec/examples/iris-linear.json")
  .requiredOption("--run-dir <dir>", "where bundles are written (created if missing)")
  .option("--lab <address>", "the lab's address, bound into every proof (Hardhat's first account)", DEFAULT_LAB)
  .option(
    "--expect-commitment <hex>",
    "refuse to start unless the spec's commitment is this one (e.g. the one registered on-chain)",
  )
  .option("--beacon <n>", "the run's registration beacon (default: recorded in DIR/run.json)", nonNegative("--beacon"))
  .option(
    "--dataset <file>",
    "the spec's dataset file (default: the spec's dataset.file, relative to the spec; else the built-in iris set)",
  )
  .option("--no-step-proofs", "only genesis and checkpoint proofs")
  .option("--steps <n>", "train N steps instead of the spec's plannedSteps", nonNegative("--steps"))
  .showHelpAfterError();
queueOptions(program).action(async (o: Options) => {
  if (!/^0x[0-9a-fA-F]{40}$/.test(o.lab)) throw new Error(`--lab must be a 20-byte hex address, got ${o.lab}`);
  const spec = await readSpec(o.spec);
  if (o.expectCommitment !== undefined) {
    if (!/^(0x[0-9a-fA-F]+|[0-9]+)$/.test(o.expectCommitment))
      throw new Error(`--expect-commitment must be a number, got ${o.expectCommitment}`);
    const actual = specCommitment(spec);
    if (BigInt(o.expectCommitment) !== actual)
      throw new Error(
        `${o.spec} does not match the expected commitment: it commits to 0x${actual.toString(16)}, not ${o.expectCommitment}`,
      );
  }
  const data = await datasetForSpec(spec, o.spec, o.dataset);
  const s = await withBackend(o.queue, o.queueName, (backend) =>
    trainAndProve(
      spec,
      data,
      {
        runDir: o.runDir,
        specFile: o.spec,
        lab: BigInt(o.lab),
        stepProofs: o.stepProofs,
        ...(o.steps === undefined ? {} : { steps: Number(o.steps) }),
        ...(o.beacon === undefined ? {} : { beacon: o.beacon }),
        ...(backend ? { backend } : {}),
      },
      consoleLogger("prove"),
    ),
  );
  process.stdout.write(
    `proofs written: ${s.written.length}, kept from an earlier run: ${s.reused.length}\n` +
      `loss ${s.lossBefore.toFixed(4)} -> ${s.lossAfter.toFixed(4)}, accuracy ${(100 * s.accuracyBefore).toFixed(1)}% -> ${(100 * s.accuracyAfter).toFixed(1)}%\n`,
  );
});

if (isEntryPoint(import.meta.url)) runProgram(program);
