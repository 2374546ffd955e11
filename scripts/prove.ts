/**
 * npm run prove -- --spec FILE --run-dir DIR [--lab ADDRESS] [--beacon N] [--no-step-proofs] [--steps N]
 *
 * Trains the spec's model with the bit-exact reference trainer and writes
 * genesis, step and checkpoint proof bundles into the run directory,
 * resuming where an earlier run stopped.
 */
import { parseArgs } from "node:util";
import { datasetForSpec } from "../prover/dataset/file.js";
import { consoleLogger, releaseSnarkjs } from "../prover/proving/log.js";
import { DEFAULT_LAB, trainAndProve } from "../prover/run/prover.js";
import { readSpec } from "../prover/spec/schema.js";
import { specCommitment } from "../prover/spec/commitment.js";

const HELP = `Usage: npm run prove -- --spec FILE --run-dir DIR [options]

Trains the model of a training spec on its committed dataset (bit-exact bf16,
fp32 accumulation) and proves it: a genesis proof, a step proof per step and a
checkpoint proof every K steps (K = the spec's checkpointInterval), with the
circuits of the spec's family (e.g. linear-mse/i4-o3-b2/n150/k4).
Re-running resumes: complete, valid bundles are kept, missing ones proved.
Build the family's circuits first with \`npm run artifacts -- --spec FILE\`
(\`npm run artifacts\` builds the example spec's families).

The data order depends on the run's beacon, which the registry records when
the run is registered: \`npm run registry -- register\` writes it into the run
directory, or pass --beacon. Without a beacon only the genesis proof is made
(with --steps 0).

Options:
  --spec FILE        training spec (JSON), e.g. prover/spec/examples/iris-linear.json
  --run-dir DIR      where bundles are written (created if missing)
  --lab ADDRESS      the lab's address, bound into every proof
                     (default ${DEFAULT_LAB}, Hardhat's first account)
  --expect-commitment HEX
                     refuse to start unless the spec's commitment is this one
                     (e.g. the commitment registered on-chain)
  --beacon N         the run's registration beacon (default: recorded in DIR/run.json)
  --dataset FILE     the spec's dataset file (default: the spec's dataset.file,
                     relative to the spec; else the built-in iris set)
  --no-step-proofs   only genesis and checkpoint proofs
  --steps N          train N steps instead of the spec's plannedSteps
  -h, --help         show this help
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      spec: { type: "string" },
      "run-dir": { type: "string" },
      lab: { type: "string", default: DEFAULT_LAB },
      "no-step-proofs": { type: "boolean", default: false },
      "expect-commitment": { type: "string" },
      steps: { type: "string" },
      beacon: { type: "string" },
      dataset: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  if (!values.spec || !values["run-dir"]) throw new Error("--spec and --run-dir are required (see --help)");
  if (!/^0x[0-9a-fA-F]{40}$/.test(values.lab))
    throw new Error(`--lab must be a 20-byte hex address, got ${values.lab}`);
  const steps = values.steps === undefined ? undefined : Number(values.steps);
  if (steps !== undefined && (!Number.isInteger(steps) || steps < 0))
    throw new Error(`--steps must be a non-negative integer, got ${values.steps}`);
  if (values.beacon !== undefined && !/^\d+$/.test(values.beacon))
    throw new Error(`--beacon must be a non-negative integer, got ${values.beacon}`);

  const spec = await readSpec(values.spec);
  const expected = values["expect-commitment"];
  if (expected !== undefined) {
    if (!/^(0x[0-9a-fA-F]+|[0-9]+)$/.test(expected))
      throw new Error(`--expect-commitment must be a number, got ${expected}`);
    const actual = specCommitment(spec);
    if (BigInt(expected) !== actual) {
      throw new Error(
        `${values.spec} does not match the expected commitment: it commits to 0x${actual.toString(16)}, not ${expected}`,
      );
    }
  }
  const data = await datasetForSpec(spec, values.spec, values.dataset);
  const log = consoleLogger("prove");
  const s = await trainAndProve(
    spec,
    data,
    {
      runDir: values["run-dir"],
      specFile: values.spec,
      lab: BigInt(values.lab),
      stepProofs: !values["no-step-proofs"],
      steps,
      ...(values.beacon === undefined ? {} : { beacon: BigInt(values.beacon) }),
    },
    log,
  );
  process.stdout.write(
    `proofs written: ${s.written.length}, kept from an earlier run: ${s.reused.length}\n` +
      `loss ${s.lossBefore.toFixed(4)} -> ${s.lossAfter.toFixed(4)}, accuracy ${(100 * s.accuracyBefore).toFixed(1)}% -> ${(100 * s.accuracyAfter).toFixed(1)}%\n`,
  );
}

main()
  .catch((err: unknown) => {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(releaseSnarkjs);
