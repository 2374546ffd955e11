/**
 * Sampled mode end to end with the CLI against a real `hardhat node`: a lab
 * registers in sampled mode and commits its windows; an auditor lists and
 * draws the challenges; the lab answers every one with step proofs; the
 * auditor pays for one more, which the lab leaves unanswered; the auditor
 * flags it after the response time and withdraws the refunded fee; a
 * watcher's JSON lines carry every sampled-mode event.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "mocha";
import { registryFixtures } from "../../harness/fixtures/registry.js";
import { EXAMPLE_SPEC } from "../../prover/spec/example.js";
import { cliOn, cliProcess, Proc, rpcCall, startHardhatNode } from "../../harness/processes.js";

describe("end to end: sampled mode with the CLI against a hardhat node", function () {
  this.timeout(1_500_000);
  let node: Proc;
  let port: number;
  let work: string;
  let deployments: string;
  const cli = (...args: string[]): Promise<string> => cliOn(port, deployments, args);

  before(async () => {
    await registryFixtures(); // keys built before the node starts
    work = await mkdtemp(path.join(tmpdir(), "vtr-e2e-sampled-"));
    deployments = path.join(work, "deployments");
    ({ node, port } = await startHardhatNode());
  });
  after(async () => {
    if (node.child.exitCode === null) await node.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("should commit, draw, answer, challenge, flag and withdraw with the CLI", async () => {
    // The policy's floor for a paid challenge's fee (issue #24): 10^12 wei.
    await cli("deploy", "--network", "localhost", "--challenge-fee", "1000000000000");
    const dir = path.join(work, "lab");
    // Both sampling options or neither.
    const half = cliProcess(
      ["register", "--spec", EXAMPLE_SPEC, "--run-dir", dir, "--flops-cap", "2000"]
        .concat(["--max-steps", "16", "--deadline", "3600", "--sampled", "2"])
        .concat(["--rpc-url", `http://127.0.0.1:${port}`, "--deployments", deployments]),
    );
    assert.equal(await half.wait(), 1);
    assert.match(half.errors.join("\n"), /needs both --sampled/);
    assert.match(
      await cli(
        "register",
        "--spec",
        EXAMPLE_SPEC,
        "--run-dir",
        dir,
        "--flops-cap",
        "2000",
        "--max-steps",
        "16",
        "--deadline",
        "3600",
        "--sampled",
        "2",
        "--response",
        "600",
      ),
      /run 1 registered[\s\S]*sampled mode: 2 challenge\(s\) per window of 4 steps, 600 s to answer/,
    );
    // A sampled run is not submitted.
    const submit = cliProcess([
      "submit",
      "--run-dir",
      dir,
      "--rpc-url",
      `http://127.0.0.1:${port}`,
      "--deployments",
      deployments,
    ]);
    assert.equal(await submit.wait(), 1);
    assert.match(submit.errors.join("\n"), /sampled run: it commits windows/);

    assert.match(
      await cli("commit", "--spec", EXAMPLE_SPEC, "--run-dir", dir),
      /4 window\(s\) committed, 0 already on chain; committed steps 16/,
    );
    assert.match(
      await cli("commit", "--spec", EXAMPLE_SPEC, "--run-dir", dir),
      /0 window\(s\) committed, 4 already on chain/,
    );
    // `commit` waited for the last window's seed block (mining the empty blocks on this development chain)
    // and drew every window itself (issue #24, P1): nothing is left for anyone else to draw.
    const drawn = await cli("challenges", "--run", "1", "--draw", "--account", "2");
    assert.doesNotMatch(drawn, /not drawn yet/);
    assert.equal(drawn.split("\n").filter((l) => /: Open, \d+ s left to answer, drawn/.test(l)).length, 8, drawn);

    assert.match(
      await cli("answer", "--spec", EXAMPLE_SPEC, "--run-dir", dir),
      /8 challenge\(s\) answered with step proofs \(8 proved, 0 kept\)/,
    );
    assert.match(
      await cli("answer", "--spec", EXAMPLE_SPEC, "--run-dir", dir),
      /no open challenge \(8 challenge\(s\) so far\)/,
    );
    const json = JSON.parse(await cli("status", "--run", "1", "--json")) as {
      runs: Array<{ mode: string; sampling: { challenged: number; answered: number; open: number } }>;
    };
    assert.equal(json.runs[0]!.mode, "sampled");
    assert.deepEqual(
      [json.runs[0]!.sampling.challenged, json.runs[0]!.sampling.answered, json.runs[0]!.sampling.open],
      [8, 8, 0],
    );

    // A paid challenge on a step not drawn, left unanswered, flagged after the response time.
    const list = JSON.parse(await cli("challenges", "--run", "1", "--json")) as Array<{ step: string }>;
    const free = [...Array(16).keys()].find((t) => !list.some((c) => c.step === String(t)))!;
    assert.match(
      await cli("challenge", "--run", "1", "--step", String(free), "--account", "2"),
      /challenged by 0x.* for 1000000000000 wei/,
    );
    const early = cliProcess(
      ["flag-unanswered", "--run", "1", "--step", String(free), "--account", "2"].concat([
        "--rpc-url",
        `http://127.0.0.1:${port}`,
        "--deployments",
        deployments,
      ]),
    );
    assert.equal(await early.wait(), 1);
    assert.match(early.errors.join("\n"), /ChallengeNotExpired/);
    // Its deadline queues behind the eight drawn challenges' (issue #24, P2): wait for exactly that.
    const paid = (
      JSON.parse(await cli("challenges", "--run", "1", "--json")) as Array<{ step: string; secondsLeft?: string }>
    ).find((c) => c.step === String(free))!;
    assert.ok(BigInt(paid.secondsLeft!) > 600n, `a queued deadline: ${paid.secondsLeft} s left`);
    await rpcCall(port, "evm_increaseTime", [Number(paid.secondsLeft) + 1]);
    await rpcCall(port, "hardhat_mine", ["0x1"]);
    assert.match(await cli("flag-unanswered", "--run", "1", "--step", String(free), "--account", "2"), /flagged by 0x/);
    assert.match(await cli("withdraw", "--account", "2"), /withdrew 1000000000000 wei/);
    assert.match(await cli("withdraw", "--account", "2"), /has no credit to withdraw/);
    const table = await cli("status");
    assert.match(table, /unanswered×1/);
    assert.match(table, /sampled 2\/window: 9 challenged, 8 proven, 1 unanswered, 0 open/);

    // The watcher's lines carry the sampled-mode events.
    const watched = (await cli("watch", "--json", "--once", "--no-cursor"))
      .split("\n")
      .map((l) => (JSON.parse(l) as { event: string }).event);
    for (const e of [
      "RunSampled",
      "WindowCommitted",
      "ChallengesDrawn",
      "ChallengeAnswered",
      "ChallengeRequested",
      "ChallengeFeeRefunded",
      "ViolationFlagged",
      "Withdrawn",
    ])
      assert.ok(watched.includes(e), `the watcher did not report ${e}`);
  });
});
