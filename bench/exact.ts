/**
 * The exactly rounded rule's figures (issue #28) for `npm run bench`: constraints per MAC of a dot product
 * at lengths 4, 16, 64 and 256 under both rules; per MAC inside a 16 × 64 × 16 matrix product; constraints
 * per step of the linear and MLP families (and of a larger MLP) under both rules; proving seconds per step
 * and the proof-to-training ratio of an exact family against the sequential one; and the reference's
 * agreement with an independent rational oracle on four million random dot products.
 */
import * as snarkjs from "snarkjs";
import { readFile } from "node:fs/promises";
import { compileTemplate } from "../prover/circom/template.js";
import { readR1cs } from "../prover/circom/r1cs.js";
import type { CommittedDataset } from "../prover/dataset/dataset.js";
import { SEQUENTIAL_FP32, type AccumulationRule } from "../prover/numerics/accumulation.js";
import { dotBf16Exact } from "../prover/numerics/index.js";
import { artifactPaths, buildAll } from "../prover/proving/artifacts.js";
import { familyCircuits, familyOfSpec } from "../prover/proving/families.js";
import type { Logger } from "../prover/proving/log.js";
import { accumulationCode } from "../prover/spec/commitment.js";
import type { TrainingSpec } from "../prover/spec/schema.js";
import { checkpointInputs } from "../prover/statement/inputs.js";
import { mlpMacs } from "../prover/training/mlp.js";
import { train } from "../prover/training/trainer.js";
import { dotOracle } from "../test/helpers/exact-oracle.js";
import { prng, randomBf16 } from "../test/helpers/floats.js";

/** The range of the bench's exact dot products (the prototype the issue quotes used ±32). */
const DOT_RANGE = { min: -32, max: 31 } as const;
/** The range of the bench's exact families (the range docs/numerics.md's examples declare). */
export const FAMILY_RANGE = { min: -40, max: 15 } as const;
const RULE: AccumulationRule = { rule: "exact", range: FAMILY_RANGE };

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const count = async (include: string, template: string, args: readonly number[]): Promise<number> =>
  (await readR1cs((await compileTemplate(include, template, args)).r1cs)).constraints.length;
const modelCode = (family: 1 | 2, rule: AccumulationRule): number =>
  family + 16 * Number(rule.rule === "exact" ? accumulationCode(rule) : 0n);

/** A shape's step under both rules: FamilyStep constraints and MACs. */
interface StepFigures {
  readonly shape: string;
  readonly macs: number;
  readonly sequential: number;
  readonly exact: number;
}

export interface ExactFigures {
  readonly dots: ReadonlyArray<{ n: number; sequentialPerMac: number; exactPerProduct: number; exact: number }>;
  readonly matmul16x64x16PerMac: number;
  readonly perParameter: ReadonlyArray<{ batch: number; sequential: number; exact: number }>;
  readonly steps: readonly StepFigures[];
  readonly largestStepRatio: number;
  readonly family: {
    readonly name: string;
    readonly checkpointK4Constraints: number;
    readonly stepCircuitConstraints: number;
    readonly sequentialStepCircuitConstraints: number;
    readonly proveSecondsMedian: number;
    readonly trainMsPerStep: number;
    readonly proofToTrainingRatio: number;
  };
  readonly agreement: { readonly cases: number; readonly disagreements: number; readonly seconds: number };
}

/** Random operands of a range: ±0 one time in eight, else a normal with a uniform exponent. */
function operand(r: () => number, range: { min: number; max: number }): number {
  const s = r() < 0.5 ? 0 : 0x8000;
  if (r() < 0.125) return s;
  const e = range.min + Math.floor(r() * (range.max - range.min + 1));
  return s | ((e + 127) << 7) | Math.floor(r() * 128);
}

export async function measureExact(
  linearSpec: TrainingSpec,
  data: CommittedDataset,
  sequentialStep: { constraints: number; seconds: number; trainMsPerStep: number },
  log: Logger,
  out: (s: string) => void,
): Promise<ExactFigures> {
  out(`\nThe exactly rounded rule (issue #28):\n`);
  // Dot products under both rules: every operand decoded once per product here (the worst case).
  const dots = [];
  for (const n of [4, 16, 64, 256]) {
    const seq = await count("float/arith.circom", "Bf16Dot", [n]);
    const exact = await count("float/exact.circom", "Bf16DotExact", [n, DOT_RANGE.min, DOT_RANGE.max]);
    dots.push({
      n,
      sequentialPerMac: Number((seq / n).toFixed(1)),
      exactPerProduct: Number((exact / n).toFixed(1)),
      exact,
    });
    out(
      `  dot product n = ${String(n).padEnd(3)} sequential ${String(seq).padStart(6)} (${(seq / n).toFixed(1)} per MAC); ` +
        `exact[${DOT_RANGE.min}..${DOT_RANGE.max}] ${String(exact).padStart(6)} (${(exact / n).toFixed(1)} per product, both operands decoded for it)\n`,
    );
  }
  const mm = await count("../bench/circuits/exact-matmul.circom", "MatMulExact", [
    16,
    64,
    16,
    DOT_RANGE.min,
    DOT_RANGE.max,
  ]);
  const matmul16x64x16PerMac = Number((mm / (16 * 64 * 16)).toFixed(1));
  out(
    `  16 x 64 x 16 matrix product, operands decoded once: ${mm} constraints = ${matmul16x64x16PerMac} per MAC ` +
      `(goal <= 20: ${matmul16x64x16PerMac <= 20 ? "met" : "NOT met"})\n`,
  );

  // One parameter's gradient and update over a batch of B, operands already decoded: sequential is the
  // gradient's MAC chain, its rounding to bf16 and the SGD update; exact is one ExactUpdate.
  const perParameter = [];
  for (const B of [2, 8]) {
    const sequential =
      (await count("training/layers.circom", "MacChain", [B])) +
      (await count("training/layers.circom", "RoundUnpack", [])) +
      (await count("training/layers.circom", "SgdUpdate", []));
    const exact = await count("float/exact.circom", "ExactUpdate", [B, FAMILY_RANGE.min, FAMILY_RANGE.max]);
    perParameter.push({ batch: B, sequential, exact });
    out(
      `  a parameter's gradient and update, batch ${B}: sequential ${sequential} (MAC chain, bf16 rounding, SGD update), ` +
        `exact[${FAMILY_RANGE.min}..${FAMILY_RANGE.max}] ${exact} (one rounding)\n`,
    );
  }

  // Steps under both rules (FamilyStep alone: no sampler, Merkle tree or spec opening).
  const shapes: Array<{ label: string; family: 1 | 2; I: number; H: number; O: number; B: number }> = [
    { label: "linear 4->3, batch 2", family: 1, I: 4, H: 0, O: 3, B: 2 },
    { label: "MLP 4->6->3, batch 2", family: 2, I: 4, H: 6, O: 3, B: 2 },
    { label: "MLP 8->8->4, batch 4", family: 2, I: 8, H: 8, O: 4, B: 4 },
    { label: "MLP 8->8->4, batch 8", family: 2, I: 8, H: 8, O: 4, B: 8 },
  ];
  const steps: StepFigures[] = [];
  for (const s of shapes) {
    const args = (rule: AccumulationRule) => [modelCode(s.family, rule), s.I, s.H, s.O, s.B];
    const sequential = await count("training/family.circom", "FamilyStep", args(SEQUENTIAL_FP32));
    const exact = await count("training/family.circom", "FamilyStep", args(RULE));
    const macs =
      s.family === 2 ? mlpMacs({ inputs: s.I, hidden: s.H, outputs: s.O }, s.B) : 2 * s.B * s.O * s.I + s.O * s.I + s.O; // forward and gradients B*O*I each, update P
    steps.push({ shape: s.label, macs, sequential, exact });
    out(
      `  step, ${s.label.padEnd(22)} sequential ${String(sequential).padStart(7)} (${(sequential / macs).toFixed(0)} per MAC), ` +
        `exact ${String(exact).padStart(7)} (${(exact / macs).toFixed(0)} per MAC): ${(sequential / exact).toFixed(2)}x fewer\n`,
    );
  }
  const largestStepRatio = Number((steps.at(-1)!.sequential / steps.at(-1)!.exact).toFixed(2));
  out(
    `  largest step measured (${steps.at(-1)!.shape}): ${largestStepRatio}x fewer constraints (goal >= 3x on the ` +
      `largest model: ${largestStepRatio >= 3 ? "met on this shape" : "NOT met"}; the >= 1,000-parameter MLP of ` +
      `issue #26 does not exist yet; the per-parameter update dominates at small batches)\n`,
  );

  // The iris linear example under the exact rule (its K = 4): step and checkpoint circuits, proving time,
  // training time.
  const spec: TrainingSpec = { ...linearSpec, accumulation: RULE };
  const family = familyOfSpec(spec);
  await buildAll({ circuits: familyCircuits(family) }, log);
  const beacon = 0xbeac0n;
  let t = performance.now();
  const run = train(spec, data, beacon, 64);
  const trainMsPerStep = (performance.now() - t) / 64;
  const a = artifactPaths(family.step);
  const constraintsOf = async (id: string): Promise<number> =>
    (JSON.parse(await readFile(artifactPaths(id).record, "utf8")) as { constraints: number }).constraints;
  const stepCircuitConstraints = await constraintsOf(family.step);
  const checkpointK4Constraints = await constraintsOf(family.checkpoint);
  const times: number[] = [];
  for (let r = 0; r < 3; r++) {
    const { inputs } = checkpointInputs(spec, data, run.steps.slice(r, r + 1), { lab: 1n, beacon });
    t = performance.now();
    await snarkjs.groth16.fullProve(inputs, a.wasm, a.zkey);
    times.push((performance.now() - t) / 1000);
  }
  const proveSecondsMedian = Number(median(times).toFixed(3));
  const proofToTrainingRatio = Math.round((proveSecondsMedian * 1000) / trainMsPerStep);
  out(
    `  ${family.step} (family ${family.name}): ${stepCircuitConstraints} constraints ` +
      `(sequential ${sequentialStep.constraints}), its K = ${family.stepsPerCheckpoint} checkpoint ${checkpointK4Constraints}; ` +
      `witness + prove ${proveSecondsMedian.toFixed(2)} s ` +
      `(sequential ${sequentialStep.seconds.toFixed(2)} s), median of 3\n` +
      `  reference training under the exact rule ${trainMsPerStep.toFixed(3)} ms per step ` +
      `(sequential ${sequentialStep.trainMsPerStep.toFixed(3)}): step proof / training = ${proofToTrainingRatio}x\n`,
  );

  // A million random dot products, reference against the rational oracle.
  const r = prng(0x28_000);
  const cases = 4_000_000;
  let disagreements = 0;
  t = performance.now();
  for (let n = 0; n < cases; n++) {
    const len = 1 + Math.floor(r() * 16);
    const wide = n % 2 === 0;
    const pick = () => (wide ? randomFinite(r) : operand(r, DOT_RANGE));
    const x = Array.from({ length: len }, pick);
    const y = Array.from({ length: len }, pick);
    if (dotBf16Exact(x, y) !== dotOracle(x, y)) disagreements++;
  }
  const seconds = Number(((performance.now() - t) / 1000).toFixed(1));
  out(
    `  reference vs independent rational oracle: ${cases.toLocaleString("en")} random dot products of length 1 to 16 ` +
      `(half over every finite bf16, half in [${DOT_RANGE.min}, ${DOT_RANGE.max}] with zeros): ${disagreements} disagreements (${seconds} s)\n`,
  );

  return {
    dots,
    matmul16x64x16PerMac,
    perParameter,
    steps,
    largestStepRatio,
    family: {
      name: family.name,
      checkpointK4Constraints,
      stepCircuitConstraints,
      sequentialStepCircuitConstraints: sequentialStep.constraints,
      proveSecondsMedian,
      trainMsPerStep: Number(trainMsPerStep.toFixed(3)),
      proofToTrainingRatio,
    },
    agreement: { cases, disagreements, seconds },
  };
}

/** A random finite bf16 (NaN and infinities redrawn). */
function randomFinite(r: () => number): number {
  for (;;) {
    const x = randomBf16(r);
    if ((x & 0x7f80) !== 0x7f80) return x;
  }
}
