/**
 * `npm run chunks` (scripts/chunks.ts over prover/chunk/run.ts): a chunked run of the iris MLP under the
 * exact rule proven into a directory, every step's set checked; re-running resumes and replaces a damaged
 * proof; another tiling in the same directory, a spec of the sequential rule and a bad tiling are refused.
 * With --on-chain, a run of two planned steps is registered with its genesis chunks on the in-process chain,
 * every step's chunks are submitted in one call each, and the run completes; with --sampled, the same spec's
 * run is registered in sampled mode, its window committed with its chunk statements, and the drawn challenge
 * answered with one tile and the link.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "mocha";
import { runScript } from "../../harness/processes.js";
import { MLP_EXAMPLE_SPEC } from "../../prover/spec/example.js";

const cli = (args: string[]) => runScript("chunks", args);

describe("npm run chunks", function () {
  this.timeout(1_800_000);
  let dir: string;
  let spec: string;
  let runDir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "vtr-chunks-cli-"));
    const raw = JSON.parse(await readFile(MLP_EXAMPLE_SPEC, "utf8")) as Record<string, unknown>;
    spec = path.join(dir, "iris-mlp-exact.json");
    await writeFile(spec, JSON.stringify({ ...raw, accumulation: { rule: "exact", range: { min: -40, max: 15 } } }));
    runDir = path.join(dir, "run");
  });
  after(() => rm(dir, { recursive: true, force: true }));
  const args = (tiling = "3x1") => [
    "--spec",
    spec,
    "--run-dir",
    runDir,
    "--tiling",
    tiling,
    "--beacon",
    "7",
    "--steps",
    "1",
  ];

  it("should prove every step as chunks, check each set, and resume", async () => {
    const r = cli(args());
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /1 step proven as 6 chunk proofs each, every step's set checked/);
    for (const t of [0])
      for (const name of ["hidden-0", "hidden-1", "output-0", "output-1", "output-2", "link"])
        assert.ok(existsSync(path.join(runDir, `step-${t}`, `${name}.json`)), `step ${t} ${name}`);
    const link = await readFile(path.join(runDir, "step-0", "link.json"), "utf8");

    // A damaged proof is proved again; the others are kept as they are.
    const damaged = path.join(runDir, "step-0", "output-1.json");
    const p = JSON.parse(await readFile(damaged, "utf8")) as { publicSignals: string[] };
    p.publicSignals[0] = "1";
    await writeFile(damaged, JSON.stringify(p));
    const again = cli(args());
    assert.equal(again.status, 0, again.stderr);
    assert.equal(await readFile(path.join(runDir, "step-0", "link.json"), "utf8"), link);
    assert.notEqual((JSON.parse(await readFile(damaged, "utf8")) as { publicSignals: string[] }).publicSignals[0], "1");
  });

  it("should register, submit every step's chunks and complete the run with --on-chain", async () => {
    const raw = JSON.parse(await readFile(spec, "utf8")) as Record<string, unknown>;
    const twoSteps = path.join(dir, "two-steps.json");
    await writeFile(twoSteps, JSON.stringify({ ...raw, plannedSteps: 2, checkpointInterval: 1 }));
    const onChain = path.join(dir, "on-chain");
    const r = cli(["--spec", twoSteps, "--run-dir", onChain, "--tiling", "3x1", "--on-chain"]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /2 steps proven as 6 chunk proofs each/);
    assert.match(r.stdout, /run 1, beacon 0x[0-9a-f]+/);
    assert.match(r.stdout, /steps accepted 2 of 2, gas per step \d+, \d+/);
    assert.match(r.stdout, /run status: Completed/);
    assert.ok(existsSync(path.join(onChain, "genesis", "link.json")));
    // Sampled, on a fresh chain: windows of both steps, one challenge drawn; the genesis chunks are kept,
    // the window's statements committed from the jobs' inputs, and only the drawn tile and the link proven.
    const sampled = cli([
      "--spec",
      twoSteps,
      "--run-dir",
      onChain,
      "--tiling",
      "3x1",
      "--on-chain",
      "--sampled",
      "2:1",
    ]);
    assert.equal(sampled.status, 0, sampled.stderr);
    assert.match(sampled.stdout, /1 window\(s\) committed with their chunk statements \(gas \d+, \d+\)/);
    assert.match(sampled.stdout, /challenges answered 1: step [01] tile [0-4] \d+ gas/);
    assert.match(sampled.stdout, /chunk proofs made 2 of the run's 12/);
    assert.match(sampled.stdout, /steps committed 2 of 2; run status: Completed/);
    // A K = 4 spec, a beacon given with --on-chain, neither, windows that do not divide the plan, more
    // challenges than steps, --sampled without --on-chain, and a chain that is not local are refused.
    const k4 = path.join(dir, "k4.json");
    await writeFile(k4, JSON.stringify({ ...raw, plannedSteps: 4, checkpointInterval: 4 }));
    const refusals: Array<[string[], RegExp]> = [
      [["--spec", k4, "--run-dir", path.join(dir, "k4"), "--tiling", "3x1", "--on-chain"], /checkpointInterval is 4/],
      [
        ["--spec", twoSteps, "--run-dir", onChain, "--tiling", "3x1", "--on-chain", "--beacon", "7"],
        /one or the other/,
      ],
      [["--spec", twoSteps, "--run-dir", onChain, "--tiling", "3x1"], /give --beacon N, or --on-chain/],
      [
        ["--spec", twoSteps, "--run-dir", onChain, "--tiling", "3x1", "--on-chain", "--sampled", "3:1"],
        /commits whole windows/,
      ],
      [["--spec", twoSteps, "--run-dir", onChain, "--tiling", "3x1", "--on-chain", "--sampled", "2:3"], /1 <= S/],
      [["--spec", twoSteps, "--run-dir", onChain, "--tiling", "3x1", "--beacon", "7", "--sampled", "2:1"], /goes with/],
      [
        ["--spec", twoSteps, "--run-dir", onChain, "--tiling", "3x1", "--on-chain", "--network", "live"],
        /not a local chain/,
      ],
    ];
    for (const [a, why] of refusals) {
      const x = cli(a);
      assert.equal(x.status, 1, a.join(" "));
      assert.match(x.stderr, why);
    }
  });

  it("should refuse another tiling in the same directory, a sequential spec and a bad tiling", () => {
    const other = cli(args("1x1"));
    assert.equal(other.status, 1);
    assert.match(other.stderr, /holds chunk proofs of another run or tiling/);
    const seq = cli(["--spec", MLP_EXAMPLE_SPEC, "--run-dir", path.join(dir, "x"), "--tiling", "3x1", "--beacon", "7"]);
    assert.equal(seq.status, 1);
    assert.match(seq.stderr, /need an mlp-mse spec under the exact rule/);
    const bad = cli(["--spec", spec, "--run-dir", path.join(dir, "y"), "--tiling", "4x1", "--beacon", "7"]);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /does not divide/);
    assert.equal(existsSync(path.join(dir, "y", "chunked.json")), false);
  });
});
