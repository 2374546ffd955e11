/**
 * The training specification: the private file a lab commits to (DESIGN §1,
 * §3). Validated at the boundary; every error names the field and what is
 * wrong with it.
 */
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { FIELD_P } from "../circom/r1cs.js";
import { rangeProblem } from "../numerics/accumulation.js";
import { decode, BF16 } from "../numerics/index.js";

/** A field element written as a decimal or 0x-hex string (JSON numbers cannot hold 254 bits). */
const fieldElement = z
  .string()
  .regex(/^(0x[0-9a-fA-F]+|[0-9]+)$/, "must be a decimal or 0x-hex string")
  .transform((s) => BigInt(s))
  .refine((x) => x < FIELD_P, "must be below the BN254 scalar field modulus");

/** A bf16 bit pattern written as a 0x-hex string of 4 digits, finite and positive. */
const bf16Positive = z
  .string()
  .regex(/^0x[0-9a-fA-F]{4}$/, 'must be a bf16 bit pattern as 4 hex digits, e.g. "0x3c23"')
  .transform((s) => Number(s))
  .refine((x) => {
    const d = decode(x, BF16);
    return d.kind === "finite" && d.sign === 0 && d.significand > 0n;
  }, "must be a finite, positive bf16 value");

const count = (max: number) =>
  z.number().int("must be an integer").min(1, "must be at least 1").max(max, `must be at most ${max}`);

export const TrainingSpecSchema = z
  .object({
    version: z.literal(1),
    model: z.discriminatedUnion("family", [
      z
        .object({
          /** Softmax-free linear model y = W x + b trained on mean squared error. */
          family: z.literal("linear-mse"),
          inputs: count(64),
          outputs: count(64),
        })
        .strict(),
      z
        .object({
          /** inputs -> hidden (ReLU) -> outputs, trained on mean squared error (prover/training/mlp.ts). */
          family: z.literal("mlp-mse"),
          inputs: count(64),
          hidden: count(64),
          outputs: count(64),
        })
        .strict(),
    ]),
    optimizer: z
      .object({
        kind: z.literal("sgd"),
        /** Learning rate as a bf16 bit pattern. */
        learningRate: bf16Positive,
      })
      .strict(),
    /**
     * How every sum of a step is accumulated and rounded (prover/numerics/accumulation.ts). Absent, or
     * "sequential-fp32": fp32 multiply-accumulates in order. "exact": each dot product's exact value rounded
     * once, with every operand in the declared exponent range (2^min <= |v| < 2^(max+1), or ±0).
     */
    accumulation: z
      .discriminatedUnion("rule", [
        z.object({ rule: z.literal("sequential-fp32") }).strict(),
        z
          .object({
            rule: z.literal("exact"),
            range: z
              .object({ min: z.number().int("must be an integer"), max: z.number().int("must be an integer") })
              .strict()
              .superRefine((r, ctx) => {
                const problem = rangeProblem(r);
                if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
              }),
          })
          .strict(),
      ])
      .optional(),
    batchSize: count(64),
    plannedSteps: count(2 ** 32 - 1),
    checkpointInterval: count(1024),
    dataset: z
      .object({
        /** A human-readable reference (not committed; the root and size are). */
        name: z.string().min(1),
        size: count(2 ** 20),
        /** Poseidon Merkle root of the samples. */
        root: fieldElement,
        /**
         * The dataset file (`npm run dataset -- import`), relative to the spec
         * file; not committed (the root and size are). Absent: the built-in iris set.
         */
        file: z.string().min(1).optional(),
      })
      .strict(),
    dataSeed: fieldElement,
    initSeed: fieldElement,
    /** Random salt that makes the commitment hiding. */
    salt: fieldElement,
  })
  .strict();

export type TrainingSpec = z.output<typeof TrainingSpecSchema>;

/** Validates a parsed JSON value; throws one message listing every problem by field path. */
export function parseSpec(json: unknown, source = "spec"): TrainingSpec {
  const r = TrainingSpecSchema.safeParse(json);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`);
    throw new Error(`invalid training spec ${source}:\n${lines.join("\n")}`);
  }
  return r.data;
}

/** Reads and validates a spec file. */
export async function readSpec(file: string): Promise<TrainingSpec> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, "utf8"));
  } catch (err) {
    throw new Error(`cannot read training spec ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return parseSpec(json, file);
}
