/**
 * Sampled mode on the prover's side (issue #11): train once and write every
 * weights root of the run (cheap), so windows can be committed; later prove
 * only the steps the registry challenged, with the family's step circuit
 * (K = 1), into the run directory's steps/ (resumable like full mode).
 *
 * Run directory, besides full mode's files:
 *   roots.json     r(0) .. r(T) of the trained run, with the beacon they were trained with
 */
import path from "node:path";
import { readJsonIfExists, writeJsonAtomic } from "../fs/atomic.js";
import { weightsRoot } from "../commit/weights.js";
import type { CommittedDataset } from "../dataset/dataset.js";
import type { Logger } from "../proving/log.js";
import type { ProofBundle } from "../proving/prove.js";
import type { TrainingSpec } from "../spec/schema.js";
import { checkpointInputs, genesisInputs } from "../statement/inputs.js";
import { evaluateOn, train, type Deviation, type TrainingRun } from "../training/trainer.js";
import { inProcess, reasonOf, statementOf, type BundleTally, type ProofTask } from "../proving/tasks.js";
import { prepareRun, proveTasks, stepFile, type ProveOptions } from "./prover.js";

/** Sampled mode proves genesis and single steps: it needs no Checkpoint(K) keys. */
const SAMPLED_ROLES = ["genesis", "step"] as const;

export interface SampledOptions extends ProveOptions {
  /** A dishonest lab's deviation (demo and tests only). */
  readonly deviate?: Deviation;
}

/** A trained sampled run: its records and every root. */
export interface TrainedRoots {
  readonly run: TrainingRun;
  /** r(0) .. r(T). */
  readonly roots: readonly bigint[];
  readonly trainMs: number;
  readonly lossBefore: number;
  readonly lossAfter: number;
  readonly accuracyBefore: number;
  readonly accuracyAfter: number;
}

interface RootsFile {
  readonly beacon: string;
  readonly roots: readonly string[];
}

const rootsFileOf = (runDir: string): string => path.join(runDir, "roots.json");

/** The roots a run directory recorded (undefined before `trainRoots`). */
export async function readRoots(runDir: string): Promise<bigint[] | undefined> {
  const f = (await readJsonIfExists(rootsFileOf(runDir))) as RootsFile | undefined;
  return f?.roots.map((r) => BigInt(r));
}

/**
 * Trains the run (genesis proved if missing) and writes roots.json with
 * r(0) .. r(T). Deterministic: a second call writes the same roots, and a
 * call whose training gives other roots than those recorded is refused.
 */
export async function trainRoots(
  spec: TrainingSpec,
  data: CommittedDataset,
  opts: SampledOptions,
  log: Logger,
): Promise<TrainedRoots> {
  const { circuits, binding, steps } = await prepareRun(spec, data, opts, SAMPLED_ROLES);
  const g = genesisInputs(spec, opts.lab);
  const genesis: ProofTask = {
    file: path.join(opts.runDir, "genesis.json"),
    circuit: circuits.genesis,
    inputs: g.inputs,
    expect: statementOf(g.statement),
    label: "genesis",
  };
  await proveTasks(opts.runDir, [genesis], opts.backend ?? inProcess, true, log);
  const t0 = performance.now();
  const run = train(spec, data, binding.beacon, steps, undefined, opts.deviate);
  const trainMs = performance.now() - t0;
  const roots = [weightsRoot(run.initial), ...run.steps.map((r) => weightsRoot(r.paramsAfter))];
  const recorded = await readRoots(opts.runDir);
  const differs = recorded?.findIndex((r, i) => i < roots.length && r !== roots[i]) ?? -1;
  if (differs >= 0)
    throw new Error(
      `${opts.runDir}/roots.json records r(${differs}) = ${recorded![differs]}, but training gives ${roots[differs]}: ` +
        "the roots committed from this directory are not this training's (another spec, beacon or a deviation)",
    );
  await writeJsonAtomic(rootsFileOf(opts.runDir), {
    beacon: binding.beacon.toString(),
    roots: roots.map(String),
  } satisfies RootsFile);
  log.info(`trained ${steps} steps in ${trainMs.toFixed(0)} ms; ${roots.length} roots in roots.json`);
  const before = evaluateOn(run.shape, run.initial, data);
  const after = evaluateOn(run.shape, run.final, data);
  return {
    run,
    roots,
    trainMs,
    lossBefore: before.loss,
    lossAfter: after.loss,
    accuracyBefore: before.accuracy,
    accuracyAfter: after.accuracy,
  };
}

/** The outcome of proving challenged steps. */
export interface StepProofs {
  readonly proofs: ReadonlyMap<number, ProofBundle>;
  /** Steps that could not be proved (a dishonest transition has no proof), with the reason. */
  readonly failed: ReadonlyArray<{ readonly step: number; readonly reason: string }>;
  readonly tally: BundleTally;
}

/**
 * Proves the given steps of a trained run with the family's step circuit
 * (kept if already proved). `deadlines` (unix seconds, by step) puts the
 * earliest answer first, on any backend. A step that cannot be proved (a
 * dishonest transition has no proof) is reported, not thrown.
 */
export async function proveSteps(
  spec: TrainingSpec,
  data: CommittedDataset,
  opts: SampledOptions,
  trained: TrainedRoots,
  steps: readonly number[],
  log: Logger,
  deadlines?: ReadonlyMap<number, number>,
): Promise<StepProofs> {
  const { circuits, binding } = await prepareRun(spec, data, opts, SAMPLED_ROLES);
  const failed: Array<{ step: number; reason: string }> = [];
  const tasks = new Map<ProofTask, number>();
  for (const t of steps) {
    const record = trained.run.steps[t];
    if (record === undefined) {
      failed.push({ step: t, reason: `step ${t} was not trained (the run has ${trained.run.steps.length})` });
      continue;
    }
    try {
      const c = checkpointInputs(spec, data, [record], binding);
      const deadline = deadlines?.get(t);
      tasks.set(
        {
          file: stepFile(opts.runDir, t),
          circuit: circuits.step,
          inputs: c.inputs,
          expect: statementOf(c.statement),
          label: `step ${t}`,
          ...(deadline === undefined ? {} : { deadline }),
        },
        t,
      );
    } catch (e) {
      const reason = reasonOf(e);
      log.warn(`step ${t} cannot be proved: ${reason}`);
      failed.push({ step: t, reason });
    }
  }
  const proved = await proveTasks(opts.runDir, [...tasks.keys()], opts.backend ?? inProcess, false, log);
  const proofs = new Map<number, ProofBundle>();
  for (const [task, bundle] of proved.bundles) proofs.set(tasks.get(task)!, bundle);
  for (const { task, reason } of proved.failed) {
    log.warn(`${task.label} cannot be proved: ${reason}`);
    failed.push({ step: tasks.get(task)!, reason });
  }
  return { proofs, failed, tally: proved.tally };
}
