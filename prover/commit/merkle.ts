/**
 * Binary Poseidon Merkle tree of fixed depth: node = Poseidon(tag, left,
 * right); missing leaves are 0. circuits/commit/merkle.circom mirrors it.
 */
import { hashTagged, TAGS } from "./poseidon.js";

export interface MerklePath {
  /** Leaf position; bit i says whether the node at level i is a right child. */
  readonly index: number;
  /** Sibling at each level, from the leaves up. */
  readonly siblings: readonly bigint[];
}

export class MerkleTree {
  /** levels[0] are the (padded) leaves, levels[depth] = [root]. */
  private readonly levels: bigint[][];

  constructor(
    leaves: readonly bigint[],
    readonly depth: number,
  ) {
    if (!Number.isInteger(depth) || depth < 1 || depth > 32)
      throw new RangeError(`tree depth must be 1..32, got ${depth}`);
    if (leaves.length > 2 ** depth) throw new RangeError(`${leaves.length} leaves do not fit a tree of depth ${depth}`);
    let level = [...leaves, ...Array<bigint>(2 ** depth - leaves.length).fill(0n)];
    this.levels = [level];
    for (let d = 0; d < depth; d++) {
      const next: bigint[] = [];
      for (let i = 0; i < level.length; i += 2) next.push(hashTagged(TAGS.merkleNode, [level[i]!, level[i + 1]!]));
      this.levels.push(next);
      level = next;
    }
  }

  get root(): bigint {
    return this.levels[this.depth]![0]!;
  }

  path(index: number): MerklePath {
    if (!Number.isInteger(index) || index < 0 || index >= 2 ** this.depth)
      throw new RangeError(`leaf index out of range: ${index}`);
    const siblings: bigint[] = [];
    let i = index;
    for (let d = 0; d < this.depth; d++) {
      siblings.push(this.levels[d]![i ^ 1]!);
      i >>= 1;
    }
    return { index, siblings };
  }
}

/** Recomputes the root from a leaf and its path. */
export function rootFromPath(leaf: bigint, p: MerklePath): bigint {
  let node = leaf;
  p.siblings.forEach((sib, d) => {
    node = (p.index >> d) & 1 ? hashTagged(TAGS.merkleNode, [sib, node]) : hashTagged(TAGS.merkleNode, [node, sib]);
  });
  return node;
}

/** Smallest depth whose tree holds n leaves (at least 1). */
export const depthFor = (n: number): number => Math.max(1, Math.ceil(Math.log2(n)));
