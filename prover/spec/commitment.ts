/**
 * Canonical field encoding of a training spec and its salted Poseidon
 * commitment (DESIGN §3). This is the one definition; circuits/spec mirrors it.
 */
import { hashTagged, TAGS } from "../commit/poseidon.js";
import type { TrainingSpec } from "./schema.js";

/** Codes of the enumerated spec fields. */
export const MODEL_FAMILY_CODES = { "linear-mse": 1n, "mlp-mse": 2n } as const;

/**
 * The accumulation rule's code: 0 for sequential fp32 (so specs without the field keep their commitment),
 * else 1 + 2 * (min + 128) + 512 * (max + 128) for the exact rule over [min, max]
 * (circuits/training/family.circom decodes it).
 */
export function accumulationCode(a: TrainingSpec["accumulation"]): bigint {
  if (a?.rule !== "exact") return 0n;
  return 1n + 2n * BigInt(a.range.min + 128) + 512n * BigInt(a.range.max + 128);
}

/**
 * The "model.family" field: the family code plus 256 times the hidden width
 * (0 for linear-mse, whose field stays 1) plus 2^16 times the accumulation
 * code (0 for sequential fp32), so one field commits to all three.
 */
export const modelField = (m: TrainingSpec["model"], a?: TrainingSpec["accumulation"]): bigint =>
  MODEL_FAMILY_CODES[m.family] + 256n * BigInt(m.family === "mlp-mse" ? m.hidden : 0) + 65536n * accumulationCode(a);
export const OPTIMIZER_CODES = { sgd: 1n } as const;

/** Names of the encoded fields, in commitment order (the salt follows them). */
export const SPEC_FIELDS = [
  "version",
  "model.family", // family code + 256 * model.hidden + 2^16 * accumulation code
  "model.inputs",
  "model.outputs",
  "optimizer.kind",
  "optimizer.learningRate",
  "batchSize",
  "plannedSteps",
  "checkpointInterval",
  "dataset.size",
  "dataset.root",
  "dataSeed",
  "initSeed",
] as const;

/** The spec as field elements, in SPEC_FIELDS order (without the salt). */
export function encodeSpec(s: TrainingSpec): bigint[] {
  return [
    BigInt(s.version),
    modelField(s.model, s.accumulation),
    BigInt(s.model.inputs),
    BigInt(s.model.outputs),
    OPTIMIZER_CODES[s.optimizer.kind],
    BigInt(s.optimizer.learningRate),
    BigInt(s.batchSize),
    BigInt(s.plannedSteps),
    BigInt(s.checkpointInterval),
    BigInt(s.dataset.size),
    s.dataset.root,
    s.dataSeed,
    s.initSeed,
  ];
}

/** Spec commitment = Poseidon(tag("vtr/spec/v1"), fields..., salt): 15 inputs. */
export function specCommitment(s: TrainingSpec): bigint {
  return hashTagged(TAGS.spec, [...encodeSpec(s), s.salt]);
}
