/**
 * Batched Groth16 verification (issue #26, contracts/verifiers/Groth16BatchVerifier.sol)
 * with real step proofs (the recorded fixtures of run C: four K = 1 proofs,
 * and run A's K = 4 checkpoints as proofs of another circuit): a valid batch
 * of up to 16 passes, and it fails with one bad proof anywhere in it, with
 * one signal changed, with proofs reordered against their signals, with a
 * proof of another circuit, with a non-canonical coordinate or a point off
 * the curve; shapes that do not fit revert. The gas per additional proof is
 * measured against the issue's goal of 60,000.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { network } from "hardhat";
import { before, describe, it } from "mocha";
import { measureBatchGas } from "../../bench/batch-gas.js";
import { registryFixtures, type RegistryFixtures } from "../../harness/fixtures/registry.js";
import { FIELD_P } from "../../prover/circom/r1cs.js";
import { artifactPaths, expectedAdapterSource } from "../../prover/proving/artifacts.js";
import { packProof, packPublicSignals, proofWords, type ProofWords } from "../../prover/proving/calldata.js";
import { circuitSpec } from "../../prover/proving/manifest.js";
import type { ProofBundle } from "../../prover/proving/prove.js";
import { expectCustomError } from "../helpers/revert.js";

/** The BN254 base field modulus (curve coordinates). */
const Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;
const STEP = "checkpoint_linear_i4o3b2n150k1";

type Words = ProofWords;
const words = (b: ProofBundle): Words => proofWords(packProof(b.proof));
const signals = (bs: readonly ProofBundle[]): bigint[] => bs.flatMap((b) => packPublicSignals(b.publicSignals));

describe("Groth16BatchVerifier (issue #26)", function () {
  this.timeout(600_000);
  let fixtures: RegistryFixtures;
  let steps: ProofBundle[];
  let batch16: ProofBundle[];
  let conn: Awaited<ReturnType<typeof network.create>>;
  let verifier: Awaited<ReturnType<typeof deploy>>;

  // The circuit's adapter: its untouched verifier behind IProofVerifier and IBatchProofVerifier.
  const deploy = () => conn.viem.deployContract("CheckpointLinearI4o3b2n150k1VerifierAdapter");

  before(async () => {
    fixtures = await registryFixtures();
    steps = [...fixtures.runs.C.checkpoints];
    assert.equal(steps.length, 4);
    assert.ok(steps.every((s) => s.circuit === STEP));
    // 16 proofs: the four distinct step proofs, four times over (a batch may repeat a statement).
    batch16 = Array.from({ length: 16 }, (_, i) => steps[i % 4]!);
    conn = await network.create();
    verifier = await deploy();
  });

  const check = (bs: readonly ProofBundle[], ws: readonly Words[] = bs.map(words), sig = signals(bs)) =>
    verifier.read.verifyBatch([ws, sig]);

  it("should be generated from the circuit's untouched verifier and report its signal count", async () => {
    const a = artifactPaths(STEP);
    assert.equal(await readFile(a.adapterSol, "utf8"), expectedAdapterSource(a, circuitSpec(STEP)));
    assert.equal(await verifier.read.publicSignalCount(), 5n);
  });

  it("should accept valid batches of 1 to 16 proofs, each single proof as the untouched verifyProof does", async () => {
    for (const n of [1, 2, 3, 4, 7, 16]) assert.equal(await check(batch16.slice(0, n)), true, `batch of ${n}`);
    for (const s of steps) {
      const w = words(s);
      const direct = await verifier.read.verifyProof([
        [w[0], w[1]],
        [
          [w[2], w[3]],
          [w[4], w[5]],
        ],
        [w[6], w[7]],
        packPublicSignals(s.publicSignals) as unknown as readonly [bigint, bigint, bigint, bigint, bigint],
      ]);
      assert.equal(direct, true);
      assert.equal(await check([s]), direct);
    }
  });

  it("should refuse a batch of 16 with one bad proof, wherever it is", async () => {
    for (const at of [0, 1, 7, 15]) {
      const ws = batch16.map(words);
      const w = ws[at]!;
      // A replaced by the proof's own C: a valid point, a wrong proof.
      ws[at] = [w[6], w[7], w[2], w[3], w[4], w[5], w[6], w[7]];
      assert.equal(await check(batch16, ws), false, `bad proof at ${at}`);
    }
  });

  it("should refuse a batch with one public signal changed", async () => {
    for (const at of [0, 38, 79]) {
      const sig = signals(batch16);
      sig[at] = (sig[at]! + 1n) % FIELD_P;
      assert.equal(await check(batch16, undefined, sig), false, `signal ${at}`);
    }
  });

  it("should refuse a batch reordered against its signals", async () => {
    const ws = batch16.map(words);
    [ws[1], ws[2]] = [ws[2]!, ws[1]!];
    assert.equal(await check(batch16, ws), false);
    // The same reordering applied to the signals too is a valid batch.
    const reordered = [...batch16];
    [reordered[1], reordered[2]] = [reordered[2]!, reordered[1]!];
    assert.equal(await check(reordered, ws), true);
  });

  it("should refuse a valid proof of another circuit among its own", async () => {
    const other = fixtures.runs.A.checkpoints[0]!; // Checkpoint(4): five signals too, another key
    assert.notEqual(other.circuit, STEP);
    assert.equal(await check([steps[0]!, other, steps[1]!]), false);
  });

  it("should refuse non-canonical coordinates, points off the curve and signals outside the field, without reverting", async () => {
    const w = words(steps[1]!);
    const plusQ: Words = [w[0], w[1] + Q, w[2], w[3], w[4], w[5], w[6], w[7]];
    assert.equal(
      await check([steps[0]!, steps[1]!], [words(steps[0]!), plusQ]),
      false,
      "a.y + q: same point, other encoding",
    );
    assert.equal(await check([steps[1]!], [plusQ]), false, "first proof too");
    const offCurve: Words = [1n, 1n, w[2], w[3], w[4], w[5], w[6], w[7]];
    assert.equal(await check([steps[0]!, steps[1]!], [words(steps[0]!), offCurve]), false);
    const offCurveC: Words = [w[0], w[1], w[2], w[3], w[4], w[5], 1n, 1n];
    assert.equal(await check([steps[0]!, steps[1]!], [words(steps[0]!), offCurveC]), false);
    const sig = signals([steps[0]!]);
    sig[0] = sig[0]! + FIELD_P;
    assert.equal(await check([steps[0]!], undefined, sig), false);
  });

  it("should revert with BatchShapeMismatch on an empty batch or signals that are not five per proof", async () => {
    await expectCustomError(verifier.read.verifyBatch([[], []]), "BatchShapeMismatch", [0n, 0n, 5n]);
    const two = steps.slice(0, 2);
    await expectCustomError(
      verifier.read.verifyBatch([two.map(words), signals(two).slice(0, 9)]),
      "BatchShapeMismatch",
      [2n, 9n, 5n],
    );
  });

  it("should cost at most 60,000 gas per additional proof (issue #26's goal)", async () => {
    const g = await measureBatchGas(conn.viem, fixtures);
    process.stdout.write(
      `      verifyBatch: ${Object.entries(g.bySize)
        .map(([n, gas]) => `${n} proof(s) ${gas}`)
        .join(", ")} gas; ${g.perAdditionalProof} per additional proof\n`,
    );
    assert.ok(g.perAdditionalProof <= 60_000, `${g.perAdditionalProof} gas per additional proof`);
  });
});
