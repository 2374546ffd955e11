/**
 * Train-and-prove over a run directory (issue #3): trains the spec's model on
 * its committed dataset and writes a genesis proof, a step proof per step
 * (optional) and a checkpoint proof every K steps, each a self-describing
 * bundle. Training is deterministic, so an interrupted run resumes by
 * re-training (cheap) and proving only what has no complete bundle yet.
 *
 * Training needs the run's registration beacon (the data order depends on
 * it): it is recorded in run.json by `register`, or given explicitly; without
 * one only the genesis proof can be made.
 *
 * Run directory:
 *   run.json                               what this directory is for (spec commitment, lab, beacon, circuits)
 *   genesis.json                           genesis proof bundle
 *   steps/step-000007.json                 step proof of step 7 (Checkpoint(1))
 *   checkpoints/checkpoint-000004-000007.json   K = 4 checkpoint proof of steps 4..7
 *   metrics.json                           loss and accuracy at each checkpoint (reporting only)
 */
import path from "node:path";
import type { CommittedDataset } from "../dataset/dataset.js";
import { requireArtifacts, type ProofBundle } from "../proving/prove.js";
import type { Logger } from "../proving/log.js";
import {
  inProcess,
  keepProven,
  statementOf,
  type BundleTally,
  type ProofTask,
  type ProvingBackend,
} from "../proving/tasks.js";
import { specCommitment } from "../spec/commitment.js";
import type { TrainingSpec } from "../spec/schema.js";
import { checkpointInputs, genesisInputs, type RunBinding } from "../statement/inputs.js";
import { checkDatasetMatchesSpec, evaluateOn, train } from "../training/trainer.js";
import { familyOfSpec } from "../proving/families.js";
import { readJsonIfExists, writeJsonAtomic } from "../fs/atomic.js";
import { z } from "zod";

/** Hardhat's first development account: the default lab on the local networks. */
export const DEFAULT_LAB = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";

/** The circuits a run directory's proofs are made with, by role (from the spec's family). */
export interface RunCircuits {
  readonly family: string;
  readonly genesis: string;
  readonly step: string;
  readonly checkpoint: string;
  readonly checkpointSteps: number;
}

export function runCircuitsOf(spec: TrainingSpec): RunCircuits {
  const f = familyOfSpec(spec);
  return {
    family: f.name,
    genesis: f.genesis,
    step: f.step,
    checkpoint: f.checkpoint,
    checkpointSteps: f.stepsPerCheckpoint,
  };
}

export interface ProveOptions {
  readonly runDir: string;
  /** The lab's address: the run binding of every proof. */
  readonly lab: bigint;
  /** The run's registration beacon (default: the one recorded in run.json). */
  readonly beacon?: bigint;
  /** Write a step proof for every step (default true). */
  readonly stepProofs?: boolean;
  /** Steps to train (default: the spec's planned steps). */
  readonly steps?: number;
  /** The spec's file, for messages. */
  readonly specFile?: string;
  /** Where the proofs are made (default: in this process; a queue: prover/queue/). */
  readonly backend?: ProvingBackend;
}

export interface ProveSummary {
  readonly written: readonly string[];
  readonly reused: readonly string[];
  readonly lossBefore: number;
  readonly lossAfter: number;
  readonly accuracyBefore: number;
  readonly accuracyAfter: number;
}

const decimal = z.string().regex(/^\d+$/, "a decimal integer");
const hex = z.string().regex(/^0x[0-9a-fA-F]+$/, "a 0x-prefixed hex integer");

/** Where the run was registered: recorded by `register` (issue #25), so nothing re-derives it. */
export const RegistrationSchema = z.object({
  chainId: z.number().int().positive(),
  registry: z.string().regex(/^0x[0-9a-fA-F]{40}$/, "an address"),
  runId: decimal,
  /** The block whose hash is the beacon. */
  beaconBlock: decimal,
});
export type Registration = z.infer<typeof RegistrationSchema>;

/** run.json: one schema, read and written only here. */
export const RunRecordSchema = z.object({
  specCommitment: hex,
  lab: hex,
  /** The registration beacon, once the run is registered (decimal). */
  beacon: decimal.optional(),
  registration: RegistrationSchema.optional(),
  circuits: z.object({
    family: z.string(),
    genesis: z.string(),
    step: z.string(),
    checkpoint: z.string(),
    checkpointSteps: z.number().int().positive(),
  }),
});
export type RunRecord = z.infer<typeof RunRecordSchema>;

const runFileOf = (runDir: string): string => path.join(runDir, "run.json");

/** The run directory's record, if it has one; a damaged one is refused, saying what is wrong. */
export async function readRunRecord(runDir: string): Promise<RunRecord | undefined> {
  const raw = await readJsonIfExists(runFileOf(runDir));
  if (raw === undefined) return undefined;
  const r = RunRecordSchema.safeParse(raw);
  if (!r.success)
    throw new Error(
      `${runFileOf(runDir)} is not a run record: ${r.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`,
    );
  return r.data;
}

/**
 * Records where the run was registered and its beacon (refuses to change either once recorded:
 * a run directory belongs to one run).
 */
export async function recordRegistration(runDir: string, registration: Registration, beacon: bigint): Promise<void> {
  await recordBeacon(runDir, beacon);
  const r = (await readRunRecord(runDir))!;
  const was = r.registration;
  if (
    was !== undefined &&
    (was.chainId !== registration.chainId ||
      was.registry.toLowerCase() !== registration.registry.toLowerCase() ||
      was.runId !== registration.runId)
  )
    throw new Error(
      `${runDir} already records run ${was.runId} of registry ${was.registry} on chain ${was.chainId}: use another --run-dir`,
    );
  await writeJsonAtomic(runFileOf(runDir), { ...r, registration });
}

/** Records the beacon the registry drew for the run (refuses to change a recorded one). */
export async function recordBeacon(runDir: string, beacon: bigint): Promise<void> {
  const r = await readRunRecord(runDir);
  if (!r) throw new Error(`${runDir} has no run.json to record the beacon in`);
  if (r.beacon !== undefined && BigInt(r.beacon) !== beacon)
    throw new Error(`${runDir} already records beacon ${r.beacon} for its run, not ${beacon}: use another --run-dir`);
  await writeJsonAtomic(runFileOf(runDir), { ...r, beacon: beacon.toString() });
}

const pad = (n: number): string => String(n).padStart(6, "0");

/** Throws, saying what to run, unless the family's proving artifacts are built (those of `roles`). */
function checkArtifacts(
  c: RunCircuits,
  specFile = "SPEC",
  roles: readonly ("genesis" | "step" | "checkpoint")[] = ["genesis", "step", "checkpoint"],
): void {
  for (const id of new Set(roles.map((r) => c[r]))) {
    try {
      requireArtifacts(id);
    } catch {
      throw new Error(
        `family ${c.family} has no built proving keys (${id} missing): run \`npm run artifacts -- --spec ${specFile}\` first`,
      );
    }
  }
}

/** A run directory checked and bound to its run: circuits, the lab and beacon, the steps to train. */
export interface PreparedRun {
  readonly circuits: RunCircuits;
  readonly binding: RunBinding;
  readonly steps: number;
  /** Whether the run has a beacon (training needs one). */
  readonly hasBeacon: boolean;
}

/**
 * Every check before any work: the dataset is the spec's, the family's keys
 * are built, the run directory belongs to this run (or is new), the beacon
 * is known if steps are to be trained; then writes run.json.
 */
export async function prepareRun(
  spec: TrainingSpec,
  data: CommittedDataset,
  opts: ProveOptions,
  roles?: readonly ("genesis" | "step" | "checkpoint")[],
): Promise<PreparedRun> {
  const circuits = runCircuitsOf(spec);
  checkDatasetMatchesSpec(spec, data);
  checkArtifacts(circuits, opts.specFile, roles);
  const commitment = specCommitment(spec);
  const steps = opts.steps ?? spec.plannedSteps;
  const existing = await readRunRecord(opts.runDir);
  const record: RunRecord = {
    specCommitment: `0x${commitment.toString(16)}`,
    lab: `0x${opts.lab.toString(16).padStart(40, "0")}`,
    ...(existing?.beacon !== undefined ? { beacon: existing.beacon } : {}),
    ...(existing?.registration !== undefined ? { registration: existing.registration } : {}),
    circuits,
  };
  if (existing && (existing.specCommitment !== record.specCommitment || BigInt(existing.lab) !== opts.lab)) {
    throw new Error(
      `${opts.runDir} belongs to another run (spec commitment ${existing.specCommitment}, lab ${existing.lab}); use another --run-dir`,
    );
  }
  const recorded = record.beacon === undefined ? undefined : BigInt(record.beacon);
  if (opts.beacon !== undefined && recorded !== undefined && opts.beacon !== recorded)
    throw new Error(`${opts.runDir} records beacon ${recorded} for its run; --beacon ${opts.beacon} contradicts it`);
  const beacon = opts.beacon ?? recorded;
  if (steps > 0 && beacon === undefined)
    throw new Error(
      "the data order depends on the run's beacon, drawn from a block hash after registration: register the run first " +
        "(`npm run registry -- register`, which proves genesis, registers, draws the beacon and records it in run.json), or pass --beacon",
    );
  await writeJsonAtomic(
    runFileOf(opts.runDir),
    beacon === undefined ? record : { ...record, beacon: beacon.toString() },
  );
  return { circuits, binding: { lab: opts.lab, beacon: beacon ?? 0n }, steps, hasBeacon: beacon !== undefined };
}

/** The proofs of a run that could and could not be made. */
export interface ProvedTasks {
  readonly bundles: Map<ProofTask, ProofBundle>;
  readonly failed: ReadonlyArray<{ readonly task: ProofTask; readonly reason: string }>;
  readonly tally: BundleTally;
}

/**
 * Keeps the tasks whose bundles are already valid on disk and proves the
 * others with `backend`. With `stopOnFailure`, throws at the first proof that
 * cannot be made, naming it and the reason.
 */
export async function proveTasks(
  runDir: string,
  tasks: readonly ProofTask[],
  backend: ProvingBackend,
  stopOnFailure: boolean,
  log: Logger,
): Promise<ProvedTasks> {
  const tally: BundleTally = { written: [], reused: [] };
  const { kept, todo } = await keepProven(runDir, tasks, tally, log);
  const bundles = new Map(kept);
  const failed: Array<{ task: ProofTask; reason: string }> = [];
  if (todo.length > 0) {
    if (backend !== inProcess)
      log.info(`${todo.length} proof(s) to make, ${kept.size} kept; proving ${backend.description}`);
    const outcomes = await backend.proveAll(todo, { stopOnFailure }, log);
    for (const task of todo) {
      const o = outcomes.get(task);
      if (o?.ok) {
        bundles.set(task, o.bundle);
        tally.written.push(path.relative(runDir, task.file));
      } else if (o) {
        failed.push({ task, reason: o.reason });
        if (stopOnFailure) throw new Error(`${task.label} cannot be proved: ${o.reason}`);
      }
    }
  }
  return { bundles, failed, tally };
}

/** The step proof file of step t. */
export const stepFile = (runDir: string, t: number): string => path.join(runDir, "steps", `step-${pad(t)}.json`);

export async function trainAndProve(
  spec: TrainingSpec,
  data: CommittedDataset,
  opts: ProveOptions,
  log: Logger,
): Promise<ProveSummary> {
  const { circuits, binding, steps } = await prepareRun(spec, data, opts);
  const K = circuits.checkpointSteps;

  log.info(`training ${steps} steps (bit-exact reference trainer)`);
  const t0 = performance.now();
  const run = train(spec, data, binding.beacon, steps);
  const trainMs = performance.now() - t0;
  log.info(`trained in ${trainMs.toFixed(0)} ms; proving`);

  const tasks: ProofTask[] = [];
  const g = genesisInputs(spec, opts.lab);
  tasks.push({
    file: path.join(opts.runDir, "genesis.json"),
    circuit: circuits.genesis,
    inputs: g.inputs,
    expect: statementOf(g.statement),
    label: "genesis",
  });

  const metrics: Array<{ step: number; loss: number; accuracy: number }> = [
    { step: 0, ...evaluateOn(run.shape, run.initial, data) },
  ];
  for (let t = 0; t < steps; t++) {
    if (opts.stepProofs !== false) {
      const c = checkpointInputs(spec, data, run.steps.slice(t, t + 1), binding);
      const expect = statementOf(c.statement);
      tasks.push({
        file: stepFile(opts.runDir, t),
        circuit: circuits.step,
        inputs: c.inputs,
        expect,
        label: `step ${t}`,
      });
    }
    // With K = 1 the step proof is the checkpoint: not proved twice.
    const stepIsCheckpoint = K === 1 && opts.stepProofs !== false;
    if ((t + 1) % K === 0) {
      const a = t + 1 - K;
      if (!stepIsCheckpoint) {
        const c = checkpointInputs(spec, data, run.steps.slice(a, t + 1), binding);
        tasks.push({
          file: path.join(opts.runDir, "checkpoints", `checkpoint-${pad(a)}-${pad(t)}.json`),
          circuit: circuits.checkpoint,
          inputs: c.inputs,
          expect: statementOf(c.statement),
          label: `checkpoint ${a}-${t}`,
        });
      }
      metrics.push({ step: t + 1, ...evaluateOn(run.shape, run.steps[t]!.paramsAfter, data) });
    }
  }
  const { tally } = await proveTasks(opts.runDir, tasks, opts.backend ?? inProcess, true, log);
  if (steps % K !== 0) log.warn(`the last ${steps % K} step(s) are not covered by a checkpoint (interval ${K})`);
  await writeJsonAtomic(path.join(opts.runDir, "metrics.json"), { trainMs, metrics });
  const first = metrics[0]!;
  const last = { step: steps, ...evaluateOn(run.shape, run.final, data) };
  return {
    written: tally.written,
    reused: tally.reused,
    lossBefore: first.loss,
    lossAfter: last.loss,
    accuracyBefore: first.accuracy,
    accuracyAfter: last.accuracy,
  };
}
