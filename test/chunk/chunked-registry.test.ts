/**
 * A chunked run end to end on Hardhat's in-process chain (issue #26): the registry deployed with its timelock,
 * a chunked family (ChunkedGenesisVerifier, ChunkedStepVerifier, K = 1) registered through it, the run
 * registered with its genesis chunks, its beacon drawn, every step proven as chunk proofs and submitted in one
 * call, and the run completed. Every wrong submission is refused with its reason: a single proof, tiles
 * swapped or missing, a step out of order, another account, a genesis whose chunks were never verified, and a
 * chunked submission to a family that cannot take one. A sampled chunked run commits each window's chunk
 * statements before the window; a drawn challenge names a step and a tile and is answered with that tile's
 * proof and the link, a paid one asks for every chunk of its step; wrong answers are refused.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "mocha";
import { network } from "hardhat";
import { encodeAbiParameters, getAddress, zeroAddress, type Address, type Hex } from "viem";
import {
  addChunkedFamily,
  chunkAnswerArgs,
  chunksCall,
  encodeAnswerProofs,
  encodeChunks,
  registerChunkedRun,
  submitChunkedStep,
} from "../../client/chunks.js";
import { DEFAULT_SAMPLING } from "../../client/deploy.js";
import { commitWindows, windowRefs } from "../../client/sampled.js";
import { checkpointArgs, genesisArgs } from "../../client/calls.js";
import { registryContract } from "../../client/contract.js";
import { deployRegistry } from "../../client/deploy.js";
import { compileGeneratedVerifiers } from "../../client/families.js";
import { policyCall, throughTimelock } from "../../client/governance.js";
import { drawRunBeacon } from "../../client/runs.js";
import { mined } from "../../client/tx.js";
import { chunkedGenesis } from "../../prover/chunk/genesis.js";
import { packProof, proofWords } from "../../prover/proving/calldata.js";
import type { MlpTiling } from "../../prover/chunk/mlp.js";
import { chunkedStep, proveChunks, statedIo, verifyChunks, type ChunkProof } from "../../prover/chunk/step.js";
import type { CommittedDataset } from "../../prover/dataset/dataset.js";
import type { AccumulationRule } from "../../prover/numerics/accumulation.js";
import { buildCircuit } from "../../prover/proving/artifacts.js";
import { chunkedFamilyOf, FAMILIES, familyId } from "../../prover/proving/families.js";
import { releaseSnarkjs, silentLogger } from "../../prover/proving/log.js";
import { adapterName } from "../../prover/proving/manifest.js";
import { loadMlpExample } from "../../prover/spec/example.js";
import type { TrainingSpec } from "../../prover/spec/schema.js";
import { ChunkStatementsTree, RootsTree } from "../../prover/sampled/roots.js";
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
    assert.equal(got.stepVerifier, f.stepVerifier, "sampled chunked runs answer with the same verifier");
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

  it("should challenge a sampled chunked run on one tile of a drawn step and every chunk of a paid one, and take the answers", async () => {
    const publicClient = await conn.viem.getPublicClient();
    const FEE = DEFAULT_SAMPLING.challengeFee; // the fresh registry's paid-challenge fee
    // One window of both steps; both are challenged: step 1 paid for, step 0 drawn.
    const s = { ...spec, salt: spec.salt + 27n };
    const genesis = await proveGenesis(s, lab);
    const sampling = {
      challengesPerWindow: 2,
      responseSeconds: DEFAULT_SAMPLING.minResponseSeconds,
      windowSteps: 2,
    };
    const fromBlock = await publicClient.getBlockNumber();
    const { runId } = await registerChunkedRun(conn.viem, registry, publicClient, FAMILY, genesis, ATT, sampling);
    const beacon = await drawRunBeacon(registry, publicClient, runId);
    // The lab commits every step's io (its chunk jobs' inputs fix them) before proving anything.
    const sets = train(s, data, beacon).steps.map((r) =>
      chunkedStep(s, data, r, { lab: BigInt(lab), beacon }, TILING, FAMILY.step),
    );
    const NT = FAMILY.tiles.hidden + FAMILY.tiles.output;
    const io = sets.map(statedIo);
    const roots = [(await registry.read.getRun([runId])).root0, ...sets.map((x) => x.head[3]!)];
    const statements = new ChunkStatementsTree(0n, io);

    // Statements for a window further on, zero, or from another account are refused.
    await expectCustomError(
      registry.write.commitChunkStatements([runId, 1n, statements.root]),
      "ChunkStatementsOutOfOrder",
      [runId, 1n, 0n],
    );
    await expectCustomError(
      registry.write.commitChunkStatements([runId, 0n, `0x${"0".repeat(64)}`]),
      "ChunkStatementsOutOfOrder",
      [runId, 0n, 0n],
    );
    await expectCustomError(
      registry.write.commitChunkStatements([runId, 0n, statements.root], { account: other }),
      "NotRunLab",
      [runId, other],
    );
    // The statements, then the window (no draw yet); a paid challenge on step 1 before the draw.
    const committed = await commitWindows(registry, publicClient, runId, roots, silentLogger, null, io);
    assert.equal(committed.committed, 1);
    const [root, tiles] = await registry.read.chunkStatements([runId, 0n]);
    assert.equal(root, statements.root);
    assert.equal(tiles, NT);
    assert.equal(await registry.read.chunkLeaf([1n, io[1]!]), new ChunkStatementsTree(1n, [io[1]!]).root);
    await mined(
      publicClient,
      await registry.write.requestChallenge([runId, 1n], { account: other, value: FEE }),
      "paid challenge",
    );
    await conn.networkHelpers.mine(Number(await registry.read.DRAW_DELAY_BLOCKS()) + 1);
    const refs = await windowRefs(registry, publicClient, fromBlock, runId);
    assert.equal(new RootsTree(0n, roots.slice(1)).root, refs.get(0n)!.root);
    await mined(publicClient, await registry.write.drawChallenges([runId, 0n, refs.get(0n)!]), "draw");
    const drawn = await registry.read.getChallenge([runId, 0n]);
    const paid = await registry.read.getChallenge([runId, 1n]);
    assert.equal(drawn.state, 1, "step 0 is drawn");
    assert.ok(drawn.chunk >= 1 && drawn.chunk <= NT, `a drawn challenge names one tile (got ${drawn.chunk})`);
    assert.equal(paid.state, 1);
    assert.equal(paid.chunk, 0, "a paid challenge asks for every chunk");

    // The lab proves what is asked: step 0's drawn tile and link (and another tile, for a wrong answer),
    // every chunk of step 1.
    const c = drawn.chunk;
    const otherTile = (c % NT) + 1;
    const set0 = sets[0]!;
    const named = [set0.jobs[c - 1]!.name, set0.jobs[otherTile - 1]!.name, "link"];
    const [tile0, other0, link0] = await proveChunks(
      { head: set0.head, jobs: set0.jobs.filter((j) => named.includes(j.name)) },
      {},
    ).then((ps) => named.map((n) => ps.find((p) => p.name === n)!));
    const step1 = await proveChunks(sets[1]!, {});
    const link1 = step1[NT]!;
    const answer = (t: bigint, link: ChunkProof, tileProofs: readonly ChunkProof[], chunk: number) =>
      chunkAnswerArgs(runId, t, roots, 2, refs, io, { link, tileProofs }, FAMILY.tiles, chunk);
    const [, a0, io0, path0, proofs0] = answer(0n, link0!, [tile0!], c);
    const encoded = (link: ChunkProof, tile: ChunkProof) => encodeAnswerProofs(link, [tile], FAMILY.tiles, c);

    // Refused: a single proof, another account, the io of step 1 or a wrong path, another tile's proof, the
    // same tile of step 1, step 1's link.
    await expectCustomError(registry.write.answerChallenge([runId, a0, ZERO_PROOF]), "NotASingleProof");
    await expectCustomError(
      registry.write.answerChunkChallenge([runId, a0, io0, path0, proofs0], { account: other }),
      "NotRunLab",
      [runId, other],
    );
    for (const [v, path] of [
      [io[1]!, statements.path(1n)],
      [io0, statements.path(1n)],
    ] as const)
      await expectCustomError(registry.write.answerChunkChallenge([runId, a0, v, path, proofs0]), "InvalidChunkPath", [
        runId,
        0n,
      ]);
    for (const wrong of [encoded(link0!, other0!), encoded(link0!, step1[c - 1]!), encoded(link1, tile0!)])
      await expectCustomError(registry.write.answerChunkChallenge([runId, a0, io0, path0, wrong]), "InvalidStepProof", [
        runId,
        0n,
      ]);
    // The verifier itself: the answer holds, a tile past the tiling's last is refused.
    const sv = await conn.viem.getContractAt(
      "ChunkedStepVerifier",
      (await registry.read.getRun([runId])).proofVerifier,
    );
    const st0 = set0.head as unknown as readonly [bigint, bigint, bigint, bigint, bigint];
    assert.equal(await sv.read.verifyAnswer([st0, io0, BigInt(c), proofs0]), true);
    await expectCustomError(sv.read.verifyAnswer([st0, io0, BigInt(NT + 1), proofs0]), "NoSuchTile", [
      BigInt(NT),
      BigInt(NT),
    ]);
    // The drawn tile and the link answer step 0.
    const r0 = await mined(
      publicClient,
      await registry.write.answerChunkChallenge([runId, a0, io0, path0, proofs0]),
      "answer step 0",
    );
    assert.equal((await registry.read.getChallenge([runId, 0n])).state, 2);

    // Step 1 asks for every chunk: one tile is not enough, a missing tile is refused, all of them answer it.
    const [, a1, io1, path1, all1] = answer(1n, link1, step1.slice(0, NT), 0);
    await assert.rejects(registry.write.answerChunkChallenge([runId, a1, io1, path1, encoded(link1, step1[c - 1]!)]));
    const words = (p: ChunkProof) => proofWords(packProof(p.proof));
    const fewer = encodeAbiParameters(
      [{ type: "uint256[8]" }, { type: "uint256[8][]" }, { type: "uint256[8][]" }],
      [words(link1), step1.slice(0, FAMILY.tiles.hidden).map(words), []],
    );
    await expectCustomError(registry.write.answerChunkChallenge([runId, a1, io1, path1, fewer]), "ChunkCountMismatch", [
      BigInt(NT),
      BigInt(FAMILY.tiles.hidden),
      0n,
    ]);
    const r1 = await mined(
      publicClient,
      await registry.write.answerChunkChallenge([runId, a1, io1, path1, all1]),
      "answer step 1",
    );
    assert.equal((await registry.read.getChallenge([runId, 1n])).state, 2);
    assert.equal(await registry.read.creditOf([lab]), FEE, "the paid challenge's fee is the lab's");
    const got = await registry.read.getRun([runId]);
    assert.equal(got.status, 3, "Completed: every planned step committed");
    assert.deepEqual([...got.violations], [0, 0, 0, 0, 0, 0]);
    console.log(
      `      answerChunkChallenge: one tile and the link ${r0.gasUsed} gas, every chunk (${NT + 1} proofs) ` +
        `${r1.gasUsed} gas`,
    );
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
