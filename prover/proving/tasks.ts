/**
 * Proofs as tasks: a run (full or sampled mode) first lists every proof it
 * needs (where the bundle goes, the circuit, the witness inputs and the
 * statement it must carry), keeps those already proven, then hands the rest
 * to a proving backend: in process by default, or a BullMQ queue served by
 * workers on any number of machines (prover/queue/). Either way a bundle is
 * accepted only if it states exactly the expected statement, and a bundle
 * from elsewhere only if it also verifies against the local key.
 */
import path from "node:path";
import type { CircuitInput } from "../circom/witness.js";
import { readJsonIfExists, writeJsonAtomic } from "../fs/atomic.js";
import type { Logger } from "./log.js";
import { prove, verify, type ProofBundle } from "./prove.js";

/** One proof a run needs. */
export interface ProofTask {
  /** The bundle's file. */
  readonly file: string;
  readonly circuit: string;
  readonly inputs: CircuitInput;
  /** The statement the proof must carry: public signal name -> decimal value. */
  readonly expect: Readonly<Record<string, string>>;
  /** For people: "genesis", "step 7", "checkpoint 4-7". */
  readonly label: string;
  /** A sampled-mode answer's deadline (unix seconds): such tasks go first, earliest first. */
  readonly deadline?: number;
}

/** A task's outcome: its accepted bundle, or why it could not be proven. */
export type TaskOutcome =
  { readonly ok: true; readonly bundle: ProofBundle } | { readonly ok: false; readonly reason: string };

/** Where proofs are made. */
export interface ProvingBackend {
  /** For messages: "in process", "queue vtr-proofs on redis://…". */
  readonly description: string;
  /**
   * Proves every task and writes each accepted bundle to its file. With
   * `stopOnFailure`, returns at the first task that cannot be proven (the
   * others may be unattempted); otherwise tries them all.
   */
  proveAll(
    tasks: readonly ProofTask[],
    opts: { readonly stopOnFailure: boolean },
    log: Logger,
  ): Promise<Map<ProofTask, TaskOutcome>>;
}

/** The statement of `expect` as strings (statement builders give bigints and numbers). */
export const statementOf = (expect: object): Record<string, string> =>
  Object.fromEntries(Object.entries(expect).map(([k, v]) => [k, String(v)]));

/** Why a bundle does not state what `task` expects, or undefined if it does. */
export function statementMismatch(task: ProofTask, bundle: ProofBundle): string | undefined {
  if (bundle.circuit !== task.circuit) return `circuit ${bundle.circuit}, expected ${task.circuit}`;
  for (const [k, v] of Object.entries(task.expect))
    if (bundle.statement[k] !== v) return `${k} = ${bundle.statement[k]}, expected ${v}`;
  return undefined;
}

/** Earliest deadline first, then tasks without a deadline in their listed order. */
export function byDeadline(tasks: readonly ProofTask[]): ProofTask[] {
  return tasks
    .map((t, i) => ({ t, i }))
    .sort((a, b) => (a.t.deadline ?? Infinity) - (b.t.deadline ?? Infinity) || a.i - b.i)
    .map(({ t }) => t);
}

/** What a run's proving wrote and kept (paths relative to the run directory). */
export interface BundleTally {
  readonly written: string[];
  readonly reused: string[];
}

/**
 * Splits tasks into the bundles already on disk (a valid proof of the
 * expected statement: kept) and the tasks still to prove.
 */
export async function keepProven(
  runDir: string,
  tasks: readonly ProofTask[],
  tally: BundleTally,
  log: Logger,
): Promise<{ kept: Map<ProofTask, ProofBundle>; todo: ProofTask[] }> {
  const kept = new Map<ProofTask, ProofBundle>();
  const todo: ProofTask[] = [];
  for (const task of tasks) {
    const rel = path.relative(runDir, task.file);
    const prev = (await readJsonIfExists(task.file)) as ProofBundle | undefined;
    if (prev) {
      if (statementMismatch(task, prev) === undefined && (await verify(prev))) {
        kept.set(task, prev);
        tally.reused.push(rel);
        continue;
      }
      log.warn(`${rel} does not hold a valid proof of the expected statement: re-proving`);
    }
    todo.push(task);
  }
  return { kept, todo };
}

/** Writes an accepted bundle; throws if it does not state what the task expects. */
export async function acceptBundle(task: ProofTask, bundle: ProofBundle): Promise<void> {
  const wrong = statementMismatch(task, bundle);
  if (wrong !== undefined) throw new Error(`${task.label}: the proof states ${wrong}`);
  await writeJsonAtomic(task.file, bundle);
}

/** The first line of an error, for one-line reports. */
export const reasonOf = (e: unknown): string => (e instanceof Error ? e.message.split("\n")[0]! : String(e));

/** The embedded default: every proof in this process, one after another, earliest deadline first. */
export const inProcess: ProvingBackend = {
  description: "in process",
  async proveAll(tasks, opts, log) {
    const outcomes = new Map<ProofTask, TaskOutcome>();
    for (const task of byDeadline(tasks)) {
      const t = performance.now();
      try {
        const bundle = await prove(task.circuit, task.inputs);
        const wrong = statementMismatch(task, bundle);
        if (wrong !== undefined) throw new Error(`proved ${wrong} (bug)`);
        await acceptBundle(task, bundle);
        outcomes.set(task, { ok: true, bundle });
        log.info(
          `${task.label} (${path.basename(task.file)}): proved in ${((performance.now() - t) / 1000).toFixed(1)} s`,
        );
      } catch (e) {
        outcomes.set(task, { ok: false, reason: reasonOf(e) });
        if (opts.stopOnFailure) break;
      }
    }
    return outcomes;
  },
};
