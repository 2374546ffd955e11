/**
 * The circuit manifest: every circuit that gets proving keys and a verifier.
 * Each entry names a template from circuits/, its parameters and its public
 * inputs; the public-signal layout (outputs first, then public inputs, as
 * snarkjs orders them) is declared here once and checked against the compiled
 * circuit by the artifact builder.
 */

export interface CircuitSpec {
  /** Identifier: build folder, file names and the verifier's contract name. */
  readonly id: string;
  /** What the proof states, in one sentence. */
  readonly statement: string;
  /** Library file under circuits/ holding the template. */
  readonly include: string;
  readonly template: string;
  readonly params: readonly number[];
  /** Input signals of main made public. */
  readonly publicInputs: readonly string[];
  /** The public signals in proof order: outputs, then public inputs. */
  readonly publicSignals: readonly string[];
}

import { CHECKPOINT_PUBLIC_SIGNALS, GENESIS_PUBLIC_SIGNALS } from "../statement/statement.js";

/** The linear-mse family of the example spec: 4 inputs, 3 outputs, batch 2, iris (150 samples, depth 8). */
const LINEAR_IRIS = { I: 4, O: 3, B: 2, N: 150, D: 8 } as const;
const { I, O, B, N, D } = LINEAR_IRIS;

export const CIRCUITS = [
  {
    id: "dot4",
    statement:
      "out is the bit-exact bf16 dot product (sequential fp32 accumulation, round-to-nearest-even) " +
      "of the public bf16 vector a and a private bf16 vector b",
    include: "float/arith.circom",
    template: "Bf16Dot",
    params: [4],
    publicInputs: ["a"],
    publicSignals: ["out", "a[0]", "a[1]", "a[2]", "a[3]"],
  },
  {
    id: "genesis_linear_i4o3b2",
    statement:
      "the initial weights derived from the committed init seed have root root0, and the private spec " +
      "(opened from specCommitment, with a positive normal bf16 learning rate and at least one planned step) has " +
      "these parameter count, FLOPs per step and planned steps; bound to lab",
    include: "training/genesis.circom",
    template: "Genesis",
    params: [I, O, B, N],
    publicInputs: GENESIS_PUBLIC_SIGNALS,
    publicSignals: GENESIS_PUBLIC_SIGNALS,
  },
  {
    id: "step_linear_i4o3b2",
    statement:
      "one training step (Checkpoint(1)) from firstStep: batch drawn from the committed dataset by the committed " +
      "data seed and the run's registration beacon, labels in range and features finite, forward, gradient and " +
      "SGD update bit-exact with the committed learning rate, weights rootBefore -> rootAfter",
    include: "training/checkpoint.circom",
    template: "Checkpoint",
    params: [I, O, B, 1, N, D],
    publicInputs: CHECKPOINT_PUBLIC_SIGNALS,
    publicSignals: CHECKPOINT_PUBLIC_SIGNALS,
  },
  {
    id: "checkpoint4_linear_i4o3b2",
    statement:
      "four consecutive training steps re-proved in one circuit (aggregation by re-proving, not recursion), " +
      "chained rootBefore -> rootAfter, with their FLOPs and the accumulator over the four step statements",
    include: "training/checkpoint.circom",
    template: "Checkpoint",
    params: [I, O, B, 4, N, D],
    publicInputs: CHECKPOINT_PUBLIC_SIGNALS,
    publicSignals: CHECKPOINT_PUBLIC_SIGNALS,
  },
] as const satisfies readonly CircuitSpec[];

export type CircuitId = (typeof CIRCUITS)[number]["id"];

export function circuitSpec(id: string): CircuitSpec {
  const spec = CIRCUITS.find((c) => c.id === id);
  if (!spec) throw new Error(`unknown circuit "${id}"; known: ${CIRCUITS.map((c) => c.id).join(", ")}`);
  return spec;
}

/** The thin main file for a manifest entry. */
export function mainSource(spec: CircuitSpec): string {
  const pub = spec.publicInputs.length ? ` {public [${spec.publicInputs.join(", ")}]}` : "";
  return (
    `// Generated from prover/proving/manifest.ts (${spec.id}); do not edit.\n` +
    `pragma circom 2.2.0;\n\ninclude "${spec.include}";\n\n` +
    `component main${pub} = ${spec.template}(${spec.params.join(", ")});\n`
  );
}

/** Solidity contract name of a circuit's verifier (dot4 -> Dot4Verifier). */
export const verifierName = (id: string): string =>
  id.replace(/(^|_)([a-z0-9])/g, (_, __: string, c: string) => c.toUpperCase()) + "Verifier";
