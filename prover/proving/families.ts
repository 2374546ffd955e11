/**
 * The circuit families the registry governs (DESIGN §6): one model shape
 * (model, inputs, outputs, batch, dataset size) and checkpoint size K, with
 * the circuits whose verifiers it uses. Everything here is derived from the
 * shape: the canonical name (its keccak256 is the on-chain family id), the
 * genesis and Checkpoint(K) circuits, and the step circuit (K = 1) the
 * prover also writes. A spec determines its family; a name parses back.
 */
import { keccak256, stringToHex, type Hex } from "viem";
import type { TrainingSpec } from "../spec/schema.js";
import {
  checkpointCircuit,
  chunkCircuits,
  genesisChunkCircuits,
  type Tiling,
  DEFAULT_KS,
  DEFAULT_MLP_KS,
  DEFAULT_MLP_SHAPE,
  DEFAULT_SHAPE,
  describeShape,
  genesisCircuit,
  shapeOfMatch,
  type CircuitSpec,
  type ModelShape,
} from "./manifest.js";

export interface FamilySpec {
  /** Canonical name, e.g. linear-mse/i4-o3-b2/n150/k4 or mlp-mse/i4-h6-o3-b2/n150/k1; its keccak256 is the on-chain family id. */
  readonly name: string;
  readonly shape: ModelShape;
  /** Steps K per checkpoint; equals the checkpoint circuit's K parameter. */
  readonly stepsPerCheckpoint: number;
  /** Manifest circuit of the family's genesis proofs. */
  readonly genesis: string;
  /** Manifest circuit of the family's checkpoint proofs (Checkpoint(K)). */
  readonly checkpoint: string;
  /** Checkpoint(1): the per-step proofs the prover writes besides checkpoints (the checkpoint itself when K = 1). */
  readonly step: string;
  readonly description: string;
}

const NAME = /^(linear-mse|mlp-mse)\/i(\d+)(?:-h(\d+))?-o(\d+)-b(\d+)(?:\/exact(-?\d+)\.\.(-?\d+))?\/n(\d+)\/k(\d+)$/;

/** The family of a shape and K; under the exact rule the name says so: linear-mse/i4-o3-b2/exact-40..15/n150/k4. */
export function familyOf(shape: ModelShape, K: number): FamilySpec {
  const hidden = shape.model === "mlp-mse" ? `-h${shape.hidden}` : "";
  const rule = shape.exact ? `/exact${shape.exact.min}..${shape.exact.max}` : "";
  const name = `${shape.model}/i${shape.inputs}${hidden}-o${shape.outputs}-b${shape.batch}${rule}/n${shape.size}/k${K}`;
  return {
    name,
    shape,
    stepsPerCheckpoint: K,
    genesis: genesisCircuit(shape).id,
    checkpoint: checkpointCircuit(shape, K).id,
    step: checkpointCircuit(shape, 1).id,
    description:
      `${describeShape(shape)}, batch ${shape.batch}, a ${shape.size}-sample dataset; ` +
      (K === 1 ? "one step proof per checkpoint" : `${K} steps re-proved per checkpoint`),
  };
}

/** The family a spec's run belongs to (K = the spec's checkpoint interval). */
export function familyOfSpec(spec: TrainingSpec): FamilySpec {
  const m = spec.model;
  return familyOf(
    {
      model: m.family,
      inputs: m.inputs,
      ...(m.family === "mlp-mse" ? { hidden: m.hidden } : {}),
      outputs: m.outputs,
      batch: spec.batchSize,
      size: spec.dataset.size,
      ...(spec.accumulation?.rule === "exact" ? { exact: spec.accumulation.range } : {}),
    },
    spec.checkpointInterval,
  );
}

/** A family by its canonical name. */
export function familySpec(name: string): FamilySpec {
  const m = NAME.exec(name);
  const exact = m?.[6] !== undefined && m[7] !== undefined ? { min: Number(m[6]), max: Number(m[7]) } : undefined;
  const shape = m
    ? shapeOfMatch(m[1] === "mlp-mse" ? "mlp-mse" : "linear-mse", [...m.slice(2, 6), m[8]], exact)
    : undefined;
  if (!m || !shape)
    throw new Error(
      `not a family name: "${name}" (expected e.g. linear-mse/i4-o3-b2/n150/k4, mlp-mse/i4-h6-o3-b2/n150/k1 or ` +
        "linear-mse/i4-o3-b2/exact-40..15/n150/k1)",
    );
  const f = familyOf(shape, +m[9]!);
  if (f.name !== name) throw new Error(`family name "${name}" is not canonical; did you mean ${f.name}?`);
  return f;
}

/** The circuits a family needs built: genesis, step (K = 1) and Checkpoint(K), each once. */
export function familyCircuits(f: FamilySpec): CircuitSpec[] {
  const out = [genesisCircuit(f.shape), checkpointCircuit(f.shape, 1)];
  if (f.stepsPerCheckpoint !== 1) out.push(checkpointCircuit(f.shape, f.stepsPerCheckpoint));
  return out;
}

/**
 * The families built and deployed by default: the linear example's shape with
 * K = 1 and K = 4, and the MLP example's shape with K = 1.
 */
export const FAMILIES: readonly FamilySpec[] = [
  ...DEFAULT_KS.map((K) => familyOf(DEFAULT_SHAPE, K)),
  ...DEFAULT_MLP_KS.map((K) => familyOf(DEFAULT_MLP_SHAPE, K)),
];

/** The on-chain id of a family: keccak256 of its name. */
export const familyId = (name: string): Hex => keccak256(stringToHex(name));

/**
 * A chunked family (issue #26, docs/chunks.md): an mlp-mse shape under the exact rule with a tiling, K = 1.
 * Its genesis verifier is a ChunkedGenesisVerifier over the genesis chunk circuits, its checkpoint verifier a
 * ChunkedStepVerifier over the step chunk circuits; it has no step verifier (no sampled runs yet).
 */
export interface ChunkedFamilySpec {
  /** The K = 1 family's name with the tiling: mlp-mse/i49-h20-o10-b4/exact-40..15/n1000/k1/t2x5. */
  readonly name: string;
  readonly shape: ModelShape;
  readonly tiling: Tiling;
  readonly genesis: ReturnType<typeof genesisChunkCircuits>;
  readonly step: ReturnType<typeof chunkCircuits>;
  /** Hidden and output tiles per statement (the same for the genesis and every step). */
  readonly tiles: { readonly hidden: number; readonly output: number };
  readonly description: string;
}

/** The chunked family of an mlp-mse shape under the exact rule and a tiling whose blocks divide the widths. */
export function chunkedFamilyOf(shape: ModelShape, tiling: Tiling): ChunkedFamilySpec {
  const step = chunkCircuits(shape, tiling); // refuses another model or rule, and a tiling that does not divide
  const plain = familyOf(shape, 1);
  const hidden = (shape.hidden ?? 0) / tiling.hiddenBlock;
  const output = shape.outputs / tiling.outputBlock;
  return {
    name: `${plain.name}/t${tiling.hiddenBlock}x${tiling.outputBlock}`,
    shape,
    tiling,
    genesis: genesisChunkCircuits(shape, tiling),
    step,
    tiles: { hidden, output },
    description:
      `${describeShape(shape)}, batch ${shape.batch}, a ${shape.size}-sample dataset; every step proven as ` +
      `${hidden} hidden tiles of ${tiling.hiddenBlock} units, ${output} output tiles of ${tiling.outputBlock} ` +
      "outputs and a link; genesis as as many init tiles and a link",
  };
}
