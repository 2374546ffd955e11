/**
 * Proving and verifying with the built artifacts of a manifest circuit.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import * as snarkjs from "snarkjs";
import type { Groth16Proof, PublicSignals } from "snarkjs";
import type { CircuitInput } from "../circom/witness.js";
import { artifactPaths } from "./artifacts.js";
import { circuitSpec } from "./manifest.js";

export interface ProofBundle {
  readonly circuit: string;
  /** Public signals by name, in manifest order. */
  readonly statement: Readonly<Record<string, string>>;
  readonly publicSignals: PublicSignals;
  readonly proof: Groth16Proof;
}

/** The circuit's artifact paths; throws, saying what to run, if they are not built. */
export function requireArtifacts(id: string): ReturnType<typeof artifactPaths> {
  const a = artifactPaths(id);
  for (const f of [a.wasm, a.zkey, a.vkey]) {
    if (!existsSync(f))
      throw new Error(`circuit "${id}" has no built artifacts (${f} missing): run \`npm run artifacts\` first`);
  }
  return a;
}

/** Computes the witness and a Groth16 proof; returns a self-describing bundle. */
export async function prove(id: string, input: CircuitInput): Promise<ProofBundle> {
  const a = requireArtifacts(id);
  const { proof, publicSignals } = await snarkjs.groth16.fullProve(input, a.wasm, a.zkey);
  return bundleOf(id, publicSignals, proof);
}

/** A self-describing bundle of a proof of circuit `id`: its public signals named in manifest order. */
export function bundleOf(id: string, publicSignals: PublicSignals, proof: Groth16Proof): ProofBundle {
  const spec = circuitSpec(id);
  if (publicSignals.length !== spec.publicSignals.length) {
    throw new Error(
      `${id}: proof has ${publicSignals.length} public signals, the manifest ${spec.publicSignals.length}`,
    );
  }
  const statement = Object.fromEntries(spec.publicSignals.map((name, i) => [name, publicSignals[i]!]));
  return { circuit: id, statement, publicSignals, proof };
}

/** Verifies a bundle with the circuit's verification key (what `snarkjs groth16 verify` does). */
export async function verify(bundle: ProofBundle): Promise<boolean> {
  const a = requireArtifacts(bundle.circuit);
  const vkey = JSON.parse(await readFile(a.vkey, "utf8")) as object;
  return snarkjs.groth16.verify(vkey, bundle.publicSignals, bundle.proof);
}
