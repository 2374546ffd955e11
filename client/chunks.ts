/**
 * Chunked runs on a registry (issue #26, docs/chunks.md): a chunked family's contracts deployed and the family
 * registered through the policy timelock; a chunked genesis verified (ChunkedGenesisVerifier.proveGenesis) and
 * the run registered with it; every step's chunk proofs submitted in one call (submitChunkedStep). The chunks
 * argument's layout, abi.encode(io, linkProof, hiddenProofs, outputProofs), is written here only.
 */
import path from "node:path";
import type { HardhatViemHelpers } from "@nomicfoundation/hardhat-viem/types";
import { encodeAbiParameters, getAddress, type Address, type Hex, type PublicClient } from "viem";
import {
  chunkedRunSummary,
  chunkedShape,
  proveChunkedGenesis,
  proveChunkedRun,
  type ChunkedRunSummary,
} from "../prover/chunk/run.js";
import { chunkedStep, proveChunks, statedIo, type ChunkProof } from "../prover/chunk/step.js";
import type { CommittedDataset } from "../prover/dataset/dataset.js";
import { buildAll } from "../prover/proving/artifacts.js";
import { packProof, proofWords, type ProofWords } from "../prover/proving/calldata.js";
import { chunkedFamilyOf, familyId, type ChunkedFamilySpec } from "../prover/proving/families.js";
import type { Logger } from "../prover/proving/log.js";
import { adapterName, type Tiling } from "../prover/proving/manifest.js";
import { requireArtifacts } from "../prover/proving/prove.js";
import { ChunkStatementsTree } from "../prover/sampled/roots.js";
import type { TrainingSpec } from "../prover/spec/schema.js";
import { train } from "../prover/training/trainer.js";
import { checkpointArgs, genesisArgs, type Attestations } from "./calls.js";
import type { registryAt } from "./connect.js";
import { registryContract } from "./contract.js";
import { deployRegistry } from "./deploy.js";
import { compileGeneratedVerifiers, familyRegistered } from "./families.js";
import { drawRunBeacon } from "./runs.js";
import { challengeAnswer, commitWindows, runChallenges, type Sampling, type WindowRef } from "./sampled.js";
import { policyCall, throughTimelock } from "./governance.js";
import { mined } from "./tx.js";

type Registry = Awaited<ReturnType<typeof registryAt>>["registry"];

/** The ABI types of the chunks argument of submitChunkedStep, verifyChunks and proveGenesis. */
const CHUNKS_ABI = [
  { type: "uint256[]", name: "io" },
  { type: "uint256[8]", name: "linkProof" },
  { type: "uint256[8][]", name: "hiddenProofs" },
  { type: "uint256[8][]", name: "outputProofs" },
] as const;

/** A chunk set (tiles, hidden first, then the link) as call arguments: the link's statement and the chunks. */
export interface ChunksCall {
  /** The link's public signals before its io list. */
  readonly statement: readonly bigint[];
  /** abi.encode(io, linkProof, hiddenProofs, outputProofs). */
  readonly chunks: Hex;
}

/** The call arguments of a chunk set of `tiles` hidden and output tiles followed by its link. */
export function chunksCall(proofs: readonly ChunkProof[], tiles: { hidden: number; output: number }): ChunksCall {
  const NT = tiles.hidden + tiles.output;
  if (proofs.length !== NT + 1)
    throw new Error(`expected ${NT + 1} chunk proofs (tiles, then the link), got ${proofs.length}`);
  const link = proofs[NT]!;
  const signals = link.publicSignals.map((v) => BigInt(v));
  const head = signals.length - NT;
  return {
    statement: signals.slice(0, head),
    chunks: encodeChunks(signals.slice(head), link, proofs.slice(0, tiles.hidden), proofs.slice(tiles.hidden, NT)),
  };
}

/** The chunks argument: abi.encode(io, linkProof, hiddenProofs, outputProofs), with no check of the counts. */
export function encodeChunks(
  io: readonly bigint[],
  link: ChunkProof,
  hidden: readonly ChunkProof[],
  output: readonly ChunkProof[],
): Hex {
  const words = (p: ChunkProof): ProofWords => proofWords(packProof(p.proof));
  return encodeAbiParameters(CHUNKS_ABI, [io, words(link), hidden.map(words), output.map(words)]);
}

/** The contracts of a chunked family on a registry. */
export interface ChunkedFamilyDeployment {
  readonly id: Hex;
  readonly genesisVerifier: Address;
  readonly stepVerifier: Address;
}

/**
 * Deploys a chunked family's adapters and its two chunk verifiers, and registers the family in the
 * CircuitFamilies table through the policy timelock, scheduled and executed at once: `proposer` must be the
 * timelock's proposer and its delay zero (a local registry). A timelock with a delay is refused before
 * anything is deployed: resuming a scheduled registration is not built (docs/chunks.md, Limits).
 */
export async function addChunkedFamily(
  viem: HardhatViemHelpers,
  at: { readonly familyTable: Address; readonly timelock: Address },
  f: ChunkedFamilySpec,
  proposer: Address,
  log: Logger,
): Promise<ChunkedFamilyDeployment> {
  const table = await viem.getContractAt("CircuitFamilies", at.familyTable);
  const id = familyId(f.name);
  const delay = await (await viem.getContractAt("PolicyTimelock", at.timelock)).read.getMinDelay();
  const adapters = new Map<string, Address>();
  const adapter = async (circuit: string): Promise<Address> => {
    let a = adapters.get(circuit);
    if (!a) {
      requireArtifacts(circuit);
      log.info(`deploying ${adapterName(circuit)}`);
      const deployed = (await viem.deployContract(adapterName(circuit) as never)) as unknown as { address: Address };
      a = getAddress(deployed.address);
      adapters.set(circuit, a);
    }
    return a;
  };
  const verifier = async (name: "ChunkedGenesisVerifier" | "ChunkedStepVerifier", c: ChunkedFamilySpec["step"]) => {
    const args = [await adapter(c.link.id), await adapter(c.hidden.id), await adapter(c.output.id)] as const;
    log.info(`deploying ${name}`);
    const v = await viem.deployContract(name, [...args, BigInt(f.tiles.hidden), BigInt(f.tiles.output)]);
    return getAddress(v.address);
  };
  if (await familyRegistered(table, id)) {
    const got = await table.read.getFamily([id]);
    log.info(`family ${f.name} is already registered (${id})`);
    return { id, genesisVerifier: got.genesisVerifier, stepVerifier: got.checkpointVerifier };
  }
  if (delay !== 0n)
    throw new Error(
      `the policy timelock has a delay of ${delay} s: adding a chunked family through it is built for a ` +
        "local registry with a zero delay only (npm run chunks --on-chain)",
    );
  const genesisVerifier = await verifier("ChunkedGenesisVerifier", f.genesis);
  const stepVerifier = await verifier("ChunkedStepVerifier", f.step);
  const call = policyCall(
    at.timelock,
    { address: at.familyTable, abi: table.abi },
    "registerFamily",
    [id, genesisVerifier, stepVerifier, 1, stepVerifier, f.description],
    familyId(`vtr/add-chunked-family/${f.name}`),
  );
  const done = await throughTimelock(viem, call, proposer, log, `registering family ${f.name}`);
  if (done.state !== "executed") throw new Error(`family ${f.name}: the timelock did not execute its registration`);
  if (!(await familyRegistered(table, id))) throw new Error(`family ${f.name} is not registered after execution`);
  return { id, genesisVerifier, stepVerifier };
}

/**
 * Registers a chunked run: its genesis chunks verified and recorded by the family's ChunkedGenesisVerifier
 * (unless recorded already), then registerRun (registerSampledRun with `sampling`) with the genesis
 * statement (the proof words are not read).
 * Returns the run id and the gas of both transactions. The beacon is drawn separately (drawRunBeacon).
 */
export async function registerChunkedRun(
  viem: HardhatViemHelpers,
  registry: Registry,
  publicClient: PublicClient,
  family: ChunkedFamilySpec,
  genesis: readonly ChunkProof[],
  attestations: Attestations,
  sampling?: Sampling,
): Promise<{ runId: bigint; gas: { proveGenesis: bigint; registerRun: bigint } }> {
  const { statement, chunks } = chunksCall(genesis, family.tiles);
  const { specCommitment, lab, facts } = genesisArgs(statement);
  const id = familyId(family.name);
  const table = await viem.getContractAt("CircuitFamilies", await registry.read.families());
  const onChain = await table.read.getFamily([id]);
  const verifier = await viem.getContractAt("ChunkedGenesisVerifier", onChain.genesisVerifier);
  const words = statement as unknown as readonly [bigint, bigint, bigint, bigint, bigint, bigint, bigint];
  let proveGas = 0n;
  if (!(await verifier.read.proven([words]))) {
    const r = await mined(publicClient, await verifier.write.proveGenesis([words, chunks]), "proveGenesis");
    proveGas = r.gasUsed;
  }
  const zero = [0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n] as const;
  let runId = await registry.read.runOfSpec([lab, specCommitment]);
  let registerGas = 0n;
  if (runId === 0n) {
    const hash = sampling
      ? await registry.write.registerSampledRun([id, specCommitment, attestations, sampling, facts, zero])
      : await registry.write.registerRun([id, specCommitment, attestations, facts, zero]);
    const r = await mined(publicClient, hash, sampling ? "registerSampledRun" : "registerRun");
    registerGas = r.gasUsed;
    runId = await registry.read.runOfSpec([lab, specCommitment]);
  }
  return { runId, gas: { proveGenesis: proveGas, registerRun: registerGas } };
}

/** The ABI types of answerChunkChallenge's proofs for one tile, and for every chunk of the step. */
const TILE_ANSWER_ABI = [
  { type: "uint256[8]", name: "linkProof" },
  { type: "uint256[8]", name: "tileProof" },
] as const;
const STEP_ANSWER_ABI = CHUNKS_ABI.slice(1);

/**
 * The proofs a sampled challenge asks for, as answerChunkChallenge takes them: `chunk` as getChallenge
 * reports it. 0: every chunk, `tileProofs` every tile (hidden tiles first), encoded
 * abi.encode(linkProof, hiddenProofs, outputProofs); c >= 1: tile c - 1 alone, `tileProofs` [its proof],
 * encoded abi.encode(linkProof, tileProof).
 */
export function encodeAnswerProofs(
  link: ChunkProof,
  tileProofs: readonly ChunkProof[],
  tiles: { hidden: number; output: number },
  chunk: number,
): Hex {
  const NT = tiles.hidden + tiles.output;
  if (!Number.isInteger(chunk) || chunk < 0 || chunk > NT)
    throw new RangeError(`chunk ${chunk} is not 0 (every chunk) or a tile 1 .. ${NT}`);
  const words = (p: ChunkProof): ProofWords => proofWords(packProof(p.proof));
  const expected = chunk === 0 ? NT : 1;
  if (tileProofs.length !== expected)
    throw new Error(`chunk ${chunk} is answered with ${expected} tile proof(s), got ${tileProofs.length}`);
  if (chunk === 0)
    return encodeAbiParameters(STEP_ANSWER_ABI, [
      words(link),
      tileProofs.slice(0, tiles.hidden).map(words),
      tileProofs.slice(tiles.hidden).map(words),
    ]);
  return encodeAbiParameters(TILE_ANSWER_ABI, [words(link), words(tileProofs[0]!)]);
}

/**
 * answerChunkChallenge's arguments for step t of a chunked sampled run: its roots opened in the committed
 * windows (`roots` r(0) .. r(T), windows of W steps), its io opened in its window's chunk statements
 * (`chunkIo[t]` for every step of the run, as committed), and the proofs `chunk` asks for: the step's link
 * proof and its tiles' proofs as encodeAnswerProofs takes them.
 */
export function chunkAnswerArgs(
  runId: bigint,
  step: bigint,
  roots: readonly bigint[],
  W: number,
  refs: ReadonlyMap<bigint, WindowRef>,
  chunkIo: readonly (readonly bigint[])[],
  answer: { readonly link: ChunkProof; readonly tileProofs: readonly ChunkProof[] },
  tiles: { hidden: number; output: number },
  chunk: number,
) {
  const NT = tiles.hidden + tiles.output;
  const signals = answer.link.publicSignals.map((v) => BigInt(v));
  const { claim } = checkpointArgs(signals.slice(0, signals.length - NT));
  const window = step / BigInt(W);
  const first = Number(window) * W;
  const statements = new ChunkStatementsTree(window, chunkIo.slice(first, first + W));
  const io = statements.ioOf(step);
  const stated = signals.slice(-NT);
  if (io.length !== NT || io.some((v, i) => v !== stated[i]))
    throw new Error(`step ${step}: the committed io are not the ones its link proof states`);
  return [
    runId,
    challengeAnswer(runId, step, roots, W, refs, claim),
    io,
    statements.path(step),
    encodeAnswerProofs(answer.link, answer.tileProofs, tiles, chunk),
  ] as const;
}

/** Submits one step's chunk proofs (tiles, then the link) in one call; returns the gas used. */
export async function submitChunkedStep(
  registry: Registry,
  publicClient: PublicClient,
  runId: bigint,
  proofs: readonly ChunkProof[],
  tiles: { hidden: number; output: number },
): Promise<bigint> {
  const { statement, chunks } = chunksCall(proofs, tiles);
  const { claim } = checkpointArgs(statement);
  const r = await mined(
    publicClient,
    await registry.write.submitChunkedStep([runId, claim, chunks]),
    `submitChunkedStep (step ${claim.firstStep})`,
  );
  return r.gasUsed;
}

/** What `runChunkedOnChain` did. */
export interface ChunkedOnChainSummary extends ChunkedRunSummary {
  readonly family: string;
  readonly registry: Address;
  readonly runId: bigint;
  readonly beacon: bigint;
  /** "Active" or "Completed" (every planned step accepted). */
  readonly status: string;
  readonly stepsAccepted: bigint;
  readonly gas: { readonly proveGenesis: bigint; readonly registerRun: bigint; readonly steps: readonly bigint[] };
  /** Sampled mode only: the challenges answered and the chunk proofs that took. */
  readonly sampled?: SampledChunksSummary;
}

/** A sampled chunked run's challenges: what was asked, what was proven, what the answers cost. */
export interface SampledChunksSummary {
  readonly windows: number;
  /** Each challenge: its step, the chunk asked (0: every chunk, c: tile c - 1) and its answer's gas. */
  readonly answered: readonly { readonly step: bigint; readonly chunk: number; readonly gas: bigint }[];
  /** Chunk proofs made for the answers, against every chunk of every step. */
  readonly chunksProven: number;
  readonly chunksInRun: number;
  /** Gas of committing the chunk statements and the windows, in order. */
  readonly commitGas: readonly bigint[];
}

const RUN_STATUS = ["None", "Active", "Closed", "Completed"] as const;

/** Options of `runChunkedOnChain`. */
export interface ChunkedOnChainOptions {
  readonly dir: string;
  readonly tiling: Tiling;
  readonly steps?: number;
  /** Register in sampled mode with these terms, instead of proving every step (full mode). */
  readonly sampling?: Sampling;
  readonly progress?: (phase: string, done: number, total: number, label: string) => void;
}

/**
 * A chunked run on a fresh registry of a local chain (the in-process one, or `hardhat node`): the registry
 * deployed with a zero policy delay and the run's chunked family added; the genesis proven as chunks
 * (DIR/genesis/) and the run registered with it; the beacon drawn. In full mode, every step is then proven
 * as chunks (DIR/beacon-<beacon>/step-<t>/) and submitted in one call as soon as its set is checked. In
 * sampled mode (`sampling`), the run is trained, every window's chunk statements and roots are committed
 * from the chunk jobs' inputs (no proof yet), the challenges are drawn, and each is answered with the
 * chunks it asks for, proven then (same directories).
 */
export async function runChunkedOnChain(
  conn: { readonly viem: HardhatViemHelpers },
  spec: TrainingSpec,
  data: CommittedDataset,
  o: ChunkedOnChainOptions,
  log: Logger,
): Promise<ChunkedOnChainSummary> {
  const family = chunkedFamilyOf(chunkedShape(spec), o.tiling);
  if (spec.checkpointInterval !== 1)
    throw new Error(
      `a chunked family proves one step per submission (K = 1): the spec's checkpointInterval is ${spec.checkpointInterval}`,
    );
  const steps = o.steps ?? spec.plannedSteps;
  if (o.sampling && (steps % o.sampling.windowSteps !== 0 || spec.plannedSteps % o.sampling.windowSteps !== 0))
    throw new Error(
      `a sampled run commits whole windows: ${spec.plannedSteps} planned steps, ${steps} to run, ` +
        `windows of ${o.sampling.windowSteps}`,
    );
  const { viem } = conn;
  const [wallet] = await viem.getWalletClients();
  if (!wallet) throw new Error("the network has no account to deploy and submit from");
  const lab = getAddress(wallet.account.address);
  const genesis = await proveChunkedGenesis(
    spec,
    { dir: o.dir, lab: BigInt(lab), tiling: o.tiling, progress: (d, t, l) => o.progress?.("genesis", d, t, l) },
    log,
  );
  await buildAll({ circuits: [family.step.hidden, family.step.output, family.step.link] }, log);
  await compileGeneratedVerifiers();

  log.info("deploying a registry (policy delay 0) and the chunked family");
  const d = await deployRegistry(viem, { families: [], policyDelay: 0n }, log);
  await addChunkedFamily(viem, { familyTable: d.familyTable.address, timelock: d.timelock.address }, family, lab, log);
  const publicClient = await viem.getPublicClient();
  const registry = await registryContract(viem, d.registry.address);
  const planned = BigInt(spec.plannedSteps);
  const attestations = { flopsCap: 2n ** 96n - 1n, maxSteps: planned, checkpointDeadline: 86_400n };
  const fromBlock = await publicClient.getBlockNumber();
  const { runId, gas } = await registerChunkedRun(
    viem,
    registry,
    publicClient,
    family,
    genesis,
    attestations,
    o.sampling,
  );
  log.info(
    `run ${runId} registered${o.sampling ? " in sampled mode" : ""} ` +
      `(proveGenesis ${gas.proveGenesis} gas, registerRun ${gas.registerRun} gas)`,
  );
  const beacon = await drawRunBeacon(registry, publicClient, runId, { log });
  log.info(`beacon 0x${beacon.toString(16)} drawn`);
  const dir = path.join(o.dir, `beacon-${beacon.toString(16)}`);

  const stepGas: bigint[] = [];
  let sampled: SampledChunksSummary | undefined;
  let summary: ChunkedRunSummary;
  if (o.sampling) {
    const r = await answerSampledChunks(
      { registry, publicClient, runId, fromBlock },
      spec,
      data,
      { dir, lab: BigInt(lab), beacon, family, steps, windowSteps: o.sampling.windowSteps, progress: o.progress },
      log,
    );
    summary = r.summary;
    sampled = r.sampled;
  } else {
    summary = await proveChunkedRun(
      spec,
      data,
      {
        dir,
        lab: BigInt(lab),
        beacon,
        tiling: o.tiling,
        steps,
        progress: (done, total, label) => o.progress?.("steps", done, total, label),
        onStep: async (step, proofs) => {
          const used = await submitChunkedStep(registry, publicClient, runId, proofs, family.tiles);
          stepGas.push(used);
          log.info(`step ${step}: ${proofs.length} chunk proofs accepted in one call (${used} gas)`);
        },
      },
      log,
    );
  }
  const run = await registry.read.getRun([runId]);
  return {
    ...summary,
    family: family.name,
    registry: d.registry.address,
    runId,
    beacon,
    status: RUN_STATUS[run.status] ?? String(run.status),
    stepsAccepted: run.steps,
    gas: { ...gas, steps: stepGas },
    ...(sampled ? { sampled } : {}),
  };
}

/**
 * A sampled chunked run after its registration: trains it, commits every window's chunk statements and roots
 * (from the chunk jobs' inputs: nothing is proven yet), draws each window's challenges (mining the empty
 * blocks a development chain needs), then proves the chunks each open challenge asks for in DIR/step-<t>/
 * and answers it (answerChunkChallenge).
 */
async function answerSampledChunks(
  on: { readonly registry: Registry; readonly publicClient: PublicClient; readonly runId: bigint; fromBlock: bigint },
  spec: TrainingSpec,
  data: CommittedDataset,
  o: {
    readonly dir: string;
    readonly lab: bigint;
    readonly beacon: bigint;
    readonly family: ChunkedFamilySpec;
    readonly steps: number;
    readonly windowSteps: number;
    readonly progress?: ((phase: string, done: number, total: number, label: string) => void) | undefined;
  },
  log: Logger,
): Promise<{ summary: ChunkedRunSummary; sampled: SampledChunksSummary }> {
  const { registry, publicClient, runId } = on;
  const tiles = o.family.tiles;
  const NT = tiles.hidden + tiles.output;
  const run = train({ ...spec, plannedSteps: o.steps }, data, o.beacon);
  const sets = run.steps.map((r) =>
    chunkedStep(spec, data, r, { lab: o.lab, beacon: o.beacon }, o.family.tiling, o.family.step),
  );
  const io = sets.map(statedIo);
  const root0 = (await registry.read.getRun([runId])).root0;
  const roots = [root0, ...sets.map((x) => x.head[3]!)];
  const commit = await commitWindows(
    registry,
    publicClient,
    runId,
    roots,
    log,
    { fromBlock: on.fromBlock, mineEmptyBlocks: true },
    io,
  );
  const { challenges, refs } = await runChallenges(registry, publicClient, on.fromBlock, runId);
  const open = challenges.filter((c) => c.state === "Open");
  const asked = open.map((c) => (c.chunk === 0 ? NT + 1 : 2));
  const total = asked.reduce((a, b) => a + b, 0);
  o.progress?.("answers", 0, total, "");
  const answered: { step: bigint; chunk: number; gas: bigint }[] = [];
  let proven = 0;
  for (const c of open) {
    const set = sets[Number(c.step)]!;
    const names = c.chunk === 0 ? set.jobs.map((j) => j.name) : [set.jobs[c.chunk - 1]!.name, "link"];
    const jobs = set.jobs.filter((j) => names.includes(j.name));
    const before = proven;
    const proofs = await proveChunks(
      { head: set.head, jobs },
      {
        dir: path.join(o.dir, `step-${c.step}`),
        progress: (done, name) => o.progress?.("answers", before + done, total, `step ${c.step} ${name}`),
      },
    );
    proven += proofs.length;
    const link = proofs[proofs.length - 1]!;
    const args = chunkAnswerArgs(
      runId,
      c.step,
      roots,
      o.windowSteps,
      refs,
      io,
      { link, tileProofs: proofs.slice(0, -1) },
      tiles,
      c.chunk,
    );
    const r = await mined(
      publicClient,
      await registry.write.answerChunkChallenge(args),
      `answerChunkChallenge (step ${c.step})`,
    );
    answered.push({ step: c.step, chunk: c.chunk, gas: r.gasUsed });
    log.info(
      `step ${c.step}: ${c.chunk === 0 ? "every chunk" : `tile ${c.chunk - 1} and the link`} answered ` +
        `(${proofs.length} proofs, ${r.gasUsed} gas)`,
    );
  }
  return {
    summary: chunkedRunSummary(run, data, NT + 1),
    sampled: {
      windows: commit.committed,
      answered,
      chunksProven: proven,
      chunksInRun: (NT + 1) * run.steps.length,
      commitGas: commit.gas,
    },
  };
}
