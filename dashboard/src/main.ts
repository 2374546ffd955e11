/**
 * The dashboard page: loads its configuration from the server, reads the
 * registry through the server's read-only JSON-RPC relay with the shared
 * reader (client/read/), polls for new events, and renders the view the URL
 * names. When the RPC endpoint or the server stops answering, or the
 * deployment record no longer matches the chain, it says so and keeps
 * trying; when they answer again it catches up from where it was.
 */
import {
  BaseError,
  createPublicClient,
  getAddress,
  http,
  HttpRequestError,
  type Abi,
  type Address,
  type PublicClient,
} from "viem";
import type { ObserversAbi, RegistryAbi } from "../../client/read/abi.js";
import { registryEntry } from "../../client/read/deployment.js";
import { readEvents } from "../../client/read/events.js";
import { eventId, LEDGER_DAY, type RegistryEvent, type RunView } from "../../client/read/format.js";
import {
  readRegistry,
  runTimeline,
  type RegistryRef,
  type RegistryState,
  type TimelinePoint,
} from "../../client/read/runs.js";
import { DashboardConfigSchema, type DashboardConfig } from "../config.js";
import { parseRoute, runsHash, type Filters } from "./route.js";
import { esc, feed, filterBar, runPage, runsTable, type ChallengeClock } from "./views.js";
import { labPage, labPeriods } from "./compute.js";

type ProblemKind = "server" | "rpc" | "stale";
class Problem extends Error {
  constructor(
    readonly kind: ProblemKind,
    message: string,
  ) {
    super(message);
  }
}

interface Loaded {
  readonly config: DashboardConfig;
  readonly ref: RegistryRef;
  readonly fromBlock: bigint;
  /** The observers' table (issue #29), when the deployment has one: its events are read with the registry's. */
  readonly observers?: { readonly address: Address; readonly abi: ObserversAbi };
}

const state = {
  loaded: undefined as Loaded | undefined,
  /** Next block whose events have not been read. */
  nextBlock: 0n,
  /** Head seen at the last poll (a lower head means the chain was reset). */
  head: -1n,
  events: [] as RegistryEvent[],
  registry: undefined as RegistryState | undefined,
  problem: undefined as Problem | undefined,
  /** Events that arrived after the first load (highlighted). */
  fresh: new Set<string>(),
  timelines: new Map<bigint, { events: number; points: TimelinePoint[] }>(),
  /** Milliseconds between polls: the server's setting once read. */
  pollMs: 1000,
  /** When the deployment record was last read. */
  recordCheckedAt: 0,
  rendered: "",
};

const $ = (id: string): HTMLElement => document.getElementById(id)!;
/** One line saying what failed: for viem's errors, what the endpoint (or the relay) said. */
const message = (e: unknown): string =>
  e instanceof BaseError
    ? e.details || e.shortMessage
    : e instanceof Error
      ? (e.message.split("\n")[0] ?? "")
      : String(e);

/** A failed read: the dashboard's server gone (no HTTP answer at all), or the endpoint behind it. */
function readProblem(e: unknown, what = "The RPC endpoint does not answer"): Problem {
  if (e instanceof Problem) return e;
  const http = e instanceof BaseError ? e.walk((x) => x instanceof HttpRequestError) : null;
  if (http instanceof HttpRequestError && http.status === undefined)
    return new Problem("server", `The dashboard's server does not answer (${message(e)}).`);
  return new Problem("rpc", `${what} (${message(e)}).`);
}

async function loadConfig(): Promise<Loaded> {
  let res: Response;
  try {
    res = await fetch("/api/config", { cache: "no-store" });
  } catch (e) {
    throw new Problem("server", `The dashboard's server does not answer (${message(e)}).`);
  }
  const body = (await res.json().catch(() => ({}))) as unknown;
  if (!res.ok) {
    const why = (body as { error?: string }).error ?? `HTTP ${res.status}`;
    throw new Problem("stale", `No usable deployment record: ${why}`);
  }
  const parsed = DashboardConfigSchema.safeParse(body);
  if (!parsed.success)
    throw new Problem("stale", `The deployment record is damaged: ${parsed.error.issues[0]?.message ?? ""}`);
  const config = parsed.data;
  state.pollMs = config.pollMs;
  const entry = registryEntry(config.deployment);
  const client = createPublicClient({
    transport: http("/rpc", { batch: { batchSize: 100 }, retryCount: 0 }),
  }) as PublicClient;
  const ref: RegistryRef = {
    client,
    address: entry.address,
    abi: config.abi as unknown as RegistryAbi,
    families: config.deployment.families,
  };
  const o = config.deployment.contracts.ComputeObservers;
  const observers =
    o && config.observersAbi
      ? { address: getAddress(o.address), abi: config.observersAbi as unknown as ObserversAbi }
      : undefined;
  return { config, ref, fromBlock: entry.fromBlock, ...(observers ? { observers } : {}) };
}

/** The addresses and ABI whose events the page reads: the registry's, and the observers' table's. */
function watched(l: Loaded): { addresses: Address[]; abi: Abi } {
  return l.observers
    ? { addresses: [l.ref.address, l.observers.address], abi: [...l.ref.abi, ...l.observers.abi] as Abi }
    : { addresses: [l.ref.address], abi: l.ref.abi };
}

/** Checks that the record describes this chain: same chain id, code at the registry's address. */
async function checkRecord(l: Loaded): Promise<void> {
  const d = l.config.deployment;
  const [chainId, code] = await Promise.all([
    l.ref.client.getChainId(),
    l.ref.client.getCode({ address: l.ref.address }),
  ]);
  if (chainId !== d.chainId)
    throw new Problem(
      "stale",
      `The deployment record of "${d.network}" is for chain ${d.chainId}, but the endpoint answers as chain ${chainId}.`,
    );
  if (!code || code === "0x")
    throw new Problem(
      "stale",
      `The deployment record of "${d.network}" is stale: no contract at the registry's address ${l.ref.address} ` +
        `(was the node restarted?). Redeploy with \`npm run registry -- deploy --network ${d.network} --force\`.`,
    );
}

function reset(): void {
  state.loaded = undefined;
  state.events = [];
  state.registry = undefined;
  state.fresh.clear();
  state.timelines.clear();
  state.head = -1n;
}

/** Every how many polls the page re-reads the deployment record, to notice a redeploy. */
const RECORD_CHECK_POLLS = 10;

async function poll(): Promise<void> {
  if (state.loaded && Date.now() - state.recordCheckedAt > RECORD_CHECK_POLLS * state.loaded.config.pollMs) {
    const now = await loadConfig();
    state.recordCheckedAt = Date.now();
    const was = state.loaded;
    if (now.ref.address !== was.ref.address || now.config.deployment.chainId !== was.config.deployment.chainId) reset();
  }
  if (!state.loaded) {
    const l = await loadConfig();
    try {
      await checkRecord(l);
    } catch (e) {
      throw readProblem(e);
    }
    state.loaded = l;
    state.recordCheckedAt = Date.now();
    state.nextBlock = l.fromBlock;
  }
  const l = state.loaded;
  let head: bigint;
  try {
    head = await l.ref.client.getBlockNumber({ cacheTime: 0 });
  } catch (e) {
    throw readProblem(e);
  }
  if (head < state.head) {
    // The chain went backwards (a restarted local node): start again from the record.
    reset();
    return poll();
  }
  state.head = head;
  try {
    const first = state.registry === undefined;
    const w = watched(l);
    const events =
      head >= state.nextBlock ? await readEvents(l.ref.client, w.addresses, w.abi, state.nextBlock, head) : [];
    if (events.length === 0 && !first) {
      state.nextBlock = head + 1n;
      return;
    }
    // Read the runs before keeping the events: a failure here re-reads both at the next poll.
    const registry = await readRegistry(l.ref);
    if (!first) for (const e of events) state.fresh.add(eventId(e));
    state.events.push(...events);
    state.nextBlock = head + 1n;
    state.registry = registry;
  } catch (e) {
    throw readProblem(e, "Reading the registry failed");
  }
}

function banner(): void {
  const b = $("banner");
  const p = state.problem;
  document.body.dataset.status = p ? p.kind : "ok";
  if (!p) {
    b.hidden = true;
    b.textContent = "";
    return;
  }
  const poll = state.pollMs;
  b.hidden = false;
  b.dataset.kind = p.kind;
  b.textContent =
    `${p.message} Retrying every ${(poll / 1000).toFixed(1)} s` +
    (state.registry ? "; the page shows what it read last and catches up when it answers." : ".");
}

async function timelineOf(runId: bigint): Promise<TimelinePoint[] | undefined> {
  const l = state.loaded;
  if (!l) return undefined;
  const have = state.timelines.get(runId);
  if (have?.events === state.events.length) return have.points;
  try {
    const r = state.registry?.runs.find((x) => x.runId === runId);
    const points = await runTimeline(l.ref.client, runId, state.events, BigInt(r?.sampling?.windowSteps ?? 0));
    state.timelines.set(runId, { events: state.events.length, points });
    return points;
  } catch {
    return have?.points;
  }
}

/** The clocks of a sampled run's open challenges (drawn or paid, not answered, not flagged), read now. */
async function openChallengeClocks(r: RunView): Promise<Map<bigint, ChallengeClock> | undefined> {
  const l = state.loaded;
  if (!l || r.sampling === undefined) return undefined;
  const steps = new Set<bigint>();
  for (const e of state.events) {
    if (e.eventName === "ChallengesDrawn" && e.args.runId === r.runId) for (const t of e.args.steps) steps.add(t);
    if (e.eventName === "ChallengeRequested" && e.args.runId === r.runId) steps.add(e.args.step);
  }
  const clocks = new Map<bigint, ChallengeClock>();
  try {
    for (const step of steps) {
      const c = await l.ref.client.readContract({
        address: l.ref.address,
        abi: l.ref.abi,
        functionName: "getChallenge",
        args: [r.runId, step],
      });
      if (c.state === 1) clocks.set(step, { elapsed: c.elapsed, allowed: c.allowedSeconds });
    }
  } catch {
    return undefined; // shown as "open" without its clock; the next poll tries again
  }
  return clocks;
}

/**
 * The compute a lab accounted for in each reported period not yet reconciled (reconciled ones carry it in their
 * event), read from the registry's ledger now, for the period and the policy's grace.
 */
async function accountedSoFar(lab: string): Promise<Map<bigint, bigint>> {
  const l = state.loaded;
  const out = new Map<bigint, bigint>();
  if (!l?.observers) return out;
  const pending = labPeriods(state.events, lab).filter((p) => !p.accountedFinal);
  if (pending.length === 0) return out;
  try {
    const policy = await l.ref.client.readContract({
      address: l.observers.address,
      abi: l.observers.abi,
      functionName: "reconciliationPolicy",
    });
    const day = LEDGER_DAY;
    for (const p of pending) {
      const flops = await l.ref.client.readContract({
        address: l.ref.address,
        abi: l.ref.abi,
        functionName: "accountedCompute",
        args: [getAddress(lab), p.start / day, (p.end + policy.graceSeconds) / day],
      });
      out.set(p.start, flops);
    }
  } catch {
    // shown as "…"; the next poll tries again
  }
  return out;
}

async function render(): Promise<void> {
  banner();
  const l = state.loaded;
  const reg = state.registry;
  const d = l?.config.deployment;
  $("where").textContent = d
    ? `${d.network} · chain ${d.chainId} · registry ${l.ref.address} · block ${state.head >= 0n ? state.head : "?"}`
    : "connecting…";
  if (!reg) return;
  const route = parseRoute(location.hash);
  let html: string;
  if (route.page === "lab") {
    html = labPage(
      route.lab,
      labPeriods(state.events, route.lab, await accountedSoFar(route.lab)),
      state.events,
      reg.runs,
    );
  } else if (route.page === "run") {
    const r = reg.runs.find((x) => x.runId === route.runId);
    html = r
      ? runPage(r, reg.designationThreshold, state.events, await timelineOf(r.runId), await openChallengeClocks(r))
      : `<p>There is no run ${esc(route.runId)} on this registry (${reg.runCount} runs). <a href="#/">All runs</a></p>`;
  } else {
    const byId = new Map<bigint, RunView>(reg.runs.map((r) => [r.runId, r]));
    html =
      `<section>${filterBar(reg.runs, route.filters)}</section>` +
      `<section><h2>Runs</h2>${runsTable(reg.runs, reg.designationThreshold, route.filters)}</section>` +
      `<section><h2>Live feed: violations and designations</h2>${feed(state.events, byId, route.filters, state.fresh)}</section>`;
  }
  if (html !== state.rendered) {
    $("main").innerHTML = html;
    state.rendered = html;
  }
  document.body.dataset.ready = "true";
}

function onFilterChange(ev: Event): void {
  const t = ev.target;
  if (!(t instanceof HTMLSelectElement) || !t.dataset.filter) return;
  const form = t.form;
  if (!form) return;
  const get = (n: string): string => (form.elements.namedItem(n) as HTMLSelectElement | null)?.value ?? "";
  const f: { lab?: string; family?: string; kind?: Filters["kind"] } = {};
  if (get("lab")) f.lab = get("lab");
  if (get("family")) f.family = get("family");
  if (get("kind")) f.kind = get("kind") as Filters["kind"];
  location.hash = runsHash(f);
}

async function loop(): Promise<void> {
  try {
    await poll();
    state.problem = undefined;
  } catch (e) {
    state.problem = readProblem(e);
    if (state.problem.kind === "stale") reset(); // re-read the record next time: it may have been rewritten
  }
  await render().catch(() => undefined);
  setTimeout(() => void loop(), state.pollMs);
}

document.addEventListener("change", onFilterChange);
window.addEventListener("hashchange", () => {
  state.rendered = "";
  void render();
});
void loop();
