/**
 * A run directory (prover/run/prover.ts) against the registry: register it
 * with its genesis proof and submit every checkpoint the chain does not
 * have yet (safe to re-run after a crash: the chain says where the run
 * stands). Runs are read back through client/read/runs.ts.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { getAddress, type Address, type PublicClient } from "viem";
import { familyId, familySpec, type FamilySpec } from "../prover/proving/families.js";
import { silentLogger, type Logger } from "../prover/proving/log.js";
import type { ProofBundle } from "../prover/proving/prove.js";
import { readRunRecord, recordRegistration } from "../prover/run/prover.js";
import { checkpointCall, genesisCall, type Attestations } from "./calls.js";
import type { registryAt } from "./connect.js";
import type { DeploymentRecord } from "./deployments.js";
import { mined, waitForBlock } from "./tx.js";

type Registry = Awaited<ReturnType<typeof registryAt>>["registry"];

async function readBundle(file: string): Promise<ProofBundle> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as ProofBundle;
  } catch (e) {
    throw new Error(`cannot read proof bundle ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** The run directory's spec commitment and lab (run.json, written by the prover). */
export async function runDirRecord(runDir: string): Promise<{ specCommitment: bigint; lab: Address }> {
  const r = await readRunRecord(runDir);
  if (!r) throw new Error(`${runDir} is not a run directory (no readable run.json): run \`prove\` for it first`);
  return {
    specCommitment: BigInt(r.specCommitment),
    lab: getAddress(`0x${BigInt(r.lab).toString(16).padStart(40, "0")}`),
  };
}

/** The family the run directory's proofs were made for (run.json). */
async function runDirFamily(runDir: string): Promise<FamilySpec> {
  const r = await readRunRecord(runDir);
  if (!r) throw new Error(`${runDir} is not a run directory (no readable run.json)`);
  return familySpec(r.circuits.family);
}

/** How to wait for a beacon's block (issue #24: the beacon is a block hash drawn after registration). */
export interface BeaconDraw {
  /**
   * Mine the missing empty blocks (a development chain makes blocks only with transactions). Default:
   * on chain id 31337 (Hardhat's in-process network and `hardhat node`) only; a live chain is polled.
   */
  readonly mineEmptyBlocks?: boolean;
  readonly log?: Logger;
}

/**
 * Draws the run's data-order beacon (the hash of the block DRAW_DELAY_BLOCKS after registration) once
 * that block exists, unless drawn already; returns it. Anyone may draw it, but nobody else may bother:
 * a beacon not drawn within 256 blocks of its block is lost, and the run with it (`register` draws at once).
 */
export async function drawRunBeacon(
  registry: Registry,
  publicClient: PublicClient,
  runId: bigint,
  draw: BeaconDraw = {},
): Promise<bigint> {
  const run = await registry.read.getRun([runId]);
  if (run.beacon !== 0n) return run.beacon;
  const mineEmptyBlocks = draw.mineEmptyBlocks ?? (await publicClient.getChainId()) === 31337;
  await waitForBlock(publicClient, run.beaconBlock + 1n, mineEmptyBlocks, draw.log ?? silentLogger);
  await mined(publicClient, await registry.write.drawBeacon([runId]), "drawBeacon");
  return (await registry.read.getRun([runId])).beacon;
}

/**
 * Registers the run directory's genesis proof under `family`, draws the
 * run's beacon once its block exists and records it in run.json (the data
 * order of every later checkpoint depends on it); returns the run id and
 * the beacon. A run registered already (by this lab, with this spec) is not
 * registered again: its beacon is drawn if need be and recorded.
 */
export async function registerRunDir(
  registry: Registry,
  publicClient: PublicClient,
  runDir: string,
  family: string,
  attestations: Attestations,
  draw: BeaconDraw = {},
): Promise<{ runId: bigint; beacon: bigint }> {
  const g = genesisCall(await readBundle(path.join(runDir, "genesis.json")));
  // Registered already (a re-run after a crash before the draw): draw and record only.
  let runId = await registry.read.runOfSpec([g.lab, g.specCommitment]);
  if (runId === 0n) {
    const hash = await registry.write.registerRun([familyId(family), g.specCommitment, attestations, g.facts, g.proof]);
    await mined(publicClient, hash, "registerRun");
    runId = await registry.read.runOfSpec([g.lab, g.specCommitment]);
  }
  const beacon = await drawRunBeacon(registry, publicClient, runId, draw);
  await recordRunRegistration(registry, publicClient, runDir, runId, beacon);
  return { runId, beacon };
}

/** Records in run.json where the run is registered (chain, registry, run id, beacon block) and its beacon. */
export async function recordRunRegistration(
  registry: Registry,
  publicClient: PublicClient,
  runDir: string,
  runId: bigint,
  beacon: bigint,
): Promise<void> {
  const { beaconBlock } = await registry.read.getRun([runId]);
  await recordRegistration(
    runDir,
    {
      chainId: await publicClient.getChainId(),
      registry: registry.address,
      runId: runId.toString(),
      beaconBlock: beaconBlock.toString(),
    },
    beacon,
  );
}

/**
 * The run id of a run directory on this registry (0 if not registered): the one `register` recorded
 * in run.json for this registry (if the chain still has it), else the registry's index of the lab's
 * spec commitment.
 */
export async function runIdOf(registry: Registry, runDir: string): Promise<bigint> {
  const r = await runDirRecord(runDir);
  const recorded = (await readRunRecord(runDir))?.registration;
  if (recorded && recorded.registry.toLowerCase() === registry.address.toLowerCase()) {
    // Checked against the chain: a development chain restarted at the same addresses forgets its runs.
    const runId = BigInt(recorded.runId);
    const known = runId <= (await registry.read.runCount());
    if (known && (await registry.read.getRun([runId])).specCommitment === r.specCommitment) return runId;
  }
  return registry.read.runOfSpec([r.lab, r.specCommitment]);
}

/** The run directory's bundles made by `circuit`, ordered by first step. */
export async function checkpointBundles(
  runDir: string,
  circuit: string,
): Promise<Array<{ file: string; bundle: ProofBundle; firstStep: bigint }>> {
  const out: Array<{ file: string; bundle: ProofBundle; firstStep: bigint }> = [];
  for (const sub of ["steps", "checkpoints"]) {
    let names: string[];
    try {
      names = (await readdir(path.join(runDir, sub))).filter((f) => f.endsWith(".json"));
    } catch {
      continue;
    }
    for (const name of names) {
      const file = path.join(runDir, sub, name);
      const bundle = await readBundle(file);
      if (bundle.circuit !== circuit) continue;
      out.push({ file, bundle, firstStep: checkpointCall(bundle).claim.firstStep });
    }
  }
  return out.sort((a, b) => (a.firstStep < b.firstStep ? -1 : a.firstStep > b.firstStep ? 1 : 0));
}

export interface SubmitOutcome {
  readonly runId: bigint;
  readonly submitted: number;
  readonly alreadyOnChain: number;
  readonly steps: bigint;
  /** Gas used by each transaction of this call, in order (one per checkpoint, or per batch with `batch` > 1). */
  readonly gas: readonly bigint[];
  /** Set when the directory has no bundle for the run's next step. */
  readonly waitingFor?: bigint;
}

/**
 * Most checkpoints one batched submission carries: the registry's MAX_CHECKPOINT_BATCH, known here so
 * that `--batch` is checked before connecting (test/contracts/registry.test.ts holds the two equal).
 */
export const MAX_CHECKPOINT_BATCH = 32;

export interface SubmitOptions {
  /**
   * Checkpoints per transaction (1 to MAX_CHECKPOINT_BATCH; default 1): above 1, consecutive
   * checkpoints go in one `submitCheckpoints` call whose proofs the chain verifies together.
   */
  readonly batch?: number;
}

/**
 * Submits, in order, every checkpoint of the run directory that the chain
 * does not have yet; bundles below the run's proven steps are skipped.
 */
export async function submitRunDir(
  registry: Registry,
  publicClient: PublicClient,
  d: DeploymentRecord,
  runDir: string,
  log: Logger,
  opts: SubmitOptions = {},
): Promise<SubmitOutcome> {
  const batch = opts.batch ?? 1;
  if (!Number.isInteger(batch) || batch < 1 || batch > MAX_CHECKPOINT_BATCH)
    throw new Error(`a batch is 1 to ${MAX_CHECKPOINT_BATCH} checkpoints, not ${batch}`);
  const runId = await runIdOf(registry, runDir);
  if (runId === 0n) throw new Error(`the run of ${runDir} is not registered on "${d.network}": run \`register\` first`);
  const run = await registry.read.getRun([runId]);
  if (run.sampled)
    throw new Error(
      `run ${runId} is a sampled run: it commits windows (\`commit\`) and answers challenges (\`answer\`)`,
    );
  const family =
    d.families.find((f) => f.id.toLowerCase() === run.familyId.toLowerCase()) ?? (await runDirFamily(runDir));
  if (familyId(family.name).toLowerCase() !== run.familyId.toLowerCase())
    throw new Error(
      `run ${runId}'s family ${run.familyId} is neither in the deployment record nor ${runDir}'s (${family.name})`,
    );
  const bundles = await checkpointBundles(runDir, family.checkpoint);
  let steps = run.steps;
  let submitted = 0;
  const gas: bigint[] = [];
  const already = bundles.filter((b) => b.firstStep < steps).length;
  if (already > 0)
    log.info(`run ${runId}: ${already} checkpoint(s) already on chain (steps 0..${steps - 1n}), skipped`);
  const all = bundles.filter((b) => b.firstStep >= steps);
  // Only the unbroken chain from the run's proven steps can be submitted.
  const todo: typeof all = [];
  for (const b of all) {
    if (b.firstStep !== steps + BigInt(todo.length * family.stepsPerCheckpoint)) break;
    todo.push(b);
  }
  for (let i = 0; i < todo.length; i += batch) {
    const group = todo.slice(i, i + batch);
    const calls = group.map((b) => checkpointCall(b.bundle));
    const names = group.map((b) => path.relative(runDir, b.file));
    const what = group.length === 1 ? names[0]! : `${names[0]} .. ${names.at(-1)} (${group.length} in one batch)`;
    log.info(`run ${runId}: submitting ${what} (${i + group.length}/${todo.length})`);
    const hash =
      batch === 1
        ? await registry.write.submitCheckpoint([runId, calls[0]!.claim, calls[0]!.proof])
        : await registry.write.submitCheckpoints([runId, calls.map((c) => c.claim), calls.map((c) => c.proof)]);
    gas.push((await mined(publicClient, hash, `submitting ${what}`)).gasUsed);
    steps += BigInt(group.length * family.stepsPerCheckpoint);
    submitted += group.length;
  }
  if (todo.length < all.length) {
    log.warn(`run ${runId}: no bundle starts at step ${steps} (next is ${all[todo.length]!.firstStep}); stopping`);
    return { runId, submitted, alreadyOnChain: already, steps, gas, waitingFor: steps };
  }
  return { runId, submitted, alreadyOnChain: already, steps, gas };
}
