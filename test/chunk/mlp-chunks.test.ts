/**
 * A chunked mlp-mse step (circuits/chunk, prover/chunk) at the witness level: every tile and the link of
 * real steps of the example MLP under the exact rule hold, and their weights roots are the unchunked
 * step's; every way of mixing chunks of different steps, samples, runs or positions breaks a link.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "mocha";
import { artifacts, network } from "hardhat";
import type { Hex } from "viem";
import { compileGeneratedVerifiers } from "../../client/families.js";
import { packProof, proofWords } from "../../prover/proving/calldata.js";
import { buildCircuit } from "../../prover/proving/artifacts.js";
import { releaseSnarkjs, silentLogger } from "../../prover/proving/log.js";
import { weightsRoot } from "../../prover/commit/weights.js";
import { weightsFinish, weightsStates } from "../../prover/chunk/commit.js";
import { chunkedStep, proveChunks, verifyChunks, type ChunkProof } from "../../prover/chunk/step.js";
import { mlpChunks, stretchBounds, tilingProblem, type MlpChunks, type MlpTiling } from "../../prover/chunk/mlp.js";
import type { CircuitInput } from "../../prover/circom/witness.js";
import type { CommittedDataset } from "../../prover/dataset/dataset.js";
import { accumulator, TrainingRangeError, type AccumulationRule } from "../../prover/numerics/accumulation.js";
import { adapterName, chunkCircuits } from "../../prover/proving/manifest.js";
import { accumulationCode, MODEL_FAMILY_CODES } from "../../prover/spec/commitment.js";
import { loadMlpExample } from "../../prover/spec/example.js";
import type { TrainingSpec } from "../../prover/spec/schema.js";
import { mlpTrainStep, type MlpShape } from "../../prover/training/mlp.js";
import { asBatchSamples, train, type StepRecord, type TrainingRun } from "../../prover/training/trainer.js";
import { prng } from "../helpers/floats.js";
import { gadget, type Gadget } from "../helpers/gadget.js";

const RULE: AccumulationRule = { rule: "exact", range: { min: -40, max: 15 } };
const { min: MIN, max: MAX } = RULE.range;
const SHAPE: MlpShape = { inputs: 4, hidden: 6, outputs: 3 };
const TILING: MlpTiling = { hiddenBlock: 3, outputBlock: 1 };
const B = 2;
const N = 150;
const DEPTH = 8;
const RUN = { lab: 0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266n, beacon: 0x5eedn };
const M = Number(MODEL_FAMILY_CODES["mlp-mse"] + 16n * accumulationCode(RULE));
const CIRCUITS = chunkCircuits({ model: "mlp-mse", ...SHAPE, batch: B, size: N, exact: RULE.range }, TILING);

const hiddenTile = () =>
  gadget("chunk/mlp.circom", "MlpHiddenTile", [SHAPE.inputs, TILING.hiddenBlock, SHAPE.outputs, B, MIN, MAX], ["io"]);
const outputTile = () =>
  gadget(
    "chunk/mlp.circom",
    "MlpOutputTile",
    [SHAPE.hidden, TILING.hiddenBlock, SHAPE.outputs, TILING.outputBlock, B, MIN, MAX],
    ["io"],
  );
const linkCircuit = () =>
  gadget(
    "chunk/link.circom",
    "MlpChunkLink",
    [M, SHAPE.inputs, SHAPE.hidden, SHAPE.outputs, B, TILING.hiddenBlock, TILING.outputBlock, N, DEPTH],
    ["runTag", "position", "rootBefore", "rootAfter", "accumulator", "io"],
    { privateInputsMayFold: true },
  );

describe("chunked mlp-mse steps under the exact rule", function () {
  this.timeout(1_800_000);
  let spec: TrainingSpec;
  let data: CommittedDataset;
  let run: TrainingRun;
  before(async () => {
    const example = await loadMlpExample();
    spec = { ...example.spec, accumulation: RULE };
    data = example.data;
    run = train(spec, data, RUN.beacon);
  });

  const chunksOf = (r: StepRecord): MlpChunks => {
    const batch = asBatchSamples(data, r.indices);
    const trace = mlpTrainStep(SHAPE, r.paramsBefore, batch, spec.optimizer.learningRate, accumulator(RULE));
    assert.deepEqual(trace.paramsAfter, r.paramsAfter);
    return mlpChunks(SHAPE, TILING, RULE.range, trace, batch, spec.optimizer.learningRate);
  };
  const linkInputs = (r: StepRecord): CircuitInput =>
    chunkedStep(spec, data, r, RUN, TILING, CIRCUITS).jobs.find((j) => j.name === "link")!.input;

  describe("commitments", () => {
    it("should stop the weights sponge anywhere and still reach the root", () => {
      const r = prng(0x2626);
      for (const P of [1, 14, 15, 16, 29, 30, 31, 57]) {
        const params = Array.from({ length: P }, () => Math.floor(r() * 0x10000));
        const cuts = [0, ...Array.from({ length: 4 }, () => Math.floor(r() * P)).sort((a, b) => a - b), P];
        const states = weightsStates(params, cuts);
        assert.equal(weightsFinish(states[states.length - 1]!, P), weightsRoot(params), `P = ${P}`);
      }
    });
    it("should refuse a tiling that does not divide the widths", () => {
      assert.match(tilingProblem(SHAPE, { hiddenBlock: 4, outputBlock: 1 }) ?? "", /hidden block 4/);
      assert.match(tilingProblem(SHAPE, { hiddenBlock: 3, outputBlock: 2 }) ?? "", /output block 2/);
      assert.equal(tilingProblem(SHAPE, TILING), undefined);
      assert.deepEqual(stretchBounds(SHAPE, TILING), [0, 12, 24, 27, 30, 36, 42, 48, 49, 50, 51]);
    });
  });

  describe("tiles and link of real steps", () => {
    let hidden: Gadget;
    let output: Gadget;
    let link: Gadget;
    before(async () => {
      [hidden, output, link] = await Promise.all([hiddenTile(), outputTile(), linkCircuit()]);
    });

    it("should prove every chunk of the first steps, with the unchunked roots", async () => {
      for (const r of run.steps.slice(0, 3)) {
        const c = chunksOf(r);
        for (const h of c.hidden) await hidden.expectPass(h);
        for (const o of c.output) await output.expectPass(o);
        const w = await link.expectPass(linkInputs(r));
        assert.equal(w[link.wire("rootBefore")], weightsRoot(r.paramsBefore));
        assert.equal(w[link.wire("rootAfter")], weightsRoot(r.paramsAfter));
      }
      console.log(
        `      constraints: hidden tile ${hidden.constraints}, output tile ${output.constraints}, link ${link.constraints}`,
      );
    });

    it("should agree with the reference on random steps with edge values, zeros of both signs among them", async () => {
      const r = prng(0x2627);
      const value = (): number => {
        if (r() < 0.1) return (Math.floor(r() * 2) << 15) | 0;
        return (Math.floor(r() * 2) << 15) | ((121 + Math.floor(r() * 8)) << 7) | Math.floor(r() * 128);
      };
      let proven = 0;
      for (let n = 0; n < 12; n++) {
        const params = Array.from({ length: 51 }, value);
        const batch = Array.from({ length: B }, () => ({
          x: Array.from({ length: SHAPE.inputs }, value),
          label: Math.floor(r() * SHAPE.outputs),
        }));
        const lr = (0 << 15) | ((116 + Math.floor(r() * 12)) << 7) | Math.floor(r() * 128);
        let trace;
        try {
          trace = mlpTrainStep(SHAPE, params, batch, lr, accumulator(RULE));
        } catch (err) {
          if (err instanceof TrainingRangeError) continue;
          throw err;
        }
        const c = mlpChunks(SHAPE, TILING, RULE.range, trace, batch, lr);
        for (const h of c.hidden) await hidden.expectPass(h);
        for (const o of c.output) await output.expectPass(o);
        proven++;
      }
      assert.ok(proven >= 8, `${proven} of 12 random steps stayed in the range`);
    });
  });

  describe("links that must break", () => {
    let hidden: Gadget;
    let output: Gadget;
    let link: Gadget;
    let c0: MlpChunks;
    let c1: MlpChunks;
    let l0: CircuitInput;
    before(async () => {
      [hidden, output, link] = await Promise.all([hiddenTile(), outputTile(), linkCircuit()]);
      c0 = chunksOf(run.steps[0]!);
      c1 = chunksOf(run.steps[1]!);
      l0 = linkInputs(run.steps[0]!);
    });
    const ios = (c: MlpChunks) => [...c.hidden, ...c.output].map((t) => t.io as bigint);
    const withIo = (io: readonly bigint[]): CircuitInput => ({ ...l0, io: [...io] });

    it("should refuse a chunk of another step in the link's place", async () => {
      const a = ios(c0);
      const b = ios(c1);
      for (let t = 0; t < a.length; t++) {
        assert.notEqual(a[t], b[t]);
        await link.expectFail(withIo(a.map((x, u) => (u === t ? b[t]! : x))));
      }
    });
    it("should refuse two chunks swapped, a chunk dropped for a duplicate of another", async () => {
      const a = ios(c0);
      const swap = (i: number, j: number) => a.map((x, u) => (u === i ? a[j]! : u === j ? a[i]! : x));
      await link.expectFail(withIo(swap(0, 1))); // two hidden tiles
      await link.expectFail(withIo(swap(2, 4))); // two output tiles
      await link.expectFail(withIo(swap(1, 2))); // a hidden and an output tile
      await link.expectFail(withIo(a.map((x, u) => (u === 3 ? a[2]! : x))));
    });
    it("should refuse a chunk of another run: same spec, another beacon, so another batch", async () => {
      const other = train(spec, data, RUN.beacon + 1n);
      const batch = asBatchSamples(data, other.steps[0]!.indices);
      const trace = mlpTrainStep(SHAPE, run.initial, batch, spec.optimizer.learningRate, accumulator(RULE));
      const c = mlpChunks(SHAPE, TILING, RULE.range, trace, batch, spec.optimizer.learningRate);
      const a = ios(c0);
      const b = ios(c);
      for (let t = 0; t < a.length; t++) await link.expectFail(withIo(a.map((x, u) => (u === t ? b[t]! : x))));
    });
    it("should refuse the link with another wiring: stretches out of order, totals not starting at zero", async () => {
      const old = l0.oldStates as bigint[][];
      await link.expectFail({ ...l0, oldStates: [old[0]!, old[2]!, old[1]!, ...old.slice(3)] });
      const totals = l0.totals as bigint[];
      await link.expectFail({ ...l0, totals: [totals[1]!, ...totals.slice(1)] });
      const r = l0.rDigest as bigint[];
      await link.expectFail({ ...l0, rDigest: [r[1]!, r[0]!] });
      const g = l0.gDigest as bigint[];
      await link.expectFail({ ...l0, gDigest: [g[1]!, g[0]!] });
    });
    it("should refuse a tile whose inputs are another step's or another sample's", async () => {
      const h = c0.hidden[0]!;
      await hidden.expectFail({ ...h, w: c1.hidden[0]!.w! }); // a weight block of another step
      await hidden.expectFail({ ...h, x: c1.hidden[0]!.x! }); // another batch
      await hidden.expectFail({ ...h, gSum: c1.hidden[0]!.gSum! });
      await hidden.expectFail({ ...h, wPhase: ((h.wPhase as bigint) + 1n) % 15n });
      await hidden.expectFail({ ...h, wPhase: 15n });
      const o = c0.output[1]!;
      await output.expectFail({ ...o, label: [...(o.label as bigint[])].reverse() }); // samples swapped
      await output.expectFail({ ...o, r: c1.output[1]!.r! });
      await output.expectFail({ ...o, o0: 0 });
      await output.expectFail({ ...o, w: c1.output[1]!.w! });
      await output.expectFail({ ...o, gSum: c0.output[0]!.gSum! }); // the totals of another position
    });
    it("should hold each tile's outputs to its arithmetic", async () => {
      const wh = await hidden.expectPass(c0.hidden[0]!);
      hidden.expectTamperFails(wh, "r[0][0]", wh[hidden.wire("r[0][0]")]! ^ 1n);
      hidden.expectTamperFails(wh, "wAfter[0]", wh[hidden.wire("wAfter[0]")]! ^ 1n);
      hidden.expectTamperFails(wh, "bAfter[2]", wh[hidden.wire("bAfter[2]")]! ^ 1n);
      // The phase's one-hot hint (WeightsSegment.sel): moved to another slot, it breaks the R1CS.
      const phase = Number(c0.hidden[0]!.wPhase);
      hidden.expectTamperFails(wh, `ws.o.sel[${phase}]`, 0n);
      hidden.expectTamperFails(wh, `ws.o.sel[${(phase + 1) % 15}]`, 1n);
      const wo = await output.expectPass(c0.output[0]!);
      output.expectTamperFails(wo, "gSumOut[1][5]", wo[output.wire("gSumOut[1][5]")]! + 1n);
      output.expectTamperFails(wo, "wAfter[3]", wo[output.wire("wAfter[3]")]! ^ 1n);
    });
    it("should leave no wire of a tile or the link free", () => {
      assert.deepEqual(hidden.freeWires(), []);
      assert.deepEqual(output.freeWires(), []);
      assert.deepEqual(link.freeWires(), []);
    });
  });

  describe("Groth16 proofs of a chunked step, checked as a set off-chain and on-chain", () => {
    const shape = { hiddenTiles: SHAPE.hidden / TILING.hiddenBlock, outputTiles: SHAPE.outputs / TILING.outputBlock };
    let p0: ChunkProof[];
    let p1: ChunkProof[];
    let dir: string;
    before(async () => {
      // Default folders: the adapters land in contracts/generated (ignored by git) so Hardhat compiles them.
      for (const c of [CIRCUITS.hidden, CIRCUITS.output, CIRCUITS.link]) await buildCircuit(c, {}, silentLogger);
      dir = await mkdtemp(path.join(tmpdir(), "vtr-chunks-"));
      const seen: string[] = [];
      p0 = await proveChunks(chunkedStep(spec, data, run.steps[0]!, RUN, TILING, CIRCUITS), {
        dir,
        progress: (done, name) => seen.push(`${done}:${name}`),
      });
      assert.deepEqual(seen, ["1:hidden-0", "2:hidden-1", "3:output-0", "4:output-1", "5:output-2", "6:link"]);
      p1 = await proveChunks(chunkedStep(spec, data, run.steps[1]!, RUN, TILING, CIRCUITS), {});
    });
    after(async () => {
      await rm(dir, { recursive: true, force: true });
      await releaseSnarkjs();
    });

    it("should accept the step's proofs, with the step proof's statement, and resume from its directory", async () => {
      assert.equal(await verifyChunks(CIRCUITS, shape, p0), undefined);
      assert.equal(await verifyChunks(CIRCUITS, shape, p1), undefined);
      const link = p0[p0.length - 1]!;
      assert.equal(BigInt(link.publicSignals[2]!), weightsRoot(run.steps[0]!.paramsBefore));
      assert.equal(BigInt(link.publicSignals[3]!), weightsRoot(run.steps[0]!.paramsAfter));
      const again = await proveChunks(chunkedStep(spec, data, run.steps[0]!, RUN, TILING, CIRCUITS), { dir });
      assert.deepEqual(again, p0);
    });
    it("should refuse a tile of another step, tiles swapped, a duplicate, a missing tile and a forged proof", async () => {
      const refuse = async (proofs: ChunkProof[], why: RegExp): Promise<void> => {
        assert.match((await verifyChunks(CIRCUITS, shape, proofs)) ?? "accepted", why);
      };
      await refuse(
        p0.map((p, t) => (t === 1 ? p1[1]! : p)),
        /states io .* the link wires io\[1\]/,
      );
      await refuse(
        p0.map((p, t) => (t === 2 ? p1[2]! : p)),
        /states io .* the link wires io\[2\]/,
      );
      await refuse([p0[1]!, p0[0]!, ...p0.slice(2)], /the link wires io\[0\]/);
      await refuse([p0[0]!, p0[1]!, p0[2]!, p0[2]!, p0[4]!, p0[5]!], /the link wires io\[3\]/);
      await refuse(
        p0.filter((_, t) => t !== 3),
        /expected 6 proofs/,
      );
      await refuse([p0[2]!, ...p0.slice(1)], /is of chunkout_.*not chunkhid_/);
      const forged = { ...p0[0]!, publicSignals: [p1[0]!.publicSignals[0]!] };
      await refuse([forged, ...p0.slice(1)], /does not verify/);
      await refuse([...p0.slice(0, -1), p1[p1.length - 1]!], /the link wires io\[0\]/);
    });

    describe("ChunkedStepVerifier", () => {
      let conn: Awaited<ReturnType<typeof network.create>>;
      let verifier: { address: Hex; read: { verifyStep: (args: readonly unknown[]) => Promise<boolean> } };
      before(async () => {
        await compileGeneratedVerifiers();
        conn = await network.create();
        const deploy = (id: string) => conn.viem.deployContract(adapterName(id) as never) as Promise<{ address: Hex }>;
        const [link, hidden, output] = await Promise.all(
          [CIRCUITS.link, CIRCUITS.hidden, CIRCUITS.output].map((c) => deploy(c.id)),
        );
        verifier = (await conn.viem.deployContract("ChunkedStepVerifier", [
          link!.address,
          hidden!.address,
          output!.address,
          BigInt(shape.hiddenTiles),
          BigInt(shape.outputTiles),
        ])) as unknown as typeof verifier;
      });
      const NT = shape.hiddenTiles + shape.outputTiles;
      /** verifyStep's arguments for the link proof `link` and the tile proofs `tiles` (hidden first). */
      const args = (link: ChunkProof, tiles: readonly ChunkProof[], io = link.publicSignals.slice(5)) => [
        link.publicSignals.slice(0, 5).map(BigInt),
        io.map(BigInt),
        proofWords(packProof(link.proof)),
        tiles.slice(0, shape.hiddenTiles).map((p) => proofWords(packProof(p.proof))),
        tiles.slice(shape.hiddenTiles).map((p) => proofWords(packProof(p.proof))),
      ];

      it("should verify a chunked step in one call, and measure its gas", async () => {
        assert.equal(await verifier.read.verifyStep(args(p0[NT]!, p0.slice(0, NT))), true);
        assert.equal(await verifier.read.verifyStep(args(p1[NT]!, p1.slice(0, NT))), true);
        const client = await conn.viem.getPublicClient();
        const { abi } = await artifacts.readArtifact("ChunkedStepVerifier");
        const gas = await client.estimateContractGas({
          address: verifier.address,
          abi,
          functionName: "verifyStep",
          args: args(p0[NT]!, p0.slice(0, NT)),
        });
        console.log(`      verifyStep of ${NT + 1} proofs (${NT} tiles and the link): ${gas} gas`);
      });
      it("should refuse a tile of another step, tiles reordered, another step's io, and a wrong count", async () => {
        const tiles = p0.slice(0, NT);
        const other = (t: number) => tiles.map((p, u) => (u === t ? p1[t]! : p));
        for (let t = 0; t < NT; t++) assert.equal(await verifier.read.verifyStep(args(p0[NT]!, other(t))), false);
        const swapped = [tiles[1]!, tiles[0]!, ...tiles.slice(2)];
        assert.equal(await verifier.read.verifyStep(args(p0[NT]!, swapped)), false);
        const outSwapped = [...tiles.slice(0, 2), tiles[3]!, tiles[2]!, tiles[4]!];
        assert.equal(await verifier.read.verifyStep(args(p0[NT]!, outSwapped)), false);
        // Step 1's io with step 0's link: the link no longer verifies.
        assert.equal(
          await verifier.read.verifyStep(args(p0[NT]!, p1.slice(0, NT), p1[NT]!.publicSignals.slice(5))),
          false,
        );
        await assert.rejects(verifier.read.verifyStep(args(p0[NT]!, tiles.slice(0, -1))), /ChunkCountMismatch/);
      });
    });
  });
});
