/**
 * npm run chunks -- --spec FILE --run-dir DIR --tiling HxO (--beacon N [--lab ADDRESS] | --on-chain [--network NAME]
 *   [--sampled W:S]) [--dataset FILE] [--steps N]
 *
 * Trains an mlp-mse spec under the exact rule and proves every step as chunk proofs (prover/chunk/run.ts); with
 * --on-chain, also deploys a registry on a local chain, registers the run with its genesis chunks and submits
 * every step's chunks in one call (client/chunks.ts); with --sampled, registers it in sampled mode instead,
 * commits every window's chunk statements and roots, and answers the drawn challenges with the chunks they ask for.
 */
import { SingleBar } from "cli-progress";
import { Command, InvalidArgumentError } from "commander";
import { runChunkedOnChain } from "../client/chunks.js";
import { connect } from "../client/connect.js";
import { DEFAULT_SAMPLING } from "../client/deploy.js";
import type { Sampling } from "../client/sampled.js";
import { LOCAL_NETWORKS } from "../client/keys.js";
import { parseTiling, proveChunkedRun, type ChunkedRunSummary } from "../prover/chunk/run.js";
import { datasetForSpec } from "../prover/dataset/file.js";
import { consoleLogger } from "../prover/proving/log.js";
import { DEFAULT_LAB } from "../prover/run/prover.js";
import { readSpec } from "../prover/spec/schema.js";
import { isEntryPoint, paragraphs, runProgram } from "./help.js";

const count =
  (flag: string) =>
  (v: string): number => {
    if (!/^\d+$/.test(v)) throw new InvalidArgumentError(`${flag} must be a non-negative integer`);
    return Number(v);
  };

/** --sampled W:S: windows of W steps, S challenges drawn per window, a day to answer each. */
function parseSampled(v: string): Sampling {
  const m = /^(\d+):(\d+)$/.exec(v);
  if (!m) throw new InvalidArgumentError("--sampled takes W:S, e.g. 4:2 (windows of 4 steps, 2 challenges each)");
  const [w, c] = [Number(m[1]), Number(m[2])];
  if (w < 1 || w > 1024 || c < 1 || c > Math.min(w, 64))
    throw new InvalidArgumentError(`--sampled ${v}: need 1 <= W <= 1,024 and 1 <= S <= min(W, 64)`);
  return { windowSteps: w, challengesPerWindow: c, responseSeconds: DEFAULT_SAMPLING.maxResponseSeconds };
}

export const program = new Command("npm run chunks --")
  .description(
    paragraphs(`Trains the model of an mlp-mse spec under the exact rule and proves each step as chunk
    proofs (docs/chunks.md): one proof per hidden tile, per output tile and a link, each an independent
    job written to DIR as soon as it exists, so re-running resumes. Each step's proofs are then checked as
    a set, as a verifier would. The chunk circuits' keys are built first if missing (half an hour for the
    MNIST example).

    With --beacon N: proves the steps for that beacon, as the lab --lab, in DIR/step-<t>/; nothing is
    submitted.

    With --on-chain: deploys a fresh registry on a local chain (the in-process one by default, whose state
    ends with this command, or --network localhost for \`npx hardhat node\`) with a zero policy delay and the
    spec's chunked family (K = 1, so the spec's checkpointInterval must be 1); proves the genesis as init
    tiles and a link (DIR/genesis/), registers the run with it as the chain's first account, draws the
    beacon, then proves each step (DIR/beacon-<beacon>/step-<t>/) and submits its chunk proofs in one
    call. The run completes once its planned steps are accepted. A chain that is not local is refused:
    a chunked family on a shared registry goes through its timelock and ceremony keys, which this
    command does not do.

    With --on-chain --sampled W:S: registers the run in sampled mode (windows of W steps, S challenges
    drawn per window, 86,400 s to answer each); trains it and commits each window's chunk statements (every
    step's tile io, from the chunk jobs' inputs) and then the window, with no proof yet; draws each
    window's challenges (mining the blocks the draw waits for); then proves only what each challenge asks
    for, one tile and the link (all chunks for a paid challenge or a window drawn late), and answers it.
    The run completes once its planned steps are committed. A drawn challenge checks one tile of its step
    (docs/chunks.md, Sampled chunked runs).`),
  )
  .requiredOption(
    "--spec <file>",
    "training spec (JSON), mlp-mse under the exact rule, e.g. prover/spec/examples/mnist-mlp.json",
  )
  .requiredOption("--run-dir <dir>", "where the chunk proofs are written (created if missing)")
  .requiredOption(
    "--tiling <HxO>",
    "hidden units per hidden tile x outputs per output tile, each dividing its width, e.g. 2x5",
  )
  .option("--beacon <n>", "the run's beacon, which fixes the data order (without --on-chain)", count("--beacon"))
  .option("--on-chain", "register the run and submit every step on a fresh registry of a local chain")
  .option("--network <name>", "with --on-chain: default (in-process) or localhost (npx hardhat node)", "default")
  .option(
    "--sampled <W:S>",
    "with --on-chain: sampled mode, windows of W steps (dividing the planned steps), S challenges drawn per window",
    parseSampled,
  )
  .option("--dataset <file>", "the spec's dataset file (default: the spec's dataset.file; else the built-in iris set)")
  .option("--lab <address>", "the lab's address, bound into every link proof (without --on-chain)", DEFAULT_LAB)
  .option(
    "--steps <n>",
    "prove N steps instead of the spec's plannedSteps (a run completes only with all)",
    count("--steps"),
  )
  .showHelpAfterError()
  .action(
    async (o: {
      spec: string;
      runDir: string;
      tiling: string;
      beacon?: number;
      onChain?: boolean;
      network: string;
      dataset?: string;
      lab: string;
      steps?: number;
      sampled?: Sampling;
    }) => {
      if (!/^0x[0-9a-fA-F]{40}$/.test(o.lab)) throw new Error(`--lab must be a 20-byte hex address, got ${o.lab}`);
      if (o.onChain === true && o.beacon !== undefined)
        throw new Error("--beacon is drawn on-chain with --on-chain: give one or the other");
      if (o.onChain !== true && o.beacon === undefined) throw new Error("give --beacon N, or --on-chain");
      if (o.onChain !== true && o.network !== "default") throw new Error("--network goes with --on-chain");
      if (o.onChain !== true && o.sampled !== undefined) throw new Error("--sampled goes with --on-chain");
      if (o.onChain === true && !LOCAL_NETWORKS.has(o.network))
        throw new Error(
          `--network ${o.network} is not a local chain (default, localhost): a chunked family on a shared ` +
            "registry is added through its timelock with ceremony keys (docs/chunks.md)",
        );
      const tiling = parseTiling(o.tiling);
      const spec = await readSpec(o.spec);
      const data = await datasetForSpec(spec, o.spec, o.dataset);
      const log = consoleLogger("chunks");
      let phase = "";
      const bar = process.stderr.isTTY
        ? new SingleBar({ format: "{phase} [{bar}] {value}/{total} | {label} | ETA {eta_formatted}", hideCursor: true })
        : undefined;
      const progress = (p: string, done: number, total: number, label: string): void => {
        if (p !== phase) {
          bar?.stop();
          bar?.start(total, 0, { label: "starting", phase: p });
          phase = p;
        }
        if (bar) bar.update(done, { label, phase: p });
        else if (label) log.info(`${p} chunk ${done}/${total}: ${label}`);
      };
      const summary = (s: ChunkedRunSummary): string =>
        `${s.steps} step${s.steps === 1 ? "" : "s"} proven as ${s.chunksPerStep} chunk proofs each, every step's set checked\n` +
        `loss ${s.lossBefore.toFixed(4)} -> ${s.lossAfter.toFixed(4)}, accuracy ` +
        `${(100 * s.accuracyBefore).toFixed(1)}% -> ${(100 * s.accuracyAfter).toFixed(1)}%\n`;
      if (o.onChain === true) {
        const chain = await connect(o.network);
        const s = await runChunkedOnChain(
          chain.conn,
          spec,
          data,
          {
            dir: o.runDir,
            tiling,
            ...(o.steps === undefined ? {} : { steps: o.steps }),
            ...(o.sampled === undefined ? {} : { sampling: o.sampled }),
            progress,
          },
          log,
        );
        bar?.stop();
        const head =
          `registry ${s.registry} on ${o.network}: family ${s.family}, run ${s.runId}, beacon 0x${s.beacon.toString(16)}\n` +
          `genesis: proveGenesis ${s.gas.proveGenesis} gas, registerRun ${s.gas.registerRun} gas\n`;
        if (s.sampled) {
          const a = s.sampled;
          const asked = a.answered
            .map((c) => `step ${c.step} ${c.chunk === 0 ? "every chunk" : `tile ${c.chunk - 1}`} ${c.gas} gas`)
            .join(", ");
          process.stdout.write(
            `${s.steps} steps trained; ${a.windows} window(s) committed with their chunk statements ` +
              `(gas ${a.commitGas.join(", ")})\n` +
              head +
              `challenges answered ${a.answered.length}: ${asked || "none"}\n` +
              `chunk proofs made ${a.chunksProven} of the run's ${a.chunksInRun}\n` +
              `loss ${s.lossBefore.toFixed(4)} -> ${s.lossAfter.toFixed(4)}\n` +
              `steps committed ${s.stepsAccepted} of ${spec.plannedSteps}; run status: ${s.status}\n`,
          );
          return;
        }
        process.stdout.write(
          summary(s) +
            head +
            `steps accepted ${s.stepsAccepted} of ${spec.plannedSteps}, gas per step ${s.gas.steps.join(", ")}\n` +
            `run status: ${s.status}\n`,
        );
        return;
      }
      const s = await proveChunkedRun(
        spec,
        data,
        {
          dir: o.runDir,
          lab: BigInt(o.lab),
          beacon: BigInt(o.beacon!),
          tiling,
          ...(o.steps === undefined ? {} : { steps: o.steps }),
          progress: (done, total, label) => {
            progress("chunks", done, total, label);
          },
        },
        log,
      );
      bar?.stop();
      process.stdout.write(summary(s));
    },
  );

if (isEntryPoint(import.meta.url)) runProgram(program);
