/**
 * npm run artifacts -- [--spec FILE] [--ptau FILE] [--only IDS] [--force] [--verbose]
 *
 * Builds r1cs, wasm, Groth16 keys (DEVELOPMENT ONLY) and Solidity verifiers
 * for the default circuits (prover/proving/manifest.ts) or for the circuit
 * family of a spec, reusing cached builds.
 */
import { Command } from "commander";
import { buildAll } from "../prover/proving/artifacts.js";
import { familyCircuits, familyOfSpec } from "../prover/proving/families.js";
import { consoleLogger } from "../prover/proving/log.js";
import { CIRCUITS } from "../prover/proving/manifest.js";
import { readSpec } from "../prover/spec/schema.js";
import { isEntryPoint, paragraphs, runProgram } from "./help.js";

export const program = new Command("npm run artifacts --")
  .description(
    paragraphs(`Builds, per circuit: r1cs + wasm witness generator (circom --O2), Groth16 proving key with one
phase-2 contribution, verification key, and Solidity verifier in contracts/generated/.

Without --spec: the default circuits (${CIRCUITS.map((c) => c.id).join(", ")}).
With --spec: the spec's circuit family (genesis, step = Checkpoint(1) and Checkpoint(K)).
Each circuit's constraint count is checked against the ptau before the Groth16 setup.
Unchanged circuits are not rebuilt (content hash of the circuit sources, parameters,
toolchain versions and ptau).

All keys and verifiers are DEVELOPMENT ONLY (single-party phase 2).`),
  )
  .option("--spec <file>", "build the circuit family of this training spec")
  .option(
    "--ptau <file>",
    "phase-1 powers of tau (a ceremony file in production; VTR_PTAU does the same). Default: " +
      "../shared/ptau/pot17_dev.ptau if present, else a development ptau generated once under build/ptau. " +
      "Refused: no contribution (tau = 1), only beacons, not prepared for phase 2, too small",
  )
  .option("--only <ids>", "comma-separated circuit ids to build (any default or family circuit id)")
  .option("--force", "rebuild even if the cache is valid", false)
  .option("--verbose", "show snarkjs's detailed progress", false)
  .action(build);

async function build(o: {
  spec?: string;
  ptau?: string;
  only?: string;
  force: boolean;
  verbose: boolean;
}): Promise<void> {
  const log = consoleLogger("artifacts", o.verbose);
  const only = o.only
    ?.split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  let circuits;
  if (o.spec !== undefined) {
    const family = familyOfSpec(await readSpec(o.spec));
    circuits = familyCircuits(family);
    log.info(`family ${family.name}: ${circuits.map((c) => c.id).join(", ")}`);
  }
  const t0 = Date.now();
  const results = await buildAll({ ptau: o.ptau, force: o.force, only, ...(circuits ? { circuits } : {}) }, log);
  for (const r of results) {
    process.stdout.write(
      `${r.id}: ${r.rebuilt ? "built" : "up to date"}, ${r.record.constraints} constraints, ptau 2^${r.record.ptau.power}\n`,
    );
  }
  process.stdout.write(`artifacts ready in ${((Date.now() - t0) / 1000).toFixed(1)} s (DEVELOPMENT ONLY keys)\n`);
}

if (isEntryPoint(import.meta.url)) runProgram(program);
