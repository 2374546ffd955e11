/**
 * Every README command on a clean checkout (issue #25): the working tree's
 * files (tracked and new, nothing ignored: no build/, no keys, no compiled
 * contracts, no deployment records) copied to a temporary directory with no
 * ../shared beside it, node_modules hard-linked in. Each command of the
 * README either works there, or says in one line what to run first, or, for
 * the commands that build keys, says on screen before anything slow that it
 * is about to generate a development ptau (then the test stops it). A README
 * row this test has no check for fails it, so the README and this test
 * cannot drift apart.
 */
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "mocha";
import { PROJECT_ROOT } from "../../prover/paths.js";

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Whether the test stopped it (after `until` matched). */
  stopped: boolean;
}

/** Runs `line` with sh in `cwd`; with `until`, stops the whole process group once the output matches it. */
function run(line: string, cwd: string, until?: RegExp, ms = 300_000): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn("sh", ["-c", line], { cwd, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let stopped = false;
    const stop = () => {
      if (stopped) return;
      stopped = true;
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(stop, ms);
    const look = () => {
      if (until?.test(stdout + stderr)) stop();
    };
    child.stdout.on("data", (b: Buffer) => {
      stdout += b.toString();
      look();
    });
    child.stderr.on("data", (b: Buffer) => {
      stderr += b.toString();
      look();
    });
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, stopped });
    });
  });
}

const STACK_FRAME = /^\s+at .+\(.+:\d+:\d+\)$/m;

/** A command that refuses cleanly: non-zero exit, no stack trace, and its last line says what to run first. */
function saysWhatFirst(o: Outcome, first: RegExp): void {
  assert.notEqual(o.code, 0, "exits non-zero");
  assert.doesNotMatch(o.stderr, STACK_FRAME, "no stack trace");
  const last = o.stderr.trim().split("\n").pop() ?? "";
  assert.match(last, first, `last line names the command to run first: ${last}`);
}

const PTAU_WARNING = /no shared development ptau at \.\.\/shared\/ptau\/pot17_dev\.ptau: generating a development ptau/;

/** The ptau warning came before any slow work, and nothing failed before it. */
function warnsBeforeThePtau(o: Outcome): void {
  assert.ok(o.stopped, `stopped at the ptau warning (exit ${o.code}): ${o.stderr.slice(-400)}`);
  const all = o.stdout + o.stderr;
  const warned = all.search(PTAU_WARNING);
  assert.ok(warned >= 0, "the ptau warning is shown");
  const started = all.indexOf("generating a DEVELOPMENT ptau");
  assert.ok(started < 0 || warned < started, "before the ptau generation starts");
}

describe("README commands on a clean checkout (issue #25)", function () {
  let dir: string;
  let repo: string;
  let readme: string;

  before(async function () {
    dir = await mkdtemp(path.join(tmpdir(), "vtr-readme-"));
    repo = path.join(dir, "repo");
    await mkdir(repo);
    const files = execFileSync("git", ["ls-files", "-co", "--exclude-standard", "-z"], { cwd: PROJECT_ROOT })
      .toString()
      .split("\0")
      .filter((f) => f && existsSync(path.join(PROJECT_ROOT, f)));
    execFileSync("cp", ["--parents", "-t", repo, ...files], { cwd: PROJECT_ROOT });
    // Hard links: circom (WASI) does not follow a node_modules symlink out of the project.
    try {
      execFileSync("cp", ["-al", path.join(PROJECT_ROOT, "node_modules"), repo]);
    } catch {
      execFileSync("cp", ["-r", path.join(PROJECT_ROOT, "node_modules"), repo]);
    }
    assert.ok(!existsSync(path.join(repo, "build")) && !existsSync(path.join(dir, "shared")), "a clean state");
    readme = await readFile(path.join(repo, "README.md"), "utf8");
  });

  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /**
   * The npm scripts the README tells a reader to run, each with its check on the clean checkout
   * (a string: why this test does not run it, and what does).
   */
  const checks: Record<string, (() => Promise<void>) | string> = {
    demo: async () => {
      warnsBeforeThePtau(await run("npm run demo", repo, PTAU_WARNING));
    },
    test: "the suite itself, run by CI's .ci/run on a clean clone (it cannot run inside itself)",
    lint: "run by `npm test` before every test",
    registry: async () => {
      const help = await run("npm run -s registry -- --help", repo);
      assert.equal(help.code, 0);
      for (const c of ["deploy", "add-family", "register", "submit", "watch", "commit", "answer"])
        assert.match(help.stdout, new RegExp(`^\\s+${c}\\b`, "m"), c);
      // Compiles the contracts it needs, then says the keys are missing.
      saysWhatFirst(
        await run("npm run -s registry -- deploy --network default", repo),
        /run `npm run artifacts` first/,
      );
    },
    dashboard: async () => {
      saysWhatFirst(
        await run("npm run -s dashboard", repo),
        /run `npm run registry -- deploy --network localhost` first/,
      );
    },
    spec: async () => {
      const o = await run(
        "npm run -s dataset -- import node_modules/vega-datasets/data/penguins.json --label Species " +
          "--features 'Beak Length (mm),Flipper Length (mm)' --drop-incomplete --out spec-data.json && " +
          "npm run -s spec -- init --dataset spec-data.json --learning-rate 0.05 --batch 2 " +
          "--steps 4 --checkpoint-interval 4 --out my-spec.json && npm run -s spec -- show my-spec.json",
        repo,
      );
      assert.equal(o.code, 0, o.stderr);
      assert.match(o.stdout, /linear-mse\/i2-o3-b2\/n342\/k4/);
    },
    dataset: async () => {
      const o = await run(
        "npm run -s dataset -- import node_modules/vega-datasets/data/penguins.json --label Species " +
          "--features 'Beak Length (mm),Flipper Length (mm)' --drop-incomplete --out penguins.json",
        repo,
      );
      assert.equal(o.code, 0, o.stderr);
      assert.ok(existsSync(path.join(repo, "penguins.json")));
    },
    prove: async () => {
      saysWhatFirst(
        await run("npm run -s prove -- --spec prover/spec/examples/iris-linear.json --run-dir runs/a", repo),
        /run `npm run artifacts -- --spec prover\/spec\/examples\/iris-linear\.json` first/,
      );
    },
    chunks: async () => {
      // The MNIST digits as the README writes them, then the chunked run: it builds the chunk keys first.
      const o = await run(
        "npm run -s dataset -- mnist --out mnist.json && npm run chunks -- --spec prover/spec/examples/mnist-mlp.json " +
          "--dataset mnist.json --run-dir runs/mnist --tiling 2x5 --on-chain",
        repo,
        PTAU_WARNING,
      );
      assert.match(o.stdout, /mnist\.json: 1000 samples, 49 features/);
      warnsBeforeThePtau(o);
    },
    artifacts: async () => {
      warnsBeforeThePtau(await run("npm run artifacts", repo, PTAU_WARNING));
    },
    worker: async () => {
      const help = await run("npm run -s worker -- --help", repo);
      assert.equal(help.code, 0);
      assert.match(help.stdout, /--redis <url>/);
      // No Redis there: one line saying how to get one.
      saysWhatFirst(
        await run("npm run -s worker -- --redis redis://127.0.0.1:1", repo),
        /cannot reach Redis .*start one/,
      );
    },
    ceremony: async () => {
      const o = await run("npm run -s ceremony -- --help", repo);
      assert.equal(o.code, 0);
      for (const c of ["new", "contribute", "beacon", "verify", "finalize"])
        assert.match(o.stdout, new RegExp(`^\\s+${c}\\b`, "m"));
    },
    bench: async () => {
      const o = await run("npm run bench", repo, PTAU_WARNING);
      assert.match(o.stdout, /Constraints per gadget/);
      warnsBeforeThePtau(o);
    },
    fixtures: async () => {
      warnsBeforeThePtau(await run("npm run fixtures", repo, PTAU_WARNING));
    },
    generate: async () => {
      const o = await run("npm run -s generate", repo);
      assert.equal(o.code, 0, o.stderr);
      assert.match(o.stdout, /docs\/commands\.md: up to date/);
      assert.match(o.stdout, /circuits\/spec\/fields\.circom: up to date/);
    },
    format: async () => {
      // Prettier in place; the tree it leaves passes the check `npm run lint` makes.
      const o = await run("npm run -s format && npx prettier --check .", repo);
      assert.equal(o.code, 0, o.stdout + o.stderr);
    },
  };

  it("should have a check for every npm script the README names, and no other", () => {
    const named = new Set(
      [...readme.matchAll(/`npm (?:run (?:-s )?([a-z:-]+)|(test))\b/g)].map((m) => (m[1] ?? m[2])!),
    );
    assert.deepEqual([...named].sort(), Object.keys(checks).sort());
  });

  for (const [script, check] of Object.entries(checks))
    if (typeof check !== "string") it(`npm run ${script} works, or says what to run first`, check);
});
