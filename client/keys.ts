/**
 * Which proving keys may verify proofs where (issue #12): development keys
 * (single-party phase 2) only on the in-process network and `localhost`,
 * unless a deployment says `--allow-development-keys` (then recorded);
 * ceremony keys anywhere, if the transcript installed beside them matches
 * them. And the check anyone can run against a deployment: is the code at
 * each recorded verifier address exactly the verifier generated from the
 * local verification key?
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import * as snarkjs from "snarkjs";
import type { Address, PublicClient } from "viem";
import { artifactPaths, expectedAdapterSource, type OutputDirs } from "../prover/proving/artifacts.js";
import type { Transcript } from "../prover/proving/ceremony.js";
import { adapterName, circuitSpec, verifierName } from "../prover/proving/manifest.js";
import { sha256File } from "../prover/proving/ptau.js";
import { PROJECT_ROOT } from "../prover/paths.js";

/** Networks whose chains are development chains: development keys are fine there. */
export const LOCAL_NETWORKS = new Set(["default", "hardhat", "localhost"]);

export interface KeyRecord {
  readonly zkeySha256: string;
  readonly developmentOnly: boolean;
  /** SHA-256 of the ceremony transcript, for ceremony keys. */
  readonly transcriptSha256?: string;
}

/** What a circuit's installed key is, checked: a ceremony key must match its transcript. */
export async function keyRecord(circuit: string, dirs?: OutputDirs): Promise<KeyRecord> {
  const a = artifactPaths(circuit, dirs);
  if (!existsSync(a.record) || !existsSync(a.zkey))
    throw new Error(`circuit ${circuit} has no built key: run \`npm run artifacts\` first`);
  const build = JSON.parse(await readFile(a.record, "utf8")) as {
    developmentOnly: boolean;
    ceremony?: { transcriptSha256: string };
  };
  const zkeySha256 = await sha256File(a.zkey);
  if (build.developmentOnly) return { zkeySha256, developmentOnly: true };
  const transcriptFile = path.join(a.dir, `${circuit}.transcript.json`);
  if (!build.ceremony || !existsSync(transcriptFile))
    throw new Error(`circuit ${circuit}: build.json says ceremony key, but there is no ceremony transcript beside it`);
  const transcriptSha256 = await sha256File(transcriptFile);
  const t = JSON.parse(await readFile(transcriptFile, "utf8")) as Transcript;
  if (transcriptSha256 !== build.ceremony.transcriptSha256 || t.finalZkeySha256 !== zkeySha256 || t.circuit !== circuit)
    throw new Error(
      `circuit ${circuit}: the ceremony transcript does not match its keys (the installed key is not the ceremony's final key, ` +
        "or the transcript was changed): finalize and install the ceremony again",
    );
  return { zkeySha256, developmentOnly: false, transcriptSha256 };
}

/**
 * The keys of `circuits`, refused on a network that is not local if any is
 * a development key, unless `allowDevelopmentKeys`.
 */
export async function deployableKeys(
  circuits: readonly string[],
  network: string,
  allowDevelopmentKeys: boolean,
  dirs?: OutputDirs,
): Promise<Record<string, KeyRecord>> {
  const keys: Record<string, KeyRecord> = {};
  for (const c of circuits) keys[c] = await keyRecord(c, dirs);
  const dev = circuits.filter((c) => keys[c]!.developmentOnly);
  if (dev.length > 0 && !LOCAL_NETWORKS.has(network) && !allowDevelopmentKeys) {
    throw new Error(
      `network "${network}" is not a development chain, and ${dev.join(", ")} ${dev.length === 1 ? "has" : "have"} ` +
        "DEVELOPMENT keys (one party made phase 2 and could forge proofs): run a ceremony for each " +
        "(`npm run ceremony`, then `finalize --install`), or pass --allow-development-keys, which the deployment records",
    );
  }
  return keys;
}

export interface VerificationLine {
  readonly what: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** The Solidity verifier snarkjs generates from a key, named as the project names it. */
async function generatedVerifier(circuit: string, zkey: string): Promise<string> {
  const template = await readFile(
    path.join(PROJECT_ROOT, "node_modules", "snarkjs", "templates", "verifier_groth16.sol.ejs"),
    "utf8",
  );
  const sol = await snarkjs.zKey.exportSolidityVerifier(zkey, { groth16: template });
  return sol.replace(/contract Groth16Verifier\b/, `contract ${verifierName(circuit)}`);
}

/** Whether a verifier file is `generated` with only comment lines (the project's header) before it. */
const isGenerated = (file: string, generated: string): boolean =>
  file.endsWith(generated) && /^(\/\/[^\n]*\n)*$/.test(file.slice(0, file.length - generated.length));

/**
 * For each recorded circuit: the local key is the recorded one, the local
 * Solidity verifier is exactly what snarkjs generates from it, the local
 * adapter is exactly what the manifest generates for it, and the code at the
 * recorded adapter address is the compiled adapter (the verifier is compiled
 * into it, untouched).
 */
export async function verifyDeployment(
  publicClient: PublicClient,
  record: { contracts: Record<string, { address: Address }>; keys?: Record<string, KeyRecord> },
  deployedBytecodeOf: (contractName: string) => Promise<string>,
): Promise<VerificationLine[]> {
  const lines: VerificationLine[] = [];
  const keys = record.keys ?? {};
  if (Object.keys(keys).length === 0)
    return [
      {
        what: "deployment record",
        ok: false,
        detail: "it records no keys (made before verifier records existed): redeploy",
      },
    ];
  for (const [circuit, key] of Object.entries(keys)) {
    const name = adapterName(circuit);
    const a = artifactPaths(circuit);
    const line = (what: string, ok: boolean, detail: string): void => {
      lines.push({ what: `${circuit}: ${what}`, ok, detail });
    };
    const zkeyOk = existsSync(a.zkey) && (await sha256File(a.zkey)) === key.zkeySha256;
    line(
      "local key",
      zkeyOk,
      zkeyOk ? `sha256 ${key.zkeySha256}` : "the local key is not the one deployed: build or install it first",
    );
    if (!zkeyOk) continue;
    const solOk =
      existsSync(a.verifierSol) &&
      isGenerated(await readFile(a.verifierSol, "utf8"), await generatedVerifier(circuit, a.zkey));
    line(
      "local verifier",
      solOk,
      solOk
        ? `${path.basename(a.verifierSol)} is generated from the local key`
        : "the local Solidity verifier is not generated from the local key",
    );
    const adapterOk =
      existsSync(a.adapterSol) &&
      (await readFile(a.adapterSol, "utf8")) === expectedAdapterSource(a, circuitSpec(circuit));
    line(
      "local adapter",
      adapterOk,
      adapterOk
        ? `${path.basename(a.adapterSol)} inherits it and states the manifest's layout`
        : "the local adapter is not the one the manifest generates: run `npm run artifacts`",
    );
    const c = record.contracts[name];
    if (!c) {
      line("deployed adapter", false, `the record has no ${name}`);
      continue;
    }
    const onChain = (await publicClient.getCode({ address: c.address })) ?? "0x";
    const compiled = await deployedBytecodeOf(name);
    const codeOk = onChain.toLowerCase() === compiled.toLowerCase();
    line(
      "deployed adapter",
      codeOk,
      codeOk
        ? `code at ${c.address} is the compiled ${name} (its verifier included)`
        : `code at ${c.address} is not the compiled ${name}`,
    );
  }
  return lines;
}
