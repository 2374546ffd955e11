/**
 * Chunked steps (issue #26) for `npm run bench`: the example MNIST MLP (49 -> 20 -> 10, 1,210 parameters,
 * batch 4, exact[-40..15]) proven as hidden and output tiles and a link. Constraints per chunk and per MAC
 * against the unchunked step (FamilyStep) and step proof (Checkpoint(1)) of the same spec, compiled here;
 * proving seconds per chunk and per step on one process; proven parameter-steps per second; the gas of
 * ChunkedStepVerifier.verifyStep for the step's 13 proofs on the in-process chain, of one more proof in a
 * batch, and of a sampled challenge's answer (verifyAnswer: one tile and the link); the constraints of the
 * genesis's chunks (init tiles and the genesis link, compiled only). The registry's submitChunkedStep adds
 * its own checks and writes to verifyStep (about 50,000 gas at the test's iris shape); `npm run chunks
 * --on-chain` prints the MNIST run's registration and submission gas (docs/benchmarks.md).
 */
import path from "node:path";
import { artifacts, network } from "hardhat";
import type { Hex } from "viem";
import { encodeAnswerProofs } from "../client/chunks.js";
import { compileGeneratedVerifiers } from "../client/families.js";
import { packProof, proofWords } from "../prover/proving/calldata.js";
import { performance } from "node:perf_hooks";
import { chunkedShape } from "../prover/chunk/run.js";
import { chunkedStep, proveChunks, verifyChunks } from "../prover/chunk/step.js";
import { compileTemplate } from "../prover/circom/template.js";
import { readR1cs } from "../prover/circom/r1cs.js";
import { commitDataset } from "../prover/dataset/dataset.js";
import { loadMnist } from "../prover/dataset/mnist.js";
import { BUILD_DIR, PROJECT_ROOT } from "../prover/paths.js";
import { buildCircuit, GENERATED_CONTRACTS_DIR } from "../prover/proving/artifacts.js";
import {
  adapterName,
  checkpointCircuit,
  chunkCircuits,
  genesisChunkCircuits,
  type Tiling,
} from "../prover/proving/manifest.js";
import type { Logger } from "../prover/proving/log.js";
import { readSpec } from "../prover/spec/schema.js";
import { mlpMacs, mlpParamCount } from "../prover/training/mlp.js";
import { train } from "../prover/training/trainer.js";

export const MNIST_SPEC = path.join(PROJECT_ROOT, "prover", "spec", "examples", "mnist-mlp.json");
/** Two hidden units per hidden tile and five outputs per output tile: every chunk within 2^17. */
export const MNIST_TILING: Tiling = { hiddenBlock: 2, outputBlock: 5 };

export interface ChunkFigures {
  readonly model: string;
  readonly parameters: number;
  readonly batch: number;
  readonly tiling: Tiling;
  readonly chunksPerStep: number;
  readonly constraints: {
    readonly hiddenTile: number;
    readonly outputTile: number;
    readonly link: number;
    readonly chunkedStep: number;
    readonly unchunkedFamilyStep: number;
    readonly unchunkedStepProof: number;
  };
  readonly perMac: { readonly chunked: number; readonly unchunkedStepProof: number };
  /** Chunked step over the unchunked step proof (Checkpoint(1)), in percent. */
  readonly overheadPercent: number;
  readonly keySetupSeconds: number;
  readonly proveSeconds: {
    readonly hiddenTileMedian: number;
    readonly outputTileMedian: number;
    readonly link: number;
    readonly step: number;
  };
  readonly parameterStepsPerSecond: number;
  /** ChunkedStepVerifier.verifyStep of the step's proofs (eth_estimateGas), and per proof. */
  readonly verifyStepGas: number;
  readonly verifyStepGasPerProof: number;
  /** One more proof in a batch: the hidden tiles' verifyBatch of all of them minus that of all but one. */
  readonly marginalProofGas: number;
  /** ChunkedStepVerifier.verifyAnswer of one tile and the link (a sampled challenge's answer), per kind. */
  readonly answerTileGas: { readonly hidden: number; readonly output: number };
  /** The genesis as chunks: init tiles of the hidden and output blocks, and the genesis link. */
  readonly genesis: {
    readonly chunks: number;
    readonly constraints: { readonly hiddenInitTile: number; readonly outputInitTile: number; readonly link: number };
  };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function measureChunks(log: Logger, out: (s: string) => void): Promise<ChunkFigures> {
  out(`\nChunked steps (issue #26), the MNIST example MLP:\n`);
  const data = commitDataset(loadMnist({ perClass: 100, factor: 4 }));
  const spec = await readSpec(MNIST_SPEC);
  if (spec.model.family !== "mlp-mse" || spec.accumulation?.rule !== "exact")
    throw new Error(`${MNIST_SPEC}: expected an mlp-mse spec under the exact rule`);
  const m = spec.model;
  const B = spec.batchSize;
  const shape = chunkedShape(spec);
  const P = mlpParamCount(m);
  const run = train({ ...spec, plannedSteps: 1 }, data, 0x5eedn);

  // Keys of the three chunk circuits (cached between runs).
  const circuits = chunkCircuits(shape, MNIST_TILING);
  // Keys under build/, adapters beside the others in contracts/generated (ignored by git) for Hardhat to compile.
  const dirs = { buildDir: path.join(BUILD_DIR, "bench-chunks"), contractsDir: GENERATED_CONTRACTS_DIR };
  let t = performance.now();
  const built = [];
  for (const c of [circuits.hidden, circuits.output, circuits.link]) built.push(await buildCircuit(c, { dirs }, log));
  const keySetupSeconds = (performance.now() - t) / 1000;
  const [hiddenTile, outputTile, link] = built.map((b) => b.record.constraints) as [number, number, number];

  // The unchunked step and step proof of the same spec, compiled only (they do not fit the development ptau).
  const stepProof = checkpointCircuit(shape, 1);
  const count = async (include: string, template: string, args: readonly number[]) =>
    (await readR1cs((await compileTemplate(include, template, args)).r1cs)).constraints.length;
  const unchunkedFamilyStep = await count("training/family.circom", "FamilyStep", stepProof.params.slice(0, 5));
  const unchunkedStepProof = await count(stepProof.include, stepProof.template, stepProof.params);

  // One step's chunks, proven one after the other on this process, then checked as a set.
  const step = chunkedStep(spec, data, run.steps[0]!, { lab: 1n, beacon: run.beacon }, MNIST_TILING, circuits);
  const seconds: Record<string, number> = {};
  t = performance.now();
  let last = t;
  const proofs = await proveChunks(step, {
    dirs,
    progress: (done, name) => {
      const now = performance.now();
      seconds[name] = (now - last) / 1000;
      last = now;
      log.info(`chunk ${done}/${step.jobs.length} (${name}) proven in ${seconds[name].toFixed(1)} s`);
    },
  });
  const stepSeconds = (performance.now() - t) / 1000;
  const NH = m.hidden / MNIST_TILING.hiddenBlock;
  const NO = m.outputs / MNIST_TILING.outputBlock;
  const problem = await verifyChunks(circuits, { hiddenTiles: NH, outputTiles: NO }, proofs, dirs);
  if (problem) throw new Error(`the bench's chunked step does not verify: ${problem}`);

  // The step's proofs verified in one call on the in-process chain.
  await compileGeneratedVerifiers();
  const conn = await network.create();
  const deploy = (id: string) => conn.viem.deployContract(adapterName(id) as never) as Promise<{ address: Hex }>;
  const adapters: Hex[] = [];
  for (const c of [circuits.link, circuits.hidden, circuits.output]) adapters.push((await deploy(c.id)).address);
  const verifier = (await conn.viem.deployContract("ChunkedStepVerifier", [
    ...adapters,
    BigInt(NH),
    BigInt(NO),
  ] as never)) as { address: Hex };
  const words = (i: number) => proofWords(packProof(proofs[i]!.proof));
  const linkProof = proofs[NH + NO]!;
  const verifyArgs = [
    linkProof.publicSignals.slice(0, 5).map(BigInt),
    linkProof.publicSignals.slice(5).map(BigInt),
    words(NH + NO),
    Array.from({ length: NH }, (_, i) => words(i)),
    Array.from({ length: NO }, (_, j) => words(NH + j)),
  ];
  const client = await conn.viem.getPublicClient();
  const { abi } = await artifacts.readArtifact("ChunkedStepVerifier");
  const call = { address: verifier.address, abi, functionName: "verifyStep", args: verifyArgs } as never;
  if (!(await client.readContract(call))) throw new Error("ChunkedStepVerifier refused the bench's chunked step");
  const verifyStepGas = Number(await client.estimateContractGas(call));
  // One more proof in one batch: the hidden tiles' adapter with all of them, then all but the last.
  const batchGas = async (n: number) => {
    const batch = {
      address: adapters[1]!,
      abi: (await artifacts.readArtifact(adapterName(circuits.hidden.id))).abi,
      functionName: "verifyBatch",
      args: [Array.from({ length: n }, (_, i) => words(i)), proofs.slice(0, n).map((p) => BigInt(p.publicSignals[0]!))],
    } as never;
    if (!(await client.readContract(batch))) throw new Error(`the hidden tiles' batch of ${n} does not verify`);
    return Number(await client.estimateContractGas(batch));
  };
  const marginalProofGas = (await batchGas(NH)) - (await batchGas(NH - 1));
  // A sampled challenge's answer: one tile and the link, a hidden tile and an output tile.
  const answerGas = async (chunk: number) => {
    const answer = {
      address: verifier.address,
      abi,
      functionName: "verifyAnswer",
      args: [
        verifyArgs[0],
        verifyArgs[1],
        BigInt(chunk),
        encodeAnswerProofs(linkProof, [proofs[chunk - 1]!], { hidden: NH, output: NO }, chunk),
      ],
    } as never;
    if (!(await client.readContract(answer))) throw new Error(`verifyAnswer refused tile ${chunk - 1}`);
    return Number(await client.estimateContractGas(answer));
  };
  const answerTileGas = { hidden: await answerGas(1), output: await answerGas(NH + 1) };

  // The genesis's chunks, compiled only (their keys are `npm run chunks --on-chain`'s).
  const g = genesisChunkCircuits(shape, MNIST_TILING);
  const [hiddenInitTile, outputInitTile, genesisLink] = [
    await count(g.hidden.include, g.hidden.template, g.hidden.params),
    await count(g.output.include, g.output.template, g.output.params),
    await count(g.link.include, g.link.template, g.link.params),
  ];

  const chunked = NH * hiddenTile + NO * outputTile + link;
  const macs = mlpMacs(m, B);
  const figures: ChunkFigures = {
    model: `mlp-mse ${m.inputs}->${m.hidden}->${m.outputs}, exact[${shape.exact!.min}..${shape.exact!.max}]`,
    parameters: P,
    batch: B,
    tiling: MNIST_TILING,
    chunksPerStep: NH + NO + 1,
    constraints: { hiddenTile, outputTile, link, chunkedStep: chunked, unchunkedFamilyStep, unchunkedStepProof },
    perMac: { chunked: chunked / macs, unchunkedStepProof: unchunkedStepProof / macs },
    overheadPercent: (100 * (chunked - unchunkedStepProof)) / unchunkedStepProof,
    keySetupSeconds,
    proveSeconds: {
      hiddenTileMedian: median(
        Object.entries(seconds)
          .filter(([k]) => k.startsWith("hidden"))
          .map(([, v]) => v),
      ),
      outputTileMedian: median(
        Object.entries(seconds)
          .filter(([k]) => k.startsWith("output"))
          .map(([, v]) => v),
      ),
      link: seconds.link!,
      step: stepSeconds,
    },
    parameterStepsPerSecond: P / stepSeconds,
    verifyStepGas,
    verifyStepGasPerProof: verifyStepGas / (NH + NO + 1),
    marginalProofGas,
    answerTileGas,
    genesis: {
      chunks: NH + NO + 1,
      constraints: { hiddenInitTile, outputInitTile, link: genesisLink },
    },
  };
  const k = (n: number) => n.toLocaleString("en-US");
  out(
    `${figures.model}, ${P} parameters, batch ${B}, tiles of ${MNIST_TILING.hiddenBlock} hidden units and ` +
      `${MNIST_TILING.outputBlock} outputs: ${figures.chunksPerStep} chunks per step\n` +
      `  constraints: hidden tile ${k(hiddenTile)}, output tile ${k(outputTile)}, link ${k(link)}; ` +
      `step ${k(chunked)} chunked against ${k(unchunkedStepProof)} for the unchunked step proof ` +
      `(${k(unchunkedFamilyStep)} for its arithmetic alone): overhead ${figures.overheadPercent.toFixed(1)} %\n` +
      `  per MAC: ${figures.perMac.chunked.toFixed(1)} chunked, ${figures.perMac.unchunkedStepProof.toFixed(1)} unchunked\n` +
      `  keys of the three chunk circuits: ${keySetupSeconds.toFixed(0)} s (cached after the first run)\n` +
      `  proving on one process: hidden tile ${figures.proveSeconds.hiddenTileMedian.toFixed(1)} s (median), ` +
      `output tile ${figures.proveSeconds.outputTileMedian.toFixed(1)} s, link ${figures.proveSeconds.link.toFixed(1)} s; ` +
      `step ${stepSeconds.toFixed(1)} s = ${figures.parameterStepsPerSecond.toFixed(1)} parameter-steps per second\n` +
      `  ChunkedStepVerifier.verifyStep of the ${NH + NO + 1} proofs: ${k(verifyStepGas)} gas ` +
      `(${k(Math.round(figures.verifyStepGasPerProof))} per proof); one more proof in a batch ` +
      `${k(marginalProofGas)} gas (hidden tiles, ${NH} against ${NH - 1})\n` +
      `  a sampled challenge's answer (verifyAnswer, one tile and the link): hidden tile ` +
      `${k(answerTileGas.hidden)} gas, output tile ${k(answerTileGas.output)} gas\n` +
      `  genesis as ${NH + NO + 1} chunks: init tiles ${k(hiddenInitTile)} (${g.hidden.params[0]} parameters) and ` +
      `${k(outputInitTile)} (${g.output.params[0]}), genesis link ${k(genesisLink)}\n`,
  );
  return figures;
}
