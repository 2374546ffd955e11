/** Asserts that a contract call reverts with a given custom error (and arguments). */
import assert from "node:assert/strict";
import { BaseError, ContractFunctionRevertedError } from "viem";

export async function expectCustomError(
  call: Promise<unknown>,
  name: string,
  args?: readonly unknown[],
): Promise<void> {
  try {
    await call;
  } catch (err) {
    const reverted = err instanceof BaseError ? err.walk((e) => e instanceof ContractFunctionRevertedError) : null;
    assert.ok(reverted instanceof ContractFunctionRevertedError, `expected a revert with ${name}, got: ${String(err)}`);
    assert.equal(reverted.data?.errorName, name);
    if (args) assert.deepEqual(reverted.data.args, args);
    return;
  }
  assert.fail(`expected a revert with ${name}, but the call succeeded`);
}
