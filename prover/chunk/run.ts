/**
 * A chunked run (issue #26, docs/chunks.md): train a spec's mlp-mse model under the exact rule and prove
 * every step as chunk jobs in a directory, resumably, checking each step's set of proofs as a verifier
 * would. The directory's layout, written only here:
 *
 *   DIR/chunked.json                 the spec commitment, lab, beacon, tiling and circuits it holds proofs for
 *   DIR/step-<t>/<job>.json          one proof per job: hidden-<n>, output-<j>, link
 */
import path from "node:path";
import { z } from "zod";
import type { CommittedDataset } from "../dataset/dataset.js";
import { readJsonIfExists, writeJsonAtomic } from "../fs/atomic.js";
import { buildAll } from "../proving/artifacts.js";
import type { Logger } from "../proving/log.js";
import { chunkCircuits, genesisChunkCircuits, type ModelShape, type Tiling } from "../proving/manifest.js";
import { specCommitment } from "../spec/commitment.js";
import type { TrainingSpec } from "../spec/schema.js";
import { evaluateOn, train } from "../training/trainer.js";
import { chunkedGenesis } from "./genesis.js";
import { chunkedStep, proveChunks, verifyChunks, type ChunkProof } from "./step.js";

/** "2x5": hidden units per hidden tile, outputs per output tile. */
export function parseTiling(text: string): Tiling {
  const m = /^(\d+)x(\d+)$/.exec(text);
  if (!m)
    throw new Error(
      `a tiling is HIDDENxOUTPUTS, e.g. 2x5 (hidden units per hidden tile, outputs per output tile), got ${text}`,
    );
  return { hiddenBlock: Number(m[1]), outputBlock: Number(m[2]) };
}

/** The shape a chunked spec's circuits are built for. */
export function chunkedShape(spec: TrainingSpec): ModelShape {
  const m = spec.model;
  if (m.family !== "mlp-mse" || spec.accumulation?.rule !== "exact")
    throw new Error(
      "chunked steps need an mlp-mse spec under the exact rule (spec init --accumulation exact:MIN..MAX)",
    );
  return {
    model: "mlp-mse",
    inputs: m.inputs,
    hidden: m.hidden,
    outputs: m.outputs,
    batch: spec.batchSize,
    size: spec.dataset.size,
    exact: spec.accumulation.range,
  };
}

const ChunkedFile = z
  .object({
    specCommitment: z.string(),
    lab: z.string(),
    beacon: z.string(),
    tiling: z.object({ hiddenBlock: z.number().int(), outputBlock: z.number().int() }),
    circuits: z.array(z.string()),
  })
  .strict();

export interface ChunkedRunOptions {
  readonly dir: string;
  readonly lab: bigint;
  readonly beacon: bigint;
  readonly tiling: Tiling;
  /** Steps to train and prove (default: the spec's planned steps). */
  readonly steps?: number;
  /** Called once the number of chunk jobs is known, then after each job. */
  readonly progress?: (done: number, total: number, label: string) => void;
  /** Called with each step's checked proofs (tiles, then the link), before the next step is proven. */
  readonly onStep?: (step: number, proofs: readonly ChunkProof[]) => Promise<void>;
}

export interface ChunkedRunSummary {
  readonly steps: number;
  readonly chunksPerStep: number;
  readonly lossBefore: number;
  readonly lossAfter: number;
  readonly accuracyBefore: number;
  readonly accuracyAfter: number;
}

/** A trained run's summary: its steps, chunks per step, and loss and accuracy on the dataset before and after. */
export function chunkedRunSummary(
  run: ReturnType<typeof train>,
  data: CommittedDataset,
  chunksPerStep: number,
): ChunkedRunSummary {
  const before = evaluateOn(run.shape, run.initial, data);
  const after = evaluateOn(run.shape, run.final, data);
  return {
    steps: run.steps.length,
    chunksPerStep,
    lossBefore: before.loss,
    lossAfter: after.loss,
    accuracyBefore: before.accuracy,
    accuracyAfter: after.accuracy,
  };
}

/** Builds the chunk circuits' keys if needed, trains, proves every step's chunks and checks each step's set. */
export async function proveChunkedRun(
  spec: TrainingSpec,
  data: CommittedDataset,
  o: ChunkedRunOptions,
  log: Logger,
): Promise<ChunkedRunSummary> {
  const circuits = chunkCircuits(chunkedShape(spec), o.tiling);
  const ids = [circuits.hidden.id, circuits.output.id, circuits.link.id];
  const record = {
    specCommitment: "0x" + specCommitment(spec).toString(16),
    lab: "0x" + o.lab.toString(16),
    beacon: o.beacon.toString(),
    tiling: { hiddenBlock: o.tiling.hiddenBlock, outputBlock: o.tiling.outputBlock },
    circuits: ids,
  };
  const file = path.join(o.dir, "chunked.json");
  const prev = await readJsonIfExists(file);
  if (prev !== undefined) {
    const p = ChunkedFile.parse(prev);
    if (JSON.stringify(p) !== JSON.stringify(record))
      throw new Error(`${o.dir} holds chunk proofs of another run or tiling (${file}): use another directory`);
  }
  await buildAll({ circuits: [circuits.hidden, circuits.output, circuits.link] }, log);
  await writeJsonAtomic(file, record);

  const steps = o.steps ?? spec.plannedSteps;
  const run = train({ ...spec, plannedSteps: steps }, data, o.beacon);
  const NH = spec.model.family === "mlp-mse" ? spec.model.hidden / o.tiling.hiddenBlock : 0;
  const NO = spec.model.outputs / o.tiling.outputBlock;
  const perStep = NH + NO + 1;
  const total = perStep * run.steps.length;
  o.progress?.(0, total, "");
  for (const r of run.steps) {
    const step = chunkedStep(spec, data, r, { lab: o.lab, beacon: o.beacon }, o.tiling, circuits);
    const proofs = await proveChunks(step, {
      dir: path.join(o.dir, `step-${r.step}`),
      progress: (done, name) => o.progress?.(r.step * perStep + done, total, `step ${r.step} ${name}`),
    });
    const problem = await verifyChunks(circuits, { hiddenTiles: NH, outputTiles: NO }, proofs);
    if (problem) throw new Error(`step ${r.step}: its chunk proofs do not prove the step: ${problem}`);
    await o.onStep?.(r.step, proofs);
  }
  return chunkedRunSummary(run, data, perStep);
}

/**
 * Builds the genesis chunk circuits' keys if needed and proves the genesis of `spec`'s run by `lab` as init
 * tiles and a link, in DIR/genesis/ (resumable as a step's chunks are); checks the set and returns it.
 */
export async function proveChunkedGenesis(
  spec: TrainingSpec,
  o: {
    readonly dir: string;
    readonly lab: bigint;
    readonly tiling: Tiling;
    readonly progress?: (done: number, total: number, label: string) => void;
  },
  log: Logger,
): Promise<ChunkProof[]> {
  const circuits = genesisChunkCircuits(chunkedShape(spec), o.tiling);
  await buildAll({ circuits: [circuits.hidden, circuits.output, circuits.link] }, log);
  const genesis = chunkedGenesis(spec, o.lab, o.tiling, circuits);
  const total = genesis.jobs.length;
  o.progress?.(0, total, "");
  const proofs = await proveChunks(genesis, {
    dir: path.join(o.dir, "genesis"),
    progress: (done, name) => o.progress?.(done, total, name),
  });
  const NO = spec.model.outputs / o.tiling.outputBlock;
  const problem = await verifyChunks(circuits, { hiddenTiles: total - 1 - NO, outputTiles: NO }, proofs);
  if (problem) throw new Error(`the genesis chunk proofs do not prove the genesis: ${problem}`);
  return proofs;
}
