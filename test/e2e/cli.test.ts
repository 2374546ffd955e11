/**
 * End to end against a real `hardhat node` process on localhost (started and
 * stopped here): deploy, register, prove, submit and flag with the CLI while
 * a watcher runs as a separate process behind a TCP proxy this test
 * controls. The watcher is stopped mid-run and restarted, and its connection
 * is cut while events keep coming and then restored: the union of its output
 * must hold every event exactly once. An independent client (ethers, reading
 * only the ABI and address from deployments/) reads the same run state as
 * `status --json`.
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Contract, JsonRpcProvider, type EventLog } from "ethers";
import { after, before, describe, it } from "mocha";
import { registryFixtures } from "../../harness/fixtures/registry.js";
import { EXAMPLE_SPEC } from "../../prover/spec/example.js";
import { freePort, sleep, until } from "../../harness/net.js";
import { cliOn, cliProcess, Proc, Proxy, rpcCall, startHardhatNode } from "../../harness/processes.js";

const ACCOUNT1 = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

describe("end to end: the CLI against a hardhat node, with a watcher", function () {
  this.timeout(1_500_000);
  let node: Proc;
  let nodePort: number;
  let proxy: Proxy;
  let work: string;
  let deployments: string;
  const watchers: Proc[] = [];

  /** Runs a CLI command against the node (directly, not through the proxy); returns stdout. */
  const cli = (...args: string[]): Promise<string> => cliOn(nodePort, deployments, args);
  const rpc = (method: string, params: unknown[] = []): Promise<unknown> => rpcCall(nodePort, method, params);
  function startWatcher(): Proc {
    const w = cliProcess([
      "watch",
      "--json",
      "--poll-ms",
      "200",
      "--rpc-url",
      `http://127.0.0.1:${proxy.port}`,
      "--deployments",
      deployments,
      "--cursor",
      path.join(work, "cursor.json"),
    ]);
    watchers.push(w);
    return w;
  }
  const events = (w: Proc): Array<{ event: string; id: string }> =>
    w.lines.map((l) => JSON.parse(l) as { event: string; id: string });

  before(async () => {
    await registryFixtures(); // keys built (and proofs recorded) before timing-sensitive work
    work = await mkdtemp(path.join(tmpdir(), "vtr-e2e-"));
    deployments = path.join(work, "deployments");
    ({ node, port: nodePort } = await startHardhatNode());
    proxy = new Proxy(await freePort(), nodePort);
    await proxy.up();
  });

  after(async () => {
    for (const w of watchers) if (w.child.exitCode === null) await w.stop("SIGKILL");
    await proxy.down();
    if (node.child.exitCode === null) await node.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("should run the whole story, and the watcher should report every event exactly once", async () => {
    // Deploy, and refuse a second deploy by accident.
    assert.match(await cli("deploy", "--network", "localhost", "--threshold", "1500"), /recorded in/);
    const again = cliProcess(["deploy", "--rpc-url", `http://127.0.0.1:${nodePort}`, "--deployments", deployments]);
    assert.equal(await again.wait(), 1);
    assert.match(again.errors.join("\n"), /already has a deployment.*--force/);

    // Watcher #1 sees the deployment and the first registration.
    const w1 = startWatcher();
    const honestDir = path.join(work, "honest");
    // Training before registration is refused: the data order needs the registry's beacon.
    const early = cliProcess(["prove", "--spec", EXAMPLE_SPEC, "--run-dir", honestDir, "--lab", ACCOUNT1]);
    assert.equal(await early.wait(), 1);
    assert.match(early.errors.join("\n"), /register the run first/);
    assert.match(
      await cli(
        "register",
        "--spec",
        EXAMPLE_SPEC,
        "--run-dir",
        honestDir,
        "--flops-cap",
        "2000",
        "--max-steps",
        "16",
        "--deadline",
        "3600",
      ),
      /run 1 registered[\s\S]*beacon \d+ \(hash of block \d+, drawn after registration\) recorded/,
    );
    await cli(
      "prove",
      "--spec",
      EXAMPLE_SPEC,
      "--run-dir",
      honestDir,
      "--no-step-proofs",
      "--steps",
      "8",
      "--account",
      "0",
    );
    await until("watcher #1 to see the registration", () => events(w1).some((e) => e.event === "GenesisVerified"));
    assert.equal(await w1.stop("SIGTERM"), 0, "the watcher stops cleanly on SIGTERM");

    // While no watcher runs: two checkpoints.
    assert.match(await cli("submit", "--run-dir", honestDir), /2 checkpoint\(s\) submitted in 2 transaction\(s\)/);
    assert.match(
      await cli("submit", "--run-dir", honestDir),
      /0 checkpoint\(s\) submitted in 0 transaction\(s\), 2 already on chain/,
    );

    // Watcher #2 catches up from its cursor.
    const w2 = startWatcher();
    await until(
      "watcher #2 to catch up",
      () => events(w2).filter((e) => e.event === "CheckpointAccepted").length === 2,
    );

    // Cut the watcher's connection while events keep coming.
    await proxy.down();
    const greedySpec = path.join(work, "greedy.json");
    const spec = JSON.parse(await readFile(EXAMPLE_SPEC, "utf8")) as { salt: string };
    await writeFile(greedySpec, JSON.stringify({ ...spec, salt: (BigInt(spec.salt) + 1n).toString() }));
    const greedyDir = path.join(work, "greedy");
    await cli("prove", "--spec", EXAMPLE_SPEC, "--run-dir", honestDir, "--no-step-proofs", "--account", "0");
    // The last two in one transaction (issue #26): the watcher sees each checkpoint as before.
    assert.match(
      await cli("submit", "--run-dir", honestDir, "--batch", "2"),
      /2 checkpoint\(s\) submitted in 1 transaction\(s\)/,
    );
    assert.match(
      await cli(
        "register",
        "--spec",
        greedySpec,
        "--run-dir",
        greedyDir,
        "--flops-cap",
        "100",
        "--max-steps",
        "16",
        "--deadline",
        "600",
        "--account",
        "1",
      ),
      /run 2 registered/,
    );
    await cli(
      "prove",
      "--spec",
      greedySpec,
      "--run-dir",
      greedyDir,
      "--no-step-proofs",
      "--steps",
      "4",
      "--lab",
      ACCOUNT1,
    );
    await cli("submit", "--run-dir", greedyDir);
    await rpc("evm_increaseTime", [601]);
    await rpc("evm_mine");
    assert.match(await cli("flag-missed", "--run", "2", "--account", "2"), /flagged by 0x3C44/);
    // Both plans were projected at registration and the threshold did not change: nothing to reassess.
    const reassess = cliProcess([
      "reassess",
      "--run",
      "2",
      "--rpc-url",
      `http://127.0.0.1:${nodePort}`,
      "--deployments",
      deployments,
    ]);
    assert.equal(await reassess.wait(), 1);
    assert.match(reassess.errors.join("\n"), /NothingToReassess\(2, 1500\)/);
    await until("the watcher to notice the cut", () => w2.errors.some((l) => /RPC error/.test(l)), 60_000);

    // Restore it: the watcher catches up with nothing lost or repeated.
    await proxy.up();
    const provider = new JsonRpcProvider(`http://127.0.0.1:${nodePort}`);
    const record = JSON.parse(await readFile(path.join(deployments, "localhost", "deployment.json"), "utf8")) as {
      contracts: Record<string, { address: string; block: string; abi: string }>;
    };
    const reg = record.contracts.TrainingRegistry!;
    const abi = JSON.parse(await readFile(path.join(deployments, "localhost", reg.abi), "utf8")) as unknown[];
    const registry = new Contract(reg.address, abi as never, provider);
    // The watcher follows the registry, its families table (issue #24) and its observers' table (issue #29),
    // from the registry's block.
    const recorded = async (name: string) => {
      const c = record.contracts[name]!;
      const cAbi = JSON.parse(await readFile(path.join(deployments, "localhost", c.abi), "utf8")) as unknown[];
      return new Contract(c.address, cAbi as never, provider);
    };
    const table = await recorded("CircuitFamilies");
    const observers = await recorded("ComputeObservers");
    const logs = [
      ...((await registry.queryFilter("*", Number(reg.block))) as EventLog[]),
      ...((await table.queryFilter("*", Number(reg.block))) as EventLog[]),
      ...((await observers.queryFilter("*", Number(reg.block))) as EventLog[]),
    ].sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
    const expected = logs.map((l) => `${l.transactionHash}:${l.index}`);
    await until("watcher #2 to catch up after the cut", () => w1.lines.length + w2.lines.length >= expected.length);
    await sleep(1_000); // anything extra would show up now
    assert.equal(await w2.stop("SIGTERM"), 0);
    assert.ok(
      w2.errors.some((l) => /reachable again/.test(l)),
      "the watcher reports the reconnection",
    );

    const seen = [...events(w1), ...events(w2)].map((e) => e.id);
    assert.deepEqual(seen, expected, "every event exactly once, in chain order");
    const names = [...events(w1), ...events(w2)].map((e) => e.event);
    for (const n of [
      "CircuitFamilyRegistered",
      "RunRegistered",
      "GenesisVerified",
      "BeaconDrawn",
      "CheckpointAccepted",
      "ViolationFlagged",
      "RunDesignated",
    ])
      assert.ok(names.includes(n), `the watcher reported ${n}`);

    // status --json agrees with an independent reader of the chain.
    const status = JSON.parse(await cli("status", "--json")) as {
      runCount: string;
      runs: Array<Record<string, unknown> & { violations: Record<string, number> }>;
    };
    assert.equal(status.runCount, String(await registry.getFunction("runCount")()));
    for (const s of status.runs) {
      const r = (await registry.getFunction("getRun")(BigInt(s.runId as string))) as Record<string, unknown> & {
        violations: bigint[];
        attestations: { flopsCap: bigint };
      };
      assert.equal(s.lab, r.lab);
      assert.equal(s.steps, String(r.steps));
      assert.equal(s.cumulativeFlops, String(r.cumulativeFlops));
      assert.equal(BigInt(s.root as string), r.root);
      assert.equal(s.designated, r.designatedAt !== 0n);
      assert.equal(s.projectedToCross, r.projectedToCross);
      assert.equal(s.projectedToCross, true, "every plan here (1,968 FLOPs) is above the 1,500-FLOP threshold");
      assert.deepEqual(Object.values(s.violations), r.violations.map(Number));
      assert.equal((s.attestations as { flopsCap: string }).flopsCap, String(r.attestations.flopsCap));
    }
    assert.deepEqual(
      status.runs.map((r) => [r.steps, r.designated, r.violations]),
      [
        [
          "16",
          true,
          {
            PlannedComputeAboveCap: 0,
            PlannedStepsAboveLimit: 0,
            ComputeCapExceeded: 0,
            StepLimitExceeded: 0,
            CheckpointDeadlineMissed: 0,
            ChallengeUnanswered: 0,
          },
        ],
        [
          "4",
          false,
          {
            PlannedComputeAboveCap: 1,
            PlannedStepsAboveLimit: 0,
            ComputeCapExceeded: 1,
            StepLimitExceeded: 0,
            CheckpointDeadlineMissed: 1,
            ChallengeUnanswered: 0,
          },
        ],
      ],
    );
    provider.destroy();
  });
});
