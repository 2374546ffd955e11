/**
 * Content hash of everything a circuit build depends on: every .circom file
 * under circuits/, the circomlib and circom2 versions, and the main source.
 * An unchanged hash means the cached build is still valid.
 */
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { CIRCUITS_DIR, packageVersion } from "../paths.js";

async function listCircom(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listCircom(p)));
    else if (entry.name.endsWith(".circom")) out.push(p);
  }
  return out.sort();
}

/** Hash of the circuit library sources plus the given extra parts. */
export async function sourceHash(...extra: string[]): Promise<string> {
  const h = createHash("sha256");
  for (const file of await listCircom(CIRCUITS_DIR)) {
    h.update(path.relative(CIRCUITS_DIR, file))
      .update("\0")
      .update(await readFile(file))
      .update("\0");
  }
  const versions = ["circomlib", "circom2", "snarkjs"].map((p) => `${p}@${packageVersion(p)}`);
  h.update(versions.join(",")).update("\0");
  for (const part of extra) h.update(part).update("\0");
  return h.digest("hex");
}
