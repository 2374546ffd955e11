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
import type { ExponentRange } from "../numerics/exact.js";
import { accumulationCode, MODEL_FAMILY_CODES } from "../spec/commitment.js";
import { CHECKPOINT_PUBLIC_SIGNALS, GENESIS_PUBLIC_SIGNALS } from "../statement/statement.js";
import type { ModelFamily } from "../training/architecture.js";

/** What a family's circuits are built for: model, shape, batch size and dataset size (depth follows). */
export interface ModelShape {
  readonly model: ModelFamily;
  readonly inputs: number;
  /** Hidden width (mlp-mse only). */
  readonly hidden?: number;
  readonly outputs: number;
  readonly batch: number;
  /** Samples in the committed dataset; the Merkle depth is depthFor(size). */
  readonly size: number;
  /** The exactly rounded accumulation rule's exponent range; absent: sequential fp32 (issue #28). */
  readonly exact?: ExponentRange;
}

/** Short model code used in circuit ids. */
const MODEL_CODE = { "linear-mse": "linear", "mlp-mse": "mlp" } as const;
const hiddenOf = (s: ModelShape): number => (s.model === "mlp-mse" ? (s.hidden ?? 0) : 0);
/** A signed exponent in an id: m40 for -40, p15 for 15. */
const signed = (n: number): string => (n < 0 ? `m${-n}` : `p${n}`);
const unsigned = (t: string): number => (t.startsWith("m") ? -Number(t.slice(1)) : Number(t.slice(1)));
const shapeTag = (s: ModelShape): string =>
  `${MODEL_CODE[s.model]}_i${s.inputs}${s.model === "mlp-mse" ? `h${hiddenOf(s)}` : ""}o${s.outputs}b${s.batch}n${s.size}` +
  (s.exact ? `x${signed(s.exact.min)}${signed(s.exact.max)}` : "");
const SHAPE_ID = /^(linear|mlp)_i(\d+)(?:h(\d+))?o(\d+)b(\d+)n(\d+)(?:x([mp]\d+)([mp]\d+))?$/;

/**
 * The leading template parameters every training circuit takes: the model code M (family code + 16 times
 * the accumulation code, circuits/training/family.circom), inputs, hidden width, outputs.
 */
function modelParams(s: ModelShape): number[] {
  if (s.model === "mlp-mse" && !(Number.isInteger(s.hidden) && s.hidden! >= 1))
    throw new Error(`an mlp-mse shape needs a hidden width >= 1, got ${String(s.hidden)}`);
  const acc = s.exact ? accumulationCode({ rule: "exact", range: s.exact }) : 0n;
  return [Number(MODEL_FAMILY_CODES[s.model] + 16n * acc), s.inputs, hiddenOf(s), s.outputs];
}

/**
 * The shape spelled by a circuit id's or family name's numbers (inputs,
 * hidden, outputs, batch, size; hidden absent for linear-mse); undefined when
 * the hidden width's presence does not match the model.
 */
export function shapeOfMatch(
  model: ModelShape["model"],
  n: ReadonlyArray<string | undefined>,
  exact?: ExponentRange,
): ModelShape | undefined {
  const [inputs, hidden, outputs, batch, size] = n;
  if ((model === "mlp-mse") !== (hidden !== undefined)) return undefined;
  return {
    model,
    inputs: Number(inputs),
    ...(hidden !== undefined ? { hidden: Number(hidden) } : {}),
    outputs: Number(outputs),
    batch: Number(batch),
    size: Number(size),
    ...(exact ? { exact } : {}),
  };
}

/** A readable model: "linear-mse 4->3" or "mlp-mse 4->6->3", with ", exact[-40..15]" under the exact rule. */
export const describeShape = (s: ModelShape): string =>
  `${s.model} ${s.inputs}->${s.model === "mlp-mse" ? `${hiddenOf(s)}->` : ""}${s.outputs}` +
  (s.exact ? `, exact[${s.exact.min}..${s.exact.max}]` : "");

/** The genesis circuit of a shape: Genesis(M, I, H, O, B, N). */
export function genesisCircuit(s: ModelShape): CircuitSpec {
  return {
    id: `genesis_${shapeTag(s)}`,
    statement:
      `${describeShape(s)}: the initial weights derived from the committed init seed have root root0, and the private spec ` +
      "(opened from specCommitment, with a positive normal bf16 learning rate and at least one planned step) has " +
      "these parameter count, FLOPs per step and planned steps; bound to lab",
    include: "training/genesis.circom",
    template: "Genesis",
    params: [...modelParams(s), s.batch, s.size],
    publicInputs: GENESIS_PUBLIC_SIGNALS,
    publicSignals: GENESIS_PUBLIC_SIGNALS,
  };
}

/** The Checkpoint(K) circuit of a shape: Checkpoint(M, I, H, O, B, K, N, D); K = 1 is the step circuit. */
export function checkpointCircuit(s: ModelShape, K: number): CircuitSpec {
  if (!Number.isInteger(K) || K < 1) throw new Error(`checkpoint size K must be a positive integer, got ${K}`);
  return {
    id: `checkpoint_${shapeTag(s)}k${K}`,
    statement:
      K === 1
        ? `${describeShape(s)}: one training step (Checkpoint(1)) from firstStep: batch drawn` +
          " from the committed dataset by the committed " +
          "data seed and the run's registration beacon, labels in range and features finite, forward, gradient and " +
          "SGD update bit-exact with the committed learning rate, weights rootBefore -> rootAfter"
        : `${describeShape(s)}: ${K} consecutive training steps re-proved in one circuit (aggregation by re-proving, not recursion), ` +
          `chained rootBefore -> rootAfter, with their FLOPs and the accumulator over the ${K} step statements`,
    include: "training/checkpoint.circom",
    template: "Checkpoint",
    params: [...modelParams(s), s.batch, K, s.size, depthFor(s.size)],
    publicInputs: CHECKPOINT_PUBLIC_SIGNALS,
    publicSignals: CHECKPOINT_PUBLIC_SIGNALS,
  };
}

/** How a chunked step cuts its model (issue #26): hidden units per hidden tile, outputs per output tile. */
export interface Tiling {
  readonly hiddenBlock: number;
  readonly outputBlock: number;
}

/**
 * The three circuits of a chunked mlp-mse step under the exact rule (circuits/chunk, docs/chunks.md): the
 * hidden tile and the output tile, whose ids spell only their tile sizes and size bounds (not the dataset,
 * nor the other widths than they need), and the link, whose id spells the whole shape and the tiling.
 */
export function chunkCircuits(
  s: ModelShape,
  t: Tiling,
): { hidden: CircuitSpec; output: CircuitSpec; link: CircuitSpec } {
  if (s.model !== "mlp-mse" || !s.exact) throw new Error("chunked steps are built for mlp-mse under the exact rule");
  const H = hiddenOf(s);
  const { hiddenBlock: HB, outputBlock: OB } = t;
  if (!(HB >= 1 && H % HB === 0 && OB >= 1 && s.outputs % OB === 0))
    throw new Error(`tiling ${HB}/${OB} does not divide hidden ${H} and outputs ${s.outputs}`);
  const x = `x${signed(s.exact.min)}${signed(s.exact.max)}`;
  const range = [s.exact.min, s.exact.max];
  const NT = H / HB + s.outputs / OB;
  return {
    hidden: {
      id: `chunkhid_i${s.inputs}hb${HB}o${s.outputs}b${s.batch}${x}`,
      statement:
        `hidden tile of ${HB} units over ${s.inputs} inputs (exact[${range.join("..")}], batch ${s.batch}): ` +
        "activations, hidden errors from the totals and the updates of its W1 rows and b1 entries, all digested in io",
      include: "chunk/mlp.circom",
      template: "MlpHiddenTile",
      params: [s.inputs, HB, s.outputs, s.batch, ...range],
      publicInputs: ["io"],
      publicSignals: ["io"],
    },
    output: {
      id: `chunkout_h${H}hb${HB}o${s.outputs}ob${OB}b${s.batch}${x}`,
      statement:
        `output tile of ${OB} outputs over ${H} hidden units (exact[${range.join("..")}], batch ${s.batch}): ` +
        "outputs, errors, its part of the hidden-error totals and the updates of its W2 rows and b2 entries, all digested in io",
      include: "chunk/mlp.circom",
      template: "MlpOutputTile",
      params: [H, HB, s.outputs, OB, s.batch, ...range],
      publicInputs: ["io"],
      publicSignals: ["io"],
    },
    link: {
      id: `chunklink_${shapeTag(s)}hb${HB}ob${OB}`,
      statement:
        `${describeShape(s)}: the statement of one step proof (Checkpoint(1)) whose arithmetic is proven by the ` +
        `${NT} tiles whose io values are public here, wired through the weights roots and the tensors they hand each other`,
      include: "chunk/link.circom",
      template: "MlpChunkLink",
      params: [...modelParams(s), s.batch, HB, OB, s.size, depthFor(s.size)],
      publicInputs: [...CHECKPOINT_PUBLIC_SIGNALS, "io"],
      publicSignals: [...CHECKPOINT_PUBLIC_SIGNALS, ...Array.from({ length: NT }, (_, i) => `io[${i}]`)],
    },
  };
}

/**
 * The circuits of a chunked mlp-mse run's genesis (circuits/chunk/genesis.circom, docs/chunks.md): the init
 * tiles of the hidden blocks' W1 rows (HB * I parameters) and of the output blocks' W2 rows (OB * H), whose
 * ids spell only their length (one circuit when the two lengths are equal), and the genesis link, whose id
 * spells the whole shape and the tiling.
 */
export function genesisChunkCircuits(
  s: ModelShape,
  t: Tiling,
): { hidden: CircuitSpec; output: CircuitSpec; link: CircuitSpec } {
  const { link: stepLink } = chunkCircuits(s, t); // the same shape and tiling checks
  const H = hiddenOf(s);
  const { hiddenBlock: HB, outputBlock: OB } = t;
  const NT = H / HB + s.outputs / OB;
  const init = (L: number): CircuitSpec => ({
    id: `chunkinit_l${L}`,
    statement:
      `init tile of ${L} parameters: each derived from the init seed at its index with one top exponent, ` +
      "absorbed into the weights sponge from a state at a phase, all digested in io",
    include: "chunk/genesis.circom",
    template: "InitTile",
    params: [L],
    publicInputs: ["io"],
    publicSignals: ["io"],
  });
  return {
    hidden: init(HB * s.inputs),
    output: init(OB * H),
    link: {
      id: stepLink.id.replace(/^chunklink_/, "chunkgen_"),
      statement:
        `${describeShape(s)}: the statement of a genesis proof whose initial weights are derived by the ` +
        `${NT} init tiles whose io values are public here, wired through the weights sponge to R0`,
      include: "chunk/genesis.circom",
      template: "MlpGenesisLink",
      params: [...modelParams(s), s.batch, HB, OB, s.size],
      publicInputs: [...GENESIS_PUBLIC_SIGNALS, "io"],
      publicSignals: [...GENESIS_PUBLIC_SIGNALS, ...Array.from({ length: NT }, (_, i) => `io[${i}]`)],
    },
  };
}

/** The K a checkpoint circuit proves (its template parameter after the model and batch). */
export const checkpointSteps = (c: CircuitSpec): number => {
  if (c.template !== "Checkpoint") throw new Error(`${c.id} is not a checkpoint circuit`);
  return c.params[5]!;
};

/** The example spec's shape (prover/spec/examples/iris-linear.json): linear-mse 4 -> 3, batch 2, iris (150). */
export const DEFAULT_SHAPE: ModelShape = { model: "linear-mse", inputs: 4, outputs: 3, batch: 2, size: 150 };
/** Checkpoint sizes built and deployed by default for DEFAULT_SHAPE. */
export const DEFAULT_KS = [1, 4] as const;

/**
 * The MLP example's shape (prover/spec/examples/iris-mlp.json): mlp-mse
 * 4 -> 6 -> 3, batch 2, iris. Its step circuit is the largest checkpoint that
 * fits 2^17 constraints (npm run bench measures it), so K = 1 only.
 */
export const DEFAULT_MLP_SHAPE: ModelShape = {
  model: "mlp-mse",
  inputs: 4,
  hidden: 6,
  outputs: 3,
  batch: 2,
  size: 150,
};
export const DEFAULT_MLP_KS = [1] as const;

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

/** The circuits `npm run artifacts` builds by default: dot4 and the default shapes' families. */
export const CIRCUITS: readonly CircuitSpec[] = [
  DOT4,
  genesisCircuit(DEFAULT_SHAPE),
  ...DEFAULT_KS.map((K) => checkpointCircuit(DEFAULT_SHAPE, K)),
  genesisCircuit(DEFAULT_MLP_SHAPE),
  ...DEFAULT_MLP_KS.map((K) => checkpointCircuit(DEFAULT_MLP_SHAPE, K)),
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
      `unknown circuit "${id}": expected dot4, genesis_<shape> or checkpoint_<shape>k<K> with <shape> ` +
        "linear_i<I>o<O>b<B>n<N> or mlp_i<I>h<H>o<O>b<B>n<N>, followed by x<min><max> (e.g. xm40p15) under the exact rule",
    );
  }
  const exact = m[7] && m[8] ? { min: unsigned(m[7]), max: unsigned(m[8]) } : undefined;
  const shape = shapeOfMatch(m[1] === "mlp" ? "mlp-mse" : "linear-mse", m.slice(2, 7), exact);
  if (!shape) throw new Error(`unknown circuit "${id}"`);
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

/** Solidity contract name of a circuit's adapter: its verifier, IProofVerifier and IBatchProofVerifier in one contract. */
export const adapterName = (id: string): string => `${verifierName(id)}Adapter`;

/**
 * The Solidity source of a circuit's adapter: the generated verifier inherited untouched, behind
 * IProofVerifier (contracts/verifiers/Groth16VerifierAdapter.sol: its layout) and IBatchProofVerifier
 * (contracts/verifiers/Groth16BatchVerifier.sol, issue #26: its key, read from the verifier's own
 * constants, G2 points in the order snarkjs stores them for the EVM, so the two cannot disagree).
 * `verifiers` is the import path of contracts/verifiers/ relative to the generated directory.
 */
export function adapterSource(spec: CircuitSpec, verifiers: string): string {
  const id = spec.id;
  const verifier = verifierName(id);
  const n = spec.publicSignals.length;
  const ic = Array.from({ length: n + 1 }, (_, i) => [`IC${i}x`, `IC${i}y`]).flat();
  return (
    `// SPDX-License-Identifier: MIT\n` +
    `// Generated by \`npm run artifacts\` from prover/proving/manifest.ts (${id}); do not edit.\n` +
    `pragma solidity ^0.8.24;\n\n` +
    `import {Groth16BatchVerifier} from "${verifiers}/Groth16BatchVerifier.sol";\n` +
    `import {Groth16VerifierAdapter} from "${verifiers}/Groth16VerifierAdapter.sol";\n` +
    `import {${verifier}} from "./${verifier}.sol";\n\n` +
    `/// @title ${adapterName(id)}\n` +
    `/// @notice ${verifier}, untouched, behind IProofVerifier and IBatchProofVerifier: ${n} public signals per proof.\n` +
    `contract ${adapterName(id)} is ${verifier}, Groth16VerifierAdapter, Groth16BatchVerifier {\n` +
    `    function _layout() internal pure override returns (uint256 count, bytes4 selector) {\n` +
    `        return (${n}, ${verifier}.verifyProof.selector);\n` +
    `    }\n\n` +
    `    function _key() internal pure override returns (Groth16Key memory key) {\n` +
    `        key.alpha1 = [alphax, alphay];\n` +
    `        key.beta2 = [betax1, betax2, betay1, betay2];\n` +
    `        key.gamma2 = [gammax1, gammax2, gammay1, gammay2];\n` +
    `        key.delta2 = [deltax1, deltax2, deltay1, deltay2];\n` +
    `        key.ic = new uint256[](${ic.length});\n` +
    ic.map((c, i) => `        key.ic[${i}] = ${c};\n`).join("") +
    `    }\n` +
    `}\n`
  );
}
