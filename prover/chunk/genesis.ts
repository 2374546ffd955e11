/**
 * The genesis of a chunked run (issue #26, docs/chunks.md): the initial weights of an mlp-mse model too large
 * for one genesis circuit, derived from the committed init seed by init tiles (one per hidden block's W1
 * rows and per output block's W2 rows, circuits/chunk/genesis.circom InitTile) and wired to R0 by a link
 * proof with the genesis statement (MlpGenesisLink). The biases start at zero and the link absorbs them.
 */
import { digest } from "../commit/digest.js";
import { TAGS } from "../commit/poseidon.js";
import type { CircuitInput } from "../circom/witness.js";
import type { Tiling } from "../proving/manifest.js";
import type { TrainingSpec } from "../spec/schema.js";
import { genesisInputs } from "../statement/inputs.js";
import { genesisSignals, type GenesisStatement } from "../statement/statement.js";
import { initialParams, initTops } from "../training/architecture.js";
import { weightsStates } from "./commit.js";
import { tilingProblem } from "./mlp.js";
import type { ChunkCircuits, ChunkJob, ChunkSet } from "./step.js";

/** The io kind of an init tile (1 and 2 are a step's hidden and output tiles). */
const INIT_TILE = 3n;

export interface ChunkedGenesis extends ChunkSet {
  readonly statement: GenesisStatement;
}

/** The chunk jobs of the genesis of `spec`'s run registered by `lab` (mlp-mse under the exact rule). */
export function chunkedGenesis(
  spec: TrainingSpec,
  lab: bigint,
  tiling: Tiling,
  circuits: ChunkCircuits,
): ChunkedGenesis {
  const m = spec.model;
  if (m.family !== "mlp-mse" || spec.accumulation?.rule !== "exact")
    throw new Error("a chunked genesis needs an mlp-mse spec under the exact rule (accumulation exact:MIN..MAX)");
  const problem = tilingProblem(m, tiling);
  if (problem) throw new Error(problem);
  const { inputs, hidden: H, outputs: O } = m;
  const { hiddenBlock: HB, outputBlock: OB } = tiling;
  const NH = H / HB;
  const NO = O / OB;
  const params = initialParams(m, spec.initSeed);
  const tops = initTops(m);
  const P = params.length;
  // Stretch boundaries: W1 by hidden block, b1, W2 by output block, b2, the end.
  const w2 = H * inputs + H;
  const cuts = [
    ...Array.from({ length: NH }, (_, n) => n * HB * inputs),
    H * inputs,
    ...Array.from({ length: NO }, (_, j) => w2 + j * OB * H),
    w2 + O * H,
    P,
  ];
  const states = weightsStates(params, cuts);
  const tile = (k0: number, L: number, s: number): CircuitInput => {
    const top = tops[k0]!;
    if (top === 0 || tops.slice(k0, k0 + L).some((t) => t !== top))
      throw new Error(`parameters ${k0}..${k0 + L - 1} do not share one seeded top exponent`);
    const [hIn, cIn] = states[s]!;
    const [hOut, cOut] = states[s + 1]!;
    const head = [INIT_TILE, spec.initSeed, BigInt(k0), BigInt(top), BigInt(k0 % 15)];
    return {
      io: digest(TAGS.chunk, [...head, hIn, cIn, hOut, cOut, BigInt(L)]),
      seed: spec.initSeed,
      k0: BigInt(k0),
      top: BigInt(top),
      phase: BigInt(k0 % 15),
      hIn,
      cIn,
    };
  };
  const hidden = Array.from({ length: NH }, (_, n) => tile(cuts[n]!, HB * inputs, n));
  const output = Array.from({ length: NO }, (_, j) => tile(cuts[NH + 1 + j]!, OB * H, NH + 1 + j));
  const { inputs: g, statement } = genesisInputs(spec, lab);
  const link: CircuitInput = {
    ...g,
    io: [...hidden, ...output].map((t) => t.io as bigint),
    states: states.map(([h, c]) => [h, c]),
  };
  const jobs: ChunkJob[] = [
    ...hidden.map((input, n) => ({ name: `init-hidden-${n}`, circuit: circuits.hidden, input })),
    ...output.map((input, j) => ({ name: `init-output-${j}`, circuit: circuits.output, input })),
    { name: "link", circuit: circuits.link, input: link },
  ];
  return { statement, head: genesisSignals(statement), jobs };
}
