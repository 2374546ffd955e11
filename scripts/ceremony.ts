/**
 * npm run ceremony -- <new|contribute|beacon|verify|finalize> [options]
 *
 * A multi-party phase-2 trusted setup for one circuit (prover/proving/ceremony.ts).
 */
import { Command, InvalidArgumentError } from "commander";
import { artifactPaths } from "../prover/proving/artifacts.js";
import {
  applyBeacon,
  contribute,
  finalizeCeremony,
  installCeremonyKeys,
  newCeremony,
  readCeremony,
  verifyCeremony,
} from "../prover/proving/ceremony.js";
import { familyCircuits, familyOfSpec } from "../prover/proving/families.js";
import { consoleLogger } from "../prover/proving/log.js";
import { DEV_PTAU } from "../prover/paths.js";
import { readSpec } from "../prover/spec/schema.js";
import { isEntryPoint, paragraphs, runProgram } from "./help.js";

const out = (s: string): void => {
  process.stdout.write(s + "\n");
};
const ptauOf = (p?: string): string => p ?? (process.env.VTR_PTAU || DEV_PTAU);
const PTAU_HELP =
  "the phase-1 ptau (default: VTR_PTAU, else ../shared/ptau/pot17_dev.ptau — a development file, not a ceremony: " +
  "use a public ceremony ptau for real keys)";
const log = (name: string) => consoleLogger(`ceremony ${name}`);

export const program = new Command("npm run ceremony --").description(
  paragraphs(`A multi-party phase-2 trusted setup for one circuit, on snarkjs's phase-2 commands. A ceremony
  is a directory handed from one contributor to the next: \`new\` (the coordinator), \`contribute\` (each
  contributor, on their own machine), \`beacon\` (a public random value announced in advance), \`verify\`
  (anyone) and \`finalize\` (the coordinator: verification key, Solidity verifier and transcript; with
  --install they replace the circuit's development key).`),
);

program
  .command("new")
  .summary("start a ceremony: the initial key from the circuit's r1cs and a ptau")
  .description(
    paragraphs(`Writes the initial key of a circuit (from its r1cs, built by \`npm run artifacts\`, and a ptau)
    into a new ceremony directory, recording both files' SHA-256. Name the circuit with --circuit, or
    give --spec and --role for one of a spec family's circuits.`),
  )
  .requiredOption("--dir <dir>", "the ceremony directory to create")
  .option("--circuit <id>", "circuit id, e.g. checkpoint_linear_i4o3b2n150k4")
  .option("--spec <file>", "a training spec: the circuit is one of its family's")
  .option("--role <role>", "with --spec: genesis, step or checkpoint", "checkpoint")
  .option("--ptau <file>", PTAU_HELP)
  .action(async (o: { dir: string; circuit?: string; spec?: string; role: string; ptau?: string }) => {
    let circuit = o.circuit;
    if (circuit === undefined) {
      if (o.spec === undefined) throw new Error("give --circuit ID, or --spec FILE (and --role)");
      const f = familyOfSpec(await readSpec(o.spec));
      const byRole: Record<string, string> = { genesis: f.genesis, step: f.step, checkpoint: f.checkpoint };
      circuit = byRole[o.role];
      if (circuit === undefined) throw new Error(`--role must be genesis, step or checkpoint, got "${o.role}"`);
      if (!familyCircuits(f).some((c) => c.id === circuit)) throw new Error(`${circuit} is not a circuit of ${f.name}`);
    }
    const r = await newCeremony(o.dir, circuit, artifactPaths(circuit).r1cs, ptauOf(o.ptau), log("new"));
    out(
      `${o.dir}: ceremony for ${r.circuit} started (r1cs ${r.r1csSha256.slice(0, 16)}…, ptau ${r.ptau.name} ${r.ptau.sha256.slice(0, 16)}…)`,
    );
    out("hand the directory to the first contributor: npm run ceremony -- contribute --dir DIR --name NAME");
  });

program
  .command("contribute")
  .summary("add one contribution with fresh entropy (never printed, never stored)")
  .description(
    paragraphs(`Adds one contribution to the ceremony directory (handed over from the previous contributor)
    with 64 bytes of fresh entropy from the operating system, which is passed to snarkjs and discarded.
    Prints the contribution hash: publish it, so anyone can check that the final transcript includes your
    contribution. Refuses a directory whose last key is not the recorded one (corrupted or truncated in
    transit). Then hand the directory on.`),
  )
  .requiredOption("--dir <dir>", "the ceremony directory")
  .requiredOption("--name <name>", "your name or handle, recorded in the key")
  .action(async (o: { dir: string; name: string }) => {
    const s = await contribute(o.dir, o.name, log("contribute"));
    out(`contribution #${s.index} by ${s.name} written to ${s.file}`);
    out(`contribution hash (publish it): ${s.contributionHash!}`);
  });

program
  .command("beacon")
  .summary("close the ceremony with a public random beacon")
  .description(
    paragraphs(`Applies the final public beacon: a value nobody could know before the last contribution
    (e.g. the hash of a future block, announced in advance), hashed 2^N times. No contribution can follow.`),
  )
  .requiredOption("--dir <dir>", "the ceremony directory")
  .requiredOption("--hash <hex>", "the beacon value, hex (1 to 255 bytes)")
  .requiredOption("--iterations <n>", "exponent N of the 2^N hash iterations (10 to 63)", (v) => {
    if (!/^\d+$/.test(v)) throw new InvalidArgumentError("--iterations must be an integer");
    return Number(v);
  })
  .action(async (o: { dir: string; hash: string; iterations: number }) => {
    const s = await applyBeacon(o.dir, o.hash, o.iterations, log("beacon"));
    out(`beacon applied (${s.file}); contribution hash ${s.contributionHash!}`);
  });

program
  .command("verify")
  .summary("check the whole chain against the r1cs and the ptau")
  .description(
    paragraphs(`Checks every key of the ceremony: its recorded SHA-256, then cryptographically (snarkjs's
    zkey verification) against the initial key recomputed from the local r1cs and the ptau. Names the first
    contribution that fails; prints every contribution with its name and hash.`),
  )
  .requiredOption("--dir <dir>", "the ceremony directory")
  .option("--ptau <file>", PTAU_HELP)
  .action(async (o: { dir: string; ptau?: string }) => {
    const r = await readCeremony(o.dir);
    const v = await verifyCeremony(o.dir, artifactPaths(r.circuit).r1cs, ptauOf(o.ptau), log("verify"));
    out(`${r.circuit}: the chain of ${r.steps.length - 1} step(s) verifies against the r1cs and ${r.ptau.name}`);
    v.chain.forEach((c, i) => {
      out(`  #${i + 1} ${c.name}: ${c.hash}`);
    });
    if (r.steps[r.steps.length - 1]!.kind !== "beacon") out("  (no beacon yet: the ceremony is still open)");
  });

program
  .command("finalize")
  .summary("export the verification key, Solidity verifier and transcript")
  .description(
    paragraphs(`Verifies the ceremony, requires its final beacon, and writes into --out the final key, the
    verification key, the Solidity verifier and a transcript (circuit and r1cs hashes, ptau hash, each
    contribution's name and hash, the beacon, the final key's hash). With --install these replace the
    circuit's development artifacts in build/circuits/<id>/ and contracts/generated/ (build.json then says
    developmentOnly: false); \`npm run artifacts -- --force\` would put development keys back.`),
  )
  .requiredOption("--dir <dir>", "the ceremony directory")
  .option("--out <dir>", "where to write the outputs (default: DIR/final)")
  .option("--ptau <file>", PTAU_HELP)
  .option("--install", "replace the circuit's development key with this one", false)
  .action(async (o: { dir: string; out?: string; ptau?: string; install: boolean }) => {
    const r = await readCeremony(o.dir);
    const a = artifactPaths(r.circuit);
    const { transcript, outputs } = await finalizeCeremony(
      o.dir,
      a.r1cs,
      ptauOf(o.ptau),
      o.out ?? `${o.dir}/final`,
      log("finalize"),
    );
    out(
      `${r.circuit}: ${transcript.contributions.length} contribution(s) and a beacon; final key sha256 ${transcript.finalZkeySha256}`,
    );
    out(`  transcript ${outputs.transcript}`);
    if (o.install) {
      await installCeremonyKeys(transcript, outputs, a);
      out(`  installed in ${a.dir} and ${a.verifierSol} (rebuild contracts: npx hardhat build)`);
    }
  });

if (isEntryPoint(import.meta.url)) runProgram(program);
