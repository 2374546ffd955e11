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
  InvalidPlan:
    "the planned steps must be a positive multiple of the family's K (sampled mode: of the run's window W), below 2^32",
  InvalidGenesisProof: "the genesis proof does not verify for this spec commitment, this lab and these facts",
  CheckpointOutOfOrder: "the checkpoint does not start at the run's proven step",
  CheckpointRootMismatch: "the checkpoint does not start from the run's last weights root",
  InvalidCheckpointProof: "the checkpoint proof does not verify for this run and claim",
  NoCheckpointYet: "the run has no checkpoint yet",
  BeaconNotDrawn:
    "the run's data-order beacon is not drawn yet: anyone may draw it once its block exists (`register` does)",
  BeaconAlreadyDrawn: "the run's beacon is drawn already",
  BeaconTooEarly: "the beacon's block (two after registration) is not mined yet",
  BeaconExpired:
    "nobody drew the beacon within 256 blocks of its block: it is lost and never replaced, so the run can never be proven",
  DeadlineNotMissed: "no checkpoint window has passed its deadline unflagged yet (paused time does not count)",
  ZeroRoleAccount: "a role account is the zero address",
  ZeroModule: "the families table or the sampled-mode module is the zero address",
  ZeroPolicyAccount: "the families table's policy account is the zero address",
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
  NotSampledRun: "this run proves every step (full mode): it has no windows or challenges",
  RunIsSampled: "this run is in sampled mode: it commits windows (`commit`) instead of submitting checkpoints",
  FamilyCannotSample: "the family has no step verifier, so it accepts no sampled runs",
  InvalidSampling:
    "the window must be 1 to 1,024 steps, the challenges per window 1 to min(W, 64) and at least the policy's minimum, " +
    "and the response time within the policy's bounds (`status` shows the policy)",
  InvalidSamplingPolicy:
    "a sampling policy needs a minimum of 1 to 64 challenges, a fee of 0 or at least 10^12 wei, and response bounds " +
    "1 <= min <= max <= 30 days",
  WindowOutOfOrder: "the window does not start at the run's committed steps",
  InvalidRootPath: "a Merkle path does not open the committed roots tree at this leaf",
  UnknownWindow: "the window is not committed, or not with this root and block",
  DrawTooEarly: "the block whose hash seeds the draw is not mined yet (the draw needs the block after it)",
  ChallengesAlreadyDrawn: "the window's challenges are drawn already",
  StepNotCommitted: "the step is not committed yet",
  StepAlreadyChallenged: "the step is challenged already",
  PaidChallengesDisabled: "paid challenges are off (the policy's fee is zero)",
  WrongChallengeFee: "a paid challenge must send exactly the policy's fee",
  ChallengeNotOpen: "the step has no open challenge (state 0: none, 2: answered, 3: flagged unanswered)",
  AnswerTooLate: "the challenge's deadline has passed: it can only be flagged now",
  ChallengeNotExpired:
    "the challenge's deadline has not passed yet (deadlines queue one response time apart; paused time does not count)",
  InvalidStepProof: "the step proof does not verify for this run, step and roots",
  NothingToWithdraw: "the account has no credit to withdraw",
  WithdrawalFailed: "the account refused the payment; its credit is kept",
  ReentrancyGuardReentrantCall: "a withdrawal cannot be re-entered",
  NotDelegated: "the SampledMode module runs only inside the registry: call the registry's address",
  SampledModePaused: "the registry is paused (draws and withdrawals still work)",
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
