/**
 * Readable errors: a reverted registry call becomes its custom error's name
 * and arguments with a sentence saying what it means, never raw revert data.
 */
import { BaseError, ContractFunctionRevertedError } from "viem";

/** What each custom error of the registry (and the OpenZeppelin parts it is built on) means. */
export const ERROR_MEANINGS: Readonly<Record<string, string>> = {
  UnknownRun: "there is no run with this id",
  RunNotActive: "the run is no longer active: its lab closed it (status 2) or it proved its planned steps (status 3)",
  NotRunLab: "only the run's lab may do this (use --account with the lab's address)",
  UnknownFamily: "no circuit family with this id is registered",
  FamilyAlreadyRegistered: "families are never replaced",
  FamilyIsDeprecated: "the family accepts no new runs",
  InvalidFamily: "the verifiers' public-signal counts do not match the registry's layouts",
  InvalidStepsPerCheckpoint: "a family's K must be 1 to 65,535",
  SpecAlreadyRegistered: "this lab already registered this spec commitment (a lab registers a spec once)",
  ZeroCheckpointDeadline: "the checkpoint deadline must be at least one second",
  InvalidPlan: "the planned steps must be a positive multiple of the family's K, below 2^32",
  InvalidGenesisProof: "the genesis proof does not verify for this spec commitment, this lab and these facts",
  CheckpointOutOfOrder: "the checkpoint does not start at the run's proven step",
  CheckpointRootMismatch: "the checkpoint does not start from the run's last weights root",
  InvalidCheckpointProof: "the checkpoint proof does not verify for this run and claim",
  NoCheckpointYet: "the run has no checkpoint yet",
  DeadlineNotMissed: "no checkpoint window has passed its deadline unflagged yet (paused time does not count)",
  ZeroRoleAccount: "a role account is the zero address",
  NothingToReassess: "the run is already designated or below the threshold, and already projected or its plan below it",
  AccessControlUnauthorizedAccount: "the account lacks the role this call needs",
  AccessControlBadConfirmation: "an account can renounce only its own role",
  EnforcedPause: "the registry is paused",
  ExpectedPause: "the registry is not paused",
  AccessControlEnforcedDefaultAdminRules: "the admin role moves only by beginDefaultAdminTransfer, then accept",
  AccessControlEnforcedDefaultAdminDelay: "the admin transfer's delay has not passed yet",
  AccessControlInvalidDefaultAdmin: "this account is not the pending admin",
  TimelockUnexpectedOperationState:
    "the policy action is not ready: not scheduled, its delay not passed, or already done",
  TimelockInsufficientDelay: "a policy action must wait at least the timelock's delay",
  SafeCastOverflowedUintDowncast: "a time or delay does not fit OpenZeppelin's 48-bit admin schedule",
};

const show = (v: unknown): string =>
  typeof v === "bigint"
    ? v.toString()
    : typeof v === "string"
      ? v
      : JSON.stringify(v, (_, x: unknown) => (typeof x === "bigint" ? x.toString() : x));

/** The custom error of a reverted call, if it is one. */
export function customError(err: unknown): { name: string; args: readonly unknown[] } | undefined {
  const reverted = err instanceof BaseError ? err.walk((e) => e instanceof ContractFunctionRevertedError) : null;
  if (reverted instanceof ContractFunctionRevertedError && reverted.data?.errorName) {
    return { name: reverted.data.errorName, args: reverted.data.args ?? [] };
  }
  return undefined;
}

/** One line saying what went wrong. */
export function describeError(err: unknown): string {
  const c = customError(err);
  if (c) {
    const meaning = ERROR_MEANINGS[c.name];
    return `reverted with ${c.name}(${c.args.map(show).join(", ")})${meaning ? `: ${meaning}` : ""}`;
  }
  if (err instanceof BaseError) return err.shortMessage;
  return err instanceof Error ? err.message : String(err);
}
