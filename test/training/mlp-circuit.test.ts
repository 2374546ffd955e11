/**
 * The MlpStep circuit against the reference (prover/training/mlp.ts): random
 * steps with random weights, inputs and learning rates, forced to reach
 * pre-activations of exactly +0, -0, subnormal and negative values, every
 * witness checked against the R1CS and every new parameter bit-identical;
 * then tampered witnesses (a flipped ReLU mask, a gradient one ulp off, a
 * skipped update) that must violate the constraints.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "mocha";
import { mlpLayout, mlpParamCount, mlpTrainStep, reluMask, type MlpShape } from "../../prover/training/mlp.js";
import type { BatchSample } from "../../prover/training/model.js";
import { prng } from "../helpers/floats.js";
import { gadget, type Gadget } from "../helpers/gadget.js";

type Rand = () => number;
const int = (r: Rand, n: number): number => Math.floor(r() * n);
const bf16 = (sign: number, biased: number, frac: number): number => (sign << 15) | (biased << 7) | frac;
/** A finite bf16 value of moderate magnitude (|x| in [2^-6, 4)), or now and then a zero or a subnormal. */
function value(r: Rand): number {
  const pick = r();
  if (pick < 0.04) return bf16(int(r, 2), 0, 0);
  if (pick < 0.07) return bf16(int(r, 2), 0, 1 + int(r, 127));
  return bf16(int(r, 2), 121 + int(r, 8), int(r, 128));
}

/** The ways a hidden unit's pre-activation is forced in a random step. */
const MODES = ["random", "+0", "-0", "subnormal", "negative", "-0 output"] as const;
type Mode = (typeof MODES)[number];

interface RandomStep {
  readonly params: number[];
  readonly batch: BatchSample[];
  readonly lr: number;
}

/**
 * A random step whose hidden unit `h0` is forced into `mode` for every sample
 * of the batch ("-0 output": output `h0 mod outputs` is -0 instead, its
 * weights and bias all -0; off the label its error y - (+0) must stay -0).
 */
function randomStep(r: Rand, s: MlpShape, B: number, mode: Mode, h0: number): RandomStep {
  const L = mlpLayout(s);
  const params = Array.from({ length: mlpParamCount(s) }, () => value(r));
  const batch = Array.from({ length: B }, () => ({
    x: Array.from({ length: s.inputs }, () => value(r)),
    label: int(r, s.outputs),
  }));
  const row = (i: number) => L.w1 + h0 * s.inputs + i;
  if (mode === "+0" || mode === "-0") {
    // Every product and the bias are zeros: the sum is -0 only if all of them are -0.
    const negative = mode === "-0" ? 1 : 0;
    for (let i = 0; i < s.inputs; i++) {
      const xSign = batch[0]!.x[i]! >> 15;
      for (const b of batch) b.x[i] = (b.x[i]! & 0x7fff) | (xSign << 15);
      params[row(i)] = bf16(negative ? 1 - xSign : int(r, 2), 0, 0);
    }
    params[L.b1 + h0] = bf16(negative, 0, 0);
  } else if (mode === "subnormal") {
    // The smallest normal bf16 weight times |x| in [0.5, 1): a subnormal product, the only non-zero term.
    for (let i = 0; i < s.inputs; i++) params[row(i)] = i === 0 ? bf16(int(r, 2), 1, int(r, 128)) : 0;
    for (const b of batch) b.x[0] = bf16(int(r, 2), 126, 1 + int(r, 127));
    params[L.b1 + h0] = 0x8000;
  } else if (mode === "negative") {
    params[L.b1 + h0] = bf16(1, 131, int(r, 128)); // -16 or below: dominates every product
  } else if (mode === "-0 output") {
    // Activations are +0 or positive (or the canonical NaN, avoided here by finite hidden units): -0 weights give -0 products.
    const o0 = h0 % s.outputs;
    for (let h = 0; h < s.hidden; h++) params[L.w2 + o0 * s.hidden + h] = 0x8000;
    params[L.b2 + o0] = 0x8000;
  }
  const lr = bf16(0, 116 + int(r, 12), int(r, 128));
  return { params, batch, lr };
}

const inputOf = (st: RandomStep) => ({
  params: st.params,
  x: st.batch.map((b) => [...b.x]),
  label: st.batch.map((b) => b.label),
  lr: st.lr,
});

describe("MlpStep circuit", function () {
  this.timeout(1_800_000);

  /** Runs `n` random steps of shape s through the circuit; returns how often each pre-activation kind occurred. */
  async function agree(g: Gadget, s: MlpShape, B: number, n: number, seed: number): Promise<Record<string, number>> {
    const r = prng(seed);
    const seen: Record<string, number> = { "+0": 0, "-0": 0, subnormal: 0, negative: 0, positive: 0, "-0 output": 0 };
    for (let t = 0; t < n; t++) {
      const mode = MODES[t % MODES.length]!;
      const st = randomStep(r, s, B, mode, int(r, s.hidden));
      const want = mlpTrainStep(s, st.params, st.batch, st.lr);
      for (const p of want.p.flat()) {
        if (p === 0) seen["+0"]!++;
        else if (p === 0x8000) seen["-0"]!++;
        else if ((p & 0x7f80) === 0) seen.subnormal!++;
        else if (p & 0x8000) seen.negative!++;
        else seen.positive!++;
      }
      seen["-0 output"]! += want.y.flat().filter((y) => y === 0x8000).length;
      const w = await g.expectPass(inputOf(st));
      const got = want.paramsAfter.map((_, k) => Number(w[g.wire(`newParams[${k}]`)]));
      assert.deepEqual(got, want.paramsAfter, `random step ${t} (${mode}) of ${JSON.stringify(s)}`);
    }
    return seen;
  }

  describe("on a small shape (3 -> 4 -> 2, batch 2)", () => {
    const s: MlpShape = { inputs: 3, hidden: 4, outputs: 2 };
    let g: Gadget;
    before(async () => {
      g = await gadget("training/mlp.circom", "MlpStep", [3, 4, 2, 2]);
    });
    it("should agree with the reference bit for bit on 200 random steps, every witness satisfying the R1CS", async () => {
      const seen = await agree(g, s, 2, 200, 0x3170);
      for (const kind of ["+0", "-0", "subnormal", "negative", "positive", "-0 output"])
        assert.ok(seen[kind]! >= 20, `${kind} reached only ${seen[kind]} times`);
    });
  });

  describe("on the default shape (4 -> 6 -> 3, batch 2)", () => {
    const s: MlpShape = { inputs: 4, hidden: 6, outputs: 3 };
    const L = mlpLayout(s);
    let g: Gadget;
    before(async () => {
      g = await gadget("training/mlp.circom", "MlpStep", [4, 6, 3, 2]);
    });
    it("should agree with the reference bit for bit on 200 random steps, every witness satisfying the R1CS", async () => {
      const seen = await agree(g, s, 2, 200, 0x4631);
      for (const kind of ["+0", "-0", "subnormal", "negative", "positive", "-0 output"])
        assert.ok(seen[kind]! >= 20, `${kind} reached only ${seen[kind]} times`);
    });

    /** A random default-shape step with an active unit (normal hidden error) and an inactive one for sample 0, every gradient non-zero. */
    function honest(seed: number) {
      const r = prng(seed);
      for (;;) {
        const st = randomStep(r, s, 2, "random", 0);
        const want = mlpTrainStep(s, st.params, st.batch, st.lr);
        const active = want.p[0]!.findIndex((p) => reluMask(p) === 1);
        const inactive = want.p[0]!.findIndex((p) => reluMask(p) === 0);
        const normal = active >= 0 && (want.d[0]![active]! & 0x7f80) !== 0;
        if (normal && inactive >= 0 && want.grads.every((x) => (x & 0x7fff) !== 0)) {
          return { st, want, active, inactive };
        }
      }
    }

    it("should reject a flipped ReLU mask bit", async () => {
      const { st, active, inactive } = honest(11);
      const w = await g.expectPass(inputOf(st));
      // The mask wire (1 exactly where the pre-activation is > 0), flipped either way.
      g.expectTamperFails(w, `d[0][${active}].mask`, 0n);
      g.expectTamperFails(w, `d[0][${inactive}].mask`, 1n);
      // And the masked hidden error of an active unit forced to +0's exponent, as a flipped mask would give.
      g.expectTamperFails(w, `d[0][${active}].out.e`, 1n);
    });
    it("should reject a gradient one ulp off", async () => {
      const { st, want } = honest(12);
      const w = await g.expectPass(inputOf(st));
      for (const k of [L.w1, L.b1, L.w2 + 1, L.b2]) {
        const bits = w[g.wire(`gradR[${k}].bits`)]!;
        g.expectTamperFails(w, `gradR[${k}].bits`, bits + 1n);
        assert.notEqual(want.grads[k]! & 0x7fff, 0, "the gradient under test is non-zero");
      }
    });
    it("should reject a skipped update (new parameters equal to the old ones)", async () => {
      const { st, want } = honest(13);
      const w = await g.expectPass(inputOf(st));
      let changed = 0;
      for (let k = 0; k < want.paramsAfter.length; k++) {
        if (want.paramsAfter[k] === st.params[k]) continue;
        changed++;
        g.expectTamperFails(w, `newParams[${k}]`, BigInt(st.params[k]!));
      }
      assert.ok(changed > want.paramsAfter.length / 2, `only ${changed} parameters moved in the step`);
    });
    it("should reject parameters that are not bf16 patterns and features that are not finite", async () => {
      const { st } = honest(14);
      const input = inputOf(st);
      await g.expectFail({ ...input, params: [0x10000, ...input.params.slice(1)] });
      await g.expectFail({ ...input, x: [[0x7f80, ...input.x[0]!.slice(1)], input.x[1]!] });
      await g.expectFail({ ...input, label: [3, input.label[1]!] });
    });
  });
});
