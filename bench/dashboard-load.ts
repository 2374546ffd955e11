/**
 * The dashboard's page-load benchmark (`npm run bench`): a `hardhat node`
 * with 100 registered runs (3 with checkpoints and violations, 97 genesis
 * only; real proofs), `npm run dashboard` against it, and a headless
 * Chromium timing, from navigation, until the runs table holds all 100 runs
 * (and, for a run page, until its timeline is drawn). Medians of 5 loads,
 * each in a new tab.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Address } from "viem";
import type { Logger } from "../prover/proving/log.js";
import { manyRuns } from "../harness/fixtures/many-runs.js";
import { registryFixtures } from "../harness/fixtures/registry.js";
import { browserUnavailable, launchBrowser } from "../harness/browser.js";
import { freePort } from "../harness/net.js";
import { connectNode, populate } from "../harness/populate.js";
import { cliProcess, dashboardProcess, rpcCall, startHardhatNode } from "../harness/processes.js";

export interface DashboardLoad {
  readonly runs: number;
  readonly events: number;
  /** Navigation until the table shows every run. */
  readonly tableLoadMsMedian: number;
  /** Navigation until a run page's timeline is drawn. */
  readonly runPageLoadMsMedian: number;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function measureDashboardLoad(log: Logger): Promise<DashboardLoad | { skipped: string }> {
  const unavailable = browserUnavailable();
  if (unavailable) return { skipped: unavailable };
  const fixtures = await registryFixtures(log);
  const many = await manyRuns(97, log);
  const work = await mkdtemp(path.join(tmpdir(), "vtr-dashboard-bench-"));
  const { node, port } = await startHardhatNode();
  const procs = [node];
  try {
    const deployments = path.join(work, "deployments");
    const deploy = cliProcess([
      "deploy",
      "--rpc-url",
      `http://127.0.0.1:${port}`,
      "--deployments",
      deployments,
      "--threshold",
      "1500",
    ]);
    if ((await deploy.wait()) !== 0) throw new Error(`deploy failed:\n${deploy.errors.join("\n")}`);
    const record = JSON.parse(await readFile(path.join(deployments, "localhost", "deployment.json"), "utf8")) as {
      contracts: Record<string, { address: Address }>;
    };
    const conn = await connectNode(`http://127.0.0.1:${port}`);
    const { A, B, C } = fixtures.runs;
    log.info("registering 100 runs on a hardhat node");
    await populate(conn, record.contracts.TrainingRegistry!.address, [
      { run: A, attestations: { flopsCap: 1000n, maxSteps: 16n, checkpointDeadline: 3600n }, checkpoints: 4 },
      { run: B, attestations: { flopsCap: 5000n, maxSteps: 16n, checkpointDeadline: 600n }, checkpoints: 1 },
      { run: C, attestations: { flopsCap: 5000n, maxSteps: 2n, checkpointDeadline: 3600n }, checkpoints: 3 },
      ...many.map((run, i) => ({
        run,
        // Every third plan above its cap (flagged at registration).
        attestations: { flopsCap: i % 3 === 0 ? 1000n : 5000n, maxSteps: 16n, checkpointDeadline: 3600n },
        checkpoints: 0,
      })),
    ]);
    const logs = (await rpcCall(port, "eth_getLogs", [
      { address: record.contracts.TrainingRegistry!.address, fromBlock: "0x0", toBlock: "latest" },
    ])) as unknown[];
    const url = await dashboardProcess(
      ["--rpc-url", `http://127.0.0.1:${port}`, "--deployments", deployments],
      await freePort(),
      (p) => procs.push(p),
    );
    const browser = await launchBrowser();
    try {
      const time = async (hash: string, done: string): Promise<number> => {
        const page = await browser.newPage();
        const t = performance.now();
        await page.goto(url + hash);
        await page.waitForFunction(done, { timeout: 60_000, polling: 10 });
        const ms = performance.now() - t;
        await page.close();
        return ms;
      };
      const table: number[] = [];
      const run: number[] = [];
      for (let i = 0; i < 5; i++) {
        table.push(await time("#/", `document.querySelectorAll("#runs tbody tr").length === 100`));
        run.push(await time("#/run/1", `document.querySelectorAll("#timeline .point").length === 5`));
      }
      return {
        runs: 100,
        events: logs.length,
        tableLoadMsMedian: Math.round(median(table)),
        runPageLoadMsMedian: Math.round(median(run)),
      };
    } finally {
      await browser.close();
    }
  } finally {
    for (const p of procs.reverse()) if (p.child.exitCode === null) await p.stop();
    await rm(work, { recursive: true, force: true });
  }
}
