/** Atomic files: a file is either complete on disk or absent (temporary file, then rename). */
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";

const replacer = (_: string, v: unknown): unknown => (typeof v === "bigint" ? v.toString() : v);

export async function writeFileAtomic(file: string, data: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, data);
  await rename(tmp, file);
}

/** JSON with bigints written as decimal strings. */
export const writeJsonAtomic = (file: string, value: unknown): Promise<void> =>
  writeFileAtomic(file, JSON.stringify(value, replacer, 2) + "\n");

/** The parsed file, or undefined if it does not exist. Throws on a corrupt file, naming it. */
export async function readJsonIfExists(file: string): Promise<unknown> {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(await readFile(file, "utf8")) as unknown;
  } catch (err) {
    throw new Error(
      `${file} is not valid JSON (${err instanceof Error ? err.message : String(err)}); delete it to re-prove`,
    );
  }
}
