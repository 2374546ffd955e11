/**
 * A new training spec from a lab's choices (issue #9): fresh secrets from a
 * cryptographic source, the shape taken from the dataset, the learning rate
 * converted to bf16 by the dataset's own rule. The spec file is the lab's
 * secret: whoever holds it can open the commitment and read the seeds.
 */
import type { ModelFamily } from "../training/architecture.js";
import { randomBytes } from "node:crypto";
import { open } from "node:fs/promises";
import path from "node:path";
import { FIELD_P } from "../circom/r1cs.js";
import type { CommittedDataset } from "../dataset/dataset.js";
import { rangeProblem, type AccumulationRule } from "../numerics/accumulation.js";
import { decode, BF16 } from "../numerics/format.js";
import { bf16ToNumber, numberToBf16 } from "../numerics/index.js";
import { specCommitment } from "./commitment.js";
import { parseSpec, type TrainingSpec } from "./schema.js";

/**
 * A uniform element of the BN254 scalar field: 254 random bits, redrawn
 * while not below the modulus (rejection sampling: each draw is accepted
 * with probability p / 2^254 > 0.68, and the result is exactly uniform).
 */
export function randomFieldElement(random: (n: number) => Buffer = randomBytes): bigint {
  for (;;) {
    const bytes = random(32);
    const x = BigInt(`0x${bytes.toString("hex")}`) & ((1n << 254n) - 1n);
    if (x < FIELD_P) return x;
  }
}

/**
 * A decimal learning rate as a bf16 pattern by the project's one conversion
 * rule (nearest binary64, then binary32 and bf16 round-to-nearest-even);
 * refused unless the result is a positive normal bf16, as the circuits require.
 */
export function learningRateBf16(decimal: string): { bits: number; value: number } {
  const text = decimal.trim();
  if (!/^[+]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text))
    throw new Error(`learning rate must be a positive decimal number, got "${decimal}"`);
  const bits = numberToBf16(Number(text));
  const d = decode(bits, BF16);
  if (d.kind !== "finite" || d.sign !== 0 || d.significand === 0n)
    throw new Error(
      `learning rate ${decimal} rounds to bf16 ${hex4(bits)} (${bf16ToNumber(bits)}): not a positive finite value`,
    );
  if (((bits >> 7) & 0xff) === 0)
    throw new Error(
      `learning rate ${decimal} rounds to a subnormal bf16 (${hex4(bits)}); the circuits require a normal one (>= 2^-126)`,
    );
  return { bits, value: bf16ToNumber(bits) };
}

/**
 * The accumulation rule from its command-line spelling: "sequential-fp32", or "exact:MIN..MAX" for the
 * exactly rounded rule whose operands have leading exponents in [MIN, MAX] (e.g. exact:-40..15).
 */
export function parseAccumulation(text: string): AccumulationRule {
  if (text === "sequential-fp32") return { rule: "sequential-fp32" };
  const m = /^exact:(-?\d+)\.\.(-?\d+)$/.exec(text.trim());
  if (!m) throw new Error(`accumulation must be sequential-fp32 or exact:MIN..MAX (e.g. exact:-40..15), got "${text}"`);
  const range = { min: Number(m[1]), max: Number(m[2]) };
  const problem = rangeProblem(range);
  if (problem) throw new Error(`accumulation ${text}: ${problem}`);
  return { rule: "exact", range };
}

/** The first dataset feature outside an exact rule's range (the rule has no result for it), if any. */
export function featureOutsideRange(data: CommittedDataset, rule: AccumulationRule): string | undefined {
  if (rule.rule !== "exact") return undefined;
  for (const [n, s] of data.dataset.samples.entries())
    for (const [i, x] of s.features.entries()) {
      const d = decode(x, BF16);
      if (d.kind !== "finite") return `sample ${n}, feature ${i} is ${d.kind}`;
      if (d.significand === 0n) continue;
      const e = d.significand.toString(2).length - 1 + d.exponent;
      if (e < rule.range.min || e > rule.range.max)
        return `sample ${n}, feature ${i} = ${bf16ToNumber(x)} has exponent ${e}, outside ${rule.range.min} .. ${rule.range.max}`;
    }
  return undefined;
}

const hex4 = (bits: number): string => `0x${bits.toString(16).padStart(4, "0")}`;
const hexField = (x: bigint): string => `0x${x.toString(16).padStart(64, "0")}`;

export interface InitOptions {
  /** The imported dataset and where its file is. */
  readonly dataset: { readonly committed: CommittedDataset; readonly file: string };
  readonly family: ModelFamily;
  /** Hidden width: required for mlp-mse, refused for linear-mse. */
  readonly hidden?: number;
  /** Default: the dataset's feature count. */
  readonly inputs?: number;
  /** Default: the dataset's class count. */
  readonly outputs?: number;
  readonly learningRate: string;
  readonly batchSize: number;
  readonly plannedSteps: number;
  readonly checkpointInterval: number;
  /** Default: sequential fp32 (the field is then left out of the file). */
  readonly accumulation?: AccumulationRule;
  /** Where the spec will be written: the dataset path is recorded relative to it. */
  readonly out: string;
  /** Randomness (tests inject their own); default crypto.randomBytes. */
  readonly random?: (n: number) => Buffer;
}

/** The spec as written to disk (JSON) and as parsed. */
export function newSpec(o: InitOptions): {
  json: Record<string, unknown>;
  spec: TrainingSpec;
  learningRate: { bits: number; value: number };
} {
  const data = o.dataset.committed.dataset;
  const inputs = o.inputs ?? data.features;
  const outputs = o.outputs ?? data.classes;
  if (inputs !== data.features)
    throw new Error(`--inputs ${inputs} does not match the dataset's ${data.features} features`);
  if (outputs !== data.classes)
    throw new Error(`--outputs ${outputs} does not match the dataset's ${data.classes} classes`);
  if (
    !Number.isInteger(o.plannedSteps) ||
    !Number.isInteger(o.checkpointInterval) ||
    o.checkpointInterval < 1 ||
    o.plannedSteps % o.checkpointInterval !== 0
  )
    throw new Error(
      `planned steps (${o.plannedSteps}) must be a positive multiple of the checkpoint interval (${o.checkpointInterval}): the registry refuses other plans`,
    );
  if (o.family === "mlp-mse" && o.hidden === undefined) throw new Error("an mlp-mse spec needs --hidden <n>");
  if (o.family === "linear-mse" && o.hidden !== undefined)
    throw new Error("--hidden is for mlp-mse: a linear-mse model has no hidden layer");
  const lr = learningRateBf16(o.learningRate);
  const outside = o.accumulation ? featureOutsideRange(o.dataset.committed, o.accumulation) : undefined;
  if (outside)
    throw new Error(
      `the dataset does not fit the declared exponent range: ${outside}; widen the range or rescale the data`,
    );
  const random = o.random ?? randomBytes;
  const json = {
    version: 1,
    model:
      o.family === "mlp-mse"
        ? { family: o.family, inputs, hidden: o.hidden, outputs }
        : { family: o.family, inputs, outputs },
    ...(o.accumulation?.rule === "exact" ? { accumulation: o.accumulation } : {}),
    optimizer: { kind: "sgd", learningRate: hex4(lr.bits) },
    batchSize: o.batchSize,
    plannedSteps: o.plannedSteps,
    checkpointInterval: o.checkpointInterval,
    dataset: {
      name: data.name,
      size: data.samples.length,
      root: `0x${o.dataset.committed.root.toString(16)}`,
      file: path
        .relative(path.dirname(path.resolve(o.out)), path.resolve(o.dataset.file))
        .split(path.sep)
        .join("/"),
    },
    dataSeed: hexField(randomFieldElement(random)),
    initSeed: hexField(randomFieldElement(random)),
    salt: hexField(randomFieldElement(random)),
  };
  return { json, spec: parseSpec(json, o.out), learningRate: lr };
}

/**
 * Writes a spec file readable by its owner only (0600), refusing to replace
 * an existing file; returns the commitment.
 */
export async function writeNewSpec(out: string, json: Record<string, unknown>, spec: TrainingSpec): Promise<bigint> {
  let handle;
  try {
    handle = await open(out, "wx", 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST")
      throw new Error(`${out} exists: a spec holds a lab's secrets, so it is never overwritten (choose another --out)`);
    throw err;
  }
  try {
    await handle.writeFile(JSON.stringify(json, null, 2) + "\n");
    await handle.chmod(0o600); // the mode of open() is filtered by the umask; this one is not
  } finally {
    await handle.close();
  }
  return specCommitment(spec);
}
