/**
 * TrainingRegistry with real proofs (recorded by harness/fixtures/registry.ts)
 * on Hardhat's in-process network, deployed by the real deploy routine.
 * Every successful call is checked on its events and the stored state
 * together; every rejected call on its custom error and on state left as
 * it was.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "mocha";
import { network } from "hardhat";
import { getAddress, parseEventLogs, zeroAddress, type Address, type Hash } from "viem";
import { FIELD_P } from "../../prover/circom/r1cs.js";
import { FAMILIES, familyId } from "../../prover/proving/families.js";
import { releaseSnarkjs } from "../../prover/proving/log.js";
import { CHECKPOINT_PUBLIC_SIGNALS, GENESIS_PUBLIC_SIGNALS } from "../../prover/statement/statement.js";
import { checkpointCall, genesisCall, type Attestations } from "../../client/calls.js";
import { deployRegistry, type Deployment } from "../../client/deploy.js";
import { MAX_CHECKPOINT_BATCH } from "../../client/runs.js";
import { measureGas } from "../../bench/gas.js";
import { executePolicyCall, policyCall, schedulePolicyCall } from "../../client/governance.js";
import {
  FAMILY_K1,
  FAMILY_K4,
  LAB0,
  LAB1,
  registryFixtures,
  useFixtureBeacon,
  type FixtureRun,
} from "../../harness/fixtures/registry.js";
import { deployDirectPolicyRegistry } from "../../client/deploy.js";
import { registryContract } from "../../client/contract.js";
import type { FamiliesAbi } from "../../client/read/abi.js";
import {
  CHUNKED_STEP_ERRORS,
  expectCustomError,
  SAMPLED_MODE_ERRORS,
  SOLIDITY_TESTED_ERRORS,
  triggeredErrors,
} from "../helpers/revert.js";

type Connection = Awaited<ReturnType<typeof network.create>>;

const STEP_FLOPS = 123n; // linear-mse 4 -> 3, batch 2 (prover/statement/statement.ts)
const HONEST: Attestations = { flopsCap: 10_000n, maxSteps: 16n, checkpointDeadline: 3600n };
const Kind = {
  PlannedComputeAboveCap: 0,
  PlannedStepsAboveLimit: 1,
  ComputeCapExceeded: 2,
  StepLimitExceeded: 3,
  CheckpointDeadlineMissed: 4,
} as const;
const Status = { None: 0, Active: 1, Closed: 2, Completed: 3 } as const;
const OUTSIDER: Address = getAddress("0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc"); // Hardhat's third account

describe("TrainingRegistry", function () {
  this.timeout(900_000);
  let conn: Connection;
  let runs: Awaited<ReturnType<typeof registryFixtures>>["runs"];

  before(async () => {
    ({ runs } = await registryFixtures());
    conn = await network.create();
  });
  after(releaseSnarkjs);

  async function deployed(threshold?: bigint) {
    const d: Deployment = await deployRegistry(
      conn.viem,
      threshold === undefined ? {} : { designationThreshold: threshold },
    );
    const registry = await registryContract(conn.viem, d.registry.address);
    const table = await conn.viem.getContractAt("CircuitFamilies", d.familyTable.address);
    return { d, registry, table };
  }
  type Registry = Awaited<ReturnType<typeof deployed>>["registry"];
  /** A registry whose policy role LAB0 holds directly (no timelock), with the deployment's two families. */
  async function directPolicy() {
    const { d } = await fresh();
    const { registry, familyTable: table } = await deployDirectPolicyRegistry(conn.viem, d, LAB0);
    return { d, registry, table };
  }
  const deployDefault = () => deployed();
  const deployWithThreshold = () => deployed(1000n);
  const fresh = () => conn.networkHelpers.loadFixture(deployDefault);

  async function mined(hash: Hash) {
    const publicClient = await conn.viem.getPublicClient();
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    assert.equal(receipt.status, "success");
    return receipt;
  }
  async function events(registry: Registry, hash: Hash) {
    const r = await mined(hash);
    return parseEventLogs({ abi: registry.abi, logs: r.logs });
  }
  async function familyEvents(table: { abi: FamiliesAbi }, hash: Hash) {
    const r = await mined(hash);
    return parseEventLogs({ abi: table.abi, logs: r.logs });
  }
  async function blockNumber(): Promise<bigint> {
    return (await conn.viem.getPublicClient()).getBlockNumber();
  }
  async function blockTime(): Promise<bigint> {
    return BigInt(await conn.networkHelpers.time.latest());
  }

  async function register(
    registry: Registry,
    run: FixtureRun,
    attestations: Attestations = HONEST,
    from: Address = run.lab,
    family: string = run.family,
  ) {
    const g = genesisCall(run.genesis);
    return registry.write.registerRun([familyId(family), g.specCommitment, attestations, g.facts, g.proof], {
      account: from,
    });
  }
  function submit(registry: Registry, runId: bigint, bundle: FixtureRun["checkpoints"][number], from: Address) {
    const c = checkpointCall(bundle);
    return registry.write.submitCheckpoint([runId, c.claim, c.proof], { account: from });
  }
  /** Registers `run` and submits its first `n` checkpoints; returns the run id. */
  async function registered(registry: Registry, run: FixtureRun, n = 0, attestations = HONEST): Promise<bigint> {
    await mined(await register(registry, run, attestations));
    const id = await registry.read.runCount();
    await useFixtureBeacon(conn.networkHelpers, await conn.viem.getPublicClient(), registry, id, run);
    for (const cp of run.checkpoints.slice(0, n)) await mined(await submit(registry, id, cp, run.lab));
    return id;
  }
  /** CheckpointAccepted's arguments for run A's (lab LAB0, K = 4) checkpoint i with `cumulative` FLOPs after it. */
  const acceptedArgs = (
    runId: bigint,
    i: number,
    claim: ReturnType<typeof checkpointCall>["claim"],
    cumulative: bigint,
  ) => ({
    runId,
    lab: LAB0,
    firstStep: BigInt(4 * i),
    steps: BigInt(4 * i + 4),
    rootAfter: claim.rootAfter,
    flops: 4n * STEP_FLOPS,
    cumulativeFlops: cumulative,
    accumulator: claim.accumulator,
  });
  /** Asserts that `call` reverts with `error` and leaves the registry's runs as they were. */
  async function rejectsUnchanged(
    registry: Registry,
    call: () => Promise<unknown>,
    error: string,
    args?: Parameters<typeof expectCustomError>[2],
  ): Promise<void> {
    const count = await registry.read.runCount();
    const before = await Promise.all(
      Array.from({ length: Number(count) }, (_, i) => registry.read.getRun([BigInt(i + 1)])),
    );
    await expectCustomError(call(), error, args);
    assert.equal(await registry.read.runCount(), count);
    for (let i = 0; i < before.length; i++) assert.deepEqual(await registry.read.getRun([BigInt(i + 1)]), before[i]);
  }

  describe("constructor", () => {
    it("should grant the three roles to the given accounts", async () => {
      const r = await conn.viem.deployContract("TrainingRegistry", [3600, LAB0, LAB1, OUTSIDER, LAB0, LAB0]);
      assert.equal(await r.read.hasRole([await r.read.DEFAULT_ADMIN_ROLE(), LAB0]), true);
      assert.equal(await r.read.defaultAdminDelay(), 3600);
      assert.equal(await r.read.getRoleAdmin([await r.read.POLICY_ROLE()]), await r.read.POLICY_ROLE());
      assert.equal(await r.read.hasRole([await r.read.POLICY_ROLE(), LAB1]), true);
      assert.equal(await r.read.hasRole([await r.read.PAUSER_ROLE(), OUTSIDER]), true);
      assert.equal(await r.read.hasRole([await r.read.POLICY_ROLE(), LAB0]), false);
    });
    it("should not deploy with a zero role account", async () => {
      for (const args of [
        [0, LAB0, zeroAddress, LAB0, LAB0, LAB0],
        [0, LAB0, LAB0, zeroAddress, LAB0, LAB0],
      ] as const) {
        await assert.rejects(conn.viem.deployContract("TrainingRegistry", [...args]), /ZeroRoleAccount/);
      }
      // A zero admin is refused by AccessControlDefaultAdminRules itself.
      await assert.rejects(
        conn.viem.deployContract("TrainingRegistry", [0, zeroAddress, LAB0, LAB0, LAB0, LAB0]),
        /AccessControlInvalidDefaultAdmin/,
      );
      for (const args of [
        [0, LAB0, LAB0, LAB0, zeroAddress, LAB0],
        [0, LAB0, LAB0, LAB0, LAB0, zeroAddress],
      ] as const) {
        await assert.rejects(conn.viem.deployContract("TrainingRegistry", [...args]), /ZeroModule/);
      }
      triggeredErrors.add("ZeroModule");
      triggeredErrors.add("ZeroRoleAccount");
      triggeredErrors.add("AccessControlInvalidDefaultAdmin");
    });
  });

  describe("registerFamily", () => {
    it("should register the deployment's families with their verifiers, K and an event each", async () => {
      const { d, table } = await fresh();
      assert.equal(d.families.length, FAMILIES.length);
      assert.ok(
        d.families.some((f) => f.name.startsWith("mlp-mse/")),
        "the MLP family is registered by default",
      );
      for (const f of d.families) {
        const got = await table.read.getFamily([f.id]);
        assert.equal(got.genesisVerifier, d.circuits[f.genesis]!.adapter.address);
        assert.equal(got.checkpointVerifier, d.circuits[f.checkpoint]!.adapter.address);
        assert.equal(got.stepsPerCheckpoint, f.stepsPerCheckpoint);
        assert.equal(got.stepVerifier, d.circuits[f.step]!.adapter.address);
        assert.equal(got.deprecated, false);
        const logs = await table.getEvents.CircuitFamilyRegistered({ familyId: f.id }, { fromBlock: 0n });
        assert.equal(logs.length, 1);
        assert.equal(logs[0]!.args.description, f.description);
      }
    });
    it("should never replace a family", async () => {
      const { d, table } = await directPolicy();
      const f = d.families[0]!;
      const c = d.circuits[f.checkpoint]!.adapter.address;
      await expectCustomError(
        table.write.registerFamily([f.id, c, c, 1, c, "replacement"]),
        "FamilyAlreadyRegistered",
        [f.id],
      );
      assert.equal((await table.read.getFamily([f.id])).checkpointVerifier, c);
    });
    it("should not register a family whose verifiers have another layout, or K outside 1 .. 65,535", async () => {
      const { d, table } = await directPolicy();
      const g = d.circuits.genesis_linear_i4o3b2n150!.adapter.address;
      const c = d.circuits.checkpoint_linear_i4o3b2n150k4!.adapter.address;
      const id = familyId("test/other");
      await expectCustomError(table.write.registerFamily([id, c, c, 4, c, ""]), "InvalidFamily", [c, 7n, 5n]);
      await expectCustomError(table.write.registerFamily([id, g, g, 4, c, ""]), "InvalidFamily", [g, 5n, 7n]);
      await expectCustomError(table.write.registerFamily([id, g, c, 4, g, ""]), "InvalidFamily", [g, 5n, 7n]);
      await expectCustomError(table.write.registerFamily([id, zeroAddress, c, 4, c, ""]), "InvalidFamily", [
        zeroAddress,
        7n,
        0n,
      ]);
      await expectCustomError(table.write.registerFamily([id, g, c, 0, c, ""]), "InvalidStepsPerCheckpoint", [0]);
      await expectCustomError(
        table.write.registerFamily([id, g, c, 65_536, c, ""]),
        "InvalidStepsPerCheckpoint",
        [65_536],
      );
      await expectCustomError(table.read.getFamily([id]), "UnknownFamily", [id]);
    });
    it("should not let an account without the policy role register a family", async () => {
      const { d, registry, table } = await fresh();
      const g = d.circuits.genesis_linear_i4o3b2n150!.adapter.address;
      const c = d.circuits.checkpoint_linear_i4o3b2n150k4!.adapter.address;
      await expectCustomError(
        table.write.registerFamily([familyId("x"), g, c, 4, c, ""], { account: OUTSIDER }),
        "AccessControlUnauthorizedAccount",
        [OUTSIDER, await registry.read.POLICY_ROLE()],
      );
    });
  });

  describe("deprecateFamily", () => {
    it("should deprecate with an event, refuse new runs and let existing runs continue", async () => {
      const { registry, table } = await directPolicy();
      const id = familyId(FAMILY_K4);
      const runId = await registered(registry, runs.A, 1);
      const ev = await familyEvents(table, await table.write.deprecateFamily([id]));
      assert.deepEqual(
        ev.map((e) => e.eventName),
        ["CircuitFamilyDeprecated"],
      );
      assert.equal((await table.read.getFamily([id])).deprecated, true);
      await rejectsUnchanged(registry, () => register(registry, runs.B), "FamilyIsDeprecated", [id]);
      await mined(await submit(registry, runId, runs.A.checkpoints[1]!, LAB0));
      assert.equal((await registry.read.getRun([runId])).steps, 8n);
      await expectCustomError(table.write.deprecateFamily([id]), "FamilyIsDeprecated", [id]);
      const unknown = familyId("nope");
      await expectCustomError(table.write.deprecateFamily([unknown]), "UnknownFamily", [unknown]);
    });
  });

  describe("setDesignationThreshold", () => {
    it("should set the threshold with an event, policy role only", async () => {
      const { registry } = await directPolicy();
      const ev = await events(registry, await registry.write.setDesignationThreshold([1000n]));
      assert.equal(ev[0]!.eventName, "DesignationThresholdSet");
      assert.deepEqual(ev[0]!.args, { previous: 0n, threshold: 1000n });
      assert.equal(await registry.read.designationThreshold(), 1000n);
      await expectCustomError(
        registry.write.setDesignationThreshold([1n], { account: LAB1 }),
        "AccessControlUnauthorizedAccount",
        [LAB1, await registry.read.POLICY_ROLE()],
      );
    });
  });

  describe("pause", () => {
    it("should stop registrations, submissions (batches too), flags and closes until unpaused (pauser only)", async () => {
      const { registry } = await fresh();
      const runId = await registered(registry, runs.A);
      await expectCustomError(registry.write.pause({ account: LAB1 }), "AccessControlUnauthorizedAccount", [
        LAB1,
        await registry.read.PAUSER_ROLE(),
      ]);
      await expectCustomError(registry.write.unpause(), "ExpectedPause");
      await mined(await registry.write.pause());
      await rejectsUnchanged(registry, () => register(registry, runs.B), "EnforcedPause");
      await rejectsUnchanged(registry, () => submit(registry, runId, runs.A.checkpoints[0]!, LAB0), "EnforcedPause");
      const first = checkpointCall(runs.A.checkpoints[0]!);
      await rejectsUnchanged(
        registry,
        () => registry.write.submitCheckpoints([runId, [first.claim], [first.proof]], { account: LAB0 }),
        "EnforcedPause",
      );
      await rejectsUnchanged(registry, () => registry.write.flagMissedDeadline([runId]), "EnforcedPause");
      await rejectsUnchanged(registry, () => registry.write.closeRun([runId]), "EnforcedPause");
      await mined(await registry.write.unpause());
      await mined(await submit(registry, runId, runs.A.checkpoints[0]!, LAB0));
    });
  });

  describe("registerRun", () => {
    it("should register an honest run: events, record, count and spec index", async () => {
      const { registry } = await fresh();
      const g = genesisCall(runs.A.genesis);
      const hash = await register(registry, runs.A);
      const ev = await events(registry, hash);
      const t = await blockTime();
      assert.deepEqual(
        ev.map((e) => e.eventName),
        ["RunRegistered", "GenesisVerified"],
      );
      assert.deepEqual(ev[0]!.args, {
        runId: 1n,
        lab: LAB0,
        familyId: familyId(FAMILY_K4),
        specCommitment: g.specCommitment,
        runTag: g.facts.runTag,
        attestations: HONEST,
      });
      assert.deepEqual(ev[1]!.args, {
        runId: 1n,
        root0: g.facts.root0,
        paramCount: 15n,
        flopsPerStep: STEP_FLOPS,
        plannedSteps: 16n,
      });
      const run = await registry.read.getRun([1n]);
      assert.equal(run.lab, LAB0);
      assert.equal(run.status, Status.Active);
      assert.equal(run.registeredAt, t);
      assert.equal(run.lastCheckpointAt, t);
      assert.equal(run.specCommitment, g.specCommitment);
      assert.equal(run.runTag, g.facts.runTag);
      assert.equal(run.root0, g.facts.root0);
      assert.equal(run.root, g.facts.root0);
      assert.equal(run.steps, 0n);
      assert.equal(run.cumulativeFlops, 0n);
      assert.equal(run.stepsPerCheckpoint, 4);
      assert.equal(run.flopsPerStep, STEP_FLOPS);
      assert.deepEqual(run.attestations, HONEST);
      assert.deepEqual(run.violations, [0, 0, 0, 0, 0, 0]);
      assert.equal(await registry.read.runCount(), 1n);
      assert.equal(await registry.read.runOfSpec([LAB0, g.specCommitment]), 1n);
      assert.equal(run.beacon, 0n, "the beacon is drawn after registration");
      assert.equal(run.beaconBlock, (await blockNumber()) + 2n);
      await expectCustomError(registry.read.lastCheckpoint([1n]), "NoCheckpointYet", [1n]);
    });
    it("should flag at once a plan above the FLOPs cap or the step limit", async () => {
      const { registry } = await fresh();
      const planned = 16n * STEP_FLOPS;
      const ev = await events(
        registry,
        await register(registry, runs.A, { flopsCap: planned - 1n, maxSteps: 10n, checkpointDeadline: 60n }),
      );
      const flags = ev.filter((e) => e.eventName === "ViolationFlagged").map((e) => e.args);
      assert.deepEqual(flags, [
        {
          runId: 1n,
          kind: Kind.PlannedComputeAboveCap,
          lab: LAB0,
          steps: 0n,
          observed: planned,
          limit: planned - 1n,
          count: 1n,
          reporter: LAB0,
        },
        {
          runId: 1n,
          kind: Kind.PlannedStepsAboveLimit,
          lab: LAB0,
          steps: 0n,
          observed: 16n,
          limit: 10n,
          count: 1n,
          reporter: LAB0,
        },
      ]);
      assert.deepEqual((await registry.read.getRun([1n])).violations, [1, 1, 0, 0, 0, 0]);
    });
    it("should not let a lab register a spec commitment twice, nor another lab take it", async () => {
      const { registry } = await fresh();
      await registered(registry, runs.A);
      const g = genesisCall(runs.A.genesis);
      await rejectsUnchanged(registry, () => register(registry, runs.A), "SpecAlreadyRegistered", [
        g.specCommitment,
        1n,
      ]);
      // The index is per lab, so another lab cannot lock LAB0 out; its genesis proof names LAB0 anyway.
      await rejectsUnchanged(registry, () => register(registry, runs.A, HONEST, LAB1), "InvalidGenesisProof", [
        g.specCommitment,
        LAB1,
      ]);
      assert.equal(await registry.read.runOfSpec([LAB1, g.specCommitment]), 0n);
    });
    it("should refuse a plan that is not a positive multiple of the family's K", async () => {
      const { d, registry, table } = await directPolicy();
      const id = familyId("test/k3");
      const g = d.circuits.genesis_linear_i4o3b2n150!.adapter.address;
      const c = d.circuits.checkpoint_linear_i4o3b2n150k4!.adapter.address;
      await mined(
        await table.write.registerFamily([id, g, c, 3, zeroAddress, "16 planned steps are not a multiple of 3"]),
      );
      await rejectsUnchanged(registry, () => register(registry, runs.A, HONEST, LAB0, "test/k3"), "InvalidPlan", [
        16n,
        3,
      ]);
    });
    it("should not register with an unknown family, a zero deadline or another lab's genesis proof", async () => {
      const { registry } = await fresh();
      const unknown = familyId("nope");
      await rejectsUnchanged(registry, () => register(registry, runs.A, HONEST, LAB0, "nope"), "UnknownFamily", [
        unknown,
      ]);
      await rejectsUnchanged(
        registry,
        () => register(registry, runs.A, { ...HONEST, checkpointDeadline: 0n }),
        "ZeroCheckpointDeadline",
      );
      const g = genesisCall(runs.A.genesis);
      await rejectsUnchanged(registry, () => register(registry, runs.A, HONEST, LAB1), "InvalidGenesisProof", [
        g.specCommitment,
        LAB1,
      ]);
    });
    it("should refuse a spec under a family whose K is not the spec's checkpoint interval", async () => {
      // Run A's spec commits to a checkpoint interval of 4; the K = 1 family of the same shape shares
      // its genesis verifier, but the registry supplies K = 1 as the interval, so the proof fails.
      const { registry } = await fresh();
      const g = genesisCall(runs.A.genesis);
      await rejectsUnchanged(
        registry,
        () => register(registry, runs.A, HONEST, LAB0, FAMILY_K1),
        "InvalidGenesisProof",
        [g.specCommitment, LAB0],
      );
    });
    it("should reject the genesis proof with any public input changed, and with a tampered proof", async () => {
      const { registry } = await fresh();
      const g = genesisCall(runs.A.genesis);
      const id = familyId(FAMILY_K4);
      const call = (specCommitment: bigint, facts: typeof g.facts, proof = g.proof) =>
        registry.write.registerRun([id, specCommitment, HONEST, facts, proof]);
      const changed: Array<[string, () => Promise<unknown>]> = [
        ["specCommitment", () => call(g.specCommitment + 1n, g.facts)],
        ["runTag", () => call(g.specCommitment, { ...g.facts, runTag: g.facts.runTag + 1n })],
        ["root0", () => call(g.specCommitment, { ...g.facts, root0: g.facts.root0 + 1n })],
        ["paramCount", () => call(g.specCommitment, { ...g.facts, paramCount: 16n })],
        ["flopsPerStep", () => call(g.specCommitment, { ...g.facts, flopsPerStep: STEP_FLOPS - 1n })],
        ["plan", () => call(g.specCommitment, { ...g.facts, plannedSteps: 12n })],
        ["proof", () => call(g.specCommitment, g.facts, g.proof.map((w, i) => (i === 7 ? w + 1n : w)) as never)],
      ];
      // lab is the caller: covered by "another lab's genesis proof" above.
      assert.deepEqual(
        new Set([...changed.map(([n]) => n).filter((n) => n !== "proof"), "lab"]),
        new Set(GENESIS_PUBLIC_SIGNALS),
      );
      for (const [name, c] of changed) {
        const spec = name === "specCommitment" ? g.specCommitment + 1n : g.specCommitment;
        await rejectsUnchanged(registry, c, "InvalidGenesisProof", [spec, LAB0]);
      }
    });
  });

  describe("submitCheckpoint", () => {
    it("should accept a run's checkpoints in order, writing state and emitting each", async () => {
      const { registry } = await fresh();
      const runId = await registered(registry, runs.A);
      let cumulative = 0n;
      for (const [i, bundle] of runs.A.checkpoints.entries()) {
        const c = checkpointCall(bundle);
        const ev = await events(registry, await submit(registry, runId, bundle, LAB0));
        const t = await blockTime();
        cumulative += 4n * STEP_FLOPS;
        assert.deepEqual(
          ev.map((e) => e.eventName),
          ["CheckpointAccepted"],
        );
        assert.deepEqual(ev[0]!.args, acceptedArgs(runId, i, c.claim, cumulative));
        assert.equal(c.flops, 4n * STEP_FLOPS, "the proof's own FLOPs equal K x the genesis figure");
        const run = await registry.read.getRun([runId]);
        assert.equal(run.steps, BigInt(4 * i + 4));
        assert.equal(run.root, c.claim.rootAfter);
        assert.equal(run.cumulativeFlops, cumulative);
        assert.equal(run.lastCheckpointAt, t);
        assert.deepEqual(run.violations, [0, 0, 0, 0, 0, 0]);
        assert.deepEqual(await registry.read.lastCheckpoint([runId]), [
          BigInt(4 * i),
          BigInt(4 * i + 4),
          c.claim.rootAfter,
          t,
        ]);
      }
    });
    it("should accept step proofs in a K = 1 family", async () => {
      const { registry } = await fresh();
      const runId = await registered(registry, runs.C, 4);
      const run = await registry.read.getRun([runId]);
      assert.equal(run.familyId, familyId(FAMILY_K1));
      assert.equal(run.steps, 4n);
      assert.equal(run.cumulativeFlops, 4n * STEP_FLOPS);
      assert.equal(run.root, checkpointCall(runs.C.checkpoints[3]!).claim.rootAfter);
    });
    it("should reject a checkpoint out of order, replayed, or from another root", async () => {
      const { registry } = await fresh();
      const runId = await registered(registry, runs.A, 1);
      await rejectsUnchanged(
        registry,
        () => submit(registry, runId, runs.A.checkpoints[2]!, LAB0),
        "CheckpointOutOfOrder",
        [runId, 4n, 8n],
      );
      await rejectsUnchanged(
        registry,
        () => submit(registry, runId, runs.A.checkpoints[0]!, LAB0),
        "CheckpointOutOfOrder",
        [runId, 4n, 0n],
      );
      const c = checkpointCall(runs.A.checkpoints[1]!);
      const root = (await registry.read.getRun([runId])).root;
      await rejectsUnchanged(
        registry,
        () => registry.write.submitCheckpoint([runId, { ...c.claim, rootBefore: c.claim.rootBefore + 1n }, c.proof]),
        "CheckpointRootMismatch",
        [runId, root, c.claim.rootBefore + 1n],
      );
    });
    it("should reject a valid checkpoint replayed into another run, even one with the same roots", async () => {
      const { registry } = await fresh();
      await registered(registry, runs.A);
      const runB = await registered(registry, runs.B);
      // Same init seed and data order: B's chain starts where A's does; only the run tag differs.
      assert.equal(checkpointCall(runs.A.checkpoints[0]!).claim.rootBefore, (await registry.read.getRun([runB])).root);
      await rejectsUnchanged(
        registry,
        () => submit(registry, runB, runs.A.checkpoints[0]!, LAB1),
        "InvalidCheckpointProof",
        [runB, 0n],
      );
      // B's own checkpoint goes through.
      await mined(await submit(registry, runB, runs.B.checkpoints[0]!, LAB1));
    });
    it("should reject a checkpoint from any address but the run's lab", async () => {
      const { registry } = await fresh();
      const runId = await registered(registry, runs.A);
      for (const who of [LAB1, OUTSIDER]) {
        await rejectsUnchanged(registry, () => submit(registry, runId, runs.A.checkpoints[0]!, who), "NotRunLab", [
          runId,
          who,
        ]);
      }
    });
    it("should reject the checkpoint with any public input changed, and with a tampered proof", async () => {
      const { d, registry, table } = await fresh();
      const runId = await registered(registry, runs.A, 1);
      const bundle = runs.A.checkpoints[1]!;
      const c = checkpointCall(bundle);
      const tweak = (v: bigint) => (v + 1n) % FIELD_P;
      // Through the registry: the inputs a submitter controls (runTag and the FLOPs come from storage).
      const cases: Array<[string, Partial<typeof c.claim>]> = [
        ["rootAfter", { rootAfter: tweak(c.claim.rootAfter) }],
        ["accumulator", { accumulator: tweak(c.claim.accumulator) }],
      ];
      for (const [, change] of cases) {
        await rejectsUnchanged(
          registry,
          () => registry.write.submitCheckpoint([runId, { ...c.claim, ...change }, c.proof]),
          "InvalidCheckpointProof",
          [runId, 4n],
        );
      }
      const tampered = c.proof.map((w, i) => (i === 0 ? w + 1n : w)) as unknown as typeof c.proof;
      await rejectsUnchanged(
        registry,
        () => registry.write.submitCheckpoint([runId, c.claim, tampered]),
        "InvalidCheckpointProof",
        [runId, 4n],
      );
      // Every public input, through the registry's layout builder and the family's verifier.
      const adapter = await conn.viem.getContractAt(
        "CheckpointLinearI4o3b2n150k4VerifierAdapter",
        d.circuits.checkpoint_linear_i4o3b2n150k4!.adapter.address,
      );
      const inputs = [...(await table.read.checkpointPublicInputs([c.runTag, c.flops, c.beacon, c.claim]))];
      assert.equal(await adapter.read.verify([c.proof, inputs]), true);
      const variants = [
        await table.read.checkpointPublicInputs([tweak(c.runTag), c.flops, c.beacon, c.claim]),
        await table.read.checkpointPublicInputs([c.runTag, c.flops + 1n, c.beacon, c.claim]),
        await table.read.checkpointPublicInputs([c.runTag, c.flops, c.beacon, { ...c.claim, firstStep: 5n }]),
        await table.read.checkpointPublicInputs([c.runTag, c.flops, c.beacon + 1n, c.claim]),
        await table.read.checkpointPublicInputs([
          c.runTag,
          c.flops,
          c.beacon,
          { ...c.claim, rootBefore: tweak(c.claim.rootBefore) },
        ]),
        await table.read.checkpointPublicInputs([
          c.runTag,
          c.flops,
          c.beacon,
          { ...c.claim, rootAfter: tweak(c.claim.rootAfter) },
        ]),
        await table.read.checkpointPublicInputs([
          c.runTag,
          c.flops,
          c.beacon,
          { ...c.claim, accumulator: tweak(c.claim.accumulator) },
        ]),
      ];
      for (const [i, v] of variants.entries()) {
        assert.notDeepEqual(v, inputs);
        assert.equal(await adapter.read.verify([c.proof, [...v]]), false, `variant ${i} verified`);
      }
      // Each of the five signals is changed by at least one variant.
      for (let j = 0; j < CHECKPOINT_PUBLIC_SIGNALS.length; j++) assert.ok(variants.some((v) => v[j] !== inputs[j]));
    });
    it("should reject unknown and closed runs", async () => {
      const { registry } = await fresh();
      await rejectsUnchanged(registry, () => submit(registry, 9n, runs.A.checkpoints[0]!, LAB0), "UnknownRun", [9n]);
      const runId = await registered(registry, runs.A);
      await mined(await registry.write.closeRun([runId]));
      await rejectsUnchanged(registry, () => submit(registry, runId, runs.A.checkpoints[0]!, LAB0), "RunNotActive", [
        runId,
        Status.Closed,
      ]);
    });
    it("should flag cumulative FLOPs above the cap and steps above the limit at every checkpoint, and keep recording", async () => {
      const { registry } = await fresh();
      // Plan: 16 steps x 123 = 1968 FLOPs. Attested: cap 1000 FLOPs, at most 6 steps.
      const runId = await registered(registry, runs.A, 0, { flopsCap: 1000n, maxSteps: 6n, checkpointDeadline: 3600n });
      const flagsOf = async (i: number) =>
        (await events(registry, await submit(registry, runId, runs.A.checkpoints[i]!, LAB0)))
          .filter((e) => e.eventName === "ViolationFlagged")
          .map((e) => e.args as { kind: number; observed: bigint; limit: bigint });
      assert.deepEqual(await flagsOf(0), []); // 4 steps, 492 FLOPs
      const second = await flagsOf(1); // 8 steps, 984 FLOPs
      assert.deepEqual(
        second.map((f) => [f.kind, f.observed, f.limit]),
        [[Kind.StepLimitExceeded, 8n, 6n]],
      );
      const third = await flagsOf(2); // 12 steps, 1476 FLOPs
      assert.deepEqual(
        third.map((f) => [f.kind, f.observed, f.limit]),
        [
          [Kind.ComputeCapExceeded, 1476n, 1000n],
          [Kind.StepLimitExceeded, 12n, 6n],
        ],
      );
      const run = await registry.read.getRun([runId]);
      assert.deepEqual(run.violations, [1, 1, 1, 2, 0, 0]);
      assert.equal(run.steps, 12n, "a run that breached keeps being recorded");
      assert.equal(run.cumulativeFlops, 1476n);
      const byKind = await registry.getEvents.ViolationFlagged(
        { runId, kind: Kind.StepLimitExceeded },
        { fromBlock: 0n },
      );
      assert.equal(byKind.length, 2, "watchers can filter on the run and the kind");
    });
    it("should designate a run once, when its proven compute first crosses the threshold", async () => {
      const { registry } = await conn.networkHelpers.loadFixture(deployWithThreshold);
      const runId = await registered(registry, runs.A);
      const designations: unknown[] = [];
      const times: bigint[] = [];
      for (const cp of runs.A.checkpoints) {
        const ev = await events(registry, await submit(registry, runId, cp, LAB0));
        times.push(await blockTime());
        for (const e of ev) if (e.eventName === "RunDesignated") designations.push(e.args);
      }
      assert.equal((await registry.read.getRun([runId])).designatedAt, times[2]);
      assert.deepEqual(designations, [{ runId, lab: LAB0, cumulativeFlops: 1476n, threshold: 1000n, steps: 12n }]);
      assert.deepEqual((await registry.read.getRun([runId])).violations, [0, 0, 0, 0, 0, 0], "not a violation");
    });
  });

  describe("submitCheckpoints: a batch in one call (issue #26)", () => {
    const claimsOf = (bs: readonly FixtureRun["checkpoints"][number][]) => bs.map((b) => checkpointCall(b).claim);
    const proofsOf = (bs: readonly FixtureRun["checkpoints"][number][]) => bs.map((b) => checkpointCall(b).proof);
    function submitBatch(registry: Registry, runId: bigint, bs: readonly FixtureRun["checkpoints"][number][]) {
      return registry.write.submitCheckpoints([runId, claimsOf(bs), proofsOf(bs)], { account: LAB0 });
    }

    it("should accept a run's checkpoints in one batch, emitting each as one-by-one submissions do", async () => {
      const { registry } = await fresh();
      const runId = await registered(registry, runs.A);
      const ev = await events(registry, await submitBatch(registry, runId, runs.A.checkpoints));
      const t = await blockTime();
      const accepted = ev.filter((e) => e.eventName === "CheckpointAccepted");
      assert.equal(accepted.length, runs.A.checkpoints.length);
      let cumulative = 0n;
      for (const [i, bundle] of runs.A.checkpoints.entries()) {
        const c = checkpointCall(bundle);
        cumulative += 4n * STEP_FLOPS;
        assert.deepEqual(accepted[i]!.args, acceptedArgs(runId, i, c.claim, cumulative));
      }
      const run = await registry.read.getRun([runId]);
      assert.equal(run.steps, BigInt(4 * runs.A.checkpoints.length));
      assert.equal(run.root, checkpointCall(runs.A.checkpoints.at(-1)!).claim.rootAfter);
      assert.equal(run.cumulativeFlops, cumulative);
      assert.equal(run.lastCheckpointAt, t);
      assert.equal(run.status, Status.Completed, "the batch proved the plan");
      assert.deepEqual(run.violations, [0, 0, 0, 0, 0, 0]);
    });
    it("should leave the record one-by-one submissions leave, flags included", async () => {
      // Attested: cap 1000 FLOPs, at most 6 steps: the second and third checkpoints breach them.
      const breach = { flopsCap: 1000n, maxSteps: 6n, checkpointDeadline: 3600n };
      const outcome = async (registry: Registry, runId: bigint) => {
        const run = await registry.read.getRun([runId]);
        const flags = await registry.getEvents.ViolationFlagged({ runId }, { fromBlock: 0n });
        return {
          record: [run.steps, run.root, run.cumulativeFlops, run.status, run.violations],
          flags: flags.map((e) => [e.args.kind, e.args.steps, e.args.observed, e.args.limit, e.args.count]),
        };
      };
      const first = await fresh();
      const oneByOne = await outcome(first.registry, await registered(first.registry, runs.A, 3, breach));
      const { registry } = await fresh(); // the same deployment, back to before the run
      const runId = await registered(registry, runs.A, 0, breach);
      await mined(await submitBatch(registry, runId, runs.A.checkpoints.slice(0, 3)));
      const batched = await outcome(registry, runId);
      assert.ok(oneByOne.flags.length >= 3, "the attestations were breached");
      assert.deepEqual(batched, oneByOne);
    });
    it("should refuse a batch with one bad proof or claim anywhere in it, changing nothing", async () => {
      const { registry } = await fresh();
      const runId = await registered(registry, runs.A);
      const bs = runs.A.checkpoints;
      const tweak = (v: bigint) => (v + 1n) % FIELD_P;
      for (let bad = 0; bad < bs.length; bad++) {
        const proofs = proofsOf(bs).map((p, i) =>
          i === bad ? (p.map((w, j) => (j === 2 ? w + 1n : w)) as unknown as typeof p) : p,
        );
        await rejectsUnchanged(
          registry,
          () => registry.write.submitCheckpoints([runId, claimsOf(bs), proofs], { account: LAB0 }),
          "InvalidCheckpointBatchProof",
          [runId, 0n, BigInt(bs.length)],
        );
      }
      // The last claim's accumulator changed (no root links to it): only the proof can catch it.
      const claims = claimsOf(bs).map((c, i) =>
        i === bs.length - 1 ? { ...c, accumulator: tweak(c.accumulator) } : c,
      );
      await rejectsUnchanged(
        registry,
        () => registry.write.submitCheckpoints([runId, claims, proofsOf(bs)], { account: LAB0 }),
        "InvalidCheckpointBatchProof",
        [runId, 0n, BigInt(bs.length)],
      );
      // Proofs reordered against their claims.
      const swapped = proofsOf(bs);
      [swapped[1], swapped[2]] = [swapped[2]!, swapped[1]!];
      await rejectsUnchanged(
        registry,
        () => registry.write.submitCheckpoints([runId, claimsOf(bs), swapped], { account: LAB0 }),
        "InvalidCheckpointBatchProof",
        [runId, 0n, BigInt(bs.length)],
      );
    });
    it("should refuse claims out of order, with a gap, repeated or off the run's root, changing nothing", async () => {
      const { registry } = await fresh();
      const runId = await registered(registry, runs.A, 1);
      const [, c1, c2, c3] = runs.A.checkpoints;
      const cases: Array<[string, FixtureRun["checkpoints"][number][], string, unknown[]]> = [
        ["reordered", [c2!, c1!], "CheckpointOutOfOrder", [runId, 4n, 8n]],
        ["a gap", [c1!, c3!], "CheckpointOutOfOrder", [runId, 8n, 12n]],
        ["repeated", [c1!, c1!], "CheckpointOutOfOrder", [runId, 8n, 4n]],
        ["already on chain", [runs.A.checkpoints[0]!, c1!], "CheckpointOutOfOrder", [runId, 4n, 0n]],
      ];
      for (const [, bs, error, args] of cases)
        await rejectsUnchanged(registry, () => submitBatch(registry, runId, bs), error, args);
      const claims = claimsOf([c1!, c2!]);
      claims[1] = { ...claims[1]!, rootBefore: claims[1]!.rootBefore + 1n };
      await rejectsUnchanged(
        registry,
        () => registry.write.submitCheckpoints([runId, claims, proofsOf([c1!, c2!])], { account: LAB0 }),
        "CheckpointRootMismatch",
        [runId, claimsOf([c1!])[0]!.rootAfter, claims[1].rootBefore],
      );
    });
    it("should refuse another run's batch, another account, and batches of no, mismatched or too many proofs", async () => {
      const { registry } = await fresh();
      const runA = await registered(registry, runs.A);
      const runB = await registered(registry, runs.B);
      // Run A's valid batch replayed into run B, which starts from the same root (same initial weights):
      // its proofs state run A's tag, so they do not verify for run B.
      assert.equal((await registry.read.getRun([runB])).root, checkpointCall(runs.A.checkpoints[0]!).claim.rootBefore);
      await rejectsUnchanged(
        registry,
        () =>
          registry.write.submitCheckpoints([runB, claimsOf(runs.A.checkpoints), proofsOf(runs.A.checkpoints)], {
            account: runs.B.lab,
          }),
        "InvalidCheckpointBatchProof",
        [runB, 0n, BigInt(runs.A.checkpoints.length)],
      );
      for (const who of [LAB1, OUTSIDER])
        await rejectsUnchanged(
          registry,
          () =>
            registry.write.submitCheckpoints([runA, claimsOf(runs.A.checkpoints), proofsOf(runs.A.checkpoints)], {
              account: who,
            }),
          "NotRunLab",
          [runA, who],
        );
      const c = claimsOf(runs.A.checkpoints);
      const p = proofsOf(runs.A.checkpoints);
      const max = Number(await registry.read.MAX_CHECKPOINT_BATCH());
      assert.equal(max, MAX_CHECKPOINT_BATCH, "the client's bound is the registry's");
      const many = Array.from({ length: max + 1 }, (_, i) => i % c.length);
      for (const [claims, proofs] of [
        [[], []],
        [c, p.slice(1)],
        [many.map((i) => c[i]!), many.map((i) => p[i]!)],
      ] as const)
        await rejectsUnchanged(
          registry,
          () => registry.write.submitCheckpoints([runA, [...claims], [...proofs]], { account: LAB0 }),
          "InvalidCheckpointBatch",
          [BigInt(claims.length), BigInt(proofs.length)],
        );
      // A closed run takes no batch.
      await mined(await registry.write.closeRun([runA], { account: LAB0 }));
      await rejectsUnchanged(
        registry,
        () => registry.write.submitCheckpoints([runA, c, p], { account: LAB0 }),
        "RunNotActive",
        [runA, Status.Closed],
      );
    });
  });

  describe("flagMissedDeadline", () => {
    it("should let anyone flag each missed window once, after its deadline, recording the caller", async () => {
      const { registry } = await fresh();
      const runId = await registered(registry, runs.A, 0, { ...HONEST, checkpointDeadline: 100n });
      const start = (await registry.read.getRun([runId])).lastCheckpointAt;
      await rejectsUnchanged(
        registry,
        () => registry.write.flagMissedDeadline([runId]),
        "DeadlineNotMissed",
        (a) => {
          assert.deepEqual(a.slice(0, 2), [runId, start + 100n]);
        },
      );
      // At the deadline itself the window is not yet missed.
      await conn.networkHelpers.time.setNextBlockTimestamp(start + 100n);
      await expectCustomError(registry.write.flagMissedDeadline([runId], { gas: 200_000n }), "DeadlineNotMissed", [
        runId,
        start + 100n,
        start + 100n,
      ]);
      await conn.networkHelpers.time.setNextBlockTimestamp(start + 101n);
      const ev = await events(registry, await registry.write.flagMissedDeadline([runId], { account: OUTSIDER }));
      assert.deepEqual(
        ev.map((e) => e.args),
        [
          {
            runId,
            kind: Kind.CheckpointDeadlineMissed,
            lab: LAB0,
            steps: 0n,
            observed: 101n,
            limit: 100n,
            count: 1n,
            reporter: OUTSIDER,
          },
        ],
      );
      assert.equal(await registry.read.deadlineReporter([runId, 0n, 1n]), OUTSIDER);
      let run = await registry.read.getRun([runId]);
      assert.equal(run.flaggedWindows, 1n);
      assert.deepEqual(run.violations, [0, 0, 0, 0, 1, 0]);
      // The same window cannot be flagged twice; each later one once its deadline passes.
      await expectCustomError(registry.write.flagMissedDeadline([runId]), "DeadlineNotMissed", (a) => {
        assert.deepEqual(a.slice(0, 2), [runId, start + 200n]);
      });
      await conn.networkHelpers.time.increaseTo(start + 350n);
      await mined(await registry.write.flagMissedDeadline([runId], { account: LAB1 }));
      await mined(await registry.write.flagMissedDeadline([runId], { account: LAB1 }));
      await expectCustomError(registry.write.flagMissedDeadline([runId]), "DeadlineNotMissed", (a) => {
        assert.deepEqual(a.slice(0, 2), [runId, start + 400n]);
      });
      assert.equal(await registry.read.deadlineReporter([runId, 0n, 3n]), LAB1);
      run = await registry.read.getRun([runId]);
      assert.deepEqual(run.violations, [0, 0, 0, 0, 3, 0]);
      // A checkpoint starts the windows again from its time.
      await mined(await submit(registry, runId, runs.A.checkpoints[0]!, LAB0));
      const at = (await registry.read.getRun([runId])).lastCheckpointAt;
      assert.deepEqual((await registry.read.getRun([runId])).violations, [0, 0, 0, 0, 3, 0], "nothing flagged twice");
      await expectCustomError(registry.write.flagMissedDeadline([runId]), "DeadlineNotMissed", (a) => {
        assert.deepEqual(a.slice(0, 2), [runId, at + 100n]);
      });
    });
    it("should not flag unknown, closed or completed runs", async () => {
      const { registry } = await fresh();
      await rejectsUnchanged(registry, () => registry.write.flagMissedDeadline([5n]), "UnknownRun", [5n]);
      const done = await registered(registry, runs.A, 4, { ...HONEST, checkpointDeadline: 10n });
      await conn.networkHelpers.time.increase(1000);
      await rejectsUnchanged(registry, () => registry.write.flagMissedDeadline([done]), "RunNotActive", [
        done,
        Status.Completed,
      ]);
      const closed = await registered(registry, runs.B, 0, { ...HONEST, checkpointDeadline: 10n });
      await conn.networkHelpers.time.increase(1000);
      await mined(await registry.write.closeRun([closed], { account: LAB1 }));
      await rejectsUnchanged(registry, () => registry.write.flagMissedDeadline([closed]), "RunNotActive", [
        closed,
        Status.Closed,
      ]);
    });
  });

  describe("deadlines that cannot be erased (issue #17)", () => {
    const deadlineFlags = (ev: Awaited<ReturnType<typeof events>>) =>
      ev.filter((e) => e.eventName === "ViolationFlagged").map((e) => e.args as Record<string, unknown>);
    it("should flag every window a late checkpoint missed, in its own transaction", async () => {
      const { registry } = await fresh();
      const runId = await registered(registry, runs.A, 0, { ...HONEST, checkpointDeadline: 100n });
      await conn.networkHelpers.time.increase(250);
      const ev = await events(registry, await submit(registry, runId, runs.A.checkpoints[0]!, LAB0));
      const flags = deadlineFlags(ev);
      assert.equal(flags.length, 1);
      const flag = flags[0]!;
      assert.equal(flag.kind, Kind.CheckpointDeadlineMissed);
      assert.equal(flag.count, 2n);
      assert.equal(flag.limit, 200n);
      assert.equal(flag.reporter, LAB0);
      assert.deepEqual((await registry.read.getRun([runId])).violations, [0, 0, 0, 0, 2, 0]);
      assert.equal((await registry.read.deadlineState([runId])).missedWindows, 0n, "the next period starts clean");
    });
    it("should flag the missed windows nobody flagged when the lab closes its run", async () => {
      const { registry } = await fresh();
      const runId = await registered(registry, runs.A, 0, { ...HONEST, checkpointDeadline: 100n });
      await conn.networkHelpers.time.increase(350);
      await mined(await registry.write.flagMissedDeadline([runId], { account: OUTSIDER }));
      const ev = await events(registry, await registry.write.closeRun([runId]));
      assert.deepEqual(
        ev.map((e) => e.eventName),
        ["ViolationFlagged", "RunClosed"],
      );
      assert.equal(deadlineFlags(ev)[0]?.count, 2n);
      assert.deepEqual((await registry.read.getRun([runId])).violations, [0, 0, 0, 0, 3, 0]);
    });
    it("should complete a run that proved its plan: no more checkpoints, deadlines or close", async () => {
      const { registry } = await fresh();
      const runId = await registered(registry, runs.A, 4, { ...HONEST, checkpointDeadline: 10n });
      assert.equal((await registry.read.getRun([runId])).status, Status.Completed);
      await conn.networkHelpers.time.increase(10 * 86_400);
      await rejectsUnchanged(registry, () => submit(registry, runId, runs.A.checkpoints[3]!, LAB0), "RunNotActive", [
        runId,
        Status.Completed,
      ]);
      await rejectsUnchanged(registry, () => registry.write.closeRun([runId]), "RunNotActive", [
        runId,
        Status.Completed,
      ]);
      assert.deepEqual(await registry.read.deadlineState([runId]), {
        elapsed: 0n,
        missedWindows: 0n,
        flaggedWindows: 0n,
        nextDeadline: 0n,
      });
    });
    it("should not count paused time against a lab, across a pause that starts mid-window", async () => {
      const { registry } = await fresh();
      const runId = await registered(registry, runs.A, 0, { ...HONEST, checkpointDeadline: 100n });
      const start = (await registry.read.getRun([runId])).lastCheckpointAt;
      await conn.networkHelpers.time.setNextBlockTimestamp(start + 60n);
      await mined(await registry.write.pause());
      await conn.networkHelpers.time.setNextBlockTimestamp(start + 560n);
      await mined(await registry.write.unpause());
      assert.equal(await registry.read.pausedSeconds(), 500n);
      // 60 + 35 unpaused seconds: on time, no flag.
      await conn.networkHelpers.time.setNextBlockTimestamp(start + 595n);
      const ev = await events(registry, await submit(registry, runId, runs.A.checkpoints[0]!, LAB0));
      assert.deepEqual(deadlineFlags(ev), []);
      // The next window is extended by nothing paused since: due 100 s after this checkpoint.
      const state = await registry.read.deadlineState([runId]);
      assert.equal(state.nextDeadline, start + 695n);
    });
    it("should reject on-chain a checkpoint proved with another beacon than the run's", async () => {
      const { registry } = await fresh();
      // Register A with C's beacon: A's checkpoints drew other batches.
      const g = genesisCall(runs.A.genesis);
      await mined(await registry.write.registerRun([familyId(FAMILY_K4), g.specCommitment, HONEST, g.facts, g.proof]));
      await useFixtureBeacon(conn.networkHelpers, await conn.viem.getPublicClient(), registry, 1n, runs.C);
      assert.equal((await registry.read.getRun([1n])).beacon, BigInt(runs.C.beacon));
      await rejectsUnchanged(
        registry,
        () => submit(registry, 1n, runs.A.checkpoints[0]!, LAB0),
        "InvalidCheckpointProof",
        [1n, 0n],
      );
    });
  });

  describe("the data-order beacon (issue #24)", () => {
    /** The beacon the registry must draw from block n: the low 64 bits of its hash (1 if they are 0). */
    async function beaconOfBlock(n: bigint): Promise<bigint> {
      const { hash } = await (await conn.viem.getPublicClient()).getBlock({ blockNumber: n });
      const low = BigInt(hash) & ((1n << 64n) - 1n);
      return low === 0n ? 1n : low;
    }
    it("should draw it from the hash of the block two after registration, once, by anyone", async () => {
      const { registry } = await fresh();
      await mined(await register(registry, runs.A));
      const registeredIn = await blockNumber();
      const { beaconBlock, beacon } = await registry.read.getRun([1n]);
      assert.equal(beaconBlock, registeredIn + 2n);
      assert.equal(beacon, 0n);
      // Block registration + 1: the beacon's block does not exist yet.
      await expectCustomError(registry.write.drawBeacon([1n], { account: OUTSIDER }), "BeaconTooEarly", (a) => {
        assert.equal(a[1], beaconBlock);
      });
      await conn.networkHelpers.mine(2);
      const ev = await events(registry, await registry.write.drawBeacon([1n], { account: OUTSIDER }));
      const expected = await beaconOfBlock(beaconBlock);
      assert.deepEqual(
        ev.map((e) => [e.eventName, e.args]),
        [["BeaconDrawn", { runId: 1n, beaconBlock, beacon: expected, by: OUTSIDER }]],
      );
      assert.equal((await registry.read.getRun([1n])).beacon, expected);
      await expectCustomError(registry.write.drawBeacon([1n]), "BeaconAlreadyDrawn", [1n, expected]);
      await expectCustomError(registry.write.drawBeacon([9n]), "UnknownRun", [9n]);
    });
    it("should refuse every checkpoint before the draw, and for good once the hash is past the horizon", async () => {
      const { registry } = await fresh();
      await mined(await register(registry, runs.A));
      const { beaconBlock } = await registry.read.getRun([1n]);
      await rejectsUnchanged(registry, () => submit(registry, 1n, runs.A.checkpoints[0]!, LAB0), "BeaconNotDrawn", [
        1n,
        beaconBlock,
      ]);
      // Nobody drew it within 256 blocks of its block: no later hash replaces it (the lab would choose).
      await conn.networkHelpers.mine(260);
      await expectCustomError(registry.write.drawBeacon([1n]), "BeaconExpired", (a) => {
        assert.equal(a[1], beaconBlock);
      });
      await rejectsUnchanged(registry, () => submit(registry, 1n, runs.A.checkpoints[0]!, LAB0), "BeaconNotDrawn", [
        1n,
        beaconBlock,
      ]);
      assert.equal((await registry.read.getRun([1n])).beacon, 0n);
    });
    it("should draw it while the registry is paused (a pause must not cost a run its beacon)", async () => {
      const { registry } = await fresh();
      await mined(await register(registry, runs.A));
      const { beaconBlock } = await registry.read.getRun([1n]);
      await mined(await registry.write.pause());
      await conn.networkHelpers.mine(3);
      await mined(await registry.write.drawBeacon([1n], { account: OUTSIDER }));
      assert.equal((await registry.read.getRun([1n])).beacon, await beaconOfBlock(beaconBlock));
    });
  });

  describe("governance (issue #17)", () => {
    it("should apply every deploy option with separate admin, policy and pauser accounts", async () => {
      const d = await deployRegistry(conn.viem, {
        admin: LAB1,
        policy: OUTSIDER,
        pauser: LAB1,
        designationThreshold: 1234n,
        policyDelay: 600n,
        adminDelay: 900n,
      });
      const registry = await registryContract(conn.viem, d.registry.address);
      const POLICY = await registry.read.POLICY_ROLE();
      assert.equal(
        await registry.read.designationThreshold(),
        1234n,
        "the threshold is applied, whoever the policy is",
      );
      assert.equal(await registry.read.hasRole([POLICY, d.timelock.address]), true);
      assert.equal(await registry.read.hasRole([POLICY, d.deployer]), false);
      assert.equal(await registry.read.hasRole([POLICY, OUTSIDER]), false, "the policy account proposes, never acts");
      assert.equal(await registry.read.defaultAdmin(), LAB1);
      assert.equal(await registry.read.hasRole([await registry.read.PAUSER_ROLE(), LAB1]), true);
      assert.equal(await registry.read.hasRole([await registry.read.PAUSER_ROLE(), d.deployer]), false);
    });
    it("should run a policy action only after the timelock's delay, and only as proposed", async () => {
      const d = await deployRegistry(conn.viem, { policy: OUTSIDER, policyDelay: 600n });
      const registry = await registryContract(conn.viem, d.registry.address);
      // Nobody calls the registry's policy functions directly, the proposer included.
      await expectCustomError(
        registry.write.setDesignationThreshold([1n], { account: OUTSIDER }),
        "AccessControlUnauthorizedAccount",
        [OUTSIDER, await registry.read.POLICY_ROLE()],
      );
      const call = policyCall(d.timelock.address, registry, "setDesignationThreshold", [777n]);
      await assert.rejects(schedulePolicyCall(conn.viem, call, 600n, LAB1), /AccessControlUnauthorizedAccount/);
      await assert.rejects(schedulePolicyCall(conn.viem, call, 599n, OUTSIDER), /TimelockInsufficientDelay/);
      await mined(await schedulePolicyCall(conn.viem, call, 600n, OUTSIDER));
      await assert.rejects(executePolicyCall(conn.viem, call, LAB1), /TimelockUnexpectedOperationState/);
      assert.equal(await registry.read.designationThreshold(), 0n, "not before the delay");
      await conn.networkHelpers.time.increase(600);
      const ev = await events(registry, await executePolicyCall(conn.viem, call, LAB1));
      assert.deepEqual(ev.find((e) => e.eventName === "DesignationThresholdSet")?.args, {
        previous: 0n,
        threshold: 777n,
      });
    });
    it("should move the admin role only in two steps, after its delay", async () => {
      const d = await deployRegistry(conn.viem, { adminDelay: 900n });
      const registry = await registryContract(conn.viem, d.registry.address);
      await expectCustomError(
        registry.write.grantRole([await registry.read.DEFAULT_ADMIN_ROLE(), LAB1]),
        "AccessControlEnforcedDefaultAdminRules",
      );
      await mined(await registry.write.beginDefaultAdminTransfer([LAB1]));
      await expectCustomError(
        registry.write.acceptDefaultAdminTransfer({ account: OUTSIDER }),
        "AccessControlInvalidDefaultAdmin",
        [OUTSIDER],
      );
      await expectCustomError(
        registry.write.acceptDefaultAdminTransfer({ account: LAB1 }),
        "AccessControlEnforcedDefaultAdminDelay",
      );
      await conn.networkHelpers.time.increase(901);
      await mined(await registry.write.acceptDefaultAdminTransfer({ account: LAB1 }));
      assert.equal(await registry.read.defaultAdmin(), LAB1);
      // Past 2^48 seconds (year ~8.9 million) the two-step schedule no longer fits OpenZeppelin's uint48
      // timestamps: SafeCast refuses the transfer. On a chain of its own, so other tests keep their clock.
      const far = await network.create();
      const r = await far.viem.deployContract("TrainingRegistry", [0, LAB0, LAB0, LAB0, LAB0, LAB0]);
      await far.networkHelpers.time.increaseTo(2n ** 48n);
      await expectCustomError(r.write.beginDefaultAdminTransfer([LAB1]), "SafeCastOverflowedUintDowncast");
    });
  });

  describe("projection and reassessment (issue #15)", () => {
    const PLANNED = 16n * STEP_FLOPS; // 1,968
    const named = (ev: Awaited<ReturnType<typeof events>>, name: string) =>
      ev.filter((e) => e.eventName === name).map((e) => e.args);
    it("should project at registration a run whose plan is above the threshold in force", async () => {
      const { registry } = await deployed(1000n);
      const ev = await events(registry, await register(registry, runs.A));
      assert.deepEqual(named(ev, "RunProjectedToCrossThreshold"), [
        { runId: 1n, lab: LAB0, plannedFlops: PLANNED, threshold: 1000n },
      ]);
      const run = await registry.read.getRun([1n]);
      assert.equal(run.projectedToCross, true);
      assert.equal(run.designatedAt, 0n, "a projection is not a designation");
      assert.deepEqual(run.violations, [0, 0, 0, 0, 0, 0], "nor a violation");
    });
    it("should not project a plan at or below the threshold, nor with no threshold", async () => {
      for (const threshold of [PLANNED, 5000n, undefined]) {
        const { registry } = await deployed(threshold);
        const ev = await events(registry, await register(registry, runs.A));
        assert.deepEqual(named(ev, "RunProjectedToCrossThreshold"), [], `threshold ${threshold}`);
        assert.equal((await registry.read.getRun([1n])).projectedToCross, false);
      }
    });
    it("should apply a threshold change to existing runs at their next checkpoint, or at once by reassess", async () => {
      const d = await deployRegistry(conn.viem, { designationThreshold: 5000n, policyDelay: 60n });
      const registry = await registryContract(conn.viem, d.registry.address);
      const runId = await registered(registry, runs.A, 2); // 984 FLOPs proven of 1,968 planned
      const lower = async (threshold: bigint) => {
        const call = policyCall(d.timelock.address, registry, "setDesignationThreshold", [threshold]);
        await mined(await schedulePolicyCall(conn.viem, call, 60n));
        await conn.networkHelpers.time.increase(60);
        await mined(await executePolicyCall(conn.viem, call));
      };
      await lower(1000n);
      // Not re-evaluated by the change itself: the record is as it was until someone reassesses.
      assert.equal((await registry.read.getRun([runId])).projectedToCross, false);
      let ev = await events(registry, await registry.write.reassess([runId], { account: OUTSIDER }));
      assert.deepEqual(named(ev, "RunProjectedToCrossThreshold"), [
        { runId, lab: LAB0, plannedFlops: PLANNED, threshold: 1000n },
      ]);
      assert.deepEqual(named(ev, "RunDesignated"), [], "984 proven FLOPs are below 1,000");
      await lower(900n);
      ev = await events(registry, await registry.write.reassess([runId], { account: OUTSIDER }));
      const t = await blockTime();
      assert.deepEqual(named(ev, "RunDesignated"), [
        { runId, lab: LAB0, cumulativeFlops: 984n, threshold: 900n, steps: 8n },
      ]);
      assert.deepEqual(named(ev, "RunProjectedToCrossThreshold"), [], "projected once");
      assert.equal((await registry.read.getRun([runId])).designatedAt, t);
      await rejectsUnchanged(registry, () => registry.write.reassess([runId]), "NothingToReassess", [runId, 900n]);
      await rejectsUnchanged(registry, () => registry.write.reassess([7n]), "UnknownRun", [7n]);
      // The next checkpoint does not designate twice.
      const next = await events(registry, await submit(registry, runId, runs.A.checkpoints[2]!, LAB0));
      assert.deepEqual(named(next, "RunDesignated"), []);
    });
  });

  describe("closeRun", () => {
    it("should let only the lab close its run, with an event, keeping its record", async () => {
      const { registry } = await fresh();
      const runId = await registered(registry, runs.A, 2);
      await rejectsUnchanged(registry, () => registry.write.closeRun([runId], { account: LAB1 }), "NotRunLab", [
        runId,
        LAB1,
      ]);
      const ev = await events(registry, await registry.write.closeRun([runId]));
      assert.deepEqual(
        ev.map((e) => [e.eventName, e.args]),
        [["RunClosed", { runId, lab: LAB0, steps: 8n, cumulativeFlops: 8n * STEP_FLOPS }]],
      );
      const run = await registry.read.getRun([runId]);
      assert.equal(run.status, Status.Closed);
      assert.equal(run.steps, 8n);
      await expectCustomError(registry.write.closeRun([runId]), "RunNotActive", [runId, Status.Closed]);
    });
  });

  describe("views", () => {
    it("should revert for unknown runs", async () => {
      const { registry } = await fresh();
      await expectCustomError(registry.read.getRun([1n]), "UnknownRun", [1n]);
      await expectCustomError(registry.read.lastCheckpoint([1n]), "UnknownRun", [1n]);
      assert.equal(await registry.read.runCount(), 0n);
      assert.equal(await registry.read.runOfSpec([LAB0, 123n]), 0n);
    });
    it("should build exactly the public signals the prover made (genesis and checkpoints)", async () => {
      const { registry, table } = await fresh();
      for (const run of Object.values(runs)) {
        const g = genesisCall(run.genesis);
        assert.deepEqual(
          [...(await table.read.genesisPublicInputs([familyId(run.family), g.specCommitment, g.lab, g.facts]))],
          run.genesis.publicSignals.map(BigInt),
        );
        for (const bundle of run.checkpoints) {
          const c = checkpointCall(bundle);
          assert.deepEqual(
            [...(await table.read.checkpointPublicInputs([c.runTag, c.flops, c.beacon, c.claim]))],
            bundle.publicSignals.map(BigInt),
          );
        }
      }
      assert.equal(await registry.read.GENESIS_SIGNALS(), BigInt(GENESIS_PUBLIC_SIGNALS.length));
      assert.equal(await registry.read.CHECKPOINT_SIGNALS(), BigInt(CHECKPOINT_PUBLIC_SIGNALS.length));
    });
  });

  describe("gas", () => {
    it("should stay within 285,000 gas per ordinary submission (300,000 for a lab's first of the day), 320,000 for the costliest after pauses, and 80,000 per additional checkpoint of a batch", async () => {
      const g = await measureGas(conn.viem, conn.networkHelpers, { keys: "", runs });
      // Issue #24's goal of 280,000 per ordinary submission, plus issue #29's compute ledger: every submission
      // adds its FLOPs to its lab's slot for the day (about 5.4k), and a lab's first submission of a UTC day
      // creates that slot (about 22.5k in all; run A's first checkpoint here).
      const [firstOfDay, ...sameDay] = [...g.submitK4, ...g.submitK1];
      for (const gas of sameDay) assert.ok(gas <= 285_000, `a submission used ${gas} gas`);
      assert.ok(firstOfDay! <= 300_000, `a lab's first submission of the day used ${firstOfDay} gas`);
      assert.ok(firstOfDay! - Math.max(...sameDay) >= 15_000, "the first submission of the day opens the ledger slot");
      // The costliest submission: late, raising the run's first flags (a missed window, the cap, the step
      // limit) and designating it, all in one transaction, after pauses of the registry (issue #24, N1: pauses
      // add nothing), and its lab's first of the day. Issue #24's goal for it was 295,000 (met at 294,732 before
      // the ledger); with the ledger's new slot it is about 317,000: this holds it, so a regression still fails.
      assert.ok(g.submitFirstFlags <= 320_000, `a late submission with first flags used ${g.submitFirstFlags} gas`);
      // A batch of four (issue #26): each checkpoint after the first costs its share of the batched
      // verification (about 56k) and its own bookkeeping (event, state, attestations), under 80k in all.
      for (const [batch, singles] of [
        [g.submitBatchK4, g.submitK4],
        [g.submitBatchK1, g.submitK1],
      ] as const) {
        const perAdditional = (batch - Math.max(...singles)) / (singles.length - 1);
        assert.ok(
          perAdditional <= 80_000,
          `a batch of ${singles.length} cost ${batch} gas: ${perAdditional} per additional`,
        );
      }
      // One Groth16 verification per checkpoint whatever K is: the two costs differ by calldata noise only
      // (the same day's submissions compared: run A's first opened the ledger's slot).
      // Run A's first checkpoint and run C's last designate their runs.
      assert.ok(Math.abs(Math.max(...g.submitK4.slice(1)) - Math.max(...g.submitK1.slice(0, -1))) < 1_000);
    });
  });

  describe("custom errors", () => {
    it("should each have been triggered by a test above", async () => {
      const { registry } = await fresh();
      // renounceRole for another account: AccessControl's own error.
      await expectCustomError(
        registry.write.renounceRole([await registry.read.POLICY_ROLE(), LAB1]),
        "AccessControlBadConfirmation",
      );
      const declared = registry.abi.filter((x) => x.type === "error").map((x) => x.name);
      // Sampled mode's errors are triggered, and checked, by test/contracts/sampled.test.ts; chunked steps'
      // by test/chunk/chunked-registry.test.ts.
      const elsewhere = [...SAMPLED_MODE_ERRORS, ...SOLIDITY_TESTED_ERRORS, ...CHUNKED_STEP_ERRORS];
      const missing = declared.filter((n) => !triggeredErrors.has(n) && !elsewhere.includes(n));
      assert.deepEqual(missing, [], `custom errors no test triggered: ${missing.join(", ")}`);
    });
  });
});
