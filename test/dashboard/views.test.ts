/**
 * The dashboard's pure parts without a browser: the URL's routes and
 * filters, what the views render (escaped), and the server's read-only
 * JSON-RPC relay against a stand-in endpoint.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import fc from "fast-check";
import { after, before, describe, it } from "mocha";
import { getAddress, type Address } from "viem";
import { parseRoute, runsHash, type Filters } from "../../dashboard/src/route.js";
import { esc, feed, flopsBar, runMatches, runPage, runsTable, timelineChart } from "../../dashboard/src/views.js";
import { startDashboard, type Dashboard } from "../../dashboard/server.js";
import { computeChart, labPage, labPeriods, log10 } from "../../dashboard/src/compute.js";
import { eventRunId, eventSentence, type RegistryEvent, type RunView } from "../../client/read/format.js";
import { VIOLATION_KINDS } from "../../client/read/violations.js";
import { freePort } from "../../harness/net.js";

const LAB_A: Address = getAddress("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
const LAB_B: Address = getAddress("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");

function run(id: bigint, over: Partial<RunView> = {}): RunView {
  return {
    runId: id,
    lab: LAB_A,
    status: 1,
    family: "linear-mse/i4-o3-b2/n150/k4",
    specCommitment: 7n,
    steps: 4n,
    plannedSteps: 16n,
    cumulativeFlops: 492n,
    attestations: { flopsCap: 1000n, maxSteps: 16n, checkpointDeadline: 600n },
    root: 1n,
    lastCheckpointAt: 0n,
    designatedAt: 0n,
    beacon: 0xa11cen,
    beaconBlock: 3n,
    projectedToCross: false,
    violations: [0, 0, 0, 0, 0, 0],
    ...over,
  };
}

const violation = (runId: bigint, kind: number, logIndex = 0): RegistryEvent => ({
  address: LAB_B,
  eventName: "ViolationFlagged",
  args: { runId, kind, lab: LAB_A, steps: 4n, observed: 2000n, limit: 1000n, count: 1n, reporter: LAB_B },
  blockNumber: 10n,
  logIndex,
  transactionHash: `0x${"ab".repeat(32)}`,
});

describe("dashboard routes", () => {
  it("should read back every filter it writes, so a shared URL opens the same view", () => {
    const hexAddr = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => `0x${Buffer.from(b).toString("hex")}`);
    fc.assert(
      fc.property(
        fc.option(hexAddr, { nil: undefined }),
        fc.option(fc.string({ minLength: 1 }), { nil: undefined }),
        fc.option(fc.constantFrom(...VIOLATION_KINDS), { nil: undefined }),
        (lab, family, kind) => {
          const f: { lab?: string; family?: string; kind?: Filters["kind"] } = {};
          if (lab) f.lab = lab;
          if (family) f.family = family;
          if (kind) f.kind = kind;
          assert.deepEqual(parseRoute(runsHash(f)), { page: "runs", filters: f });
        },
      ),
      { numRuns: 500 },
    );
  });

  it("should route a run page, and ignore an unknown violation kind", () => {
    assert.deepEqual(parseRoute("#/run/42"), { page: "run", runId: 42n });
    assert.deepEqual(parseRoute("#/?kind=NoSuchKind"), { page: "runs", filters: {} });
    assert.deepEqual(parseRoute(""), { page: "runs", filters: {} });
    assert.deepEqual(parseRoute("#/run/x"), { page: "runs", filters: {} });
  });
});

describe("dashboard views", () => {
  it("should type every event's arguments from the ABI (a misspelt field does not compile)", () => {
    const e: RegistryEvent = violation(7n, 4);
    assert.equal(eventRunId(e), 7n);
    if (e.eventName === "ViolationFlagged") {
      assert.equal(e.args.observed, 2000n);
      // @ts-expect-error -- not a field of ViolationFlagged: tsc (npm run lint) fails if events lose their ABI types
      assert.equal(e.args.observd, undefined);
    }
    const drawn: RegistryEvent = {
      address: LAB_B,
      eventName: "BeaconDrawn",
      args: { runId: 3n, beaconBlock: 12n, beacon: 99n, by: LAB_A },
      blockNumber: 14n,
      logIndex: 0,
      transactionHash: `0x${"cd".repeat(32)}`,
    };
    assert.match(eventSentence(drawn), /run 3 data-order beacon drawn · 99 \(hash of block 12\)/);
    const role: RegistryEvent = {
      address: LAB_B,
      eventName: "Paused",
      args: { account: LAB_A },
      blockNumber: 15n,
      logIndex: 0,
      transactionHash: `0x${"ef".repeat(32)}`,
    };
    assert.equal(eventRunId(role), undefined);
  });
  it("should escape every value it shows", () => {
    assert.equal(
      esc(`<img src=x onerror="alert('x')">&`),
      "&#60;img src=x onerror=&#34;alert(&#39;x&#39;)&#34;&#62;&#38;",
    );
    const html = runsTable([run(1n, { family: "<script>alert(1)</script>" })], 0n, {});
    assert.ok(!html.includes("<script>"), "a family name cannot inject markup");
    assert.ok(html.includes("&#60;script&#62;"));
  });

  it("should filter runs by lab, family and violation kind", () => {
    const runs = [
      run(1n, { violations: [0, 0, 2, 0, 0] }),
      run(2n, { lab: LAB_B }),
      run(3n, { family: "other", violations: [0, 0, 0, 0, 1] }),
    ];
    const ids = (f: Filters) => runs.filter((r) => runMatches(r, f)).map((r) => r.runId);
    assert.deepEqual(ids({}), [1n, 2n, 3n]);
    assert.deepEqual(ids({ lab: LAB_B.toLowerCase() }), [2n]);
    assert.deepEqual(ids({ family: "other" }), [3n]);
    assert.deepEqual(ids({ kind: "ComputeCapExceeded" }), [1n]);
    assert.deepEqual(ids({ kind: "CheckpointDeadlineMissed", lab: LAB_B.toLowerCase() }), []);
    assert.match(runsTable(runs, 0n, { family: "none" }), /No run matches these filters/);
    assert.match(runsTable([], 0n, {}), /No runs registered yet/);
  });

  it("should say which runs are sampled, with their proven challenges, and filter their unanswered ones", () => {
    const sampling = {
      challengesPerWindow: 2,
      responseSeconds: 600,
      windowSteps: 4,
      challenged: 5,
      answered: 3,
      unanswered: 1,
      open: 1,
    };
    const runs = [run(1n), run(2n, { sampling, violations: [0, 0, 0, 0, 0, 1] })];
    const html = runsTable(runs, 0n, {});
    assert.match(html, /sampled, 3\/5 proven/);
    assert.equal(html.match(/sampled, /g)?.length, 1, "a full run is not marked sampled");
    const ids = runs.filter((r) => runMatches(r, { kind: "ChallengeUnanswered" })).map((r) => r.runId);
    assert.deepEqual(ids, [2n]);
  });

  it("should show the feed newest first, filtered, with new events marked", () => {
    const runs = new Map([
      [1n, run(1n)],
      [2n, run(2n, { lab: LAB_B })],
    ]);
    const events = [violation(1n, 2, 0), violation(2n, 4, 1)];
    const html = feed(events, runs, {}, new Set([`0x${"ab".repeat(32)}:1`]));
    const kinds = [...html.matchAll(/data-kind="(\w+)"/g)].map((m) => m[1]);
    assert.deepEqual(kinds, ["CheckpointDeadlineMissed", "ComputeCapExceeded"]);
    assert.equal([...html.matchAll(/class="new"/g)].length, 1);
    assert.match(html, new RegExp(`reporter <span class="mono" data-reporter="${LAB_B}">`));
    const onlyB = feed(events, runs, { lab: LAB_B.toLowerCase() }, new Set());
    assert.deepEqual(
      [...onlyB.matchAll(/data-run="(\d+)"/g)].map((m) => m[1]),
      ["2"],
    );
    assert.match(feed([], runs, {}, new Set()), /No violations or designations yet/);
  });

  it("should draw FLOPs past the cap in red, with the cap and threshold marked", () => {
    assert.match(flopsBar(run(1n, { cumulativeFlops: 1476n }), 1500n), /class="fill over"/);
    assert.doesNotMatch(flopsBar(run(1n), 1500n), /fill over/);
    assert.match(flopsBar(run(1n), 1500n), /mark threshold/);
    assert.doesNotMatch(flopsBar(run(1n), 0n), /mark threshold/, "no threshold set, no mark");
    const chart = timelineChart(
      [
        { time: 100n, block: 1n, steps: 0n, cumulativeFlops: 0n },
        { time: 160n, block: 2n, steps: 4n, cumulativeFlops: 492n },
      ],
      1000n,
      0n,
    );
    assert.equal([...chart.matchAll(/class="point"/g)].length, 2);
    assert.match(chart, /class="cap"/);
    assert.match(chart, /registration · 1970-01-01 00:01:40 UTC/);
    assert.match(chart, /\+60 s · 1970-01-01 00:02:40 UTC/);
    assert.doesNotMatch(chart, /class="threshold"/);
  });
});

describe("dashboard run page: sampled runs and a cap that dwarfs the progress", () => {
  const at = (block: bigint, body: Omit<RegistryEvent, "address" | "blockNumber" | "logIndex" | "transactionHash">) =>
    ({
      ...body,
      address: LAB_B,
      blockNumber: block,
      logIndex: 0,
      transactionHash: `0x${block.toString(16).padStart(64, "0")}`,
    }) as RegistryEvent;
  const sampling = {
    challengesPerWindow: 2,
    responseSeconds: 600,
    windowSteps: 4,
    challenged: 4,
    answered: 1,
    unanswered: 1,
    open: 2,
  };
  const root = `0x${"11".repeat(32)}` as const;
  const events: RegistryEvent[] = [
    at(5n, {
      eventName: "WindowCommitted",
      args: { runId: 2n, lab: LAB_A, window: 0n, firstStep: 0n, root, rootAfter: 7n, cumulativeFlops: 492n },
    }),
    at(6n, {
      eventName: "WindowCommitted",
      args: { runId: 2n, lab: LAB_A, window: 1n, firstStep: 4n, root, rootAfter: 8n, cumulativeFlops: 984n },
    }),
    at(8n, {
      eventName: "ChallengesDrawn",
      args: { runId: 2n, window: 0n, seedBlock: 7n, seed: root, steps: [1n, 3n], everyStep: false, drawer: LAB_B },
    }),
    at(9n, { eventName: "ChallengeRequested", args: { runId: 2n, step: 6n, challenger: LAB_B, fee: 10n ** 16n } }),
    at(10n, {
      eventName: "ChallengeAnswered",
      args: { runId: 2n, step: 1n, lab: LAB_A, rootBefore: 1n, rootAfter: 2n, accumulator: 3n, feeToLab: 0n },
    }),
    at(11n, {
      eventName: "ViolationFlagged",
      args: { runId: 2n, kind: 5, lab: LAB_A, steps: 3n, observed: 700n, limit: 600n, count: 1n, reporter: LAB_B },
    }),
  ];
  it("should list a sampled run's committed windows and every challenge with how it came and its state", () => {
    const html = runPage(
      run(2n, { sampling, steps: 8n, cumulativeFlops: 984n }),
      0n,
      events,
      undefined,
      new Map([[6n, { elapsed: 100n, allowed: 1200n }]]),
    );
    assert.match(html, /Committed windows \(2\)/);
    assert.doesNotMatch(html, /Checkpoints \(/, "a sampled run has windows, not checkpoints");
    assert.match(
      html,
      /<tr data-window="0"><td>0<\/td><td>0 → 4<\/td><td>492<\/td><td>5<\/td><td>step\(s\) 1, 3 \(block 8\)/,
    );
    assert.match(html, /<tr data-window="1">.*not drawn yet/);
    assert.match(html, /Challenges \(3\)/);
    assert.match(html, /<tr data-step="1"><td>1<\/td><td>drawn<\/td><td>8<\/td><td>proven<\/td><\/tr>/);
    assert.match(html, /<tr data-step="3">.*unanswered, flagged/);
    assert.match(
      html,
      new RegExp(
        `<tr data-step="6"><td>6</td><td>paid 10,000,000,000,000,000 wei by ${LAB_B}</td><td>9</td><td>open, 1,100 s left`,
      ),
    );
    assert.match(html, /committed \(not proven\) FLOPs/);
  });
  it("should scale the chart to the progress when the cap dwarfs it, and mark the cap above the scale", () => {
    const points = [
      { time: 100n, block: 1n, steps: 0n, cumulativeFlops: 0n },
      { time: 160n, block: 2n, steps: 20n, cumulativeFlops: 3160n },
    ];
    const chart = timelineChart(points, 100_000n, 1500n);
    assert.match(chart, /class="cap off-scale"/);
    assert.match(chart, /cap 100,000 \(above the scale\)/);
    assert.doesNotMatch(chart, /class="threshold off-scale"/, "the threshold is within the zoomed scale");
    // The last point sits near the top (80 % of the height), not flat at zero.
    const cy = Number(/data-flops="3160" cx="[\d.]+" cy="([\d.]+)"/.exec(chart)![1]);
    assert.ok(cy < 100, `cy ${cy}`);
    assert.doesNotMatch(timelineChart(points, 4000n, 0n), /off-scale/, "a cap near the progress stays on the scale");
  });
});

describe("dashboard server: the read-only relay", () => {
  let upstream: Server;
  let dashboard: Dashboard;
  const seen: unknown[] = [];

  before(async () => {
    // A stand-in endpoint that answers every call with its method's name.
    upstream = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        const parsed = JSON.parse(body) as { id: number; method: string } | Array<{ id: number; method: string }>;
        seen.push(parsed);
        const answer = (c: { id: number; method: string }) => ({ jsonrpc: "2.0", id: c.id, result: c.method });
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(Array.isArray(parsed) ? parsed.map(answer) : answer(parsed)));
      });
    });
    await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
    const port = (upstream.address() as AddressInfo).port;
    dashboard = await startDashboard({
      host: "127.0.0.1",
      port: 0,
      rpcUrl: `http://127.0.0.1:${port}`,
      config: () => Promise.reject(new Error('no deployment recorded for network "x"')),
    });
  });
  after(async () => {
    await dashboard.close();
    await new Promise<void>((r) => {
      upstream.close(() => {
        r();
      });
    });
  });

  const post = async (body: string) => {
    const res = await fetch(`${dashboard.url}rpc`, {
      method: "POST",
      body,
      headers: { "content-type": "application/json" },
    });
    return { status: res.status, body: (await res.json()) as unknown };
  };

  it("should relay reads, single and batched", async () => {
    const one = await post(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_blockNumber", params: [] }));
    assert.deepEqual(one, { status: 200, body: { jsonrpc: "2.0", id: 1, result: "eth_blockNumber" } });
    const batch = await post(
      JSON.stringify([
        { jsonrpc: "2.0", id: 1, method: "eth_call", params: [] },
        { jsonrpc: "2.0", id: 2, method: "eth_getLogs", params: [] },
      ]),
    );
    assert.deepEqual(
      (batch.body as Array<{ result: string }>).map((r) => r.result),
      ["eth_call", "eth_getLogs"],
    );
  });

  it("should not relay a batch that holds anything but reads", async () => {
    const before = seen.length;
    const r = await post(
      JSON.stringify([
        { jsonrpc: "2.0", id: 1, method: "eth_call", params: [] },
        { jsonrpc: "2.0", id: 2, method: "eth_sendRawTransaction", params: ["0x00"] },
      ]),
    );
    const errors = r.body as Array<{ id: number; error: { code: number; message: string } }>;
    assert.deepEqual(
      errors.map((e) => [e.id, e.error.code]),
      [
        [1, -32601],
        [2, -32601],
      ],
    );
    assert.match(errors[0]!.error.message, /read-only: method eth_sendRawTransaction/);
    assert.equal(seen.length, before, "nothing reached the endpoint");
  });

  it("should answer 502 with a JSON-RPC error saying why when the endpoint cannot be reached", async () => {
    const dead = await startDashboard({
      host: "127.0.0.1",
      port: 0,
      rpcUrl: `http://127.0.0.1:${await freePort()}`,
      config: () => Promise.reject(new Error("unused")),
    });
    try {
      const res = await fetch(`${dead.url}rpc`, {
        method: "POST",
        body: JSON.stringify({ jsonrpc: "2.0", id: 3, method: "eth_chainId", params: [] }),
      });
      assert.equal(res.status, 502);
      const body = (await res.json()) as { error: { message: string } };
      assert.match(body.error.message, /cannot reach it: .*ECONNREFUSED/);
    } finally {
      await dead.close();
    }
  });

  it("should refuse bad JSON, other methods and unknown paths, and say why there is no configuration", async () => {
    assert.equal((await post("{not json")).status, 400);
    assert.equal((await fetch(`${dashboard.url}rpc`, { method: "PUT" })).status, 405);
    assert.equal((await fetch(`${dashboard.url}nope`)).status, 404);
    const config = await fetch(`${dashboard.url}api/config`);
    assert.equal(config.status, 503);
    assert.match(((await config.json()) as { error: string }).error, /no deployment recorded/);
    const page = await fetch(dashboard.url);
    assert.match(await page.text(), /<script type="module" src="\/app.js">/);
    const script = await fetch(`${dashboard.url}app.js`);
    assert.match(script.headers.get("content-type") ?? "", /javascript/);
    assert.ok((await script.text()).length > 10_000, "the bundled page");
  });
});

describe("dashboard lab page: observed against accounted compute (issue #29)", () => {
  const OBSERVER: Address = getAddress("0x9965507d1a55bcc2695c58ba16fb37d819b0a4dc");
  const DAY = 86_400n;
  const at = (logIndex: number) => ({
    address: LAB_B,
    blockNumber: 20n,
    logIndex,
    transactionHash: `0x${"cd".repeat(32)}`,
  });
  const reported = (lab: Address, start: bigint, flops: bigint, logIndex: number): RegistryEvent => ({
    ...at(logIndex),
    eventName: "ComputeReported",
    args: {
      observer: OBSERVER,
      lab,
      periodStart: start,
      periodEnd: start + DAY,
      observedFlops: flops,
      evidenceHash: `0x${"ee".repeat(32)}`,
      relayer: LAB_A,
    },
  });
  const reconciled = (lab: Address, start: bigint, observed: bigint, accounted: bigint, logIndex: number) => {
    const allowed = (accounted * 12n) / 10n;
    const flagged = observed > allowed;
    const events: RegistryEvent[] = [
      {
        ...at(logIndex),
        eventName: "ComputeReconciled",
        args: {
          observer: OBSERVER,
          lab,
          periodStart: start,
          observedFlops: observed,
          accountedFlops: accounted,
          allowedFlops: allowed,
          flagged,
          reporter: LAB_A,
        },
      },
    ];
    if (flagged)
      events.push({
        ...at(logIndex + 1),
        eventName: "UnaccountedComputeFlagged",
        args: {
          lab,
          observer: OBSERVER,
          periodStart: start,
          periodEnd: start + DAY,
          observedFlops: observed,
          accountedFlops: accounted,
          reporter: LAB_A,
        },
      });
    return events;
  };

  it("should route a lab page by address, lower-cased, and nothing else", () => {
    assert.deepEqual(parseRoute(`#/lab/${LAB_B}`), { page: "lab", lab: LAB_B.toLowerCase() });
    assert.deepEqual(parseRoute("#/lab/0x1234"), { page: "runs", filters: {} });
  });

  it("should gather a lab's periods: accounted from reconciliations, else from the ledger so far", () => {
    const d0 = 20_000n * DAY;
    const events = [
      reported(LAB_B, d0, 10n ** 18n, 0),
      reported(LAB_A, d0, 500n, 1),
      reported(LAB_B, d0 + DAY, 7n, 2),
      ...reconciled(LAB_B, d0, 10n ** 18n, 492n, 3),
    ];
    const periods = labPeriods(events, LAB_B.toLowerCase(), new Map([[d0 + DAY, 9n]]));
    assert.deepEqual(periods, [
      {
        start: d0,
        end: d0 + DAY,
        accounted: 492n,
        accountedFinal: true,
        reports: [{ observer: OBSERVER, observed: 10n ** 18n, state: "flagged" }],
      },
      {
        start: d0 + DAY,
        end: d0 + 2n * DAY,
        accounted: 9n,
        accountedFinal: false,
        reports: [{ observer: OBSERVER, observed: 7n, state: "relayed" }],
      },
    ]);
    const html = labPage(LAB_B.toLowerCase(), periods, events, [run(2n, { lab: LAB_B })]);
    // One accounted and one observed bar per period; the flagged one red; a flag listed; the other lab absent.
    assert.deepEqual(
      [...html.matchAll(/<rect class="([\w ]+)"/g)].map((m) => m[1]),
      ["accounted", "observed flagged", "accounted", "observed relayed"],
    );
    assert.match(html, /9 \(so far\)/);
    assert.equal([...html.matchAll(/data-event="UnaccountedComputeFlagged"/g)].length, 1);
    assert.match(html, /href="#\/run\/2"/);
    // Log scale: 10^18 reaches the top, 492 about 15 % of the way up, each bar at least a pixel high.
    assert.equal(log10(10n ** 18n), 18);
    assert.ok(Math.abs(log10(492n) - Math.log10(492)) < 1e-12);
    assert.ok(Math.abs(log10(2n ** 200n) - 200 * Math.log10(2)) < 1e-9);
    assert.match(computeChart([]), /No observer has reported/);
  });

  it("should put an UnaccountedCompute flag in the live feed, linked to its lab and filtered by lab", () => {
    const d0 = 20_000n * DAY;
    const events = reconciled(LAB_B, d0, 10n ** 18n, 0n, 0);
    const runs = new Map([[1n, run(1n)]]);
    const html = feed(events, runs, {}, new Set());
    assert.match(html, /data-kind="UnaccountedCompute"/);
    assert.match(html, new RegExp(`href="#/lab/${LAB_B.toLowerCase()}"`));
    assert.doesNotMatch(feed(events, runs, { lab: LAB_A.toLowerCase() }, new Set()), /UnaccountedCompute/);
    assert.doesNotMatch(feed(events, runs, { kind: "ComputeCapExceeded" }, new Set()), /UnaccountedCompute/);
    assert.match(eventSentence(events[1]!), /VIOLATION lab .* UnaccountedCompute · 1,000,000,000,000,000,000 FLOPs/);
  });
});
