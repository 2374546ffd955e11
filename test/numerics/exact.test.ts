/**
 * The exactly rounded dot product (issue #28's TypeScript reference) against an independent oracle: each
 * bf16 × bf16 product is exact in a host double, the exact sum is a BigInt multiple of 2^-266, and the
 * nearest fp32 is found by comparing the exact distances to the fp32 neighbours of Math.fround's guess
 * (ties to the even pattern), with its own overflow and signed-zero rules — none of it shared with the code
 * under test (which decodes patterns and rounds with roundToFormat).
 */
import assert from "node:assert/strict";
import { describe, it } from "mocha";
import {
  bf16ToNumber,
  bf16UpdateExact,
  dotBf16,
  dotBf16Exact,
  FULL_BF16_RANGE,
  numberToBf16,
  numberToF32,
  OutOfRangeError,
  type ExponentRange,
} from "../../prover/numerics/index.js";
import { dotOracle, f32Scaled, TWO_SCALE } from "../helpers/exact-oracle.js";
import { prng, randomBf16 } from "../helpers/floats.js";

const SCALE3 = 400; // every bf16 x bf16 x bf16 product is an integer multiple of 2^-399
const TWO_SCALE3 = 2 ** SCALE3;
/** |S| at or above the midpoint between the largest bf16 and 2^128 rounds to infinity. */
const BF16_OVERFLOW = (2n ** 128n - 2n ** 119n) * 2n ** BigInt(SCALE3);

/** The update oracle: nearest bf16 pattern to p - lr · Σ δ_i x_i (exact), ties to even. */
function updateOracle(p: number, lr: number, ds: readonly number[], xs: readonly number[]): number {
  const terms = [bf16ToNumber(p), ...ds.map((d, i) => -(bf16ToNumber(lr) * bf16ToNumber(d) * bf16ToNumber(xs[i]!)))];
  let sum = 0n;
  for (const t of terms) sum += BigInt(t * TWO_SCALE3); // each term exact in a double; a power-of-two scaling
  const neg = sum < 0n;
  const mag = neg ? -sum : sum;
  if (mag === 0n) return terms.every((t) => Object.is(t, -0)) ? 0x8000 : 0;
  const signBit = neg ? 0x8000 : 0;
  if (mag >= BF16_OVERFLOW) return signBit + 0x7f80;
  const guess = numberToBf16(Math.abs(Number(mag) / TWO_SCALE3)) & 0x7fff;
  let best = -1;
  let bestDistance = 0n;
  for (const c of [guess - 1, guess, guess + 1]) {
    if (c < 0 || c > 0x7f7f) continue;
    const d = BigInt(bf16ToNumber(c) * TWO_SCALE3) - mag;
    const distance = d < 0n ? -d : d;
    if (best < 0 || distance < bestDistance || (distance === bestDistance && c % 2 === 0)) {
      best = c;
      bestDistance = distance;
    }
  }
  return signBit + best;
}

/** A random finite bf16 whose leading exponent lies in the range. */
function inRange(r: () => number, range: ExponentRange): number {
  for (;;) {
    const x = randomBf16(r);
    try {
      dotBf16Exact([x], [numberToBf16(1)], range);
      return x;
    } catch {
      // NaN, infinity or outside the range: draw again
    }
  }
}

const hex = (x: number): string => `0x${(x >>> 0).toString(16).padStart(8, "0")}`;
const check = (a: readonly number[], b: readonly number[]): void => {
  const got = dotBf16Exact(a, b);
  const want = dotOracle(a, b);
  assert.equal(hex(got), hex(want), `a = [${a.map(hex).join(", ")}], b = [${b.map(hex).join(", ")}]`);
};
const bf = (x: number): number => numberToBf16(x);

describe("exactly rounded bf16 dot product (issue #28: the reference)", () => {
  it("should agree with the rational oracle on 20,000 random dot products of length 1 to 64", () => {
    const r = prng(2809);
    for (let n = 0; n < 20_000; n++) {
      const len = 1 + Math.floor(r() * 64);
      const a = Array.from({ length: len }, () => inRange(r, FULL_BF16_RANGE));
      const b = Array.from({ length: len }, () => inRange(r, FULL_BF16_RANGE));
      check(a, b);
    }
  });

  it("should agree on cancellation, ties, and the subnormal and overflow boundaries", () => {
    const one = bf(1);
    const r = prng(28);
    // Cancellation to an exact zero (+0), and leaving a tiny remainder.
    for (let n = 0; n < 2_000; n++) {
      const xs = Array.from({ length: 1 + Math.floor(r() * 16) }, () => inRange(r, FULL_BF16_RANGE));
      const ys = Array.from({ length: xs.length }, () => inRange(r, FULL_BF16_RANGE));
      const a = [...xs, ...xs];
      const b = [...ys, ...ys.map((y) => y ^ 0x8000)];
      check(a, b);
      assert.equal(dotBf16Exact(a, b), 0, "an exact cancellation is +0");
      check([...a, bf(2 ** -133)], [...b, one]);
    }
    // Ties: 1 + 2^-24 is halfway between 1 and 1 + 2^-23 (to even: 1); 1 + 3 x 2^-24 to 1 + 2^-22.
    check([one, bf(2 ** -12)], [one, bf(2 ** -12)]);
    assert.equal(dotBf16Exact([one, bf(2 ** -12)], [one, bf(2 ** -12)]), numberToF32(1));
    check([one, bf(2 ** -12), bf(2 ** -12)], [one, bf(2 ** -12), bf(2 ** -11)]);
    // Subnormal results: 2^-149 (the smallest), half of it (a tie to +0, keeping the sign), and just above.
    const tiny = bf(2 ** -75);
    check([tiny], [bf(2 ** -74)]);
    check([tiny], [tiny]);
    assert.equal(dotBf16Exact([tiny], [tiny]), 0);
    assert.equal(dotBf16Exact([tiny ^ 0x8000], [tiny]), 0x80000000, "a negative value rounding to zero is -0");
    check([tiny, tiny], [tiny, bf(2 ** -80)]);
    check([bf(2 ** -63)], [bf(2 ** -63)]); // 2^-126, the smallest normal
    // Overflow: 2^127 x 2 = 2^128 -> inf; the largest finite sums stay finite; a cancelling term brings it back.
    const big = bf(2 ** 127);
    check([big], [bf(2)]);
    assert.equal(dotBf16Exact([big], [bf(2)]), 0x7f800000);
    check([big, big], [one, one]);
    check([big, big, big], [one, one, bf(-1)]);
    assert.equal(dotBf16Exact([big, big, big], [one, one, bf(-1)]), numberToF32(2 ** 127));
    check([bf(-(2 ** 127)), bf(-(2 ** 126))], [bf(1.5), one]);
    for (let n = 0; n < 2_000; n++) {
      const len = 1 + Math.floor(r() * 8);
      const near = (e: number) => bf((1 + Math.floor(r() * 128) / 128) * 2 ** e * (r() < 0.5 ? -1 : 1));
      check(
        Array.from({ length: len }, () => near(60 + Math.floor(r() * 8))),
        Array.from({ length: len }, () => near(60 + Math.floor(r() * 8))),
      );
      check(
        Array.from({ length: len }, () => near(-70 + Math.floor(r() * 8))),
        Array.from({ length: len }, () => near(-70 + Math.floor(r() * 8))),
      );
    }
  });

  it("should give -0 only when every product is -0, and +0 for no terms", () => {
    const z = 0;
    const nz = 0x8000;
    const one = bf(1);
    assert.equal(dotBf16Exact([], []), 0);
    assert.equal(dotBf16Exact([nz], [one]), 0x80000000);
    assert.equal(dotBf16Exact([nz, z], [one, nz]), 0x80000000);
    assert.equal(dotBf16Exact([nz, z], [one, one]), 0);
    assert.equal(dotBf16Exact([nz, one], [one, bf(-1)]), numberToF32(-1));
    assert.equal(dotBf16Exact([one, one], [one, bf(-1)]), 0);
    for (const [a, b] of [
      [[nz], [one]],
      [
        [nz, z],
        [one, nz],
      ],
      [
        [nz, z],
        [one, one],
      ],
      [
        [one, one],
        [one, bf(-1)],
      ],
    ] as const)
      check(a, b);
  });

  it("should not depend on the order of the terms, and be at least as accurate as sequential accumulation", () => {
    const r = prng(4242);
    let differ = 0;
    for (let n = 0; n < 3_000; n++) {
      const len = 2 + Math.floor(r() * 30);
      const range: ExponentRange = { min: -32, max: 32 };
      const a = Array.from({ length: len }, () => inRange(r, range));
      const b = Array.from({ length: len }, () => inRange(r, range));
      const order = a.map((_, i) => i).sort(() => r() - 0.5);
      const exact = dotBf16Exact(a, b, range);
      assert.equal(
        dotBf16Exact(
          order.map((i) => a[i]!),
          order.map((i) => b[i]!),
          range,
        ),
        exact,
      );
      // |exact - S| <= |sequential - S|, both as BigInt multiples of 2^-266.
      let s = 0n;
      for (let i = 0; i < len; i++) s += BigInt(bf16ToNumber(a[i]!) * bf16ToNumber(b[i]!) * TWO_SCALE);
      const sequential = dotBf16(a, b);
      const err = (bits: number): bigint => {
        const d = f32Scaled(bits) - s;
        return d < 0n ? -d : d;
      };
      assert.ok(err(exact) <= err(sequential), `${hex(exact)} is farther from the exact sum than ${hex(sequential)}`);
      if (exact !== sequential) differ++;
    }
    // The two rules are different computations: sequential accumulation rounds after every term.
    assert.ok(differ > 300, `only ${differ} of 3,000 dot products differ from sequential accumulation`);
  });

  it("should round a parameter's update over a batch once to bf16, as the oracle does", () => {
    const r = prng(2828);
    const range: ExponentRange = { min: -40, max: 40 };
    for (let n = 0; n < 10_000; n++) {
      const len = 1 + Math.floor(r() * 16);
      const p = r() < 0.1 ? (r() < 0.5 ? 0 : 0x8000) : inRange(r, range);
      const lr = inRange(r, range);
      const ds = Array.from({ length: len }, () => inRange(r, range));
      const xs = Array.from({ length: len }, () => inRange(r, range));
      const got = bf16UpdateExact(p, lr, ds, xs, range);
      const want = updateOracle(p, lr, ds, xs);
      assert.equal(
        got,
        want,
        `p ${hex(p)} lr ${hex(lr)} deltas [${ds.map(hex).join(", ")}] x [${xs.map(hex).join(", ")}]`,
      );
    }
    // Edges: the update cancels p exactly (+0); -0 minus +0 products stays -0; a tie rounds to even; overflow.
    const one = bf(1);
    assert.equal(bf16UpdateExact(one, one, [one], [one]), 0);
    assert.equal(bf16UpdateExact(0x8000, one, [0], [one]), 0x8000);
    assert.equal(bf16UpdateExact(0, one, [0], [one]), 0);
    assert.equal(bf16UpdateExact(one, bf(2 ** -8), [one], [bf(-1)]), one, "1 + 2^-8 is a tie: to even, 1");
    assert.equal(bf16UpdateExact(bf(2 ** 127), bf(-(2 ** 127)), [bf(2)], [one]), 0x7f80);
    for (const [p, lr, d, x] of [
      [one, one, one, one],
      [0x8000, one, 0, one],
      [one, bf(2 ** -8), one, bf(-1)],
      [one, bf(3 * 2 ** -8), one, bf(-1)],
      [bf(2 ** 127), bf(-(2 ** 127)), bf(2), one],
    ] as const)
      assert.equal(bf16UpdateExact(p, lr, [d], [x]), updateOracle(p, lr, [d], [x]));
    assert.throws(
      () => bf16UpdateExact(one, 0x7fc0, [one], [one]),
      (e: unknown) => e instanceof OutOfRangeError && e.operand === "lr",
    );
    assert.throws(
      () => bf16UpdateExact(one, one, [one, bf(2 ** 50)], [one, one], range),
      (e: unknown) => e instanceof OutOfRangeError && e.operand === "delta" && e.index === 1,
    );
  });

  it("should refuse NaN, infinities and operands outside the declared range, naming the operand", () => {
    const range: ExponentRange = { min: -8, max: 8 };
    const one = bf(1);
    // The range's boundaries are inside it.
    assert.equal(dotBf16Exact([bf(2 ** -8)], [bf(2 ** 8)], range), numberToF32(1));
    assert.equal(dotBf16Exact([bf(510)], [one], range), numberToF32(510)); // 1.1111111b x 2^8, the largest
    const refused = (a: number[], b: number[], index: number, operand: "a" | "b", why: RegExp): void => {
      assert.throws(
        () => dotBf16Exact(a, b, range),
        (e: unknown) =>
          e instanceof OutOfRangeError && e.index === index && e.operand === operand && why.test(e.message),
      );
    };
    refused(
      [one, bf(2 ** 9)],
      [one, one],
      1,
      "a",
      /a\[1\] = 0x4400 has exponent 9, outside the range \(declared exponent range -8 \.\. 8\)/,
    );
    refused([one, one], [one, bf(2 ** -9)], 1, "b", /exponent -9/);
    refused([0x7fc0], [one], 0, "a", /is NaN/);
    refused([one], [0xff80], 0, "b", /is infinite/);
    // Zeros are in every range.
    assert.equal(dotBf16Exact([0, 0x8000], [bf(2 ** 8), one], range), 0);
    assert.throws(() => dotBf16Exact([one], [one, one]), /unequal length/);
    assert.throws(() => dotBf16Exact([one], [one], { min: 1, max: 0 }), /empty exponent range/);
  });
});
