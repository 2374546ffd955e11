/**
 * Observers' compute reports (issue #29): the EIP-712 type an observer signs,
 * signing and relaying a report, reconciling it with the registry's compute
 * ledger, and the policy actions (add or retire an observer, set the
 * reconciliation policy) taken through the PolicyTimelock. The CLI, the demo,
 * the bench and the tests all go through here.
 */
import type { HardhatViemHelpers } from "@nomicfoundation/hardhat-viem/types";
import {
  getAddress,
  keccak256,
  stringToHex,
  type Address,
  type Hash,
  type Hex,
  type LocalAccount,
  type WalletClient,
} from "viem";
import type { Logger } from "../prover/proving/log.js";
import { policyCall, throughTimelock, type PolicyActionState } from "./governance.js";

/** The EIP-712 domain's name and version (ComputeObservers' constructor). */
export const REPORT_DOMAIN = { name: "ComputeObservers", version: "1" } as const;

/** The EIP-712 types of a report (IComputeObservers.ComputeReport). */
export const REPORT_TYPES = {
  ComputeReport: [
    { name: "lab", type: "address" },
    { name: "periodStart", type: "uint64" },
    { name: "periodEnd", type: "uint64" },
    { name: "observedFlops", type: "uint256" },
    { name: "evidenceHash", type: "bytes32" },
  ],
} as const;

/** What an observer reports (IComputeObservers.ComputeReport). */
export interface ComputeReport {
  readonly lab: Address;
  readonly periodStart: bigint;
  readonly periodEnd: bigint;
  readonly observedFlops: bigint;
  readonly evidenceHash: Hex;
}

/** A report with its signature, as written to and read from a report file. */
export interface SignedReport {
  readonly report: ComputeReport;
  readonly signature: Hex;
  /** Where it was signed for: relaying it elsewhere fails (the signature recovers to an unknown observer). */
  readonly chainId: number;
  readonly observers: Address;
  readonly observer: Address;
}

/** Where a report stands (IComputeObservers.ReportState). */
export const REPORT_STATE = ["none", "relayed", "reconciled", "flagged"] as const;

/** The report's period: the epoch that contains `at` (unix seconds), or the one before it with `previous`. */
export function periodOf(at: bigint, epochSeconds: bigint, previous = false): { start: bigint; end: bigint } {
  const start = (at / epochSeconds - (previous ? 1n : 0n)) * epochSeconds;
  return { start, end: start + epochSeconds };
}

/** Signs a report for the ComputeObservers contract at `observers` on chain `chainId`. */
export async function signReport(
  signer: LocalAccount | { wallet: WalletClient; account: Address },
  observers: Address,
  chainId: number,
  report: ComputeReport,
): Promise<SignedReport> {
  const typed = {
    domain: { ...REPORT_DOMAIN, chainId, verifyingContract: observers },
    types: REPORT_TYPES,
    primaryType: "ComputeReport" as const,
    message: report,
  };
  const signature =
    "signTypedData" in signer
      ? await signer.signTypedData(typed)
      : await signer.wallet.signTypedData({ ...typed, account: signer.account });
  const observer = getAddress("address" in signer ? signer.address : signer.account);
  return { report, signature, chainId, observers: getAddress(observers), observer };
}

/** An evidence hash: keccak256 of the evidence's bytes (the evidence itself stays with the observer). */
export const evidenceHashOf = (evidence: string | Uint8Array): Hex =>
  keccak256(typeof evidence === "string" ? stringToHex(evidence) : evidence);

/** JSON for a signed report (bigints as decimal strings). */
export function signedReportJson(s: SignedReport): string {
  return JSON.stringify(s, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2) + "\n";
}

/** A signed report read back from its JSON; throws, naming the field, on anything else. */
export function parseSignedReport(text: string, file: string): SignedReport {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file} is not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  const o = raw as Record<string, unknown>;
  const r = (o.report ?? {}) as Record<string, unknown>;
  const need = (ok: boolean, what: string): void => {
    if (!ok) throw new Error(`${file} is not a signed report: ${what}`);
  };
  const isHex = (v: unknown, bytes?: number): v is Hex =>
    typeof v === "string" && /^0x[0-9a-fA-F]*$/.test(v) && (bytes === undefined || v.length === 2 + 2 * bytes);
  const uint = (v: unknown, what: string): bigint => {
    need(typeof v === "string" && /^\d+$/.test(v), `${what} must be a decimal string`);
    return BigInt(v as string);
  };
  need(isHex(r.lab, 20), "report.lab must be an address");
  need(isHex(r.evidenceHash, 32), "report.evidenceHash must be 32 bytes of hex");
  need(isHex(o.signature, 65), "signature must be 65 bytes of hex");
  need(isHex(o.observers, 20) && isHex(o.observer, 20), "observers and observer must be addresses");
  need(typeof o.chainId === "number", "chainId must be a number");
  return {
    report: {
      lab: getAddress(r.lab as string),
      periodStart: uint(r.periodStart, "report.periodStart"),
      periodEnd: uint(r.periodEnd, "report.periodEnd"),
      observedFlops: uint(r.observedFlops, "report.observedFlops"),
      evidenceHash: r.evidenceHash as Hex,
    },
    signature: o.signature as Hex,
    chainId: o.chainId as number,
    observers: getAddress(o.observers as string),
    observer: getAddress(o.observer as string),
  };
}

type Observers = Awaited<ReturnType<typeof observersContract>>;

type Wallet = Awaited<ReturnType<HardhatViemHelpers["getWalletClients"]>>[number];

/** The ComputeObservers contract at `address`, writing with `wallet` (default the first account). */
export async function observersContract(viem: HardhatViemHelpers, address: Address, wallet?: Wallet) {
  return viem.getContractAt("ComputeObservers", address, wallet ? { client: { wallet } } : {});
}

/** Relays a signed report (anyone may); returns the transaction. */
export async function relayReport(observers: Observers, s: SignedReport, account?: Address): Promise<Hash> {
  return observers.write.submitReport([s.report, s.signature], account ? { account } : {});
}

/** The timelock salt of a policy action on the observers' table: one operation per action and argument. */
export const observerSalt = (action: string, arg: string) => keccak256(stringToHex(`vtr/observers/${action}/${arg}`));

/**
 * A policy action on the observers' table through the timelock (schedule, or execute once ready): add or retire
 * an observer. Running it again continues where it stopped. (The reconciliation policy is set through the
 * timelock too, with client/governance.ts's policyCall: it has no command of its own.)
 */
export async function observerPolicyAction(
  viem: HardhatViemHelpers,
  where: { timelock: Address; observers: Address },
  action: { kind: "add"; signer: Address; name: string; evidenceKind: string } | { kind: "retire"; signer: Address },
  proposer: Address,
  log: Logger,
): Promise<{ state: PolicyActionState; readyAt?: bigint }> {
  const table = await observersContract(viem, where.observers);
  const target = { address: where.observers, abi: table.abi };
  const call =
    action.kind === "add"
      ? policyCall(
          where.timelock,
          target,
          "addObserver",
          [action.signer, action.name, action.evidenceKind],
          observerSalt("add", action.signer),
        )
      : policyCall(where.timelock, target, "retireObserver", [action.signer], observerSalt("retire", action.signer));
  const what = `${action.kind === "add" ? "adding" : "retiring"} observer ${action.signer}`;
  return throughTimelock(viem, call, proposer, log, what);
}
