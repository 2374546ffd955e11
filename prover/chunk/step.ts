/**
 * A chunked step of a run (issue #26, docs/chunks.md): the inputs of its tiles and link from the spec, the
 * committed dataset and the trainer's record; Groth16 proofs of all of them, each an independent job that a
 * directory makes resumable; and the check a verifier makes of the set: every proof valid under its
 * circuit's key, and each tile's io equal to the link's io at the tile's position.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import * as snarkjs from "snarkjs";
import type { Groth16Proof } from "snarkjs";
import type { CircuitInput } from "../circom/witness.js";
import type { CommittedDataset } from "../dataset/dataset.js";
import { writeJsonAtomic } from "../fs/atomic.js";
import { accumulator } from "../numerics/accumulation.js";
import { artifactPaths, type OutputDirs } from "../proving/artifacts.js";
import { chunkCircuits, type CircuitSpec, type Tiling } from "../proving/manifest.js";
import type { TrainingSpec } from "../spec/schema.js";
import { checkpointInputs, type RunBinding } from "../statement/inputs.js";
import { checkpointSignals, type CheckpointStatement } from "../statement/statement.js";
import { mlpTrainStep } from "../training/mlp.js";
import { asBatchSamples, type StepRecord } from "../training/trainer.js";
import { mlpChunks } from "./mlp.js";

/** The circuits of a chunk set: a step's (chunkCircuits) or a genesis's (genesisChunkCircuits). */
export type ChunkCircuits = ReturnType<typeof chunkCircuits>;

/** One chunk job: which circuit proves it, under what name its proof is kept, and its inputs. */
export interface ChunkJob {
  readonly name: string;
  readonly circuit: CircuitSpec;
  readonly input: CircuitInput;
}

/** The chunk jobs of one statement (a step's or a genesis's): the tiles, then the link that states it. */
export interface ChunkSet {
  /** The link's public signals before its io list: the statement a single proof would have. */
  readonly head: readonly bigint[];
  /** The hidden tiles, the output tiles, then the link: the order of the link's io list, link last. */
  readonly jobs: readonly ChunkJob[];
}

export interface ChunkedStep extends ChunkSet {
  readonly statement: CheckpointStatement;
}

/** The chunk jobs of one step of an mlp-mse run under the exact rule. */
export function chunkedStep(
  spec: TrainingSpec,
  data: CommittedDataset,
  record: StepRecord,
  run: RunBinding,
  tiling: Tiling,
  circuits: ChunkCircuits,
): ChunkedStep {
  const m = spec.model;
  if (m.family !== "mlp-mse" || spec.accumulation?.rule !== "exact")
    throw new Error("a chunked step needs an mlp-mse spec under the exact rule (accumulation exact:MIN..MAX)");
  const batch = asBatchSamples(data, record.indices);
  const lr = spec.optimizer.learningRate;
  const trace = mlpTrainStep(m, record.paramsBefore, batch, lr, accumulator(spec.accumulation));
  if (trace.paramsAfter.some((p, k) => p !== record.paramsAfter[k]))
    throw new Error(`step ${record.step}: the record's weights after the step are not the trainer's`);
  const c = mlpChunks(m, tiling, spec.accumulation.range, trace, batch, lr);
  const { inputs, statement } = checkpointInputs(spec, data, [record], run);
  const { x, label, siblings, ...rest } = inputs as Record<string, unknown>;
  delete rest.params; // the tiles read the weights, each its own
  const link = {
    ...(rest as CircuitInput),
    x: (x as readonly unknown[])[0],
    label: (label as readonly unknown[])[0],
    siblings: (siblings as readonly unknown[])[0],
    ...c.link,
  } as CircuitInput;
  return {
    statement,
    head: checkpointSignals(statement),
    jobs: [
      ...c.hidden.map((input, n) => ({ name: `hidden-${n}`, circuit: circuits.hidden, input })),
      ...c.output.map((input, j) => ({ name: `output-${j}`, circuit: circuits.output, input })),
      { name: "link", circuit: circuits.link, input: link },
    ],
  };
}

/** The tiles' io values a chunk set's link states (hidden tiles first), from its inputs: no proof needed. */
export function statedIo(set: ChunkSet): bigint[] {
  const link = set.jobs[set.jobs.length - 1]!;
  return [...(link.input.io as readonly bigint[])];
}

export interface ChunkProof {
  readonly name: string;
  readonly circuit: string;
  readonly publicSignals: string[];
  readonly proof: Groth16Proof;
}

const vkeys = new Map<string, Promise<object>>();
const vkeyOf = (id: string, dirs?: OutputDirs): Promise<object> => {
  const file = artifactPaths(id, dirs).vkey;
  let v = vkeys.get(file);
  if (!v) {
    v = readFile(file, "utf8").then((t) => JSON.parse(t) as object);
    vkeys.set(file, v);
  }
  return v;
};

/**
 * Proves every chunk job not already proven in `dir` (each proof is written there as <name>.json as soon
 * as it exists, and one found there is kept only if it verifies with the same public signals the job's
 * inputs give), calling `progress` after each.
 */
export async function proveChunks(
  step: ChunkSet,
  opts: { readonly dir?: string; readonly dirs?: OutputDirs; readonly progress?: (done: number, name: string) => void },
): Promise<ChunkProof[]> {
  const out: ChunkProof[] = [];
  for (const job of step.jobs) {
    const a = artifactPaths(job.circuit.id, opts.dirs);
    const file = opts.dir === undefined ? undefined : path.join(opts.dir, `${job.name}.json`);
    let kept: ChunkProof | undefined;
    if (file && existsSync(file)) {
      const prev = JSON.parse(await readFile(file, "utf8")) as ChunkProof;
      if (
        prev.circuit === job.circuit.id &&
        (await snarkjs.groth16.verify(await vkeyOf(job.circuit.id, opts.dirs), prev.publicSignals, prev.proof)) &&
        expectedPublics(step, job).every((v, i) => prev.publicSignals[i] === v)
      )
        kept = prev;
    }
    if (!kept) {
      const { proof, publicSignals } = await snarkjs.groth16.fullProve(job.input, a.wasm, a.zkey);
      kept = { name: job.name, circuit: job.circuit.id, publicSignals, proof };
      if (file) await writeJsonAtomic(file, kept);
    }
    out.push(kept);
    opts.progress?.(out.length, job.name);
  }
  return out;
}

/** The public signals a job's proof must carry, as decimal strings (the ones its inputs fix). */
function expectedPublics(step: ChunkSet, job: ChunkJob): string[] {
  if (job.name !== "link") return [String(job.input.io)];
  return [...step.head, ...(job.input.io as readonly bigint[])].map((v) => String(v));
}

/**
 * Checks a step's or a genesis's chunk proofs as a verifier would: one proof per tile of the tiling, then
 * the link; each valid under its circuit's verification key; the link's io list (after its statement) equal,
 * position by position, to the tiles' io. Returns undefined when the set proves the link's statement, else
 * what is wrong.
 */
export async function verifyChunks(
  circuits: ChunkCircuits,
  tiling: { readonly hiddenTiles: number; readonly outputTiles: number },
  proofs: readonly ChunkProof[],
  dirs?: OutputDirs,
): Promise<string | undefined> {
  const { hiddenTiles: NH, outputTiles: NO } = tiling;
  const head = circuits.link.publicSignals.length - NH - NO; // the statement before the io list
  if (proofs.length !== NH + NO + 1) return `expected ${NH + NO + 1} proofs, got ${proofs.length}`;
  const link = proofs[NH + NO]!;
  const kinds = [...Array<CircuitSpec>(NH).fill(circuits.hidden), ...Array<CircuitSpec>(NO).fill(circuits.output)];
  if (link.circuit !== circuits.link.id) return `the last proof is not the link's (${link.circuit})`;
  for (const [t, p] of proofs.entries()) {
    const want = t < NH + NO ? kinds[t]! : circuits.link;
    if (p.circuit !== want.id) return `proof ${t} (${p.name}) is of ${p.circuit}, not ${want.id}`;
    if (p.publicSignals.length !== want.publicSignals.length)
      return `proof ${t} (${p.name}) has ${p.publicSignals.length} public signals, not ${want.publicSignals.length}`;
    if (!(await snarkjs.groth16.verify(await vkeyOf(want.id, dirs), p.publicSignals, p.proof)))
      return `proof ${t} (${p.name}) does not verify`;
    if (t < NH + NO && p.publicSignals[0] !== link.publicSignals[head + t])
      return `proof ${t} (${p.name}) states io ${p.publicSignals[0]}, the link wires io[${t}] = ${link.publicSignals[head + t]}`;
  }
  return undefined;
}
