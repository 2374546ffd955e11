/**
 * Builds the proving artifacts of every circuit in the manifest: r1cs and
 * wasm witness generator, Groth16 proving key with a phase-2 contribution,
 * verification key and Solidity verifier. Builds are cached by a content hash
 * of the circuit sources, parameters, toolchain versions and the ptau: an
 * unchanged circuit is not rebuilt, a changed one always is.
 *
 * Every key and verifier written here is for DEVELOPMENT only: phase 2 has a
 * single contribution made on this machine.
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import * as snarkjs from "snarkjs";
import { compileCircuit } from "../circom/compile.js";
import { writeFileAtomic } from "../fs/atomic.js";
import { sourceHash } from "../circom/hash.js";
import { readR1cs, readSymbols } from "../circom/r1cs.js";
import { BUILD_DIR, PROJECT_ROOT } from "../paths.js";
import type { Logger } from "./log.js";
import {
  adapterName,
  adapterSource,
  CIRCUITS,
  circuitSpec,
  mainSource,
  verifierName,
  type CircuitSpec,
} from "./manifest.js";
import { ptauId, requiredPower, resolvePtau, type PtauInfo } from "./ptau.js";

export const CIRCUIT_BUILD_DIR = path.join(BUILD_DIR, "circuits");
export const GENERATED_CONTRACTS_DIR = path.join(PROJECT_ROOT, "contracts", "generated");

export const DEV_WARNING =
  "DEVELOPMENT ONLY: phase 2 of this key has a single contribution made on the build machine, " +
  "and phase 1 may be a development ptau. Do not use it to protect anything real.";

/** Paths of one circuit's artifacts. */
export interface CircuitArtifacts {
  readonly id: string;
  readonly dir: string;
  readonly r1cs: string;
  readonly wasm: string;
  readonly zkey: string;
  readonly vkey: string;
  readonly verifierSol: string;
  /** The verifier's adapter (manifest.ts adapterSource): what is deployed and registered. */
  readonly adapterSol: string;
  readonly record: string;
}

/** What build.json records. */
export interface BuildRecord {
  readonly id: string;
  readonly hash: string;
  /** True for keys built here (single-party phase 2); false once a verified ceremony key is installed. */
  readonly developmentOnly: boolean;
  readonly warning: string;
  /** The ceremony whose final key replaced the development key (`ceremony finalize --install`). */
  readonly ceremony?: {
    readonly transcriptSha256: string;
    readonly contributions: number;
    readonly installedAt: string;
  };
  readonly constraints: number;
  readonly publicSignals: readonly string[];
  readonly ptau: { readonly sha256: string; readonly power: number; readonly contributions: number };
  readonly seconds: { readonly compile: number; readonly setup: number; readonly contribute: number };
  readonly builtAt: string;
}

/** Where artifacts go: by default build/circuits and contracts/generated. */
export interface OutputDirs {
  readonly buildDir: string;
  readonly contractsDir: string;
}
const DEFAULT_DIRS: OutputDirs = { buildDir: CIRCUIT_BUILD_DIR, contractsDir: GENERATED_CONTRACTS_DIR };

export function artifactPaths(id: string, dirs: OutputDirs = DEFAULT_DIRS): CircuitArtifacts {
  const dir = path.join(dirs.buildDir, id);
  return {
    id,
    dir,
    r1cs: path.join(dir, `${id}.r1cs`),
    wasm: path.join(dir, `${id}_js`, `${id}.wasm`),
    zkey: path.join(dir, `${id}.zkey`),
    vkey: path.join(dir, `${id}.vkey.json`),
    verifierSol: path.join(dirs.contractsDir, `${verifierName(id)}.sol`),
    adapterSol: path.join(dirs.contractsDir, `${adapterName(id)}.sol`),
    record: path.join(dir, "build.json"),
  };
}

/** The build record if the artifacts are complete and built from `hash`, else undefined. */
async function upToDate(a: CircuitArtifacts, hash: string): Promise<BuildRecord | undefined> {
  if (![a.record, a.r1cs, a.wasm, a.zkey, a.vkey, a.verifierSol].every((f) => existsSync(f))) return undefined;
  const rec = JSON.parse(await readFile(a.record, "utf8")) as BuildRecord;
  return rec.hash === hash ? rec : undefined;
}

/** The VTR_PTAU environment variable, when set and not empty. */
function envPtau(): string | undefined {
  const v = process.env.VTR_PTAU;
  return v === undefined || v === "" ? undefined : v;
}

export interface BuildOptions {
  /** A ptau file to use (a ceremony file in production); default: VTR_PTAU, then the development ptau. */
  readonly ptau?: string;
  /** Rebuild even when the cache is valid. */
  readonly force?: boolean;
  /** Only these circuit ids (any manifest id: the defaults or a derived family circuit). */
  readonly only?: readonly string[];
  /** Build these circuits instead of the default manifest (e.g. a spec's family). */
  readonly circuits?: readonly CircuitSpec[];
  /** Output folders (tests build elsewhere). */
  readonly dirs?: OutputDirs;
}

export interface BuildOutcome {
  readonly id: string;
  readonly rebuilt: boolean;
  readonly record: BuildRecord;
}

/** Builds (or reuses) the artifacts of every selected manifest circuit. */
export async function buildAll(opts: BuildOptions, log: Logger): Promise<BuildOutcome[]> {
  // circuitSpec throws, naming the id forms, for an unknown id.
  const selected: readonly CircuitSpec[] = opts.only?.length ? opts.only.map(circuitSpec) : (opts.circuits ?? CIRCUITS);
  const out: BuildOutcome[] = [];
  for (const spec of selected) out.push(await buildCircuit(spec, opts, log));
  return out;
}

/** Builds one circuit's artifacts unless its cached build is still valid. */
export async function buildCircuit(spec: CircuitSpec, opts: BuildOptions, log: Logger): Promise<BuildOutcome> {
  const a = artifactPaths(spec.id, opts.dirs);
  const requestedPtau = opts.ptau ?? envPtau();
  const main = mainSource(spec);
  const srcHash = await sourceHash(main, JSON.stringify(spec));
  // The ptau is part of the cache key once chosen; look for a valid build under any ptau first.
  if (!opts.force && existsSync(a.record)) {
    const prev = JSON.parse(await readFile(a.record, "utf8")) as BuildRecord;
    const hash = `${srcHash}:${prev.ptau.sha256}`;
    const ptauOk = requestedPtau === undefined || (await ptauId(requestedPtau)) === prev.ptau.sha256;
    const rec = ptauOk ? await upToDate(a, hash) : undefined;
    if (rec) {
      log.info(`${spec.id}: up to date (${rec.constraints} constraints)`);
      await writeAdapter(a, spec);
      return { id: spec.id, rebuilt: false, record: rec };
    }
  }

  log.info(`${spec.id}: building (${spec.template}(${spec.params.join(", ")}))`);
  await rm(a.dir, { recursive: true, force: true });
  await mkdir(a.dir, { recursive: true });
  const mainFile = path.join(a.dir, `${spec.id}.circom`);
  await writeFile(mainFile, main);

  let t = Date.now();
  log.info(`${spec.id}: compiling with circom --O2`);
  const compiled = await compileCircuit(mainFile, a.dir);
  const compileSeconds = (Date.now() - t) / 1000;
  const r1cs = await readR1cs(compiled.r1cs);
  const nPublic = r1cs.nPubOut + r1cs.nPubIn;
  log.info(`${spec.id}: ${r1cs.constraints.length} constraints, ${nPublic} public signals`);
  await checkPublicLayout(spec, compiled.sym, nPublic);

  // Checked against the ptau before the (long) Groth16 setup.
  const ptau: PtauInfo = await resolvePtau(
    requestedPtau,
    requiredPower(r1cs.constraints.length, nPublic),
    log,
    `${spec.id} (${r1cs.constraints.length} constraints, ${nPublic} public signals)`,
  );
  const ptauSha = await ptauId(ptau.file);

  t = Date.now();
  log.info(`${spec.id}: groth16 setup on ${path.relative(PROJECT_ROOT, ptau.file)} (2^${ptau.power})`);
  const zkey0 = path.join(a.dir, `${spec.id}_0000.zkey`);
  const setupResult: unknown = await snarkjs.zKey.newZKey(compiled.r1cs, ptau.file, zkey0, log);
  if (setupResult === -1 || !existsSync(zkey0))
    throw new Error(`${spec.id}: groth16 setup failed (see the messages above)`);
  const setupSeconds = (Date.now() - t) / 1000;

  t = Date.now();
  log.info(`${spec.id}: phase-2 contribution (random entropy, discarded)`);
  const zkeyTmp = `${a.zkey}.tmp`;
  await snarkjs.zKey.contribute(zkey0, zkeyTmp, `${spec.id} dev contribution`, randomBytes(64).toString("hex"), log);
  await rm(zkey0);
  await rename(zkeyTmp, a.zkey);
  const contributeSeconds = (Date.now() - t) / 1000;

  log.info(`${spec.id}: exporting verification key and Solidity verifier`);
  const vkey = (await snarkjs.zKey.exportVerificationKey(a.zkey, log)) as Record<string, unknown>;
  await writeFileAtomic(a.vkey, JSON.stringify({ developmentOnly: true, warning: DEV_WARNING, ...vkey }, null, 1));
  const template = await readFile(
    path.join(PROJECT_ROOT, "node_modules", "snarkjs", "templates", "verifier_groth16.sol.ejs"),
    "utf8",
  );
  const sol = await snarkjs.zKey.exportSolidityVerifier(a.zkey, { groth16: template }, log);
  await writeFileAtomic(a.verifierSol, markVerifier(sol, spec));
  await writeAdapter(a, spec);

  const record: BuildRecord = {
    id: spec.id,
    hash: `${srcHash}:${ptauSha}`,
    developmentOnly: true,
    warning: DEV_WARNING,
    constraints: r1cs.constraints.length,
    publicSignals: spec.publicSignals,
    ptau: { sha256: ptauSha, power: ptau.power, contributions: ptau.contributions.length },
    seconds: { compile: compileSeconds, setup: setupSeconds, contribute: contributeSeconds },
    builtAt: new Date().toISOString(),
  };
  await writeFileAtomic(a.record, JSON.stringify(record, null, 2) + "\n");
  await writeFileAtomic(path.join(a.dir, "DEVELOPMENT-ONLY.txt"), DEV_WARNING + "\n");
  log.info(`${spec.id}: done (setup ${setupSeconds.toFixed(1)} s, contribution ${contributeSeconds.toFixed(1)} s)`);
  return { id: spec.id, rebuilt: true, record };
}

/** The adapter source a circuit's artifacts should hold (its imports relative to where it is). */
export function expectedAdapterSource(a: CircuitArtifacts, spec: CircuitSpec): string {
  const dir = path.relative(path.dirname(a.adapterSol), path.join(PROJECT_ROOT, "contracts", "verifiers"));
  return adapterSource(spec, dir.startsWith(".") ? dir : `./${dir}`);
}

/**
 * Writes the circuit's adapter source beside its verifier, unless it is there already, and removes the
 * separate batch verifier an earlier build generated (issue #26 moved batched verification into the adapter).
 */
async function writeAdapter(a: CircuitArtifacts, spec: CircuitSpec): Promise<void> {
  await rm(a.verifierSol.replace(/Verifier\.sol$/, "BatchVerifier.sol"), { force: true });
  const source = expectedAdapterSource(a, spec);
  if (existsSync(a.adapterSol) && (await readFile(a.adapterSol, "utf8")) === source) return;
  await writeFileAtomic(a.adapterSol, source);
}

/**
 * The snarkjs verifier, left as generated except for two marks: a header
 * saying it is development-only, and a contract name per circuit (all
 * snarkjs verifiers are called Groth16Verifier).
 */
function markVerifier(sol: string, spec: CircuitSpec): string {
  const header =
    `// ${DEV_WARNING}\n` +
    `// Generated by \`npm run artifacts\` for circuit "${spec.id}": ${spec.statement}.\n` +
    `// Public signals: [${spec.publicSignals.join(", ")}]\n`;
  const renamed = sol.replace(/contract Groth16Verifier\b/, `contract ${verifierName(spec.id)}`);
  if (renamed === sol) throw new Error("unexpected snarkjs verifier template: contract Groth16Verifier not found");
  return header + renamed;
}

/** Checks that the compiled circuit's public signals are exactly the manifest's, in order. */
async function checkPublicLayout(spec: CircuitSpec, symFile: string, nPublic: number): Promise<void> {
  const symbols = await readSymbols(symFile);
  const actual: string[] = [];
  for (let wire = 1; wire <= nPublic; wire++) {
    const names = [...symbols.entries()].filter(([, w]) => w === wire).map(([n]) => n.replace(/^main\./, ""));
    actual.push(names.find((n) => !n.includes(".")) ?? names[0] ?? `?${wire}`);
  }
  if (actual.join(",") !== spec.publicSignals.join(",")) {
    throw new Error(
      `${spec.id}: manifest lists public signals [${spec.publicSignals.join(", ")}] but the circuit has [${actual.join(", ")}]`,
    );
  }
}
