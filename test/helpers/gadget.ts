/**
 * Test harness for circuit templates: compiles a thin main for a template
 * (cached by content hash under build/templates), computes witnesses with
 * the real witness generator and checks them against the R1CS independently.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { PROJECT_ROOT } from "../../prover/paths.js";
import { compileTemplate, type CompiledTemplate } from "../../prover/circom/template.js";
import {
  firstViolated,
  FIELD_P,
  readR1cs,
  readSymbols,
  unconstrainedWires,
  type R1cs,
} from "../../prover/circom/r1cs.js";
import { loadWitnesser, type CircuitInput, type Witnesser } from "../../prover/circom/witness.js";

export interface Gadget {
  readonly constraints: number;
  readonly r1cs: R1cs;
  /** Wire index of a signal of main (e.g. "out", "rnd.sh"); throws if it was optimised away. */
  wire(signal: string): number;
  /** Names of the wires no constraint mentions (free for any prover): each wire's first signal name. */
  freeWires(): string[];
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
export function gadget(
  include: string,
  template: string,
  args: readonly number[] = [],
  publics: readonly string[] = [],
  /** For whole production circuits (their private inputs fold into others' constraints); gadgets never. */
  opts: { readonly privateInputsMayFold?: boolean } = {},
): Promise<Gadget> {
  const key = JSON.stringify([include, template, args, publics, opts]);
  let g = cache.get(key);
  if (!g) {
    g = compileTemplate(include, template, args, publics).then(async (c) => {
      const loaded = await load(c);
      if (!opts.privateInputsMayFold) await requireInputsKept(include, template, loaded);
      return loaded;
    });
    cache.set(key, g);
  }
  return g;
}

/**
 * Every input signal of the template must still be a wire of the compiled
 * R1CS: --O2 substitutes away private inputs that only appear linearly, and a
 * gadget test on such an R1CS checks the witness generator's assertions, not
 * the constraints (issue #16). Such a gadget is compiled with its inputs public.
 */
async function requireInputsKept(include: string, template: string, g: Gadget): Promise<void> {
  const source = await readFile(path.join(PROJECT_ROOT, "circuits", include), "utf8");
  const start = source.search(new RegExp(`\\btemplate\\s+${template}\\s*\\(`));
  if (start < 0) throw new Error(`template ${template} not found in ${include}`);
  const next = source.slice(start + 1).search(/\btemplate\s+\w+\s*\(/);
  const body = source.slice(start, next < 0 ? undefined : start + 1 + next);
  const inputs = [...body.matchAll(/signal\s+input\s+(\w+)/g)].map((m) => m[1]!);
  for (const name of inputs) {
    const kept = [name, `${name}[0]`, `${name}[0][0]`, `${name}[0][0][0]`].some((n) => {
      try {
        g.wire(n);
        return true;
      } catch {
        return false;
      }
    });
    if (!kept)
      throw new Error(
        `${template}: input "${name}" is not a wire of the compiled R1CS (--O2 removed it); ` +
          "compile the test gadget with it public so its constraints are what the test checks",
      );
  }
}

async function load(c: CompiledTemplate): Promise<Gadget> {
  const name = c.name;
  const r1cs = await readR1cs(c.r1cs);
  const symbols = await readSymbols(c.sym);
  const wc: Witnesser = await loadWitnesser(c.wasm);
  const check = (w: readonly bigint[]): number => firstViolated(r1cs, w);
  const g: Gadget = {
    constraints: r1cs.constraints.length,
    r1cs,
    wire(signal) {
      const idx = symbols.get(`main.${signal}`);
      if (idx === undefined) throw new Error(`signal main.${signal} is not a wire of ${name}`);
      return idx;
    },
    freeWires() {
      const names = new Map<number, string>();
      for (const [name, idx] of symbols) if (idx >= 0 && !names.has(idx)) names.set(idx, name);
      return unconstrainedWires(r1cs).map((w) => names.get(w) ?? `wire ${w}`);
    },
    witness: (input) => wc.calculate(input),
    async expectPass(input) {
      const w = await wc.calculate(input);
      assert.equal(check(w), -1, `honest witness violates the R1CS for ${show(input)}`);
      return w;
    },
    async expectFail(input) {
      let w: bigint[];
      try {
        w = await wc.calculate(input);
      } catch {
        return; // rejected by the witness generator's assertions
      }
      assert.notEqual(check(w), -1, `input was accepted but should not be: ${show(input)}`);
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

/** JSON with bigints as decimal strings, for messages. */
function show(x: unknown): string {
  return JSON.stringify(x, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
}
