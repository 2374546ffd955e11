/**
 * Policy actions through the PolicyTimelock (issue #17): a call to the
 * registry is scheduled publicly (CallScheduled), waits the timelock's delay,
 * then anyone executes it. Used by the tests and the benchmark.
 */
import type { HardhatViemHelpers } from "@nomicfoundation/hardhat-viem/types";
import {
  encodeFunctionData,
  keccak256,
  stringToHex,
  zeroHash,
  type Abi,
  type Address,
  type Hash,
  type Hex,
} from "viem";
import { mined } from "./tx.js";

export interface PolicyCall {
  readonly timelock: Address;
  readonly target: Address;
  readonly data: Hex;
  /** Distinguishes identical calls scheduled more than once. */
  readonly salt: Hex;
}

/** A registry call as a timelock operation. */
export function policyCall(
  timelock: Address,
  registry: { address: Address; abi: Abi },
  functionName: string,
  args: readonly unknown[],
  salt = keccak256(stringToHex(`${functionName}:${Date.now()}:${Math.random()}`)),
): PolicyCall {
  const data = encodeFunctionData({ abi: registry.abi, functionName, args: [...args] });
  return { timelock, target: registry.address, data, salt };
}

/** Schedules the call (proposer only); it can be executed `delay` seconds later. */
export async function schedulePolicyCall(
  viem: HardhatViemHelpers,
  call: PolicyCall,
  delay: bigint,
  account?: Address,
): Promise<Hash> {
  const lock = await viem.getContractAt("PolicyTimelock", call.timelock);
  return lock.write.schedule([call.target, 0n, call.data, zeroHash, call.salt, delay], account ? { account } : {});
}

/** Executes a scheduled call whose delay has passed (anyone). */
export async function executePolicyCall(viem: HardhatViemHelpers, call: PolicyCall, account?: Address): Promise<Hash> {
  const lock = await viem.getContractAt("PolicyTimelock", call.timelock);
  return lock.write.execute([call.target, 0n, call.data, zeroHash, call.salt], account ? { account } : {});
}

/** Where a policy action through the timelock stands after `throughTimelock`. */
export type PolicyActionState = "executed" | "scheduled" | "waiting";

/**
 * A policy action taken as far as it can go now: scheduled (with the timelock's delay) unless it is already,
 * then executed if its delay has passed. The same call with the same salt continues where the last one stopped,
 * so a command can simply be run again once the delay is over.
 */
export async function throughTimelock(
  viem: HardhatViemHelpers,
  call: PolicyCall,
  account: Address,
  log: { info(line: string): void },
  what: string,
): Promise<{ state: PolicyActionState; readyAt?: bigint }> {
  const publicClient = await viem.getPublicClient();
  const lock = await viem.getContractAt("PolicyTimelock", call.timelock);
  const op = await lock.read.hashOperation([call.target, 0n, call.data, zeroHash, call.salt]);
  if (await lock.read.isOperationDone([op])) return { state: "executed" };
  let scheduled = false;
  if (!(await lock.read.isOperation([op]))) {
    const delay = await lock.read.getMinDelay();
    log.info(`scheduling ${what} in the policy timelock (delay ${delay} s)`);
    await mined(publicClient, await schedulePolicyCall(viem, call, delay, account), `schedule ${what}`);
    scheduled = true;
  }
  if (!(await lock.read.isOperationReady([op])))
    return { state: scheduled ? "scheduled" : "waiting", readyAt: await lock.read.getTimestamp([op]) };
  log.info(`executing ${what}`);
  await mined(publicClient, await executePolicyCall(viem, call, account), `execute ${what}`);
  return { state: "executed" };
}
