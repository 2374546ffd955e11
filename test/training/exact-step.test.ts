/**
 * The training steps under the exactly rounded rule (circuits/training/exact.circom through FamilyStep)
 * against the reference trainer (prover/training with prover/numerics/accumulation.ts): random steps of
 * both families, each either bit-identical with the R1CS holding, or — when the reference stops because
 * an operand left the declared range — without a witness in the circuit either. Steps with zeros of both
 * signs, an operand (a parameter, a feature, the learning rate) forced just outside the range, tampered
 * outputs and sign hints, and no free wire. Under the rule each update is exact and rounded once.
 */
import assert from "node:assert/strict";
import { describe, it } from "mocha";
import { accumulator, TrainingRangeError, type AccumulationRule } from "../../prover/numerics/accumulation.js";
import type { ExponentRange } from "../../prover/numerics/exact.js";
import { accumulationCode, MODEL_FAMILY_CODES } from "../../prover/spec/commitment.js";
import { mlpParamCount, mlpTrainStep, type MlpShape } from "../../prover/training/mlp.js";
import { paramCount, trainStep, type LinearShape } from "../../prover/training/model.js";
import { prng } from "../helpers/floats.js";
import { gadget, type Gadget } from "../helpers/gadget.js";

type Rand = () => number;
const int = (r: Rand, n: number): number => Math.floor(r() * n);
const bf16 = (sign: number, biased: number, frac: number): number => (sign << 15) | (biased << 7) | frac;

const RANGE: ExponentRange = { min: -40, max: 15 };
const RULE: AccumulationRule = { rule: "exact", range: RANGE };
const ACC = accumulator(RULE);
const modelCode = (family: keyof typeof MODEL_FAMILY_CODES): number =>
  Number(MODEL_FAMILY_CODES[family] + 16n * accumulationCode(RULE));

/** A value of moderate magnitude (|x| in [2^-6, 4)), or now and then a zero of either sign. */
function value(r: Rand): number {
  if (r() < 0.08) return bf16(int(r, 2), 0, 0);
  return bf16(int(r, 2), 121 + int(r, 8), int(r, 128));
}

interface Step {
  readonly params: number[];
  readonly batch: Array<{ x: number[]; label: number }>;
  readonly lr: number;
}

function randomStep(r: Rand, P: number, I: number, O: number, B: number): Step {
  return {
    params: Array.from({ length: P }, () => value(r)),
    batch: Array.from({ length: B }, () => ({ x: Array.from({ length: I }, () => value(r)), label: int(r, O) })),
    lr: bf16(0, 116 + int(r, 12), int(r, 128)),
  };
}

const inputOf = (st: Step) => ({
  params: st.params,
  x: st.batch.map((b) => [...b.x]),
  label: st.batch.map((b) => b.label),
  lr: st.lr,
});

interface Family {
  readonly name: string;
  readonly args: number[];
  readonly P: number;
  readonly I: number;
  readonly O: number;
  readonly step: (st: Step) => readonly number[];
  /** A sign hint inside the step (the first parameter's ExactUpdate). */
  readonly hint: string;
}

const B = 2;
const LINEAR: LinearShape = { inputs: 4, outputs: 3 };
const MLP: MlpShape = { inputs: 3, hidden: 4, outputs: 3 };
const FAMILIES: readonly Family[] = [
  {
    name: "linear-mse 4->3",
    args: [modelCode("linear-mse"), 4, 0, 3, B],
    P: paramCount(LINEAR),
    I: 4,
    O: 3,
    step: (st) => trainStep(LINEAR, st.params, st.batch, st.lr, ACC).paramsAfter,
    hint: "linearX.upd[0].sum.fin.neg",
  },
  {
    name: "mlp-mse 3->4->3",
    args: [modelCode("mlp-mse"), 3, 4, 3, B],
    P: mlpParamCount(MLP),
    I: 3,
    O: 3,
    step: (st) => mlpTrainStep(MLP, st.params, st.batch, st.lr, ACC).paramsAfter,
    hint: "mlpX.upd[0].sum.fin.neg",
  },
];

/** The reference's result, or undefined when an operand left the range. */
function reference(f: Family, st: Step): readonly number[] | undefined {
  try {
    return f.step(st);
  } catch (err) {
    if (err instanceof TrainingRangeError) return undefined;
    throw err;
  }
}

describe("training steps under the exactly rounded rule (circom) against the reference", function () {
  this.timeout(1_200_000);

  for (const f of FAMILIES) {
    describe(`FamilyStep: ${f.name}, exact[${RANGE.min}..${RANGE.max}], batch ${B}`, () => {
      let cached: Gadget | undefined;
      const load = async (): Promise<Gadget> =>
        (cached ??= await gadget("training/family.circom", "FamilyStep", f.args, [], { privateInputsMayFold: true }));

      it("should equal the reference on 40 random steps, or have no witness where the reference stops", async () => {
        const g = await load();
        const r = prng(0x2828 + f.P);
        let agreed = 0;
        for (let n = 0; n < 40; n++) {
          const st = randomStep(r, f.P, f.I, f.O, B);
          const want = reference(f, st);
          if (!want) {
            await g.expectFail(inputOf(st));
            continue;
          }
          const w = await g.expectPass(inputOf(st));
          const got = want.map((_, k) => Number(w[g.wire(`newParams[${k}]`)]));
          assert.deepEqual(got, [...want], `step ${n}`);
          if (n % 8 === 0) g.expectTamperFails(w, "newParams[0]", BigInt(want[0]!) ^ 1n);
          agreed++;
        }
        assert.ok(agreed >= 30, `${agreed} of 40 steps stayed in the range`);
      });

      it("should agree on steps full of zeros of both signs", async () => {
        const g = await load();
        const r = prng(0x2829 + f.P);
        for (let n = 0; n < 6; n++) {
          const st = randomStep(r, f.P, f.I, f.O, B);
          for (let k = 0; k < f.P; k += 1 + (n % 3)) st.params[k] = (n & 1) << 15;
          for (const b of st.batch) b.x[n % f.I] = 0x8000;
          const want = reference(f, st);
          if (!want) continue;
          const w = await g.expectPass(inputOf(st));
          assert.deepEqual(
            want.map((_, k) => Number(w[g.wire(`newParams[${k}]`)])),
            [...want],
          );
        }
      });

      it("should stop the reference and have no witness for a parameter, feature or learning rate outside the range", async () => {
        const g = await load();
        const r = prng(0x282a + f.P);
        const below = bf16(0, 127 + RANGE.min - 1, 127); // just under 2^min
        const above = bf16(1, 127 + RANGE.max + 1, 0); // -2^(max+1)
        for (const [where, v] of [
          ["param", below],
          ["param", above],
          ["feature", below],
          ["feature", above],
          ["learning rate", below],
        ] as const) {
          let st = randomStep(r, f.P, f.I, f.O, B);
          if (where === "param") st.params[int(r, f.P)] = v;
          else if (where === "feature") st.batch[int(r, B)]!.x[int(r, f.I)] = v;
          else st = { ...st, lr: v };
          assert.throws(() => f.step(st), TrainingRangeError);
          await g.expectFail(inputOf(st));
        }
      });

      it("should refuse a flipped sign hint and leave no wire free", async () => {
        const g = await load();
        const r = prng(0x282b + f.P);
        let st = randomStep(r, f.P, f.I, f.O, B);
        while (!reference(f, st)) st = randomStep(r, f.P, f.I, f.O, B);
        const w = await g.expectPass(inputOf(st));
        const neg = w[g.wire(f.hint)]!;
        // Unless that gradient is an exact zero, the other sign has no decomposition.
        if (w[g.wire(f.hint.replace(".neg", ".r.isZero"))] === 0n) g.expectTamperFails(w, f.hint, 1n - neg);
        else assert.fail("the first parameter's update is an exact zero: pick another step");
        assert.deepEqual(g.freeWires(), []);
      });
    });
  }
});
