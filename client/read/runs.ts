/**
 * Reading runs from the registry: one run's record as `status` and the
 * dashboard show it, every run at once, and a run's checkpoint history with
 * the time of each block (the dashboard's timeline).
 */
import type { Address, Hex, PublicClient } from "viem";
import type { RegistryAbi } from "./abi.js";
import type { RegistryEvent, RunView } from "./format.js";
import { VIOLATION_KINDS } from "./violations.js";

const UNANSWERED = VIOLATION_KINDS.indexOf("ChallengeUnanswered");

/** Where the registry is and how its families are named (from the deployment record). */
export interface RegistryRef {
  readonly client: PublicClient;
  readonly address: Address;
  readonly abi: RegistryAbi;
  readonly families: readonly { readonly id: Hex; readonly name: string }[];
}

/** A run record for display, with its family's name (its id when the record does not name it). */
export async function readRun(r: RegistryRef, runId: bigint): Promise<RunView> {
  const run = await r.client.readContract({ address: r.address, abi: r.abi, functionName: "getRun", args: [runId] });
  const family = r.families.find((f) => f.id.toLowerCase() === run.familyId.toLowerCase());
  return {
    runId,
    lab: run.lab,
    status: run.status,
    family: family?.name ?? run.familyId,
    specCommitment: run.specCommitment,
    steps: run.steps,
    plannedSteps: run.plannedSteps,
    cumulativeFlops: run.cumulativeFlops,
    attestations: run.attestations,
    root: run.root,
    lastCheckpointAt: run.lastCheckpointAt,
    designatedAt: run.designatedAt,
    beacon: run.beacon,
    beaconBlock: run.beaconBlock,
    projectedToCross: run.projectedToCross,
    violations: [...run.violations],
    ...(run.sampled
      ? {
          sampling: {
            challengesPerWindow: run.sampling.challengesPerWindow,
            responseSeconds: run.sampling.responseSeconds,
            windowSteps: run.sampling.windowSteps,
            challenged: run.challenged,
            answered: run.answered,
            unanswered: run.violations[UNANSWERED] ?? 0,
            open: run.challenged - run.answered - (run.violations[UNANSWERED] ?? 0),
          },
        }
      : {}),
  };
}

/** The registry's state as `status --json` and the dashboard's table show it. */
export interface RegistryState {
  readonly runCount: bigint;
  readonly designationThreshold: bigint;
  readonly runs: readonly RunView[];
}

/** Every run (or only `runIds`), with the run count and the designation threshold in force. */
export async function readRegistry(r: RegistryRef, runIds?: readonly bigint[]): Promise<RegistryState> {
  const [runCount, designationThreshold] = await Promise.all([
    r.client.readContract({ address: r.address, abi: r.abi, functionName: "runCount" }),
    r.client.readContract({ address: r.address, abi: r.abi, functionName: "designationThreshold" }),
  ]);
  const ids = runIds ?? Array.from({ length: Number(runCount) }, (_, i) => BigInt(i + 1));
  const runs = await Promise.all(ids.map((id) => readRun(r, id)));
  return { runCount, designationThreshold, runs };
}

/** A point of a run's timeline: cumulative proven FLOPs and steps after a block. */
export interface TimelinePoint {
  readonly time: bigint;
  readonly block: bigint;
  readonly steps: bigint;
  readonly cumulativeFlops: bigint;
}

/**
 * A run's timeline from its events: registration (0 FLOPs) and then each
 * accepted checkpoint (full mode) or committed window (sampled mode, whose
 * window of `windowSteps` steps is committed, not proven), with its block's
 * timestamp.
 */
export async function runTimeline(
  client: PublicClient,
  runId: bigint,
  events: readonly RegistryEvent[],
  windowSteps = 0n,
): Promise<TimelinePoint[]> {
  const mine = events.filter(
    (e) =>
      (e.eventName === "RunRegistered" || e.eventName === "CheckpointAccepted" || e.eventName === "WindowCommitted") &&
      e.args.runId === runId,
  );
  const blocks = [...new Set(mine.map((e) => e.blockNumber))];
  const times = new Map(
    await Promise.all(blocks.map(async (b) => [b, (await client.getBlock({ blockNumber: b })).timestamp] as const)),
  );
  return mine.map((e) => ({
    time: times.get(e.blockNumber)!,
    block: e.blockNumber,
    steps:
      e.eventName === "CheckpointAccepted"
        ? e.args.steps
        : e.eventName === "WindowCommitted"
          ? e.args.firstStep + windowSteps
          : 0n,
    cumulativeFlops:
      e.eventName === "CheckpointAccepted" || e.eventName === "WindowCommitted" ? e.args.cumulativeFlops : 0n,
  }));
}
