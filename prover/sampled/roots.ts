/**
 * Sampled mode's roots trees (ITrainingRegistry, issue #11): a window w of K
 * steps covers steps [wK, wK + K) and commits the weights roots it reached,
 * r(wK + 1) .. r(wK + K), as leaves (i, r(i)) of a positional keccak Merkle
 * tree: leaf at position p = i - wK - 1 is
 * keccak256(bytes.concat(keccak256(abi.encode(uint256 i, uint256 r(i))))),
 * padded with bytes32(0) to 2^D leaves, D = ceil(log2 K), node =
 * keccak256(left || right). The registry verifies paths exactly so; an index
 * has one leaf, so a lab cannot keep two roots for one step.
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

export class RootsTree {
  readonly first: bigint;
  readonly K: number;
  private readonly levels: Hex[][];

  /** The tree of window `window` from r(wK + 1) .. r(wK + K). */
  constructor(
    readonly window: bigint,
    readonly roots: readonly bigint[],
  ) {
    this.K = roots.length;
    this.first = window * BigInt(this.K);
    const depth = treeDepth(this.K);
    let level: Hex[] = roots.map((r, p) => rootLeaf(this.first + 1n + BigInt(p), r));
    level = [...level, ...Array<Hex>(2 ** depth - level.length).fill(ZERO)];
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

  /** r(i) for a leaf of this window. */
  rootAt(index: bigint): bigint {
    return this.roots[this.position(index)]!;
  }

  /** The path of leaf i: D siblings, bottom up. */
  path(index: bigint): Hex[] {
    const p = this.position(index);
    return this.levels.slice(0, -1).map((level, d) => level[(p >> d) ^ 1]!);
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
