/**
 * The circuit manifest: every circuit that gets proving keys and a verifier.
 * Each entry names a template from circuits/, its parameters and its public
 * inputs; the public-signal layout (outputs first, then public inputs, as
 * snarkjs orders them) is declared here once and checked against the compiled
 * circuit by the artifact builder. Training circuits are derived from a
 * model shape (and K), and their ids spell their parameters, so any id maps
 * back to its circuit: nothing is listed by hand but the defaults.
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

import { depthFor } from "../commit/merkle.js";
import { CHECKPOINT_PUBLIC_SIGNALS, GENESIS_PUBLIC_SIGNALS } from "../statement/statement.js";

/** What a family's circuits are built for: model, shape, batch size and dataset size (depth follows). */
export interface ModelShape {
  readonly model: "linear-mse";
  readonly inputs: number;
  readonly outputs: number;
  readonly batch: number;
  /** Samples in the committed dataset; the Merkle depth is depthFor(size). */
  readonly size: number;
}

/** Short model code used in circuit ids. */
const MODEL_CODE = { "linear-mse": "linear" } as const;
const shapeTag = (s: ModelShape): string => `${MODEL_CODE[s.model]}_i${s.inputs}o${s.outputs}b${s.batch}n${s.size}`;
const SHAPE_ID = /^(linear)_i(\d+)o(\d+)b(\d+)n(\d+)$/;

/** The genesis circuit of a shape: Genesis(I, O, B, N). */
export function genesisCircuit(s: ModelShape): CircuitSpec {
  return {
    id: `genesis_${shapeTag(s)}`,
    statement:
      "the initial weights derived from the committed init seed have root root0, and the private spec " +
      "(opened from specCommitment, with a positive normal bf16 learning rate and at least one planned step) has " +
      "these parameter count, FLOPs per step and planned steps; bound to lab",
    include: "training/genesis.circom",
    template: "Genesis",
    params: [s.inputs, s.outputs, s.batch, s.size],
    publicInputs: GENESIS_PUBLIC_SIGNALS,
    publicSignals: GENESIS_PUBLIC_SIGNALS,
  };
}

/** The Checkpoint(K) circuit of a shape: Checkpoint(I, O, B, K, N, D); K = 1 is the step circuit. */
export function checkpointCircuit(s: ModelShape, K: number): CircuitSpec {
  if (!Number.isInteger(K) || K < 1) throw new Error(`checkpoint size K must be a positive integer, got ${K}`);
  return {
    id: `checkpoint_${shapeTag(s)}k${K}`,
    statement:
      K === 1
        ? "one training step (Checkpoint(1)) from firstStep: batch drawn from the committed dataset by the committed " +
          "data seed and the run's registration beacon, labels in range and features finite, forward, gradient and " +
          "SGD update bit-exact with the committed learning rate, weights rootBefore -> rootAfter"
        : `${K} consecutive training steps re-proved in one circuit (aggregation by re-proving, not recursion), ` +
          `chained rootBefore -> rootAfter, with their FLOPs and the accumulator over the ${K} step statements`,
    include: "training/checkpoint.circom",
    template: "Checkpoint",
    params: [s.inputs, s.outputs, s.batch, K, s.size, depthFor(s.size)],
    publicInputs: CHECKPOINT_PUBLIC_SIGNALS,
    publicSignals: CHECKPOINT_PUBLIC_SIGNALS,
  };
}

/** The example spec's shape (prover/spec/examples/iris-linear.json): linear-mse 4 -> 3, batch 2, iris (150). */
export const DEFAULT_SHAPE: ModelShape = { model: "linear-mse", inputs: 4, outputs: 3, batch: 2, size: 150 };
/** Checkpoint sizes built and deployed by default for DEFAULT_SHAPE. */
export const DEFAULT_KS = [1, 4] as const;

const DOT4: CircuitSpec = {
  id: "dot4",
  statement:
    "out is the bit-exact bf16 dot product (sequential fp32 accumulation, round-to-nearest-even) " +
    "of the public bf16 vector a and a private bf16 vector b",
  include: "float/arith.circom",
  template: "Bf16Dot",
  params: [4],
  publicInputs: ["a"],
  publicSignals: ["out", "a[0]", "a[1]", "a[2]", "a[3]"],
};

/** The circuits `npm run artifacts` builds by default: dot4 and the default shape's families. */
export const CIRCUITS: readonly CircuitSpec[] = [
  DOT4,
  genesisCircuit(DEFAULT_SHAPE),
  ...DEFAULT_KS.map((K) => checkpointCircuit(DEFAULT_SHAPE, K)),
];

export type CircuitId = string;

/** A circuit by id: dot4, or any genesis_/checkpoint_ id, whose parameters the id itself spells. */
export function circuitSpec(id: string): CircuitSpec {
  if (id === DOT4.id) return DOT4;
  const g = /^genesis_(.+)$/.exec(id);
  const c = /^checkpoint_(.+)k(\d+)$/.exec(id);
  const tag = g?.[1] ?? c?.[1];
  const m = tag === undefined ? null : SHAPE_ID.exec(tag);
  if (!m) {
    throw new Error(
      `unknown circuit "${id}": expected dot4, genesis_linear_i<I>o<O>b<B>n<N> or checkpoint_linear_i<I>o<O>b<B>n<N>k<K>`,
    );
  }
  const shape: ModelShape = { model: "linear-mse", inputs: +m[2]!, outputs: +m[3]!, batch: +m[4]!, size: +m[5]! };
  const spec = g ? genesisCircuit(shape) : checkpointCircuit(shape, +c![2]!);
  if (spec.id !== id) throw new Error(`unknown circuit "${id}" (not in canonical form; did you mean ${spec.id}?)`);
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
