/**
 * npm run registry -- <command> [options]
 *
 * One entry point for the registry: deploy, add-family, register, prove,
 * submit, status, flag-missed, reassess, watch. Every command takes --network (a network of
 * hardhat.config.ts) and reads addresses from deployments/<network>/.
 */
import { writeSync } from "node:fs";
import path from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { artifacts, tasks } from "hardhat";
import { isAddress, type Abi, type Address } from "viem";
import { z } from "zod";
import { datasetForSpec } from "../prover/dataset/file.js";
import { familyId, familyOfSpec } from "../prover/proving/families.js";
import { consoleLogger, releaseSnarkjs, type Logger } from "../prover/proving/log.js";
import { trainAndProve } from "../prover/run/prover.js";
import { readSpec } from "../prover/spec/schema.js";
import { connect, registryAt, wallet, type Chain } from "./registry/connect.js";
import { DEFAULT_ADMIN_DELAY, DEFAULT_POLICY_DELAY, deployRegistry } from "./registry/deploy.js";
import {
  DEFAULT_DEPLOYMENTS_DIR,
  readDeployment,
  requireDeployment,
  writeDeployment,
  writeDeploymentRecord,
} from "./registry/deployments.js";
import { describeError } from "./registry/errors.js";
import { humanLine, jsonLine, runJson, runTable, VIOLATION_LEGEND, type RegistryEvent } from "./registry/format.js";
import { registerRunDir, runIdOf, runView, submitRunDir } from "./registry/runs.js";
import { watchRegistry } from "./registry/watch.js";
import { mined } from "./registry/tx.js";
import { addFamily } from "./registry/families.js";

const COMMON = `Common options:
  --network NAME       network of hardhat.config.ts (default localhost: \`npx hardhat node\`)
  --rpc-url URL        use this RPC URL for the network instead of the configured one
  --deployments DIR    deployment records (default deployments/)
  --account A          signing account: an address or an index (default the first)
  -h, --help           show help`;

const HELP: Record<string, string> = {
  main: `Usage: npm run registry -- <command> [options]

Commands:
  deploy        deploy verifiers, adapters and the registry; record them in deployments/<network>/
  add-family    deploy a spec's circuit family and register it through the policy timelock
  register      register a run: spec + attestations, with its genesis proof
  prove         train a spec's model and prove it into a run directory (resumable)
  submit        submit every checkpoint of a run directory the chain does not have yet
  status        show one run or all runs (table, or --json)
  flag-missed   flag a run's missed checkpoint deadline (anyone may)
  reassess      apply the threshold in force to a run now: designate or project it (anyone may)
  watch         follow the registry's events (violations, designations, checkpoints, registrations)

\`npm run registry -- <command> --help\` describes each command.

${COMMON}
`,
  deploy: `Usage: npm run registry -- deploy [--network NAME] [--force] [--threshold FLOPS] [roles and delays]

Deploys the snarkjs verifiers of every circuit family (development keys), one
adapter per verifier, a PolicyTimelock and the TrainingRegistry; registers the
families and the threshold; hands the policy role to the timelock (every later
policy action waits --policy-delay seconds in public) and checks that every
role and option took effect; records the chain id, addresses, ABIs, roles and
deployment blocks in deployments/<network>/.
A second deploy to a network that already has a record needs --force.
On the in-process network ("default") nothing is recorded: that chain ends
with the command.

  --force              deploy even if deployments/<network>/ has a record
  --threshold FLOPS    designation threshold (default: none)
  --admin ADDRESS      admin (grants the pauser role; two-step delayed transfer) (default: deployer)
  --policy ADDRESS     proposer of policy actions to the timelock (default: deployer)
  --pauser ADDRESS     pauser (default: deployer)
  --policy-delay S     seconds a policy action waits in the timelock (default ${DEFAULT_POLICY_DELAY})
  --admin-delay S      seconds between the two steps of an admin transfer (default ${DEFAULT_ADMIN_DELAY})

${COMMON}
`,
  "add-family": `Usage: npm run registry -- add-family --spec FILE

Adds the circuit family of a spec (model, shape, batch, dataset size,
K = checkpointInterval; e.g. linear-mse/i4-o3-b3/n342/k1) to the recorded
registry: deploys its verifiers (development keys, built by
\`npm run artifacts -- --spec FILE\`) and one adapter each, unless already
deployed, then schedules registerFamily in the policy timelock and executes
it once the timelock's delay has passed. The signing account must be a
proposer of the timelock (the deployer by default). With a delay, run the
same command again after it: it continues where it stopped (the timelock
operation is derived from the family name). Records everything in
deployments/<network>/.

  --spec FILE          training spec (JSON); only its family matters

${COMMON}
`,
  register: `Usage: npm run registry -- register --spec FILE --run-dir DIR --flops-cap N --max-steps N --deadline SECONDS [--dataset FILE]

Registers a run of the spec's circuit family (derived from the spec; it must
be registered: see add-family) with the signing account as its lab. Proves genesis into the
run directory first if it has no genesis proof. The registry records a beacon
(from the registration block) that fixes the run's data order with the spec's
seed; it is written to the run directory's run.json, which \`prove\` reads.
Attestations are public: a plan already beyond them is flagged at once; a plan
that is not a positive multiple of the family's K is refused.

  --spec FILE          training spec (JSON)
  --run-dir DIR        run directory (created if missing)
  --flops-cap N        attested maximum cumulative FLOPs
  --max-steps N        attested maximum number of steps
  --deadline SECONDS   attested longest time between checkpoints
  --dataset FILE       the spec's dataset file (default: the spec's dataset.file, else the built-in iris set)

${COMMON}
`,
  prove: `Usage: npm run registry -- prove --spec FILE --run-dir DIR [--steps N] [--no-step-proofs] [--lab ADDRESS] [--beacon N] [--dataset FILE]

Trains the spec's model bit-exactly and writes genesis, step and checkpoint
proofs into the run directory, bound to the lab (the signing account of
--network, or --lab) and to the run's registration beacon (recorded in the run
directory by \`register\`, or --beacon). Resumes: valid bundles are kept.
Same as \`npm run prove\`.

  --spec FILE          training spec (JSON)
  --run-dir DIR        run directory (register it first: training needs its beacon)
  --steps N            train N steps instead of the spec's planned steps
  --no-step-proofs     only genesis and Checkpoint(K) proofs (enough for a family with K > 1)
  --lab ADDRESS        the lab's address (default: the signing account)
  --beacon N           the run's beacon as the registry recorded it (default: from run.json)
  --dataset FILE       the spec's dataset file (default: the spec's dataset.file, else the built-in iris set)

${COMMON}
`,
  submit: `Usage: npm run registry -- submit --run-dir DIR

Submits, in order, every checkpoint bundle of the run directory that the
chain does not have yet, for the run's family (K = 1: step proofs; K > 1:
Checkpoint(K) proofs). Safe to re-run after a crash: the chain says where the run is.
The signing account must be the run's lab.

  --run-dir DIR        run directory

${COMMON}
`,
  status: `Usage: npm run registry -- status [--run ID] [--json]

Shows one run or all runs: lab, status, steps, cumulative FLOPs and cap,
last weights root, violations by kind, designation.

  --run ID             only this run
  --json               JSON instead of a table

${COMMON}
`,
  "flag-missed": `Usage: npm run registry -- flag-missed --run ID

Flags the run's next missed checkpoint window (anyone may, once per window,
after its deadline; paused time does not count). The signing account is
recorded as the reporter. A late checkpoint or a close flags the windows
nobody flagged, so a missed window is never lost.

  --run ID             the run

${COMMON}
`,
  reassess: `Usage: npm run registry -- reassess --run ID

Applies the designation threshold in force to a run that registered or last
submitted under another one (a threshold change reaches existing runs at
their next checkpoint, or here, sooner): designates the run at once if its
proven FLOPs are above the threshold, and records the projection if its plan
(planned steps x FLOPs per step) is. Anyone may call; refused with
NothingToReassess when there is nothing to record.

  --run ID             the run

${COMMON}
`,
  watch: `Usage: npm run registry -- watch [--json] [--cursor FILE] [--confirmations N] [--poll-ms N] [--once]

Prints the registry's events as they are mined: registrations, genesis,
checkpoints, violations, designations, closes, family changes; one human
line each, or one JSON line each with --json (every line has a unique id).
With --cursor the position is persisted: stopped and restarted, the watcher
neither misses nor repeats an event. If the RPC endpoint goes away it
retries with backoff (up to 10 s) and catches up when it comes back.
Connection notes go to stderr.

  --json               JSON lines
  --cursor FILE        persist the position here (default deployments/<network>/watch.cursor.json)
  --no-cursor          do not persist: start at the registry's deployment block
  --confirmations N    only report blocks N deep (default 0)
  --poll-ms N          polling interval (default 1000)
  --once               catch up to the head, then exit

${COMMON}
`,
};

const commonOptions = {
  network: { type: "string", default: "localhost" },
  "rpc-url": { type: "string" },
  deployments: { type: "string", default: DEFAULT_DEPLOYMENTS_DIR },
  account: { type: "string" },
  help: { type: "boolean", short: "h", default: false },
} as const satisfies ParseArgsConfig["options"];

const uint = (what: string) =>
  z
    .string({ required_error: `${what} is required` })
    .regex(/^\d+$/, `${what} must be a non-negative integer`)
    .transform((s) => BigInt(s));

function parse<T extends ParseArgsConfig["options"]>(args: string[], options: T) {
  return parseArgs({ args, options: { ...commonOptions, ...options }, allowPositionals: false, strict: true }).values;
}

function check<T>(schema: z.ZodType<T, z.ZodTypeDef, unknown>, value: unknown, flag: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new Error(`--${flag}: ${r.error.issues[0]?.message ?? "invalid"}`);
  return r.data;
}

function requirePersistent(chain: Chain): void {
  if (!chain.persistent)
    throw new Error(
      `network "${chain.name}" is the in-process chain, which ends with this command: ` +
        "start `npx hardhat node` and use --network localhost, or run `npm run demo` for the whole story in one process",
    );
}

const out = (line: string): void => {
  writeSync(1, line + "\n");
};

async function cmdDeploy(args: string[], log: Logger): Promise<void> {
  const v = parse(args, {
    force: { type: "boolean", default: false },
    threshold: { type: "string" },
    admin: { type: "string" },
    policy: { type: "string" },
    pauser: { type: "string" },
    "policy-delay": { type: "string" },
    "admin-delay": { type: "string" },
  });
  if (v.help) {
    out(HELP.deploy!);
    return;
  }
  const threshold = v.threshold === undefined ? undefined : check(uint("--threshold"), v.threshold, "threshold");
  const account = (flag: "admin" | "policy" | "pauser"): Address | undefined => {
    const a = v[flag];
    if (a === undefined) return undefined;
    if (!isAddress(a)) throw new Error(`--${flag} must be an address, got "${a}"`);
    return a;
  };
  const delay = (flag: "policy-delay" | "admin-delay"): bigint | undefined =>
    v[flag] === undefined ? undefined : check(uint(`--${flag}`), v[flag], flag);
  const roles = {
    ...(account("admin") ? { admin: account("admin") } : {}),
    ...(account("policy") ? { policy: account("policy") } : {}),
    ...(account("pauser") ? { pauser: account("pauser") } : {}),
    ...(delay("policy-delay") !== undefined ? { policyDelay: delay("policy-delay") } : {}),
    ...(delay("admin-delay") !== undefined ? { adminDelay: delay("admin-delay") } : {}),
  };
  const chain = await connect(v.network, v["rpc-url"]);
  const existing = chain.persistent ? await readDeployment(v.deployments, v.network) : undefined;
  if (existing && !v.force) {
    throw new Error(
      `network "${v.network}" already has a deployment (registry ${existing.contracts.TrainingRegistry?.address ?? "?"} ` +
        `on chain ${existing.chainId}, ${existing.deployedAt}); deploying again is an explicit choice: add --force`,
    );
  }
  if (v.account !== undefined) throw new Error("deploy signs with the network's first account; omit --account");
  const d = await deployRegistry(
    chain.conn.viem,
    { ...roles, ...(threshold === undefined ? {} : { designationThreshold: threshold }) },
    log,
  );
  out(`TrainingRegistry ${d.registry.address} (block ${d.registry.block}, chain ${d.chainId})`);
  const g = d.governance;
  out(`  admin ${g.admin} (transfer delay ${g.adminDelay} s), pauser ${g.pauser}`);
  out(`  policy: PolicyTimelock ${d.timelock.address}, proposer ${g.policyProposer}, delay ${g.policyDelay} s`);
  for (const f of d.families) out(`  family ${f.name} (K = ${f.stepsPerCheckpoint}) ${f.id}`);
  if (!chain.persistent) {
    out("in-process network: nothing recorded (this chain ends with the command)");
    return;
  }
  await writeDeployment(v.deployments, v.network, d, async (name) => (await artifacts.readArtifact(name)).abi as Abi);
  out(`recorded in ${path.relative(process.cwd(), path.join(v.deployments, v.network))}/`);
}

async function cmdAddFamily(args: string[], log: Logger): Promise<void> {
  const v = parse(args, { spec: { type: "string" } });
  if (v.help) {
    out(HELP["add-family"]!);
    return;
  }
  if (!v.spec) throw new Error("--spec FILE is required");
  const family = familyOfSpec(await readSpec(v.spec));
  const chain = await connect(v.network, v["rpc-url"]);
  requirePersistent(chain);
  const d = await requireDeployment(v.deployments, v.network);
  const { wallet: signer } = await registryAt(chain, d, v.account);
  // The family's verifiers were generated by `npm run artifacts -- --spec`: compile them.
  await tasks.getTask("build").run({ quiet: true, noTests: true });
  const o = await addFamily(chain.conn.viem, d, family, signer, log);
  if (o.deployed.length > 0 || o.record.families.length !== d.families.length) {
    await writeDeploymentRecord(
      v.deployments,
      o.record,
      o.deployed,
      async (name) => (await artifacts.readArtifact(name)).abi as Abi,
    );
  }
  const id = familyId(family.name);
  switch (o.state) {
    case "registered":
    case "already-registered":
      out(
        `family ${family.name} (K = ${family.stepsPerCheckpoint}) ${o.state === "registered" ? "registered" : "was already registered"}: ${id}`,
      );
      break;
    case "scheduled":
    case "waiting": {
      const at = new Date(Number(o.readyAt ?? 0n) * 1000).toISOString();
      out(
        `family ${family.name}: registration scheduled in the policy timelock, executable from ${at}; ` +
          `run this command again then to execute it`,
      );
      break;
    }
  }
}

async function cmdRegister(args: string[], log: Logger): Promise<void> {
  const v = parse(args, {
    spec: { type: "string" },
    "run-dir": { type: "string" },
    "flops-cap": { type: "string" },
    "max-steps": { type: "string" },
    deadline: { type: "string" },
    dataset: { type: "string" },
  });
  if (v.help) {
    out(HELP.register!);
    return;
  }
  if (!v.spec) throw new Error("--spec FILE is required");
  if (!v["run-dir"]) throw new Error("--run-dir DIR is required");
  const attestations = {
    flopsCap: check(uint("--flops-cap"), v["flops-cap"], "flops-cap"),
    maxSteps: check(uint("--max-steps"), v["max-steps"], "max-steps"),
    checkpointDeadline: check(uint("--deadline"), v.deadline, "deadline"),
  };
  const spec = await readSpec(v.spec);
  const data = await datasetForSpec(spec, v.spec, v.dataset);
  const family = familyOfSpec(spec);
  const chain = await connect(v.network, v["rpc-url"]);
  requirePersistent(chain);
  const d = await requireDeployment(v.deployments, v.network);
  const { registry, publicClient, lab } = await registryAt(chain, d, v.account);
  // Before any proving: the family must be registered on this chain.
  if ((await registry.read.getFamily([familyId(family.name)])).stepsPerCheckpoint === 0)
    throw new Error(
      `the spec's circuit family ${family.name} is not registered on "${v.network}": ` +
        `run \`npm run registry -- add-family --spec ${v.spec} --network ${v.network}\` first`,
    );
  log.info(`proving genesis for lab ${lab} (kept if already in ${v["run-dir"]})`);
  await trainAndProve(spec, data, { runDir: v["run-dir"], lab: BigInt(lab), steps: 0, specFile: v.spec }, log);
  const { runId, beacon } = await registerRunDir(registry, publicClient, v["run-dir"], family.name, attestations);
  const r = await runView(registry, d, runId);
  out(`run ${runId} registered: lab ${r.lab}, family ${r.family}, ${r.plannedSteps} steps planned`);
  out(`  data-order beacon ${beacon} recorded in ${path.join(v["run-dir"], "run.json")}: \`prove\` uses it`);
  const flagged = r.violations.reduce((s, n) => s + n, 0);
  if (flagged > 0) out(`  ${flagged} violation(s) flagged at registration: the plan exceeds the attestations`);
}

async function cmdProve(args: string[], log: Logger): Promise<void> {
  const v = parse(args, {
    spec: { type: "string" },
    "run-dir": { type: "string" },
    steps: { type: "string" },
    "no-step-proofs": { type: "boolean", default: false },
    lab: { type: "string" },
    beacon: { type: "string" },
    dataset: { type: "string" },
  });
  if (v.help) {
    out(HELP.prove!);
    return;
  }
  if (!v.spec) throw new Error("--spec FILE is required");
  if (!v["run-dir"]) throw new Error("--run-dir DIR is required");
  const steps = v.steps === undefined ? undefined : Number(check(uint("--steps"), v.steps, "steps"));
  let lab: Address;
  if (v.lab !== undefined) {
    if (!isAddress(v.lab)) throw new Error(`--lab must be an address, got "${v.lab}"`);
    lab = v.lab;
  } else {
    lab = (await wallet(await connect(v.network, v["rpc-url"]), v.account)).account.address;
  }
  const spec = await readSpec(v.spec);
  const s = await trainAndProve(
    spec,
    await datasetForSpec(spec, v.spec, v.dataset),
    {
      specFile: v.spec,
      runDir: v["run-dir"],
      lab: BigInt(lab),
      stepProofs: !v["no-step-proofs"],
      ...(steps === undefined ? {} : { steps }),
      ...(v.beacon === undefined ? {} : { beacon: check(uint("--beacon"), v.beacon, "beacon") }),
    },
    log,
  );
  out(
    `${v["run-dir"]}: ${s.written.length} proof(s) written, ${s.reused.length} kept; loss ${s.lossBefore.toFixed(4)} -> ${s.lossAfter.toFixed(4)}`,
  );
}

async function cmdSubmit(args: string[], log: Logger): Promise<void> {
  const v = parse(args, { "run-dir": { type: "string" } });
  if (v.help) {
    out(HELP.submit!);
    return;
  }
  if (!v["run-dir"]) throw new Error("--run-dir DIR is required");
  const chain = await connect(v.network, v["rpc-url"]);
  requirePersistent(chain);
  const d = await requireDeployment(v.deployments, v.network);
  // Sign as the run's lab unless told otherwise.
  const reader = (await registryAt(chain, d)).registry;
  const runId = await runIdOf(reader, v["run-dir"]);
  if (runId === 0n)
    throw new Error(`the run of ${v["run-dir"]} is not registered on "${v.network}": run \`register\` first`);
  const lab = (await reader.read.getRun([runId])).lab;
  const { registry, publicClient } = await registryAt(chain, d, v.account ?? lab);
  const o = await submitRunDir(registry, publicClient, d, v["run-dir"], log);
  out(
    `run ${o.runId}: ${o.submitted} checkpoint(s) submitted, ${o.alreadyOnChain} already on chain; proven steps ${o.steps}` +
      (o.waitingFor !== undefined ? ` (no bundle yet for step ${o.waitingFor})` : ""),
  );
}

async function cmdStatus(args: string[]): Promise<void> {
  const v = parse(args, { run: { type: "string" }, json: { type: "boolean", default: false } });
  if (v.help) {
    out(HELP.status!);
    return;
  }
  const chain = await connect(v.network, v["rpc-url"]);
  requirePersistent(chain);
  const d = await requireDeployment(v.deployments, v.network);
  const { registry } = await registryAt(chain, d);
  const count = await registry.read.runCount();
  const ids =
    v.run === undefined
      ? Array.from({ length: Number(count) }, (_, i) => BigInt(i + 1))
      : [check(uint("--run"), v.run, "run")];
  const runs = await Promise.all(ids.map((id) => runView(registry, d, id)));
  if (v.json) {
    const body = {
      network: v.network,
      chainId: chain.chainId,
      registry: d.contracts.TrainingRegistry?.address,
      runCount: count.toString(),
      designationThreshold: (await registry.read.designationThreshold()).toString(),
      runs: runs.map(runJson),
    };
    out(JSON.stringify(body, null, 2));
    return;
  }
  if (runs.length === 0) {
    out(`no runs registered on "${v.network}"`);
    return;
  }
  for (const line of runTable(runs)) out(line);
  out(VIOLATION_LEGEND);
}

/** The signing side of a command that acts on one run (`--run ID`); undefined when it printed its help. */
async function runCommand(args: string[], command: "flag-missed" | "reassess") {
  const v = parse(args, { run: { type: "string" } });
  if (v.help) {
    out(HELP[command]!);
    return undefined;
  }
  const runId = check(uint("--run"), v.run, "run");
  const chain = await connect(v.network, v["rpc-url"]);
  requirePersistent(chain);
  const d = await requireDeployment(v.deployments, v.network);
  return { runId, d, ...(await registryAt(chain, d, v.account)) };
}

async function cmdFlagMissed(args: string[]): Promise<void> {
  const c = await runCommand(args, "flag-missed");
  if (!c) return;
  const { runId, registry, publicClient, lab } = c;
  const { result } = await registry.simulate.flagMissedDeadline([runId], { account: lab });
  await mined(publicClient, await registry.write.flagMissedDeadline([runId]), "flagMissedDeadline");
  out(`run ${runId}: missed checkpoint window ${result} after its last checkpoint flagged by ${lab}`);
}

async function cmdReassess(args: string[]): Promise<void> {
  const c = await runCommand(args, "reassess");
  if (!c) return;
  const { runId, d, registry, publicClient, lab } = c;
  await registry.simulate.reassess([runId], { account: lab });
  await mined(publicClient, await registry.write.reassess([runId]), "reassess");
  const r = await runView(registry, d, runId);
  out(
    `run ${runId} reassessed against the threshold in force: ` +
      `${r.designatedAt !== 0n ? "designated" : "not designated"}, ${r.projectedToCross ? "projected to cross" : "not projected"}`,
  );
}

async function cmdWatch(args: string[], log: Logger): Promise<void> {
  const v = parse(args, {
    json: { type: "boolean", default: false },
    cursor: { type: "string" },
    "no-cursor": { type: "boolean", default: false },
    confirmations: { type: "string", default: "0" },
    "poll-ms": { type: "string", default: "1000" },
    once: { type: "boolean", default: false },
  });
  if (v.help) {
    out(HELP.watch!);
    return;
  }
  const confirmations = Number(check(uint("--confirmations"), v.confirmations, "confirmations"));
  const pollMs = Number(check(uint("--poll-ms"), v["poll-ms"], "poll-ms"));
  const chain = await connect(v.network, v["rpc-url"]);
  requirePersistent(chain);
  const d = await requireDeployment(v.deployments, v.network);
  const { registry, publicClient, fromBlock } = await registryAt(chain, d);
  const cursorFile = v["no-cursor"]
    ? undefined
    : (v.cursor ?? path.join(v.deployments, v.network, "watch.cursor.json"));
  let stop = false;
  for (const sig of ["SIGINT", "SIGTERM"] as const)
    process.on(sig, () => {
      stop = true;
    });
  log.info(
    `watching ${registry.address} on "${v.network}" (chain ${chain.chainId})${cursorFile ? `, cursor ${cursorFile}` : ""}`,
  );
  const emit = (e: RegistryEvent): void => {
    out(v.json ? jsonLine(e) : humanLine(e));
  };
  await watchRegistry(publicClient, registry.address, registry.abi, {
    fromBlock,
    confirmations,
    pollMs,
    emit,
    note: (m) => {
      log.warn(m);
    },
    identity: `${chain.chainId}:${registry.address}`,
    ...(cursorFile ? { cursorFile } : {}),
    once: v.once,
    stopped: () => stop,
  });
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  if (command === undefined || command === "-h" || command === "--help" || command === "help") {
    out(HELP.main!);
    return;
  }
  const log = consoleLogger(command);
  switch (command) {
    case "deploy":
      return cmdDeploy(rest, log);
    case "add-family":
      return cmdAddFamily(rest, log);
    case "register":
      return cmdRegister(rest, log);
    case "prove":
      return cmdProve(rest, log);
    case "submit":
      return cmdSubmit(rest, log);
    case "status":
      return cmdStatus(rest);
    case "flag-missed":
      return cmdFlagMissed(rest);
    case "reassess":
      return cmdReassess(rest);
    case "watch":
      return cmdWatch(rest, log);
    default:
      throw new Error(`unknown command "${command}"; run \`npm run registry -- --help\``);
  }
}

main()
  .catch((e: unknown) => {
    process.stderr.write(`registry: ${describeError(e)}\n`);
    process.exitCode = 1;
  })
  .finally(async () => {
    await releaseSnarkjs();
    // Connections (HTTP keep-alive, EDR) would otherwise keep the process alive.
    setTimeout(() => process.exit(), 100).unref();
  });
