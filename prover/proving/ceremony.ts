/**
 * A multi-party phase-2 ceremony for one circuit (issue #12), on snarkjs's
 * phase-2 commands. A ceremony is a directory that travels from one
 * contributor to the next:
 *
 *   ceremony.json          the record: circuit, r1cs and ptau hashes, every step
 *   <circuit>_0000.zkey    the initial key (from the r1cs and the ptau)
 *   <circuit>_0001.zkey    after the first contribution, and so on
 *   <circuit>_NNNN.zkey    after the final public beacon
 *
 * Each contribution draws 64 bytes of fresh entropy from the operating
 * system, passes it to snarkjs and forgets it (never printed, never stored);
 * its contribution hash is printed for the contributor to publish. `verify`
 * checks every file of the chain: its recorded SHA-256, and cryptographically
 * (snarkjs's zkey verification) each key against the initial key recomputed
 * from the local r1cs and ptau, naming the first contribution that fails.
 * `finalize` requires a verified chain ending in a beacon, and writes the
 * verification key, the Solidity verifier and a transcript beside them.
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { copyFile, mkdir, readFile, rename, rm } from "node:fs/promises";
import path from "node:path";
import * as snarkjs from "snarkjs";
import { readJsonIfExists, writeFileAtomic, writeJsonAtomic } from "../fs/atomic.js";
import { PROJECT_ROOT } from "../paths.js";
import type { Logger } from "./log.js";
import { circuitSpec, verifierName } from "./manifest.js";
import { inspectPtau, sha256File } from "./ptau.js";

export interface CeremonyStep {
  readonly index: number;
  readonly kind: "initial" | "contribution" | "beacon";
  readonly name: string;
  readonly file: string;
  readonly zkeySha256: string;
  /** snarkjs's contribution hash (hex), for contributions and the beacon. */
  readonly contributionHash?: string;
  readonly beacon?: { readonly hash: string; readonly iterationsExp: number };
}

export interface CeremonyRecord {
  readonly format: "vtr-ceremony";
  readonly version: 1;
  readonly circuit: string;
  readonly r1csSha256: string;
  readonly ptau: { readonly sha256: string; readonly power: number; readonly name: string };
  readonly steps: readonly CeremonyStep[];
}

export interface Transcript {
  readonly format: "vtr-ceremony-transcript";
  readonly version: 1;
  readonly circuit: string;
  readonly r1csSha256: string;
  readonly ptauSha256: string;
  readonly contributions: readonly { readonly name: string; readonly hash: string }[];
  readonly beacon: { readonly hash: string; readonly iterationsExp: number; readonly contributionHash: string };
  readonly finalZkeySha256: string;
  readonly verificationKeySha256: string;
  readonly verifierSha256: string;
  readonly verifiedAt: string;
}

export class CeremonyError extends Error {
  override readonly name = "CeremonyError";
}

const RECORD = "ceremony.json";
const recordFile = (dir: string): string => path.join(dir, RECORD);
const zkeyName = (circuit: string, i: number): string => `${circuit}_${String(i).padStart(4, "0")}.zkey`;
const hex = (h: unknown): string => Buffer.from(h as Uint8Array).toString("hex");

export async function readCeremony(dir: string): Promise<CeremonyRecord> {
  const r = (await readJsonIfExists(recordFile(dir))) as
    { format?: unknown; version?: unknown; steps?: unknown } | undefined;
  if (!r) throw new CeremonyError(`${dir} is not a ceremony directory (no ${RECORD}): start one with \`ceremony new\``);
  if (r.format !== "vtr-ceremony" || r.version !== 1 || !Array.isArray(r.steps) || r.steps.length === 0)
    throw new CeremonyError(`${recordFile(dir)} is not a ceremony record`);
  return r as unknown as CeremonyRecord;
}

/** Starts a ceremony: the initial key from the circuit's r1cs and a ptau, both hashes recorded. */
export async function newCeremony(
  dir: string,
  circuit: string,
  r1cs: string,
  ptau: string,
  log: Logger,
): Promise<CeremonyRecord> {
  circuitSpec(circuit); // a known circuit id
  if (existsSync(recordFile(dir))) throw new CeremonyError(`${dir} already holds a ceremony: use another directory`);
  if (!existsSync(r1cs))
    throw new CeremonyError(`no r1cs for ${circuit} at ${r1cs}: build the circuit first (npm run artifacts)`);
  const info = await inspectPtau(ptau);
  const file = zkeyName(circuit, 0);
  const tmp = path.join(dir, `${file}.tmp`);
  log.info(`${circuit}: initial key from ${path.basename(r1cs)} and ${path.basename(ptau)} (2^${info.power})`);
  await mkdir(dir, { recursive: true });
  const ok: unknown = await snarkjs.zKey.newZKey(r1cs, ptau, tmp, log);
  if (ok === -1 || !existsSync(tmp))
    throw new CeremonyError(`${circuit}: snarkjs could not make the initial key (see above)`);
  await rename(tmp, path.join(dir, file));
  const record: CeremonyRecord = {
    format: "vtr-ceremony",
    version: 1,
    circuit,
    r1csSha256: await sha256File(r1cs),
    ptau: { sha256: await sha256File(ptau), power: info.power, name: path.basename(ptau) },
    steps: [{ index: 0, kind: "initial", name: "initial", file, zkeySha256: await sha256File(path.join(dir, file)) }],
  };
  await writeJsonAtomic(recordFile(dir), record);
  return record;
}

/** The last step, after checking that its file is the one recorded (whole and unaltered). */
async function lastIntact(dir: string, r: CeremonyRecord): Promise<CeremonyStep> {
  const last = r.steps[r.steps.length - 1]!;
  const file = path.join(dir, last.file);
  if (!existsSync(file))
    throw new CeremonyError(`${last.file} (step ${last.index}, ${last.name}) is missing from ${dir}`);
  if ((await sha256File(file)) !== last.zkeySha256)
    throw new CeremonyError(
      `${last.file} (step ${last.index}, ${last.name}) is not the file recorded in ${RECORD}: corrupted, truncated or replaced in transit`,
    );
  return last;
}

async function addStep(
  dir: string,
  r: CeremonyRecord,
  kind: "contribution" | "beacon",
  name: string,
  run: (prev: string, next: string) => Promise<unknown>,
  beacon?: { hash: string; iterationsExp: number },
): Promise<CeremonyStep> {
  const last = await lastIntact(dir, r);
  if (last.kind === "beacon")
    throw new CeremonyError(`the ceremony in ${dir} is closed by its beacon: no further steps`);
  const index = last.index + 1;
  const file = zkeyName(r.circuit, index);
  const tmp = path.join(dir, `${file}.tmp`);
  const hash = await run(path.join(dir, last.file), tmp);
  if (!(hash instanceof Uint8Array) || !existsSync(tmp)) {
    await rm(tmp, { force: true });
    throw new CeremonyError(`snarkjs refused the ${kind} (see the messages above); nothing was written`);
  }
  await rename(tmp, path.join(dir, file));
  const step: CeremonyStep = {
    index,
    kind,
    name,
    file,
    zkeySha256: await sha256File(path.join(dir, file)),
    contributionHash: hex(hash),
    ...(beacon ? { beacon } : {}),
  };
  await writeJsonAtomic(recordFile(dir), { ...r, steps: [...r.steps, step] });
  return step;
}

/** One contribution with fresh entropy from the operating system, never printed nor stored. */
export async function contribute(dir: string, name: string, log: Logger): Promise<CeremonyStep> {
  if (!/^[\w .@'()-]{1,64}$/.test(name)) throw new CeremonyError(`--name must be 1-64 plain characters, got "${name}"`);
  const r = await readCeremony(dir);
  return addStep(dir, r, "contribution", name, (prev, next) =>
    snarkjs.zKey.contribute(prev, next, name, randomBytes(64).toString("hex"), log),
  );
}

/** The final public beacon (e.g. a future block hash announced in advance), 2^iterationsExp hash iterations. */
export async function applyBeacon(
  dir: string,
  hash: string,
  iterationsExp: number,
  log: Logger,
): Promise<CeremonyStep> {
  if (!/^([0-9a-fA-F]{2}){1,255}$/.test(hash))
    throw new CeremonyError(`--hash must be an even number of hex digits (1 to 255 bytes), got "${hash}"`);
  if (!Number.isInteger(iterationsExp) || iterationsExp < 10 || iterationsExp > 63)
    throw new CeremonyError(
      `--iterations must be an exponent from 10 to 63 (2^N hash iterations), got ${iterationsExp}`,
    );
  const r = await readCeremony(dir);
  if (!r.steps.some((s) => s.kind === "contribution"))
    throw new CeremonyError("a beacon closes the ceremony: make at least one contribution first");
  return addStep(
    dir,
    r,
    "beacon",
    "beacon",
    (prev, next) => snarkjs.zKey.beacon(prev, next, "beacon", hash.toLowerCase(), iterationsExp, log),
    { hash: hash.toLowerCase(), iterationsExp },
  );
}

export interface VerifiedCeremony {
  readonly record: CeremonyRecord;
  /** Contributions and beacon as the final key states them (name, hash), in order. */
  readonly chain: readonly { readonly name: string; readonly hash: string }[];
}

/** Collects what snarkjs's verifier reports: each contribution's name and hash, and its errors. */
function capturingLogger(log: Logger): { logger: Logger; chain: { name: string; hash: string }[]; errors: string[] } {
  const chain: { name: string; hash: string }[] = [];
  const errors: string[] = [];
  const logger: Logger = {
    ...log,
    info: (m: string) => {
      const c = /^contribution #(\d+) (.*):\n([\s\S]+)$/.exec(m);
      // snarkjs lists the latest contribution first: place each by its number.
      if (c) chain[Number(c[1]) - 1] = { name: c[2]!, hash: c[3]!.replace(/\s+/g, "") };
    },
    debug: () => undefined,
    error: (m: string) => {
      errors.push(m);
    },
  };
  return { logger, chain, errors };
}

/**
 * Verifies the whole chain against the local r1cs and ptau: every file's
 * recorded hash, then each key (snarkjs zkey verification) against the
 * initial key recomputed from the r1cs and the ptau; the first failure is
 * named by its step. Returns the contributions as the final key states them.
 */
export async function verifyCeremony(dir: string, r1cs: string, ptau: string, log: Logger): Promise<VerifiedCeremony> {
  const r = await readCeremony(dir);
  if ((await sha256File(r1cs)) !== r.r1csSha256)
    throw new CeremonyError(
      `the ceremony in ${dir} is for another circuit: ${path.basename(r1cs)} does not have the recorded r1cs hash`,
    );
  if ((await sha256File(ptau)) !== r.ptau.sha256)
    throw new CeremonyError(
      `${ptau} is not the ptau the ceremony started from (${r.ptau.name}, sha256 ${r.ptau.sha256})`,
    );
  const describe = (s: CeremonyStep): string =>
    s.kind === "initial" ? "the initial key" : `contribution #${s.index} (${s.name})`;
  for (const s of r.steps) {
    const f = path.join(dir, s.file);
    if (!existsSync(f)) throw new CeremonyError(`${describe(s)}: ${s.file} is missing`);
    if ((await sha256File(f)) !== s.zkeySha256)
      throw new CeremonyError(`${describe(s)}: ${s.file} was altered after it was recorded`);
  }
  log.info(`${r.circuit}: recomputing the initial key from the r1cs and the ptau`);
  const init = { type: "bigMem" };
  await snarkjs.zKey.newZKey(r1cs, ptau, init as unknown as string, log);
  let chain: { name: string; hash: string }[] = [];
  for (const s of r.steps.slice(1)) {
    log.info(`${r.circuit}: verifying ${describe(s)}`);
    const c = capturingLogger(log);
    let ok: boolean;
    try {
      ok = await snarkjs.zKey.verifyFromInit(init as unknown as string, ptau, path.join(dir, s.file), c.logger);
    } catch (err) {
      throw new CeremonyError(`${describe(s)} does not verify: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (!ok)
      throw new CeremonyError(
        `${describe(s)} does not verify: ${c.errors.join("; ") || "its key does not follow from the previous ones"}`,
      );
    if (c.chain.length !== s.index || c.chain[s.index - 1]?.hash !== s.contributionHash)
      throw new CeremonyError(`${describe(s)}: the key's own contribution list does not match the record`);
    chain = c.chain;
  }
  return { record: r, chain };
}

/** Where a finalized ceremony's outputs go (beside the ceremony, and copied over the circuit's build by the caller). */
export interface FinalOutputs {
  readonly zkey: string;
  readonly vkey: string;
  readonly verifierSol: string;
  readonly transcript: string;
}

/**
 * Verifies, then exports the final key's verification key and Solidity
 * verifier and writes the transcript beside them, in `outDir`.
 */
export async function finalizeCeremony(
  dir: string,
  r1cs: string,
  ptau: string,
  outDir: string,
  log: Logger,
): Promise<{ transcript: Transcript; outputs: FinalOutputs }> {
  const r = await readCeremony(dir);
  const last = r.steps[r.steps.length - 1]!;
  if (last.kind !== "beacon")
    throw new CeremonyError(
      `the ceremony in ${dir} has no final beacon: apply one with \`ceremony beacon --hash HEX --iterations N\``,
    );
  const v = await verifyCeremony(dir, r1cs, ptau, log);
  await mkdir(outDir, { recursive: true });
  const outputs: FinalOutputs = {
    zkey: path.join(outDir, `${r.circuit}.zkey`),
    vkey: path.join(outDir, `${r.circuit}.vkey.json`),
    verifierSol: path.join(outDir, `${verifierName(r.circuit)}.sol`),
    transcript: path.join(outDir, `${r.circuit}.transcript.json`),
  };
  await copyFile(path.join(dir, last.file), `${outputs.zkey}.tmp`);
  await rename(`${outputs.zkey}.tmp`, outputs.zkey);
  const vkey = await snarkjs.zKey.exportVerificationKey(outputs.zkey, log);
  await writeFileAtomic(outputs.vkey, JSON.stringify(vkey, null, 1));
  const template = await readFile(
    path.join(PROJECT_ROOT, "node_modules", "snarkjs", "templates", "verifier_groth16.sol.ejs"),
    "utf8",
  );
  const sol = await snarkjs.zKey.exportSolidityVerifier(outputs.zkey, { groth16: template }, log);
  const named = sol.replace(/contract Groth16Verifier\b/, `contract ${verifierName(r.circuit)}`);
  if (named === sol)
    throw new CeremonyError("unexpected snarkjs verifier template: contract Groth16Verifier not found");
  await writeFileAtomic(outputs.verifierSol, named);
  const transcript: Transcript = {
    format: "vtr-ceremony-transcript",
    version: 1,
    circuit: r.circuit,
    r1csSha256: r.r1csSha256,
    ptauSha256: r.ptau.sha256,
    contributions: v.chain.slice(0, -1),
    beacon: {
      hash: last.beacon!.hash,
      iterationsExp: last.beacon!.iterationsExp,
      contributionHash: last.contributionHash!,
    },
    finalZkeySha256: last.zkeySha256,
    verificationKeySha256: await sha256File(outputs.vkey),
    verifierSha256: await sha256File(outputs.verifierSol),
    verifiedAt: new Date().toISOString(),
  };
  await writeJsonAtomic(outputs.transcript, transcript);
  return { transcript, outputs };
}

/**
 * Puts a finalized ceremony's key, verification key and Solidity verifier
 * in place of the circuit's development artifacts (build/circuits/<id>/ and
 * contracts/generated/), with the transcript beside them and build.json
 * saying so. The circuit's r1cs must be the one the ceremony was run on.
 */
export async function installCeremonyKeys(
  t: Transcript,
  outputs: FinalOutputs,
  artifacts: { dir: string; r1cs: string; zkey: string; vkey: string; verifierSol: string; record: string },
): Promise<void> {
  if ((await sha256File(artifacts.r1cs)) !== t.r1csSha256)
    throw new CeremonyError(
      `${artifacts.r1cs} is not the r1cs of the ceremony: rebuild the circuit or run the ceremony again`,
    );
  const record = (await readJsonIfExists(artifacts.record)) as Record<string, unknown> | undefined;
  if (!record) throw new CeremonyError(`${artifacts.record} is missing: build the circuit first (npm run artifacts)`);
  const transcriptSha = await sha256File(outputs.transcript);
  const header =
    `// CEREMONY KEY for circuit "${t.circuit}": ${t.contributions.length} contribution(s) and a public beacon, ` +
    `verified ${t.verifiedAt}; transcript sha256 ${transcriptSha}.\n`;
  await copyFile(outputs.zkey, `${artifacts.zkey}.tmp`);
  await rename(`${artifacts.zkey}.tmp`, artifacts.zkey);
  const vkey = JSON.parse(await readFile(outputs.vkey, "utf8")) as Record<string, unknown>;
  await writeFileAtomic(
    artifacts.vkey,
    JSON.stringify({ developmentOnly: false, ceremonyTranscriptSha256: transcriptSha, ...vkey }, null, 1),
  );
  await writeFileAtomic(artifacts.verifierSol, header + (await readFile(outputs.verifierSol, "utf8")));
  await copyFile(outputs.transcript, path.join(artifacts.dir, `${t.circuit}.transcript.json`));
  await rm(path.join(artifacts.dir, "DEVELOPMENT-ONLY.txt"), { force: true });
  await writeJsonAtomic(artifacts.record, {
    ...record,
    developmentOnly: false,
    warning: `ceremony key: ${t.contributions.length} contribution(s) and a beacon (transcript ${path.basename(outputs.transcript)})`,
    ceremony: {
      transcriptSha256: transcriptSha,
      contributions: t.contributions.length,
      installedAt: new Date().toISOString(),
    },
  });
}
