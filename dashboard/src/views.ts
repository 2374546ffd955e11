/**
 * What the page shows, as HTML built from the registry's state: pure
 * functions of their arguments (no fetching, no DOM). Names, meanings and
 * number formats come from client/read/, the same rules the CLI prints with.
 * Every value from the chain is escaped.
 */
import {
  designation,
  eventId,
  eventRunId,
  eventSentence,
  hex64,
  num,
  runStatus as status,
  short,
  type RegistryEvent,
  type RunView,
} from "../../client/read/format.js";
import type { TimelinePoint } from "../../client/read/runs.js";
import { DESIGNATION_MEANINGS, VIOLATIONS, violationName } from "../../client/read/violations.js";
import { labHash, runHash, runsHash, type Filters } from "./route.js";

export const esc = (x: unknown): string => String(x).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Whether a run passes the filters. */
export function runMatches(r: RunView, f: Filters): boolean {
  if (f.lab && r.lab.toLowerCase() !== f.lab) return false;
  if (f.family && r.family !== f.family) return false;
  if (f.kind) {
    const i = VIOLATIONS.findIndex((v) => v.name === f.kind);
    if ((r.violations[i] ?? 0) === 0) return false;
  }
  return true;
}

/** The events the live feed shows: violations, designations and projections. */
export const FEED_EVENTS: ReadonlySet<string> = new Set([
  "ViolationFlagged",
  "RunDesignated",
  "RunProjectedToCrossThreshold",
  "UnaccountedComputeFlagged",
]);

/** What UnaccountedCompute means (a violation of a lab, not of a run: issue #29). */
export const UNACCOUNTED_MEANING =
  "an independent observer saw the lab use more compute in a period than its checkpoints and committed windows account for, beyond the policy's tolerance";

/** Whether a feed event passes the filters (its run's lab and family; the kind of a violation). */
export function eventMatches(e: RegistryEvent, runs: ReadonlyMap<bigint, RunView>, f: Filters): boolean {
  if (e.eventName === "UnaccountedComputeFlagged")
    return !f.family && !f.kind && (!f.lab || e.args.lab.toLowerCase() === f.lab);
  const id = eventRunId(e);
  const run = id === undefined ? undefined : runs.get(id);
  if (f.lab && run?.lab.toLowerCase() !== f.lab) return false;
  if (f.family && run?.family !== f.family) return false;
  if (f.kind && (e.eventName !== "ViolationFlagged" || violationName(e.args.kind) !== f.kind)) return false;
  return true;
}

/** FLOPs as a bar scaled to the largest of FLOPs, cap and threshold, with the cap and the threshold marked. */
export function flopsBar(r: RunView, threshold: bigint): string {
  const cap = r.attestations.flopsCap;
  const scale = [r.cumulativeFlops, cap, threshold].reduce((a, b) => (b > a ? b : a), 1n);
  const pct = (x: bigint): string => `${((Number(x) / Number(scale)) * 100).toFixed(2)}%`;
  const over = r.cumulativeFlops > cap;
  const marks = [
    `<span class="mark cap" style="left:${pct(cap)}" title="cap ${esc(num(cap))} FLOPs"></span>`,
    threshold > 0n
      ? `<span class="mark threshold" style="left:${pct(threshold)}" title="designation threshold ${esc(num(threshold))} FLOPs"></span>`
      : "",
  ].join("");
  return (
    `<div class="flops"><div class="bar" role="img" aria-label="${esc(num(r.cumulativeFlops))} of ${esc(num(cap))} FLOPs">` +
    `<span class="fill${over ? " over" : ""}" style="width:${pct(r.cumulativeFlops)}"></span>${marks}</div>` +
    `<span class="mono">${esc(num(r.cumulativeFlops))} / cap ${esc(num(cap))}</span></div>`
  );
}

/** A run's violations by kind, as badges (with each kind's meaning as the title). */
export function violationBadges(r: RunView): string {
  const badges = VIOLATIONS.map((v, i) => {
    const n = r.violations[i] ?? 0;
    return n > 0
      ? `<span class="badge violation" data-kind="${v.name}" title="${esc(v.meaning)}">${esc(v.short)}×${n}</span>`
      : "";
  }).join("");
  return badges || `<span class="badge ok">none</span>`;
}

function designationBadge(r: RunView): string {
  const d = designation(r);
  if (d === "no") return `<span class="muted">no</span>`;
  const title = d === "yes" ? DESIGNATION_MEANINGS.designated : DESIGNATION_MEANINGS.projected;
  return `<span class="badge designated" title="${esc(title)}">${d}</span>`;
}

/** The filter controls; each change rewrites the URL. */
export function filterBar(runs: readonly RunView[], f: Filters): string {
  const labs = [...new Set(runs.map((r) => r.lab))].sort();
  const families = [...new Set(runs.map((r) => r.family))].sort();
  const option = (value: string, label: string, selected: boolean): string =>
    `<option value="${esc(value)}"${selected ? " selected" : ""}>${esc(label)}</option>`;
  const select = (name: string, label: string, options: string): string =>
    `<label>${label}<select name="${name}" data-filter="${name}">${options}</select></label>`;
  return (
    `<form class="filters" id="filters">` +
    select(
      "lab",
      "Lab",
      option("", "every lab", !f.lab) + labs.map((l) => option(l.toLowerCase(), l, f.lab === l.toLowerCase())).join(""),
    ) +
    select(
      "family",
      "Family",
      option("", "every family", !f.family) + families.map((x) => option(x, x, f.family === x)).join(""),
    ) +
    select(
      "kind",
      "Violation",
      option("", "any or none", !f.kind) +
        VIOLATIONS.map((v) => option(v.name, `${v.name} (${v.short})`, f.kind === v.name)).join(""),
    ) +
    (f.lab || f.family || f.kind ? `<a href="${runsHash({})}">clear filters</a>` : "") +
    `</form>`
  );
}

/** The runs table. Each row carries the raw values it shows (data-*), for scripts that read the page. */
export function runsTable(runs: readonly RunView[], threshold: bigint, f: Filters): string {
  const shown = runs.filter((r) => runMatches(r, f));
  const rows = shown
    .map((r) => {
      const data = {
        run: r.runId.toString(),
        lab: r.lab,
        family: r.family,
        status: status(r),
        steps: r.steps.toString(),
        planned: r.plannedSteps.toString(),
        flops: r.cumulativeFlops.toString(),
        cap: r.attestations.flopsCap.toString(),
        violations: JSON.stringify(Object.fromEntries(VIOLATIONS.map((v, i) => [v.name, r.violations[i] ?? 0]))),
        designated: String(r.designatedAt !== 0n),
        projected: String(r.projectedToCross),
      };
      const attrs = Object.entries(data)
        .map(([k, v]) => `data-${k}="${esc(v)}"`)
        .join(" ");
      return (
        `<tr ${attrs}>` +
        `<td><a href="${runHash(r.runId)}">${r.runId}</a></td>` +
        `<td class="mono" title="${esc(r.lab)}"><a href="${labHash(r.lab)}">${esc(short(r.lab))}</a></td>` +
        `<td>${esc(r.family)}</td>` +
        `<td>${esc(status(r))}</td>` +
        `<td class="mono">${r.steps}/${r.plannedSteps}${r.sampling === undefined ? "" : ` <span class="muted" title="sampled mode: committed steps; challenged steps proven">sampled, ${r.sampling.answered}/${r.sampling.challenged} proven</span>`}</td>` +
        `<td>${flopsBar(r, threshold)}</td>` +
        `<td>${violationBadges(r)}</td>` +
        `<td>${designationBadge(r)}</td>` +
        `</tr>`
      );
    })
    .join("");
  const head = ["run", "lab", "family", "status", "steps", "cumulative FLOPs (cap)", "violations", "designated"]
    .map((h) => `<th>${h}</th>`)
    .join("");
  const empty =
    runs.length === 0
      ? `<p class="muted">No runs registered yet.</p>`
      : shown.length === 0
        ? `<p class="muted">No run matches these filters.</p>`
        : "";
  return (
    `<table id="runs"><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table>${empty}` +
    `<p class="legend">Showing ${shown.length} of ${runs.length} runs. Bar: proven FLOPs; red mark: the lab's cap; ` +
    `amber mark: the designation threshold (${threshold > 0n ? `${esc(num(threshold))} FLOPs` : "none set"}). ` +
    VIOLATIONS.map((v) => `${esc(v.short)} = ${esc(v.meaning)}`).join("; ") +
    `.</p>`
  );
}

/** One feed item. */
export function feedItem(e: RegistryEvent, isNew: boolean): string {
  if (e.eventName === "UnaccountedComputeFlagged")
    return (
      `<li class="${isNew ? "new" : ""}" data-event="${esc(e.eventName)}" data-kind="UnaccountedCompute" ` +
      `data-lab="${esc(e.args.lab)}" data-id="${esc(eventId(e))}">` +
      `<span class="badge violation">UnaccountedCompute</span> ` +
      `<a href="${labHash(e.args.lab)}">lab ${esc(short(e.args.lab))}</a> · ${esc(eventSentence(e))}` +
      `<div class="muted">block ${e.blockNumber} · reporter <span class="mono" data-reporter="${esc(e.args.reporter)}">${esc(e.args.reporter)}</span> · ${esc(UNACCOUNTED_MEANING)}</div></li>`
    );
  const runId = eventRunId(e);
  const kind = e.eventName === "ViolationFlagged" ? violationName(e.args.kind) : e.eventName;
  const meaning =
    e.eventName === "ViolationFlagged"
      ? (VIOLATIONS.find((v) => v.name === kind)?.meaning ?? "")
      : e.eventName === "RunDesignated"
        ? DESIGNATION_MEANINGS.designated
        : DESIGNATION_MEANINGS.projected;
  const reporter =
    e.eventName === "ViolationFlagged"
      ? ` · reporter <span class="mono" data-reporter="${esc(e.args.reporter)}">${esc(e.args.reporter)}</span>`
      : "";
  return (
    `<li class="${isNew ? "new" : ""}" data-event="${esc(e.eventName)}" data-kind="${esc(kind)}" ` +
    `data-run="${esc(runId)}" data-id="${esc(eventId(e))}">` +
    `<span class="badge ${e.eventName === "ViolationFlagged" ? "violation" : "designated"}">${esc(kind)}</span> ` +
    `<a href="${runHash(runId ?? 0n)}">run ${esc(runId)}</a> · ${esc(eventSentence(e))}` +
    `<div class="muted">block ${e.blockNumber}${reporter} · ${esc(meaning)}</div></li>`
  );
}

/** The live feed, newest first. */
export function feed(
  events: readonly RegistryEvent[],
  runs: ReadonlyMap<bigint, RunView>,
  f: Filters,
  fresh: ReadonlySet<string>,
): string {
  const items = events
    .filter((e) => FEED_EVENTS.has(e.eventName) && eventMatches(e, runs, f))
    .reverse()
    .map((e) => feedItem(e, fresh.has(eventId(e))));
  return items.length
    ? `<ul class="feed" id="feed">${items.join("")}</ul>`
    : `<ul class="feed" id="feed"></ul><p class="muted">No violations or designations yet.</p>`;
}

/** A block time (seconds) as UTC date and time. */
export const utc = (seconds: number): string =>
  `${new Date(seconds * 1000).toISOString().slice(0, 19).replace("T", " ")} UTC`;

/** Cumulative FLOPs over time as an SVG line, with the cap and the threshold as horizontal lines. */
export function timelineChart(points: readonly TimelinePoint[], cap: bigint, threshold: bigint): string {
  if (points.length === 0) return `<p class="muted">No registration or checkpoint events found for this run.</p>`;
  const W = 760;
  const H = 280;
  const pad = { l: 70, r: 16, t: 14, b: 34 };
  const t0 = Number(points[0]!.time);
  const t1 = Math.max(Number(points[points.length - 1]!.time), t0 + 1);
  const lines = [cap, threshold].filter((x) => x > 0n);
  const max = (xs: readonly bigint[]): bigint => xs.reduce((a, b) => (b > a ? b : a), 0n);
  const progress = max(points.map((p) => p.cumulativeFlops));
  // A cap or threshold far above the progress would flatten it to zero: scale to the progress then,
  // and mark the lines above the scale at its top edge, labelled so.
  const zoomed = progress > 0n && max(lines) > 5n * progress;
  const yMax = zoomed
    ? Number(progress) * 1.25
    : Number(max([...points.map((p) => p.cumulativeFlops), ...lines, 1n])) * 1.08;
  const x = (t: bigint): number => pad.l + ((Number(t) - t0) / (t1 - t0)) * (W - pad.l - pad.r);
  const y = (v: bigint): number => Math.max(pad.t, H - pad.b - (Number(v) / yMax) * (H - pad.t - pad.b));
  // A step line: FLOPs hold until the next checkpoint.
  const path = points
    .map((p, i) => {
      const prev = points[i - 1];
      return i === 0
        ? `M${x(p.time).toFixed(1)},${y(p.cumulativeFlops).toFixed(1)}`
        : `L${x(p.time).toFixed(1)},${y(prev!.cumulativeFlops).toFixed(1)} L${x(p.time).toFixed(1)},${y(p.cumulativeFlops).toFixed(1)}`;
    })
    .join(" ");
  const hline = (v: bigint, cls: string, color: string, label: string, slot: number): string => {
    const above = Number(v) > yMax;
    const at = above ? pad.t : y(v);
    const text = `${label} ${num(v)}${above ? " (above the scale)" : ""}`;
    return (
      `<line class="${cls}${above ? " off-scale" : ""}" x1="${pad.l}" x2="${W - pad.r}" y1="${at.toFixed(1)}" y2="${at.toFixed(1)}" stroke="${color}" stroke-dasharray="${above ? "2 6" : "6 4"}"/>` +
      `<text x="${W - pad.r - 4}" y="${(at + (above ? 12 + 13 * slot : -4)).toFixed(1)}" text-anchor="end">${esc(text)}</text>`
    );
  };
  const dots = points
    .map(
      (p) =>
        `<circle class="point" data-steps="${p.steps}" data-flops="${p.cumulativeFlops}" cx="${x(p.time).toFixed(1)}" cy="${y(p.cumulativeFlops).toFixed(1)}" r="3.5" fill="#2453a6"><title>block ${p.block} · step ${p.steps} · ${esc(num(p.cumulativeFlops))} FLOPs</title></circle>`,
    )
    .join("");
  const seconds = t1 - t0;
  return (
    `<svg class="chart" id="timeline" viewBox="0 0 ${W} ${H}" role="img" aria-label="cumulative FLOPs over time">` +
    `<line x1="${pad.l}" x2="${pad.l}" y1="${pad.t}" y2="${H - pad.b}" stroke="#d8dde3"/>` +
    `<line x1="${pad.l}" x2="${W - pad.r}" y1="${H - pad.b}" y2="${H - pad.b}" stroke="#d8dde3"/>` +
    `<text x="${pad.l - 6}" y="${H - pad.b}" text-anchor="end">0</text>` +
    `<text x="${pad.l}" y="${H - 10}">registration · ${utc(t0)}</text>` +
    `<text x="${W - pad.r}" y="${H - 10}" text-anchor="end">+${seconds} s · ${utc(t1)}</text>` +
    `<text x="${pad.l - 6}" y="${pad.t + 4}" text-anchor="end">${esc(num(BigInt(Math.round(yMax))))}</text>` +
    (cap > 0n ? hline(cap, "cap", "#b3261e", "cap", 0) : "") +
    (threshold > 0n ? hline(threshold, "threshold", "#a15c00", "threshold", 1) : "") +
    `<path d="${path}" fill="none" stroke="#2453a6" stroke-width="2"/>${dots}</svg>`
  );
}

/** An open challenge's clock as `getChallenge` reads it: unpaused seconds elapsed and allowed. */
export interface ChallengeClock {
  readonly elapsed: bigint;
  readonly allowed: bigint;
}

/** A sampled run's committed windows and its challenges, from its events (and open challenges' clocks). */
function sampledSections(
  r: RunView,
  mine: readonly RegistryEvent[],
  clocks: ReadonlyMap<bigint, ChallengeClock> | undefined,
): string {
  const W = BigInt(r.sampling?.windowSteps ?? 0);
  const draws = new Map<bigint, RegistryEvent & { eventName: "ChallengesDrawn" }>();
  for (const e of mine) if (e.eventName === "ChallengesDrawn") draws.set(e.args.window, e);
  const windows = mine.flatMap((e) => (e.eventName === "WindowCommitted" ? [e] : []));
  const wrows = windows
    .map((e) => {
      const d = draws.get(e.args.window);
      const drawn = !d
        ? `<span class="muted">not drawn yet</span>`
        : d.args.everyStep
          ? "past the horizon: every step challenged"
          : `step(s) ${esc(d.args.steps.join(", ") || "none new")} (block ${d.blockNumber})`;
      return (
        `<tr data-window="${e.args.window}"><td>${e.args.window}</td><td>${e.args.firstStep} → ${e.args.firstStep + W}</td>` +
        `<td>${esc(num(e.args.cumulativeFlops))}</td><td>${e.blockNumber}</td><td>${drawn}</td></tr>`
      );
    })
    .join("");
  // Every challenged step: drawn (per window) or paid; its state from the answers and the flags.
  const how = new Map<bigint, { how: string; block: bigint }>();
  for (const e of mine) {
    if (e.eventName === "ChallengesDrawn" && !e.args.everyStep)
      for (const t of e.args.steps) how.set(t, { how: "drawn", block: e.blockNumber });
    if (e.eventName === "ChallengeRequested")
      how.set(e.args.step, { how: `paid ${num(e.args.fee)} wei by ${e.args.challenger}`, block: e.blockNumber });
  }
  const answered = new Set(mine.flatMap((e) => (e.eventName === "ChallengeAnswered" ? [e.args.step] : [])));
  const flagged = new Set(
    mine.flatMap((e) =>
      e.eventName === "ViolationFlagged" && violationName(e.args.kind) === "ChallengeUnanswered" ? [e.args.steps] : [],
    ),
  );
  const state = (t: bigint): string => {
    if (answered.has(t)) return "proven";
    if (flagged.has(t)) return `<span class="badge violation">unanswered, flagged</span>`;
    const c = clocks?.get(t);
    if (!c) return "open";
    return c.elapsed >= c.allowed
      ? "open, deadline passed (flaggable)"
      : `open, ${esc(num(c.allowed - c.elapsed))} s left (unpaused)`;
  };
  const steps = [...how.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const crows = steps
    .map((t) => {
      const h = how.get(t)!;
      return `<tr data-step="${t}"><td>${t}</td><td>${esc(h.how)}</td><td>${h.block}</td><td>${state(t)}</td></tr>`;
    })
    .join("");
  const everyStep = windows.filter((e) => draws.get(e.args.window)?.args.everyStep).length;
  return (
    `<section><h2>Committed windows (${windows.length})</h2>` +
    (windows.length
      ? `<table id="windows"><thead><tr><th>window</th><th>steps</th><th>cumulative FLOPs (committed)</th><th>block</th><th>challenges drawn</th></tr></thead><tbody>${wrows}</tbody></table>`
      : `<p class="muted">None yet.</p>`) +
    `</section><section><h2>Challenges (${steps.length}${everyStep ? ` + every step of ${everyStep} window(s)` : ""})</h2>` +
    (steps.length
      ? `<table id="challenges"><thead><tr><th>step</th><th>how</th><th>block</th><th>state</th></tr></thead><tbody>${crows}</tbody></table>`
      : `<p class="muted">None yet.</p>`) +
    `</section>`
  );
}

/** One run's page. */
export function runPage(
  r: RunView,
  threshold: bigint,
  events: readonly RegistryEvent[],
  timeline: readonly TimelinePoint[] | undefined,
  clocks?: ReadonlyMap<bigint, ChallengeClock>,
): string {
  const mine = events.filter((e) => eventRunId(e) === r.runId);
  const violations = mine.filter((e) => e.eventName === "ViolationFlagged");
  const checkpoints = mine.filter((e) => e.eventName === "CheckpointAccepted");
  const fact = (k: string, v: string): string => `<dt>${k}</dt><dd>${v}</dd>`;
  const a = r.attestations;
  const facts =
    fact(
      "lab",
      `<span class="mono">${esc(r.lab)}</span> · <a href="${runsHash({ lab: r.lab.toLowerCase() })}">its runs</a> · ` +
        `<a href="${labHash(r.lab)}">its observed compute</a>`,
    ) +
    fact("family", esc(r.family)) +
    fact("status", esc(status(r))) +
    fact("spec commitment", `<span class="mono" id="spec">${hex64(r.specCommitment)}</span>`) +
    fact(
      "steps",
      r.sampling === undefined
        ? `${r.steps} of ${r.plannedSteps} planned, every one proven (full mode)`
        : `${r.steps} of ${r.plannedSteps} planned, committed (sampled mode)`,
    ) +
    (r.sampling === undefined
      ? ""
      : fact(
          "sampled mode",
          `${r.sampling.challengesPerWindow} challenge(s) per window · ${esc(num(BigInt(r.sampling.responseSeconds)))} s to answer · ` +
            `${r.sampling.challenged} challenged, ${r.sampling.answered} proven, ${r.sampling.unanswered} unanswered, ${r.sampling.open} open`,
        )) +
    fact("cumulative FLOPs", flopsBar(r, threshold)) +
    fact(
      "attestations",
      `FLOPs cap ${esc(num(a.flopsCap))} · at most ${esc(num(a.maxSteps))} steps · a checkpoint every ${esc(num(a.checkpointDeadline))} s (unpaused)`,
    ) +
    fact("weights root", `<span class="mono">${hex64(r.root)}</span>`) +
    fact(
      "data-order beacon",
      r.beacon === 0n
        ? `not drawn yet (hash of block ${r.beaconBlock}; no checkpoint before it)`
        : `<span class="mono">${r.beacon}</span> (hash of block ${r.beaconBlock})`,
    ) +
    fact("designated", designationBadge(r)) +
    fact("violations", violationBadges(r));
  const vrows = violations
    .map((e) => {
      const kind = violationName(e.args.kind);
      return (
        `<tr data-kind="${esc(kind)}" data-reporter="${esc(e.args.reporter)}" data-block="${e.blockNumber}">` +
        `<td><span class="badge violation" title="${esc(VIOLATIONS.find((v) => v.name === kind)?.meaning ?? "")}">${esc(kind)}</span></td>` +
        `<td>${esc(eventSentence(e))}</td><td class="mono">${esc(e.args.reporter)}</td><td>${e.blockNumber}</td>` +
        `<td class="mono" title="${esc(e.transactionHash)}">${esc(short(e.transactionHash))}</td></tr>`
      );
    })
    .join("");
  const crows = checkpoints
    .map(
      (e) =>
        `<tr><td>${esc(e.args.firstStep)} → ${esc(e.args.steps)}</td><td>+${esc(num(e.args.flops))}</td>` +
        `<td>${esc(num(e.args.cumulativeFlops))}</td><td>${e.blockNumber}</td></tr>`,
    )
    .join("");
  return (
    `<section data-run="${r.runId}" id="run"><h2>Run ${r.runId}</h2><dl class="facts">${facts}</dl></section>` +
    `<section><h2>Cumulative FLOPs over time</h2>${timeline ? timelineChart(timeline, a.flopsCap, threshold) : `<p class="muted">loading…</p>`}` +
    `<p class="legend">Blue: ${r.sampling === undefined ? "proven FLOPs after each accepted checkpoint" : "committed (not proven) FLOPs after each committed window"}; red: the lab's cap; amber: the designation threshold.</p></section>` +
    `<section><h2>Violations (${violations.length})</h2>` +
    (violations.length
      ? `<table id="violations"><thead><tr><th>kind</th><th>what</th><th>reporter</th><th>block</th><th>transaction</th></tr></thead><tbody>${vrows}</tbody></table>`
      : `<p class="muted">None flagged.</p>`) +
    `</section>` +
    (r.sampling !== undefined
      ? sampledSections(r, mine, clocks)
      : `<section><h2>Checkpoints (${checkpoints.length})</h2>` +
        (checkpoints.length
          ? `<table id="checkpoints"><thead><tr><th>steps</th><th>FLOPs</th><th>cumulative</th><th>block</th></tr></thead><tbody>${crows}</tbody></table>`
          : `<p class="muted">None yet.</p>`) +
        `</section>`)
  );
}
