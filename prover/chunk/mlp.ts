/**
 * A step of "mlp-mse" under the exactly rounded rule proven as chunks (issue #26, docs/chunks.md): the
 * inputs of every hidden tile, every output tile and the link proof (circuits/chunk/mlp.circom and
 * link.circom) from the reference trainer's trace of the step.
 *
 * The tiling cuts the H hidden units into blocks of `hiddenBlock` and the O outputs into blocks of
 * `outputBlock` (each must divide its width). The weights are absorbed by the tiles in parameter order:
 * W1 rows by hidden block, b1 by hidden block, W2 rows by output block, b2 by output block.
 */
import type { CircuitInput } from "../circom/witness.js";
import { FIELD_P } from "../circom/r1cs.js";
import { TAGS } from "../commit/poseidon.js";
import type { ExponentRange } from "../numerics/exact.js";
import { mlpLayout, mlpParamCount, type MlpShape, type MlpStepTrace } from "../training/mlp.js";
import { digest, patternDigest, tensorDigest } from "../commit/digest.js";
import { weightsStates, type SpongeState } from "./commit.js";

export interface MlpTiling {
  /** Hidden units per hidden tile (divides the hidden width). */
  readonly hiddenBlock: number;
  /** Outputs per output tile (divides the output width). */
  readonly outputBlock: number;
}

/** Why a tiling does not fit a shape, or undefined. */
export function tilingProblem(s: MlpShape, t: MlpTiling): string | undefined {
  for (const [name, block, width] of [
    ["hidden block", t.hiddenBlock, s.hidden],
    ["output block", t.outputBlock, s.outputs],
  ] as const) {
    if (!Number.isInteger(block) || block < 1 || width % block !== 0)
      return `the ${name} ${block} does not divide the width ${width}`;
  }
  return undefined;
}

/** Parameter positions where the tiles' stretches start, then the parameter count. */
export function stretchBounds(s: MlpShape, t: MlpTiling): number[] {
  const L = mlpLayout(s);
  const NH = s.hidden / t.hiddenBlock;
  const NO = s.outputs / t.outputBlock;
  const bounds: number[] = [];
  for (let n = 0; n < NH; n++) bounds.push(L.w1 + n * t.hiddenBlock * s.inputs);
  for (let n = 0; n < NH; n++) bounds.push(L.b1 + n * t.hiddenBlock);
  for (let j = 0; j < NO; j++) bounds.push(L.w2 + j * t.outputBlock * s.hidden);
  for (let j = 0; j < NO; j++) bounds.push(L.b2 + j * t.outputBlock);
  bounds.push(mlpParamCount(s));
  return bounds;
}

/** A bf16 operand of the rule as the circuit's Scaled bus: value in units of 2^(LO - 134), zero flag, sign. */
function scaled(bits: number, range: ExponentRange): { v: bigint; nz: bigint; sign: bigint } {
  const sign = BigInt(bits >> 15);
  const biased = (bits >> 7) & 0xff;
  const frac = bits & 0x7f;
  if (biased === 0 && frac === 0) return { v: 0n, nz: 0n, sign };
  const lo = 127 + range.min;
  if (biased === 0 || biased === 0xff || biased < lo || biased > 127 + range.max)
    throw new RangeError(`0x${bits.toString(16)} is not an operand of the range ${range.min}..${range.max}`);
  const mag = BigInt(128 + frac) << BigInt(biased - lo);
  return { v: sign ? -mag : mag, nz: 1n, sign };
}

const bitLength = (n: number): number => (n === 0 ? 0 : 32 - Math.clz32(n));
const field = (x: bigint): bigint => ((x % FIELD_P) + FIELD_P) % FIELD_P;

/** The hidden-error totals (exact sum, flag words, signs) per sample and hidden unit, as ExactTerms adds them. */
interface Totals {
  readonly sum: bigint[][];
  readonly flags: bigint[][];
  readonly signs: bigint[][];
}

const zeroTotals = (B: number, H: number): Totals => ({
  sum: Array.from({ length: B }, () => new Array<bigint>(H).fill(0n)),
  flags: Array.from({ length: B }, () => new Array<bigint>(H).fill(0n)),
  signs: Array.from({ length: B }, () => new Array<bigint>(H).fill(0n)),
});

const asField = (t: Totals) => ({
  sum: t.sum.map((row) => row.map(field)),
  flags: t.flags.map((row) => row.map(field)),
  signs: t.signs.map((row) => row.map(field)),
});

/** TotalsDigest of hidden units [h0, h0 + HB). */
function totalsDigest(t: Totals, h0: number, HB: number): bigint {
  const xs: bigint[] = [];
  for (let s = 0; s < t.sum.length; s++)
    for (let h = h0; h < h0 + HB; h++) xs.push(field(t.sum[s]![h]!), field(t.flags[s]![h]!), field(t.signs[s]![h]!));
  return tensorDigest(xs);
}

/** What the link proof needs beyond the step proof's inputs, and every tile's inputs. */
export interface MlpChunks {
  readonly hidden: CircuitInput[];
  readonly output: CircuitInput[];
  /** The link's wiring inputs (with `io`); the caller adds the step proof's inputs (statement, spec, batch). */
  readonly link: CircuitInput;
}

/** The chunk inputs of one step from its trace, batch and learning rate. */
export function mlpChunks(
  s: MlpShape,
  t: MlpTiling,
  range: ExponentRange,
  trace: MlpStepTrace,
  batch: readonly { readonly x: readonly number[]; readonly label: number }[],
  lr: number,
): MlpChunks {
  const problem = tilingProblem(s, t);
  if (problem) throw new RangeError(problem);
  const { inputs: I, hidden: H, outputs: O } = s;
  const { hiddenBlock: HB, outputBlock: OB } = t;
  const NH = H / HB;
  const NO = O / OB;
  const B = batch.length;
  const L = mlpLayout(s);
  const bounds = stretchBounds(s, t);
  const before = trace.paramsBefore;
  const after = trace.paramsAfter;
  const oldStates = weightsStates(before, bounds);
  const newStates = weightsStates(after, bounds);
  const phase = (k: number) => BigInt(bounds[k]! % 15);
  const st = (x: SpongeState) => [x[0], x[1]];
  const x = batch.map((b) => [...b.x]);
  const labels = batch.map((b) => BigInt(b.label));
  const xDigest = patternDigest(x.flat());
  const labelDigest = tensorDigest(labels);
  const lrB = BigInt(lr);

  // The totals before each output tile and after the last.
  const LB = BigInt(bitLength(2 * O));
  const totals: Totals[] = [zeroTotals(B, H)];
  for (let j = 0; j < NO; j++) {
    const prev = totals[j]!;
    const next: Totals = {
      sum: prev.sum.map((r) => [...r]),
      flags: prev.flags.map((r) => [...r]),
      signs: prev.signs.map((r) => [...r]),
    };
    for (let n = 0; n < B; n++)
      for (let h = 0; h < H; h++)
        for (let o = j * OB; o < (j + 1) * OB; o++) {
          const a = scaled(before[L.w2 + o * H + h]!, range);
          const b = scaled(trace.e[n]![o]!, range);
          next.sum[n]![h]! += a.v * b.v;
          next.flags[n]![h]! += (a.nz + (a.sign << LB)) * (b.nz + (b.sign << LB));
          next.signs[n]![h]! += a.sign + b.sign;
        }
    totals.push(next);
  }
  const totalsAll = (k: number) =>
    tensorDigest(Array.from({ length: NH }, (_, n) => totalsDigest(totals[k]!, n * HB, HB)));
  const rDigest = Array.from({ length: NH }, (_, n) =>
    patternDigest(trace.r.flatMap((row) => row.slice(n * HB, (n + 1) * HB))),
  );
  const gDigest = Array.from({ length: NH }, (_, n) => totalsDigest(totals[NO]!, n * HB, HB));
  const rAll = tensorDigest(rDigest);

  const stretchIo = (k: number) => [
    phase(k),
    ...st(oldStates[k]!),
    ...st(oldStates[k + 1]!),
    ...st(newStates[k]!),
    ...st(newStates[k + 1]!),
  ];
  const final = asField(totals[NO]!);
  const hidden = Array.from({ length: NH }, (_, n): CircuitInput => {
    const w = [bounds[n]!, bounds[n + 1]!];
    const b = [bounds[NH + n]!, bounds[NH + n + 1]!];
    const io = digest(TAGS.chunk, [
      1n,
      xDigest,
      lrB,
      ...stretchIo(n),
      ...stretchIo(NH + n),
      rDigest[n]!,
      gDigest[n]!,
      BigInt(HB),
      BigInt(I),
    ]);
    const block = <T>(m: readonly (readonly T[])[]) => m.map((row) => row.slice(n * HB, (n + 1) * HB));
    return {
      io,
      x,
      lr,
      w: before.slice(w[0], w[1]),
      b: before.slice(b[0], b[1]),
      wPhase: phase(n),
      wOld: st(oldStates[n]!),
      wNew: st(newStates[n]!),
      bPhase: phase(NH + n),
      bOld: st(oldStates[NH + n]!),
      bNew: st(newStates[NH + n]!),
      gSum: block(final.sum),
      gFlags: block(final.flags),
      gSigns: block(final.signs),
    };
  });
  const output = Array.from({ length: NO }, (_, j): CircuitInput => {
    const ws = 2 * NH + j;
    const bs = 2 * NH + NO + j;
    const io = digest(TAGS.chunk, [
      2n,
      labelDigest,
      lrB,
      BigInt(j * OB),
      ...stretchIo(ws),
      ...stretchIo(bs),
      rAll,
      totalsAll(j),
      totalsAll(j + 1),
      BigInt(H),
      BigInt(OB),
      BigInt(HB),
    ]);
    const g = asField(totals[j]!);
    return {
      io,
      r: trace.r.map((row) => [...row]),
      label: labels,
      o0: j * OB,
      lr,
      w: before.slice(bounds[ws], bounds[ws + 1]),
      b: before.slice(bounds[bs], bounds[bs + 1]),
      wPhase: phase(ws),
      wOld: st(oldStates[ws]!),
      wNew: st(newStates[ws]!),
      bPhase: phase(bs),
      bOld: st(oldStates[bs]!),
      bNew: st(newStates[bs]!),
      gSum: g.sum,
      gFlags: g.flags,
      gSigns: g.signs,
    };
  });
  const link: CircuitInput = {
    io: [...hidden.map((c) => c.io as bigint), ...output.map((c) => c.io as bigint)],
    oldStates: oldStates.map(st),
    newStates: newStates.map(st),
    rDigest,
    gDigest,
    totals: Array.from({ length: NO + 1 }, (_, k) => totalsAll(k)),
  };
  return { hidden, output, link };
}
