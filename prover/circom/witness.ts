/**
 * Witness computation with the witness calculator circom generates next to
 * each .wasm (loaded once per circuit, reused for every input).
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);

/** A signal value, or a (nested) array of them for array signals. */
export type SignalValue = bigint | number | string | readonly SignalValue[];
export type CircuitInput = Readonly<Record<string, SignalValue>>;

interface WitnessCalculator {
  calculateWitness(input: CircuitInput, sanityCheck: boolean): Promise<bigint[]>;
}
type Builder = (code: Buffer, options?: object) => Promise<WitnessCalculator>;

export interface Witnesser {
  /** The full witness (wire order), or an Error if the circuit's assertions reject the input. */
  calculate(input: CircuitInput): Promise<bigint[]>;
}

/** Loads the witness calculator generated for `wasmFile`. */
export async function loadWitnesser(wasmFile: string): Promise<Witnesser> {
  const builder = require(path.join(path.dirname(wasmFile), "witness_calculator.js")) as Builder;
  const wc = await builder(await readFile(wasmFile));
  return { calculate: (input) => wc.calculateWitness(input, true) };
}
