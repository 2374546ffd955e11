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
