/** Asserts that a contract call reverts with a given custom error (and arguments). */
import assert from "node:assert/strict";
import { BaseError, ContractFunctionRevertedError } from "viem";

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
