/**
 * Gas of the registry's calls with real proofs (the recorded fixtures), on a
 * fresh deployment: registering a run with its genesis proof, submitting
 * step checkpoints (K = 1) and K = 4 checkpoints on time, a late submission
 * that raises the run's first flags all at once (missed window, FLOPs cap,
 * step limit) and its designation, flagging missed windows, closing a run
 * with a missed window, a policy action through the timelock, and the same
 * runs' checkpoints submitted in one batch each on a second deployment
 * (issue #26). Used by `npm run bench` and by a test that holds the 300k goal.
 */
import type { HardhatViemHelpers } from "@nomicfoundation/hardhat-viem/types";
import type { NetworkHelpers } from "@nomicfoundation/hardhat-network-helpers/types";
import type { Hash } from "viem";
import { familyId } from "../prover/proving/families.js";
import { useFixtureBeacon, type FixtureRun, type RegistryFixtures } from "../harness/fixtures/registry.js";
import { checkpointCall, genesisCall, type Attestations } from "../client/calls.js";
import { registryContract } from "../client/contract.js";
import { deployRegistry } from "../client/deploy.js";
import { executePolicyCall, policyCall, schedulePolicyCall } from "../client/governance.js";
import { mined } from "../client/tx.js";

export interface GasFigures {
  /** registerRun with its genesis proof (whole transaction), its plan projected to cross the threshold. */
  readonly registerRun: number;
  /** drawBeacon (anyone, once per run, after registration). */
  readonly drawBeacon: number;
  /** submitCheckpoint, K = 1, on time: every submission of the run, in order (the fourth designates it). */
  readonly submitK1: readonly number[];
  /**
   * submitCheckpoint, K = 4, on time: every submission of the run, in order (the first designates it, and is its
   * lab's first submission of the day: it opens the lab's compute-ledger slot for the day, issue #29).
   */
  readonly submitK4: readonly number[];
  /**
   * submitCheckpoint, late, raising the run's first flags: missed window, FLOPs cap, step limit, and
   * designation, after PAUSES_BEFORE_FIRST_FLAGS pauses of the registry since the run's registration; its lab's
   * first submission of the day.
   */
  readonly submitFirstFlags: number;
  /** flagMissedDeadline: first and second window. */
  readonly flagMissedDeadline: readonly number[];
  /** closeRun, flagging one missed window. */
  readonly closeRun: number;
  /** setDesignationThreshold through the timelock: schedule, then execute after the delay. */
  readonly policySchedule: number;
  readonly policyExecute: number;
  /**
   * submitCheckpoints (issue #26), on time, on a second deployment with the same threshold: run A's
   * four K = 4 checkpoints in one call, and run C's four step proofs (K = 1) in one call (each batch
   * designates its run, as the first of the one-by-one submissions does).
   */
  readonly submitBatchK4: number;
  readonly submitBatchK1: number;
}

const ON_TIME: Attestations = { flopsCap: 10_000n, maxSteps: 16n, checkpointDeadline: 3600n };
/** Tight enough that run B's first checkpoint breaches the cap and the step limit. */
const TIGHT: Attestations = { flopsCap: 100n, maxSteps: 1n, checkpointDeadline: 100n };
/** Below every run's first 4 steps (492 FLOPs): each run is designated on a submission. */
const THRESHOLD = 400n;
const DAY = 86_400n;
/** Pauses between run B's registration and its costliest submission (the review measured +2.7k gas each before #24). */
export const PAUSES_BEFORE_FIRST_FLAGS = 3;

export async function measureGas(
  viem: HardhatViemHelpers,
  helpers: NetworkHelpers<string>,
  fixtures: RegistryFixtures,
): Promise<GasFigures> {
  const publicClient = await viem.getPublicClient();
  const d = await deployRegistry(viem, { designationThreshold: THRESHOLD, policyDelay: 3600n });
  const registry = await registryContract(viem, d.registry.address);
  const gasOf = async (hash: Hash): Promise<number> => {
    return Number((await mined(publicClient, hash, "gas measurement")).gasUsed);
  };
  const drawBeacon: number[] = [];
  const register = async (run: FixtureRun, attestations: Attestations): Promise<{ id: bigint; gas: number }> => {
    const g = genesisCall(run.genesis);
    const gas = await gasOf(
      await registry.write.registerRun([familyId(run.family), g.specCommitment, attestations, g.facts, g.proof], {
        account: run.lab,
      }),
    );
    const id = await registry.read.runCount();
    drawBeacon.push(Number(await useFixtureBeacon(helpers, publicClient, registry, id, run)));
    return { id, gas };
  };
  const submit = async (run: FixtureRun, id: bigint, i: number): Promise<number> => {
    const c = checkpointCall(run.checkpoints[i]!);
    return gasOf(await registry.write.submitCheckpoint([id, c.claim, c.proof], { account: run.lab }));
  };
  const submitAll = async (run: FixtureRun, id: bigint): Promise<number[]> => {
    const out: number[] = [];
    for (let i = 0; i < run.checkpoints.length; i++) out.push(await submit(run, id, i));
    return out;
  };

  // Start at the beginning of a UTC day, so that what follows falls in one day and each lab's first submission
  // of it (run A's first checkpoint, run B's late one) pays for its new compute-ledger slot (issue #29).
  await helpers.time.increaseTo((BigInt(await helpers.time.latest()) / DAY + 1n) * DAY + 60n);
  const a = await register(fixtures.runs.A, ON_TIME);
  const submitK4 = await submitAll(fixtures.runs.A, a.id);
  const c = await register(fixtures.runs.C, ON_TIME);
  const submitK1 = await submitAll(fixtures.runs.C, c.id);

  const b = await register(fixtures.runs.B, TIGHT);
  await helpers.time.increase(250);
  const flagMissedDeadline = [
    await gasOf(await registry.write.flagMissedDeadline([b.id])),
    await gasOf(await registry.write.flagMissedDeadline([b.id])),
  ];
  await helpers.time.increase(100); // a third window missed, not flagged: the late checkpoint flags it
  // Pauses before it (issue #24, N1): the registry's clock is one running total, so they cost nothing here.
  for (let i = 0; i < PAUSES_BEFORE_FIRST_FLAGS; i++) {
    await mined(publicClient, await registry.write.pause(), "pause");
    await helpers.time.increase(1_000);
    await mined(publicClient, await registry.write.unpause(), "unpause");
  }
  const submitFirstFlags = await submit(fixtures.runs.B, b.id, 0);
  await helpers.time.increase(150);
  const closeRun = await gasOf(await registry.write.closeRun([b.id], { account: fixtures.runs.B.lab }));

  const call = policyCall(d.timelock.address, registry, "setDesignationThreshold", [THRESHOLD * 2n]);
  const policySchedule = await gasOf(await schedulePolicyCall(viem, call, d.governance.policyDelay));
  await helpers.time.increase(d.governance.policyDelay);
  const policyExecute = await gasOf(await executePolicyCall(viem, call));

  // Batches: the same runs on a second deployment, all of a run's checkpoints in one call.
  const d2 = await deployRegistry(viem, { designationThreshold: THRESHOLD, policyDelay: 3600n });
  const registry2 = await registryContract(viem, d2.registry.address);
  const batchOf = async (run: FixtureRun): Promise<number> => {
    const g = genesisCall(run.genesis);
    await mined(
      publicClient,
      await registry2.write.registerRun([familyId(run.family), g.specCommitment, ON_TIME, g.facts, g.proof], {
        account: run.lab,
      }),
      "registration",
    );
    const id = await registry2.read.runCount();
    await useFixtureBeacon(helpers, publicClient, registry2, id, run);
    const calls = run.checkpoints.map(checkpointCall);
    return gasOf(
      await registry2.write.submitCheckpoints([id, calls.map((x) => x.claim), calls.map((x) => x.proof)], {
        account: run.lab,
      }),
    );
  };
  const submitBatchK4 = await batchOf(fixtures.runs.A);
  const submitBatchK1 = await batchOf(fixtures.runs.C);
  return {
    submitBatchK4,
    submitBatchK1,
    registerRun: a.gas,
    drawBeacon: Math.max(...drawBeacon),
    submitK1,
    submitK4,
    submitFirstFlags,
    flagMissedDeadline,
    closeRun,
    policySchedule,
    policyExecute,
  };
}
