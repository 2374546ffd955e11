/**
 * A dataset as the proofs see it: samples of bf16 features with an integer
 * class label, committed by a Poseidon Merkle root over the leaves
 * Poseidon(tag, f_0, ..., f_{n-1}, label) (DESIGN §3), or above 14 features
 * Poseidon(wide tag, digest of the packed features, label).
 */
import { MerkleTree, depthFor, type MerklePath } from "../commit/merkle.js";
import { patternDigest } from "../commit/digest.js";
import { hashTagged, TAGS } from "../commit/poseidon.js";

export interface Sample {
  /** bf16 bit patterns. */
  readonly features: readonly number[];
  /** Class index, 0 .. classes-1. */
  readonly label: number;
}

export interface Dataset {
  readonly name: string;
  readonly features: number;
  readonly classes: number;
  readonly classNames: readonly string[];
  readonly samples: readonly Sample[];
}

/** Features per sample in a narrow leaf, one Poseidon hash of tag, features and label (Poseidon takes 16 inputs). */
export const NARROW_LEAF_FEATURES = 14;
/** Features per sample at most: a model's inputs (the spec schema's bound). */
export const MAX_FEATURES = 64;

/**
 * Leaf of one sample: Poseidon(tag, features..., label) up to NARROW_LEAF_FEATURES features; above,
 * Poseidon(wide tag, patternDigest(features), label) (circuits/dataset/leaf.circom).
 */
export function sampleLeaf(s: Sample): bigint {
  if (s.features.length > NARROW_LEAF_FEATURES)
    return hashTagged(TAGS.wideLeaf, [patternDigest(s.features), BigInt(s.label)]);
  return hashTagged(TAGS.datasetLeaf, [...s.features.map(BigInt), BigInt(s.label)]);
}

export interface CommittedDataset {
  readonly dataset: Dataset;
  readonly depth: number;
  readonly root: bigint;
  /** The leaf and its membership path for sample i. */
  proof(i: number): { leaf: bigint; path: MerklePath };
}

export function commitDataset(d: Dataset): CommittedDataset {
  if (d.samples.length === 0) throw new Error(`dataset ${d.name} is empty`);
  if (d.features > MAX_FEATURES)
    throw new Error(`at most ${MAX_FEATURES} features per sample are supported, ${d.name} has ${d.features}`);
  const leaves = d.samples.map(sampleLeaf);
  const depth = depthFor(leaves.length);
  const tree = new MerkleTree(leaves, depth);
  return { dataset: d, depth, root: tree.root, proof: (i) => ({ leaf: leaves[i]!, path: tree.path(i) }) };
}
