/**
 * Sampled mode (issue #11) with real proofs on Hardhat's in-process network:
 * an honest lab commits every window and answers every challenge with a step
 * proof; a dishonest lab that flipped one weight bit at one step commits its
 * windows too, cannot answer the challenge of that step (no proof exists, and
 * the honest step's proof does not open its committed root), and is flagged
 * ChallengeUnanswered after the response time, with the fee back to the
 * challenger. Every sampled-mode custom error is triggered here (the
 * bookkeeping is fuzzed with mock verifiers in test/contracts/solidity).
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "mocha";
import { network } from "hardhat";
import { getAddress, parseEther, parseEventLogs, zeroAddress, type Address, type Hash } from "viem";
import { familyId } from "../../prover/proving/families.js";
import { releaseSnarkjs, silentLogger } from "../../prover/proving/log.js";
import { proveSteps, trainRoots, type TrainedRoots } from "../../prover/run/sampled.js";
import { RootsTree, escapeProbability, rootLeaf, windowTree } from "../../prover/sampled/roots.js";
import { deployRegistry } from "../../client/deploy.js";
import { answerArgs, commitWindows, runChallenges, windowRefs } from "../../client/sampled.js";
import { genesisCall } from "../../client/calls.js";
import { drawRunBeacon } from "../../client/runs.js";
import { FAMILY_K4, LAB0, LAB1 } from "../../harness/fixtures/registry.js";
import { loadExample } from "../../prover/spec/example.js";
import { DEFAULT_SAMPLING, deployDirectPolicyRegistry } from "../../client/deploy.js";
import { registryContract } from "../../client/contract.js";
import { expectCustomError, SAMPLED_MODE_ERRORS, triggeredErrors } from "../helpers/revert.js";
import { readFile } from "node:fs/promises";
import type { ProofBundle } from "../../prover/proving/prove.js";

type Connection = Awaited<ReturnType<typeof network.create>>;

const OUTSIDER: Address = getAddress("0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc");
const FEE = parseEther("0.01");
const RESPONSE = 3600;
const ATTEST = { flopsCap: 10_000n, maxSteps: 16n, checkpointDeadline: 86_400n };
const UNANSWERED = 5;
const State = { None: 0, Open: 1, Answered: 2, Unanswered: 3 } as const;
/** The dishonest lab flips the lowest bit of parameter 3 after this step. */
const BAD_STEP = 5;

describe("TrainingRegistry, sampled mode", function () {
  this.timeout(900_000);
  let conn: Connection;
  let dir: string;

  before(async () => {
    conn = await network.create();
    dir = await mkdtemp(path.join(tmpdir(), "vtr-sampled-"));
  });
  after(async () => {
    await releaseSnarkjs();
    await rm(dir, { recursive: true, force: true });
  });

  async function mined(hash: Hash) {
    const receipt = await (await conn.viem.getPublicClient()).waitForTransactionReceipt({ hash });
    assert.equal(receipt.status, "success");
    return receipt;
  }

  /** A registry whose policy LAB0 holds directly, with the default families, and a fee for paid challenges. */
  async function deployed() {
    const d = await deployRegistry(conn.viem, {});
    const { registry, familyTable: table } = await deployDirectPolicyRegistry(conn.viem, d, LAB0);
    await mined(await registry.write.setSamplingPolicy([{ ...DEFAULT_SAMPLING, challengeFee: FEE }]));
    const fromBlock = await (await conn.viem.getPublicClient()).getBlockNumber();
    return { d, registry, table, fromBlock };
  }
  type Registry = Awaited<ReturnType<typeof deployed>>["registry"];

  const labClient = async (registry: Registry, lab: Address) =>
    registryContract(conn.viem, registry.address, { wallet: await conn.viem.getWalletClient(lab) });

  /** Trains (with an optional deviation), proves genesis, registers in sampled mode. */
  async function sampledRun(
    registry: Registry,
    lab: Address,
    salt: bigint,
    s: number,
    deviate?: (t: number, p: readonly number[]) => readonly number[],
  ) {
    const { spec: example, data } = await loadExample();
    const spec = { ...example, salt: example.salt + salt };
    const runDir = path.join(dir, `run-${lab}-${salt}`);
    // Genesis first (no beacon needed), then register, then train with the recorded beacon.
    await trainRoots(spec, data, { runDir, lab: BigInt(lab), steps: 0 }, silentLogger);
    const g = genesisCall(JSON.parse(await readFile(path.join(runDir, "genesis.json"), "utf8")) as ProofBundle);
    const asLab = await labClient(registry, lab);
    await mined(
      await asLab.write.registerSampledRun([
        familyId(FAMILY_K4),
        g.specCommitment,
        ATTEST,
        { challengesPerWindow: s, responseSeconds: RESPONSE, windowSteps: 4 },
        g.facts,
        g.proof,
      ]),
    );
    const runId = await registry.read.runOfSpec([lab, g.specCommitment]);
    const beacon = await drawRunBeacon(registry, await conn.viem.getPublicClient(), runId);
    const opts = { runDir, lab: BigInt(lab), beacon, ...(deviate ? { deviate } : {}) };
    const trained = await trainRoots(spec, data, opts, silentLogger);
    return { runId, spec, data, opts, trained, asLab, g };
  }

  const flipBit = (t: number, p: readonly number[]): readonly number[] =>
    t === BAD_STEP ? p.map((x, i) => (i === 3 ? x ^ 1 : x)) : p;

  let world: Awaited<ReturnType<typeof setUp>>;
  async function setUp() {
    const { registry, table, fromBlock, d } = await deployed();
    // A fresh UTC day, a minute in: the commitments below all fall in it (issue #29's ledger: a lab's first
    // commitment of a day costs more than the others, and the gas bounds say which is which).
    await conn.networkHelpers.time.increaseTo(
      (BigInt(await conn.networkHelpers.time.latest()) / 86_400n + 1n) * 86_400n + 60n,
    );
    const honest = await sampledRun(registry, LAB0, 100n, 2);
    const dishonest = await sampledRun(registry, LAB1, 200n, 1, flipBit);
    return { registry, table, fromBlock, d, honest, dishonest };
  }

  it("should build the registry's roots trees: its leaf, and a root it accepts at commitment", async () => {
    world = await setUp();
    const { registry, honest } = world;
    assert.equal(await registry.read.rootLeaf([7n, 12345n]), rootLeaf(7n, 12345n));
    const t = windowTree(honest.trained.roots, 0n, 4);
    assert.ok(t instanceof RootsTree);
    assert.equal(t.path(4n).length, 2);
  });

  it("should count committed windows as committed steps, not proven ones, within 80k gas each (100k for a lab's first of the day)", async () => {
    const { registry, honest, dishonest } = world;
    const pc = await conn.viem.getPublicClient();
    // Out of order and a wrong end root first.
    const tree = windowTree(honest.trained.roots, 1n, 4);
    await expectCustomError(
      honest.asLab.write.commitWindow([honest.runId, 4n, tree.root, tree.rootAt(8n), tree.path(8n)]),
      "WindowOutOfOrder",
      [honest.runId, 0n, 4n],
    );
    const t0 = windowTree(honest.trained.roots, 0n, 4);
    await expectCustomError(
      honest.asLab.write.commitWindow([honest.runId, 0n, t0.root, t0.rootAt(3n), t0.path(4n)]),
      "InvalidRootPath",
      [honest.runId, 4n],
    );
    // Window 0 by hand: its draw waits for the block DRAW_DELAY_BLOCKS after the commitment. Every commitment
    // below falls in the UTC day setUp began (each lab's first of the day opens its ledger slot).
    const today = BigInt(await conn.networkHelpers.time.latest()) / 86_400n;
    const ledger = () => registry.read.accountedCompute([LAB0, today, today + 2n]);
    const before = await ledger();
    const c0 = await mined(
      await honest.asLab.write.commitWindow([honest.runId, 0n, t0.root, t0.rootAt(4n), t0.path(4n)]),
    );
    const ref0 = { root: t0.root, committedBlock: c0.blockNumber };
    await expectCustomError(registry.write.drawChallenges([honest.runId, 0n, ref0]), "DrawTooEarly", [
      honest.runId,
      0n,
      c0.blockNumber + 2n,
      c0.blockNumber + 1n,
    ]);
    const h = await commitWindows(honest.asLab, pc, honest.runId, honest.trained.roots, silentLogger);
    const b = await commitWindows(dishonest.asLab, pc, dishonest.runId, dishonest.trained.roots, silentLogger);
    assert.equal(h.committed, 3);
    assert.equal(h.alreadyOnChain, 1);
    // The lab's first commitment of the day opens its compute-ledger slot for the day (issue #29, about 22k).
    assert.ok(c0.gasUsed <= 100_000n, `a lab's first commitment of the day used ${c0.gasUsed} gas`);
    assert.equal(b.committed, 4);
    assert.ok(b.gas[0]! <= 100_000n, `the other lab's first commitment of the day used ${b.gas[0]} gas`);
    for (const gas of [...h.gas, ...b.gas.slice(1)]) assert.ok(gas <= 80_000n, `a commitment used ${gas} gas`);
    // Every committed window counts in the lab's accounted compute (issue #29), as committed steps do.
    const { flopsPerStep } = await registry.read.getRun([honest.runId]);
    assert.equal((await ledger()) - before, 16n * flopsPerStep);
    const run = await registry.read.getRun([honest.runId]);
    assert.equal(run.steps, 16n);
    assert.equal(run.cumulativeFlops, 16n * run.flopsPerStep);
    assert.equal(run.status, 3); // Completed: every planned step committed
    assert.equal(run.answered, 0);
    assert.equal(run.root, honest.trained.roots[16]);
    // A sampled run submits no checkpoints; a full run commits no windows.
    await expectCustomError(
      honest.asLab.write.submitCheckpoint([
        honest.runId,
        { firstStep: 16n, rootBefore: run.root, rootAfter: 1n, accumulator: 1n },
        [0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n],
      ]),
      "RunNotActive",
    );
  });

  it("should draw each window once, from a block hash that did not exist at commitment", async () => {
    const { registry, fromBlock, honest } = world;
    const pc = await conn.viem.getPublicClient();
    const refs = await windowRefs(registry, pc, fromBlock, honest.runId);
    const w0 = refs.get(0n)!;
    const seedBlock = w0.committedBlock + 2n;
    await conn.networkHelpers.mine(3);
    await expectCustomError(
      registry.write.drawChallenges([honest.runId, 0n, { ...w0, committedBlock: w0.committedBlock + 1n }]),
      "UnknownWindow",
      [honest.runId, 0n],
    );
    const receipt = await mined(await registry.write.drawChallenges([honest.runId, 0n, w0]));
    const [drawn] = parseEventLogs({ abi: registry.abi, logs: receipt.logs, eventName: "ChallengesDrawn" });
    const block = await pc.getBlock({ blockNumber: seedBlock });
    const seed = drawn!.args.seed;
    assert.equal(drawn!.args.seedBlock, seedBlock);
    const expected = await registry.read.challengeOffsets([seed, 4n, 2]);
    assert.deepEqual(drawn!.args.steps, expected);
    assert.notEqual(block.hash, null);
    await expectCustomError(registry.write.drawChallenges([honest.runId, 0n, w0]), "ChallengesAlreadyDrawn", [
      honest.runId,
      0n,
    ]);
    for (const w of [1n, 2n, 3n]) await mined(await registry.write.drawChallenges([honest.runId, w, refs.get(w)!]));
    assert.equal((await registry.read.getRun([honest.runId])).challenged, 8);
  });

  it("should prove every challenged step of the honest run within 320k gas per answer", async () => {
    const { registry, fromBlock, honest } = world;
    const pc = await conn.viem.getPublicClient();
    const { challenges, refs } = await runChallenges(registry, pc, fromBlock, honest.runId);
    const open = challenges.filter((c) => c.state === "Open").map((c) => Number(c.step));
    assert.equal(open.length, 8);
    // Prove two of them here (the rest the same way below), keep the proofs for the negative cases.
    const proved = await proveSteps(
      honest.spec,
      honest.data,
      honest.opts,
      honest.trained,
      open.slice(0, 2),
      silentLogger,
    );
    assert.equal(proved.failed.length, 0);
    const [t, u] = open.slice(0, 2) as [number, number];
    const args = (step: number, bundle = proved.proofs.get(step)!) =>
      answerArgs(honest.runId, BigInt(step), honest.trained.roots, 4, refs, bundle);
    const [id, a, proof] = args(t);
    // Wrong: another leaf's path, another window's reference, another step's proof, another lab.
    await expectCustomError(
      honest.asLab.write.answerChallenge([id, { ...a, pathAfter: [...a.pathAfter].reverse() }, proof]),
      "InvalidRootPath",
      [id, BigInt(t) + 1n],
    );
    const other = refs.get((BigInt(t) / 4n + 1n) % 4n)!;
    await expectCustomError(
      honest.asLab.write.answerChallenge([id, { ...a, windowAfter: other }, proof]),
      "UnknownWindow",
    );
    const [, b, proofU] = args(u);
    await expectCustomError(
      honest.asLab.write.answerChallenge([id, { ...a, accumulator: b.accumulator }, proof]),
      "InvalidStepProof",
      [id, BigInt(t)],
    );
    await expectCustomError(honest.asLab.write.answerChallenge([id, a, proofU]), "InvalidStepProof", [id, BigInt(t)]);
    await expectCustomError(registry.write.answerChallenge([id, a, proof], { account: OUTSIDER }), "NotRunLab");
    // Right, once.
    const r = await mined(await honest.asLab.write.answerChallenge([id, a, proof]));
    assert.ok(r.gasUsed <= 320_000n, `an answer used ${r.gasUsed} gas`);
    await expectCustomError(honest.asLab.write.answerChallenge([id, a, proof]), "ChallengeNotOpen", [
      id,
      BigInt(t),
      State.Answered,
    ]);
    assert.equal((await registry.read.getChallenge([id, BigInt(t)])).state, State.Answered);
    // The rest.
    const rest = await proveSteps(honest.spec, honest.data, honest.opts, honest.trained, open.slice(1), silentLogger);
    for (const step of open.slice(1)) {
      const receipt = await mined(await honest.asLab.write.answerChallenge(args(step, rest.proofs.get(step))));
      assert.ok(receipt.gasUsed <= 320_000n, `an answer used ${receipt.gasUsed} gas`);
    }
    const run = await registry.read.getRun([honest.runId]);
    assert.equal(run.answered, 8);
    assert.equal(run.violations[UNANSWERED], 0);
  });

  it("should not let the dishonest lab answer the challenge of its altered step, and flag it after the deadline", async () => {
    const { registry, fromBlock, dishonest, honest } = world;
    const pc = await conn.viem.getPublicClient();
    const step = BigInt(BAD_STEP);
    // An auditor pays to challenge the altered step (the draw may or may not pick it).
    const auditor = await labClient(registry, OUTSIDER);
    await expectCustomError(
      auditor.write.requestChallenge([dishonest.runId, step], { value: 1n }),
      "WrongChallengeFee",
      [FEE, 1n],
    );
    await expectCustomError(
      auditor.write.requestChallenge([dishonest.runId, 16n], { value: FEE }),
      "StepNotCommitted",
      [dishonest.runId, 16n, 16n],
    );
    await mined(await auditor.write.requestChallenge([dishonest.runId, step], { value: FEE }));
    await expectCustomError(
      auditor.write.requestChallenge([dishonest.runId, step], { value: FEE }),
      "StepAlreadyChallenged",
      [dishonest.runId, step],
    );
    // Its own training cannot prove the step: the circuit refuses the altered transition.
    const proved = await proveSteps(
      dishonest.spec,
      dishonest.data,
      dishonest.opts,
      dishonest.trained,
      [BAD_STEP],
      silentLogger,
    );
    assert.equal(proved.failed.length, 1);
    // The honest step's proof from the same r(5) does not open the committed r(6).
    const replayOpts = {
      runDir: path.join(dir, "dishonest-replay"),
      lab: dishonest.opts.lab,
      beacon: dishonest.opts.beacon,
    };
    const honestTraining: TrainedRoots = await trainRoots(dishonest.spec, dishonest.data, replayOpts, silentLogger);
    assert.equal(honestTraining.roots[BAD_STEP], dishonest.trained.roots[BAD_STEP]);
    assert.notEqual(honestTraining.roots[BAD_STEP + 1], dishonest.trained.roots[BAD_STEP + 1]);
    const replay = await proveSteps(
      dishonest.spec,
      dishonest.data,
      replayOpts,
      honestTraining,
      [BAD_STEP],
      silentLogger,
    );
    const refs = await windowRefs(registry, pc, fromBlock, dishonest.runId);
    const bundle = replay.proofs.get(BAD_STEP)!;
    const [id, a, proof] = answerArgs(dishonest.runId, step, honestTraining.roots, 4, refs, bundle);
    // Paths from the honest tree do not open the committed window; the committed tree's path of
    // leaf 6 does not open the honest r(6).
    await expectCustomError(dishonest.asLab.write.answerChallenge([id, a, proof]), "InvalidRootPath", [id, step]);
    const committed = windowTree(dishonest.trained.roots, 1n, 4);
    const opened = { ...a, pathBefore: committed.path(step), pathAfter: committed.path(step + 1n) };
    await expectCustomError(dishonest.asLab.write.answerChallenge([id, opened, proof]), "InvalidRootPath", [
      id,
      step + 1n,
    ]);
    // Nor with the committed r(6) and the honest proof, nor with the honest run's proof of that step.
    const withCommitted = { ...opened, rootAfter: committed.rootAt(step + 1n) };
    await expectCustomError(dishonest.asLab.write.answerChallenge([id, withCommitted, proof]), "InvalidStepProof", [
      id,
      step,
    ]);
    const honestProof = (
      await proveSteps(honest.spec, honest.data, honest.opts, honest.trained, [BAD_STEP], silentLogger)
    ).proofs.get(BAD_STEP)!;
    const [, , foreign] = answerArgs(
      honest.runId,
      step,
      honest.trained.roots,
      4,
      await windowRefs(registry, pc, fromBlock, honest.runId),
      honestProof,
    );
    await expectCustomError(dishonest.asLab.write.answerChallenge([id, withCommitted, foreign]), "InvalidStepProof", [
      id,
      step,
    ]);
    // Not yet expired; then expired: too late to answer, flagged by anyone, once; the fee goes back.
    await expectCustomError(
      registry.write.flagUnansweredChallenge([id, step], { account: OUTSIDER }),
      "ChallengeNotExpired",
    );
    await conn.networkHelpers.time.increase(RESPONSE + 1);
    await expectCustomError(dishonest.asLab.write.answerChallenge([id, a, proof]), "AnswerTooLate");
    const r = await mined(await registry.write.flagUnansweredChallenge([id, step], { account: OUTSIDER }));
    const [flag] = parseEventLogs({ abi: registry.abi, logs: r.logs, eventName: "ViolationFlagged" });
    assert.equal(flag!.args.kind, UNANSWERED);
    assert.equal(flag!.args.steps, step);
    assert.equal(getAddress(flag!.args.reporter), OUTSIDER);
    await expectCustomError(
      registry.write.flagUnansweredChallenge([id, step], { account: OUTSIDER }),
      "ChallengeNotOpen",
      [id, step, State.Unanswered],
    );
    const run = await registry.read.getRun([id]);
    assert.equal(run.violations[UNANSWERED], 1);
    assert.equal(await registry.read.creditOf([OUTSIDER]), FEE);
    const before = await pc.getBalance({ address: OUTSIDER });
    const w = await mined(await auditor.write.withdraw());
    const afterBalance = await pc.getBalance({ address: OUTSIDER });
    assert.equal(afterBalance, before + FEE - w.gasUsed * w.effectiveGasPrice);
    await expectCustomError(auditor.write.withdraw(), "NothingToWithdraw", [OUTSIDER]);
  });

  it("should pay the lab the fee of a paid challenge it answers in time", async () => {
    const { registry, fromBlock, honest } = world;
    const pc = await conn.viem.getPublicClient();
    const { challenges, refs } = await runChallenges(registry, pc, fromBlock, honest.runId);
    const free = [...Array(16).keys()].find((t) => !challenges.some((c) => c.step === BigInt(t)))!;
    await mined(await registry.write.requestChallenge([honest.runId, BigInt(free)], { account: OUTSIDER, value: FEE }));
    const proved = await proveSteps(honest.spec, honest.data, honest.opts, honest.trained, [free], silentLogger);
    const args = answerArgs(honest.runId, BigInt(free), honest.trained.roots, 4, refs, proved.proofs.get(free)!);
    const r = await mined(await honest.asLab.write.answerChallenge(args));
    const [ans] = parseEventLogs({ abi: registry.abi, logs: r.logs, eventName: "ChallengeAnswered" });
    assert.equal(ans!.args.feeToLab, FEE);
    assert.equal(await registry.read.creditOf([LAB0]), FEE);
    await mined(await honest.asLab.write.withdraw());
    assert.equal(await registry.read.creditOf([LAB0]), 0n);
  });

  it("should refuse sampled terms a family or the policy does not allow, and paid challenges when off", async () => {
    const { registry, table, d } = world;
    const f = d.families.find((x) => x.name === FAMILY_K4)!;
    const id = familyId("test/no-sampling");
    await mined(
      await table.write.registerFamily([
        id,
        d.circuits[f.genesis]!.adapter.address,
        d.circuits[f.checkpoint]!.adapter.address,
        4,
        zeroAddress,
        "no step verifier",
      ]),
    );
    const { spec: example } = await loadExample();
    const { genesisInputs } = await import("../../prover/statement/inputs.js");
    const { prove } = await import("../../prover/proving/prove.js");
    const spec = { ...example, salt: example.salt + 300n };
    const g = genesisCall(await prove(f.genesis, genesisInputs(spec, BigInt(LAB0)).inputs));
    const register = (family: `0x${string}`, s: number, response: number, w = 4) =>
      registry.write.registerSampledRun([
        family,
        g.specCommitment,
        ATTEST,
        { challengesPerWindow: s, responseSeconds: response, windowSteps: w },
        g.facts,
        g.proof,
      ]);
    await expectCustomError(register(id, 1, 60), "FamilyCannotSample", [id]);
    const K4 = familyId(FAMILY_K4);
    // More challenges than steps, a response time outside the policy's bounds (issue #24, S1), a window
    // of 0 or over 1,024 steps, or one the plan is not a multiple of.
    await expectCustomError(register(K4, 5, 60), "InvalidSampling", [5, 60, 4]);
    await expectCustomError(register(K4, 1, 0), "InvalidSampling", [1, 0, 4]);
    await expectCustomError(register(K4, 1, 59), "InvalidSampling", [1, 59, 4]);
    await expectCustomError(register(K4, 1, 2 ** 32 - 1), "InvalidSampling", [1, 2 ** 32 - 1, 4]);
    await expectCustomError(register(K4, 2, 60, 1), "InvalidSampling", [2, 60, 1]);
    await expectCustomError(register(K4, 1, 60, 0), "InvalidSampling", [1, 60, 0]);
    await expectCustomError(register(K4, 1, 60, 1025), "InvalidSampling", [1, 60, 1025]);
    await expectCustomError(register(K4, 1, 60, 3), "InvalidPlan", [16n, 3]);
    // An active sampled run submits no checkpoint.
    await mined(await register(familyId(FAMILY_K4), 1, 60));
    const sampled = await registry.read.runOfSpec([LAB0, g.specCommitment]);
    await expectCustomError(
      registry.write.submitCheckpoint([
        sampled,
        { firstStep: 0n, rootBefore: g.facts.root0, rootAfter: 1n, accumulator: 1n },
        [0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n],
      ]),
      "RunIsSampled",
      [sampled],
    );
    // A full run has no windows.
    const g2 = genesisCall(
      await prove(f.genesis, genesisInputs({ ...spec, salt: spec.salt + 1n }, BigInt(LAB0)).inputs),
    );
    await mined(await registry.write.registerRun([familyId(FAMILY_K4), g2.specCommitment, ATTEST, g2.facts, g2.proof]));
    const full = await registry.read.runOfSpec([LAB0, g2.specCommitment]);
    await expectCustomError(registry.write.commitWindow([full, 0n, `0x${"0".repeat(64)}`, 0n, []]), "NotSampledRun", [
      full,
    ]);
    // The policy's own bounds (issue #24): a fee under the floor, response bounds past 30 days.
    for (const bad of [
      { ...DEFAULT_SAMPLING, challengeFee: 10n ** 12n - 1n },
      { ...DEFAULT_SAMPLING, maxResponseSeconds: 30 * 86_400 + 1 },
      { ...DEFAULT_SAMPLING, minChallengesPerWindow: 65 },
    ])
      await expectCustomError(registry.write.setSamplingPolicy([bad]), "InvalidSamplingPolicy", [bad]);
    await mined(await registry.write.setSamplingPolicy([{ ...DEFAULT_SAMPLING, challengeFee: 0n }]));
    await expectCustomError(
      registry.write.requestChallenge([world.honest.runId, 0n], { value: 0n }),
      "PaidChallengesDisabled",
    );
    await mined(await registry.write.setSamplingPolicy([{ ...DEFAULT_SAMPLING, challengeFee: FEE }]));
  });

  it("should keep a credit whose withdrawal the account refuses", async () => {
    const { registry, d, dishonest } = world;
    // An account with code that accepts no payment: a verifier adapter, impersonated.
    const refuser = d.circuits[d.families[0]!.genesis]!.adapter.address;
    await conn.networkHelpers.impersonateAccount(refuser);
    await conn.networkHelpers.setBalance(refuser, parseEther("1"));
    const asRefuser = await registryContract(conn.viem, registry.address, {
      wallet: await conn.viem.getWalletClient(refuser),
    });
    await mined(await asRefuser.write.requestChallenge([dishonest.runId, 0n], { value: FEE }));
    await conn.networkHelpers.time.increase(RESPONSE + 1);
    await mined(await registry.write.flagUnansweredChallenge([dishonest.runId, 0n]));
    await expectCustomError(asRefuser.write.withdraw(), "WithdrawalFailed", [getAddress(refuser), FEE]);
    assert.equal(await registry.read.creditOf([refuser]), FEE);
    await conn.networkHelpers.stopImpersonatingAccount(refuser);
  });

  it("should state the detection probability of s challenges among W steps", () => {
    assert.equal(escapeProbability(4, 1, 2), 0.5);
    assert.equal(escapeProbability(4, 1, 4), 0);
    assert.ok(Math.abs(escapeProbability(64, 1, 8) - 56 / 64) < 1e-12);
    assert.ok(Math.abs(escapeProbability(64, 4, 8) - (56 * 55 * 54 * 53) / (64 * 63 * 62 * 61)) < 1e-12);
  });

  it("should each sampled-mode error have been triggered by a test above", () => {
    const missing = SAMPLED_MODE_ERRORS.filter((n) => !triggeredErrors.has(n));
    assert.deepEqual(missing, [], `sampled-mode errors no test triggered: ${missing.join(", ")}`);
  });
});
