/** Run commands: register, prove, submit, status, flag-missed, reassess, watch. */
import path from "node:path";
import { type Address } from "viem";
import { datasetForSpec } from "../../prover/dataset/file.js";
import { familyId, familyOfSpec } from "../../prover/proving/families.js";
import { trainAndProve } from "../../prover/run/prover.js";
import { withBackend } from "../../prover/queue/coordinator.js";
import type { QueueOptions } from "../help.js";
import { readSpec } from "../../prover/spec/schema.js";
import { connect, registryAt, wallet } from "../../client/connect.js";
import { requireDeployment } from "../../client/deployments.js";
import { familyRegistered } from "../../client/families.js";
import { LOCAL_NETWORKS } from "../../client/keys.js";
import { humanLine, jsonLine, runJson, runTable, type RegistryEvent } from "../../client/read/format.js";
import { readRegistry, readRun } from "../../client/read/runs.js";
import { VIOLATION_LEGEND } from "../../client/read/violations.js";
import { watchRegistry } from "../../client/read/watch.js";
import { registerRunDir, submitRunDir } from "../../client/runs.js";
import { registerSampledRunDir } from "../../client/sampled.js";
import { mined } from "../../client/tx.js";
import { out, requirePersistent, log, type Common, onRun, labOfRunDir } from "./common.js";

export async function register(
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

export async function prove(
  o: Common & {
    spec: string;
    runDir: string;
    steps?: bigint;
    stepProofs: boolean;
    lab?: Address;
    beacon?: bigint;
    dataset?: string;
  } & QueueOptions,
): Promise<void> {
  const lab = o.lab ?? (await wallet(await connect(o.network, o.rpcUrl), o.account)).account.address;
  const spec = await readSpec(o.spec);
  const data = await datasetForSpec(spec, o.spec, o.dataset);
  const s = await withBackend(o.queue, o.queueName, (backend) =>
    trainAndProve(
      spec,
      data,
      {
        specFile: o.spec,
        runDir: o.runDir,
        lab: BigInt(lab),
        stepProofs: o.stepProofs,
        ...(o.steps === undefined ? {} : { steps: Number(o.steps) }),
        ...(o.beacon === undefined ? {} : { beacon: o.beacon }),
        ...(backend ? { backend } : {}),
      },
      log("prove"),
    ),
  );
  out(
    `${o.runDir}: ${s.written.length} proof(s) written, ${s.reused.length} kept; loss ${s.lossBefore.toFixed(4)} -> ${s.lossAfter.toFixed(4)}`,
  );
}

export async function submit(o: Common & { runDir: string; batch: number }): Promise<void> {
  // Sign as the run's lab unless told otherwise.
  const { d, registry, publicClient } = await labOfRunDir(o, "register");
  const r = await submitRunDir(registry, publicClient, d, o.runDir, log("submit"), { batch: o.batch });
  out(
    `run ${r.runId}: ${r.submitted} checkpoint(s) submitted in ${r.gas.length} transaction(s), ` +
      `${r.alreadyOnChain} already on chain; proven steps ${r.steps}` +
      (r.waitingFor !== undefined ? ` (no bundle yet for step ${r.waitingFor})` : ""),
  );
}

export async function status(o: Common & { run?: bigint; json: boolean }): Promise<void> {
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

export async function flagMissed(o: Common & { run: bigint }): Promise<void> {
  const { registry, publicClient, lab } = await onRun(o);
  const { result } = await registry.simulate.flagMissedDeadline([o.run], { account: lab });
  await mined(publicClient, await registry.write.flagMissedDeadline([o.run]), "flagMissedDeadline");
  out(`run ${o.run}: missed checkpoint window ${result} after its last checkpoint flagged by ${lab}`);
}

export async function reassess(o: Common & { run: bigint }): Promise<void> {
  const { ref, registry, publicClient, lab } = await onRun(o);
  await registry.simulate.reassess([o.run], { account: lab });
  await mined(publicClient, await registry.write.reassess([o.run]), "reassess");
  const r = await readRun(ref, o.run);
  out(
    `run ${o.run} reassessed against the threshold in force: ` +
      `${r.designatedAt !== 0n ? "designated" : "not designated"}, ${r.projectedToCross ? "projected to cross" : "not projected"}`,
  );
}

export async function watch(
  o: Common & { json: boolean; cursor?: string | false; confirmations: bigint; pollMs: bigint; once: boolean },
): Promise<void> {
  const chain = await connect(o.network, o.rpcUrl);
  requirePersistent(chain);
  const d = await requireDeployment(o.deployments, o.network);
  const { registry, familyTable, observers, publicClient, fromBlock } = await registryAt(chain, d);
  const cursorFile =
    o.cursor === false ? undefined : (o.cursor ?? path.join(o.deployments, o.network, "watch.cursor.json"));
  let stop = false;
  for (const sig of ["SIGINT", "SIGTERM"] as const)
    process.on(sig, () => {
      stop = true;
    });
  const l = log("watch");
  l.info(
    `watching ${registry.address}, its families table ${familyTable.address}` +
      `${observers ? ` and its observers' table ${observers.address}` : ""} on "${o.network}" ` +
      `(chain ${chain.chainId})${cursorFile ? `, cursor ${cursorFile}` : ""}`,
  );
  const emit = (e: RegistryEvent): void => {
    out(o.json ? jsonLine(e) : humanLine(e));
  };
  // The families table's events too (CircuitFamilyRegistered and -Deprecated are emitted there, issue #24), and
  // the observers' (reports, reconciliations, UnaccountedComputeFlagged: issue #29).
  const addresses = [registry.address, familyTable.address, ...(observers ? [observers.address] : [])];
  await watchRegistry(publicClient, addresses, [...registry.abi, ...familyTable.abi, ...(observers?.abi ?? [])], {
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
