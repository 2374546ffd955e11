/**
 * The TypeScript reference against the platform oracle. For fp32 operands,
 * Math.fround(a + b) and Math.fround(a * b) are the correctly rounded fp32
 * results (double carries more than 2p + 2 bits, so double rounding is
 * innocuous). fp32 -> bf16 is checked against an independent nearest-neighbour
 * formulation in host doubles.
 */
import assert from "node:assert/strict";
import { describe, it } from "mocha";
import fc from "fast-check";
import {
  bf16Lt,
  bf16MulToF32,
  bf16Relu,
  bf16ToF32,
  dotBf16,
  f32Add,
  f32Mul,
  f32ToBf16,
  mac,
  BF16_NAN,
} from "../../prover/numerics/index.js";
import {
  BF16_EDGES,
  F32_ADD_PAIRS,
  F32_EDGES,
  F32_MUL_PAIRS,
  bf16,
  f32,
  prng,
  randomBf16,
  randomF32,
  toF32,
} from "../helpers/floats.js";

const CASES = 100_000;
const hex = (x: number, w = 8): string => "0x" + x.toString(16).padStart(w, "0");

/** Independent fp32 -> bf16 oracle: pick the nearer bf16 neighbour in host doubles, ties to even. */
function oracleToBf16(x: number): number {
  const v = f32(x);
  if (Number.isNaN(v)) return BF16_NAN;
  const sign = x >>> 31;
  const trunc = (x & 0x7fffffff) >>> 16;
  if (!Number.isFinite(v)) return (sign << 15) | trunc;
  const a = Math.abs(v);
  const lo = bf16(trunc);
  const hi = trunc + 1 === 0x7f80 ? 2 ** 128 : bf16(trunc + 1); // past max finite: the overflow threshold
  const dl = a - lo;
  const dh = hi - a;
  const pick = dl < dh ? trunc : dh < dl ? trunc + 1 : trunc % 2 === 0 ? trunc : trunc + 1;
  return (sign << 15) | pick;
}

function check2(
  name: string,
  op: (a: number, b: number) => number,
  oracle: (a: number, b: number) => number,
  pairs: Iterable<readonly [number, number]>,
): void {
  for (const [a, b] of pairs) {
    const got = op(a, b);
    const want = oracle(a, b);
    if (got !== want) assert.fail(`${name}(${hex(a)}, ${hex(b)}) = ${hex(got)}, oracle ${hex(want)}`);
  }
}

function* randomPairs(
  seed: number,
  gen: (r: () => number, near?: number) => number,
  n = CASES,
): Generator<[number, number]> {
  const r = prng(seed);
  for (let i = 0; i < n; i++) {
    const a = gen(r);
    yield [a, gen(r, a)];
  }
}

function* allPairs(edges: readonly number[]): Generator<[number, number]> {
  for (const a of edges) for (const b of edges) yield [a, b];
}

const addOracle = (a: number, b: number): number => toF32(Math.fround(f32(a) + f32(b)));
const mulOracle = (a: number, b: number): number => toF32(Math.fround(f32(a) * f32(b)));
const bmulOracle = (a: number, b: number): number => toF32(Math.fround(bf16(a) * bf16(b)));

describe("numerics reference (TypeScript) against the platform oracle", () => {
  describe("f32Add", () => {
    it("should match Math.fround on every pair of edge cases", () => {
      check2("f32Add", f32Add, addOracle, allPairs(F32_EDGES));
    });
    it("should match Math.fround on ties, cancellation and overflow pairs (both orders)", () => {
      check2("f32Add", f32Add, addOracle, F32_ADD_PAIRS);
      check2(
        "f32Add",
        f32Add,
        addOracle,
        F32_ADD_PAIRS.map(([a, b]) => [b, a] as const),
      );
    });
    it(`should match Math.fround on ${CASES} random pairs`, () => {
      check2("f32Add", f32Add, addOracle, randomPairs(1, randomF32));
    });
  });

  describe("f32Mul", () => {
    it("should match Math.fround on every pair of edge cases", () => {
      check2("f32Mul", f32Mul, mulOracle, allPairs(F32_EDGES));
    });
    it("should match Math.fround on underflow ties and overflow pairs", () => {
      check2("f32Mul", f32Mul, mulOracle, F32_MUL_PAIRS);
    });
    it(`should match Math.fround on ${CASES} random pairs`, () => {
      check2("f32Mul", f32Mul, mulOracle, randomPairs(2, randomF32));
    });
  });

  describe("bf16MulToF32", () => {
    it("should match Math.fround on every pair of edge cases", () => {
      check2("bf16MulToF32", bf16MulToF32, bmulOracle, allPairs(BF16_EDGES));
    });
    it("should match Math.fround on all 2^16 products of 0x3f80.. with every bf16 pattern", () => {
      for (const a of [0x3f80, 0x00ff, 0x3f7f, 0x0080, 0x1fff])
        check2(
          "bf16MulToF32",
          bf16MulToF32,
          bmulOracle,
          Array.from({ length: 0x10000 }, (_, b) => [a, b] as const),
        );
    });
    it(`should match Math.fround on ${CASES} random pairs`, () => {
      check2("bf16MulToF32", bf16MulToF32, bmulOracle, randomPairs(3, randomBf16));
    });
  });

  describe("f32ToBf16", () => {
    it("should match the nearest-neighbour oracle on edge cases and near-ties", () => {
      const xs = [
        ...F32_EDGES,
        0x3f808000,
        0x3f818000,
        0x3f808001,
        0x3f817fff,
        0x7f7f8000,
        0x7f7f7fff,
        0x7f7fffff,
        0x00008000,
        0x00018000,
        0x007f8000,
        0x007fffff,
      ];
      for (const x of xs) assert.equal(hex(f32ToBf16(x), 4), hex(oracleToBf16(x), 4), `f32ToBf16(${hex(x)})`);
    });
    it(`should match the oracle on ${CASES} random patterns`, () => {
      const r = prng(4);
      for (let i = 0; i < CASES; i++) {
        const x = randomF32(r);
        if (f32ToBf16(x) !== oracleToBf16(x))
          assert.fail(`f32ToBf16(${hex(x)}) = ${hex(f32ToBf16(x), 4)}, oracle ${hex(oracleToBf16(x), 4)}`);
      }
    });
  });

  describe("mac", () => {
    it(`should equal fround(acc + fround(a * b)) on ${CASES} random triples`, () => {
      const r = prng(5);
      for (let i = 0; i < CASES; i++) {
        const a = randomBf16(r);
        const b = randomBf16(r);
        const acc = r() < 0.5 ? randomF32(r) : toF32(Math.fround(bf16(randomBf16(r)) * bf16(randomBf16(r))));
        const want = toF32(Math.fround(f32(acc) + Math.fround(bf16(a) * bf16(b))));
        if (mac(acc, a, b) !== want)
          assert.fail(`mac(${hex(acc)}, ${hex(a, 4)}, ${hex(b, 4)}) = ${hex(mac(acc, a, b))}, oracle ${hex(want)}`);
      }
    });
    it("should accumulate a dot product sequentially in index order", () => {
      const a = [0x3f80, 0x4b80, 0xcb80, 0x3f80];
      const b = [0x3f80, 0x3f80, 0x3f80, 0x3f80];
      // 1 + 2^24 rounds to 2^24 (tie to even), - 2^24 = 0, + 1 = 1; another order would give 2.
      assert.equal(f32(dotBf16(a, b)), 1);
      assert.throws(() => dotBf16([1], []), /equal length/);
    });
  });

  describe("bf16Relu and bf16Lt", () => {
    it("should match host comparisons on every pair of bf16 edge cases and 100,000 random pairs", () => {
      const pairs = [...allPairs(BF16_EDGES), ...randomPairs(6, randomBf16)];
      for (const [a, b] of pairs) assert.equal(bf16Lt(a, b), bf16(a) < bf16(b), `bf16Lt(${hex(a, 4)}, ${hex(b, 4)})`);
      for (let x = 0; x < 0x10000; x++) {
        const v = bf16(x);
        const want = Number.isNaN(v) ? BF16_NAN : v > 0 ? x : 0;
        assert.equal(bf16Relu(x), want, `bf16Relu(${hex(x, 4)})`);
      }
    });
  });

  describe("properties (fast-check)", () => {
    const f32Arb = fc.integer({ min: 0, max: 2 ** 32 - 1 });
    const bf16Arb = fc.integer({ min: 0, max: 2 ** 16 - 1 });
    it("should make addition and multiplication commutative", () => {
      fc.assert(
        fc.property(f32Arb, f32Arb, (a, b) => f32Add(a, b) === f32Add(b, a) && f32Mul(a, b) === f32Mul(b, a)),
        { numRuns: 20_000 },
      );
    });
    it("should make bf16 -> fp32 -> bf16 the identity on non-NaN patterns", () => {
      fc.assert(
        fc.property(bf16Arb, (x) => Number.isNaN(bf16(x)) || f32ToBf16(bf16ToF32(x)) === x),
        { numRuns: 20_000 },
      );
    });
    it("should round fp32 -> bf16 monotonically", () => {
      fc.assert(
        fc.property(f32Arb, f32Arb, (a, b) => {
          const [x, y] = [f32(a), f32(b)];
          if (Number.isNaN(x) || Number.isNaN(y) || x > y) return true;
          return bf16(f32ToBf16(a)) <= bf16(f32ToBf16(b));
        }),
        { numRuns: 20_000 },
      );
    });
    it("should reject patterns outside the format", () => {
      assert.throws(() => f32Add(2 ** 32, 0), /fp32 bit pattern/);
      assert.throws(() => bf16MulToF32(0x10000, 0), /bf16 bit pattern/);
      assert.throws(() => f32ToBf16(-1), /fp32 bit pattern/);
    });
  });
});
