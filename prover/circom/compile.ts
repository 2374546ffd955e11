/**
 * Compiles circom sources with circom 2 from the npm package `circom2`
 * (circom compiled to WebAssembly), always with --O2 so linear constraints
 * are folded away.
 */
import { spawn } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { PROJECT_ROOT } from "../paths.js";

const require = createRequire(import.meta.url);

export interface CompileResult {
  readonly r1cs: string;
  readonly wasm: string;
  readonly sym: string;
  readonly nonLinearConstraints: number;
  readonly log: string;
}

/** Folders searched by `include`, relative to the project root. */
export const INCLUDE_DIRS = ["circuits", path.join("node_modules", "circomlib", "circuits")] as const;

/**
 * Compiles `source` (a .circom file) into `outDir`. circom2 runs under WASI
 * with access to the working directory's tree only, so every path passed to it
 * is made relative to the project root.
 */
export async function compileCircuit(source: string, outDir: string): Promise<CompileResult> {
  await mkdir(outDir, { recursive: true });
  const rel = (p: string): string => path.relative(PROJECT_ROOT, path.resolve(p)) || ".";
  const args = [
    require.resolve("circom2/cli.js"),
    rel(source),
    "--r1cs",
    "--wasm",
    "--sym",
    "--O2",
    ...INCLUDE_DIRS.flatMap((d) => ["-l", d]),
    "-o",
    rel(outDir),
  ];
  const log = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: PROJECT_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      // eslint-disable-next-line no-control-regex
      const plain = out.replace(/\u001b\[[0-9;]*m/g, "");
      if (code === 0 && !/error/i.test(plain)) resolve(plain);
      else reject(new Error(`circom failed on ${source} (exit ${code}):\n${plain}`));
    });
  });
  const m = /non-linear constraints:\s*(\d+)/.exec(log);
  if (!m) throw new Error(`could not read the constraint count from circom's output:\n${log}`);
  const base = path.basename(source, ".circom");
  // The generated witness calculator is CommonJS; this package is ESM.
  await writeFile(path.join(outDir, `${base}_js`, "package.json"), '{ "type": "commonjs" }\n');
  return {
    r1cs: path.join(outDir, `${base}.r1cs`),
    wasm: path.join(outDir, `${base}_js`, `${base}.wasm`),
    sym: path.join(outDir, `${base}.sym`),
    nonLinearConstraints: Number(m[1]),
    log,
  };
}
