/**
 * A chunked run end to end on Hardhat's in-process chain (issue #26): the registry deployed with its timelock,
 * a chunked family (ChunkedGenesisVerifier, ChunkedStepVerifier, K = 1) registered through it, the run
 * registered with its genesis chunks, its beacon drawn, every step proven as chunk proofs and submitted in one
 * call, and the run completed. Every wrong submission is refused with its reason: a single proof, tiles
 * swapped or missing, a step out of order, another account, a genesis whose chunks were never verified, and a
 * chunked submission to a family that cannot take one.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "mocha";
import { network } from "hardhat";
import { getAddress, zeroAddress, type Address, type Hex } from "viem";
import {
  addChunkedFamily,
  chunksCall,
  encodeChunks,
  registerChunkedRun,
  submitChunkedStep,
} from "../../client/chunks.js";
import { checkpointArgs, genesisArgs } from "../../client/calls.js";
import { registryContract } from "../../client/contract.js";
import { deployRegistry } from "../../client/deploy.js";
import { compileGeneratedVerifiers } from "../../client/families.js";
import { policyCall, throughTimelock } from "../../client/governance.js";
import { drawRunBeacon } from "../../client/runs.js";
import { mined } from "../../client/tx.js";
import { chunkedGenesis } from "../../prover/chunk/genesis.js";
import type { MlpTiling } from "../../prover/chunk/mlp.js";
import { chunkedStep, proveChunks, verifyChunks, type ChunkProof } from "../../prover/chunk/step.js";
import type { CommittedDataset } from "../../prover/dataset/dataset.js";
import type { AccumulationRule } from "../../prover/numerics/accumulation.js";
import { buildCircuit } from "../../prover/proving/artifacts.js";
import { chunkedFamilyOf, FAMILIES, familyId } from "../../prover/proving/families.js";
import { releaseSnarkjs, silentLogger } from "../../prover/proving/log.js";
import { adapterName } from "../../prover/proving/manifest.js";
import { loadMlpExample } from "../../prover/spec/example.js";
import type { TrainingSpec } from "../../prover/spec/schema.js";
import { train } from "../../prover/training/trainer.js";
import { CHUNKED_STEP_ERRORS, expectCustomError, triggeredErrors } from "../helpers/revert.js";

const RULE: AccumulationRule = { rule: "exact", range: { min: -40, max: 15 } };
const TILING: MlpTiling = { hiddenBlock: 3, outputBlock: 1 };
const FAMILY = chunkedFamilyOf(
  { model: "mlp-mse", inputs: 4, hidden: 6, outputs: 3, batch: 2, size: 150, exact: RULE.range },
  TILING,
);
const ATT = { flopsCap: 10n ** 9n, maxSteps: 2n, checkpointDeadline: 3600n };
const ZERO_PROOF = [0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n] as const;

describe("a chunked run registered, proven and completed on-chain", function () {
  this.timeout(1_800_000);
  let conn: Awaited<ReturnType<typeof network.create>>;
  let spec: TrainingSpec;
  let data: CommittedDataset;
  let lab: Address;
  let other: Address;
  let registry: Awaited<ReturnType<typeof registryContract>>;
  let timelock: Address;
  let table: Address;
  let genesisVerifier: Address;

  before(async () => {
    const circuits = [FAMILY.genesis, FAMILY.step].flatMap((c) => [c.hidden, c.output, c.link]);
    for (const c of new Map(circuits.map((x) => [x.id, x])).values()) await buildCircuit(c, {}, silentLogger);
    await compileGeneratedVerifiers();
    const example = await loadMlpExample();
    // Two planned steps, K = 1 (a chunked family proves one step per submission), its own salt.
    spec = {
      ...example.spec,
      accumulation: RULE,
      checkpointInterval: 1,
      plannedSteps: 2,
      salt: example.spec.salt + 26n,
    };
    data = example.data;
    conn = await network.create();
    const [w0, w1] = await conn.viem.getWalletClients();
    lab = getAddress(w0!.account.address);
    other = getAddress(w1!.account.address);
    const d = await deployRegistry(conn.viem, { families: [], policyDelay: 0n });
    registry = await registryContract(conn.viem, d.registry.address);
    timelock = d.timelock.address;
    table = d.familyTable.address;
    const f = await addChunkedFamily(conn.viem, { familyTable: table, timelock }, FAMILY, lab, silentLogger);
    genesisVerifier = f.genesisVerifier;
    const got = await (await conn.viem.getContractAt("CircuitFamilies", table)).read.getFamily([f.id]);
    assert.equal(got.genesisVerifier, f.genesisVerifier);
    assert.equal(got.checkpointVerifier, f.stepVerifier);
    assert.equal(got.stepsPerCheckpoint, 1);
    assert.equal(got.stepVerifier, zeroAddress, "no sampled chunked runs yet");
  });
  after(releaseSnarkjs);

  const proveGenesis = async (s: TrainingSpec, by: Address): Promise<ChunkProof[]> => {
    const g = chunkedGenesis(s, BigInt(by), TILING, FAMILY.genesis);
    const proofs = await proveChunks(g, {});
    assert.equal(await verifyChunks(FAMILY.genesis, { hiddenTiles: 2, outputTiles: 3 }, proofs), undefined);
    return proofs;
  };
  /** Registers a family through the timelock (its delay is 0 here). */
  const registerFamily = async (name: string, genesis: Address, checkpoint: Address, k: number): Promise<Hex> => {
    const t = await conn.viem.getContractAt("CircuitFamilies", table);
    const id = familyId(name);
    const call = policyCall(timelock, { address: table, abi: t.abi }, "registerFamily", [
      id,
      genesis,
      checkpoint,
      k,
      zeroAddress,
      name,
    ]);
    assert.equal((await throughTimelock(conn.viem, call, lab, silentLogger, name)).state, "executed");
    return id;
  };

  it("should register with the genesis chunks, take every step's chunks in one call and complete the run", async () => {
    const publicClient = await conn.viem.getPublicClient();
    const genesis = await proveGenesis(spec, lab);
    const { statement } = chunksCall(genesis, FAMILY.tiles);

    // Registration before the genesis chunks are verified is refused: the verifier has not seen the statement.
    const { specCommitment, facts } = genesisArgs(statement);
    assert.equal(facts.plannedSteps, 2n);
    await expectCustomError(
      registry.write.registerRun([familyId(FAMILY.name), specCommitment, ATT, facts, ZERO_PROOF]),
      "InvalidGenesisProof",
    );
    // Genesis chunks with two init tiles swapped do not verify.
    const swapped = [genesis[1]!, genesis[0]!, ...genesis.slice(2)];
    const gv = await conn.viem.getContractAt("ChunkedGenesisVerifier", genesisVerifier);
    const bad = chunksCall(swapped, FAMILY.tiles);
    const words = (s: readonly bigint[]) =>
      s as unknown as readonly [bigint, bigint, bigint, bigint, bigint, bigint, bigint];
    await expectCustomError(gv.write.proveGenesis([words(bad.statement), bad.chunks]), "InvalidGenesisChunks");
    await expectCustomError(gv.read.verify([ZERO_PROOF, [1n, 2n]]), "PublicSignalCountMismatch", [7n, 2n]);

    const { runId, gas } = await registerChunkedRun(conn.viem, registry, publicClient, FAMILY, genesis, ATT);
    assert.equal(await gv.read.proven([words(statement)]), true);
    const beacon = await drawRunBeacon(registry, publicClient, runId);
    console.log(`      genesis: proveGenesis ${gas.proveGenesis} gas, registerRun ${gas.registerRun} gas`);

    // Every step proven as chunks under the drawn beacon.
    const run = train(spec, data, beacon);
    const steps: ChunkProof[][] = [];
    for (const r of run.steps) {
      const step = chunkedStep(spec, data, r, { lab: BigInt(lab), beacon }, TILING, FAMILY.step);
      steps.push(await proveChunks(step, {}));
    }
    const [s0, s1] = steps as [ChunkProof[], ChunkProof[]];
    const NT = FAMILY.tiles.hidden + FAMILY.tiles.output;

    // Refused: step 1 first, another account, a single proof, tiles swapped, a tile missing.
    await expectCustomError(
      submitChunkedStep(registry, publicClient, runId, s1, FAMILY.tiles),
      "CheckpointOutOfOrder",
      [runId, 0n, 1n],
    );
    const c0 = chunksCall(s0, FAMILY.tiles);
    const { claim: claim0 } = checkpointArgs(c0.statement);
    await expectCustomError(
      registry.write.submitChunkedStep([runId, claim0, c0.chunks], { account: other }),
      "NotRunLab",
      [runId, other],
    );
    await expectCustomError(registry.write.submitCheckpoint([runId, claim0, ZERO_PROOF]), "NotASingleProof");
    const tilesSwapped = [s0[1]!, s0[0]!, ...s0.slice(2)];
    await expectCustomError(
      submitChunkedStep(registry, publicClient, runId, tilesSwapped, FAMILY.tiles),
      "InvalidCheckpointProof",
      [runId, 0n],
    );
    const withTileOfStep1 = s0.map((p, t) => (t === NT - 1 ? s1[t]! : p));
    await expectCustomError(
      submitChunkedStep(registry, publicClient, runId, withTileOfStep1, FAMILY.tiles),
      "InvalidCheckpointProof",
      [runId, 0n],
    );
    // The io of every tile, but one output tile's proof left out: the verifier's own error comes back.
    const io = s0[NT]!.publicSignals.slice(5).map(BigInt);
    const fewer = encodeChunks(io, s0[NT]!, s0.slice(0, 2), s0.slice(2, NT - 1));
    await expectCustomError(registry.write.submitChunkedStep([runId, claim0, fewer]), "ChunkCountMismatch", [
      BigInt(NT),
      2n,
      2n,
    ]);

    // Accepted, in order; the run completes with no violation.
    const used: bigint[] = [];
    for (const s of steps) used.push(await submitChunkedStep(registry, publicClient, runId, s, FAMILY.tiles));
    const got = await registry.read.getRun([runId]);
    assert.equal(got.steps, 2n);
    assert.equal(got.root, BigInt(s1[NT]!.publicSignals[3]!));
    assert.equal(got.status, 3, "Completed: the plan is proven");
    assert.deepEqual([...got.violations], [0, 0, 0, 0, 0, 0]);
    assert.equal(got.cumulativeFlops, 2n * facts.flopsPerStep);
    console.log(`      submitChunkedStep of ${NT + 1} proofs: ${used.join(", ")} gas`);
  });

  it("should refuse chunks for a family whose checkpoint verifier is not chunked or whose K is not 1, and a delayed timelock", async () => {
    const publicClient = await conn.viem.getPublicClient();
    // An ordinary adapter as the checkpoint verifier (the linear example's K = 1 circuit).
    const plain = FAMILIES[0]!.checkpoint;
    const adapter = (await conn.viem.deployContract(adapterName(plain) as never)) as unknown as { address: Address };
    const t = await conn.viem.getContractAt("CircuitFamilies", table);
    const chunked = await t.read.getFamily([familyId(FAMILY.name)]);
    const plainId = await registerFamily("chunked genesis, plain steps", genesisVerifier, adapter.address, 1);
    const twoId = await registerFamily(
      "chunked genesis, chunked steps, K = 2",
      genesisVerifier,
      chunked.checkpointVerifier,
      2,
    );
    for (const [id, k, salt] of [
      [plainId, 1, 1n],
      [twoId, 2, 2n],
    ] as const) {
      const s = { ...spec, checkpointInterval: k, salt: spec.salt + 100n + salt };
      const genesis = await proveGenesis(s, lab);
      const { statement, chunks } = chunksCall(genesis, FAMILY.tiles);
      const gv = await conn.viem.getContractAt("ChunkedGenesisVerifier", genesisVerifier);
      const words = statement as unknown as readonly [bigint, bigint, bigint, bigint, bigint, bigint, bigint];
      await mined(publicClient, await gv.write.proveGenesis([words, chunks]), "proveGenesis");
      const { facts } = genesisArgs(statement);
      await mined(
        publicClient,
        await registry.write.registerRun([id, statement[0]!, ATT, facts, ZERO_PROOF]),
        "registerRun",
      );
      const runId = await registry.read.runOfSpec([lab, statement[0]!]);
      await drawRunBeacon(registry, publicClient, runId);
      const claim = { firstStep: 0n, rootBefore: facts.root0, rootAfter: facts.root0, accumulator: 0n };
      const verifier = (await registry.read.getRun([runId])).proofVerifier;
      await expectCustomError(registry.write.submitChunkedStep([runId, claim, "0x"]), "ChunkedStepsUnavailable", [
        runId,
        verifier,
      ]);
    }
    // A timelock with a delay: adding a chunked family is refused before anything is deployed.
    const delayed = await deployRegistry(conn.viem, { families: [] });
    await assert.rejects(
      addChunkedFamily(
        conn.viem,
        { familyTable: delayed.familyTable.address, timelock: delayed.timelock.address },
        FAMILY,
        lab,
        silentLogger,
      ),
      /a delay of 86400 s/,
    );
    const missing = CHUNKED_STEP_ERRORS.filter((n) => !triggeredErrors.has(n));
    assert.deepEqual(missing, [], `chunked-step errors no test triggered: ${missing.join(", ")}`);
  });
});
