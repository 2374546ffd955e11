/**
 * npm run registry -- <command> [options]
 *
 * One entry point for the registry: deploy, add-family, register, prove,
 * submit, status, flag-missed, reassess, watch, and sampled mode's commit,
 * challenges, answer, challenge, flag-unanswered and withdraw. Every command takes
 * --network (a network of hardhat.config.ts) and reads addresses from
 * deployments/<network>/. Commands and options are declared once, with
 * commander; the help is generated from them.
 */
import { writeSync } from "node:fs";
import path from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import { artifacts } from "hardhat";
import { isAddress, type Address } from "viem";
import { datasetForSpec } from "../prover/dataset/file.js";
import { familyId, familyOfSpec } from "../prover/proving/families.js";
import { consoleLogger, releaseSnarkjs } from "../prover/proving/log.js";
import { trainAndProve } from "../prover/run/prover.js";
import { readSpec } from "../prover/spec/schema.js";
import { paragraphs } from "./help.js";
import { connect, registryAt, wallet, type Chain } from "./registry/connect.js";
import { abiOf } from "./registry/contract.js";
import { DEFAULT_ADMIN_DELAY, DEFAULT_POLICY_DELAY, DEFAULT_SAMPLING, deployRegistry } from "./registry/deploy.js";
import {
  DEFAULT_DEPLOYMENTS_DIR,
  readDeployment,
  requireDeployment,
  writeDeployment,
  writeDeploymentRecord,
} from "./registry/deployments.js";
import { describeError } from "./registry/errors.js";
import { addFamily, compileGeneratedVerifiers, familyRegistered } from "./registry/families.js";
import { LOCAL_NETWORKS, verifyDeployment } from "./registry/keys.js";
import { humanLine, jsonLine, runJson, runTable, type RegistryEvent } from "../reader/format.js";
import { readRegistry, readRun } from "../reader/runs.js";
import { VIOLATION_LEGEND } from "../reader/violations.js";
import { watchRegistry } from "../reader/watch.js";
import { registerRunDir, runIdOf, submitRunDir } from "./registry/runs.js";
import {
  answerArgs,
  commitWindows,
  drawPending,
  registerSampledRunDir,
  runChallenges,
  type ChallengeView,
} from "./registry/sampled.js";
import { proveSteps, readRoots, trainRoots } from "../prover/run/sampled.js";
import { mined } from "./registry/tx.js";

/** Options every command takes. */
interface Common {
  network: string;
  rpcUrl?: string;
  deployments: string;
  account?: string;
}

const uint =
  (flag: string) =>
  (value: string): bigint => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${flag} must be a non-negative integer`);
    return BigInt(value);
  };
const address =
  (flag: string) =>
  (value: string): Address => {
    if (!isAddress(value)) throw new InvalidArgumentError(`${flag} must be an address, got "${value}"`);
    return value;
  };

const out = (line: string): void => {
  writeSync(1, line + "\n");
};

function requirePersistent(chain: Chain): void {
  if (!chain.persistent)
    throw new Error(
      `network "${chain.name}" is the in-process chain, which ends with this command: ` +
        "start `npx hardhat node` and use --network localhost, or run `npm run demo` for the whole story in one process",
    );
}

/** A command with the common options and a description written as paragraphs. */
function command(program: Command, name: string, summary: string, description: string): Command {
  return program
    .command(name)
    .summary(summary)
    .description(paragraphs(description))
    .option("--network <name>", "network of hardhat.config.ts (localhost: `npx hardhat node`)", "localhost")
    .option("--rpc-url <url>", "use this RPC URL for the network instead of the configured one")
    .addOption(new Option("--deployments <dir>", "deployment records").default(DEFAULT_DEPLOYMENTS_DIR, "deployments/"))
    .option("--account <a>", "signing account: an address or an index (default the first)");
}

const log = (name: string) => consoleLogger(name);

const DATASET_OPTION = "the spec's dataset file (default: the spec's dataset.file, else the built-in iris set)";

async function deploy(
  o: Common & {
    force: boolean;
    threshold?: bigint;
    admin?: Address;
    policy?: Address;
    pauser?: Address;
    policyDelay?: bigint;
    adminDelay?: bigint;
    allowDevelopmentKeys: boolean;
    minChallenges?: bigint;
    challengeFee?: bigint;
    minResponse?: bigint;
    maxResponse?: bigint;
    allowShortPolicyDelay: boolean;
  },
): Promise<void> {
  const chain = await connect(o.network, o.rpcUrl);
  const existing = chain.persistent ? await readDeployment(o.deployments, o.network) : undefined;
  if (existing && !o.force) {
    throw new Error(
      `network "${o.network}" already has a deployment (registry ${existing.contracts.TrainingRegistry?.address ?? "?"} ` +
        `on chain ${existing.chainId}, ${existing.deployedAt}); deploying again is an explicit choice: add --force`,
    );
  }
  if (o.account !== undefined) throw new Error("deploy signs with the network's first account; omit --account");
  // The adapters and verifiers `npm run artifacts` generated are compiled here, so that a fresh clone
  // needs no separate `hardhat build` (issue #25); missing keys are reported by deployRegistry.
  await compileGeneratedVerifiers();
  const d = await deployRegistry(
    chain.conn.viem,
    {
      ...(o.admin ? { admin: o.admin } : {}),
      ...(o.policy ? { policy: o.policy } : {}),
      ...(o.pauser ? { pauser: o.pauser } : {}),
      ...(o.policyDelay !== undefined ? { policyDelay: o.policyDelay } : {}),
      ...(o.adminDelay !== undefined ? { adminDelay: o.adminDelay } : {}),
      ...(o.threshold === undefined ? {} : { designationThreshold: o.threshold }),
      sampling: {
        minChallengesPerWindow: Number(o.minChallenges ?? BigInt(DEFAULT_SAMPLING.minChallengesPerWindow)),
        challengeFee: o.challengeFee ?? DEFAULT_SAMPLING.challengeFee,
        minResponseSeconds: Number(o.minResponse ?? BigInt(DEFAULT_SAMPLING.minResponseSeconds)),
        maxResponseSeconds: Number(o.maxResponse ?? BigInt(DEFAULT_SAMPLING.maxResponseSeconds)),
      },
      allowShortPolicyDelay: o.allowShortPolicyDelay,
      network: o.network,
      allowDevelopmentKeys: o.allowDevelopmentKeys,
    },
    log("deploy"),
  );
  out(`TrainingRegistry ${d.registry.address} (block ${d.registry.block}, chain ${d.chainId})`);
  out(`  CircuitFamilies ${d.familyTable.address}, SampledMode module ${d.sampledMode.address}`);
  const g = d.governance;
  out(`  admin ${g.admin} (transfer delay ${g.adminDelay} s), pauser ${g.pauser}`);
  out(`  policy: PolicyTimelock ${d.timelock.address}, proposer ${g.policyProposer}, delay ${g.policyDelay} s`);
  for (const f of d.families) out(`  family ${f.name} (K = ${f.stepsPerCheckpoint}) ${f.id}`);
  const dev = Object.entries(d.keys)
    .filter(([, k]) => k.developmentOnly)
    .map(([c]) => c);
  if (dev.length > 0)
    out(
      `  DEVELOPMENT keys: ${dev.join(", ")}${d.allowDevelopmentKeys ? " (allowed by --allow-development-keys, recorded)" : ""}`,
    );
  if (!chain.persistent) {
    out("in-process network: nothing recorded (this chain ends with the command)");
    return;
  }
  await writeDeployment(o.deployments, o.network, d, abiOf);
  out(`recorded in ${path.relative(process.cwd(), path.join(o.deployments, o.network))}/`);
}

async function addFamilyCommand(o: Common & { spec: string; allowDevelopmentKeys: boolean }): Promise<void> {
  const family = familyOfSpec(await readSpec(o.spec));
  const chain = await connect(o.network, o.rpcUrl);
  requirePersistent(chain);
  const d = await requireDeployment(o.deployments, o.network);
  const { wallet: signer } = await registryAt(chain, d, o.account);
  // The family's verifiers were generated by `npm run artifacts -- --spec`: compile them.
  await compileGeneratedVerifiers();
  const r = await addFamily(chain.conn.viem, d, family, signer, log("add-family"), {
    network: o.network,
    allowDevelopmentKeys: o.allowDevelopmentKeys,
  });
  if (r.deployed.length > 0 || r.record.families.length !== d.families.length) {
    await writeDeploymentRecord(o.deployments, r.record, r.deployed, abiOf);
  }
  const id = familyId(family.name);
  if (r.state === "registered" || r.state === "already-registered") {
    out(
      `family ${family.name} (K = ${family.stepsPerCheckpoint}) ` +
        `${r.state === "registered" ? "registered" : "was already registered"}: ${id}`,
    );
    return;
  }
  const at = new Date(Number(r.readyAt ?? 0n) * 1000).toISOString();
  out(
    `family ${family.name}: registration scheduled in the policy timelock, executable from ${at}; ` +
      "run this command again then to execute it",
  );
}

async function verifyDeploymentCommand(o: Common): Promise<void> {
  const chain = await connect(o.network, o.rpcUrl);
  requirePersistent(chain);
  const d = await requireDeployment(o.deployments, o.network);
  const { publicClient } = await registryAt(chain, d);
  const lines = await verifyDeployment(
    publicClient,
    d,
    async (name) => (await artifacts.readArtifact(name)).deployedBytecode,
  );
  for (const l of lines) out(`${l.ok ? "ok  " : "FAIL"} ${l.what}: ${l.detail}`);
  const failed = lines.filter((l) => !l.ok).length;
  if (failed > 0) throw new Error(`${failed} check(s) failed: the deployment is not what the local keys say`);
  out(`all ${lines.length} checks passed${d.developmentKeys ? " (development keys are deployed)" : ""}`);
}

async function register(
  o: Common & {
    spec: string;
    runDir: string;
    flopsCap: bigint;
    maxSteps: bigint;
    deadline: bigint;
    dataset?: string;
    sampled?: bigint;
    response?: bigint;
    window?: bigint;
  },
): Promise<void> {
  if ((o.sampled === undefined) !== (o.response === undefined))
    throw new Error("sampled mode needs both --sampled <challenges per window> and --response <seconds>");
  const attestations = { flopsCap: o.flopsCap, maxSteps: o.maxSteps, checkpointDeadline: o.deadline };
  const spec = await readSpec(o.spec);
  const data = await datasetForSpec(spec, o.spec, o.dataset);
  const family = familyOfSpec(spec);
  const chain = await connect(o.network, o.rpcUrl);
  requirePersistent(chain);
  const d = await requireDeployment(o.deployments, o.network);
  const { registry, familyTable, ref, publicClient, lab } = await registryAt(chain, d, o.account);
  // Before any proving: the family must be registered on this chain.
  if (!(await familyRegistered(familyTable, familyId(family.name))))
    throw new Error(
      `the spec's circuit family ${family.name} is not registered on "${o.network}": ` +
        `run \`npm run registry -- add-family --spec ${o.spec} --network ${o.network}\` first`,
    );
  const l = log("register");
  l.info(`proving genesis for lab ${lab} (kept if already in ${o.runDir})`);
  await trainAndProve(spec, data, { runDir: o.runDir, lab: BigInt(lab), steps: 0, specFile: o.spec }, l);
  // The beacon is the hash of a block after registration: wait for it and draw it at once (issue #24).
  const draw = { mineEmptyBlocks: LOCAL_NETWORKS.has(o.network), log: l };
  const { runId, beacon } =
    o.sampled === undefined
      ? await registerRunDir(registry, publicClient, o.runDir, family.name, attestations, draw)
      : await registerSampledRunDir(
          registry,
          publicClient,
          o.runDir,
          family.name,
          attestations,
          {
            challengesPerWindow: Number(o.sampled),
            responseSeconds: Number(o.response),
            windowSteps: Number(o.window ?? BigInt(family.stepsPerCheckpoint)),
          },
          draw,
        );
  const r = await readRun(ref, runId);
  out(`run ${runId} registered: lab ${r.lab}, family ${r.family}, ${r.plannedSteps} steps planned`);
  if (r.sampling)
    out(
      `  sampled mode: ${r.sampling.challengesPerWindow} challenge(s) per window of ${r.sampling.windowSteps} steps, ` +
        `${r.sampling.responseSeconds} s to answer each (deadlines queue); next: \`commit\``,
    );
  out(
    `  data-order beacon ${beacon} (hash of block ${r.beaconBlock}, drawn after registration) recorded in ` +
      `${path.join(o.runDir, "run.json")}: \`prove\` uses it`,
  );
  const flagged = r.violations.reduce((s, n) => s + n, 0);
  if (flagged > 0) out(`  ${flagged} violation(s) flagged at registration: the plan exceeds the attestations`);
}

async function prove(
  o: Common & {
    spec: string;
    runDir: string;
    steps?: bigint;
    stepProofs: boolean;
    lab?: Address;
    beacon?: bigint;
    dataset?: string;
  },
): Promise<void> {
  const lab = o.lab ?? (await wallet(await connect(o.network, o.rpcUrl), o.account)).account.address;
  const spec = await readSpec(o.spec);
  const s = await trainAndProve(
    spec,
    await datasetForSpec(spec, o.spec, o.dataset),
    {
      specFile: o.spec,
      runDir: o.runDir,
      lab: BigInt(lab),
      stepProofs: o.stepProofs,
      ...(o.steps === undefined ? {} : { steps: Number(o.steps) }),
      ...(o.beacon === undefined ? {} : { beacon: o.beacon }),
    },
    log("prove"),
  );
  out(
    `${o.runDir}: ${s.written.length} proof(s) written, ${s.reused.length} kept; loss ${s.lossBefore.toFixed(4)} -> ${s.lossAfter.toFixed(4)}`,
  );
}

async function submit(o: Common & { runDir: string }): Promise<void> {
  const chain = await connect(o.network, o.rpcUrl);
  requirePersistent(chain);
  const d = await requireDeployment(o.deployments, o.network);
  // Sign as the run's lab unless told otherwise.
  const reader = (await registryAt(chain, d)).registry;
  const runId = await runIdOf(reader, o.runDir);
  if (runId === 0n)
    throw new Error(`the run of ${o.runDir} is not registered on "${o.network}": run \`register\` first`);
  const lab = (await reader.read.getRun([runId])).lab;
  const { registry, publicClient } = await registryAt(chain, d, o.account ?? lab);
  const r = await submitRunDir(registry, publicClient, d, o.runDir, log("submit"));
  out(
    `run ${r.runId}: ${r.submitted} checkpoint(s) submitted, ${r.alreadyOnChain} already on chain; proven steps ${r.steps}` +
      (r.waitingFor !== undefined ? ` (no bundle yet for step ${r.waitingFor})` : ""),
  );
}

async function status(o: Common & { run?: bigint; json: boolean }): Promise<void> {
  const chain = await connect(o.network, o.rpcUrl);
  requirePersistent(chain);
  const d = await requireDeployment(o.deployments, o.network);
  const { ref } = await registryAt(chain, d);
  const { runCount, designationThreshold, runs } = await readRegistry(ref, o.run === undefined ? undefined : [o.run]);
  if (o.json) {
    const body = {
      network: o.network,
      chainId: chain.chainId,
      registry: d.contracts.TrainingRegistry?.address,
      runCount: runCount.toString(),
      designationThreshold: designationThreshold.toString(),
      runs: runs.map(runJson),
    };
    out(JSON.stringify(body, null, 2));
    return;
  }
  if (runs.length === 0) {
    out(`no runs registered on "${o.network}"`);
    return;
  }
  for (const line of runTable(runs)) out(line);
  out(VIOLATION_LEGEND);
}

/** The signing side of a command that acts on one run. */
async function onRun(o: Common) {
  const chain = await connect(o.network, o.rpcUrl);
  requirePersistent(chain);
  const d = await requireDeployment(o.deployments, o.network);
  return { d, ...(await registryAt(chain, d, o.account)) };
}

async function flagMissed(o: Common & { run: bigint }): Promise<void> {
  const { registry, publicClient, lab } = await onRun(o);
  const { result } = await registry.simulate.flagMissedDeadline([o.run], { account: lab });
  await mined(publicClient, await registry.write.flagMissedDeadline([o.run]), "flagMissedDeadline");
  out(`run ${o.run}: missed checkpoint window ${result} after its last checkpoint flagged by ${lab}`);
}

async function reassess(o: Common & { run: bigint }): Promise<void> {
  const { ref, registry, publicClient, lab } = await onRun(o);
  await registry.simulate.reassess([o.run], { account: lab });
  await mined(publicClient, await registry.write.reassess([o.run]), "reassess");
  const r = await readRun(ref, o.run);
  out(
    `run ${o.run} reassessed against the threshold in force: ` +
      `${r.designatedAt !== 0n ? "designated" : "not designated"}, ${r.projectedToCross ? "projected to cross" : "not projected"}`,
  );
}

async function watch(
  o: Common & { json: boolean; cursor?: string | false; confirmations: bigint; pollMs: bigint; once: boolean },
): Promise<void> {
  const chain = await connect(o.network, o.rpcUrl);
  requirePersistent(chain);
  const d = await requireDeployment(o.deployments, o.network);
  const { registry, familyTable, publicClient, fromBlock } = await registryAt(chain, d);
  const cursorFile =
    o.cursor === false ? undefined : (o.cursor ?? path.join(o.deployments, o.network, "watch.cursor.json"));
  let stop = false;
  for (const sig of ["SIGINT", "SIGTERM"] as const)
    process.on(sig, () => {
      stop = true;
    });
  const l = log("watch");
  l.info(
    `watching ${registry.address} and its families table ${familyTable.address} on "${o.network}" ` +
      `(chain ${chain.chainId})${cursorFile ? `, cursor ${cursorFile}` : ""}`,
  );
  const emit = (e: RegistryEvent): void => {
    out(o.json ? jsonLine(e) : humanLine(e));
  };
  // The families table's events too (CircuitFamilyRegistered and -Deprecated are emitted there, issue #24).
  await watchRegistry(publicClient, [registry.address, familyTable.address], [...registry.abi, ...familyTable.abi], {
    fromBlock,
    confirmations: Number(o.confirmations),
    pollMs: Number(o.pollMs),
    emit,
    note: (m) => {
      l.warn(m);
    },
    identity: `${chain.chainId}:${registry.address}`,
    ...(cursorFile ? { cursorFile } : {}),
    once: o.once,
    stopped: () => stop,
  });
}

/** The run of a run directory on the recorded registry, with a client signing as its lab. */
async function labOfRunDir(o: Common & { runDir: string }) {
  const chain = await connect(o.network, o.rpcUrl);
  requirePersistent(chain);
  const d = await requireDeployment(o.deployments, o.network);
  const reader = (await registryAt(chain, d)).registry;
  const runId = await runIdOf(reader, o.runDir);
  if (runId === 0n)
    throw new Error(`the run of ${o.runDir} is not registered on "${o.network}": run \`register --sampled\` first`);
  const run = await reader.read.getRun([runId]);
  if (!run.sampled) throw new Error(`run ${runId} proves every step (full mode): use \`prove\` and \`submit\``);
  return { runId, run, ...(await registryAt(chain, d, o.account ?? run.lab)) };
}

async function commit(o: Common & { spec: string; runDir: string; dataset?: string }): Promise<void> {
  const { runId, run, registry, publicClient, lab, fromBlock } = await labOfRunDir(o);
  const spec = await readSpec(o.spec);
  const trained = await trainRoots(
    spec,
    await datasetForSpec(spec, o.spec, o.dataset),
    { specFile: o.spec, runDir: o.runDir, lab: BigInt(lab), beacon: run.beacon },
    log("commit"),
  );
  const r = await commitWindows(registry, publicClient, runId, trained.roots, log("commit"), {
    fromBlock,
    mineEmptyBlocks: LOCAL_NETWORKS.has(o.network),
  });
  out(
    `run ${runId}: ${r.committed} window(s) committed, ${r.alreadyOnChain} already on chain; committed steps ${r.steps} ` +
      `(not proven: challenged steps are proven by \`answer\`); loss ${trained.lossBefore.toFixed(4)} -> ${trained.lossAfter.toFixed(4)}`,
  );
}

const challengeLine = (c: ChallengeView): string =>
  `run ${c.runId} step ${c.step} (window ${c.window}): ${c.state}` +
  (c.secondsLeft !== undefined ? `, ${c.secondsLeft} s left to answer` : "") +
  (c.fee > 0n ? `, paid ${c.fee} wei by ${c.challenger}` : ", drawn");

async function challenges(o: Common & { run?: bigint; draw: boolean; json: boolean }): Promise<void> {
  const { registry, publicClient, fromBlock } = await onRun(o);
  const count = await registry.read.runCount();
  const ids = o.run !== undefined ? [o.run] : Array.from({ length: Number(count) }, (_, i) => BigInt(i + 1));
  const all: ChallengeView[] = [];
  const pending: string[] = [];
  for (const id of ids) {
    if (!(await registry.read.getRun([id])).sampled) {
      if (o.run !== undefined) throw new Error(`run ${id} is not a sampled run`);
      continue;
    }
    if (o.draw) await drawPending(registry, publicClient, fromBlock, id, log("challenges"));
    const r = await runChallenges(registry, publicClient, fromBlock, id);
    all.push(...r.challenges);
    for (const w of r.windows.filter((x) => !x.drawn))
      pending.push(
        `run ${id} window ${w.window}: not drawn yet (${w.drawable ? "drawable now: add --draw" : `seed block ${w.seedBlock} not mined yet`})`,
      );
  }
  if (o.json) {
    out(
      JSON.stringify(
        all.map((c) => ({
          ...c,
          runId: c.runId.toString(),
          step: c.step.toString(),
          window: c.window.toString(),
          issuedAt: c.issuedAt.toString(),
          fee: c.fee.toString(),
          ...(c.secondsLeft !== undefined ? { secondsLeft: c.secondsLeft.toString() } : {}),
        })),
        null,
        2,
      ),
    );
    return;
  }
  for (const c of all) out(challengeLine(c));
  for (const p of pending) out(p);
  if (all.length === 0 && pending.length === 0) out("no challenges and no windows waiting for a draw");
}

async function answer(o: Common & { spec: string; runDir: string; dataset?: string }): Promise<void> {
  const { runId, run, registry, publicClient, fromBlock, lab } = await labOfRunDir(o);
  const l = log("answer");
  // Drawing the lab's own windows is harmless: the seed is fixed by the block hash.
  await drawPending(registry, publicClient, fromBlock, runId, l);
  const { challenges: cs, refs } = await runChallenges(registry, publicClient, fromBlock, runId);
  const open = cs.filter((c) => c.state === "Open");
  if (open.length === 0) {
    out(`run ${runId}: no open challenge (${cs.length} challenge(s) so far)`);
    return;
  }
  const spec = await readSpec(o.spec);
  const data = await datasetForSpec(spec, o.spec, o.dataset);
  const opts = { specFile: o.spec, runDir: o.runDir, lab: BigInt(lab), beacon: run.beacon };
  if (!(await readRoots(o.runDir))) throw new Error(`${o.runDir} has no roots.json: was it committed with \`commit\`?`);
  const trained = await trainRoots(spec, data, opts, l);
  const proved = await proveSteps(
    spec,
    data,
    opts,
    trained,
    open.map((c) => Number(c.step)),
    l,
  );
  let answered = 0;
  for (const c of open) {
    const bundle = proved.proofs.get(Number(c.step));
    if (!bundle) continue;
    l.info(`run ${runId}: answering the challenge of step ${c.step}`);
    const args = answerArgs(runId, c.step, trained.roots, run.stepsPerCheckpoint, refs, bundle);
    await mined(publicClient, await registry.write.answerChallenge(args), `answering step ${c.step}`);
    answered++;
  }
  out(
    `run ${runId}: ${answered} challenge(s) answered with step proofs (${proved.tally.written.length} proved, ${proved.tally.reused.length} kept)` +
      (proved.failed.length > 0
        ? `; ${proved.failed.length} could not be proved: ${proved.failed.map((f) => `step ${f.step} (${f.reason})`).join("; ")}`
        : ""),
  );
  if (proved.failed.length > 0) process.exitCode = 2;
}

async function challengeCommand(o: Common & { run: bigint; step: bigint }): Promise<void> {
  const { registry, publicClient, lab } = await onRun(o);
  const fee = (await registry.read.samplingPolicy()).challengeFee;
  await registry.simulate.requestChallenge([o.run, o.step], { account: lab, value: fee });
  await mined(publicClient, await registry.write.requestChallenge([o.run, o.step], { value: fee }), "requestChallenge");
  out(
    `run ${o.run} step ${o.step} challenged by ${lab} for ${fee} wei: the fee goes to the lab if it answers in time, ` +
      "back to you (with the violation flagged) if not; `withdraw` collects it",
  );
}

async function flagUnanswered(o: Common & { run: bigint; step: bigint }): Promise<void> {
  const { registry, publicClient, lab } = await onRun(o);
  await registry.simulate.flagUnansweredChallenge([o.run, o.step], { account: lab });
  await mined(publicClient, await registry.write.flagUnansweredChallenge([o.run, o.step]), "flagUnansweredChallenge");
  out(`run ${o.run}: the unanswered challenge of step ${o.step} flagged by ${lab}`);
}

async function withdraw(o: Common): Promise<void> {
  const { registry, publicClient, lab } = await onRun(o);
  const credit = await registry.read.creditOf([lab]);
  if (credit === 0n) {
    out(`${lab} has no credit to withdraw`);
    return;
  }
  await mined(publicClient, await registry.write.withdraw(), "withdraw");
  out(`${lab} withdrew ${credit} wei`);
}

const program = new Command("npm run registry --")
  .description(
    "The registry's command line: deploy, add families, register runs, prove, submit, read, flag, reassess, watch; " +
      "sampled mode: commit, challenges, answer, challenge, flag-unanswered, withdraw. " +
      "Every command reads addresses from deployments/<network>/; `<command> --help` describes each.",
  )
  .showHelpAfterError()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

command(
  program,
  "deploy",
  "deploy verifiers, adapters and the registry; record them in deployments/<network>/",
  `Deploys the snarkjs verifiers of the default circuit families (development keys), one
  adapter per verifier, a PolicyTimelock and the TrainingRegistry; registers the
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
  "check that each recorded verifier is exactly the one generated from the local key",
  `Checks, for every verifier the deployment record lists: the local proving key is the recorded
  one (SHA-256); the local Solidity verifier is exactly what snarkjs generates from that key; the code
  at the recorded address is that verifier's compiled code; and its adapter wraps it. Anyone with the
  repository, the keys and the record can run it. Exits non-zero on any mismatch.`,
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
  \`register\`, or --beacon). Resumes: valid bundles are kept. Same as \`npm run prove\`.`,
)
  .requiredOption("--spec <file>", "training spec (JSON)")
  .requiredOption("--run-dir <dir>", "run directory (register it first: training needs its beacon)")
  .option("--steps <n>", "train N steps instead of the spec's planned steps", uint("--steps"))
  .option("--no-step-proofs", "only genesis and Checkpoint(K) proofs (enough for a family with K > 1)")
  .option("--lab <address>", "the lab's address (default: the signing account)", address("--lab"))
  .option("--beacon <n>", "the run's beacon as the registry recorded it (default: from run.json)", uint("--beacon"))
  .option("--dataset <file>", DATASET_OPTION)
  .action(prove);

command(
  program,
  "submit",
  "submit every checkpoint of a run directory the chain does not have yet",
  `Submits, in order, every checkpoint bundle of the run directory that the chain does
  not have yet, for the run's family (K = 1: step proofs; K > 1: Checkpoint(K) proofs).
  Safe to re-run after a crash: the chain says where the run is. The signing account
  must be the run's lab (the default).`,
)
  .requiredOption("--run-dir <dir>", "run directory")
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
  with status 2. Signs as the run's lab.`,
)
  .requiredOption("--spec <file>", "training spec (JSON)")
  .requiredOption("--run-dir <dir>", "run directory")
  .option("--dataset <file>", DATASET_OPTION)
  .action(answer);

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
