/**
 * How the registry's violations and run states are named and explained: one
 * table that the CLI, the watcher, the demo and the dashboard all read, so a
 * violation is called and explained the same way everywhere.
 */

/** ITrainingRegistry.ViolationKind, in enum order: name, abbreviation in tables, meaning. */
export const VIOLATIONS = [
  {
    name: "PlannedComputeAboveCap",
    short: "plan>cap",
    meaning: "the plan was already beyond the FLOPs cap at registration",
  },
  {
    name: "PlannedStepsAboveLimit",
    short: "plan>steps",
    meaning: "the plan was already beyond the step limit at registration",
  },
  {
    name: "ComputeCapExceeded",
    short: "cap",
    meaning: "proven FLOPs beyond the attested cap (flagged at each checkpoint)",
  },
  {
    name: "StepLimitExceeded",
    short: "steps",
    meaning: "proven steps beyond the attested maximum (flagged at each checkpoint)",
  },
  {
    name: "CheckpointDeadlineMissed",
    short: "deadline",
    meaning: "a checkpoint window passed its deadline unproven (paused time does not count)",
  },
  {
    name: "ChallengeUnanswered",
    short: "unanswered",
    meaning: "a sampled run's challenged step was not proven within the response time (paused time does not count)",
  },
] as const;

export type ViolationKind = (typeof VIOLATIONS)[number]["name"];

/** Violation kinds by enum index. */
export const VIOLATION_KINDS: readonly ViolationKind[] = VIOLATIONS.map((v) => v.name);

/** The kind's name for an enum index (or "kind N" for one this build does not know). */
export const violationName = (kind: unknown): string => VIOLATION_KINDS[Number(kind)] ?? `kind ${String(kind)}`;

/** ITrainingRegistry.ChallengeState, in enum order. */
export const CHALLENGE_STATE = ["None", "Open", "Answered", "Unanswered"] as const;

/** ITrainingRegistry.RunStatus, in enum order. */
export const RUN_STATUS = ["None", "Active", "Closed", "Completed"] as const;

/** What "designated" and "projected" mean. */
export const DESIGNATION_MEANINGS = {
  designated: "proven FLOPs crossed the designation threshold",
  projected: "the plan will cross the designation threshold when proven",
} as const;

/** The legend printed under the run table. */
export const VIOLATION_LEGEND =
  "violations: " +
  VIOLATIONS.map((v) => `${v.short} = ${v.meaning}`).join("; ") +
  `. designated: yes = ${DESIGNATION_MEANINGS.designated}; projected = ${DESIGNATION_MEANINGS.projected}`;
