/**
 * A small, independent reader and checker for circom's .r1cs and .sym files,
 * so tests can take an honest witness, tamper with chosen signals and check
 * every constraint A·w * B·w = C·w over the BN254 scalar field.
 */
import { readFile } from "node:fs/promises";

/** BN254 scalar field modulus. */
export const FIELD_P = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

type LinearCombination = ReadonlyArray<readonly [wire: number, coeff: bigint]>;

export interface R1cs {
  readonly nWires: number;
  readonly nPubOut: number;
  readonly nPubIn: number;
  readonly nPrvIn: number;
  readonly constraints: ReadonlyArray<readonly [LinearCombination, LinearCombination, LinearCombination]>;
}

function readLE(buf: Buffer, off: number, n: number): bigint {
  let v = 0n;
  for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(buf[off + i]!);
  return v;
}

/** Parses a circom .r1cs file (format version 1). */
export async function readR1cs(file: string): Promise<R1cs> {
  const buf = await readFile(file);
  if (buf.toString("ascii", 0, 4) !== "r1cs") throw new Error(`${file} is not an r1cs file`);
  const nSections = buf.readUInt32LE(8);
  let off = 12;
  let header: (Omit<R1cs, "constraints"> & { nConstraints: number; fs: number }) | undefined;
  let consStart = -1;
  for (let s = 0; s < nSections; s++) {
    const type = buf.readUInt32LE(off);
    const size = Number(buf.readBigUInt64LE(off + 4));
    const start = off + 12;
    if (type === 1) {
      const fs = buf.readUInt32LE(start);
      const prime = readLE(buf, start + 4, fs);
      if (prime !== FIELD_P) throw new Error(`${file}: not a BN254 circuit`);
      const p = start + 4 + fs;
      header = {
        fs,
        nWires: buf.readUInt32LE(p),
        nPubOut: buf.readUInt32LE(p + 4),
        nPubIn: buf.readUInt32LE(p + 8),
        nPrvIn: buf.readUInt32LE(p + 12),
        nConstraints: buf.readUInt32LE(p + 24),
      };
    } else if (type === 2) {
      consStart = start;
    }
    off = start + size;
  }
  if (!header || consStart < 0) throw new Error(`${file}: missing header or constraints section`);
  const constraints: Array<[LinearCombination, LinearCombination, LinearCombination]> = [];
  let p = consStart;
  const readLc = (): LinearCombination => {
    const n = buf.readUInt32LE(p);
    p += 4;
    const lc: Array<[number, bigint]> = [];
    for (let i = 0; i < n; i++) {
      lc.push([buf.readUInt32LE(p), readLE(buf, p + 4, header.fs)]);
      p += 4 + header.fs;
    }
    return lc;
  };
  for (let i = 0; i < header.nConstraints; i++) constraints.push([readLc(), readLc(), readLc()]);
  const { nWires, nPubOut, nPubIn, nPrvIn } = header;
  return { nWires, nPubOut, nPubIn, nPrvIn, constraints };
}

const evalLc = (lc: LinearCombination, w: readonly bigint[]): bigint => {
  let acc = 0n;
  for (const [wire, c] of lc) acc += c * w[wire]!;
  return acc % FIELD_P;
};

/** Index of the first violated constraint, or -1 when the witness satisfies all. */
export function firstViolated(r1cs: R1cs, witness: readonly bigint[]): number {
  if (witness.length !== r1cs.nWires) {
    throw new Error(`witness has ${witness.length} wires, the circuit ${r1cs.nWires}`);
  }
  if (witness[0] !== 1n) return -2;
  for (let i = 0; i < r1cs.constraints.length; i++) {
    const [a, b, c] = r1cs.constraints[i]!;
    if ((evalLc(a, witness) * evalLc(b, witness) - evalLc(c, witness)) % FIELD_P !== 0n) return i;
  }
  return -1;
}

/**
 * Wires (other than the constant wire 0) that no constraint mentions with a non-zero coefficient: a
 * prover may set such a wire to anything, so a signal the statement relies on must never be one.
 */
export function unconstrainedWires(r1cs: R1cs): number[] {
  const used = new Uint8Array(r1cs.nWires);
  for (const [a, b, c] of r1cs.constraints)
    for (const lc of [a, b, c]) for (const [wire, coeff] of lc) if (coeff % FIELD_P !== 0n) used[wire] = 1;
  const free: number[] = [];
  for (let w = 1; w < r1cs.nWires; w++) if (!used[w]) free.push(w);
  return free;
}

/** Signal name (e.g. "main.rnd.sh") -> witness wire index, from a .sym file. */
export async function readSymbols(file: string): Promise<Map<string, number>> {
  const map = new Map<string, number>();
  for (const line of (await readFile(file, "utf8")).split("\n")) {
    if (!line) continue;
    const [, wire, , name] = line.split(",");
    if (wire !== undefined && name !== undefined && Number(wire) >= 0) map.set(name, Number(wire));
  }
  return map;
}
