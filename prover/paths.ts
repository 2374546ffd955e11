/** Well-known locations, resolved from this file so any working directory works. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const CIRCUITS_DIR = path.join(PROJECT_ROOT, "circuits");
export const BUILD_DIR = path.join(PROJECT_ROOT, "build");
export const DEV_PTAU = path.resolve(PROJECT_ROOT, "..", "shared", "ptau", "pot17_dev.ptau");

/** Version of an installed npm package (read from its package.json, which some packages do not export). */
export function packageVersion(name: string): string {
  const file = path.join(PROJECT_ROOT, "node_modules", name, "package.json");
  return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
}
