/** Sampled-mode commands: commit, challenges, answer, challenge, flag-unanswered, withdraw. */
import { datasetForSpec } from "../../prover/dataset/file.js";
import { readSpec } from "../../prover/spec/schema.js";
import { LOCAL_NETWORKS } from "../../client/keys.js";
import { answerArgs, commitWindows, drawPending, runChallenges, type ChallengeView } from "../../client/sampled.js";
import { proveSteps, readRoots, trainRoots } from "../../prover/run/sampled.js";
import { mined } from "../../client/tx.js";
import { familySpec } from "../../prover/proving/families.js";
import { withBackend } from "../../prover/queue/coordinator.js";
import { connectRedis } from "../../prover/queue/jobs.js";
import { forecast, liveProvers, secondsPerProof, type ProverStats } from "../../prover/queue/stats.js";
import type { QueueOptions } from "../help.js";
import { out, log, type Common, onRun, labOfRunDir } from "./common.js";

/** The sampled run of a run directory, with a client signing as its lab (labOfRunDir). */
export async function sampledRunOfDir(o: Common & { runDir: string }) {
  const r = await labOfRunDir(o, "register --sampled");
  if (!r.run.sampled) throw new Error(`run ${r.runId} proves every step (full mode): use \`prove\` and \`submit\``);
  return r;
}

export async function commit(o: Common & { spec: string; runDir: string; dataset?: string }): Promise<void> {
  const { runId, run, registry, publicClient, lab, fromBlock } = await sampledRunOfDir(o);
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
  (c.fee > 0n ? `, paid ${c.fee} wei by ${c.challenger}` : ", drawn") +
  (c.chunk > 0 ? `, tile ${c.chunk - 1} and the link asked (a chunked window)` : "");

export async function challenges(
  o: Common & { run?: bigint; draw: boolean; json: boolean; queue?: string; queueName: string },
): Promise<void> {
  const { d, registry, publicClient, fromBlock } = await onRun(o);
  const stepCircuit = new Map<bigint, string>();
  const count = await registry.read.runCount();
  const ids = o.run !== undefined ? [o.run] : Array.from({ length: Number(count) }, (_, i) => BigInt(i + 1));
  const all: ChallengeView[] = [];
  const pending: string[] = [];
  for (const id of ids) {
    const run = await registry.read.getRun([id]);
    if (!run.sampled) {
      if (o.run !== undefined) throw new Error(`run ${id} is not a sampled run`);
      continue;
    }
    if (o.draw) await drawPending(registry, publicClient, fromBlock, id, log("challenges"));
    const family = d.families.find((f) => f.id === run.familyId);
    if (family) stepCircuit.set(id, familySpec(family.name).step);
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
  if (o.queue !== undefined) {
    const open = all.filter((c) => c.state === "Open" && c.secondsLeft !== undefined);
    const redis = await connectRedis(o.queue);
    try {
      for (const line of answerForecast(open, stepCircuit, await liveProvers(redis, o.queueName))) out(line);
    } finally {
      await redis.quit();
    }
  }
}

/** Seconds allowed for an answer's transaction on top of its proof, in the forecast. */
const ANSWER_TX_SECONDS = 15;

/** Whether the open challenges can be answered in time at the workers' measured rate, as lines. */
export function answerForecast(
  open: readonly ChallengeView[],
  stepCircuit: ReadonlyMap<bigint, string>,
  provers: readonly ProverStats[],
): string[] {
  if (open.length === 0) return ["forecast: no open challenge"];
  if (provers.length === 0)
    return ["forecast: no worker is serving the queue: nothing will be proved (`npm run worker`)"];
  const items: Array<{ c: ChallengeView; secondsLeft: number; perProof: number }> = [];
  const unmeasured = new Set<string>();
  for (const c of open) {
    const circuit = stepCircuit.get(c.runId);
    const perProof = circuit === undefined ? undefined : secondsPerProof(provers, circuit);
    if (perProof === undefined) unmeasured.add(circuit ?? `run ${c.runId}'s step circuit`);
    else items.push({ c, secondsLeft: Number(c.secondsLeft), perProof });
  }
  const lines: string[] = [];
  if (unmeasured.size > 0)
    lines.push(
      `forecast: no worker has proved ${[...unmeasured].join(", ")} yet: no measured rate for those challenges`,
    );
  if (items.length === 0) return lines;
  const f = forecast(items, provers.length, ANSWER_TX_SECONDS);
  const rates = [...new Set(items.map((x) => x.perProof.toFixed(1)))].join("/");
  const head = `forecast (${provers.length} worker(s), ${rates} s per step proof, ${ANSWER_TX_SECONDS} s per answer transaction)`;
  if (f.late.length === 0) {
    const last = Math.max(...f.doneIn);
    lines.push(
      `${head}: all ${items.length} open challenge(s) can be answered in time (the last in about ${Math.ceil(last)} s)`,
    );
  } else {
    lines.push(`${head}: ${f.late.length} of ${items.length} open challenge(s) would be answered late:`);
    for (const i of f.late) {
      const x = items[i]!;
      lines.push(
        `  run ${x.c.runId} step ${x.c.step}: about ${Math.ceil(f.doneIn[i]!)} s needed, ${x.secondsLeft} s left`,
      );
    }
  }
  return lines;
}

export async function answer(
  o: Common & QueueOptions & { spec: string; runDir: string; dataset?: string },
): Promise<void> {
  const { runId, run, registry, publicClient, fromBlock, lab } = await sampledRunOfDir(o);
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
  // Deadlines in this machine's clock: unpaused seconds left from now (a pause only postpones them).
  const now = Math.floor(Date.now() / 1000);
  const deadlines = new Map(
    open.filter((c) => c.secondsLeft !== undefined).map((c) => [Number(c.step), now + Number(c.secondsLeft)]),
  );
  const proved = await withBackend(o.queue, o.queueName, (backend) =>
    proveSteps(
      spec,
      data,
      backend ? { ...opts, backend } : opts,
      trained,
      open.map((c) => Number(c.step)),
      l,
      deadlines,
    ),
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

export async function challengeCommand(o: Common & { run: bigint; step: bigint }): Promise<void> {
  const { registry, publicClient, lab } = await onRun(o);
  const fee = (await registry.read.samplingPolicy()).challengeFee;
  await registry.simulate.requestChallenge([o.run, o.step], { account: lab, value: fee });
  await mined(publicClient, await registry.write.requestChallenge([o.run, o.step], { value: fee }), "requestChallenge");
  out(
    `run ${o.run} step ${o.step} challenged by ${lab} for ${fee} wei: the fee goes to the lab if it answers in time, ` +
      "back to you (with the violation flagged) if not; `withdraw` collects it",
  );
}

export async function flagUnanswered(o: Common & { run: bigint; step: bigint }): Promise<void> {
  const { registry, publicClient, lab } = await onRun(o);
  await registry.simulate.flagUnansweredChallenge([o.run, o.step], { account: lab });
  await mined(publicClient, await registry.write.flagUnansweredChallenge([o.run, o.step]), "flagUnansweredChallenge");
  out(`run ${o.run}: the unanswered challenge of step ${o.step} flagged by ${lab}`);
}

export async function withdraw(o: Common): Promise<void> {
  const { registry, publicClient, lab } = await onRun(o);
  const credit = await registry.read.creditOf([lab]);
  if (credit === 0n) {
    out(`${lab} has no credit to withdraw`);
    return;
  }
  await mined(publicClient, await registry.write.withdraw(), "withdraw");
  out(`${lab} withdrew ${credit} wei`);
}
