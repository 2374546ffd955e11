/**
 * The genesis of a chunked mlp-mse run (circuits/chunk/genesis.circom, prover/chunk/genesis.ts) at the witness
 * level: the init tiles and the genesis link of the example MLP prove the unchunked genesis statement (the
 * same R0); every way of mixing tiles of another seed, position or exponent, or rewiring the link, breaks it.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "mocha";
import { weightsRoot } from "../../prover/commit/weights.js";
import { chunkedGenesis, type ChunkedGenesis } from "../../prover/chunk/genesis.js";
import type { MlpTiling } from "../../prover/chunk/mlp.js";
import type { CircuitInput } from "../../prover/circom/witness.js";
import type { AccumulationRule } from "../../prover/numerics/accumulation.js";
import { genesisChunkCircuits } from "../../prover/proving/manifest.js";
import { loadMlpExample } from "../../prover/spec/example.js";
import type { TrainingSpec } from "../../prover/spec/schema.js";
import { genesisInputs } from "../../prover/statement/inputs.js";
import { initialParams } from "../../prover/training/architecture.js";
import { gadget, type Gadget } from "../helpers/gadget.js";

const RULE: AccumulationRule = { rule: "exact", range: { min: -40, max: 15 } };
const TILING: MlpTiling = { hiddenBlock: 3, outputBlock: 1 };
const LAB = 0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266n;

describe("a chunked genesis: init tiles and the genesis link", function () {
  this.timeout(900_000);
  let spec: TrainingSpec;
  let circuits: ReturnType<typeof genesisChunkCircuits>;
  let g0: ChunkedGenesis;
  let gSeed: ChunkedGenesis; // the same spec with another init seed
  let hidden: Gadget;
  let output: Gadget;
  let link: Gadget;
  const load = (c: { include: string; template: string; params: readonly number[] }, publics: string[]) =>
    gadget(c.include, c.template, c.params, publics, { privateInputsMayFold: c.template !== "InitTile" });

  before(async () => {
    const example = await loadMlpExample();
    spec = { ...example.spec, accumulation: RULE, checkpointInterval: 1 };
    const m = spec.model;
    circuits = genesisChunkCircuits(
      {
        model: "mlp-mse",
        inputs: m.inputs,
        hidden: m.family === "mlp-mse" ? m.hidden : 0,
        outputs: m.outputs,
        batch: spec.batchSize,
        size: spec.dataset.size,
        exact: RULE.range,
      },
      TILING,
    );
    g0 = chunkedGenesis(spec, LAB, TILING, circuits);
    gSeed = chunkedGenesis({ ...spec, initSeed: spec.initSeed + 1n }, LAB, TILING, circuits);
    [hidden, output, link] = await Promise.all([
      load(circuits.hidden, ["io"]),
      load(circuits.output, ["io"]),
      load(circuits.link, [...circuits.link.publicInputs]),
    ]);
  });
  const job = (g: ChunkedGenesis, name: string): CircuitInput => g.jobs.find((j) => j.name === name)!.input;
  const linkOf = (g: ChunkedGenesis) => job(g, "link");
  const ios = (g: ChunkedGenesis) => linkOf(g).io as bigint[];

  it("should prove the unchunked genesis statement, R0 included, with every tile", async () => {
    assert.deepEqual(
      g0.jobs.map((j) => j.name),
      ["init-hidden-0", "init-hidden-1", "init-output-0", "init-output-1", "init-output-2", "link"],
    );
    for (const j of g0.jobs.slice(0, 2)) await hidden.expectPass(j.input);
    for (const j of g0.jobs.slice(2, 5)) await output.expectPass(j.input);
    const w = await link.expectPass(linkOf(g0));
    const { statement } = genesisInputs(spec, LAB);
    assert.deepEqual(g0.statement, statement);
    assert.equal(w[link.wire("root0")], weightsRoot(initialParams(spec.model, spec.initSeed)));
    assert.equal(statement.root0, weightsRoot(initialParams(spec.model, spec.initSeed)));
    console.log(
      `      constraints: init tiles ${hidden.constraints} (${circuits.hidden.params[0]} parameters) and ` +
        `${output.constraints} (${circuits.output.params[0]}), genesis link ${link.constraints}`,
    );
  });
  it("should refuse a tile of another seed, tiles swapped or duplicated, and another lab or root", async () => {
    const a = ios(g0);
    const b = ios(gSeed);
    const withIo = (io: readonly bigint[]): CircuitInput => ({ ...linkOf(g0), io: [...io] });
    for (let t = 0; t < a.length; t++) {
      assert.notEqual(a[t], b[t]);
      await link.expectFail(withIo(a.map((x, u) => (u === t ? b[t]! : x))));
    }
    await link.expectFail(withIo([a[1]!, a[0]!, ...a.slice(2)]));
    await link.expectFail(withIo([...a.slice(0, 2), a[3]!, a[2]!, a[4]!]));
    await link.expectFail(withIo([...a.slice(0, 3), a[2]!, a[4]!]));
    await link.expectFail({ ...linkOf(g0), lab: LAB + 1n });
    await link.expectFail({ ...linkOf(g0), root0: linkOf(gSeed).root0! });
    const states = linkOf(g0).states as bigint[][];
    await link.expectFail({ ...linkOf(g0), states: [states[0]!, states[2]!, states[1]!, ...states.slice(3)] });
  });
  it("should bind a tile's seed, start, exponent and phase in its io", async () => {
    const h = job(g0, "init-hidden-1");
    await hidden.expectFail({ ...h, seed: (h.seed as bigint) + 1n });
    await hidden.expectFail({ ...h, k0: (h.k0 as bigint) + 1n });
    await hidden.expectFail({ ...h, top: (h.top as bigint) + 1n });
    await hidden.expectFail({ ...h, phase: ((h.phase as bigint) + 1n) % 15n });
    // The first hidden tile ends inside an element: the second starts at the same state with a carry.
    await hidden.expectFail({ ...h, cIn: job(g0, "init-hidden-0").cIn! });
    await hidden.expectFail({ ...h, hIn: job(g0, "init-output-0").hIn! });
  });
  it("should hold every derived parameter and the phase hint to the R1CS, with no wire free", async () => {
    const h = job(g0, "init-hidden-0");
    const w = await hidden.expectPass(h);
    hidden.expectTamperFails(w, "p[0].param", w[hidden.wire("p[0].param")]! ^ 1n);
    hidden.expectTamperFails(w, "p[11].param", w[hidden.wire("p[11].param")]! + 1n);
    const phase = Number(h.phase);
    hidden.expectTamperFails(w, `seg.sel[${phase}]`, 0n);
    hidden.expectTamperFails(w, `seg.sel[${(phase + 1) % 15}]`, 1n);
    assert.deepEqual(hidden.freeWires(), []);
    assert.deepEqual(output.freeWires(), []);
    assert.deepEqual(link.freeWires(), []);
  });
});
