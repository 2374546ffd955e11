/**
 * Sampled mode against the registry (issues #11, #24): register a run
 * directory in sampled mode, commit its windows from roots.json and draw each
 * one's challenges as soon as its seed block exists (a window nobody draws
 * within 256 blocks has every step challenged), list the challenges with
 * their deadlines, answer the open ones with step proofs, and pay for a
 * challenge. Every function asks the chain where things stand, so each
 * is safe to re-run after a crash.
 */
import path from "node:path";
import { readFile } from "node:fs/promises";
import type { Hex, PublicClient } from "viem";
import { familyId } from "../prover/proving/families.js";
import type { Logger } from "../prover/proving/log.js";
import type { ProofBundle } from "../prover/proving/prove.js";
import { ChunkStatementsTree, RootsTree, windowOfLeaf, windowOfStep, windowTree } from "../prover/sampled/roots.js";
import { readEvents } from "./read/events.js";
import { eventRunId } from "./read/format.js";
import { CHALLENGE_STATE } from "./read/violations.js";
import { checkpointCall, genesisCall, type Attestations } from "./calls.js";
import type { registryAt } from "./connect.js";
import { mined, waitForBlock } from "./tx.js";
import { drawRunBeacon, recordRunRegistration, type BeaconDraw } from "./runs.js";

type Registry = Awaited<ReturnType<typeof registryAt>>["registry"];

/** ISampledMode.Sampling: the run's terms. */
export interface Sampling {
  readonly challengesPerWindow: number;
  /** Unpaused seconds the lab takes to answer one challenge (deadlines queue: see ISampledMode). */
  readonly responseSeconds: number;
  /** Steps W per committed window (1 .. 1,024, independent of the family's K). */
  readonly windowSteps: number;
}

/** ISampledMode.WindowRef. */
export interface WindowRef {
  readonly root: Hex;
  readonly committedBlock: bigint;
}

/**
 * Registers the run directory's genesis proof in sampled mode, draws the run's beacon once its block
 * exists and records it in run.json; returns the run id and the beacon. A run registered already is
 * not registered again: its beacon is drawn if need be and recorded.
 */
export async function registerSampledRunDir(
  registry: Registry,
  publicClient: PublicClient,
  runDir: string,
  family: string,
  attestations: Attestations,
  sampling: Sampling,
  draw: BeaconDraw = {},
): Promise<{ runId: bigint; beacon: bigint }> {
  const bundle = JSON.parse(await readFile(path.join(runDir, "genesis.json"), "utf8")) as ProofBundle;
  const g = genesisCall(bundle);
  // Registered already (a re-run after a crash before the draw): draw and record only.
  let runId = await registry.read.runOfSpec([g.lab, g.specCommitment]);
  if (runId === 0n) {
    const hash = await registry.write.registerSampledRun([
      familyId(family),
      g.specCommitment,
      attestations,
      sampling,
      g.facts,
      g.proof,
    ]);
    await mined(publicClient, hash, "registerSampledRun");
    runId = await registry.read.runOfSpec([g.lab, g.specCommitment]);
  }
  const beacon = await drawRunBeacon(registry, publicClient, runId, draw);
  await recordRunRegistration(registry, publicClient, runDir, runId, beacon);
  return { runId, beacon };
}

/** The run's committed windows by index, from its WindowCommitted events (a window's block is its event's). */
export async function windowRefs(
  registry: Registry,
  publicClient: PublicClient,
  fromBlock: bigint,
  runId: bigint,
): Promise<Map<bigint, WindowRef>> {
  const head = await publicClient.getBlockNumber();
  const events = await readEvents(publicClient, registry.address, registry.abi, fromBlock, head);
  const out = new Map<bigint, WindowRef>();
  for (const e of events) {
    if (e.eventName !== "WindowCommitted" || e.args.runId !== runId) continue;
    out.set(e.args.window, { root: e.args.root, committedBlock: e.blockNumber });
  }
  return out;
}

export interface CommitOutcome {
  readonly committed: number;
  readonly alreadyOnChain: number;
  readonly steps: bigint;
  readonly gas: readonly bigint[];
}

/** How `commitWindows` draws: from which block to read events, and whether it may mine empty blocks. */
export interface DrawAfterCommit {
  readonly fromBlock: bigint;
  /**
   * On a development chain (in-process or `hardhat node`) blocks come only with transactions, so the
   * seed block of the last window would never exist: mine the missing empty blocks. Never on a live chain.
   */
  readonly mineEmptyBlocks: boolean;
}

/**
 * Commits every window of `roots` (r(0) .. r(T)) the chain does not have yet, in order; then, unless
 * `draw` is null, waits for each new window's seed block and draws its challenges (finding P1 of issue
 * #24: a window nobody draws within 256 blocks of its seed block has every step challenged). A chunked
 * run (issue #26) gives every step's tile io (`chunkIo[t]`, its link's io values): each window's chunk
 * statements are committed just before the window (IChunkedSteps.commitChunkStatements).
 */
export async function commitWindows(
  registry: Registry,
  publicClient: PublicClient,
  runId: bigint,
  roots: readonly bigint[],
  log: Logger,
  draw: DrawAfterCommit | null = null,
  chunkIo?: readonly (readonly bigint[])[],
): Promise<CommitOutcome> {
  const run = await registry.read.getRun([runId]);
  if (!run.sampled) throw new Error(`run ${runId} proves every step (full mode): use \`submit\`, not \`commit\``);
  const K = run.stepsPerCheckpoint;
  if (roots[0] !== run.root0)
    throw new Error(`roots.json starts from root ${roots[0]}, but run ${runId}'s genesis root is ${run.root0}`);
  let steps = run.steps;
  const alreadyOnChain = Number(steps / BigInt(K));
  const gas: bigint[] = [];
  let committed = 0;
  while (steps + BigInt(K) <= BigInt(roots.length - 1) && steps < run.plannedSteps) {
    const w = windowOfStep(steps, K);
    const tree = windowTree(roots, w, K);
    const last = steps + BigInt(K);
    if (chunkIo) {
      const io = chunkIo.slice(Number(steps), Number(last));
      if (io.length !== K) throw new Error(`window ${w}: the tile io of steps ${steps} .. ${last - 1n} are missing`);
      const statements = new ChunkStatementsTree(w, io);
      log.info(`run ${runId}: committing the chunk statements of window ${w}, tree ${statements.root}`);
      const h = await registry.write.commitChunkStatements([runId, w, statements.root]);
      gas.push((await mined(publicClient, h, `committing the chunk statements of window ${w}`)).gasUsed);
    }
    log.info(`run ${runId}: committing window ${w} (steps ${steps} .. ${last - 1n}), roots tree ${tree.root}`);
    const hash = await registry.write.commitWindow([runId, steps, tree.root, tree.rootAt(last), tree.path(last)]);
    const receipt = await mined(publicClient, hash, `committing window ${w}`);
    gas.push(receipt.gasUsed);
    steps = last;
    committed++;
  }
  if (draw !== null && committed > 0) {
    const seedBlock = (await publicClient.getBlockNumber()) + (await registry.read.DRAW_DELAY_BLOCKS());
    await waitForBlock(publicClient, seedBlock + 1n, draw.mineEmptyBlocks, log);
    await drawPending(registry, publicClient, draw.fromBlock, runId, log);
  }
  return { committed, alreadyOnChain, steps, gas };
}

/** A challenge as `challenges` lists it. */
export interface ChallengeView {
  readonly runId: bigint;
  readonly step: bigint;
  readonly window: bigint;
  readonly state: (typeof CHALLENGE_STATE)[number];
  readonly issuedAt: bigint;
  /** Unpaused seconds left to answer (0 once passed; undefined unless open). */
  readonly secondsLeft?: bigint;
  readonly challenger: Hex;
  readonly fee: bigint;
  /** A chunked window's challenge: 0 asks for every chunk of the step, c >= 1 for tile c - 1 and the link. */
  readonly chunk: number;
}

/** A window's draw as `challenges` lists it. */
export interface DrawView {
  readonly window: bigint;
  readonly drawn: boolean;
  readonly everyStep: boolean;
  /** The draw is possible now (its seed block exists). */
  readonly drawable: boolean;
  readonly seedBlock: bigint;
}

/** The run's windows (drawn or not) and every challenge issued on it. */
export async function runChallenges(
  registry: Registry,
  publicClient: PublicClient,
  fromBlock: bigint,
  runId: bigint,
): Promise<{ windows: DrawView[]; challenges: ChallengeView[]; refs: Map<bigint, WindowRef> }> {
  const run = await registry.read.getRun([runId]);
  if (!run.sampled) throw new Error(`run ${runId} is not a sampled run`);
  const K = run.stepsPerCheckpoint;
  const refs = await windowRefs(registry, publicClient, fromBlock, runId);
  const head = await publicClient.getBlockNumber();
  const delay = await registry.read.DRAW_DELAY_BLOCKS();
  const windows: DrawView[] = [];
  const steps = new Set<bigint>();
  for (const [w, ref] of [...refs].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const s = await registry.read.getWindow([runId, w]);
    const seedBlock = ref.committedBlock + delay;
    windows.push({ window: w, drawn: s.drawnAt !== 0n, everyStep: s.everyStep, drawable: head > seedBlock, seedBlock });
    if (s.everyStep) for (let t = w * BigInt(K); t < (w + 1n) * BigInt(K); t++) steps.add(t);
  }
  const events = await readEvents(publicClient, registry.address, registry.abi, fromBlock, head);
  for (const e of events) {
    if (eventRunId(e) !== runId) continue;
    if (e.eventName === "ChallengesDrawn") for (const t of e.args.steps) steps.add(t);
    if (e.eventName === "ChallengeRequested") steps.add(e.args.step);
  }
  const challenges: ChallengeView[] = [];
  for (const step of [...steps].sort((a, b) => (a < b ? -1 : 1))) {
    const c = await registry.read.getChallenge([runId, step]);
    const state = CHALLENGE_STATE[c.state] ?? "None";
    challenges.push({
      runId,
      step,
      window: windowOfStep(step, K),
      state,
      issuedAt: c.issuedAt,
      ...(state === "Open" ? { secondsLeft: c.elapsed >= c.allowedSeconds ? 0n : c.allowedSeconds - c.elapsed } : {}),
      challenger: c.challenger,
      fee: c.fee,
      chunk: c.chunk,
    });
  }
  return { windows, challenges, refs };
}

/** Draws every committed window of the run whose seed block exists and that nobody drew yet. */
export async function drawPending(
  registry: Registry,
  publicClient: PublicClient,
  fromBlock: bigint,
  runId: bigint,
  log: Logger,
): Promise<number> {
  const { windows, refs } = await runChallenges(registry, publicClient, fromBlock, runId);
  let drawn = 0;
  for (const w of windows) {
    if (w.drawn || !w.drawable) continue;
    log.info(`run ${runId}: drawing the challenges of window ${w.window}`);
    await mined(publicClient, await registry.write.drawChallenges([runId, w.window, refs.get(w.window)!]), "draw");
    drawn++;
  }
  return drawn;
}

/** A step's claim as an answer opens it: its roots and accumulator. */
export interface AnsweredClaim {
  readonly firstStep: bigint;
  readonly rootBefore: bigint;
  readonly rootAfter: bigint;
  readonly accumulator: bigint;
}

/**
 * ISampledMode.ChallengeAnswer for step t: r(t) and r(t + 1) of the claim opened in the run's committed
 * windows (r(0) needs no path), with the claim's accumulator.
 */
export function challengeAnswer(
  runId: bigint,
  step: bigint,
  roots: readonly bigint[],
  K: number,
  refs: ReadonlyMap<bigint, WindowRef>,
  claim: AnsweredClaim,
) {
  if (claim.firstStep !== step) throw new Error(`the proof is of step ${claim.firstStep}, not ${step}`);
  const ref = (w: bigint): WindowRef => {
    const r = refs.get(w);
    if (!r) throw new Error(`run ${runId}: window ${w} is not committed`);
    return r;
  };
  const after = windowOfLeaf(step + 1n, K);
  const treeAfter = windowTree(roots, after, K);
  const zero: WindowRef = { root: `0x${"0".repeat(64)}`, committedBlock: 0n };
  let before: { ref: WindowRef; tree?: RootsTree } = { ref: zero };
  if (step > 0n) {
    const wb = windowOfLeaf(step, K);
    before = { ref: ref(wb), tree: windowTree(roots, wb, K) };
  }
  return {
    step,
    rootBefore: claim.rootBefore,
    windowBefore: before.ref,
    pathBefore: before.tree ? before.tree.path(step) : [],
    rootAfter: claim.rootAfter,
    windowAfter: ref(after),
    pathAfter: treeAfter.path(step + 1n),
    accumulator: claim.accumulator,
  };
}

/** answerChallenge's arguments for step t from the run's roots and a step proof. */
export function answerArgs(
  runId: bigint,
  step: bigint,
  roots: readonly bigint[],
  K: number,
  refs: ReadonlyMap<bigint, WindowRef>,
  bundle: ProofBundle,
) {
  const c = checkpointCall(bundle);
  return [runId, challengeAnswer(runId, step, roots, K, refs, c.claim), c.proof] as const;
}
