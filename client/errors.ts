/**
 * Readable errors: a reverted registry call becomes its custom error's name
 * and arguments with a sentence saying what it means, never raw revert data.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { BaseError, ContractFunctionRevertedError } from "viem";
import { PROJECT_ROOT } from "../prover/paths.js";

/** The contracts a registry call can revert through; their NatSpec explains each custom error. */
const DOCUMENTED: ReadonlyArray<readonly [source: string, name: string]> = [
  ["registry/TrainingRegistry.sol", "TrainingRegistry"],
  ["sampled/SampledMode.sol", "SampledMode"],
  ["families/CircuitFamilies.sol", "CircuitFamilies"],
  ["governance/PolicyTimelock.sol", "PolicyTimelock"],
  ["verifiers/Groth16VerifierAdapter.sol", "Groth16VerifierAdapter"],
  ["verifiers/Groth16BatchVerifier.sol", "Groth16BatchVerifier"],
  ["observers/ComputeObservers.sol", "ComputeObservers"],
];

interface AbiParam {
  readonly type: string;
  readonly components?: readonly AbiParam[];
}
interface Doc {
  readonly errors?: Readonly<Record<string, ReadonlyArray<{ readonly notice?: string; readonly details?: string }>>>;
}

/** An ABI parameter's canonical type, as NatSpec keys errors by it (tuples spelt out). */
const canonical = (p: AbiParam): string =>
  p.type.startsWith("tuple") ? `(${(p.components ?? []).map(canonical).join(",")})${p.type.slice(5)}` : p.type;

/** A NatSpec sentence as a clause: first letter lower case (unless a code name), no final period. */
const clause = (text: string): string => {
  const t = text.trim().replace(/\s+/g, " ").replace(/\.$/, "");
  return /^[A-Z](?:[a-z]|\s)/.test(t) ? t[0]!.toLowerCase() + t.slice(1) : t;
};

/** An OpenZeppelin `@dev` text's first sentence (the rest are notes for developers). */
const firstSentence = (text: string): string => text.split(/\.\s/)[0]!;

let cached: Readonly<Record<string, string>> | undefined;

/**
 * What each custom error means, from the compiled contracts' NatSpec (issue #25): the error's
 * `@notice` (userdoc), else its `@dev` (devdoc; OpenZeppelin documents its errors so), read from
 * Hardhat's build info once. Empty when the contracts are not compiled (then only names are shown).
 */
export function errorMeanings(root: string = PROJECT_ROOT): Readonly<Record<string, string>> {
  if (cached && root === PROJECT_ROOT) return cached;
  const out: Record<string, string> = {};
  for (const [source, name] of DOCUMENTED) {
    const file = path.join(root, "artifacts", "contracts", source, `${name}.json`);
    if (!existsSync(file)) continue;
    const artifact = JSON.parse(readFileSync(file, "utf8")) as {
      abi: ReadonlyArray<{ type: string; name?: string; inputs?: readonly AbiParam[] }>;
      buildInfoId: string;
      inputSourceName: string;
    };
    const buildOutput = path.join(root, "artifacts", "build-info", `${artifact.buildInfoId}.output.json`);
    if (!existsSync(buildOutput)) continue;
    const compiled = (
      JSON.parse(readFileSync(buildOutput, "utf8")) as {
        output: { contracts: Record<string, Record<string, { userdoc?: Doc; devdoc?: Doc }>> };
      }
    ).output.contracts[artifact.inputSourceName]?.[name];
    for (const e of artifact.abi) {
      if (e.type !== "error" || e.name === undefined || e.name in out) continue;
      const signature = `${e.name}(${(e.inputs ?? []).map(canonical).join(",")})`;
      const notice = compiled?.userdoc?.errors?.[signature]?.[0]?.notice;
      const details = compiled?.devdoc?.errors?.[signature]?.[0]?.details;
      const doc = notice ?? (details === undefined ? undefined : firstSentence(details));
      if (doc !== undefined) out[e.name] = clause(doc);
    }
  }
  if (root === PROJECT_ROOT) cached = out;
  return out;
}

const show = (v: unknown): string =>
  typeof v === "bigint"
    ? v.toString()
    : typeof v === "string"
      ? v
      : JSON.stringify(v, (_, x: unknown) => (typeof x === "bigint" ? x.toString() : x));

/** The custom error of a reverted call, if it is one. */
export function customError(err: unknown): { name: string; args: readonly unknown[] } | undefined {
  const reverted = err instanceof BaseError ? err.walk((e) => e instanceof ContractFunctionRevertedError) : null;
  if (reverted instanceof ContractFunctionRevertedError && reverted.data?.errorName) {
    return { name: reverted.data.errorName, args: reverted.data.args ?? [] };
  }
  return undefined;
}

/** One line saying what went wrong. */
export function describeError(err: unknown): string {
  const c = customError(err);
  if (c) {
    const meaning = errorMeanings()[c.name];
    return `reverted with ${c.name}(${c.args.map(show).join(", ")})${meaning ? `: ${meaning}` : ""}`;
  }
  if (err instanceof BaseError) return err.shortMessage;
  return err instanceof Error ? err.message : String(err);
}
