/**
 * Sampled mode's roots trees (ITrainingRegistry, issue #11): a window w of K
 * steps covers steps [wK, wK + K) and commits the weights roots it reached,
 * r(wK + 1) .. r(wK + K), as leaves (i, r(i)) of a positional keccak Merkle
 * tree: leaf at position p = i - wK - 1 is
 * keccak256(bytes.concat(keccak256(abi.encode(uint256 i, uint256 r(i))))),
 * padded with bytes32(0) to 2^D leaves, D = ceil(log2 K), node =
 * keccak256(left || right). The registry verifies paths exactly so; an index
 * has one leaf, so a lab cannot keep two roots for one step.
 *
 * A chunked sampled run (issue #26, IChunkedSteps) also commits, before each
 * window, its steps' chunk statements in a tree of the same shape: the leaf
 * of step t (position t - wK) is
 * keccak256(bytes.concat(keccak256(abi.encode(uint256 t, uint256[] io(t))))),
 * io(t) being the tiles' io values its link proof states.
 */
import { concat, encodeAbiParameters, keccak256, type Hex } from "viem";

const ZERO: Hex = `0x${"0".repeat(64)}`;

/** The leaf of step index i with weights root r(i). */
export const rootLeaf = (index: bigint, root: bigint): Hex =>
  keccak256(keccak256(encodeAbiParameters([{ type: "uint256" }, { type: "uint256" }], [index, root])));

/** D = ceil(log2 K). */
export function treeDepth(K: number): number {
  if (!Number.isInteger(K) || K < 1) throw new RangeError(`a window has at least one step, got K = ${K}`);
  let d = 0;
  while (2 ** d < K) d++;
  return d;
}

/** The window holding leaf i (i >= 1): (i - 1) / K. */
export const windowOfLeaf = (index: bigint, K: number): bigint => (index - 1n) / BigInt(K);

/** The window of step t (its transition r(t) -> r(t + 1)): t / K. */
export const windowOfStep = (step: bigint, K: number): bigint => step / BigInt(K);

/** The leaf of step t's chunk statements: its tiles' io values, hidden tiles first. */
export const chunkLeaf = (step: bigint, io: readonly bigint[]): Hex =>
  keccak256(keccak256(encodeAbiParameters([{ type: "uint256" }, { type: "uint256[]" }], [step, io])));

/** A positional keccak Merkle tree over K leaves, padded with zero leaves to 2^D, D = ceil(log2 K). */
class PositionalTree {
  private readonly levels: Hex[][];

  constructor(leaves: readonly Hex[]) {
    const depth = treeDepth(leaves.length);
    let level: Hex[] = [...leaves, ...Array<Hex>(2 ** depth - leaves.length).fill(ZERO)];
    this.levels = [level];
    for (let d = 0; d < depth; d++) {
      const up: Hex[] = [];
      for (let j = 0; j < level.length; j += 2) up.push(keccak256(concat([level[j]!, level[j + 1]!])));
      level = up;
      this.levels.push(level);
    }
  }

  get root(): Hex {
    return this.levels[this.levels.length - 1]![0]!;
  }

  /** The path of the leaf at position p: D siblings, bottom up. */
  path(p: number): Hex[] {
    return this.levels.slice(0, -1).map((level, d) => level[(p >> d) ^ 1]!);
  }
}

export class RootsTree {
  readonly first: bigint;
  readonly K: number;
  private readonly tree: PositionalTree;

  /** The tree of window `window` from r(wK + 1) .. r(wK + K). */
  constructor(
    readonly window: bigint,
    readonly roots: readonly bigint[],
  ) {
    this.K = roots.length;
    this.first = window * BigInt(this.K);
    this.tree = new PositionalTree(roots.map((r, p) => rootLeaf(this.first + 1n + BigInt(p), r)));
  }

  get root(): Hex {
    return this.tree.root;
  }

  /** r(i) for a leaf of this window. */
  rootAt(index: bigint): bigint {
    return this.roots[this.position(index)]!;
  }

  /** The path of leaf i: D siblings, bottom up. */
  path(index: bigint): Hex[] {
    return this.tree.path(this.position(index));
  }

  private position(index: bigint): number {
    const p = Number(index - this.first - 1n);
    if (!(p >= 0 && p < this.K))
      throw new RangeError(
        `leaf ${index} is not in window ${this.window} (leaves ${this.first + 1n} .. ${this.first + BigInt(this.K)})`,
      );
    return p;
  }
}

/** The chunk statements tree of window `window`: steps wK .. wK + K - 1, each with its tiles' io values. */
export class ChunkStatementsTree {
  readonly first: bigint;
  private readonly tree: PositionalTree;

  constructor(
    readonly window: bigint,
    readonly io: readonly (readonly bigint[])[],
  ) {
    this.first = window * BigInt(io.length);
    this.tree = new PositionalTree(io.map((v, p) => chunkLeaf(this.first + BigInt(p), v)));
  }

  get root(): Hex {
    return this.tree.root;
  }

  /** The io values of step t. */
  ioOf(step: bigint): readonly bigint[] {
    return this.io[this.position(step)]!;
  }

  /** The path of step t's leaf. */
  path(step: bigint): Hex[] {
    return this.tree.path(this.position(step));
  }

  private position(step: bigint): number {
    const p = Number(step - this.first);
    if (!(p >= 0 && p < this.io.length))
      throw new RangeError(
        `step ${step} is not in window ${this.window} (steps ${this.first} .. ${this.first + BigInt(this.io.length) - 1n})`,
      );
    return p;
  }
}

/** The tree of window w from all of a run's roots r(0) .. r(T). */
export function windowTree(roots: readonly bigint[], window: bigint, K: number): RootsTree {
  const first = Number(window) * K;
  if (first + K > roots.length - 1)
    throw new RangeError(
      `window ${window} needs r(${first + 1}) .. r(${first + K}); the run has roots up to r(${roots.length - 1})`,
    );
  return new RootsTree(window, roots.slice(first + 1, first + K + 1));
}

/**
 * The probability that a window with m invalid transitions out of W escapes s
 * distinct uniformly drawn challenges: C(W - m, s) / C(W, s); detection is one
 * minus it.
 */
export function escapeProbability(W: number, m: number, s: number): number {
  if (m > W || s > W || m < 0 || s < 0) throw new RangeError(`need 0 <= m, s <= W (W ${W}, m ${m}, s ${s})`);
  let p = 1;
  for (let j = 0; j < s; j++) p *= (W - m - j) / (W - j);
  return Math.max(p, 0);
}
