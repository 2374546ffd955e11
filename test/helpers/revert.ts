/** Asserts that a contract call reverts with a given custom error (and arguments). */
import assert from "node:assert/strict";
import { BaseError, ContractFunctionRevertedError } from "viem";

/** The registry's sampled-mode errors: test/contracts/sampled.test.ts triggers each, registry.test.ts the others. */
export const SAMPLED_MODE_ERRORS: readonly string[] = [
  "NotSampledRun",
  "RunIsSampled",
  "FamilyCannotSample",
  "InvalidSampling",
  "WindowOutOfOrder",
  "InvalidRootPath",
  "UnknownWindow",
  "DrawTooEarly",
  "ChallengesAlreadyDrawn",
  "StepNotCommitted",
  "StepAlreadyChallenged",
  "PaidChallengesDisabled",
  "WrongChallengeFee",
  "ChallengeNotOpen",
  "AnswerTooLate",
  "ChallengeNotExpired",
  "InvalidStepProof",
  "NothingToWithdraw",
  "WithdrawalFailed",
  "InvalidSamplingPolicy",
];

/** The registry's chunked-step errors: test/chunk/chunked-registry.test.ts triggers each (with real chunk proofs). */
export const CHUNKED_STEP_ERRORS: readonly string[] = [
  "ChunkedStepsUnavailable",
  "NotASingleProof",
  "ChunkCountMismatch",
  "ChunkStatementsOutOfOrder",
  "InvalidChunkPath",
];

/**
 * Errors tested in the Solidity suite (test/contracts/solidity/SampledMode.t.sol): a reentrant withdrawal
 * (test_reentrantWithdrawalGetsNothingMore), the module called outside the registry and sampled mode
 * while paused (test_moduleRunsOnlyInsideTheRegistry, test_pauseStopsSampledModeButNotDraws), and a batch
 * for a family whose verifier has no batch entry point (TrainingRegistry.t.sol,
 * test_batchWithoutBatchVerifierRefused: every real adapter has one).
 */
export const SOLIDITY_TESTED_ERRORS: readonly string[] = [
  "ReentrancyGuardReentrantCall",
  "NotDelegated",
  "SampledModePaused",
  "BatchVerificationUnavailable",
];

/** Every custom error some test saw, so a suite can check that it triggered all of a contract's errors. */
export const triggeredErrors = new Set<string>();

export async function expectCustomError(
  call: Promise<unknown>,
  name: string,
  args?: readonly unknown[] | ((args: readonly unknown[]) => void),
): Promise<void> {
  try {
    await call;
  } catch (err) {
    const reverted = err instanceof BaseError ? err.walk((e) => e instanceof ContractFunctionRevertedError) : null;
    assert.ok(reverted instanceof ContractFunctionRevertedError, `expected a revert with ${name}, got: ${String(err)}`);
    assert.equal(reverted.data?.errorName, name);
    if (typeof args === "function") args(reverted.data.args ?? []);
    else if (args) assert.deepEqual(reverted.data.args, args);
    triggeredErrors.add(name);
    return;
  }
  assert.fail(`expected a revert with ${name}, but the call succeeded`);
}
