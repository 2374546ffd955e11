/**
 * The exactly rounded dot product in circom (circuits/float/exact.circom) against its TypeScript reference
 * (prover/numerics/exact.ts, itself checked against an independent oracle in exact.test.ts), through the
 * real witness generator with every witness checked against the R1CS: random vectors over each range,
 * cancellation to zero, signed zeros, ties, subnormal and overflow results, operands at the range's
 * boundaries and just outside them (no witness), and tampered hints and outputs.
 */
import assert from "node:assert/strict";
import { describe, it } from "mocha";
import { bf16UpdateExact, dotBf16Exact, type ExponentRange } from "../../prover/numerics/index.js";
import { gadget, type Gadget } from "../helpers/gadget.js";
import { prng } from "../helpers/floats.js";

const EXACT = "float/exact.circom";
const hex = (x: number | bigint): string => "0x" + x.toString(16);

/** A bf16 pattern with sign s, leading exponent e (a normal) and 7 fraction bits f. */
const bf16 = (s: number, e: number, f: number): number => ((s << 15) | ((e + 127) << 7) | f) >>> 0;

/** A random operand of the range: +-0 one time in eight, else a normal with a uniform exponent. */
function operand(r: () => number, range: ExponentRange, zeros = 8): number {
  const s = r() < 0.5 ? 0 : 1;
  if (Math.floor(r() * zeros) === 0) return s << 15;
  return bf16(s, range.min + Math.floor(r() * (range.max - range.min + 1)), Math.floor(r() * 128));
}

interface Config {
  readonly n: number;
  readonly range: ExponentRange;
  readonly why: string;
}

/** The configurations: a training-like range, a wide one, one whose sums underflow, one whose sums overflow. */
const CONFIGS: readonly Config[] = [
  { n: 4, range: { min: -24, max: 8 }, why: "a training-like range" },
  { n: 16, range: { min: -32, max: 31 }, why: "±32, longer vectors" },
  { n: 4, range: { min: -125, max: -40 }, why: "sums in the subnormal range and below" },
  { n: 4, range: { min: 40, max: 127 }, why: "sums that overflow to infinity" },
];

/** Vectors that stress the rounding: cancellation, signed zeros, ties, boundaries. */
function edgeVectors(c: Config, r: () => number): Array<[number[], number[]]> {
  const { n, range } = c;
  const one = (x: number): number[] => Array.from({ length: n }, () => x);
  const lo = bf16(0, range.min, 0);
  const hiMax = bf16(0, range.max, 127);
  const out: Array<[number[], number[]]> = [
    [one(0x0000), one(0x0000)], // +0
    [one(0x8000), one(0x0000)], // every product -0: -0
    [one(0x8000), one(0x8000)], // every product +0
    [[0x8000, ...one(0x0000).slice(1)], one(0x0000)], // one -0 among +0: +0
    [one(lo), one(lo)], // the smallest products
    [one(hiMax), one(hiMax)], // the largest products
    [one(lo ^ 0x8000), one(lo)],
    [one(hiMax), one(hiMax ^ 0x8000)],
  ];
  // Exact cancellation: pairs x*y and (-x)*y.
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = i % 2 === 0 ? operand(r, range, 1000) : a[i - 1]! ^ 0x8000;
    a.push(x);
    b.push(i % 2 === 0 ? operand(r, range, 1000) : b[i - 1]!);
  }
  out.push([a, b]);
  // A large term plus tiny ones: the sticky bits decide; and ties (a large term plus exactly half an ulp).
  const big = bf16(0, range.max, 0);
  for (const f of [0, 1, 64, 127]) {
    const tiny = bf16(r() < 0.5 ? 0 : 1, range.min, f);
    out.push([
      [big, ...one(tiny).slice(1)],
      [big, ...one(bf16(0, range.min, 0)).slice(1)],
    ]);
  }
  // A tie: 2^(min+24) + 2^min is half an ulp above 2^(min+24), so it rounds to even (down); with one more
  // 2^min it rounds up.
  if (range.min <= 0 && range.max >= 0 && range.max - range.min >= 25 && n >= 3) {
    const ONE = 0x3f80;
    const tie = [bf16(0, range.min + 24, 0), bf16(0, range.min, 0), ...one(0).slice(2)];
    out.push([tie, [ONE, ONE, ...one(0).slice(2)]]);
    out.push([tie.map((x, i) => (i === 2 ? bf16(0, range.min, 0) : x)), [ONE, ONE, ONE, ...one(0).slice(3)]]);
  }
  return out;
}

describe("the exactly rounded dot product (circom) against the TypeScript reference", function () {
  this.timeout(600_000);

  for (const c of CONFIGS) {
    describe(`Bf16DotExact(${c.n}, ${c.range.min}, ${c.range.max}): ${c.why}`, () => {
      let cached: Gadget | undefined;
      const load = async (): Promise<Gadget> =>
        (cached ??= await gadget(EXACT, "Bf16DotExact", [c.n, c.range.min, c.range.max]));

      it("should equal dotBf16Exact on edge vectors and 500 random ones, with tampered outputs refused", async () => {
        const g = await load();
        const r = prng(0x28 + c.n + c.range.min);
        const cases = edgeVectors(c, r);
        for (let i = 0; i < 500; i++)
          cases.push([
            Array.from({ length: c.n }, () => operand(r, c.range)),
            Array.from({ length: c.n }, () => operand(r, c.range)),
          ]);
        const out = g.wire("out");
        const seen = new Set<string>();
        for (const [k, [a, b]] of cases.entries()) {
          const want = dotBf16Exact(a, b, c.range);
          const w = await g.expectPass({ a, b });
          assert.equal(
            hex(w[out]!),
            hex(want),
            `a=${a.map(hex).join(",")} b=${b.map(hex).join(",")}: circuit ${hex(w[out]!)}, reference ${hex(want)}`,
          );
          if (k % 16 === 0) {
            g.expectTamperFails(w, "out", BigInt(want) ^ 1n);
            g.expectTamperFails(w, "out", BigInt(want) ^ 0x80000000n);
          }
          const kind =
            want === 0x80000000
              ? "-0"
              : want === 0
                ? "+0"
                : (want & 0x7f800000) === 0x7f800000
                  ? "inf"
                  : (want & 0x7f800000) === 0
                    ? "subnormal"
                    : "normal";
          seen.add(kind);
        }
        // Each configuration reaches the results it is there for.
        assert.ok(seen.has("-0") && seen.has("+0") && seen.has("normal"), [...seen].join(","));
        if (c.range.max === 127) assert.ok(seen.has("inf"), [...seen].join(","));
        if (c.range.min === -125) assert.ok(seen.has("subnormal"), [...seen].join(","));
      });

      it("should have no witness for an operand outside the range, NaN, infinite or subnormal", async () => {
        const g = await load();
        const zeros = Array.from({ length: c.n }, () => 0);
        const bad = [
          c.range.min > -126 ? bf16(0, c.range.min - 1, 127) : undefined, // just below the range
          c.range.max < 127 ? bf16(1, c.range.max + 1, 0) : undefined, // just above it
          0x7fc0, // NaN
          0xff80, // -infinity
          0x0001, // the smallest subnormal
        ].filter((x): x is number => x !== undefined);
        for (const x of bad) {
          assert.throws(() => dotBf16Exact([x, ...zeros.slice(1)], zeros, c.range), RangeError);
          await g.expectFail({ a: [x, ...zeros.slice(1)], b: zeros });
          await g.expectFail({ a: zeros, b: [...zeros.slice(1), x] });
        }
      });

      it("should leave no wire free of constraints", async () => {
        const g = await load();
        assert.deepEqual(g.freeWires(), []);
      });

      it("should refuse the other sign hint of a non-zero sum", async () => {
        const g = await load();
        const r = prng(7);
        let tried = 0;
        for (let i = 0; i < 40; i++) {
          const a = Array.from({ length: c.n }, () => operand(r, c.range));
          const b = Array.from({ length: c.n }, () => operand(r, c.range));
          const want = dotBf16Exact(a, b, c.range);
          if ((want & 0x7fffffff) === 0) continue;
          const w = await g.expectPass({ a, b });
          const neg = g.wire("dot.sum.fin.neg");
          g.expectTamperFails(w, "dot.sum.fin.neg", 1n - w[neg]!);
          tried++;
        }
        assert.ok(tried > 20);
      });
    });
  }

  /** The update's configurations: training-like ranges, and ranges whose updates underflow or overflow bf16. */
  const UPDATES: ReadonlyArray<{ B: number; range: ExponentRange; why: string }> = [
    { B: 2, range: { min: -40, max: 15 }, why: "the examples' range" },
    { B: 4, range: { min: -20, max: 10 }, why: "a narrow range, batch 4" },
    { B: 2, range: { min: -70, max: 0 }, why: "updates in bf16's subnormal range and below" },
    { B: 2, range: { min: 0, max: 70 }, why: "updates that overflow to infinity" },
  ];
  for (const u of UPDATES) {
    describe(`Bf16UpdateExact(${u.B}, ${u.range.min}, ${u.range.max}): ${u.why}`, () => {
      it("should equal bf16UpdateExact on edge updates and 500 random ones, with tampered outputs refused", async () => {
        const g = await gadget(EXACT, "Bf16UpdateExact", [u.B, u.range.min, u.range.max]);
        const r = prng(0x2828 + u.B + u.range.min);
        const pick = () => operand(r, u.range);
        const zeros = (z: number) => Array.from({ length: u.B }, () => z);
        const cases: Array<{ p: number; lr: number; d: number[]; x: number[] }> = [
          { p: 0x8000, lr: pick() & 0x7fff, d: zeros(0), x: zeros(0) }, // -0 - (+0 terms): +0 ... unless every term is -0
          { p: 0x8000, lr: bf16(0, u.range.min, 0), d: zeros(0), x: zeros(0x8000) }, // p = -0, every -lr*d*x = -0: -0
          { p: 0x0000, lr: bf16(0, u.range.max, 127), d: zeros(0x8000), x: zeros(0x8000) },
        ];
        // Exact cancellation: p = lr * d * x with one term.
        const one = bf16(0, 0 >= u.range.min && 0 <= u.range.max ? 0 : u.range.min, 0);
        cases.push({ p: one, lr: one, d: [one, ...zeros(0).slice(1)], x: [one, ...zeros(0).slice(1)] });
        for (let i = 0; i < 500; i++)
          cases.push({
            p: pick(),
            lr: pick(),
            d: Array.from({ length: u.B }, pick),
            x: Array.from({ length: u.B }, pick),
          });
        const out = g.wire("out");
        const seen = new Set<string>();
        for (const [k, c] of cases.entries()) {
          const want = bf16UpdateExact(c.p, c.lr, c.d, c.x, u.range);
          const w = await g.expectPass(c);
          assert.equal(
            hex(w[out]!),
            hex(want),
            `${JSON.stringify(c)}: circuit ${hex(w[out]!)}, reference ${hex(want)}`,
          );
          if (k % 16 === 0) g.expectTamperFails(w, "out", BigInt(want) ^ 1n);
          const e = (want >> 7) & 0xff;
          seen.add(want === 0x8000 ? "-0" : want === 0 ? "+0" : e === 0xff ? "inf" : e === 0 ? "subnormal" : "normal");
        }
        assert.ok(seen.has("-0") && seen.has("+0") && seen.has("normal"), [...seen].join(","));
        if (u.range.max === 70) assert.ok(seen.has("inf"), [...seen].join(","));
        if (u.range.min === -70) assert.ok(seen.has("subnormal"), [...seen].join(","));
      });

      it("should have no witness for a learning rate or operand outside the range, and leave no wire free", async () => {
        const g = await gadget(EXACT, "Bf16UpdateExact", [u.B, u.range.min, u.range.max]);
        const z = Array.from({ length: u.B }, () => 0);
        const inside = bf16(0, u.range.min, 5);
        for (const bad of [bf16(0, u.range.max + 1, 0), 0x7fc0, 0x0001]) {
          assert.throws(() => bf16UpdateExact(inside, bad, z, z, u.range), RangeError);
          await g.expectFail({ p: inside, lr: bad, d: z, x: z });
          await g.expectFail({ p: bad, lr: inside, d: z, x: z });
          await g.expectFail({ p: inside, lr: inside, d: [bad, ...z.slice(1)], x: z });
        }
        assert.deepEqual(g.freeWires(), []);
      });
    });
  }

  /** The rounding core's configurations: fp32 for ExactDot at ±32, bf16 for ExactUpdate at [-40, 15], batch 2. */
  const CORES = [
    { FB: 23, NS: 150, ES: 72, why: "fp32, the ±32 dot products' unit: no subnormal or overflow reachable" },
    {
      FB: 7,
      NS: 191,
      ES: -7,
      why: "bf16, the [-40, 15] updates' unit: sums below 2^16 units round on the subnormal grid",
    },
  ] as const;
  for (const { FB, NS, ES, why } of CORES) {
    describe(`ExactRoundCore(${NS}, ${ES}, ${FB}) (the hints: shift, quotient, remainder): ${why}`, () => {
      const W = BigInt(FB + 3);
      const KMIN = Math.max(0, FB + 2 - ES);
      const load = () => gadget(EXACT, "ExactRoundCore", [NS, ES, FB], ["S", "k", "hi", "lo"]);

      it("should accept only the honest shift and division for each value", async () => {
        const g = await load();
        const r = prng(99 + FB);
        const values = [
          1n,
          2n,
          3n,
          (1n << 24n) + 1n,
          (1n << 25n) - 1n,
          (1n << BigInt(NS - 1)) + 12345n,
          (1n << BigInt(NS)) - 1n,
        ];
        for (let i = 0; i < 6; i++)
          values.push(BigInt.asUintN(NS, BigInt(Math.floor(r() * 2 ** 52)) << BigInt(Math.floor(r() * (NS - 52)))));
        for (const S of values) {
          const honest = Math.max(S.toString(2).length, KMIN);
          const sh = S << W;
          const input = (k: number, hi?: bigint, lo?: bigint) => ({
            S,
            k,
            hi: hi ?? sh >> BigInt(k),
            lo: lo ?? sh % (1n << BigInt(k)),
          });
          await g.expectPass(input(honest));
          for (const k of [0, 1, KMIN, honest - 2, honest - 1, honest + 1, honest + 2, NS])
            if (k >= 0 && k <= NS && k !== honest) await g.expectFail(input(k));
          const hi = sh >> BigInt(honest);
          const lo = sh % (1n << BigInt(honest));
          await g.expectFail(input(honest, hi + 1n, lo - (1n << BigInt(honest))));
          if (hi > 0n) await g.expectFail(input(honest, hi - 1n, lo + (1n << BigInt(honest))));
          await g.expectFail(input(honest, hi, lo + 1n));
        }
      });

      it("should leave no wire free of constraints", async () => {
        assert.deepEqual((await load()).freeWires(), []);
      });

      it("should force zero for S = 0 whatever the shift", async () => {
        const g = await load();
        for (const k of [KMIN, KMIN + 1, 75, NS]) {
          const w = await g.expectPass({ S: 0, k, hi: 0, lo: 0 });
          assert.equal(w[g.wire("e")], 1n);
          assert.equal(w[g.wire("m")], 0n);
        }
        await g.expectFail({ S: 0, k: KMIN + 3, hi: 0, lo: 1 });
      });
    });
  }
});
