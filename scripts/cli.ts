/**
 * npm run registry -- <command> [options]
 *
 * One entry point for the registry: deploy, add-family, register, prove,
 * submit, status, flag-missed, reassess, watch, sampled mode's commit,
 * challenges, answer, challenge, flag-unanswered and withdraw, and the
 * observers' observer add|retire, report, reconcile and observers (issue #29).
 * Every command takes
 * --network (a network of hardhat.config.ts) and reads addresses from
 * deployments/<network>/. Commands and options are declared once, with
 * commander; the help is generated from them.
 */
import { Command, InvalidArgumentError, Option } from "commander";
import type { Hex } from "viem";
import { releaseSnarkjs } from "../prover/proving/log.js";
import { DEFAULT_ADMIN_DELAY, DEFAULT_POLICY_DELAY, DEFAULT_SAMPLING } from "../client/deploy.js";
import { describeError } from "../client/errors.js";
import { uint, address, command, DATASET_OPTION } from "./cli/common.js";
import { MAX_CHECKPOINT_BATCH } from "../client/runs.js";
import { isEntryPoint, queueOptions } from "./help.js";
import { DEFAULT_QUEUE_NAME } from "../prover/queue/jobs.js";
import { deploy, addFamilyCommand, verifyDeploymentCommand } from "./cli/deployment.js";
import { register, prove, submit, status, flagMissed, reassess, watch } from "./cli/runs.js";
import { commit, challenges, answer, challengeCommand, flagUnanswered, withdraw } from "./cli/sampled.js";
import { observerAdd, observerRetire, observersCommand, reconcile, report } from "./cli/observers.js";

/** --evidence-hash: 32 bytes of hex. */
function bytes32(value: string): Hex {
  if (!/^0x[0-9a-fA-F]{64}$/.test(value))
    throw new InvalidArgumentError(`--evidence-hash must be 0x and 64 hex digits, got "${value}"`);
  return value as Hex;
}

/** --batch: 1 to MAX_CHECKPOINT_BATCH checkpoints per transaction. */
function batchSize(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > MAX_CHECKPOINT_BATCH)
    throw new InvalidArgumentError(`--batch must be an integer from 1 to ${MAX_CHECKPOINT_BATCH}, got "${value}"`);
  return n;
}

export const program = new Command("npm run registry --")
  .description(
    "The registry's command line: deploy, add families, register runs, prove, submit, read, flag, reassess, watch; " +
      "sampled mode: commit, challenges, answer, challenge, flag-unanswered, withdraw; " +
      "observers: observer add|retire, report, reconcile, observers. " +
      "Every command reads addresses from deployments/<network>/; `<command> --help` describes each.",
  )
  .showHelpAfterError()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

command(
  program,
  "deploy",
  "deploy the circuits' adapters and the registry; record them in deployments/<network>/",
  `Deploys one adapter per circuit of the default families (each inheriting its untouched
  snarkjs verifier; development keys), a PolicyTimelock, the CircuitFamilies table, the
  SampledMode module, the TrainingRegistry and the ComputeObservers table (observers'
  reports, with the default reconciliation policy: docs/observers.md); registers the
  families and the threshold; hands the policy role to the timelock (every later
  policy action waits --policy-delay seconds in public) and checks that every
  role and option took effect; records the chain id, addresses, ABIs, roles and
  deployment blocks in deployments/<network>/.

  A second deploy to a network that already has a record needs --force. On the
  in-process network ("default") nothing is recorded: that chain ends with the command.`,
)
  .option("--force", "deploy even if deployments/<network>/ has a record", false)
  .option("--threshold <flops>", "designation threshold (default: none)", uint("--threshold"))
  .option(
    "--admin <address>",
    "admin: grants the pauser role; two-step delayed transfer (default: deployer)",
    address("--admin"),
  )
  .option("--policy <address>", "proposer of policy actions to the timelock (default: deployer)", address("--policy"))
  .option("--pauser <address>", "pauser (default: deployer)", address("--pauser"))
  .option(
    `--policy-delay <s>`,
    `seconds a policy action waits in the timelock (default ${DEFAULT_POLICY_DELAY})`,
    uint("--policy-delay"),
  )
  .option(
    `--admin-delay <s>`,
    `seconds between the two steps of an admin transfer (default ${DEFAULT_ADMIN_DELAY})`,
    uint("--admin-delay"),
  )
  .option(
    "--min-challenges <n>",
    `fewest challenges per window a sampled run may choose (default ${DEFAULT_SAMPLING.minChallengesPerWindow})`,
    uint("--min-challenges"),
  )
  .option(
    "--challenge-fee <wei>",
    `fee of a paid challenge in wei, 0 = off (default ${DEFAULT_SAMPLING.challengeFee})`,
    uint("--challenge-fee"),
  )
  .option(
    "--min-response <s>",
    `shortest response time a sampled run may choose (default ${DEFAULT_SAMPLING.minResponseSeconds})`,
    uint("--min-response"),
  )
  .option(
    "--max-response <s>",
    `longest response time a sampled run may choose (default ${DEFAULT_SAMPLING.maxResponseSeconds})`,
    uint("--max-response"),
  )
  .option(
    "--allow-short-policy-delay",
    "accept a policy delay under one hour on a network that is not local (refused otherwise)",
    false,
  )
  .option("--allow-development-keys", "deploy development keys to a network that is not local (recorded)", false)
  .action(deploy);

command(
  program,
  "add-family",
  "deploy a spec's circuit family and register it through the policy timelock",
  `Adds the circuit family of a spec (model, shape, batch, dataset size, K =
  checkpointInterval; e.g. linear-mse/i4-o3-b3/n342/k1) to the recorded registry:
  deploys its verifiers (development keys, built by \`npm run artifacts -- --spec FILE\`)
  and one adapter each unless already deployed, then schedules registerFamily in the
  policy timelock and executes it once the timelock's delay has passed. The signing
  account must be a proposer of the timelock (the deployer by default).

  With a delay, run the same command again after it: it continues where it stopped
  (the timelock operation is derived from the family name, so nothing is deployed or
  scheduled twice). Records everything in deployments/<network>/.`,
)
  .requiredOption("--spec <file>", "training spec (JSON); only its family matters")
  .option("--allow-development-keys", "deploy development keys to a network that is not local (recorded)", false)
  .action(addFamilyCommand);

command(
  program,
  "verify-deployment",
  "check that each recorded circuit's contract is exactly the one generated from the local key",
  `Checks, for every circuit the deployment record lists: the local proving key is the recorded
  one (SHA-256); the local Solidity verifier is exactly what snarkjs generates from that key; the local
  adapter (which inherits that verifier unchanged) is exactly the generated one; and the code at the
  recorded adapter address is that adapter's compiled code. Anyone with the repository, the keys and
  the record can run it. Exits non-zero on any mismatch.`,
).action(verifyDeploymentCommand);

command(
  program,
  "register",
  "register a run: spec + attestations, with its genesis proof",
  `Registers a run of the spec's circuit family (derived from the spec; it must be
  registered: see add-family) with the signing account as its lab. Proves genesis
  into the run directory first if it has no genesis proof. The run's data order is
  fixed by the spec's seed and a beacon: the hash of the block two after registration,
  which nobody knows when the lab signs. \`register\` waits for that block and draws the
  beacon at once (it is lost, and the run with it, if nobody draws it within 256
  blocks), then writes it to the run directory's run.json, which \`prove\` reads.
  Re-running \`register\` after a crash draws and records a registered run's beacon.
  The spec's checkpoint interval must be the family's K (the genesis proof binds it).

  Attestations are public: a plan already beyond them is flagged at once; a plan that
  is not a positive multiple of the family's K is refused.

  With --sampled S --response SECONDS [--window W] the run is in sampled mode: each
  window of W steps (default: the family's K; at most 1,024, and the planned steps a
  multiple of it) is committed (\`commit\`, which also draws it), S of its steps are
  drawn for challenge from a later block hash, and the lab proves only challenged
  steps (\`answer\`), one per SECONDS unpaused seconds: deadlines queue, so a flood of
  paid challenges (\`challenge\`) delays later deadlines instead of breaking them.`,
)
  .requiredOption("--spec <file>", "training spec (JSON)")
  .requiredOption("--run-dir <dir>", "run directory (created if missing)")
  .requiredOption("--flops-cap <n>", "attested maximum cumulative FLOPs", uint("--flops-cap"))
  .requiredOption("--max-steps <n>", "attested maximum number of steps", uint("--max-steps"))
  .requiredOption(
    "--deadline <seconds>",
    "attested longest time between checkpoints (or window commitments)",
    uint("--deadline"),
  )
  .option(
    "--sampled <challenges>",
    "sampled mode: commit windows and prove only this many challenged steps per window",
    uint("--sampled"),
  )
  .option(
    "--response <seconds>",
    "sampled mode: unpaused seconds the lab takes to answer one challenge (within the policy's bounds)",
    uint("--response"),
  )
  .option("--window <steps>", "sampled mode: steps per committed window (default: the family's K)", uint("--window"))
  .option("--dataset <file>", DATASET_OPTION)
  .action(register);

command(
  program,
  "prove",
  "train a spec's model and prove it into a run directory (resumable)",
  `Trains the spec's model bit-exactly and writes genesis, step and checkpoint proofs
  into the run directory, bound to the lab (the signing account of --network, or
  --lab) and to the run's registration beacon (recorded in the run directory by
  \`register\`, or --beacon). Resumes: valid bundles are kept. Same as \`npm run prove\`;
  with --queue, proved by \`npm run worker\` processes.`,
)
  .requiredOption("--spec <file>", "training spec (JSON)")
  .requiredOption("--run-dir <dir>", "run directory (register it first: training needs its beacon)")
  .option("--steps <n>", "train N steps instead of the spec's planned steps", uint("--steps"))
  .option("--no-step-proofs", "only genesis and Checkpoint(K) proofs (enough for a family with K > 1)")
  .option("--lab <address>", "the lab's address (default: the signing account)", address("--lab"))
  .option("--beacon <n>", "the run's beacon as the registry recorded it (default: from run.json)", uint("--beacon"))
  .option("--dataset <file>", DATASET_OPTION);
queueOptions(program.commands.at(-1)!).action(prove);

command(
  program,
  "submit",
  "submit every checkpoint of a run directory the chain does not have yet",
  `Submits, in order, every checkpoint bundle of the run directory that the chain does
  not have yet, for the run's family (K = 1: step proofs; K > 1: Checkpoint(K) proofs).
  Safe to re-run after a crash: the chain says where the run is. The signing account
  must be the run's lab (the default).

  With --batch N (2 to ${MAX_CHECKPOINT_BATCH}), up to N consecutive checkpoints go in one transaction
  (submitCheckpoints): the registry verifies their proofs together by batched Groth16
  verification, about 56,000 gas per additional proof instead of a pairing check each
  (npm run bench). The effects are those of submitting them one by one in that block.`,
)
  .requiredOption("--run-dir <dir>", "run directory")
  .option("--batch <n>", `checkpoints per transaction, 1 to ${MAX_CHECKPOINT_BATCH}`, batchSize, 1)
  .action(submit);

command(
  program,
  "status",
  "show one run or all runs (table, or --json)",
  `Shows one run or all runs: lab, status, steps, cumulative FLOPs and cap, last
  weights root, violations by kind, designation.`,
)
  .option("--run <id>", "only this run", uint("--run"))
  .option("--json", "JSON instead of a table", false)
  .action(status);

command(
  program,
  "flag-missed",
  "flag a run's missed checkpoint window (anyone may)",
  `Flags the run's next missed checkpoint window (anyone may, once per window, after
  its deadline; paused time does not count). The signing account is recorded as the
  reporter. A late checkpoint or a close flags the windows nobody flagged, so a
  missed window is never lost.`,
)
  .requiredOption("--run <id>", "the run", uint("--run"))
  .action(flagMissed);

command(
  program,
  "reassess",
  "apply the threshold in force to a run now: designate or project it (anyone may)",
  `Applies the designation threshold in force to a run that registered or last
  submitted under another one (a threshold change reaches existing runs at their
  next checkpoint, or here, sooner): designates the run at once if its proven FLOPs
  are above the threshold, and records the projection if its plan (planned steps x
  FLOPs per step) is. Anyone may call; refused with NothingToReassess when there is
  nothing to record.`,
)
  .requiredOption("--run <id>", "the run", uint("--run"))
  .action(reassess);

command(
  program,
  "commit",
  "sampled mode: train, write every weights root, commit the windows the chain does not have",
  `Trains the spec's model for a sampled run (bit-exact, with the run's beacon), writes
  every weights root r(0) .. r(T) to the run directory's roots.json, and commits, in
  order, each window of K steps the chain does not have yet: the Merkle root of its
  leaves (i, r(i)) and r(end). Committed steps count against the attestations but
  are not proven; the registry draws challenges on them. Safe to re-run.`,
)
  .requiredOption("--spec <file>", "training spec (JSON)")
  .requiredOption("--run-dir <dir>", "run directory (registered with `register --sampled`)")
  .option("--dataset <file>", DATASET_OPTION)
  .action(commit);

command(
  program,
  "challenges",
  "sampled mode: list challenges with their deadlines, and windows waiting for a draw",
  `Lists every challenge of the sampled runs (or of --run): step, window, state (Open,
  Answered, Unanswered), unpaused seconds left to answer, drawn or paid. Windows whose
  challenges are not drawn yet are listed too. With --draw, first draws every window
  whose seed block exists (anyone may; the block hash fixes the result, so who draws
  does not matter; past the 256-block horizon every step of the window is challenged).`,
)
  .option("--run <id>", "only this run", uint("--run"))
  .option("--draw", "draw the challenges of every window that can be drawn", false)
  .option("--json", "JSON instead of lines", false)
  .option(
    "--queue <url>",
    "also say whether the open challenges can be answered in time at the measured rate of the workers on this Redis",
  )
  .option("--queue-name <name>", "the queue's name", DEFAULT_QUEUE_NAME)
  .action(challenges);

command(
  program,
  "answer",
  "sampled mode: prove every open challenged step of a run directory and answer it",
  `For the run of the run directory: draws its windows that can be drawn, re-trains
  (deterministic, cheap), proves each open challenged step with the family's step
  circuit (kept in steps/ if already proved: resumable) and answers it with the two
  roots opened against the committed windows. A step that cannot be proved (its
  committed transition is not the training step) is reported; the command then exits
  with status 2. Signs as the run's lab. With --queue the step proofs are made by
  \`npm run worker\` processes, earliest deadline first, before any ordinary proof.`,
)
  .requiredOption("--spec <file>", "training spec (JSON)")
  .requiredOption("--run-dir <dir>", "run directory")
  .option("--dataset <file>", DATASET_OPTION);
queueOptions(program.commands.at(-1)!).action(answer);

command(
  program,
  "challenge",
  "sampled mode: pay to challenge a committed step (anyone may)",
  `Challenges a committed step of a sampled run for the fee the policy set (sent with
  the call). The fee is credited to the lab if it answers in time, and back to the
  challenger, with ChallengeUnanswered flagged, if not (\`flag-unanswered\`);
  \`withdraw\` collects credits.`,
)
  .requiredOption("--run <id>", "the run", uint("--run"))
  .requiredOption("--step <t>", "the step (its transition r(t) -> r(t+1))", uint("--step"))
  .action(challengeCommand);

command(
  program,
  "flag-unanswered",
  "sampled mode: flag a challenge whose response time passed unanswered (anyone may)",
  `Flags ChallengeUnanswered for a challenged step whose response time (unpaused
  seconds) has passed without an answer; once per challenge; the signing account is
  recorded as the reporter. A paid challenge's fee is credited back to its challenger.`,
)
  .requiredOption("--run <id>", "the run", uint("--run"))
  .requiredOption("--step <t>", "the challenged step", uint("--step"))
  .action(flagUnanswered);

command(
  program,
  "withdraw",
  "collect the signing account's credit from paid challenges",
  `Sends the signing account its credit: fees of paid challenges it answered (a lab) or
  that went unanswered (a challenger). Pull payment; works while the registry is paused.`,
).action(withdraw);

command(
  program,
  "watch",
  "follow the registry's events (violations, designations, checkpoints, registrations)",
  `Prints the registry's events as they are mined: registrations, genesis, checkpoints,
  violations, designations, closes, family changes; one human line each, or one JSON
  line each with --json (every line has a unique id). With a cursor the position is
  persisted: stopped and restarted, the watcher neither misses nor repeats an event.
  If the RPC endpoint goes away it retries with backoff (up to 10 s) and catches up
  when it comes back. Connection notes go to stderr.`,
)
  .option("--json", "JSON lines", false)
  .option("--cursor <file>", "persist the position here (default deployments/<network>/watch.cursor.json)")
  .addOption(new Option("--no-cursor", "do not persist: start at the registry's deployment block"))
  .addOption(
    new Option("--confirmations <n>", "only report blocks N deep").argParser(uint("--confirmations")).default(0n, "0"),
  )
  .addOption(
    new Option("--poll-ms <n>", "polling interval in milliseconds").argParser(uint("--poll-ms")).default(1000n, "1000"),
  )
  .option("--once", "catch up to the head, then exit", false)
  .action(watch);

const observer = program
  .command("observer")
  .summary("add or retire a compute observer through the policy timelock")
  .description(
    "Adds or retires an observer of the observers' table (issue #29) through the policy timelock: " +
      "`observer add --help` and `observer retire --help` describe each.",
  );

command(
  observer,
  "add",
  "schedule, then execute, adding an observer (policy proposer only)",
  `Adds an observer: the address that signs its reports (its id), its name and the kind
  of evidence it reports (e.g. "cloud provider", "power meter", "network monitor").
  The call goes through the policy timelock: the first run schedules it, and running
  the same command again once the delay has passed executes it (nothing is scheduled
  twice). The signing account must be a proposer of the timelock (the deployer by
  default). An address is added once, ever: a retired observer is not re-added.`,
)
  .requiredOption("--signer <address>", "the observer's signing address", address("--signer"))
  .requiredOption("--name <name>", "its name")
  .requiredOption("--kind <kind>", "the kind of evidence it reports")
  .action(observerAdd);

command(
  observer,
  "retire",
  "schedule, then execute, retiring an observer (policy proposer only)",
  `Retires an observer for good, through the policy timelock like \`observer add\`. A
  retired observer's reports are refused, and those it had relayed and not yet
  reconciled flag nothing; flags already raised stand.`,
)
  .requiredOption("--signer <address>", "the observer's signing address", address("--signer"))
  .action(observerRetire);

command(
  program,
  "report",
  "observers: sign a compute report (EIP-712) and/or relay one (anyone may relay)",
  `Signs, as the signing account (the observer), a report of the FLOPs it saw a lab use
  in one period of the reconciliation policy (default: the last period that is over,
  by the chain's clock), with the hash of its evidence (the file's keccak256; the
  evidence itself stays with the observer), and relays it unless --no-relay. With
  --out the signed report is also written as JSON, which anyone can relay later with
  --file: the observer needs no ether.

  The signature is EIP-712 typed data bound to this deployment's observers' table and
  chain: relayed anywhere else it recovers to an unknown observer and is refused. One
  report per observer, lab and period; a period not over yet is refused.`,
)
  .option("--lab <address>", "the lab observed", address("--lab"))
  .option("--flops <n>", "FLOPs observed in the period", uint("--flops"))
  .option("--period-start <s>", "the period's first second (unix; a multiple of the epoch)", uint("--period-start"))
  .option("--evidence <file>", "the evidence file (only its keccak256 goes on chain)")
  .option("--evidence-hash <hash>", "the evidence's hash, instead of --evidence", bytes32)
  .option("--out <file>", "also write the signed report here (JSON)")
  .option("--no-relay", "sign only (with --out): do not send it")
  .option("--file <file>", "relay this signed report (from any account) instead of signing one")
  .action(report);

command(
  program,
  "reconcile",
  "observers: reconcile relayed reports with the lab's accounted compute (anyone may)",
  `Reconciles a relayed report with the compute the lab accounted for in the registry:
  the FLOPs of its checkpoints (full mode) and committed windows (sampled mode) whose
  blocks fall in the report's period or the grace after it. When the observed FLOPs
  exceed accounted x tolerance + allowance (the reconciliation policy), the lab is
  flagged UnaccountedCompute, with the signing account as reporter. Only after the
  grace; once per report. Without --observer, --lab and --period-start, reconciles
  every relayed report whose grace is over.`,
)
  .option("--observer <address>", "the report's observer", address("--observer"))
  .option("--lab <address>", "the report's lab", address("--lab"))
  .option("--period-start <s>", "the report's period start (unix)", uint("--period-start"))
  .action(reconcile);

command(
  program,
  "observers",
  "observers: list observers and reports, observed against accounted compute",
  `Lists the reconciliation policy, the observers (name, kind, added, retired) and every
  relayed report: observer, lab, period, observed FLOPs, the lab's accounted FLOPs for
  the period and its grace (so far, if the grace is not over), and whether it is
  relayed, reconciled or flagged.`,
)
  .option("--json", "JSON instead of lines", false)
  .action(observersCommand);

if (isEntryPoint(import.meta.url))
  program
    .parseAsync()
    .catch((e: unknown) => {
      process.stderr.write(`registry: ${describeError(e)}\n`);
      process.exitCode = 1;
    })
    .finally(async () => {
      await releaseSnarkjs();
      // Connections (HTTP keep-alive, EDR) would otherwise keep the process alive.
      setTimeout(() => process.exit(), 100).unref();
    });
