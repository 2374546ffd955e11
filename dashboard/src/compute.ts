/**
 * A lab's page (issue #29): observed against accounted compute per period, as a chart and a table, and the
 * UnaccountedCompute flags raised against it, from the observers' table's events. Pure functions of their
 * arguments, like views.ts; every value from the chain is escaped.
 */
import { eventSentence, num, short, type RegistryEvent, type RunView } from "../../client/read/format.js";
import { runHash } from "./route.js";
import { esc, utc } from "./views.js";

/** What an observer reported for one period, and where the report stands. */
export interface PeriodReport {
  readonly observer: string;
  readonly observed: bigint;
  readonly state: "relayed" | "reconciled" | "flagged";
}

/** One period of a lab: the compute it accounted for, and each observer's report. */
export interface LabPeriod {
  readonly start: bigint;
  readonly end: bigint;
  /** Accounted FLOPs in the period and its grace: as reconciled, else read from the ledger now (so far). */
  readonly accounted?: bigint;
  /** Whether `accounted` is final (a reconciliation recorded it) or the ledger's figure so far. */
  readonly accountedFinal: boolean;
  readonly reports: readonly PeriodReport[];
}

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** The lab's periods with reports, oldest first, from the observers' events; `accounted` fills the others. */
export function labPeriods(
  events: readonly RegistryEvent[],
  lab: string,
  accounted: ReadonlyMap<bigint, bigint> = new Map(),
): LabPeriod[] {
  const periods = new Map<bigint, { end: bigint; accounted?: bigint; reports: Map<string, PeriodReport> }>();
  for (const e of events) {
    if (e.eventName === "ComputeReported" && same(e.args.lab, lab)) {
      const p = periods.get(e.args.periodStart) ?? { end: e.args.periodEnd, reports: new Map() };
      p.reports.set(e.args.observer, { observer: e.args.observer, observed: e.args.observedFlops, state: "relayed" });
      periods.set(e.args.periodStart, p);
    }
    if (e.eventName === "ComputeReconciled" && same(e.args.lab, lab)) {
      const p = periods.get(e.args.periodStart);
      if (!p) continue;
      p.accounted = e.args.accountedFlops;
      const r = p.reports.get(e.args.observer);
      if (r) p.reports.set(e.args.observer, { ...r, state: e.args.flagged ? "flagged" : "reconciled" });
    }
  }
  return [...periods.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([start, p]) => {
      const so = p.accounted ?? accounted.get(start);
      return {
        start,
        end: p.end,
        ...(so === undefined ? {} : { accounted: so }),
        accountedFinal: p.accounted !== undefined,
        reports: [...p.reports.values()],
      };
    });
}

/** log10 of a non-negative bigint (0 for 0 and 1), exact enough for a chart whatever its size. */
export function log10(v: bigint): number {
  if (v <= 1n) return 0;
  const digits = v.toString().length;
  const lead = Number(v.toString().slice(0, 15));
  return Math.log10(lead) + (digits - Math.min(digits, 15));
}

/**
 * Grouped bars per period on a logarithmic scale (observed and accounted compute may differ by many orders of
 * magnitude, which is the point): accounted FLOPs, then each observer's observed FLOPs (red when flagged).
 */
export function computeChart(periods: readonly LabPeriod[]): string {
  if (periods.length === 0) return `<p class="muted">No observer has reported on this lab.</p>`;
  const W = 760;
  const H = 260;
  const pad = { l: 56, r: 16, t: 14, b: 40 };
  const values = periods.flatMap((p) => [p.accounted ?? 0n, ...p.reports.map((r) => r.observed)]);
  const top = Math.max(1, Math.ceil(Math.max(...values.map(log10))));
  const group = (W - pad.l - pad.r) / periods.length;
  const y = (v: bigint): number => H - pad.b - (log10(v) / top) * (H - pad.t - pad.b);
  const every = Math.ceil(top / 8);
  const ticks = Array.from({ length: Math.floor(top / every) + 1 }, (_, i) => i * every)
    .map((e) => {
      const at = (H - pad.b - (e / top) * (H - pad.t - pad.b)).toFixed(1);
      return (
        `<line x1="${pad.l}" x2="${W - pad.r}" y1="${at}" y2="${at}" stroke="#eef0f3"/>` +
        `<text x="${pad.l - 6}" y="${at}" text-anchor="end">10<tspan dy="-6" font-size="9">${e}</tspan></text>`
      );
    })
    .join("");
  const bars = periods
    .map((p, i) => {
      const n = 1 + p.reports.length;
      const bw = Math.min(28, (group * 0.8) / n);
      const x0 = pad.l + i * group + (group - bw * n) / 2;
      const bar = (j: number, v: bigint | undefined, cls: string, color: string, title: string, data: string) =>
        v === undefined
          ? ""
          : `<rect class="${cls}" ${data} x="${(x0 + j * bw).toFixed(1)}" y="${Math.min(y(v), H - pad.b - 1).toFixed(1)}" ` +
            `width="${(bw - 2).toFixed(1)}" height="${Math.max(1, H - pad.b - y(v)).toFixed(1)}" fill="${color}"><title>${esc(title)}</title></rect>`;
      const accounted = bar(
        0,
        p.accounted,
        "accounted",
        "#2453a6",
        `accounted ${num(p.accounted ?? 0n)} FLOPs${p.accountedFinal ? "" : " so far"}`,
        `data-period="${p.start}" data-flops="${p.accounted ?? ""}"`,
      );
      const observed = p.reports
        .map((r, j) =>
          bar(
            j + 1,
            r.observed,
            `observed ${r.state}`,
            r.state === "flagged" ? "#b3261e" : "#8a8f98",
            `observed by ${r.observer}: ${num(r.observed)} FLOPs (${r.state})`,
            `data-period="${p.start}" data-observer="${esc(r.observer)}" data-flops="${r.observed}" data-state="${r.state}"`,
          ),
        )
        .join("");
      const label = `<text x="${(pad.l + (i + 0.5) * group).toFixed(1)}" y="${H - pad.b + 16}" text-anchor="middle">${esc(utc(Number(p.start)).slice(0, 10))}</text>`;
      return accounted + observed + label;
    })
    .join("");
  return (
    `<svg class="chart" id="compute" viewBox="0 0 ${W} ${H}" role="img" aria-label="observed against accounted compute per period (log scale)">` +
    ticks +
    `<line x1="${pad.l}" x2="${pad.l}" y1="${pad.t}" y2="${H - pad.b}" stroke="#d8dde3"/>` +
    `<line x1="${pad.l}" x2="${W - pad.r}" y1="${H - pad.b}" y2="${H - pad.b}" stroke="#d8dde3"/>` +
    `${bars}</svg>`
  );
}

/** The lab's page: its compute chart and table, its UnaccountedCompute flags, its runs. */
export function labPage(
  lab: string,
  periods: readonly LabPeriod[],
  events: readonly RegistryEvent[],
  runs: readonly RunView[],
): string {
  const flags = events.filter((e) => e.eventName === "UnaccountedComputeFlagged" && same(e.args.lab, lab));
  const rows = periods
    .flatMap((p) =>
      p.reports.map(
        (r) =>
          `<tr data-period="${p.start}" data-observer="${esc(r.observer)}" data-state="${r.state}">` +
          `<td>${esc(utc(Number(p.start)))} → ${esc(utc(Number(p.end)))}</td>` +
          `<td class="mono" title="${esc(r.observer)}">${esc(short(r.observer))}</td>` +
          `<td>${esc(num(r.observed))}</td>` +
          `<td>${p.accounted === undefined ? "…" : `${esc(num(p.accounted))}${p.accountedFinal ? "" : " (so far)"}`}</td>` +
          `<td>${r.state === "flagged" ? `<span class="badge violation">UnaccountedCompute</span>` : esc(r.state)}</td></tr>`,
      ),
    )
    .join("");
  const frows = flags
    .map(
      (e) =>
        `<li data-event="UnaccountedComputeFlagged"><span class="badge violation">UnaccountedCompute</span> ${esc(eventSentence(e))}` +
        `<div class="muted">block ${e.blockNumber}</div></li>`,
    )
    .join("");
  const mine = runs.filter((r) => same(r.lab, lab));
  return (
    `<section id="lab" data-lab="${esc(lab)}"><h2>Lab <span class="mono">${esc(lab)}</span></h2>` +
    `<p>${mine.length} run(s): ${mine.map((r) => `<a href="${runHash(r.runId)}">run ${r.runId}</a>`).join(", ") || "none registered"}.</p></section>` +
    `<section><h2>Observed against accounted compute</h2>${computeChart(periods)}` +
    `<p class="legend">FLOPs on a logarithmic scale. Blue: FLOPs the lab accounted for (its checkpoints and committed windows recorded in the period and its grace); ` +
    `grey: an observer's report; red: a report that exceeded the tolerance and flagged the lab.</p>` +
    (rows
      ? `<table id="reports"><thead><tr><th>period</th><th>observer</th><th>observed FLOPs</th><th>accounted FLOPs</th><th>state</th></tr></thead><tbody>${rows}</tbody></table>`
      : "") +
    `</section>` +
    `<section><h2>UnaccountedCompute flags (${flags.length})</h2>` +
    (frows ? `<ul class="feed" id="lab-flags">${frows}</ul>` : `<p class="muted">None flagged.</p>`) +
    `</section>`
  );
}
