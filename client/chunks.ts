/**
 * Chunked runs on a registry (issue #26, docs/chunks.md): a chunked family's contracts deployed and the family
 * registered through the policy timelock; a chunked genesis verified (ChunkedGenesisVerifier.proveGenesis) and
 * the run registered with it; every step's chunk proofs submitted in one call (submitChunkedStep). The chunks
 * argument's layout, abi.encode(io, linkProof, hiddenProofs, outputProofs), is written here only.
 */
import path from "node:path";
import type { HardhatViemHelpers } from "@nomicfoundation/hardhat-viem/types";
import { encodeAbiParameters, getAddress, zeroAddress, type Address, type Hex, type PublicClient } from "viem";
import { chunkedShape, proveChunkedGenesis, proveChunkedRun, type ChunkedRunSummary } from "../prover/chunk/run.js";
import type { ChunkProof } from "../prover/chunk/step.js";
import type { CommittedDataset } from "../prover/dataset/dataset.js";
import { buildAll } from "../prover/proving/artifacts.js";
import { packProof, proofWords, type ProofWords } from "../prover/proving/calldata.js";
import { chunkedFamilyOf, familyId, type ChunkedFamilySpec } from "../prover/proving/families.js";
import type { Logger } from "../prover/proving/log.js";
import { adapterName, type Tiling } from "../prover/proving/manifest.js";
import { requireArtifacts } from "../prover/proving/prove.js";
import type { TrainingSpec } from "../prover/spec/schema.js";
import { checkpointArgs, genesisArgs, type Attestations } from "./calls.js";
import type { registryAt } from "./connect.js";
import { registryContract } from "./contract.js";
import { deployRegistry } from "./deploy.js";
import { compileGeneratedVerifiers, familyRegistered } from "./families.js";
import { drawRunBeacon } from "./runs.js";
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
    [id, genesisVerifier, stepVerifier, 1, zeroAddress, f.description],
    familyId(`vtr/add-chunked-family/${f.name}`),
  );
  const done = await throughTimelock(viem, call, proposer, log, `registering family ${f.name}`);
  if (done.state !== "executed") throw new Error(`family ${f.name}: the timelock did not execute its registration`);
  if (!(await familyRegistered(table, id))) throw new Error(`family ${f.name} is not registered after execution`);
  return { id, genesisVerifier, stepVerifier };
}

/**
 * Registers a chunked run: its genesis chunks verified and recorded by the family's ChunkedGenesisVerifier
 * (unless recorded already), then registerRun with the genesis statement (the proof words are not read).
 * Returns the run id and the gas of both transactions. The beacon is drawn separately (drawRunBeacon).
 */
export async function registerChunkedRun(
  viem: HardhatViemHelpers,
  registry: Registry,
  publicClient: PublicClient,
  family: ChunkedFamilySpec,
  genesis: readonly ChunkProof[],
  attestations: Attestations,
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
    const r = await mined(
      publicClient,
      await registry.write.registerRun([id, specCommitment, attestations, facts, zero]),
      "registerRun",
    );
    registerGas = r.gasUsed;
    runId = await registry.read.runOfSpec([lab, specCommitment]);
  }
  return { runId, gas: { proveGenesis: proveGas, registerRun: registerGas } };
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
}

const RUN_STATUS = ["None", "Active", "Closed", "Completed"] as const;

/**
 * A chunked run on a fresh registry of a local chain (the in-process one, or `hardhat node`): the registry
 * deployed with a zero policy delay and the run's chunked family added; the genesis proven as chunks
 * (DIR/genesis/) and the run registered with it; the beacon drawn; then every step proven as chunks
 * (DIR/beacon-<beacon>/step-<t>/) and submitted in one call as soon as its set is checked.
 */
export async function runChunkedOnChain(
  conn: { readonly viem: HardhatViemHelpers },
  spec: TrainingSpec,
  data: CommittedDataset,
  o: {
    readonly dir: string;
    readonly tiling: Tiling;
    readonly steps?: number;
    readonly progress?: (phase: string, done: number, total: number, label: string) => void;
  },
  log: Logger,
): Promise<ChunkedOnChainSummary> {
  const family = chunkedFamilyOf(chunkedShape(spec), o.tiling);
  if (spec.checkpointInterval !== 1)
    throw new Error(
      `a chunked family proves one step per submission (K = 1): the spec's checkpointInterval is ${spec.checkpointInterval}`,
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
  const { runId, gas } = await registerChunkedRun(viem, registry, publicClient, family, genesis, attestations);
  log.info(`run ${runId} registered (proveGenesis ${gas.proveGenesis} gas, registerRun ${gas.registerRun} gas)`);
  const beacon = await drawRunBeacon(registry, publicClient, runId, { log });
  log.info(`beacon 0x${beacon.toString(16)} drawn`);

  const stepGas: bigint[] = [];
  const summary = await proveChunkedRun(
    spec,
    data,
    {
      dir: path.join(o.dir, `beacon-${beacon.toString(16)}`),
      lab: BigInt(lab),
      beacon,
      tiling: o.tiling,
      ...(o.steps === undefined ? {} : { steps: o.steps }),
      progress: (done, total, label) => o.progress?.("steps", done, total, label),
      onStep: async (step, proofs) => {
        const used = await submitChunkedStep(registry, publicClient, runId, proofs, family.tiles);
        stepGas.push(used);
        log.info(`step ${step}: ${proofs.length} chunk proofs accepted in one call (${used} gas)`);
      },
    },
    log,
  );
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
  };
}
