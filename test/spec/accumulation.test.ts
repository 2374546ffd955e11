/**
 * The accumulation rule in the spec (issue #28): parsing and its refusals, the commitment (unchanged for a
 * spec without the field or with sequential-fp32 spelled out; the exact rule and its range bound in the
 * model field), the family name and circuit ids that spell the rule and parse back, the reference trainer
 * stopping with the step and the operand that left the range, and `spec init` refusing a dataset the range
 * does not cover.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { describe, it } from "mocha";
import { commitDataset } from "../../prover/dataset/dataset.js";
import { loadIris } from "../../prover/dataset/iris.js";
import { importPenguins } from "../../prover/dataset/penguins.js";
import { TrainingRangeError } from "../../prover/numerics/accumulation.js";
import { familyOfSpec, familySpec } from "../../prover/proving/families.js";
import { circuitSpec } from "../../prover/proving/manifest.js";
import { accumulationCode, encodeSpec, specCommitment } from "../../prover/spec/commitment.js";
import { newSpec, parseAccumulation } from "../../prover/spec/init.js";
import { parseSpec } from "../../prover/spec/schema.js";
import { evaluateOn, shapeOf, train } from "../../prover/training/trainer.js";

const example = async (): Promise<Record<string, unknown>> =>
  JSON.parse(await readFile("prover/spec/examples/iris-linear.json", "utf8")) as Record<string, unknown>;

describe("the accumulation rule in the spec", () => {
  it("should parse sequential-fp32 and exact:MIN..MAX, and refuse every other spelling or range by name", () => {
    assert.deepEqual(parseAccumulation("sequential-fp32"), { rule: "sequential-fp32" });
    assert.deepEqual(parseAccumulation("exact:-40..15"), { rule: "exact", range: { min: -40, max: 15 } });
    for (const [text, why] of [
      ["fast", /sequential-fp32 or exact:MIN..MAX/],
      ["exact:-40", /sequential-fp32 or exact:MIN..MAX/],
      ["exact:1..15", /min must be in -125 .. 0/],
      ["exact:-40..-1", /max must be in 0 .. 127/],
      ["exact:-126..0", /min must be in -125 .. 0/],
      ["exact:-60..15", /max - min must be at most 70/],
      ["exact:-71..0", /max - min must be at most 70/],
    ] as const)
      assert.throws(() => parseAccumulation(text), why, text);
  });

  it("should keep the commitment of a spec without the field, and bind the exact rule and its range", async () => {
    const json = await example();
    const plain = parseSpec(json);
    const spelled = parseSpec({ ...json, accumulation: { rule: "sequential-fp32" } });
    assert.equal(specCommitment(spelled), specCommitment(plain));
    assert.equal(familyOfSpec(spelled).name, familyOfSpec(plain).name);

    const exact = parseSpec({ ...json, accumulation: { rule: "exact", range: { min: -40, max: 15 } } });
    const other = parseSpec({ ...json, accumulation: { rule: "exact", range: { min: -40, max: 16 } } });
    const code = 1n + 2n * (-40n + 128n) + 512n * (15n + 128n);
    assert.equal(accumulationCode(exact.accumulation), code);
    assert.equal(encodeSpec(exact)[1], 1n + 65536n * code, "model.family = family + 2^16 * code");
    const commitments = new Set([plain, exact, other].map(specCommitment));
    assert.equal(commitments.size, 3, "the rule and the range both enter the commitment");
  });

  it("should refuse a bad rule in a spec file with the field's path", async () => {
    const json = await example();
    assert.throws(
      () => parseSpec({ ...json, accumulation: { rule: "exact", range: { min: -80, max: 0 } } }),
      /accumulation\.range: max - min must be at most 70/,
    );
    assert.throws(() => parseSpec({ ...json, accumulation: { rule: "kahan" } }), /accumulation\.rule/);
    assert.throws(
      () => parseSpec({ ...json, accumulation: { rule: "exact", range: { min: -4, max: 4 }, extra: 1 } }),
      /accumulation/,
    );
  });

  it("should name the family and circuits by the rule, and parse both back", async () => {
    const json = await example();
    const spec = parseSpec({
      ...json,
      checkpointInterval: 1,
      accumulation: { rule: "exact", range: { min: -40, max: 15 } },
    });
    const f = familyOfSpec(spec);
    assert.equal(f.name, "linear-mse/i4-o3-b2/exact-40..15/n150/k1");
    assert.equal(f.step, "checkpoint_linear_i4o3b2n150xm40p15k1");
    assert.equal(f.genesis, "genesis_linear_i4o3b2n150xm40p15");
    assert.deepEqual(familySpec(f.name), f);
    assert.deepEqual(circuitSpec(f.step).params, [
      1 + 16 * Number(accumulationCode(spec.accumulation)),
      4,
      0,
      3,
      2,
      1,
      150,
      8,
    ]);
    assert.equal(circuitSpec(f.genesis).id, f.genesis);
    assert.deepEqual(familySpec("mlp-mse/i4-h6-o3-b2/exact-20..3/n150/k1").shape.exact, { min: -20, max: 3 });
    assert.throws(() => familySpec("linear-mse/i4-o3-b2/exact+40..15/n150/k1"), /not a family name/);
  });

  it("should stop the reference trainer with the step and the operand that left the range", async () => {
    const json = await example();
    // Iris features reach 7.9 (exponent 2): a range up to 1 leaves them out, and so does the learning rate
    // 2^-10 under a range from -8.
    const tooNarrow = parseSpec({ ...json, accumulation: { rule: "exact", range: { min: -8, max: 1 } } });
    const data = commitDataset(loadIris());
    assert.throws(
      () => train(tooNarrow, data, 7n, 3),
      (err: unknown) =>
        err instanceof TrainingRangeError &&
        /^step 0, forward, sample \d, output \d .*: operand b\[\d\] = 0x[0-9a-f]{4} has exponent 2, outside the range/.test(
          err.message,
        ),
    );
    const lrOut = parseSpec({ ...json, accumulation: { rule: "exact", range: { min: -8, max: 15 } } });
    assert.throws(
      () => train(lrOut, data, 7n, 3),
      (err: unknown) =>
        err instanceof TrainingRangeError && /^step 0, update of parameter 0: operand lr\[0\]/.test(err.message),
    );
    // A report (loss, accuracy) never stops: sums outside the range are scored under sequential fp32.
    const params = train(parseSpec(json), data, 7n, 2).final;
    assert.deepEqual(evaluateOn(shapeOf(tooNarrow), params, data), evaluateOn(shapeOf(parseSpec(json)), params, data));
    // A wide enough range trains, and to other weights than sequential accumulation.
    const wide = parseSpec({ ...json, accumulation: { rule: "exact", range: { min: -40, max: 15 } } });
    const a = train(wide, data, 7n, 16).final;
    const b = train(parseSpec(json), data, 7n, 16).final;
    assert.notDeepEqual(a, b);
  });

  it("should refuse at spec init a dataset the declared range does not cover", async () => {
    const { committed } = await importPenguins();
    const options = {
      dataset: { committed, file: "penguins.dataset.json" },
      family: "linear-mse" as const,
      learningRate: "0.1",
      batchSize: 3,
      plannedSteps: 4,
      checkpointInterval: 1,
      out: "spec.json",
    };
    assert.throws(
      () => newSpec({ ...options, accumulation: { rule: "exact", range: { min: -4, max: 15 } } }),
      /the dataset does not fit the declared exponent range: sample \d+, feature \d = .* has exponent -\d+, outside -4 \.\. 15/,
    );
    const ok = newSpec({ ...options, accumulation: { rule: "exact", range: { min: -40, max: 15 } } });
    assert.deepEqual(ok.json.accumulation, { rule: "exact", range: { min: -40, max: 15 } });
    assert.equal(newSpec(options).json.accumulation, undefined, "sequential fp32 leaves the field out");
  });
});
