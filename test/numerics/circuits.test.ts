/**
 * The circom float gadgets against the TypeScript reference, through the real
 * witness generator, with every witness checked against the R1CS. Negative
 * tests: tampered outputs and tampered hints must violate the constraints, and
 * the rounding core must accept no normalising shift but the honest one.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "mocha";
import {
  bf16Lt,
  bf16MulToF32,
  bf16Relu,
  dotBf16,
  f32Add,
  f32Mul,
  f32ToBf16,
  mac,
} from "../../prover/numerics/index.js";
import { FP32, roundToFormat } from "../../prover/numerics/index.js";
import { FIELD_P, firstViolated } from "../../prover/circom/r1cs.js";
import { gadget, type Gadget } from "../helpers/gadget.js";
import { BF16_EDGES, F32_ADD_PAIRS, F32_EDGES, F32_MUL_PAIRS, prng, randomBf16, randomF32 } from "../helpers/floats.js";

const RANDOM = 1_000;
const ARITH = "float/arith.circom";
const hex = (x: number | bigint): string => "0x" + x.toString(16);

type Case = Record<string, number>;

/** Runs every case through the gadget, compares `out` and tampers with it. */
async function agree(
  g: Gadget,
  cases: Iterable<Case>,
  reference: (c: Case) => number | boolean,
  tamper = true,
): Promise<number> {
  const out = g.wire("out");
  let n = 0;
  for (const c of cases) {
    const w = await g.expectPass(c);
    const want = BigInt(Number(reference(c)));
    if (w[out] !== want)
      assert.fail(
        `${JSON.stringify(Object.fromEntries(Object.entries(c).map(([k, v]) => [k, hex(v)])))}: circuit ${hex(w[out]!)}, reference ${hex(want)}`,
      );
    if (tamper && n % 10 === 0) {
      g.expectTamperFails(w, "out", want + 1n);
      g.expectTamperFails(w, "out", want ^ 1n);
    }
    n++;
  }
  return n;
}

/** fp32 patterns for fp32 -> bf16 rounding: edge cases, near-ties, then random ones. */
function bf16RoundingCases(seed: number): Case[] {
  const r = prng(seed);
  const xs = [
    ...F32_EDGES,
    0x3f808000,
    0x3f818000,
    0x3f808001,
    0x7f7f8000,
    0x7f7f7fff,
    0x00008000,
    0x007fffff,
    0xff7fffff,
  ];
  for (let i = 0; i < RANDOM; i++) xs.push(randomF32(r));
  return xs.map((x) => ({ x }));
}

function* pairs(
  edges: readonly number[],
  extra: ReadonlyArray<readonly [number, number]>,
  seed: number,
  gen: (r: () => number, near?: number) => number,
): Generator<Case> {
  for (const a of edges) for (const b of edges) yield { a, b };
  for (const [a, b] of extra) {
    yield { a, b };
    yield { a: b, b: a };
  }
  const r = prng(seed);
  for (let i = 0; i < RANDOM; i++) {
    const a = gen(r);
    yield { a, b: gen(r, a) };
  }
}

describe("float gadgets (circom) against the TypeScript reference", function () {
  this.timeout(600_000);

  describe("Fp32RoundMagCore (the only hint: the normalising shift)", () => {
    // For each configuration used by the gadgets, an adversarial prover may
    // pick any shift; every dependent signal is then recomputed by the witness
    // generator. Exactly one shift may pass for S != 0, and it must round as
    // the reference does; for S = 0 every passing shift must give +0.
    const configs = [
      { name: "add", args: [51, 51, 6, 9], nS: 51, eMin: 1, eMax: 255 },
      { name: "bf16 mul", args: [16, 41, 6, 9], nS: 16, eMin: -16, eMax: 392 },
      { name: "fp32 mul", args: [48, 73, 7, 9], nS: 48, eMin: -48, eMax: 360 },
    ] as const;
    for (const cfg of configs) {
      it(`should accept only the honest shift (${cfg.name} configuration)`, async () => {
        const g = await gadget("float/round.circom", "Fp32RoundMagCore", cfg.args);
        const r = prng(20 + cfg.nS);
        const mag = g.wire("mag");
        const cases: Array<[bigint, number]> = [
          [0n, cfg.eMin],
          [1n, cfg.eMin],
          [1n, 1],
          [(1n << BigInt(cfg.nS)) - 1n, cfg.eMax],
          [3n, cfg.eMin + 2],
        ];
        for (let i = 0; i < 40; i++) {
          const bits = 1 + Math.floor(r() * cfg.nS);
          const S = BigInt(Math.floor(r() * 2 ** Math.min(bits, 50))) << BigInt(Math.max(0, bits - 50));
          const eS = cfg.eMin + Math.floor(r() * (cfg.eMax - cfg.eMin + 1));
          cases.push([S, eS]);
        }
        const shMax = 2 ** cfg.args[2];
        for (const [S, eS] of cases) {
          const want = BigInt(roundToFormat(0, S, eS - 150, FP32));
          let accepted = 0;
          for (let sh = 0; sh < shMax; sh++) {
            let w: bigint[];
            try {
              w = await g.witness({ S, eS: ((BigInt(eS) % FIELD_P) + FIELD_P) % FIELD_P, sh });
            } catch {
              continue;
            }
            if (firstViolated(g.r1cs, w) !== -1) continue;
            accepted++;
            assert.equal(w[mag], want, `S=${S} eS=${eS} sh=${sh}: mag ${hex(w[mag]!)} != ${hex(want)}`);
          }
          if (S !== 0n) assert.equal(accepted, 1, `S=${S} eS=${eS}: ${accepted} shifts accepted`);
          else assert.ok(accepted >= 1);
        }
      });
    }
  });

  describe("Fp32Add", () => {
    let g: Gadget;
    before(async () => (g = await gadget(ARITH, "Fp32Add")));
    it(`should equal f32Add on all edge pairs, ties, cancellations and ${RANDOM} random pairs`, async () => {
      const n = await agree(g, pairs(F32_EDGES, F32_ADD_PAIRS, 11, randomF32), (c) => f32Add(c.a!, c.b!));
      assert.ok(n > RANDOM + F32_EDGES.length ** 2);
    });
    it("should reject every normalising shift but the honest one", async () => {
      for (const [a, b] of [
        ...F32_ADD_PAIRS,
        [0x00000001, 0x00000001],
        [0x3f800001, 0xbf800000],
        [0x7f7fffff, 0x7f7fffff],
      ] as const) {
        const w = await g.expectPass({ a, b });
        const sh = w[g.wire("add.rnd.sh")]!;
        for (const bad of [sh - 1n, sh + 1n, sh + 2n, sh - 2n, 0n, 63n, 64n, -1n]) {
          if (bad === sh) continue;
          g.expectTamperFails(w, "add.rnd.sh", bad);
        }
      }
    });
    it("should reject the wrong sign hint of the signed sum (ties of exponent, cancellations, zero)", async () => {
      // a - b with equal exponents and |b| > |a|: the signed sum is negative; and exact zeros.
      for (const [a, b] of [
        [0x3f800000, 0xbf800001],
        [0x3f800001, 0xbf800000],
        [0x40400000, 0xc0400000],
        [0x00000000, 0x80000000],
        [0x00000003, 0x80000005],
        [0x7f800000, 0x3f800000],
      ] as const) {
        const w = await g.expectPass({ a, b });
        const neg = w[g.wire("add.neg")]!;
        g.expectTamperFails(w, "add.neg", 1n - neg);
      }
    });
    it("should reject non-patterns (inputs of 2^32 and above)", async () => {
      await g.expectFail({ a: 2 ** 32, b: 0 });
      await g.expectFail({ a: 0, b: -1 });
    });
  });

  describe("Bf16MulToFp32", () => {
    let g: Gadget;
    before(async () => (g = await gadget(ARITH, "Bf16MulToFp32")));
    it(`should equal bf16MulToF32 on all edge pairs and ${RANDOM} random pairs`, async () => {
      await agree(
        g,
        pairs(
          BF16_EDGES,
          [
            [0x0080, 0x3f00],
            [0x0081, 0x3f00],
            [0x0001, 0x3f00],
            [0x0003, 0x3f00],
            [0x7f7f, 0x3f81],
            [0x7f80, 0x0000],
          ],
          12,
          randomBf16,
        ),
        (c) => bf16MulToF32(c.a!, c.b!),
      );
    });
    it("should reject every normalising shift but the honest one", async () => {
      for (const [a, b] of [
        [0x3f80, 0x3f80],
        [0x0081, 0x3f00],
        [0x0001, 0x0001],
        [0x7f7f, 0x7f7f],
        [0x0001, 0x3f00],
      ] as const) {
        const w = await g.expectPass({ a, b });
        const sh = w[g.wire("mul.mul.core.rnd.sh")]!;
        for (const bad of [sh - 1n, sh + 1n, sh + 3n, 0n, 63n])
          if (bad !== sh) g.expectTamperFails(w, "mul.mul.core.rnd.sh", bad);
      }
    });
    it("should reject non-patterns", async () => {
      await g.expectFail({ a: 0x10000, b: 0x3f80 });
    });
  });

  describe("Fp32Mul", () => {
    let g: Gadget;
    before(async () => (g = await gadget(ARITH, "Fp32Mul")));
    it(`should equal f32Mul on all edge pairs, underflow ties and ${RANDOM} random pairs`, async () => {
      await agree(g, pairs(F32_EDGES, F32_MUL_PAIRS, 13, randomF32), (c) => f32Mul(c.a!, c.b!));
    });
    it("should reject every normalising shift but the honest one", async () => {
      for (const [a, b] of F32_MUL_PAIRS) {
        const w = await g.expectPass({ a, b });
        const sh = w[g.wire("mul.core.rnd.sh")]!;
        for (const bad of [sh - 1n, sh + 1n, 0n, 127n])
          if (bad !== sh && !(a === 0x7f800000 || b === 0x7f800000)) g.expectTamperFails(w, "mul.core.rnd.sh", bad);
      }
    });
  });

  describe("Fp32ToBf16", () => {
    let g: Gadget;
    before(async () => (g = await gadget(ARITH, "Fp32ToBf16")));
    it(`should equal f32ToBf16 on edge cases, near-ties and ${RANDOM} random patterns`, async () => {
      await agree(g, bf16RoundingCases(14), (c) => f32ToBf16(c.x!));
    });
  });

  describe("Fp32UToBf16 (from the unpacked bus)", () => {
    it(`should equal f32ToBf16 on edge cases, near-ties and ${RANDOM} random patterns`, async () => {
      const g = await gadget(ARITH, "Fp32ToBf16ViaBus");
      await agree(g, bf16RoundingCases(18), (c) => f32ToBf16(c.x!));
    });
    it("should accept only the honest split of the significand (SplitSignificand)", async () => {
      // m and lo public: private, --O2 would substitute them away and leave only the bits' booleans.
      const g = await gadget(ARITH, "SplitSignificand", [], ["m", "lo"]);
      const r = prng(19);
      for (let k = 0; k < 100; k++) {
        const m = k === 0 ? 2 ** 24 - 1 : k === 1 ? 0 : Math.floor(r() * 2 ** 24);
        const lo = m % 2 ** 16;
        const w = await g.expectPass({ m, lo });
        // The honest witness with lo changed (bits kept) violates the R1CS itself.
        for (const bad of [lo + 1, lo - 1, lo + 2 ** 16, lo - 2 ** 16, Math.floor(r() * 2 ** 16)]) {
          if (bad === lo) continue;
          g.expectTamperFails(w, "lo", ((BigInt(bad) % FIELD_P) + FIELD_P) % FIELD_P);
          await g.expectFail({ m, lo: ((BigInt(bad) % FIELD_P) + FIELD_P) % FIELD_P });
        }
      }
    });
  });

  describe("Fp32UToBf16U (rounded and unpacked without a second decomposition)", () => {
    it(`should give the pattern and exactly Bf16FromBits' fields on edge cases, near-ties and ${RANDOM} random patterns`, async () => {
      const g = await gadget(ARITH, "Fp32ToBf16UnpackedViaBus");
      const fields = ["sign", "e", "m", "isInf", "isNaN", "isZero"];
      let n = 0;
      for (const c of [
        ...bf16RoundingCases(21),
        { x: 0x007f8000 }, // subnormal rounding up to the smallest normal bf16
        { x: 0x7f7fffff }, // largest finite rounding up to infinity
        { x: 0x80000001 }, // tiny negative rounding to -0
      ]) {
        const x = c.x!;
        const w = await g.expectPass(c);
        assert.equal(w[g.wire("bits")], BigInt(f32ToBf16(x)), `x = ${hex(x)}`);
        fields.forEach((f, i) => {
          assert.equal(w[g.wire(`direct[${i}]`)], w[g.wire(`unpacked[${i}]`)], `x = ${hex(x)}: field ${f}`);
        });
        if (n++ % 10 === 0)
          for (let i = 0; i < 6; i++) g.expectTamperFails(w, `direct[${i}]`, w[g.wire(`direct[${i}]`)]! + 1n);
      }
    });
  });

  describe("Fp32Mac", () => {
    let g: Gadget;
    before(async () => (g = await gadget(ARITH, "Fp32Mac")));
    it(`should equal mac on edge triples and ${RANDOM} random triples`, async () => {
      const r = prng(15);
      const cases: Case[] = [];
      for (const acc of [0, 0x80000000, 0x3f800000, 0xbf800000, 0x7f800000, 0x7fc00000, 0x00000001, 0x7f7fffff])
        for (const a of BF16_EDGES) cases.push({ acc, a, b: 0x3f80 }, { acc, a, b: 0xbf80 });
      for (let i = 0; i < RANDOM; i++) {
        const a = randomBf16(r);
        const b = randomBf16(r);
        cases.push({ acc: r() < 0.5 ? randomF32(r) : bf16MulToF32(randomBf16(r), randomBf16(r)), a, b });
      }
      await agree(g, cases, (c) => mac(c.acc!, c.a!, c.b!));
    });
  });

  describe("Bf16Dot", () => {
    it("should equal dotBf16 for 4-element vectors, including order-sensitive rounding", async () => {
      const g = await gadget(ARITH, "Bf16Dot", [4]);
      const r = prng(16);
      const cases: Array<{ a: number[]; b: number[] }> = [
        { a: [0x3f80, 0x4b80, 0xcb80, 0x3f80], b: [0x3f80, 0x3f80, 0x3f80, 0x3f80] },
      ];
      for (let i = 0; i < 200; i++)
        cases.push({ a: [0, 1, 2, 3].map(() => randomBf16(r)), b: [0, 1, 2, 3].map(() => randomBf16(r)) });
      const out = g.wire("out");
      for (const c of cases) {
        const w = await g.expectPass(c);
        assert.equal(w[out], BigInt(dotBf16(c.a, c.b)));
      }
      const w = await g.expectPass(cases[0]!);
      assert.equal(w[out], 0x3f800000n);
      g.expectTamperFails(w, "out", 0x40000000n);
    });
  });

  describe("Bf16Relu", () => {
    it("should equal bf16Relu on all 2^16 bf16 patterns", async () => {
      const g = await gadget(ARITH, "Bf16Relu");
      await agree(
        g,
        Array.from({ length: 0x10000 }, (_, x) => ({ x })),
        (c) => bf16Relu(c.x!),
        false,
      );
      const w = await g.expectPass({ x: 0xbf80 });
      g.expectTamperFails(w, "out", 0xbf80n);
    });
  });

  describe("Bf16Lt", () => {
    it(`should equal bf16Lt on all edge pairs and ${RANDOM} random pairs`, async () => {
      const g = await gadget(ARITH, "Bf16Lt");
      await agree(g, pairs(BF16_EDGES, [], 17, randomBf16), (c) => bf16Lt(c.a!, c.b!));
    });
  });
});
