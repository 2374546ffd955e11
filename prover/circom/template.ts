/**
 * Compiles a thin main for one template (cached by content hash under
 * build/templates), for tests and benchmarks of library templates.
 */
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { BUILD_DIR } from "../paths.js";
import { compileCircuit } from "./compile.js";
import { sourceHash } from "./hash.js";

export interface CompiledTemplate {
  readonly name: string;
  readonly r1cs: string;
  readonly wasm: string;
  readonly sym: string;
}

/** Compiles `component main = template(args)` from `include` unless a build of the same sources exists. */
export async function compileTemplate(
  include: string,
  template: string,
  args: readonly number[] = [],
  publics: readonly string[] = [],
): Promise<CompiledTemplate> {
  const pub = publics.length ? ` {public [${publics.join(", ")}]}` : "";
  const main = `pragma circom 2.2.0;\ninclude "${include}";\ncomponent main${pub} = ${template}(${args.join(", ")});\n`;
  const name = `${template}${args.length ? "_" + args.join("_") : ""}`;
  const hash = (await sourceHash(main)).slice(0, 16);
  const dir = path.join(BUILD_DIR, "templates", `${name}-${hash}`);
  const out: CompiledTemplate = {
    name,
    r1cs: path.join(dir, `${name}.r1cs`),
    wasm: path.join(dir, `${name}_js`, `${name}.wasm`),
    sym: path.join(dir, `${name}.sym`),
  };
  if (![out.r1cs, out.wasm, out.sym, path.join(dir, `${name}_js`, "package.json")].every((f) => existsSync(f))) {
    await mkdir(dir, { recursive: true });
    const source = path.join(dir, `${name}.circom`);
    await writeFile(source, main);
    await compileCircuit(source, dir);
  }
  return out;
}
