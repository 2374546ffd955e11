/**
 * Powers-of-tau (phase 1) files: inspection, safety checks and, for
 * development only, generation of a file with one random contribution.
 *
 * A ptau straight from `powersoftau new` has tau = 1 and no contribution:
 * anyone can forge proofs for keys built on it. A ptau whose only
 * contributions are beacons has a publicly computable tau: same problem.
 * Both are refused here.
 */
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, existsSync } from "node:fs";
import { mkdir, open, readFile, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import * as snarkjs from "snarkjs";
import { BUILD_DIR, DEV_PTAU } from "../paths.js";
import type { Logger } from "./log.js";

export interface PtauInfo {
  readonly file: string;
  /** The file supports circuits with up to 2^power - 1 constraints (plus public signals). */
  readonly power: number;
  readonly contributions: ReadonlyArray<{ readonly type: "contribution" | "beacon"; readonly name: string }>;
  /** tau^1 * G1 differs from G1, i.e. tau != 1. */
  readonly tauIsNotOne: boolean;
  /** Whether `prepare phase2` has been run (section 12 present). */
  readonly preparedForPhase2: boolean;
}

const G1_SIZE = 64; // uncompressed BN254 G1 point, two 32-byte coordinates

/** Reads the header, the contribution records and the first two tauG1 points of a ptau file. */
export async function inspectPtau(file: string): Promise<PtauInfo> {
  const fh = await open(file, "r");
  try {
    const read = async (pos: number, n: number): Promise<Buffer> => {
      const b = Buffer.alloc(n);
      const { bytesRead } = await fh.read(b, 0, n, pos);
      if (bytesRead !== n) throw new Error(`${file}: truncated ptau file`);
      return b;
    };
    const head = await read(0, 12);
    if (head.toString("ascii", 0, 4) !== "ptau") throw new Error(`${file} is not a powers-of-tau (.ptau) file`);
    const nSections = head.readUInt32LE(8);
    const sections = new Map<number, { pos: number; size: number }>();
    let pos = 12;
    for (let i = 0; i < nSections; i++) {
      const h = await read(pos, 12);
      const type = h.readUInt32LE(0);
      const size = Number(h.readBigUInt64LE(4));
      sections.set(type, { pos: pos + 12, size });
      pos += 12 + size;
    }
    const header = sections.get(1);
    const tauG1 = sections.get(2);
    const contrib = sections.get(7);
    if (!header || !tauG1 || !contrib)
      throw new Error(`${file}: missing ptau sections (header, tauG1 or contributions)`);
    const hb = await read(header.pos, header.size);
    const n8 = hb.readUInt32LE(0);
    const power = hb.readUInt32LE(4 + n8);

    const points = await read(tauG1.pos, 2 * G1_SIZE);
    const tauIsNotOne = !points.subarray(0, G1_SIZE).equals(points.subarray(G1_SIZE));

    const cb = await read(contrib.pos, contrib.size);
    const n = cb.readUInt32LE(0);
    const contributions: Array<{ type: "contribution" | "beacon"; name: string }> = [];
    let p = 4;
    for (let i = 0; i < n; i++) {
      // tauG1, tauG2, alphaG1, betaG1, betaG2, public key (768), partial hash (216), next challenge (64)
      p += 64 + 128 + 64 + 64 + 128 + 768 + 216 + 64;
      const type = cb.readUInt32LE(p);
      p += 4;
      const paramLength = cb.readUInt32LE(p);
      p += 4;
      const end = p + paramLength;
      let name = "";
      while (p < end) {
        const t = cb[p++]!;
        if (t === 1) {
          const len = cb[p++]!;
          name = cb.toString("utf8", p, p + len);
          p += len;
        } else if (t === 2) p += 1;
        else if (t === 3) p += 1 + cb[p]!;
        else throw new Error(`${file}: unknown contribution parameter ${t}`);
      }
      contributions.push({ type: type === 1 ? "beacon" : "contribution", name });
    }
    return { file, power, contributions, tauIsNotOne, preparedForPhase2: sections.has(12) };
  } finally {
    await fh.close();
  }
}

/** Smallest ptau power snarkjs accepts for a circuit (see snarkjs zkey new). */
export function requiredPower(nConstraints: number, nPublic: number): number {
  return Math.floor(Math.log2(nConstraints + nPublic)) + 1;
}

/** Throws, saying what to do, unless the ptau is safe to build keys on and large enough. */
export function assertUsablePtau(info: PtauInfo, needPower: number, circuit?: string): void {
  const secret = info.contributions.filter((c) => c.type === "contribution");
  if (!info.tauIsNotOne || info.contributions.length === 0) {
    throw new Error(
      `${info.file} has no contribution (tau = 1): keys built on it let anyone forge proofs. ` +
        "Use a ceremony file (production) or a development ptau with a random contribution " +
        "(`snarkjs powersoftau contribute`, then `prepare phase2`), or omit --ptau to let this tool generate one.",
    );
  }
  if (secret.length === 0) {
    throw new Error(
      `${info.file} has only beacon contributions: its tau is computable from public data and proofs can be forged. ` +
        "Add at least one contribution with secret randomness.",
    );
  }
  if (!info.preparedForPhase2) {
    throw new Error(
      `${info.file} is not prepared for phase 2: run \`snarkjs powersoftau prepare phase2 ${info.file} <out>.ptau\`.`,
    );
  }
  if (info.power < needPower) throw new Error(tooSmall(info, needPower, circuit));
}

/** The refusal of a ptau too small for a circuit: the count, the power needed, and how to pass a larger one. */
function tooSmall(info: PtauInfo, needPower: number, circuit = "the circuit"): string {
  return (
    `${circuit} needs a ptau of power ${needPower} (2^${needPower} >= constraints + public signals), but ` +
    `${info.file} has power ${info.power}. Pass a larger phase-1 file with --ptau FILE (or VTR_PTAU=FILE): ` +
    `a public ceremony file of power ${needPower} or more, e.g. powersOfTau28_hez_final_${needPower}.ptau from the ` +
    `Polygon Hermez ceremony; or choose a smaller family (batch size, checkpoint interval K).`
  );
}

/** sha256 of a file, streamed. */
export async function sha256File(file: string): Promise<string> {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest("hex");
}

/**
 * Identity of a ptau for cache keys: the sha256 recorded in a `.sha256` file
 * beside it when there is one (the shared development ptau has one), else a
 * streamed sha256 of the file.
 */
export async function ptauId(file: string): Promise<string> {
  const side = `${file}.sha256`;
  if (existsSync(side)) {
    const recorded = (await readFile(side, "utf8")).trim().split(/\s+/)[0];
    if (recorded && /^[0-9a-f]{64}$/.test(recorded)) return recorded;
  }
  return sha256File(file);
}

/**
 * Picks the phase-1 file: the user's (a ceremony file in production), else
 * the shared development ptau, else a development ptau generated here with a
 * random contribution (slow: ~5 min for 2^14 on 2 cores, ~doubling per power).
 */
export async function resolvePtau(
  requested: string | undefined,
  needPower: number,
  log: Logger,
  circuit?: string,
): Promise<PtauInfo> {
  if (requested !== undefined) {
    if (!existsSync(requested)) throw new Error(`ptau file not found: ${requested}`);
    const info = await inspectPtau(requested);
    assertUsablePtau(info, needPower, circuit);
    return info;
  }
  if (existsSync(DEV_PTAU)) {
    // Too small: refuse with the figures rather than generate a larger
    // development ptau, which takes hours beyond 2^18 on these machines.
    const info = await inspectPtau(DEV_PTAU);
    assertUsablePtau(info, needPower, circuit);
    return info;
  }
  const power = Math.max(needPower, 12);
  log.warn(
    `no ptau given and no shared development ptau at ${path.relative(process.cwd(), DEV_PTAU)}: generating a ` +
      `development ptau of power ${power} here, once (2^12 took 78 s on two cores and the time about doubles per ` +
      `power: expect ${power >= 16 ? "well over half an hour" : "minutes"}). To skip it, stop now and pass one ` +
      "with VTR_PTAU=FILE (or --ptau FILE).",
  );
  return generateDevPtau(power, log);
}

/** Generates (once; cached under build/ptau) a development ptau with one random contribution and a beacon. */
export async function generateDevPtau(power: number, log: Logger): Promise<PtauInfo> {
  const dir = path.join(BUILD_DIR, "ptau");
  const final = path.join(dir, `dev_pot${power}.ptau`);
  if (existsSync(final)) return inspectPtau(final);
  await mkdir(dir, { recursive: true });
  const t = (s: string): string => path.join(dir, `tmp_${power}_${s}.ptau`);
  const curve = await snarkjs.curves.getCurveFromName("bn128");
  log.info(`generating a DEVELOPMENT ptau of power ${power} (one random contribution + beacon; minutes)`);
  await snarkjs.powersOfTau.newAccumulator(curve, power, t("0"), log);
  log.info("phase 1: random contribution");
  await snarkjs.powersOfTau.contribute(
    t("0"),
    t("1"),
    "dev contribution (randomness discarded)",
    randomBytes(64).toString("hex"),
    log,
  );
  log.info("phase 1: beacon");
  await snarkjs.powersOfTau.beacon(t("1"), t("2"), "dev beacon", randomBytes(32).toString("hex"), 10, log);
  log.info("phase 1: prepare phase 2 (the slow part)");
  await snarkjs.powersOfTau.preparePhase2(t("2"), t("3"), log);
  await rename(t("3"), final);
  for (const s of ["0", "1", "2"]) await rm(t(s), { force: true });
  const info = await inspectPtau(final);
  log.info(`development ptau written: ${final} (${((await stat(final)).size / 2 ** 20).toFixed(0)} MiB)`);
  return info;
}
