/**
 * How registry events and run records are shown: one human line or one JSON
 * line per event (what `watch` prints and the dashboard's feed says), the
 * run record as JSON (`status --json`) and the run table of `status`.
 */
import { keccak256, stringToHex, type Address, type ContractEventArgsFromTopics, type ContractEventName } from "viem";
import type { WatchedAbi } from "./abi.js";
import { RUN_STATUS, VIOLATIONS, violationName } from "./violations.js";

const ROLE_NAMES: Readonly<Record<string, string>> = {
  [`0x${"0".repeat(64)}`]: "admin role",
  [keccak256(stringToHex("POLICY_ROLE"))]: "policy role",
  [keccak256(stringToHex("PAUSER_ROLE"))]: "pauser role",
};

/** A decoded registry event with where it happened. */
/** The watched ABI's event names. */
export type RegistryEventName = ContractEventName<WatchedAbi>;

/**
 * An event of the registry or its families table, typed from the compiled ABI (a discriminated union
 * on eventName): a renamed or retyped event field fails `tsc` here, not on a page (issue #25).
 */
export type RegistryEventBody = {
  [N in RegistryEventName]: { readonly eventName: N; readonly args: ContractEventArgsFromTopics<WatchedAbi, N> };
}[RegistryEventName];

/** A decoded event with where it happened (the registry, or its families table). */
export type RegistryEvent = RegistryEventBody & {
  readonly address: Address;
  readonly blockNumber: bigint;
  readonly logIndex: number;
  readonly transactionHash: string;
};

/** The run an event is about (undefined for events about no run: roles, pauses, policy, families). */
export const eventRunId = (e: RegistryEventBody): bigint | undefined => ("runId" in e.args ? e.args.runId : undefined);

/** Unique id of an event: transaction hash and log index. */
export const eventId = (e: Pick<RegistryEvent, "transactionHash" | "logIndex">): string =>
  `${e.transactionHash}:${e.logIndex}`;

/** A 256-bit value as 0x and 64 hex digits. */
export const hex64 = (x: bigint): string => `0x${x.toString(16).padStart(64, "0")}`;

/** A long hex value or address as its first 8 and last 4 characters. */
export const short = (x: unknown): string => {
  const s = typeof x === "bigint" ? hex64(x) : String(x);
  return s.length > 14 ? `${s.slice(0, 8)}…${s.slice(-4)}` : s;
};
/** A count with thousands separators. */
export const num = (x: unknown): string => (typeof x === "bigint" ? x.toLocaleString("en-US") : String(x));

/** JSON-safe copy: bigints as decimal strings, violation kinds by name. */
export function jsonArgs(e: RegistryEventBody): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e.args)) {
    if (typeof v === "bigint") out[k] = v.toString();
    else if (v !== null && typeof v === "object")
      out[k] = JSON.parse(JSON.stringify(v, (_, x: unknown) => (typeof x === "bigint" ? x.toString() : x))) as unknown;
    else out[k] = v;
  }
  if (e.eventName === "ViolationFlagged") out.kind = violationName(e.args.kind);
  return out;
}

export function jsonLine(e: RegistryEvent): string {
  return JSON.stringify({
    event: e.eventName,
    id: eventId(e),
    block: e.blockNumber.toString(),
    logIndex: e.logIndex,
    transaction: e.transactionHash,
    contract: e.address,
    ...jsonArgs(e),
  });
}

/** One human line per event. */
export const humanLine = (e: RegistryEvent): string =>
  `block ${e.blockNumber} · ${eventSentence(e)}${e.eventName.startsWith("Role") ? ` (contract ${e.address})` : ""}`;

/** What an event says, without where it happened. */
export function eventSentence(e: RegistryEventBody): string {
  switch (e.eventName) {
    case "RunRegistered": {
      const a = e.args;
      return `run ${a.runId} registered by lab ${a.lab} · spec ${short(a.specCommitment)}`;
    }
    case "GenesisVerified": {
      const a = e.args;
      return `run ${a.runId} genesis verified · ${a.paramCount} parameters · ${num(a.flopsPerStep)} FLOPs/step · ${a.plannedSteps} steps planned`;
    }
    case "BeaconDrawn": {
      const a = e.args;
      return `run ${a.runId} data-order beacon drawn · ${a.beacon} (hash of block ${a.beaconBlock}) · by ${a.by}`;
    }
    case "CheckpointAccepted": {
      const a = e.args;
      return `run ${a.runId} checkpoint accepted · steps ${a.firstStep} → ${a.steps} · FLOPs +${num(a.flops)} = ${num(a.cumulativeFlops)} · root ${short(a.rootAfter)}`;
    }
    case "ViolationFlagged": {
      const a = e.args;
      const kind = violationName(a.kind);
      const by = `flagged by ${a.reporter}`;
      if (kind === "ChallengeUnanswered")
        return `VIOLATION run ${a.runId} ${kind} · step ${a.steps} not proven · ${num(a.observed)} s unpaused > ${num(a.limit)} s · ${by}`;
      if (kind === "CheckpointDeadlineMissed") {
        const windows = a.count === 1n ? "1 window" : `${a.count} windows`;
        return `VIOLATION run ${a.runId} ${kind} · ${windows} missed after step ${a.steps} · ${num(a.observed)} s unpaused > ${num(a.limit)} s · ${by}`;
      }
      const unit = kind.includes("Step") ? " steps" : " FLOPs";
      return `VIOLATION run ${a.runId} ${kind} · ${num(a.observed)}${unit} > ${num(a.limit)}${unit} · at step ${a.steps} · ${by}`;
    }
    case "RunSampled": {
      const a = e.args;
      return `run ${a.runId} in sampled mode · ${a.challengesPerWindow} challenge(s) per window of ${a.windowSteps} steps · ${num(a.responseSeconds)} s to answer each (deadlines queue)`;
    }
    case "WindowCommitted": {
      const a = e.args;
      return `run ${a.runId} window ${a.window} committed (not proven) · from step ${a.firstStep} · FLOPs ${num(a.cumulativeFlops)} · roots tree ${short(a.root)}`;
    }
    case "ChallengesDrawn": {
      const a = e.args;
      const steps = a.steps.map(String).join(", ");
      return a.everyStep
        ? `run ${a.runId} window ${a.window} drawn past the block-hash horizon · every step challenged · by ${a.drawer}`
        : `run ${a.runId} window ${a.window} challenges drawn · step(s) ${steps || "none new"} · seed block ${a.seedBlock} · by ${a.drawer}`;
    }
    case "ChallengeRequested": {
      const a = e.args;
      return `run ${a.runId} step ${a.step} challenged for ${num(a.fee)} wei by ${a.challenger}`;
    }
    case "ChallengeAnswered": {
      const a = e.args;
      return `run ${a.runId} step ${a.step} proven · root ${short(a.rootBefore)} → ${short(a.rootAfter)}${a.feeToLab === 0n ? "" : ` · fee ${num(a.feeToLab)} wei to the lab`}`;
    }
    case "ChallengeFeeRefunded": {
      const a = e.args;
      return `run ${a.runId} step ${a.step} fee ${num(a.fee)} wei credited back to ${a.challenger}`;
    }
    case "Withdrawn": {
      const a = e.args;
      return `${a.account} withdrew ${num(a.amount)} wei`;
    }
    case "SamplingPolicySet": {
      const p = e.args.policy;
      return `sampling policy · at least ${p.minChallengesPerWindow} challenge(s) per window · paid challenge ${num(p.challengeFee)} wei · response ${p.minResponseSeconds}..${p.maxResponseSeconds} s`;
    }
    case "RunProjectedToCrossThreshold": {
      const a = e.args;
      return `PROJECTED run ${a.runId} · plan of ${num(a.plannedFlops)} FLOPs > threshold ${num(a.threshold)} · designation expected when proven`;
    }
    case "RunDesignated": {
      const a = e.args;
      return `DESIGNATED run ${a.runId} · ${num(a.cumulativeFlops)} FLOPs > threshold ${num(a.threshold)} · at step ${a.steps}`;
    }
    case "RunClosed": {
      const a = e.args;
      return `run ${a.runId} closed at step ${a.steps} · ${num(a.cumulativeFlops)} FLOPs`;
    }
    case "CircuitFamilyRegistered": {
      const a = e.args;
      return `circuit family ${short(a.familyId)} registered · K = ${a.stepsPerCheckpoint} · genesis ${short(a.genesisVerifier)} · checkpoint ${short(a.checkpointVerifier)} · step ${short(a.stepVerifier)} · ${a.description}`;
    }
    case "CircuitFamilyDeprecated":
      return `circuit family ${short(e.args.familyId)} deprecated`;
    case "RoleGranted":
    case "RoleRevoked": {
      const a = e.args;
      return `${ROLE_NAMES[a.role] ?? short(a.role)} ${e.eventName === "RoleGranted" ? "granted to" : "revoked from"} ${a.account}`;
    }
    case "Paused":
    case "Unpaused":
      return `registry ${e.eventName.toLowerCase()} by ${e.args.account}`;
    case "DesignationThresholdSet": {
      const a = e.args;
      return `designation threshold ${num(a.previous)} → ${num(a.threshold)} FLOPs`;
    }
    case "ObserverAdded": {
      const a = e.args;
      return `observer ${a.signer} added · ${a.name} · reports as ${a.kind}`;
    }
    case "ObserverRetired":
      return `observer ${e.args.signer} retired`;
    case "ReconciliationPolicySet": {
      const p = e.args.policy;
      return `reconciliation policy · periods of ${num(p.epochSeconds)} s · grace ${num(p.graceSeconds)} s · flag above accounted × ${p.toleranceBps / 10_000} + ${num(p.allowanceFlops)} FLOPs`;
    }
    case "ComputeReported": {
      const a = e.args;
      return `observer ${a.observer} reports lab ${a.lab} used ${num(a.observedFlops)} FLOPs in ${period(a.periodStart, a.periodEnd)} · evidence ${short(a.evidenceHash)} · relayed by ${a.relayer}`;
    }
    case "ComputeReconciled": {
      const a = e.args;
      return `lab ${a.lab} reconciled for the period from ${iso(a.periodStart)} · observed ${num(a.observedFlops)} (observer ${a.observer}) · accounted ${num(a.accountedFlops)} · allowed ${num(a.allowedFlops)} FLOPs · ${a.flagged ? "FLAGGED" : "within tolerance"}`;
    }
    case "UnaccountedComputeFlagged": {
      const a = e.args;
      return `VIOLATION lab ${a.lab} UnaccountedCompute · ${num(a.observedFlops)} FLOPs observed by ${a.observer} > ${num(a.accountedFlops)} accounted in ${period(a.periodStart, a.periodEnd)} (+ grace) · flagged by ${a.reporter}`;
    }
    default:
      return `${e.eventName} ${JSON.stringify(jsonArgs(e))}`;
  }
}

/** A unix time as an ISO date and time (UTC). */
/** A chain timestamp (seconds) as an ISO 8601 UTC time, without milliseconds. */
export const iso = (seconds: bigint): string => new Date(Number(seconds) * 1000).toISOString().replace(".000Z", "Z");

/** The compute ledger's day in seconds (contracts/registry RunRules.ACCOUNTING_DAY): ledger slots are UTC days. */
export const LEDGER_DAY = 86_400n;
/** A report's period. */
const period = (start: bigint, end: bigint): string => `${iso(start)} .. ${iso(end)}`;

/** A run as `status` shows it. */
export interface RunView {
  readonly runId: bigint;
  readonly lab: Address;
  readonly status: number;
  readonly family: string;
  readonly specCommitment: bigint;
  readonly steps: bigint;
  readonly plannedSteps: bigint;
  readonly cumulativeFlops: bigint;
  readonly attestations: { flopsCap: bigint; maxSteps: bigint; checkpointDeadline: bigint };
  readonly root: bigint;
  readonly lastCheckpointAt: bigint;
  readonly designatedAt: bigint;
  /** The data-order beacon: the low 64 bits of the hash of beaconBlock (0: not drawn yet). */
  readonly beacon: bigint;
  /** The block whose hash is the beacon (registration block + 2). */
  readonly beaconBlock: bigint;
  /** The plan was found above the designation threshold in force. */
  readonly projectedToCross: boolean;
  readonly violations: readonly number[];
  /** Sampled mode (undefined: a full run, every step proven); `steps` then counts committed steps. */
  readonly sampling?: SamplingView;
}

/** A sampled run's terms and challenges. */
export interface SamplingView {
  readonly challengesPerWindow: number;
  readonly responseSeconds: number;
  /** Steps W per committed window. */
  readonly windowSteps: number;
  /** Challenges issued (drawn and paid). */
  readonly challenged: number;
  /** Challenges answered with a verified step proof: the proven steps. */
  readonly answered: number;
  /** Challenges flagged ChallengeUnanswered. */
  readonly unanswered: number;
  /** Challenges neither answered nor flagged yet. */
  readonly open: number;
}

/** A run's status by name. */
export const runStatus = (r: Pick<RunView, "status">): string => RUN_STATUS[r.status] ?? String(r.status);

/** Whether a run is designated: "yes", "projected" (its plan will cross the threshold) or "no". */
export const designation = (r: Pick<RunView, "designatedAt" | "projectedToCross">): "yes" | "projected" | "no" =>
  r.designatedAt !== 0n ? "yes" : r.projectedToCross ? "projected" : "no";

export function runJson(r: RunView): Record<string, unknown> {
  return {
    runId: r.runId.toString(),
    lab: r.lab,
    status: runStatus(r),
    family: r.family,
    specCommitment: hex64(r.specCommitment),
    steps: r.steps.toString(),
    plannedSteps: r.plannedSteps.toString(),
    cumulativeFlops: r.cumulativeFlops.toString(),
    attestations: {
      flopsCap: r.attestations.flopsCap.toString(),
      maxSteps: r.attestations.maxSteps.toString(),
      checkpointDeadline: r.attestations.checkpointDeadline.toString(),
    },
    root: hex64(r.root),
    lastCheckpointAt: r.lastCheckpointAt.toString(),
    designated: r.designatedAt !== 0n,
    designatedAt: r.designatedAt.toString(),
    projectedToCross: r.projectedToCross,
    beacon: r.beacon.toString(),
    beaconBlock: r.beaconBlock.toString(),
    violations: Object.fromEntries(VIOLATIONS.map((v, i) => [v.name, r.violations[i] ?? 0])),
    mode: r.sampling === undefined ? "full" : "sampled",
    ...(r.sampling === undefined ? {} : { sampling: { ...r.sampling } }),
  };
}

/** The run table. */
export function runTable(runs: readonly RunView[]): string[] {
  const header = [
    "run",
    "lab",
    "spec",
    "status",
    "steps",
    "FLOPs (cap)",
    "last root",
    "violations",
    "designated",
    "mode",
  ];
  const rows = runs.map((r) => {
    const v = r.violations
      .map((n, i) => (n > 0 ? `${VIOLATIONS[i]?.short ?? `kind ${i}`}×${n}` : ""))
      .filter(Boolean)
      .join(", ");
    return [
      r.runId.toString(),
      short(r.lab),
      short(r.specCommitment),
      runStatus(r),
      `${r.steps}/${r.plannedSteps}`,
      `${num(r.cumulativeFlops)} (${num(r.attestations.flopsCap)})`,
      short(r.root),
      v || "none",
      designation(r),
      r.sampling === undefined
        ? "full"
        : `sampled ${r.sampling.challengesPerWindow}/window: ${r.sampling.challenged} challenged, ${r.sampling.answered} proven, ${r.sampling.unanswered} unanswered, ${r.sampling.open} open`,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)];
}
