/** Observer commands (issue #29): observer add|retire, report, reconcile, observers. */
import { readFile, writeFile } from "node:fs/promises";
import { getAddress, parseEventLogs, type Address, type Hex } from "viem";
import { readEvents } from "../../client/read/events.js";
import { iso, LEDGER_DAY, num } from "../../client/read/format.js";
import {
  evidenceHashOf,
  observerPolicyAction,
  parseSignedReport,
  periodOf,
  relayReport,
  REPORT_STATE,
  signReport,
  signedReportJson,
  type SignedReport,
} from "../../client/observers.js";
import { mined } from "../../client/tx.js";
import { requireObservers } from "../../client/connect.js";
import { out, log, onRun, type Common } from "./common.js";

async function policyAction(
  o: Common,
  action: Parameters<typeof observerPolicyAction>[2],
  done: string,
): Promise<void> {
  const { d, chain, wallet } = await onRun(o);
  const timelock = d.contracts.PolicyTimelock?.address;
  const observers = d.contracts.ComputeObservers?.address;
  if (!timelock || !observers) throw new Error(`the "${d.network}" record has no timelock or observers' table`);
  const r = await observerPolicyAction(
    chain.conn.viem,
    { timelock, observers },
    action,
    getAddress(wallet.account.address),
    log("observer"),
  );
  if (r.state === "executed") {
    out(done);
    return;
  }
  out(
    `${action.kind === "add" ? "adding" : "retiring"} observer ${action.signer}: scheduled in the policy timelock, ` +
      `executable from ${iso(r.readyAt ?? 0n)}; run this command again then to execute it`,
  );
}

export async function observerAdd(o: Common & { signer: Address; name: string; kind: string }): Promise<void> {
  const signer = getAddress(o.signer);
  await policyAction(
    o,
    { kind: "add", signer, name: o.name, evidenceKind: o.kind },
    `observer ${signer} (${o.name}, ${o.kind}) is registered`,
  );
}

export async function observerRetire(o: Common & { signer: Address }): Promise<void> {
  const signer = getAddress(o.signer);
  await policyAction(o, { kind: "retire", signer }, `observer ${signer} is retired`);
}

export async function report(
  o: Common & {
    lab?: Address;
    flops?: bigint;
    periodStart?: bigint;
    evidence?: string;
    evidenceHash?: Hex;
    out?: string;
    relay: boolean;
    file?: string;
  },
): Promise<void> {
  if (!o.relay && (o.file !== undefined || o.out === undefined))
    throw new Error("--no-relay signs a report and keeps it in --out: give --out, and not --file");
  const r = await onRun(o);
  const { publicClient, wallet, d } = r;
  const observers = requireObservers(r, o.network);
  let signed: SignedReport;
  if (o.file !== undefined) {
    if (o.lab !== undefined || o.flops !== undefined)
      throw new Error("--file relays a signed report: omit --lab and --flops");
    signed = parseSignedReport(await readFile(o.file, "utf8"), o.file);
    if (signed.chainId !== d.chainId || signed.observers !== getAddress(observers.address))
      throw new Error(
        `${o.file} was signed for the observers' table ${signed.observers} on chain ${signed.chainId}, ` +
          `not this deployment's (${observers.address} on chain ${d.chainId}): it would be refused`,
      );
  } else {
    if (o.lab === undefined || o.flops === undefined) throw new Error("give --lab and --flops (or --file to relay)");
    if ((o.evidence === undefined) === (o.evidenceHash === undefined))
      throw new Error("give exactly one of --evidence <file> and --evidence-hash <0x…>");
    const evidenceHash = o.evidenceHash ?? evidenceHashOf(await readFile(o.evidence!));
    const policy = await observers.read.reconciliationPolicy();
    const head = await publicClient.getBlock();
    const p =
      o.periodStart !== undefined
        ? { start: o.periodStart, end: o.periodStart + policy.epochSeconds }
        : periodOf(head.timestamp, policy.epochSeconds, true);
    signed = await signReport({ wallet, account: getAddress(wallet.account.address) }, observers.address, d.chainId, {
      lab: getAddress(o.lab),
      periodStart: p.start,
      periodEnd: p.end,
      observedFlops: o.flops,
      evidenceHash,
    });
    out(
      `signed by ${signed.observer}: lab ${signed.report.lab} used ${num(signed.report.observedFlops)} FLOPs in ` +
        `${iso(p.start)} .. ${iso(p.end)} (evidence ${evidenceHash})`,
    );
    if (o.out !== undefined) {
      await writeFile(o.out, signedReportJson(signed));
      out(`written to ${o.out} (anyone can relay it: \`report --file ${o.out}\`)`);
    }
    if (!o.relay) return;
  }
  const receipt = await mined(publicClient, await relayReport(observers, signed), "submitReport");
  out(
    `report of ${signed.observer} on lab ${signed.report.lab} for the period from ${iso(signed.report.periodStart)} ` +
      `relayed in block ${receipt.blockNumber} (${receipt.gasUsed} gas)`,
  );
}

/** The relayed reports of the observers' table, from its events. */
async function relayedReports(r: Awaited<ReturnType<typeof onRun>>) {
  const observers = requireObservers(r, r.d.network);
  const entry = r.d.contracts.ComputeObservers!;
  const head = await r.publicClient.getBlockNumber();
  const events = await readEvents(r.publicClient, observers.address, observers.abi, BigInt(entry.block), head);
  const reports = [];
  for (const e of events)
    if (e.eventName === "ComputeReported")
      reports.push({
        observer: e.args.observer,
        lab: e.args.lab,
        periodStart: e.args.periodStart,
        periodEnd: e.args.periodEnd,
      });
  return reports;
}

export async function reconcile(
  o: Common & { observer?: Address; lab?: Address; periodStart?: bigint },
): Promise<void> {
  const r = await onRun(o);
  const { publicClient } = r;
  const observers = requireObservers(r, o.network);
  const given = [o.observer, o.lab, o.periodStart].filter((x) => x !== undefined).length;
  if (given !== 0 && given !== 3)
    throw new Error("give all of --observer, --lab and --period-start, or none (every report whose grace is over)");
  const policy = await observers.read.reconciliationPolicy();
  const now = (await publicClient.getBlock()).timestamp;
  const targets =
    given === 3
      ? [{ observer: getAddress(o.observer!), lab: getAddress(o.lab!), periodStart: o.periodStart! }]
      : (await relayedReports(r)).filter((x) => x.periodEnd + policy.graceSeconds <= now);
  let done = 0;
  for (const t of targets) {
    const stored = await observers.read.getReport([t.observer, t.lab, t.periodStart]);
    if (given !== 3 && REPORT_STATE[stored.state] !== "relayed") continue;
    const receipt = await mined(
      publicClient,
      await observers.write.reconcile([t.observer, t.lab, t.periodStart]),
      "reconcile",
    );
    for (const e of parseEventLogs({ abi: observers.abi, logs: receipt.logs, eventName: "ComputeReconciled" })) {
      const a = e.args;
      out(
        `lab ${a.lab}, period from ${iso(a.periodStart)}, observer ${a.observer}: observed ${num(a.observedFlops)}, ` +
          `accounted ${num(a.accountedFlops)}, allowed ${num(a.allowedFlops)} FLOPs: ` +
          (a.flagged ? "FLAGGED UnaccountedCompute" : "within tolerance"),
      );
    }
    done++;
  }
  if (given !== 3) out(`${done} report(s) reconciled`);
}

export async function observersCommand(o: Common & { json: boolean }): Promise<void> {
  const r = await onRun(o);
  const { registry, d } = r;
  const observers = requireObservers(r, o.network);
  const policy = await observers.read.reconciliationPolicy();
  const entry = d.contracts.ComputeObservers!;
  const events = await readEvents(
    r.publicClient,
    observers.address,
    observers.abi,
    BigInt(entry.block),
    await r.publicClient.getBlockNumber(),
  );
  const signers = [...new Set(events.flatMap((e) => (e.eventName === "ObserverAdded" ? [e.args.signer] : [])))];
  const list = await Promise.all(signers.map(async (s) => ({ signer: s, ...(await observers.read.getObserver([s])) })));
  const day = LEDGER_DAY;
  const reports = await Promise.all(
    (await relayedReports(r)).map(async (x) => {
      const stored = await observers.read.getReport([x.observer, x.lab, x.periodStart]);
      const end = x.periodEnd;
      const accounted = await registry.read.accountedCompute([
        x.lab,
        x.periodStart / day,
        (end + policy.graceSeconds) / day,
      ]);
      return {
        ...x,
        observedFlops: stored.observedFlops,
        accountedFlops: accounted,
        state: REPORT_STATE[stored.state],
      };
    }),
  );
  if (o.json) {
    out(
      JSON.stringify(
        { policy, observers: list, reports },
        (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v),
        2,
      ),
    );
    return;
  }
  out(
    `reconciliation: periods of ${policy.epochSeconds} s, grace ${policy.graceSeconds} s, flag above accounted x ` +
      `${policy.toleranceBps / 10_000} + ${num(policy.allowanceFlops)} FLOPs`,
  );
  for (const x of list)
    out(
      `observer ${x.signer}: ${x.name} (${x.kind}), added ${iso(BigInt(x.addedAt))}` +
        (x.retiredAt === 0 ? "" : `, retired ${iso(BigInt(x.retiredAt))}`),
    );
  if (list.length === 0) out("no observers (add one with `observer add`)");
  for (const x of reports)
    out(
      `lab ${x.lab}, period from ${iso(x.periodStart)}: observer ${x.observer} saw ${num(x.observedFlops)} FLOPs, ` +
        `accounted ${num(x.accountedFlops)} (period and grace so far): ${x.state}`,
    );
}
