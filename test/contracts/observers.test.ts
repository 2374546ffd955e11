/**
 * Observers, their EIP-712 reports and reconciliation with the registry's compute ledger (issue #29), on
 * Hardhat's in-process network with real proofs (harness/fixtures/registry.ts) and real signatures from test
 * keys. Every accepted call is checked on its events and stored state; every refused one on its custom error
 * and on the report it left as it was.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "mocha";
import { network } from "hardhat";
import { getAddress, hashTypedData, parseEventLogs, zeroAddress, type Address, type Hash } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { releaseSnarkjs, silentLogger } from "../../prover/proving/log.js";
import { checkpointCall, genesisCall, type Attestations } from "../../client/calls.js";
import { registryContract } from "../../client/contract.js";
import { deployRegistry, type ReconciliationPolicy } from "../../client/deploy.js";
import { familyId } from "../../prover/proving/families.js";
import {
  evidenceHashOf,
  observerPolicyAction,
  parseSignedReport,
  REPORT_DOMAIN,
  REPORT_TYPES,
  signReport,
  signedReportJson,
  type ComputeReport,
} from "../../client/observers.js";
import { LAB0, LAB1, registryFixtures, useFixtureBeacon, type FixtureRun } from "../../harness/fixtures/registry.js";
import { expectCustomError, triggeredErrors } from "../helpers/revert.js";

type Connection = Awaited<ReturnType<typeof network.create>>;

const DAY = 86_400n;
const STEP_FLOPS = 123n; // linear-mse 4 -> 3, batch 2
const CHECKPOINT_FLOPS = 4n * STEP_FLOPS; // run A and B: K = 4
const HONEST: Attestations = { flopsCap: 10n ** 9n, maxSteps: 1000n, checkpointDeadline: 10n ** 9n };
const POLICY: ReconciliationPolicy = {
  epochSeconds: DAY,
  graceSeconds: DAY,
  toleranceBps: 12_000,
  allowanceFlops: 100n,
};
/** Hardhat's third and fourth accounts: the policy account of the directly governed table, and a relayer. */
const GOVERNOR: Address = getAddress("0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc");
const RELAYER: Address = getAddress("0x90f79bf6eb2c4f870365e785982e1f101e93b906");
/** Observers' test keys (they hold no ether: anyone relays their reports). */
const CLOUD = privateKeyToAccount(`0x${"c1".repeat(32)}`);
const METER = privateKeyToAccount(`0x${"e7".repeat(32)}`);
const STRANGER = privateKeyToAccount(`0x${"5a".repeat(32)}`);
const State = { None: 0, Relayed: 1, Reconciled: 2, Flagged: 3 } as const;

describe("ComputeObservers (issue #29)", function () {
  this.timeout(900_000);
  let conn: Connection;
  let runs: Awaited<ReturnType<typeof registryFixtures>>["runs"];

  before(async () => {
    ({ runs } = await registryFixtures());
    conn = await network.create();
  });
  after(releaseSnarkjs);

  async function mined(hash: Hash) {
    const r = await (await conn.viem.getPublicClient()).waitForTransactionReceipt({ hash });
    assert.equal(r.status, "success");
    return r;
  }
  const now = async (): Promise<bigint> => BigInt(await conn.networkHelpers.time.latest());

  /**
   * The real deployment (timelock and all), plus a second observers' table on the same registry whose policy
   * role GOVERNOR holds directly, with the cloud and meter observers added: tests act on the direct one.
   */
  async function deployed() {
    const d = await deployRegistry(conn.viem);
    const registry = await registryContract(conn.viem, d.registry.address);
    const observers = await conn.viem.deployContract("ComputeObservers", [GOVERNOR, d.registry.address, POLICY]);
    await mined(
      await observers.write.addObserver([CLOUD.address, "Example Cloud eu-1", "cloud provider"], { account: GOVERNOR }),
    );
    await mined(
      await observers.write.addObserver([METER.address, "Grid meter 7", "power meter"], { account: GOVERNOR }),
    );
    // Start on a fresh day, with an hour of it gone, so that a test's submissions all fall in one day.
    await conn.networkHelpers.time.increaseTo(((await now()) / DAY + 1n) * DAY + 3600n);
    return { d, registry, observers };
  }
  const fresh = () => conn.networkHelpers.loadFixture(deployed);
  type Registry = Awaited<ReturnType<typeof deployed>>["registry"];
  type Observers = Awaited<ReturnType<typeof deployed>>["observers"];

  /** Registers `run` and submits its checkpoints [from, to); returns the run id. */
  async function registered(registry: Registry, run: FixtureRun, to: number): Promise<bigint> {
    const g = genesisCall(run.genesis);
    await mined(
      await registry.write.registerRun([familyId(run.family), g.specCommitment, HONEST, g.facts, g.proof], {
        account: run.lab,
      }),
    );
    const id = await registry.read.runCount();
    await useFixtureBeacon(conn.networkHelpers, await conn.viem.getPublicClient(), registry, id, run);
    await submitted(registry, id, run, 0, to);
    return id;
  }
  async function submitted(registry: Registry, id: bigint, run: FixtureRun, from: number, to: number) {
    for (const cp of run.checkpoints.slice(from, to)) {
      const c = checkpointCall(cp);
      await mined(await registry.write.submitCheckpoint([id, c.claim, c.proof], { account: run.lab }));
    }
  }

  async function report(
    observers: Observers,
    signer: typeof CLOUD,
    lab: Address,
    periodStart: bigint,
    observedFlops: bigint,
    over: Partial<ComputeReport> = {},
    chainId?: number,
  ) {
    const r: ComputeReport = {
      lab,
      periodStart,
      periodEnd: periodStart + DAY,
      observedFlops,
      evidenceHash: evidenceHashOf(`meter log ${lab} ${periodStart}`),
      ...over,
    };
    return signReport(
      signer,
      observers.address,
      chainId ?? (await (await conn.viem.getPublicClient()).getChainId()),
      r,
    );
  }
  const relay = (observers: Observers, s: Awaited<ReturnType<typeof report>>) =>
    observers.write.submitReport([s.report, s.signature], { account: RELAYER });
  async function events(observers: Observers, hash: Hash) {
    return parseEventLogs({ abi: observers.abi, logs: (await mined(hash)).logs });
  }

  /** Run A's lab has proven two checkpoints today; the day is over; returns today's period start. */
  async function provenToday() {
    const f = await fresh();
    const day = (await now()) / DAY;
    await registered(f.registry, runs.A, 2);
    await conn.networkHelpers.time.increaseTo((day + 1n) * DAY);
    return { ...f, start: day * DAY, day };
  }
  const afterGrace = (start: bigint) => conn.networkHelpers.time.increaseTo(start + DAY + DAY);

  describe("the compute ledger", () => {
    it("should add every accepted checkpoint's FLOPs to its lab's day, and nothing to another lab's or day", async () => {
      const { registry } = await fresh();
      const day = (await now()) / DAY;
      const id = await registered(registry, runs.A, 2);
      assert.equal(await registry.read.accountedCompute([LAB0, day, day + 1n]), 2n * CHECKPOINT_FLOPS);
      assert.equal(await registry.read.accountedCompute([LAB1, day, day + 1n]), 0n);
      await registered(registry, runs.B, 1);
      assert.equal(await registry.read.accountedCompute([LAB1, day, day + 1n]), CHECKPOINT_FLOPS);
      await conn.networkHelpers.time.increaseTo((day + 1n) * DAY + 5n);
      await submitted(registry, id, runs.A, 2, 3);
      assert.equal(await registry.read.accountedCompute([LAB0, day, day + 1n]), 2n * CHECKPOINT_FLOPS);
      assert.equal(await registry.read.accountedCompute([LAB0, day + 1n, day + 2n]), CHECKPOINT_FLOPS);
      assert.equal(await registry.read.accountedCompute([LAB0, day, day + 2n]), 3n * CHECKPOINT_FLOPS);
      // Equal to what the events say: the run's cumulative FLOPs.
      assert.equal((await registry.read.getRun([id])).cumulativeFlops, 3n * CHECKPOINT_FLOPS);
      // An empty range sums nothing.
      assert.equal(await registry.read.accountedCompute([LAB0, day + 1n, day]), 0n);
    });

    it("should count a batch like its checkpoints one by one", async () => {
      const { registry } = await fresh();
      const day = (await now()) / DAY;
      const id = await registered(registry, runs.A, 0);
      const calls = runs.A.checkpoints.slice(0, 3).map(checkpointCall);
      await mined(
        await registry.write.submitCheckpoints([id, calls.map((c) => c.claim), calls.map((c) => c.proof)], {
          account: LAB0,
        }),
      );
      assert.equal(await registry.read.accountedCompute([LAB0, day, day + 1n]), 3n * CHECKPOINT_FLOPS);
    });
  });

  describe("reports", () => {
    it("should take a report signed by an observer and relayed by anyone, once", async () => {
      const { observers, start } = await provenToday();
      const s = await report(observers, CLOUD, LAB0, start, 5_000n);
      const hash = await relay(observers, s);
      const ev = await events(observers, hash);
      assert.deepEqual(
        ev.map((e) => e.eventName),
        ["ComputeReported"],
      );
      assert.deepEqual(ev[0]!.args, {
        observer: CLOUD.address,
        lab: LAB0,
        periodStart: start,
        periodEnd: start + DAY,
        observedFlops: 5_000n,
        evidenceHash: s.report.evidenceHash,
        relayer: RELAYER,
      });
      const stored = await observers.read.getReport([CLOUD.address, LAB0, start]);
      assert.equal(stored.observedFlops, 5_000n);
      assert.equal(stored.state, State.Relayed);
      // The same report again, and another figure for the same observer, lab and period.
      await expectCustomError(relay(observers, s), "ReportAlreadyRelayed", [CLOUD.address, LAB0, start]);
      await expectCustomError(
        relay(observers, await report(observers, CLOUD, LAB0, start, 1n)),
        "ReportAlreadyRelayed",
        [CLOUD.address, LAB0, start],
      );
      assert.deepEqual(await observers.read.getReport([CLOUD.address, LAB0, start]), stored);
      // The digest the contract computes is the EIP-712 hash viem signed.
      assert.equal(
        await observers.read.reportDigest([s.report]),
        hashTypedData({
          domain: { ...REPORT_DOMAIN, chainId: s.chainId, verifyingContract: observers.address },
          types: REPORT_TYPES,
          primaryType: "ComputeReport",
          message: s.report,
        }),
      );
    });

    it("should round-trip a signed report through its JSON file form", async () => {
      const { observers, start } = await provenToday();
      const s = await report(observers, CLOUD, LAB0, start, 2n ** 100n);
      assert.deepEqual(parseSignedReport(signedReportJson(s), "r.json"), s);
      assert.throws(
        () => parseSignedReport(signedReportJson(s).replace(s.signature, "0x1234"), "r.json"),
        /signature must be 65 bytes/,
      );
      assert.throws(() => parseSignedReport("{", "r.json"), /r\.json is not JSON/);
    });

    it("should refuse forged, foreign and replayed signatures", async () => {
      const { d, observers, start } = await provenToday();
      // A key nobody added: the signature recovers to it.
      await expectCustomError(relay(observers, await report(observers, STRANGER, LAB0, start, 1n)), "UnknownObserver", [
        STRANGER.address,
      ]);
      // The cloud's report with its figure changed after signing: recovers to some other address.
      const s = await report(observers, CLOUD, LAB0, start, 10n);
      await expectCustomError(
        observers.write.submitReport([{ ...s.report, observedFlops: 11n }, s.signature], { account: RELAYER }),
        "UnknownObserver",
      );
      // Not a signature at all.
      await expectCustomError(
        observers.write.submitReport([s.report, `0x${"00".repeat(65)}`], { account: RELAYER }),
        "InvalidReportSignature",
      );
      await expectCustomError(
        observers.write.submitReport([s.report, "0x1234"], { account: RELAYER }),
        "InvalidReportSignature",
      );
      // Signed for another chain id.
      await expectCustomError(
        relay(observers, await report(observers, CLOUD, LAB0, start, 10n, {}, 1)),
        "UnknownObserver",
      );
      // Signed for another observers' table (the real deployment's, where the cloud is added too): replayed here.
      const other = await conn.viem.deployContract("ComputeObservers", [GOVERNOR, d.registry.address, POLICY]);
      await mined(
        await other.write.addObserver([CLOUD.address, "Example Cloud eu-1", "cloud provider"], { account: GOVERNOR }),
      );
      const foreign = await report(other, CLOUD, LAB0, start, 10n);
      await expectCustomError(relay(observers, foreign), "UnknownObserver");
      // ... and it is valid where it was signed for.
      await mined(await other.write.submitReport([foreign.report, foreign.signature], { account: RELAYER }));
      for (const o of [CLOUD.address, STRANGER.address])
        assert.equal((await observers.read.getReport([o, LAB0, start])).state, State.None);
    });

    it("should refuse a retired observer, an unaligned, open or future period, no lab and a figure above 128 bits", async () => {
      const { observers, start } = await provenToday();
      await expectCustomError(
        relay(observers, await report(observers, CLOUD, LAB0, start + 1n, 1n)),
        "UnalignedPeriod",
        [start + 1n, start + 1n + DAY, DAY],
      );
      for (const periodEnd of [start + 2n * DAY, start, start - DAY, 0n])
        await expectCustomError(
          relay(observers, await report(observers, CLOUD, LAB0, start, 1n, { periodEnd })),
          "UnalignedPeriod",
        );
      // A start so large that start + epoch overflows: refused by name, not by an arithmetic panic.
      const huge = 2n ** 64n - 1n - ((2n ** 64n - 1n) % DAY);
      await expectCustomError(
        relay(observers, await report(observers, CLOUD, LAB0, huge, 1n, { periodEnd: 2n ** 64n - 1n })),
        "UnalignedPeriod",
      );
      // Today's period is not over; tomorrow's is in the future.
      const t = await now();
      await expectCustomError(
        relay(observers, await report(observers, CLOUD, LAB0, start + DAY, 1n)),
        "PeriodNotClosed",
        (args) => {
          assert.equal(args[0], start + 2n * DAY);
        },
      );
      assert.ok(t < start + 2n * DAY);
      await expectCustomError(
        relay(observers, await report(observers, CLOUD, LAB0, start + 9n * DAY, 1n)),
        "PeriodNotClosed",
      );
      await expectCustomError(relay(observers, await report(observers, CLOUD, zeroAddress, start, 1n)), "ZeroLab");
      await expectCustomError(
        relay(observers, await report(observers, CLOUD, LAB0, start, 2n ** 128n)),
        "ObservedComputeTooLarge",
        [2n ** 128n],
      );
      await mined(await observers.write.retireObserver([METER.address], { account: GOVERNOR }));
      await expectCustomError(
        relay(observers, await report(observers, METER, LAB0, start, 1n)),
        "ObserverIsRetired",
        (args) => {
          assert.equal(args[0], METER.address);
        },
      );
      assert.equal((await observers.read.getReport([CLOUD.address, LAB0, start])).state, State.None);
    });
  });

  describe("reconciliation", () => {
    // Two checkpoints of 492 FLOPs: accounted 984; allowed 984 x 1.2 + 100 = 1,280.
    const ACCOUNTED = 2n * CHECKPOINT_FLOPS;
    const ALLOWED = (ACCOUNTED * 12_000n) / 10_000n + 100n;

    it("should not flag a report within the tolerance, and flag one a FLOP above it, naming its observer", async () => {
      const { observers, start } = await provenToday();
      await mined(await relay(observers, await report(observers, CLOUD, LAB0, start, ALLOWED)));
      await mined(await relay(observers, await report(observers, METER, LAB0, start, ALLOWED + 1n)));
      await expectCustomError(observers.write.reconcile([CLOUD.address, LAB0, start]), "GraceNotOver", [
        start + 2n * DAY,
      ]);
      await afterGrace(start);
      const within = await events(
        observers,
        await observers.write.reconcile([CLOUD.address, LAB0, start], { account: RELAYER }),
      );
      assert.deepEqual(
        within.map((e) => [e.eventName, e.args]),
        [
          [
            "ComputeReconciled",
            {
              observer: CLOUD.address,
              lab: LAB0,
              periodStart: start,
              observedFlops: ALLOWED,
              accountedFlops: ACCOUNTED,
              allowedFlops: ALLOWED,
              flagged: false,
              reporter: RELAYER,
            },
          ],
        ],
      );
      const above = await events(
        observers,
        await observers.write.reconcile([METER.address, LAB0, start], { account: RELAYER }),
      );
      assert.deepEqual(
        above.map((e) => e.eventName),
        ["ComputeReconciled", "UnaccountedComputeFlagged"],
      );
      assert.deepEqual(above[1]!.args, {
        lab: LAB0,
        observer: METER.address,
        periodStart: start,
        periodEnd: start + DAY,
        observedFlops: ALLOWED + 1n,
        accountedFlops: ACCOUNTED,
        reporter: RELAYER,
      });
      // Both reports stand; only the meter's flagged.
      assert.equal((await observers.read.getReport([CLOUD.address, LAB0, start])).state, State.Reconciled);
      assert.equal((await observers.read.getReport([METER.address, LAB0, start])).state, State.Flagged);
      assert.equal(await observers.read.unaccountedComputeFlags([LAB0]), 1n);
      assert.equal(await observers.read.unaccountedComputeFlags([LAB1]), 0n);
      await expectCustomError(observers.write.reconcile([METER.address, LAB0, start]), "ReportAlreadyReconciled", [
        METER.address,
        LAB0,
        start,
      ]);
      await expectCustomError(observers.write.reconcile([CLOUD.address, LAB1, start]), "UnknownReport", [
        CLOUD.address,
        LAB1,
        start,
      ]);
      assert.equal(await observers.read.unaccountedComputeFlags([LAB0]), 1n);
    });

    it("should count checkpoints of the grace day and not those after it", async () => {
      const { registry, observers, start } = await provenToday();
      // The third checkpoint lands in the grace day, the fourth after it.
      await submitted(registry, 1n, runs.A, 2, 3);
      await mined(await relay(observers, await report(observers, CLOUD, LAB0, start, ALLOWED + 1n)));
      await afterGrace(start);
      await submitted(registry, 1n, runs.A, 3, 4);
      const ev = await events(observers, await observers.write.reconcile([CLOUD.address, LAB0, start]));
      assert.deepEqual(
        ev.map((e) => e.eventName),
        ["ComputeReconciled"],
      );
      const r = ev[0]!.args as { accountedFlops: bigint; flagged: boolean };
      assert.equal(r.accountedFlops, 3n * CHECKPOINT_FLOPS);
      assert.equal(r.flagged, false);
    });

    it("should flag a lab that accounted for nothing (compute off the books), and not another lab", async () => {
      const { observers, start } = await provenToday();
      // LAB1 registered nothing; the grid meter saw it use 10^18 FLOPs.
      await mined(await relay(observers, await report(observers, METER, LAB1, start, 10n ** 18n)));
      await mined(await relay(observers, await report(observers, METER, LAB0, start, ACCOUNTED)));
      await afterGrace(start);
      const off = await events(observers, await observers.write.reconcile([METER.address, LAB1, start]));
      assert.equal(off.at(-1)!.eventName, "UnaccountedComputeFlagged");
      assert.equal((off.at(-1)!.args as { accountedFlops: bigint }).accountedFlops, 0n);
      const on = await events(observers, await observers.write.reconcile([METER.address, LAB0, start]));
      assert.deepEqual(
        on.map((e) => e.eventName),
        ["ComputeReconciled"],
      );
    });

    it("should reconcile a report over its own period when the policy's epoch changed after it was relayed", async () => {
      const { observers, start } = await provenToday();
      await mined(await relay(observers, await report(observers, CLOUD, LAB0, start, ALLOWED + 1n)));
      assert.equal((await observers.read.getReport([CLOUD.address, LAB0, start])).periodEnd, start + DAY);
      // Six-day periods from now on, with two days of grace: the report still covers its one day.
      const longer = { ...POLICY, epochSeconds: 6n * DAY, graceSeconds: 2n * DAY };
      await mined(await observers.write.setReconciliationPolicy([longer], { account: GOVERNOR }));
      await afterGrace(start);
      await expectCustomError(observers.write.reconcile([CLOUD.address, LAB0, start]), "GraceNotOver", [
        start + 3n * DAY,
      ]);
      await conn.networkHelpers.time.increaseTo(start + 3n * DAY);
      const ev = await events(observers, await observers.write.reconcile([CLOUD.address, LAB0, start]));
      assert.deepEqual(
        ev.map((e) => e.eventName),
        ["ComputeReconciled", "UnaccountedComputeFlagged"],
      );
      assert.equal((ev[1]!.args as { periodEnd: bigint }).periodEnd, start + DAY);
      assert.equal((ev[0]!.args as { accountedFlops: bigint }).accountedFlops, ACCOUNTED);
    });

    it("should let a retired observer's pending report flag nothing", async () => {
      const { observers, start } = await provenToday();
      await mined(await relay(observers, await report(observers, METER, LAB0, start, 10n ** 18n)));
      await mined(await observers.write.retireObserver([METER.address], { account: GOVERNOR }));
      await afterGrace(start);
      await expectCustomError(observers.write.reconcile([METER.address, LAB0, start]), "ObserverIsRetired");
      assert.equal((await observers.read.getReport([METER.address, LAB0, start])).state, State.Relayed);
      assert.equal(await observers.read.unaccountedComputeFlags([LAB0]), 0n);
    });

    it("should refuse reports and reconciliations while the registry is paused", async () => {
      const { registry, observers, start } = await provenToday();
      const s = await report(observers, CLOUD, LAB0, start, 10n ** 18n);
      await mined(await registry.write.pause({ account: LAB0 }));
      await expectCustomError(relay(observers, s), "RegistryPaused");
      await mined(await registry.write.unpause({ account: LAB0 }));
      await mined(await relay(observers, s));
      await afterGrace(start);
      await mined(await registry.write.pause({ account: LAB0 }));
      await expectCustomError(observers.write.reconcile([CLOUD.address, LAB0, start]), "RegistryPaused");
      assert.equal((await observers.read.getReport([CLOUD.address, LAB0, start])).state, State.Relayed);
    });

    it("should relay a report and reconcile it within 100,000 gas each", async () => {
      const { observers, start } = await provenToday();
      const relayed = await mined(await relay(observers, await report(observers, CLOUD, LAB0, start, 10n ** 18n)));
      await afterGrace(start);
      const flagged = await mined(await observers.write.reconcile([CLOUD.address, LAB0, start]));
      assert.ok(relayed.gasUsed <= 100_000n, `a relayed report used ${relayed.gasUsed} gas`);
      assert.ok(flagged.gasUsed <= 100_000n, `a flagging reconciliation used ${flagged.gasUsed} gas`);
    });

    it("should reconcile within 100,000 gas at the longest policy the table accepts (8 ledger days)", async () => {
      const { observers, registry } = await fresh();
      const week = 7n * DAY;
      await mined(
        await observers.write.setReconciliationPolicy([{ ...POLICY, epochSeconds: week, graceSeconds: DAY }], {
          account: GOVERNOR,
        }),
      );
      assert.equal(await observers.read.MAX_RECONCILED_DAYS(), 8n);
      const start = ((await now()) / week + 1n) * week;
      await conn.networkHelpers.time.increaseTo(start + 60n);
      await registered(registry, runs.A, 1);
      await conn.networkHelpers.time.increaseTo(start + week);
      const s = await report(observers, CLOUD, LAB0, start, 10n ** 18n, { periodEnd: start + week });
      await mined(await relay(observers, s));
      await conn.networkHelpers.time.increaseTo(start + week + DAY);
      const r = await mined(await observers.write.reconcile([CLOUD.address, LAB0, start]));
      const ev = parseEventLogs({ abi: observers.abi, logs: r.logs, eventName: "UnaccountedComputeFlagged" });
      assert.equal(ev[0]!.args.accountedFlops, CHECKPOINT_FLOPS);
      assert.ok(r.gasUsed <= 100_000n, `a flagging reconciliation over 8 days used ${r.gasUsed} gas`);
    });
  });

  describe("policy", () => {
    it("should let only the policy role add or retire observers and set the policy, within bounds", async () => {
      const { d, observers } = await fresh();
      await expectCustomError(
        observers.write.addObserver([STRANGER.address, "x", "y"], { account: RELAYER }),
        "AccessControlUnauthorizedAccount",
      );
      await expectCustomError(
        observers.write.addObserver([CLOUD.address, "again", "cloud provider"], { account: GOVERNOR }),
        "ObserverAlreadyAdded",
        [CLOUD.address],
      );
      for (const [signer, name, kind] of [
        [zeroAddress, "n", "k"],
        [STRANGER.address, "", "k"],
        [STRANGER.address, "n", ""],
      ] as const)
        await expectCustomError(
          observers.write.addObserver([signer, name, kind], { account: GOVERNOR }),
          "InvalidObserver",
          [signer],
        );
      await expectCustomError(
        observers.write.retireObserver([STRANGER.address], { account: GOVERNOR }),
        "UnknownObserver",
      );
      const added = await events(
        observers,
        await observers.write.addObserver([STRANGER.address, "Net monitor", "network monitor"], { account: GOVERNOR }),
      );
      assert.deepEqual(added[0]!.args, { signer: STRANGER.address, name: "Net monitor", kind: "network monitor" });
      const o = await observers.read.getObserver([STRANGER.address]);
      assert.equal(o.kind, "network monitor");
      assert.equal(o.retiredAt, 0);
      await mined(await observers.write.retireObserver([STRANGER.address], { account: GOVERNOR }));
      await expectCustomError(
        observers.write.retireObserver([STRANGER.address], { account: GOVERNOR }),
        "ObserverIsRetired",
      );
      // A retired signer is never added again.
      await expectCustomError(
        observers.write.addObserver([STRANGER.address, "Net monitor", "network monitor"], { account: GOVERNOR }),
        "ObserverAlreadyAdded",
      );
      for (const bad of [
        { ...POLICY, epochSeconds: 0n },
        { ...POLICY, epochSeconds: DAY + 1n },
        { ...POLICY, graceSeconds: 3600n },
        { ...POLICY, epochSeconds: 7n * DAY, graceSeconds: 2n * DAY },
        { ...POLICY, toleranceBps: 9_999 },
      ])
        await expectCustomError(
          observers.write.setReconciliationPolicy([bad], { account: GOVERNOR }),
          "InvalidReconciliationPolicy",
        );
      const weekly = { ...POLICY, epochSeconds: 7n * DAY, graceSeconds: DAY, toleranceBps: 10_000 };
      await mined(await observers.write.setReconciliationPolicy([weekly], { account: GOVERNOR }));
      assert.deepEqual(await observers.read.reconciliationPolicy(), weekly);
      await expectCustomError(
        observers.write.setReconciliationPolicy([weekly], { account: RELAYER }),
        "AccessControlUnauthorizedAccount",
      );
      // Constructor: no policy account, no registry, a policy out of bounds (a deployment's revert is matched
      // on its message: viem does not decode it as a contract function's).
      for (const args of [
        [zeroAddress, d.registry.address, POLICY],
        [GOVERNOR, zeroAddress, POLICY],
      ] as const)
        await assert.rejects(conn.viem.deployContract("ComputeObservers", [...args]), /ZeroAddress/);
      await assert.rejects(
        conn.viem.deployContract("ComputeObservers", [GOVERNOR, d.registry.address, { ...POLICY, epochSeconds: 0n }]),
        /InvalidReconciliationPolicy/,
      );
      triggeredErrors.add("ZeroAddress");
    });

    it("should add and retire observers of the real deployment only through the timelock", async () => {
      const { d } = await fresh();
      const where = { timelock: d.timelock.address, observers: d.observers.address };
      const table = await conn.viem.getContractAt("ComputeObservers", d.observers.address);
      // The deployer proposed nothing directly: it has no policy role on the table.
      await expectCustomError(
        table.write.addObserver([CLOUD.address, "Example Cloud", "cloud provider"], { account: LAB0 }),
        "AccessControlUnauthorizedAccount",
      );
      const add = {
        kind: "add",
        signer: CLOUD.address,
        name: "Example Cloud",
        evidenceKind: "cloud provider",
      } as const;
      const first = await observerPolicyAction(conn.viem, where, add, LAB0, silentLogger);
      assert.equal(first.state, "scheduled");
      assert.equal((await table.read.getObserver([CLOUD.address])).addedAt, 0);
      assert.equal((await observerPolicyAction(conn.viem, where, add, LAB0, silentLogger)).state, "waiting");
      await conn.networkHelpers.time.increaseTo(first.readyAt!);
      assert.equal((await observerPolicyAction(conn.viem, where, add, LAB0, silentLogger)).state, "executed");
      assert.equal((await table.read.getObserver([CLOUD.address])).name, "Example Cloud");
      // Running it again changes nothing.
      assert.equal((await observerPolicyAction(conn.viem, where, add, LAB0, silentLogger)).state, "executed");
      const retire = { kind: "retire", signer: CLOUD.address } as const;
      const r = await observerPolicyAction(conn.viem, where, retire, LAB0, silentLogger);
      assert.equal(r.state, "scheduled");
      await conn.networkHelpers.time.increaseTo(r.readyAt!);
      assert.equal((await observerPolicyAction(conn.viem, where, retire, LAB0, silentLogger)).state, "executed");
      assert.notEqual((await table.read.getObserver([CLOUD.address])).retiredAt, 0);
      assert.equal(await table.read.registry(), d.registry.address);
    });
  });

  describe("custom errors", () => {
    it("should each have been triggered by a test above", async () => {
      const { observers } = await fresh();
      await expectCustomError(
        observers.write.renounceRole([await observers.read.POLICY_ROLE(), RELAYER], { account: GOVERNOR }),
        "AccessControlBadConfirmation",
      );
      // EIP712's ShortStrings errors cannot occur: the domain's name and version are constants under 32 bytes.
      const unreachable = ["InvalidShortString", "StringTooLong"];
      const declared = observers.abi.filter((x) => x.type === "error").map((x) => x.name);
      const missing = declared.filter((n) => !triggeredErrors.has(n) && !unreachable.includes(n));
      assert.deepEqual(missing, [], `custom errors no test triggered: ${missing.join(", ")}`);
    });
  });
});
