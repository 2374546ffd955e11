/**
 * npm run artifacts -- [--ptau FILE] [--only ID[,ID]] [--force]
 *
 * Builds r1cs, wasm, Groth16 keys (DEVELOPMENT ONLY) and Solidity verifiers
 * for every circuit in prover/proving/manifest.ts, reusing cached builds.
 */
import { parseArgs } from "node:util";
import { buildAll } from "../prover/proving/artifacts.js";
import { consoleLogger, releaseSnarkjs } from "../prover/proving/log.js";
import { CIRCUITS } from "../prover/proving/manifest.js";

const HELP = `Usage: npm run artifacts -- [options]

Builds, for every circuit in prover/proving/manifest.ts (${CIRCUITS.map((c) => c.id).join(", ")}):
r1cs + wasm witness generator (circom --O2), Groth16 proving key with one
phase-2 contribution, verification key, and Solidity verifier in
contracts/generated/. Unchanged circuits are not rebuilt (content hash of the
circuit sources, parameters, toolchain versions and ptau).

All keys and verifiers are DEVELOPMENT ONLY (single-party phase 2).

Options:
  --ptau FILE     phase-1 powers of tau (a ceremony file in production);
                  the VTR_PTAU environment variable does the same.
                  Default: ../shared/ptau/pot17_dev.ptau if present, else a
                  development ptau generated once under build/ptau (slow:
                  ~5 min at 2^14, roughly doubling per power).
                  Refused: a ptau with no contribution (tau = 1), one with
                  only beacons, one not prepared for phase 2, one too small.
  --only IDS      comma-separated circuit ids to build
  --force         rebuild even if the cache is valid
  --verbose       show snarkjs's detailed progress
  -h, --help      show this help
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      ptau: { type: "string" },
      only: { type: "string" },
      force: { type: "boolean", default: false },
      verbose: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const log = consoleLogger("artifacts", values.verbose);
  const only = values.only
    ?.split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const t0 = Date.now();
  const results = await buildAll({ ptau: values.ptau, force: values.force, only }, log);
  for (const r of results) {
    process.stdout.write(
      `${r.id}: ${r.rebuilt ? "built" : "up to date"}, ${r.record.constraints} constraints, ptau 2^${r.record.ptau.power}\n`,
    );
  }
  process.stdout.write(`artifacts ready in ${((Date.now() - t0) / 1000).toFixed(1)} s (DEVELOPMENT ONLY keys)\n`);
  await releaseSnarkjs();
}

main().catch((err: unknown) => {
  process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
