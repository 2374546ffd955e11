/**
 * The phase-2 ceremony (issue #12): three contributions and a beacon on a
 * circuit verify; the exported Solidity verifier accepts a proof made with the
 * final key and rejects one made with the development key; a tampered
 * intermediate key fails verification naming its contribution; and every
 * refusal leaves the ceremony as it was.
 *
 * The ceremony code does not depend on the circuit, so this runs on the
 * smallest ones (dot4, and a tiny genesis circuit as "another circuit"): each
 * ceremony step re-does part of the Groth16 setup, which on a training step
 * costs minutes of the test budget (issue #25). A training family's circuits
 * go through a whole ceremony, and are deployed from it, in
 * test/e2e/deploy-keys.test.ts.
 */
import assert from "node:assert/strict";
import { copyFile, mkdtemp, readFile, truncate, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "mocha";
import { network } from "hardhat";
import * as snarkjs from "snarkjs";
import type { Abi, Hex } from "viem";
import { artifactPaths, buildAll, buildCircuit } from "../../prover/proving/artifacts.js";
import { packProof, packPublicSignals } from "../../prover/proving/calldata.js";
import {
  applyBeacon,
  contribute,
  finalizeCeremony,
  newCeremony,
  readCeremony,
  verifyCeremony,
  type FinalOutputs,
  type Transcript,
} from "../../prover/proving/ceremony.js";
import { releaseSnarkjs, silentLogger as log } from "../../prover/proving/log.js";
import { prove } from "../../prover/proving/prove.js";
import { sha256File } from "../../prover/proving/ptau.js";
import { DEV_PTAU } from "../../prover/paths.js";
import { circuitSpec, verifierName } from "../../prover/proving/manifest.js";

const require = createRequire(import.meta.url);
const CIRCUIT = "dot4";
/** Another circuit: the genesis of a 1 -> 1 linear model on 2 samples (2,691 constraints), built beside the test's files. */
const OTHER = circuitSpec("genesis_linear_i1o1b1n2");
/** bf16 bit patterns of 1, 2, -1.5, 0.5 and 3, 0.25, 2, -4 (their dot product is -1.5). */
const A = [0x3f80, 0x4000, 0xbfc0, 0x3f00];
const B = [0x4040, 0x3e80, 0x4000, 0xc080];

/** Compiles one Solidity file with solc-js (the project's compiler) and returns the contract's ABI and bytecode. */
function compile(source: string, contract: string): { abi: Abi; bytecode: Hex } {
  const solc = require("solc") as { compile(input: string): string };
  const output = JSON.parse(
    solc.compile(
      JSON.stringify({
        language: "Solidity",
        sources: { "V.sol": { content: source } },
        settings: {
          optimizer: { enabled: true, runs: 200 },
          outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } },
        },
      }),
    ),
  ) as {
    contracts: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string } } }>>;
    errors?: { severity: string; message: string }[];
  };
  const errors = (output.errors ?? []).filter((e) => e.severity === "error");
  assert.deepEqual(errors, [], errors.map((e) => e.message).join("\n"));
  const c = output.contracts["V.sol"]![contract]!;
  return { abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` };
}

describe("phase-2 ceremony", function () {
  this.timeout(1_800_000);
  let root: string;
  let dir: string;
  let r1cs: string;
  let otherR1cs: string;
  let final: { transcript: Transcript; outputs: FinalOutputs };

  before(async function () {
    if (!existsSync(DEV_PTAU)) this.skip(); // the shared ptau sits beside the checkout in CI, not in every clone
    await buildAll({ only: [CIRCUIT] }, log);
    root = await mkdtemp(path.join(tmpdir(), "vtr-ceremony-"));
    dir = path.join(root, "main");
    r1cs = artifactPaths(CIRCUIT).r1cs;
    const dirs = { buildDir: path.join(root, "build"), contractsDir: path.join(root, "contracts") };
    await buildCircuit(OTHER, { dirs }, log);
    otherR1cs = artifactPaths(OTHER.id, dirs).r1cs;
  });
  after(releaseSnarkjs);

  it("should chain three contributions and a beacon that verify, and finalize with a transcript", async () => {
    const r = await newCeremony(dir, CIRCUIT, r1cs, DEV_PTAU, log);
    assert.equal(r.r1csSha256, await sha256File(r1cs));
    assert.equal(r.ptau.sha256, await sha256File(DEV_PTAU));
    await assert.rejects(finalizeCeremony(dir, r1cs, DEV_PTAU, path.join(root, "out"), log), /no final beacon/);
    await assert.rejects(applyBeacon(dir, "ab", 10, log), /make at least one contribution first/);
    const hashes: string[] = [];
    for (const name of ["alice", "bob", "carol"]) hashes.push((await contribute(dir, name, log)).contributionHash!);
    assert.equal(new Set(hashes).size, 3);
    await assert.rejects(finalizeCeremony(dir, r1cs, DEV_PTAU, path.join(root, "out"), log), /no final beacon/);
    await assert.rejects(applyBeacon(dir, "abc", 10, log), /even number of hex digits/);
    await assert.rejects(applyBeacon(dir, "ab", 9, log), /from 10 to 63/);
    const b = await applyBeacon(dir, "8c1f0a3e5d7b9c2e4f6a8b0c1d2e3f40", 10, log);
    await assert.rejects(contribute(dir, "late", log), /closed by its beacon/);

    const v = await verifyCeremony(dir, r1cs, DEV_PTAU, log);
    assert.deepEqual(
      v.chain.map((c) => c.name),
      ["alice", "bob", "carol", "beacon"],
    );
    assert.deepEqual(
      v.chain.map((c) => c.hash),
      [...hashes, b.contributionHash],
    );
    final = await finalizeCeremony(dir, r1cs, DEV_PTAU, path.join(root, "out"), log);
    const t = final.transcript;
    assert.deepEqual(
      t.contributions.map((c) => c.name),
      ["alice", "bob", "carol"],
    );
    assert.equal(t.beacon.hash, "8c1f0a3e5d7b9c2e4f6a8b0c1d2e3f40");
    assert.equal(t.finalZkeySha256, await sha256File(final.outputs.zkey));
    assert.equal(t.ptauSha256, await sha256File(DEV_PTAU));
    assert.equal(t.verifierSha256, await sha256File(final.outputs.verifierSol));
  });

  it("should have its exported verifier accept a proof made with the final key and reject one made with the development key", async () => {
    const inputs = { a: A, b: B };
    const a = artifactPaths(CIRCUIT);
    const withFinal = await snarkjs.groth16.fullProve(inputs, a.wasm, final.outputs.zkey);
    const withDev = await prove(CIRCUIT, inputs);
    assert.deepEqual(withFinal.publicSignals, withDev.publicSignals, "same statement");

    const vkey = JSON.parse(await readFile(final.outputs.vkey, "utf8")) as object;
    assert.equal(await snarkjs.groth16.verify(vkey, withFinal.publicSignals, withFinal.proof), true);
    assert.equal(await snarkjs.groth16.verify(vkey, withDev.publicSignals, withDev.proof), false);

    const { abi, bytecode } = compile(await readFile(final.outputs.verifierSol, "utf8"), verifierName(CIRCUIT));
    const { viem } = await network.create();
    const [wallet] = await viem.getWalletClients();
    const client = await viem.getPublicClient();
    const hash = await wallet!.deployContract({ abi, bytecode });
    const address = (await client.waitForTransactionReceipt({ hash })).contractAddress!;
    const call = async (p: { proof: snarkjs.Groth16Proof; publicSignals: string[] }): Promise<boolean> => {
      const w = packProof(p.proof);
      return (await client.readContract({
        address,
        abi,
        functionName: "verifyProof",
        args: [w.a, w.b, w.c, packPublicSignals(p.publicSignals)],
      })) as boolean;
    };
    assert.equal(await call(withFinal), true);
    assert.equal(await call(withDev), false);
  });

  it("should fail verification on a tampered intermediate key, naming the contribution", async () => {
    const rec = await readCeremony(dir);
    const bob = rec.steps[2]!;
    assert.equal(bob.name, "bob");
    const file = path.join(dir, bob.file);
    const original = await readFile(file);
    const tampered = Buffer.from(original);
    tampered[Math.floor(tampered.length / 2)]! ^= 1;
    await writeFile(file, tampered);
    await assert.rejects(
      verifyCeremony(dir, r1cs, DEV_PTAU, log),
      /contribution #2 \(bob\): .* was altered after it was recorded/,
    );
    // A forger who also rewrites the recorded hash is caught by the cryptographic check, at the same contribution.
    const forged = { ...rec, steps: rec.steps.map((s) => (s.index === 2 ? { ...s, zkeySha256: "" } : s)) };
    forged.steps[2] = { ...bob, zkeySha256: await sha256File(file) };
    await writeFile(path.join(dir, "ceremony.json"), JSON.stringify(forged));
    await assert.rejects(verifyCeremony(dir, r1cs, DEV_PTAU, log), /contribution #2 \(bob\) does not verify/);
    await writeFile(file, original);
    await writeFile(path.join(dir, "ceremony.json"), JSON.stringify(rec));
  });

  it("should refuse another circuit's key, another r1cs or ptau, and a truncated key, writing nothing", async () => {
    const other = path.join(root, "other");
    await newCeremony(other, OTHER.id, otherR1cs, DEV_PTAU, log);
    await contribute(other, "dana", log);
    // The ceremony checked against another circuit's r1cs, or another ptau.
    await assert.rejects(verifyCeremony(other, r1cs, DEV_PTAU, log), /is for another circuit/);
    await assert.rejects(verifyCeremony(other, otherR1cs, r1cs, log), /is not the ptau the ceremony started from/);
    // A contribution file from another circuit slipped into the chain, its recorded hash rewritten.
    const rec = await readCeremony(other);
    const swapped = path.join(other, rec.steps[1]!.file);
    await copyFile(path.join(dir, (await readCeremony(dir)).steps[1]!.file), swapped);
    const forged = { ...rec, steps: [rec.steps[0]!, { ...rec.steps[1]!, zkeySha256: await sha256File(swapped) }] };
    await writeFile(path.join(other, "ceremony.json"), JSON.stringify(forged));
    await assert.rejects(verifyCeremony(other, otherR1cs, DEV_PTAU, log), /contribution #1 \(dana\) does not verify/);
    // A key truncated in transit: the next contribution is refused and nothing is written.
    await truncate(swapped, 1000);
    const before = await readFile(path.join(other, "ceremony.json"), "utf8");
    await assert.rejects(contribute(other, "erin", log), /corrupted, truncated or replaced in transit/);
    assert.equal(await readFile(path.join(other, "ceremony.json"), "utf8"), before);
    assert.equal(existsSync(path.join(other, `${OTHER.id}_0002.zkey`)), false);
    await assert.rejects(newCeremony(other, OTHER.id, otherR1cs, DEV_PTAU, log), /already holds a ceremony/);
    await assert.rejects(contribute(path.join(root, "nowhere"), "x", log), /not a ceremony directory/);
  });
});
