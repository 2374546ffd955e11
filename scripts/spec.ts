/**
 * npm run spec -- init --dataset FILE --learning-rate X --batch N --steps N --checkpoint-interval K --out FILE
 * npm run spec -- show FILE
 *
 * Writes a new training spec with fresh secrets (prover/spec/init.ts), and
 * describes one. A spec file is the lab's secret.
 */
import path from "node:path";
import { isEntryPoint, paragraphs, runProgram } from "./help.js";
import { Command, InvalidArgumentError, Option } from "commander";
import { readDatasetFile } from "../prover/dataset/file.js";
import { familyOfSpec } from "../prover/proving/families.js";
import { specCommitment } from "../prover/spec/commitment.js";
import { newSpec, parseAccumulation, writeNewSpec } from "../prover/spec/init.js";
import { readSpec } from "../prover/spec/schema.js";
import { bf16ToNumber } from "../prover/numerics/index.js";
import { describeRule, SEQUENTIAL_FP32, type AccumulationRule } from "../prover/numerics/accumulation.js";
import { MODEL_FAMILIES, type ModelFamily } from "../prover/training/architecture.js";

const positiveInt =
  (what: string) =>
  (v: string): number => {
    if (!/^\d+$/.test(v) || Number(v) < 1) throw new InvalidArgumentError(`${what} must be a positive integer`);
    return Number(v);
  };

export const program = new Command("npm run spec --").description(
  "Training specs: the private file a lab commits to on-chain (its seeds and salt are secrets).",
);

program
  .command("init")
  .description(
    paragraphs(`Writes a new training spec: model and shape (inputs and outputs from the dataset; an
mlp-mse model also needs --hidden), SGD with the
learning rate rounded to bf16 (printed back as pattern and value), batch size, planned steps and
checkpoint interval K; dataSeed, initSeed and salt drawn from the operating system's cryptographic
random source, uniform below the BN254 scalar field. The file is created readable by its owner
only (0600) and never overwritten. Prints the spec's commitment and circuit family.

THE SPEC FILE IS THE LAB'S SECRET: its salt hides the commitment, its seeds fix the run.`),
  )
  .requiredOption("--dataset <file>", "the dataset file (`npm run dataset -- import`)")
  .addOption(new Option("--family <model>", "model family").choices([...MODEL_FAMILIES]).default("linear-mse"))
  .option("--hidden <n>", "hidden width of an mlp-mse model (ReLU layer)", positiveInt("--hidden"))
  .option("--inputs <n>", "model inputs (default: the dataset's features)", positiveInt("--inputs"))
  .option("--outputs <n>", "model outputs (default: the dataset's classes)", positiveInt("--outputs"))
  .option(
    "--accumulation <rule>",
    "sequential-fp32 (fp32 multiply-accumulates in order), or exact:MIN..MAX: every dot product's exact value " +
      "rounded once, operands confined to leading exponents MIN..MAX (see docs/numerics.md)",
    (v: string) => {
      try {
        return parseAccumulation(v);
      } catch (err) {
        throw new InvalidArgumentError(err instanceof Error ? err.message : String(err));
      }
    },
  )
  .requiredOption("--learning-rate <x>", "learning rate as a decimal, e.g. 0.05 (rounded to bf16)")
  .requiredOption("--batch <n>", "samples per step", positiveInt("--batch"))
  .requiredOption("--steps <n>", "planned steps (a multiple of the checkpoint interval)", positiveInt("--steps"))
  .requiredOption(
    "--checkpoint-interval <k>",
    "steps per checkpoint proof: the family's K",
    positiveInt("--checkpoint-interval"),
  )
  .requiredOption("--out <file>", "the spec file to create (refused if it exists)")
  .action(
    async (o: {
      dataset: string;
      family: ModelFamily;
      hidden?: number;
      inputs?: number;
      outputs?: number;
      learningRate: string;
      batch: number;
      steps: number;
      checkpointInterval: number;
      accumulation?: AccumulationRule;
      out: string;
    }) => {
      const committed = await readDatasetFile(o.dataset);
      const { json, spec, learningRate } = newSpec({
        dataset: { committed, file: o.dataset },
        family: o.family,
        ...(o.hidden !== undefined ? { hidden: o.hidden } : {}),
        ...(o.inputs !== undefined ? { inputs: o.inputs } : {}),
        ...(o.outputs !== undefined ? { outputs: o.outputs } : {}),
        learningRate: o.learningRate,
        batchSize: o.batch,
        plannedSteps: o.steps,
        checkpointInterval: o.checkpointInterval,
        ...(o.accumulation ? { accumulation: o.accumulation } : {}),
        out: o.out,
      });
      const commitment = await writeNewSpec(o.out, json, spec);
      const lr = `0x${learningRate.bits.toString(16).padStart(4, "0")}`;
      process.stdout.write(
        `${o.out}: written, readable by its owner only. Keep it secret: it opens the commitment.\n` +
          `  learning rate ${o.learningRate} -> bf16 ${lr} = ${learningRate.value}\n` +
          `  family ${familyOfSpec(spec).name}\n` +
          `  accumulation ${describeRule(spec.accumulation ?? SEQUENTIAL_FP32)}\n` +
          `  dataset ${path.relative(process.cwd(), path.resolve(o.dataset))} (root 0x${spec.dataset.root.toString(16)})\n` +
          `  commitment 0x${commitment.toString(16).padStart(64, "0")}\n`,
      );
    },
  );

program
  .command("show")
  .argument("<file>", "a training spec")
  .description("Validates a spec and prints its public facts: family, commitment, shape (not its secrets).")
  .action(async (file: string) => {
    const spec = await readSpec(file);
    process.stdout.write(
      `${file}: family ${familyOfSpec(spec).name}\n` +
        `  accumulation ${describeRule(spec.accumulation ?? SEQUENTIAL_FP32)}\n` +
        `  learning rate 0x${spec.optimizer.learningRate.toString(16).padStart(4, "0")} = ${bf16ToNumber(spec.optimizer.learningRate)}, ` +
        `batch ${spec.batchSize}, ${spec.plannedSteps} steps planned, checkpoint every ${spec.checkpointInterval}\n` +
        `  dataset ${spec.dataset.name} (${spec.dataset.size} samples, root 0x${spec.dataset.root.toString(16)})\n` +
        `  commitment 0x${specCommitment(spec).toString(16).padStart(64, "0")}\n`,
    );
  });

if (isEntryPoint(import.meta.url)) runProgram(program);
