/**
 * Test harness for circuit templates: compiles a thin main for a template
 * (cached by content hash under build/test-circuits), computes witnesses with
 * the real witness generator and checks them against the R1CS independently.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { compileCircuit } from "../../prover/circom/compile.js";
import { sourceHash } from "../../prover/circom/hash.js";
import { firstViolated, FIELD_P, readR1cs, readSymbols, type R1cs } from "../../prover/circom/r1cs.js";
import { loadWitnesser, type CircuitInput, type Witnesser } from "../../prover/circom/witness.js";
import { BUILD_DIR } from "../../prover/paths.js";

export interface Gadget {
  readonly constraints: number;
  readonly r1cs: R1cs;
  /** Wire index of a signal of main (e.g. "out", "rnd.sh"); throws if it was optimised away. */
  wire(signal: string): number;
  /** Computes the witness; throws if the witness generator rejects the input. */
  witness(input: CircuitInput): Promise<bigint[]>;
  /** Asserts the input is accepted and the R1CS holds; returns the witness. */
  expectPass(input: CircuitInput): Promise<bigint[]>;
  /** Asserts the input is rejected by the witness generator or violates the R1CS. */
  expectFail(input: CircuitInput): Promise<void>;
  /** Asserts that the witness with `signal` replaced by `value` violates the R1CS. */
  expectTamperFails(witness: readonly bigint[], signal: string, value: bigint): void;
}

const cache = new Map<string, Promise<Gadget>>();

/** Loads (compiling once) a main of `template(args)` from `include`. */
export function gadget(include: string, template: string, args: readonly number[] = [], publics: readonly string[] = []): Promise<Gadget> {
  const pub = publics.length ? ` {public [${publics.join(", ")}]}` : "";
  const main = `pragma circom 2.1.6;\ninclude "${include}";\ncomponent main${pub} = ${template}(${args.join(", ")});\n`;
  let g = cache.get(main);
  if (!g) {
    g = build(main, `${template}${args.length ? "_" + args.join("_") : ""}`);
    cache.set(main, g);
  }
  return g;
}

async function build(main: string, name: string): Promise<Gadget> {
  const hash = (await sourceHash(main)).slice(0, 16);
  const dir = path.join(BUILD_DIR, "test-circuits", `${name}-${hash}`);
  const source = path.join(dir, `${name}.circom`);
  const r1csFile = path.join(dir, `${name}.r1cs`);
  const wasmFile = path.join(dir, `${name}_js`, `${name}.wasm`);
  if (!existsSync(r1csFile) || !existsSync(wasmFile) || !existsSync(path.join(dir, `${name}_js`, "package.json"))) {
    await mkdir(dir, { recursive: true });
    await writeFile(source, main);
    await compileCircuit(source, dir);
  }
  const r1cs = await readR1cs(r1csFile);
  const symbols = await readSymbols(path.join(dir, `${name}.sym`));
  const wc: Witnesser = await loadWitnesser(wasmFile);
  const check = (w: readonly bigint[]): number => firstViolated(r1cs, w);
  const g: Gadget = {
    constraints: r1cs.constraints.length,
    r1cs,
    wire(signal) {
      const idx = symbols.get(`main.${signal}`);
      if (idx === undefined) throw new Error(`signal main.${signal} is not a wire of ${name}`);
      return idx;
    },
    witness: (input) => wc.calculate(input),
    async expectPass(input) {
      const w = await wc.calculate(input);
      assert.equal(check(w), -1, `honest witness violates the R1CS for ${JSON.stringify(input)}`);
      return w;
    },
    async expectFail(input) {
      let w: bigint[];
      try {
        w = await wc.calculate(input);
      } catch {
        return; // rejected by the witness generator's assertions
      }
      assert.notEqual(check(w), -1, `input was accepted but should not be: ${JSON.stringify(input, (_, v) => (typeof v === "bigint" ? v.toString() : v))}`);
    },
    expectTamperFails(witness, signal, value) {
      const w = [...witness];
      const idx = g.wire(signal);
      const v = ((value % FIELD_P) + FIELD_P) % FIELD_P;
      assert.notEqual(w[idx], v, "tampered value equals the honest one");
      w[idx] = v;
      assert.notEqual(check(w), -1, `tampering ${signal} := ${value} still satisfies the R1CS`);
    },
  };
  return g;
}
