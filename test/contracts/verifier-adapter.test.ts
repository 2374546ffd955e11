/**
 * Groth16VerifierAdapter: each circuit's untouched snarkjs verifier,
 * inherited by a generated adapter behind one interface, with real genesis
 * and checkpoint proofs.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "mocha";
import { network } from "hardhat";
import { FIELD_P } from "../../prover/circom/r1cs.js";
import { readFile } from "node:fs/promises";
import { artifactPaths, buildAll, expectedAdapterSource } from "../../prover/proving/artifacts.js";
import { circuitSpec, verifierName } from "../../prover/proving/manifest.js";
import {
  fromProofWords,
  packProof,
  packPublicSignals,
  proofWords,
  unpackProof,
} from "../../prover/proving/calldata.js";
import { releaseSnarkjs, silentLogger } from "../../prover/proving/log.js";
import { prove, type ProofBundle } from "../../prover/proving/prove.js";
import { checkpointInputs, genesisInputs } from "../../prover/statement/inputs.js";
import { CHECKPOINT_PUBLIC_SIGNALS, GENESIS_PUBLIC_SIGNALS } from "../../prover/statement/statement.js";
import { train } from "../../prover/training/trainer.js";
import { loadExample } from "../../prover/spec/example.js";
import { expectCustomError } from "../helpers/revert.js";

const LAB = 0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266n;

describe("Groth16VerifierAdapter", function () {
  this.timeout(900_000);
  let genesis: ProofBundle;
  let checkpoint: ProofBundle;
  let conn: Awaited<ReturnType<typeof network.create>>;

  before(async () => {
    await buildAll({ only: ["genesis_linear_i4o3b2n150", "checkpoint_linear_i4o3b2n150k4"] }, silentLogger);
    const { spec, data } = await loadExample();
    const run = train(spec, data, 7n, 4);
    genesis = await prove("genesis_linear_i4o3b2n150", genesisInputs(spec, LAB).inputs);
    checkpoint = await prove(
      "checkpoint_linear_i4o3b2n150k4",
      checkpointInputs(spec, data, run.steps, { lab: LAB, beacon: 7n }).inputs,
    );
    conn = await network.create();
  });
  after(releaseSnarkjs);

  async function deploy(
    verifierName: "GenesisLinearI4o3b2n150Verifier" | "CheckpointLinearI4o3b2n150k4Verifier",
    count: bigint,
  ) {
    const adapter = await conn.viem.deployContract(`${verifierName}Adapter`);
    assert.equal(await adapter.read.publicSignalCount(), count);
    return adapter;
  }

  describe("verify", () => {
    it("should accept real genesis and checkpoint proofs and report their signal counts", async () => {
      const g = await deploy("GenesisLinearI4o3b2n150Verifier", BigInt(GENESIS_PUBLIC_SIGNALS.length));
      const c = await deploy("CheckpointLinearI4o3b2n150k4Verifier", BigInt(CHECKPOINT_PUBLIC_SIGNALS.length));
      assert.equal(await g.read.publicSignalCount(), 7n);
      assert.equal(await c.read.publicSignalCount(), 5n);
      assert.equal(
        await g.read.verify([proofWords(packProof(genesis.proof)), packPublicSignals(genesis.publicSignals)]),
        true,
      );
      assert.equal(
        await c.read.verify([proofWords(packProof(checkpoint.proof)), packPublicSignals(checkpoint.publicSignals)]),
        true,
      );
    });
    it("should reject the checkpoint proof with any one public signal changed, or a signal outside the field", async () => {
      const c = await deploy("CheckpointLinearI4o3b2n150k4Verifier", BigInt(CHECKPOINT_PUBLIC_SIGNALS.length));
      const words = proofWords(packProof(checkpoint.proof));
      const pub = packPublicSignals(checkpoint.publicSignals);
      for (let i = 0; i < pub.length; i++) {
        const bad = [...pub];
        bad[i] = (bad[i]! + 1n) % FIELD_P;
        assert.equal(await c.read.verify([words, bad]), false, `signal ${CHECKPOINT_PUBLIC_SIGNALS[i]} changed`);
      }
      const outside = [...pub];
      outside[0] = outside[0]! + FIELD_P;
      assert.equal(await c.read.verify([words, outside]), false);
      const swapped = [...words] as unknown as typeof words;
      assert.equal(
        await c.read.verify([
          [swapped[0], swapped[1], swapped[3], swapped[2], swapped[4], swapped[5], swapped[6], swapped[7]],
          pub,
        ]),
        false,
      );
    });
    it("should revert with PublicSignalCountMismatch on a wrong number of signals", async () => {
      const n = BigInt(CHECKPOINT_PUBLIC_SIGNALS.length);
      const c = await deploy("CheckpointLinearI4o3b2n150k4Verifier", n);
      const pub = packPublicSignals(checkpoint.publicSignals);
      const words = proofWords(packProof(checkpoint.proof));
      await expectCustomError(c.read.verify([words, pub.slice(0, -1)]), "PublicSignalCountMismatch", [n, n - 1n]);
      await expectCustomError(c.read.verify([words, [...pub, 0n]]), "PublicSignalCountMismatch", [n, n + 1n]);
    });
    it("should answer as the inherited, untouched verifyProof does, on valid and tampered proofs", async () => {
      const c = await conn.viem.deployContract("CheckpointLinearI4o3b2n150k4VerifierAdapter");
      const w = proofWords(packProof(checkpoint.proof));
      const pub = packPublicSignals(checkpoint.publicSignals);
      for (const [words, signals] of [
        [w, pub],
        [w.map((x, i) => (i === 7 ? x + 1n : x)), pub],
        [w, pub.map((x, i) => (i === 2 ? x + 1n : x))],
      ] as const) {
        const direct = await c.read.verifyProof([
          [words[0], words[1]],
          [
            [words[2], words[3]],
            [words[4], words[5]],
          ],
          [words[6], words[7]],
          signals as unknown as readonly [bigint, bigint, bigint, bigint, bigint],
        ]);
        assert.equal(await c.read.verify([words as typeof w, [...signals]]), direct);
      }
    });
  });

  describe("generated source", () => {
    it("should inherit each verifier untouched and state the manifest's layout", async () => {
      for (const id of ["genesis_linear_i4o3b2n150", "checkpoint_linear_i4o3b2n150k4"]) {
        const a = artifactPaths(id);
        const source = await readFile(a.adapterSol, "utf8");
        assert.equal(source, expectedAdapterSource(a, circuitSpec(id)));
        assert.match(
          source,
          new RegExp(`contract ${verifierName(id)}Adapter is ${verifierName(id)}, Groth16VerifierAdapter`),
        );
        assert.match(
          source,
          new RegExp(
            `return \\(${circuitSpec(id).publicSignals.length}, ${verifierName(id)}\\.verifyProof\\.selector\\)`,
          ),
        );
      }
    });
  });

  describe("proofWords", () => {
    it("should round-trip with fromProofWords and unpackProof", () => {
      const packed = packProof(checkpoint.proof);
      assert.deepEqual(fromProofWords(proofWords(packed)), packed);
      assert.deepEqual(
        unpackProof(fromProofWords(proofWords(packed))).pi_b.slice(0, 2),
        checkpoint.proof.pi_b.slice(0, 2),
      );
    });
  });
});
