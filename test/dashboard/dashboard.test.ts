/**
 * The dashboard in a real headless Chromium (harness/browser.ts)
 * against a real `hardhat node`: deployed with the CLI, filled with recorded
 * fixture runs (real proofs), served by `npm run dashboard` as a child
 * process whose RPC endpoint sits behind a TCP proxy this test cuts and
 * restores. Screenshots are saved in build/test-artifacts/dashboard/.
 */
import assert from "node:assert/strict";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "mocha";
import type { Browser, Page } from "puppeteer-core";
import { getAddress, type Address } from "viem";
import { BUILD_DIR } from "../../prover/paths.js";
import { releaseSnarkjs } from "../../prover/proving/log.js";
import { VIOLATIONS } from "../../client/read/violations.js";
import { registryFixtures, type RegistryFixtures } from "../../harness/fixtures/registry.js";
import { browserUnavailable, launchBrowser } from "../../harness/browser.js";
import { freePort } from "../../harness/net.js";
import { connectNode, populate, type NodeConnection } from "../../harness/populate.js";
import {
  cliOn,
  dashboardProcess,
  Proc,
  Proxy,
  rpcCall,
  scriptProcess,
  startHardhatNode,
} from "../../harness/processes.js";

const SHOTS = path.join(BUILD_DIR, "test-artifacts", "dashboard");
const ACCOUNT2: Address = getAddress("0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc");

interface StatusJson {
  runCount: string;
  designationThreshold: string;
  runs: Array<{
    runId: string;
    lab: string;
    family: string;
    status: string;
    steps: string;
    plannedSteps: string;
    cumulativeFlops: string;
    attestations: { flopsCap: string };
    designated: boolean;
    projectedToCross: boolean;
    violations: Record<string, number>;
  }>;
}

/** What a row of the runs table holds: its data-* values and its cells' text. */
interface Row {
  readonly data: Record<string, string>;
  readonly cells: string[];
}

const tableRows = (page: Page): Promise<Row[]> =>
  page.$$eval("#runs tbody tr", (trs) =>
    trs.map((tr) => ({
      data: Object.fromEntries(Object.entries((tr as HTMLElement).dataset)) as Record<string, string>,
      cells: [...tr.cells].map((c) => c.textContent.trim()),
    })),
  );

describe("dashboard: the page in a headless Chromium against a hardhat node", function () {
  this.timeout(900_000);
  const unavailable = browserUnavailable();
  let fixtures: RegistryFixtures;
  let node: Proc;
  let nodePort: number;
  let proxy: Proxy;
  let work: string;
  let deployments: string;
  let conn: NodeConnection;
  let browser: Browser;
  const servers: Proc[] = [];

  /** Runs a CLI command against the node (directly, not through the proxy); returns stdout. */
  const cli = (...args: string[]): Promise<string> => cliOn(nodePort, deployments, args);
  /** Starts `npm run dashboard` (RPC through the proxy unless told otherwise); resolves with its URL. */
  async function dashboard(dir = deployments, rpcPort = proxy.port, port?: number): Promise<string> {
    port ??= await freePort();
    return dashboardProcess(
      ["--network", "localhost", "--rpc-url", `http://127.0.0.1:${rpcPort}`, "--deployments", dir, "--poll-ms", "500"],
      port,
      (p) => servers.push(p),
    );
  }
  async function shot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  }
  /** A dashboard of its own and a new tab on `hash`, once the page has read the chain. */
  async function opened(hash = ""): Promise<{ url: string; page: Page }> {
    const url = await dashboard();
    const page = await browser.newPage();
    await page.goto(url + hash);
    await ready(page);
    return { url, page };
  }
  const ready = (page: Page) => page.waitForSelector('body[data-ready="true"][data-status="ok"]', { timeout: 30_000 });

  before(async function () {
    if (unavailable) {
      this.skip();
      return;
    }
    fixtures = await registryFixtures();
    await mkdir(SHOTS, { recursive: true });
    work = await mkdtemp(path.join(tmpdir(), "vtr-dashboard-"));
    deployments = path.join(work, "deployments");
    ({ node, port: nodePort } = await startHardhatNode());
    proxy = new Proxy(await freePort(), nodePort);
    await proxy.up();
    await cli("deploy", "--network", "localhost", "--threshold", "1500");
    const record = JSON.parse(await readFile(path.join(deployments, "localhost", "deployment.json"), "utf8")) as {
      contracts: Record<string, { address: Address }>;
    };
    conn = await connectNode(`http://127.0.0.1:${nodePort}`);
    const { A, B, C } = fixtures.runs;
    await populate(conn, record.contracts.TrainingRegistry!.address, [
      // Plan (1,968 FLOPs) above its cap: flagged at registration, then the cap at steps 12 and 16; designated at 16.
      { run: A, attestations: { flopsCap: 1000n, maxSteps: 16n, checkpointDeadline: 3600n }, checkpoints: 4 },
      // Honest so far, with a short deadline: the test lets it miss a window.
      { run: B, attestations: { flopsCap: 5000n, maxSteps: 16n, checkpointDeadline: 600n }, checkpoints: 1 },
      // Step limit 2 below its 16-step plan: flagged at registration, then at step 3.
      { run: C, attestations: { flopsCap: 5000n, maxSteps: 2n, checkpointDeadline: 3600n }, checkpoints: 3 },
    ]);
    browser = await launchBrowser();
  });

  after(async () => {
    await releaseSnarkjs(); // recording the fixtures may have started snarkjs's workers
    // Whatever `before` got to (it may have failed half-way).
    await (browser as Browser | undefined)?.close();
    for (const s of servers) if (s.child.exitCode === null) await s.stop();
    await (proxy as Proxy | undefined)?.down();
    const n = node as Proc | undefined;
    if (n?.child.exitCode === null) await n.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("should show the runs table exactly as `registry status --json` reads the chain", async () => {
    const { page } = await opened();
    await page.waitForSelector("#runs tbody tr");
    const status = JSON.parse(await cli("status", "--json")) as StatusJson;
    assert.equal(status.runs.length, 3);
    const rows = await tableRows(page);
    assert.equal(rows.length, status.runs.length, "one row per run");
    for (const [i, s] of status.runs.entries()) {
      const { data, cells } = rows[i]!;
      assert.deepEqual(
        {
          run: data.run,
          lab: data.lab,
          family: data.family,
          status: data.status,
          steps: data.steps,
          planned: data.planned,
          flops: data.flops,
          cap: data.cap,
          violations: JSON.parse(data.violations!) as unknown,
          designated: data.designated,
          projected: data.projected,
        },
        {
          run: s.runId,
          lab: s.lab,
          family: s.family,
          status: s.status,
          steps: s.steps,
          planned: s.plannedSteps,
          flops: s.cumulativeFlops,
          cap: s.attestations.flopsCap,
          violations: s.violations,
          designated: String(s.designated),
          projected: String(s.projectedToCross),
        },
        `row ${i + 1}`,
      );
      // What a reader sees says the same.
      assert.equal(cells[0], s.runId);
      assert.equal(cells[2], s.family);
      assert.equal(cells[3], s.status);
      assert.equal(cells[4], `${s.steps}/${s.plannedSteps}`);
      assert.match(cells[5]!, new RegExp(`${Number(s.cumulativeFlops).toLocaleString("en-US")} / cap`));
      const badges = VIOLATIONS.filter((v) => s.violations[v.name]! > 0)
        .map((v) => `${v.short}×${s.violations[v.name]}`)
        .join("");
      assert.equal(cells[6], badges || "none");
      assert.equal(cells[7], s.designated ? "yes" : s.projectedToCross ? "projected" : "no");
    }
    // The story the fixtures tell, so the comparison above compares something.
    assert.deepEqual(
      status.runs.map((r) => [r.status, r.designated, r.violations.ComputeCapExceeded, r.violations.StepLimitExceeded]),
      [
        ["Completed", true, 2, 0],
        ["Active", false, 0, 0],
        ["Active", false, 0, 1],
      ],
    );
    await shot(page, "runs");
    await page.close();
  });

  it("should show a violation flagged while the page is open in the live feed, without a reload", async () => {
    const { page } = await opened();
    await page.evaluate(() => {
      (window as unknown as { sameDocument: boolean }).sameDocument = true;
    });
    const missed = '#feed li[data-kind="CheckpointDeadlineMissed"][data-run="2"]';
    assert.equal((await page.$$(missed)).length, 0);
    await rpcCall(nodePort, "evm_increaseTime", [601]);
    await rpcCall(nodePort, "evm_mine");
    assert.match(await cli("flag-missed", "--run", "2", "--account", "2"), /flagged by 0x3C44/);
    const item = await page.waitForSelector(`${missed}.new`, { timeout: 10_000 });
    assert.ok(item, "the new violation appears within 10 s");
    const text = await item.evaluate((li) => li.textContent);
    assert.match(text, /CheckpointDeadlineMissed/);
    assert.match(text, new RegExp(`reporter ${ACCOUNT2}`));
    assert.equal(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument), true);
    // The table follows: run 2 now has a deadline violation.
    await page.waitForFunction(
      () =>
        (
          JSON.parse(
            document.querySelector<HTMLElement>('#runs tr[data-run="2"]')?.dataset.violations ?? "{}",
          ) as Record<string, number>
        ).CheckpointDeadlineMissed === 1,
      { timeout: 10_000 },
    );
    await shot(page, "feed");
    await page.close();
  });

  it("should filter by lab, family and violation kind, with the filters in a shareable URL", async () => {
    const { url, page } = await opened("#/?kind=ComputeCapExceeded");
    await page.waitForSelector("#runs tbody tr");
    assert.deepEqual(
      (await tableRows(page)).map((r) => r.data.run),
      ["1"],
    );
    const feedKinds = await page.$$eval("#feed li", (lis) => lis.map((li) => (li as HTMLElement).dataset.kind));
    assert.deepEqual(feedKinds, ["ComputeCapExceeded", "ComputeCapExceeded"], "the feed is filtered too");

    // Choosing a lab in the page rewrites the URL; the URL alone opens the same view.
    const lab1 = fixtures.runs.B.lab.toLowerCase();
    await page.goto(`${url}#/`);
    await ready(page);
    await page.select('select[name="lab"]', lab1);
    await page.waitForFunction((l) => location.hash.includes(`lab=${l}`), {}, lab1);
    await page.waitForFunction(() => document.querySelectorAll("#runs tbody tr").length === 1);
    assert.deepEqual(
      (await tableRows(page)).map((r) => r.data.run),
      ["2"],
    );
    const shared = await page.evaluate(() => location.href);
    const other = await browser.newPage();
    await other.goto(shared);
    await ready(other);
    await other.waitForSelector("#runs tbody tr");
    assert.deepEqual(
      (await tableRows(other)).map((r) => r.data.run),
      ["2"],
    );
    await other.goto(`${url}#/?family=${encodeURIComponent(fixtures.runs.C.family)}`);
    await other.waitForFunction(() => document.querySelectorAll("#runs tbody tr").length === 1);
    assert.deepEqual(
      (await tableRows(other)).map((r) => r.data.run),
      ["3"],
    );
    await shot(page, "filtered");
    await Promise.all([page.close(), other.close()]);
  });

  it("should show a run's page: facts, timeline with cap and threshold, every violation with its reporter and block", async () => {
    const { url, page } = await opened("#/run/1");
    await page.waitForSelector("#timeline .point");
    const status = (JSON.parse(await cli("status", "--json", "--run", "1")) as StatusJson).runs[0]!;
    const spec = await page.$eval("#spec", (e) => e.textContent);
    assert.equal(
      spec,
      (JSON.parse(await cli("status", "--json", "--run", "1")) as { runs: Array<{ specCommitment: string }> }).runs[0]!
        .specCommitment,
    );
    const points = await page.$$eval("#timeline .point", (cs) =>
      cs.map((c) => [(c as SVGElement).dataset.steps, (c as SVGElement).dataset.flops]),
    );
    assert.deepEqual(points, [
      ["0", "0"],
      ["4", "492"],
      ["8", "984"],
      ["12", "1476"],
      ["16", "1968"],
    ]);
    assert.equal(points.at(-1)![1], status.cumulativeFlops);
    assert.equal((await page.$$("#timeline line.cap")).length, 1, "the cap line");
    assert.equal((await page.$$("#timeline line.threshold")).length, 1, "the threshold line");
    const violations = await page.$$eval("#violations tbody tr", (trs) =>
      trs.map((tr) => Object.fromEntries(Object.entries((tr as HTMLElement).dataset))),
    );
    assert.deepEqual(
      violations.map((v) => v.kind),
      ["PlannedComputeAboveCap", "ComputeCapExceeded", "ComputeCapExceeded"],
    );
    for (const v of violations) {
      assert.equal(v.reporter, fixtures.runs.A.lab, "flagged in the lab's own transactions");
      assert.match(v.block!, /^\d+$/);
    }
    await shot(page, "run");
    await page.goto(`${url}#/run/99`);
    await page.waitForFunction(() => document.querySelector("main")?.textContent.includes("There is no run 99"));
    await page.close();
  });

  it("should show a lab's observed against accounted compute, and flag a lab that trained off the books (issue #29)", async () => {
    // An observer (the node's account 5) added through the policy timelock: scheduled, then executed.
    const observer = getAddress("0x9965507d1a55bcc2695c58ba16fb37d819b0a4dc");
    const add = ["observer", "add", "--signer", observer, "--name", "Grid meter 7", "--kind", "power meter"];
    assert.match(await cli(...add), /scheduled in the policy timelock/);
    await rpcCall(nodePort, "evm_increaseTime", [86_401]);
    await rpcCall(nodePort, "evm_mine");
    assert.match(await cli(...add), /is registered/);
    // The day of run B's checkpoint (by the chain's clock) is over: the meter reports both labs for it. Run A's
    // lab accounted for its runs, run B's lab for one checkpoint only, and the meter saw it use 10^18 FLOPs.
    const [labA, labB] = [fixtures.runs.A.lab, fixtures.runs.B.lab];
    const runB = (
      JSON.parse(await cli("status", "--json", "--run", "2")) as { runs: Array<{ lastCheckpointAt: string }> }
    ).runs[0]!;
    const period = `${(BigInt(runB.lastCheckpointAt) / 86_400n) * 86_400n}`;
    const evidence = ["--evidence-hash", `0x${"ab".repeat(32)}`, "--period-start", period, "--account", "5"];
    // Refused before anything is sent: no evidence, and the period of today, which is not over.
    await assert.rejects(cli("report", "--lab", labA, "--flops", "1", "--account", "5"), /exactly one of --evidence/);
    const today =
      (BigInt(
        ((await rpcCall(nodePort, "eth_getBlockByNumber", ["latest", false])) as { timestamp: string }).timestamp,
      ) /
        86_400n) *
      86_400n;
    await assert.rejects(
      cli(
        "report",
        "--lab",
        labA,
        "--flops",
        "1",
        ...evidence.slice(0, 2),
        "--period-start",
        `${today}`,
        "--account",
        "5",
      ),
      /PeriodNotClosed.*the period has not ended yet/,
    );
    assert.match(await cli("report", "--lab", labA, "--flops", "2000", ...evidence), /relayed in block/);
    // The meter signs its report on lab B without sending it; another account relays the file.
    const signedFile = path.join(work, "report-b.json");
    await assert.rejects(cli("report", "--lab", labB, "--flops", "1", ...evidence, "--no-relay"), /give --out/);
    const signed = await cli(
      "report",
      "--lab",
      labB,
      "--flops",
      `${10n ** 18n}`,
      ...evidence,
      "--no-relay",
      "--out",
      signedFile,
    );
    assert.match(signed, /written to .*report-b\.json/);
    assert.doesNotMatch(signed, /relayed/);
    assert.match(
      await cli("report", "--file", signedFile, "--account", "2"),
      new RegExp(`report of ${observer}.*relayed in block`),
    );
    const { page, url } = await opened(`#/lab/${labB.toLowerCase()}`);
    // Before the grace is over: observed, and accounted so far.
    await page.waitForSelector(`#compute rect.observed[data-state="relayed"]`);
    await rpcCall(nodePort, "evm_increaseTime", [86_400]);
    await rpcCall(nodePort, "evm_mine");
    const reconciled = await cli("reconcile", "--account", "2");
    assert.match(reconciled, /2 report\(s\) reconciled/);
    assert.match(reconciled, new RegExp(`${labB}.*FLAGGED UnaccountedCompute`));
    assert.match(reconciled, new RegExp(`${labA}.*within tolerance`));
    await page.waitForSelector(`#compute rect.observed[data-state="flagged"]`, { timeout: 10_000 });
    const bars = await page.$$eval("#compute rect", (rs) =>
      rs.map((r) => [r.getAttribute("class"), (r as SVGElement).dataset.flops]),
    );
    assert.deepEqual(bars, [
      ["accounted", "492"],
      ["observed flagged", `${10n ** 18n}`],
    ]);
    assert.equal((await page.$$("#lab-flags li")).length, 1);
    await shot(page, "lab");
    // The live feed shows the flag, linked to the lab's page; the other lab is within tolerance.
    await page.goto(`${url}#/`);
    await ready(page);
    const flag = await page.waitForSelector(`#feed li[data-kind="UnaccountedCompute"][data-lab="${labB}"]`);
    assert.match(await flag!.evaluate((li) => li.textContent), new RegExp(`reporter ${ACCOUNT2}`));
    assert.equal((await page.$$(`#feed li[data-kind="UnaccountedCompute"][data-lab="${labA}"]`)).length, 0);
    // The CLI's view and the watcher agree.
    assert.match(await cli("observers"), new RegExp(`lab ${labB}.*accounted 492 .*: flagged`));
    const watched = await cli("watch", "--once", "--json", "--no-cursor");
    const flags = watched
      .split("\n")
      .filter((l) => l.includes('"UnaccountedComputeFlagged"'))
      .map((l) => JSON.parse(l) as { lab: string; accountedFlops: string; reporter: string });
    assert.deepEqual(
      flags.map((f) => [f.lab, f.accountedFlops, f.reporter]),
      [[labB, "492", ACCOUNT2]],
    );
    await page.close();
  });

  it("should say when the RPC endpoint is unreachable, and catch up when it is back", async () => {
    const { page } = await opened();
    await proxy.down();
    await page.waitForSelector('body[data-status="rpc"]', { timeout: 15_000 });
    const banner = await page.$eval("#banner", (b) => b.textContent);
    assert.match(banner, /RPC endpoint does not answer \(the dashboard's server cannot reach it: .*ECONNREFUSED/);
    assert.equal((await tableRows(page)).length, 3, "what was read stays on screen");
    await shot(page, "rpc-unreachable");
    // Events while the page cannot see the chain.
    await rpcCall(nodePort, "evm_increaseTime", [601]);
    await rpcCall(nodePort, "evm_mine");
    await cli("flag-missed", "--run", "2", "--account", "2");
    await proxy.up();
    await ready(page);
    await page.waitForFunction(
      () => document.querySelectorAll('#feed li[data-kind="CheckpointDeadlineMissed"][data-run="2"]').length === 2,
      { timeout: 15_000 },
    );
    assert.equal(await page.$eval("#banner", (b) => (b as HTMLElement).hidden), true);
    await page.close();
  });

  it("should say when the dashboard's server is gone, and recover when it is back", async () => {
    const port = await freePort();
    const url = await dashboard(deployments, proxy.port, port);
    const page = await browser.newPage();
    await page.goto(url);
    await ready(page);
    await servers.at(-1)!.stop();
    await page.waitForSelector('body[data-status="server"]', { timeout: 15_000 });
    assert.match(await page.$eval("#banner", (b) => b.textContent), /dashboard's server does not answer/);
    await dashboard(deployments, proxy.port, port);
    await ready(page);
    assert.equal((await tableRows(page)).length, 3);
    await page.close();
  });

  it("should say when the deployment record is stale, and refuse every call but reads", async () => {
    const stale = path.join(work, "stale");
    await cp(deployments, stale, { recursive: true });
    const file = path.join(stale, "localhost", "deployment.json");
    const record = JSON.parse(await readFile(file, "utf8")) as { contracts: Record<string, { address: string }> };
    record.contracts.TrainingRegistry!.address = getAddress("0x000000000000000000000000000000000000dEaD");
    await writeFile(file, JSON.stringify(record));
    const url = await dashboard(stale, nodePort);
    const page = await browser.newPage();
    await page.goto(url);
    await page.waitForSelector('body[data-status="stale"]', { timeout: 15_000 });
    assert.match(
      await page.$eval("#banner", (b) => b.textContent),
      /stale: no contract at the registry's address .*Retrying every 0\.5 s/,
    );
    await shot(page, "stale-record");
    await page.close();

    const res = await fetch(`${url}rpc`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 7, method: "eth_sendTransaction", params: [{}] }),
    });
    const body = (await res.json()) as { id: number; error: { code: number; message: string } };
    assert.equal(body.id, 7);
    assert.equal(body.error.code, -32601);
    assert.match(body.error.message, /read-only/);
  });

  it("should follow a redeploy recorded while the page is open", async () => {
    const moved = path.join(work, "moved");
    await cp(deployments, moved, { recursive: true });
    const url = await dashboard(moved, nodePort);
    const page = await browser.newPage();
    await page.goto(url);
    await ready(page);
    assert.equal((await tableRows(page)).length, 3);
    await cliOn(nodePort, moved, ["deploy", "--network", "localhost", "--force"]);
    // A new, empty registry: the page re-reads the record every 10 polls and starts over.
    await page.waitForFunction(() => document.querySelector("main")?.textContent.includes("No runs registered yet"), {
      timeout: 30_000,
    });
    await page.close();
  });

  it("should refuse the in-process network, which has no deployment record", async () => {
    const p = scriptProcess("dashboard", ["--network", "default", "--port", String(await freePort())]);
    assert.equal(await p.wait(), 1);
    assert.match(p.errors.join("\n"), /in-process chain/);
  });
});
