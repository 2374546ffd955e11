/**
 * The install's platform logic (scripts/install/platform.ts) for every
 * platform EDR ships, checked from this one machine; the lockfile's promise
 * that no package npm must install is tied to a platform; and the real
 * postinstall on this checkout doing no work and using no network.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "mocha";
import {
  BUNDLED_NODE,
  MIN_NODE,
  type Host,
  type InstallState,
  type LockPackages,
  bundledNodeRuns,
  detectLibc,
  edrPackageFor,
  planInstall,
  platformRestrictedDependencies,
  versionAtLeast,
} from "../../scripts/install/platform.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const readJson = (file: string): unknown => JSON.parse(readFileSync(path.join(ROOT, file), "utf8"));

/** Every host EDR 0.22 ships a native package for, as its napi targets name them. */
const EDR_HOSTS: [Host, string][] = [
  [{ platform: "darwin", arch: "arm64" }, "@nomicfoundation/edr-darwin-arm64"],
  [{ platform: "darwin", arch: "x64" }, "@nomicfoundation/edr-darwin-x64"],
  [{ platform: "linux", arch: "arm64", libc: "glibc" }, "@nomicfoundation/edr-linux-arm64-gnu"],
  [{ platform: "linux", arch: "arm64", libc: "musl" }, "@nomicfoundation/edr-linux-arm64-musl"],
  [{ platform: "linux", arch: "x64", libc: "glibc" }, "@nomicfoundation/edr-linux-x64-gnu"],
  [{ platform: "linux", arch: "x64", libc: "musl" }, "@nomicfoundation/edr-linux-x64-musl"],
  [{ platform: "win32", arch: "x64" }, "@nomicfoundation/edr-win32-x64-msvc"],
];
const EDR = "0.22.0";
const installed: InstallState = { runningNode: "v22.14.0", edr: EDR, edrNative: EDR };

describe("install: platform selection", () => {
  it("should name EDR's own package for each of its platforms, and exactly EDR's set", () => {
    for (const [host, pkg] of EDR_HOSTS) assert.equal(edrPackageFor(host), pkg, JSON.stringify(host));
    // The table must follow the installed EDR: its optional dependencies are its platform packages.
    const edr = readJson("node_modules/@nomicfoundation/edr/package.json") as {
      optionalDependencies: Record<string, string>;
    };
    assert.deepEqual(
      EDR_HOSTS.map(([, pkg]) => pkg).sort(),
      Object.keys(edr.optionalDependencies).sort(),
      "EDR's platform packages changed: update edrPackageFor",
    );
  });

  it("should name no package, and say why, on a platform EDR does not ship", () => {
    for (const host of [
      { platform: "win32", arch: "arm64" },
      { platform: "freebsd", arch: "x64" },
      { platform: "linux", arch: "ia32", libc: "glibc" as const },
    ]) {
      assert.equal(edrPackageFor(host), undefined);
      const plan = planInstall(host, installed);
      assert.deepEqual(plan.steps, []);
      assert.match(plan.problem ?? "", new RegExp(`no native package for ${host.platform}-${host.arch}`));
    }
  });

  it("should tell musl from glibc by Node's report first, then by ldd", () => {
    assert.equal(detectLibc({ glibcVersionRuntime: "2.36" }), "glibc");
    assert.equal(detectLibc({ glibcVersionRuntime: "2.36", lddText: "musl libc (x86_64)" }), "glibc");
    assert.equal(detectLibc({ lddText: '#!/bin/sh\nexec /lib/ld-musl-x86_64.so.1 --list "$@"\n' }), "musl");
    assert.equal(detectLibc({ lddText: "musl libc (aarch64)\nVersion 1.2.4" }), "musl");
    assert.equal(detectLibc({ lddText: "ldd (GNU libc) 2.36\nCopyright (C) 2022" }), "glibc");
    assert.equal(detectLibc({ glibcVersionRuntime: "", lddText: "ldd (Debian GLIBC 2.36-9) 2.36" }), "glibc");
    // Nothing says glibc: a static or musl system.
    assert.equal(detectLibc({}), "musl");
    // This machine: Linux with glibc (the CI machines are Debian).
    if (process.platform === "linux") {
      const header = (process.report.getReport() as { header: { glibcVersionRuntime?: string } }).header;
      assert.equal(
        detectLibc({ glibcVersionRuntime: header.glibcVersionRuntime }),
        header.glibcVersionRuntime ? "glibc" : "musl",
      );
    }
  });

  it("should compare Node versions numerically", () => {
    assert.equal(versionAtLeast("v22.13.0", MIN_NODE), true);
    assert.equal(versionAtLeast("v22.9.0", MIN_NODE), false);
    assert.equal(versionAtLeast("v22.12.9", MIN_NODE), false);
    assert.equal(versionAtLeast("v23.0.0", MIN_NODE), true);
    assert.equal(versionAtLeast("v20.20.2", MIN_NODE), false);
    assert.equal(versionAtLeast("v100.0.0", MIN_NODE), true);
    assert.equal(versionAtLeast("v22.13.0-nightly2025", MIN_NODE), true);
    assert.equal(versionAtLeast(BUNDLED_NODE, MIN_NODE), true);
  });

  it("should bring Node 22 through npm only where npm's `node` package has a build", () => {
    const runs = (platform: string, arch: string, libc?: "glibc" | "musl"): boolean =>
      bundledNodeRuns(libc === undefined ? { platform, arch } : { platform, arch, libc });
    assert.equal(runs("linux", "x64", "glibc"), true);
    assert.equal(runs("linux", "arm64", "glibc"), true);
    assert.equal(runs("darwin", "x64"), true);
    assert.equal(runs("darwin", "arm64"), true);
    assert.equal(runs("win32", "x64"), true);
    assert.equal(runs("linux", "x64", "musl"), false);
    assert.equal(runs("linux", "arm64", "musl"), false);
    assert.equal(runs("freebsd", "x64"), false);
  });
});

describe("install: the plan", () => {
  it("should do nothing when Node and EDR's native package are in place (on every platform)", () => {
    for (const [host] of EDR_HOSTS) {
      assert.deepEqual(planInstall(host, installed), { node: "machine", steps: [] });
      // Node 20 with the project's Node 22 already installed: nothing either.
      assert.deepEqual(planInstall(host, { ...installed, runningNode: "v20.20.2", bundledNode: "v22.23.2" }), {
        node: "bundled",
        steps: [],
      });
    }
  });

  it("should fetch exactly the platform's EDR package at EDR's version, with Node 22 when the machine's is older", () => {
    for (const [host, pkg] of EDR_HOSTS) {
      // Node 22 machine, EDR's package missing (e.g. installed with --omit=optional).
      const fresh = planInstall(host, { runningNode: "v22.14.0", edr: EDR });
      assert.deepEqual(
        fresh.steps.map((s) => s.specs),
        [[`${pkg}@${EDR}`]],
      );
      assert.equal(fresh.node, "machine");
      // The wrong version of it (EDR upgraded): the right one.
      const stale = planInstall(host, { runningNode: "v22.14.0", edr: "0.23.1", edrNative: EDR });
      assert.deepEqual(
        stale.steps.map((s) => s.specs),
        [[`${pkg}@0.23.1`]],
      );
      assert.match(stale.steps[0]!.why, /is 0\.22\.0, EDR is 0\.23\.1/);
      if (!bundledNodeRuns(host)) continue;
      // Node 20, nothing installed: the project's Node 22 and the package, in one install.
      const node20 = planInstall(host, { runningNode: "v20.20.2", edr: EDR });
      assert.equal(node20.node, "bundled");
      assert.deepEqual(
        node20.steps.map((s) => s.specs),
        [[`node@${BUNDLED_NODE}`, `${pkg}@${EDR}`]],
      );
      // Node 20, Node 22 there but EDR's package not: name Node again, or npm prunes it.
      const half = planInstall(host, { runningNode: "v20.20.2", bundledNode: "v22.23.2", edr: EDR });
      assert.deepEqual(
        half.steps.map((s) => s.specs),
        [[`node@${BUNDLED_NODE}`, `${pkg}@${EDR}`]],
      );
      // Node 20, EDR's package there but Node 22 gone: both again, for the same reason.
      const noNode = planInstall(host, { runningNode: "v20.20.2", edr: EDR, edrNative: EDR });
      assert.deepEqual(
        noNode.steps.map((s) => s.specs),
        [[`node@${BUNDLED_NODE}`, `${pkg}@${EDR}`]],
      );
    }
  });

  it("should say how to fix a musl machine with an old Node instead of fetching a Node that cannot run", () => {
    for (const arch of ["x64", "arm64"]) {
      const plan = planInstall({ platform: "linux", arch, libc: "musl" }, { runningNode: "v20.20.2", edr: EDR });
      assert.deepEqual(plan.steps, []);
      assert.match(plan.problem ?? "", /Install Node >= 22\.13\.0/);
      assert.match(plan.problem ?? "", /musl/);
    }
  });

  it("should say so when Hardhat's EDR itself is not installed", () => {
    const plan = planInstall({ platform: "linux", arch: "x64", libc: "glibc" }, { runningNode: "v22.14.0" });
    assert.match(plan.problem ?? "", /@nomicfoundation\/edr` is not installed/);
  });
});

describe("install: this checkout", () => {
  const manifest = readJson("package.json") as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  const lock = readJson("package-lock.json") as LockPackages;

  it("should have no dependency npm must install that is tied to an OS, CPU or C library", () => {
    assert.deepEqual(platformRestrictedDependencies(manifest, lock), []);
    for (const name of [...Object.keys(manifest.dependencies), ...Object.keys(manifest.devDependencies)]) {
      assert.ok(lock.packages[`node_modules/${name}`], `${name} is in package.json but not in package-lock.json`);
    }
  });

  it("should catch a platform-only package among dependencies, direct or transitive, but not an optional one", () => {
    const darwinOnly = { os: ["darwin"], cpu: ["arm64"] };
    const withDirect: LockPackages = {
      packages: { ...lock.packages, "node_modules/@nomicfoundation/edr-darwin-arm64": darwinOnly },
    };
    assert.deepEqual(
      platformRestrictedDependencies(
        { ...manifest, dependencies: { ...manifest.dependencies, "@nomicfoundation/edr-darwin-arm64": EDR } },
        withDirect,
      ),
      ["@nomicfoundation/edr-darwin-arm64"],
    );
    const transitive: LockPackages = {
      packages: { ...lock.packages, "node_modules/some-dep/node_modules/native-thing": { libc: ["glibc"] } },
    };
    assert.deepEqual(platformRestrictedDependencies(manifest, transitive), ["native-thing"]);
    const optional: LockPackages = {
      packages: { ...lock.packages, "node_modules/native-thing": { os: ["win32"], optional: true } },
    };
    assert.deepEqual(platformRestrictedDependencies(manifest, optional), []);
  });

  it("should list EDR's package for every platform in the lockfile, so `npm ci` works on each", () => {
    for (const [, pkg] of EDR_HOSTS) {
      const entry = lock.packages[`node_modules/${pkg}`];
      assert.ok(entry, `${pkg} missing from package-lock.json`);
      assert.equal(entry.optional, true);
    }
  });

  it("should find everything in place after npm install, and fetch nothing (no npm, no network)", function () {
    this.timeout(60_000);
    const r = spawnSync(process.execPath, ["--import", "tsx", "scripts/install/postinstall.ts"], {
      cwd: ROOT,
      encoding: "utf8",
      env: {
        ...process.env,
        // Any npm it tried would fail: no npm CLI, and a registry nobody listens on.
        npm_execpath: path.join(ROOT, "no-such-npm-cli.js"),
        npm_config_registry: "http://127.0.0.1:9/",
        PATH: path.dirname(process.execPath),
        VTR_SKIP_POSTINSTALL: "",
      },
    });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /\[vtr install\] ready: .* \(nothing fetched\)/);
    assert.doesNotMatch(r.stdout, /fetching/);
  });
});
