/**
 * npm's `postinstall` for this project: makes sure Hardhat 3 has a Node
 * >= 22.13 and EDR's native package for this machine, fetching exactly what
 * `planInstall` names (see platform.ts) and saying so; prints how to fix the
 * machine when nothing can. Installs made here use `--no-save`: package.json
 * and package-lock.json are never written.
 *
 * Run by `npm install` and `npm ci`; by hand: `node --import tsx scripts/install/postinstall.ts`.
 * Set VTR_SKIP_POSTINSTALL=1 to skip it (then Hardhat may not start).
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type Host, type InstallPlan, type InstallState, detectLibc, edrPackageFor, planInstall } from "./platform.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const say = (line: string): void => {
  console.log(`[vtr install] ${line}`);
};

function readJson(file: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function detectHost(): Host {
  const host: Host = { platform: process.platform, arch: process.arch };
  if (process.platform !== "linux") return host;
  const header = (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header;
  let lddText: string | undefined;
  try {
    lddText = readFileSync("/usr/bin/ldd", "utf8");
  } catch {
    const r = spawnSync("ldd", ["--version"], { encoding: "utf8" });
    lddText = r.error === undefined ? `${r.stdout}${r.stderr}` : undefined;
  }
  return { ...host, libc: detectLibc({ glibcVersionRuntime: header?.glibcVersionRuntime, lddText }) };
}

/** The project's own Node binary (npm package `node`), if installed; its `bin` differs on Windows. */
function bundledNodeBinary(): string | undefined {
  const dir = path.join(ROOT, "node_modules", "node");
  const bin = (readJson(path.join(dir, "package.json"))?.bin as { node?: string } | undefined)?.node;
  if (bin === undefined) return undefined;
  const file = path.join(dir, bin);
  return existsSync(file) ? file : undefined;
}

/**
 * The directory of package `name` as Node would find it from `from`, by
 * Node's own lookup paths; EDR's `exports` hide its package.json from
 * `require.resolve`.
 */
function packageDir(name: string, from: string): string | undefined {
  const paths = createRequire(path.join(from, "package.json")).resolve.paths(name) ?? [];
  const found = paths.map((p) => path.join(p, name)).find((dir) => existsSync(path.join(dir, "package.json")));
  return found;
}

/**
 * The Node running npm (`npm_node_execpath`): the machine's own. This script
 * itself may run on the project's Node 22, since npm puts node_modules/.bin
 * first on PATH; and when npm itself ran on that Node (a shell with
 * node_modules/.bin on PATH), the install may just have pruned it, so fall
 * back to the Node running this script.
 */
const MACHINE_NODE =
  [process.env.npm_node_execpath, process.execPath].find((p) => p !== undefined && existsSync(p)) ?? process.execPath;

function machineNodeVersion(): string {
  if (MACHINE_NODE === process.execPath) return process.version;
  const r = spawnSync(MACHINE_NODE, ["--version"], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : process.version;
}

function findState(host: Host): InstallState {
  const node = bundledNodeBinary();
  let bundledNode: string | undefined;
  if (node !== undefined) {
    const r = spawnSync(node, ["--version"], { encoding: "utf8" });
    if (r.status === 0) bundledNode = r.stdout.trim();
  }
  const hardhatDir = packageDir("hardhat", ROOT);
  const edrDir = hardhatDir === undefined ? undefined : packageDir("@nomicfoundation/edr", hardhatDir);
  const edr =
    edrDir === undefined ? undefined : (readJson(path.join(edrDir, "package.json"))?.version as string | undefined);
  const pkg = edrPackageFor(host);
  const nativeDir = edrDir === undefined || pkg === undefined ? undefined : packageDir(pkg, edrDir);
  const edrNative =
    nativeDir === undefined
      ? undefined
      : (readJson(path.join(nativeDir, "package.json"))?.version as string | undefined);
  return { runningNode: machineNodeVersion(), bundledNode, edr, edrNative };
}

function runNpm(specs: string[]): boolean {
  const args = ["install", "--no-save", "--no-audit", "--no-fund", ...specs];
  const env = { ...process.env, VTR_SKIP_POSTINSTALL: "1" };
  const npmCli = process.env.npm_execpath;
  say(`npm ${args.join(" ")}`);
  const r =
    npmCli !== undefined && npmCli.endsWith(".js")
      ? spawnSync(MACHINE_NODE, [npmCli, ...args], { cwd: ROOT, env, stdio: "inherit" })
      : spawnSync("npm", args, { cwd: ROOT, env, stdio: "inherit", shell: process.platform === "win32" });
  return r.status === 0;
}

function describe(plan: InstallPlan, state: InstallState): string {
  const node =
    plan.node === "machine"
      ? `Node ${state.runningNode}`
      : `Node ${state.bundledNode ?? "22"} from npm's \`node\` package`;
  return `${node}, EDR ${state.edr ?? "?"} with ${state.edrNative !== undefined ? "its native package" : "no native package"}`;
}

function main(): number {
  if (process.env.VTR_SKIP_POSTINSTALL === "1") return 0;
  const host = detectHost();
  let state = findState(host);
  const plan = planInstall(host, state);
  if (plan.problem !== undefined) {
    say(`cannot set up Hardhat here: ${plan.problem}`);
    return 1;
  }
  if (plan.steps.length === 0) {
    say(`ready: ${describe(plan, state)} (nothing fetched)`);
    return 0;
  }
  for (const step of plan.steps) {
    say(`fetching ${step.specs.join(" ")}: ${step.why}`);
    if (!runNpm(step.specs)) {
      say(
        `npm failed to fetch ${step.specs.join(" ")}. Check the network, or install Node >= 22.13 and run npm install again.`,
      );
      return 1;
    }
  }
  state = findState(host);
  const after = planInstall(host, state);
  if (after.problem !== undefined || after.steps.length > 0) {
    say(
      `still incomplete after fetching: ${after.problem ?? after.steps.map((s) => s.why).join("; ")}. Use Node >= 22.13 and run npm install again.`,
    );
    return 1;
  }
  say(`ready: ${describe(after, state)} (fetched without touching package.json or package-lock.json)`);
  return 0;
}

process.exitCode = main();
