/**
 * The benchmark behind `npm run bench` (scripts/bench.ts): constraint counts of the float gadgets, proving time of the
 * demo circuit, and for the training proofs: constraints per step and per
 * K = 4 checkpoint, witness and proving time (medians), peak memory, and the
 * ratio of proving time to reference training time per step; the registry's
 * gas with real proofs (register, submit K = 1 and K = 4, flag); and the
 * step circuit of a family built from a spec (penguins, batch 3); the MLP
 * family's step circuit (constraints, constraints per MAC, witness and
 * proving medians, the largest K within 2^17); sampled
 * mode's gas (commitments at W = 4 and 64, draw, answer, paid challenge),
 * its proving time per window against full mode's, and its detection table;
 * the dashboard's page load against a node with 100 runs; the exactly
 * rounded rule's figures (bench/exact.ts); a chunked step of the MNIST MLP (bench/chunks.ts). Figures are
 * printed for people; the last line is one JSON object for machines.
 */
import { readFile } from "node:fs/promises";
import { compileTemplate } from "../prover/circom/template.js";
import { readR1cs } from "../prover/circom/r1cs.js";
import { buildAll } from "../prover/proving/artifacts.js";
import { consoleLogger } from "../prover/proving/log.js";
import { prove } from "../prover/proving/prove.js";
import { numberToBf16 } from "../prover/numerics/index.js";
import * as snarkjs from "snarkjs";
import { artifactPaths } from "../prover/proving/artifacts.js";
import { commitDataset } from "../prover/dataset/dataset.js";
import { loadIris } from "../prover/dataset/iris.js";
import { readSpec } from "../prover/spec/schema.js";
import { checkpointInputs } from "../prover/statement/inputs.js";
import { train } from "../prover/training/trainer.js";
import { artifacts, network } from "hardhat";
import { compileGeneratedVerifiers } from "../client/families.js";
import { measureObserverGas } from "./observer-gas.js";
import { measureGas, PAUSES_BEFORE_FIRST_FLAGS } from "./gas.js";
import { measureBatchGas } from "./batch-gas.js";
import { measureQueue } from "./queue.js";
import { measureSampledGas } from "./sampled-gas.js";
import { escapeProbability } from "../prover/sampled/roots.js";
import { registryFixtures } from "../harness/fixtures/registry.js";
import { importPenguins } from "../prover/dataset/penguins.js";
import { measureDashboardLoad } from "./dashboard-load.js";
import { familyCircuits, familyOfSpec } from "../prover/proving/families.js";
import { newSpec } from "../prover/spec/init.js";
import { checkpointCircuit, DEFAULT_MLP_SHAPE } from "../prover/proving/manifest.js";
import { mlpMacs } from "../prover/training/mlp.js";
import { measureExact } from "./exact.js";
import { measureChunks } from "./chunks.js";

const GADGETS: ReadonlyArray<readonly [label: string, template: string, args: number[]]> = [
  ["fp32 add", "Fp32Add", []],
  ["bf16 x bf16 -> fp32 mul", "Bf16MulToFp32", []],
  ["fp32 x fp32 mul", "Fp32Mul", []],
  ["fp32 -> bf16", "Fp32ToBf16", []],
  ["mac fp32(acc + fp32(a*b))", "Fp32Mac", []],
  ["bf16 relu", "Bf16Relu", []],
  ["bf16 less-than", "Bf16Lt", []],
  ["bf16 dot, n=4", "Bf16Dot", [4]],
];

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Runs every measurement, printing figures for people and, last, one JSON line for machines. */
export async function runBench(): Promise<void> {
  const log = consoleLogger("bench");
  const constraints: Record<string, number> = {};
  process.stdout.write("Constraints per gadget (circom --O2, bit patterns in and out):\n");
  for (const [label, template, args] of GADGETS) {
    const c = await compileTemplate("float/arith.circom", template, args);
    const n = (await readR1cs(c.r1cs)).constraints.length;
    constraints[template + (args.length ? `_${args.join("_")}` : "")] = n;
    process.stdout.write(`  ${label.padEnd(28)} ${String(n).padStart(6)}\n`);
  }

  await buildAll({ only: ["dot4"] }, log);
  const input = { a: [5.1, 3.5, 1.4, 0.2].map(numberToBf16), b: [0.4, -0.25, 0.9, -1.2].map(numberToBf16) };
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    await prove("dot4", input);
    times.push((performance.now() - t) / 1000);
  }
  const rec = JSON.parse(await readFile("build/circuits/dot4/build.json", "utf8")) as {
    constraints: number;
    seconds: { setup: number };
  };
  const proveMedian = median(times);
  process.stdout.write(
    `\ndot4 (${rec.constraints} constraints): groth16 fullprove median of 5 = ${proveMedian.toFixed(3)} s\n`,
  );

  // Training proofs: witness and proving time per step (K = 1) and per K = 4 checkpoint.
  const spec = await readSpec("prover/spec/examples/iris-linear.json");
  const data = commitDataset(loadIris());
  let t = performance.now();
  const beacon = 0xbeac0n; // any registration beacon: the cost does not depend on it
  const run = train(spec, data, beacon, 256);
  const trainMsPerStep = (performance.now() - t) / 256;
  await buildAll({ only: ["checkpoint_linear_i4o3b2n150k1", "checkpoint_linear_i4o3b2n150k4"] }, log);
  const training: Record<string, { constraints: number; witnessSecondsMedian: number; proveSecondsMedian: number }> =
    {};
  for (const [id, k] of [
    ["checkpoint_linear_i4o3b2n150k1", 1],
    ["checkpoint_linear_i4o3b2n150k4", 4],
  ] as const) {
    const a = artifactPaths(id);
    const constraints = (JSON.parse(await readFile(a.record, "utf8")) as { constraints: number }).constraints;
    const w: number[] = [];
    const p: number[] = [];
    for (let r = 0; r < 3; r++) {
      const { inputs } = checkpointInputs(spec, data, run.steps.slice(4 * r, 4 * r + k), { lab: 1n, beacon });
      const wtns = { type: "mem" as const };
      t = performance.now();
      await snarkjs.wtns.calculate(inputs, a.wasm, wtns);
      w.push((performance.now() - t) / 1000);
      t = performance.now();
      await snarkjs.groth16.prove(a.zkey, wtns);
      p.push((performance.now() - t) / 1000);
    }
    training[id] = {
      constraints,
      witnessSecondsMedian: Number(median(w).toFixed(3)),
      proveSecondsMedian: Number(median(p).toFixed(3)),
    };
    process.stdout.write(
      `${id} (K = ${k}): ${constraints} constraints (${Math.round(constraints / k)} per step); ` +
        `witness ${median(w).toFixed(2)} s, prove ${median(p).toFixed(2)} s (medians of 3)\n`,
    );
  }
  const stepProve =
    training.checkpoint_linear_i4o3b2n150k1!.proveSecondsMedian +
    training.checkpoint_linear_i4o3b2n150k1!.witnessSecondsMedian;
  const ratio = (stepProve * 1000) / trainMsPerStep;
  process.stdout.write(
    `reference training: ${trainMsPerStep.toFixed(3)} ms per step; step proof / training time = ${ratio.toFixed(0)}x\n`,
  );

  // The exactly rounded rule (issue #28): dots, matrix products, steps under both rules, an exact family.
  const exact = await measureExact(
    spec,
    data,
    {
      constraints: training.checkpoint_linear_i4o3b2n150k1!.constraints,
      seconds: stepProve,
      trainMsPerStep,
    },
    log,
    (s) => process.stdout.write(s),
  );

  // A chunked step of the 1,210-parameter MNIST MLP (issue #26).
  const chunks = await measureChunks(log, (s) => process.stdout.write(s));

  // A family built from a spec (issue #9): penguins, batch 3, K = 1 (the walkthrough's shape, docs/your-own-run.md).
  const penguins = await importPenguins();
  const seed = (n: number) => Buffer.alloc(n, 7); // fixed secrets: the cost does not depend on them
  const { spec: pSpec } = newSpec({
    dataset: { committed: penguins.committed, file: "penguins.dataset.json" },
    family: "linear-mse",
    learningRate: "0.1",
    batchSize: 3,
    plannedSteps: 4,
    checkpointInterval: 1,
    out: "spec.json",
    random: seed,
  });
  const pFamily = familyOfSpec(pSpec);
  await buildAll({ circuits: familyCircuits(pFamily) }, log);
  const pRun = train(pSpec, penguins.committed, beacon, 3);
  const pa = artifactPaths(pFamily.step);
  const pConstraints = (JSON.parse(await readFile(pa.record, "utf8")) as { constraints: number }).constraints;
  const pTimes: number[] = [];
  for (let r = 0; r < 3; r++) {
    const { inputs } = checkpointInputs(pSpec, penguins.committed, pRun.steps.slice(r, r + 1), { lab: 1n, beacon });
    t = performance.now();
    await snarkjs.groth16.fullProve(inputs, pa.wasm, pa.zkey);
    pTimes.push((performance.now() - t) / 1000);
  }
  const penguinsStep = {
    family: pFamily.name,
    constraints: pConstraints,
    fullProveSecondsMedian: Number(median(pTimes).toFixed(3)),
  };
  process.stdout.write(
    `${pFamily.step} (family ${pFamily.name}, penguins 342 samples, depth 9): ${pConstraints} constraints; ` +
      `witness + prove ${median(pTimes).toFixed(2)} s (median of 3)\n`,
  );

  // The MLP family (issue #10): step constraints, constraints per MAC, witness and proving medians, K that fits.
  const mlpSpec = await readSpec("prover/spec/examples/iris-mlp.json");
  const mlpFamily = familyOfSpec(mlpSpec);
  await buildAll({ circuits: familyCircuits(mlpFamily) }, log);
  const mlpShape = { inputs: 4, hidden: 6, outputs: 3 };
  const mlpStepOnly = (await readR1cs((await compileTemplate("training/mlp.circom", "MlpStep", [4, 6, 3, 2])).r1cs))
    .constraints.length;
  const macs = mlpMacs(mlpShape, mlpSpec.batchSize);
  const ma = artifactPaths(mlpFamily.step);
  const mlpK1 = (JSON.parse(await readFile(ma.record, "utf8")) as { constraints: number }).constraints;
  const k2 = checkpointCircuit(DEFAULT_MLP_SHAPE, 2);
  const mlpK2 = (await readR1cs((await compileTemplate(k2.include, k2.template, k2.params, k2.publicInputs)).r1cs))
    .constraints.length;
  const perStep = mlpK2 - mlpK1;
  const kFits = Math.max(0, Math.floor((2 ** 17 - (mlpK1 - perStep)) / perStep));
  const mRun = train(mlpSpec, data, beacon, 3);
  const mw: number[] = [];
  const mp: number[] = [];
  for (let r = 0; r < 3; r++) {
    const { inputs } = checkpointInputs(mlpSpec, data, mRun.steps.slice(r, r + 1), { lab: 1n, beacon });
    const wtns = { type: "mem" as const };
    t = performance.now();
    await snarkjs.wtns.calculate(inputs, ma.wasm, wtns);
    mw.push((performance.now() - t) / 1000);
    t = performance.now();
    await snarkjs.groth16.prove(ma.zkey, wtns);
    mp.push((performance.now() - t) / 1000);
  }
  const mlp = {
    family: mlpFamily.name,
    stepCircuitConstraints: mlpK1,
    mlpStepTemplateConstraints: mlpStepOnly,
    macsPerStep: macs,
    constraintsPerMac: Number((mlpStepOnly / macs).toFixed(1)),
    checkpointK2Constraints: mlpK2,
    largestKThatFits2to17: kFits,
    witnessSecondsMedian: Number(median(mw).toFixed(3)),
    proveSecondsMedian: Number(median(mp).toFixed(3)),
  };
  process.stdout.write(
    `${mlpFamily.step} (family ${mlpFamily.name}): ${mlpK1} constraints; witness ${median(mw).toFixed(2)} s, ` +
      `prove ${median(mp).toFixed(2)} s (medians of 3)\n` +
      `  MlpStep(4, 6, 3, 2) alone ${mlpStepOnly} constraints for ${macs} MACs = ${mlp.constraintsPerMac} per MAC ` +
      `(every other operation included; goal <= 250: ${mlp.constraintsPerMac <= 250 ? "met" : "NOT met"})\n` +
      `  Checkpoint(K = 2) ${mlpK2} constraints: ${perStep} per extra step; largest K within 2^17 = ${kFits}\n`,
  );

  // The registry's contracts: runtime code per contract (issue #24: each at most 20,000 bytes at 10,000
  // optimizer runs). Compiled here, with every verifier `npm run artifacts` generated, so a fresh clone works.
  await compileGeneratedVerifiers();
  const codeSize: Record<string, number> = {};
  for (const name of ["TrainingRegistry", "SampledMode", "CircuitFamilies", "ComputeObservers"])
    codeSize[name] = ((await artifacts.readArtifact(name)).deployedBytecode.length - 2) / 2;
  process.stdout.write(
    `registry contracts, runtime code (limit 24,576; goal <= 20,000 each): ` +
      Object.entries(codeSize)
        .map(([n, s]) => `${n} ${s}`)
        .join(", ") +
      ` — ${Object.values(codeSize).every((s) => s <= 20_000) ? "met" : "NOT met"}\n`,
  );

  // Registry gas with real proofs, on Hardhat's in-process network.
  const conn = await network.create();
  const fixtures = await registryFixtures(log);
  const gas = await measureGas(conn.viem, conn.networkHelpers, fixtures);
  const batch = await measureBatchGas(conn.viem, fixtures);
  process.stdout.write(
    `Batched verification of step proofs (issue #26, goal <= 60,000 gas per additional proof): ` +
      `${Object.entries(batch.bySize)
        .map(([n, g]) => `${n}: ${g}`)
        .join(", ")} gas; ${batch.perAdditionalProof} per additional proof — ` +
      `${batch.perAdditionalProof <= 60_000 ? "met" : "NOT met"}\n`,
  );
  const max = (xs: readonly number[]): number => Math.max(...xs);
  const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
  process.stdout.write(
    `registry gas (whole transactions, real proofs):\n` +
      `  registerRun with genesis proof          ${gas.registerRun} (its plan projected to cross the threshold)\n` +
      `  drawBeacon (anyone, after registration)  ${gas.drawBeacon}\n` +
      `  submitCheckpoint, K = 1 (step proof)    ${gas.submitK1.join(", ")}\n` +
      `  submitCheckpoint, K = 4                 ${gas.submitK4.join(", ")}\n` +
      `  submitCheckpoint, late, first flags     ${gas.submitFirstFlags} (missed window + cap + steps + designation, after ${PAUSES_BEFORE_FIRST_FLAGS} pauses)\n` +
      `  submitCheckpoints, 4 x K = 4 in one call ${gas.submitBatchK4} (${Math.round(gas.submitBatchK4 / 4)} per checkpoint; one by one ${sum(gas.submitK4)})\n` +
      `  submitCheckpoints, 4 x K = 1 in one call ${gas.submitBatchK1} (${Math.round(gas.submitBatchK1 / 4)} per step; one by one ${sum(gas.submitK1)})\n` +
      `  flagMissedDeadline (1st, 2nd window)    ${gas.flagMissedDeadline.join(", ")}\n` +
      `  closeRun (flagging a missed window)     ${gas.closeRun}\n` +
      `  policy action via timelock              schedule ${gas.policySchedule}, execute ${gas.policyExecute}\n` +
      `  goals: <= 280000 per ordinary submission (designating included): ${max([...gas.submitK1, ...gas.submitK4]) <= 280_000 ? "met" : `NOT met (${max([...gas.submitK1, ...gas.submitK4])}: issue #29's compute ledger adds ~5.4k to every submission, ~22.5k to a lab's first of a UTC day)`}; ` +
      `<= 295000 for the costliest: ${gas.submitFirstFlags <= 295_000 ? "met" : `NOT met (${gas.submitFirstFlags}, the ledger included)`}\n`,
  );

  // Observers (issue #29): a relayed report and reconciliations, real signatures and ledger.
  const ogas = await measureObserverGas(conn.viem, conn.networkHelpers, fixtures);
  const omax = Math.max(ogas.relayReport, ogas.reconcileWithin, ogas.reconcileFlagged);
  process.stdout.write(
    `observers gas (whole transactions, EIP-712 signatures, default policy: ${ogas.ledgerDays} ledger days per reconciliation):\n` +
      `  submitReport (relayed by anyone)        ${ogas.relayReport}\n` +
      `  reconcile, within tolerance             ${ogas.reconcileWithin}\n` +
      `  reconcile, UnaccountedCompute flagged   ${ogas.reconcileFlagged}\n` +
      `  goal: <= 100000 each: ${omax <= 100_000 ? "met" : `NOT met (${omax})`}\n`,
  );

  // Sampled mode (issue #11): gas, proving time per window against full mode, detection.
  const sgas = await measureSampledGas(conn.viem, conn.networkHelpers, log);
  const stepSeconds = stepProve;
  const k4Seconds =
    training.checkpoint_linear_i4o3b2n150k4!.proveSecondsMedian +
    training.checkpoint_linear_i4o3b2n150k4!.witnessSecondsMedian;
  const perWindow = [4, 64].map((W) => {
    const S = 2;
    return {
      W,
      challenges: S,
      sampledSeconds: Number((S * stepSeconds).toFixed(2)),
      fullK4Seconds: Number(((W / 4) * k4Seconds).toFixed(2)),
      fullK1Seconds: Number((W * stepSeconds).toFixed(2)),
    };
  });
  const detection = [4, 16, 64].flatMap((W) =>
    [1, 2, 4, 8]
      .filter((S) => S <= W)
      .map((S) => ({
        W,
        s: S,
        m1: Number((1 - escapeProbability(W, 1, S)).toFixed(4)),
        m2: Number((1 - escapeProbability(W, 2, S)).toFixed(4)),
        m4: Number((1 - escapeProbability(W, Math.min(4, W), S)).toFixed(4)),
      })),
  );
  const maxCommit = Math.max(...sgas.commitW4, sgas.commitW64);
  const maxPlainCommit = Math.max(...sgas.commitW4.slice(0, -1), sgas.commitW64);
  process.stdout.write(
    `sampled mode gas (whole transactions, real proofs):\n` +
      `  commitWindow, W = 4                     ${sgas.commitW4.join(", ")} (the last designates the run)\n` +
      `  commitWindow, W = 64 (same K = 4 family) ${sgas.commitW64}\n` +
      `  drawChallenges, 2 of a W = 4 window     ${sgas.draw}\n` +
      `  answerChallenge (real step proof)       ${sgas.answer.join(", ")}\n` +
      `  requestChallenge (paid)                 ${sgas.paidChallenge}\n` +
      `  flagUnansweredChallenge (fee refunded)  ${sgas.flagUnanswered}\n` +
      `  withdraw                                ${sgas.withdraw}\n` +
      `  goals: <= 75000 per commitment: ${maxCommit <= 75_000 ? "met" : maxPlainCommit <= 75_000 ? `met but for the designating one (${maxCommit})` : `NOT met (max ${maxCommit}; issue #29's compute ledger adds ~5.4k to every commitment, ~22.5k to a lab's first of a UTC day)`}; ` +
      `<= 300000 per answer: ${Math.max(...sgas.answer) <= 300_000 ? "met" : "NOT met"}\n` +
      `proving seconds per window (2 challenges; from the medians above):\n` +
      perWindow
        .map(
          (p) =>
            `  W = ${String(p.W).padEnd(3)} sampled ${p.sampledSeconds.toFixed(1)} s; full mode ${p.fullK4Seconds.toFixed(1)} s ` +
            `with K = 4 checkpoints (${(p.sampledSeconds / p.fullK4Seconds).toFixed(3)}x), ${p.fullK1Seconds.toFixed(1)} s with step proofs\n`,
        )
        .join("") +
      `detection probability 1 - C(W-m, s)/C(W, s) of a window with m invalid steps among W, s challenges:\n` +
      `  W    s   m = 1   m = 2   m = 4\n` +
      detection
        .map(
          (r) =>
            `  ${String(r.W).padEnd(4)} ${String(r.s).padEnd(3)} ${r.m1.toFixed(4)}  ${r.m2.toFixed(4)}  ${r.m4.toFixed(4)}\n`,
        )
        .join(""),
  );

  // The dashboard against a node with 100 runs, in a headless Chromium.
  const dashboard = await measureDashboardLoad(log);
  process.stdout.write(
    "skipped" in dashboard
      ? `dashboard page load: skipped (${dashboard.skipped})\n`
      : `dashboard page load (hardhat node, ${dashboard.runs} runs, ${dashboard.events} registry events; median of 5):\n` +
          `  runs table with every run   ${dashboard.tableLoadMsMedian} ms\n` +
          `  run page with its timeline  ${dashboard.runPageLoadMsMedian} ms\n`,
  );
  // The proving queue (issue #27) against the Redis at REDIS_URL (default the local one).
  const queue = await measureQueue(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", log);
  process.stdout.write(
    "skipped" in queue
      ? `proving queue: skipped (${queue.skipped})\n`
      : `proving queue (${queue.proofs} proofs of a 4-step run, this 2-core machine; workers are processes here):\n` +
          `  in process ${queue.inProcessSeconds} s, 1 worker ${queue.oneWorkerSeconds} s, 2 workers ${queue.twoWorkersSeconds} s\n` +
          `  queue overhead ${queue.overheadPerJobMs} ms per job; ${queue.meanProofSeconds} s per proof on a worker\n` +
          `  projection (not measured) for N machines like this one: ` +
          Object.entries(queue.projected)
            .map(([n, s]) => `${n}: ${s} s`)
            .join(", ") +
          "\n",
  );
  process.stdout.write(`peak resident memory: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB\n`);
  process.stdout.write(
    JSON.stringify({
      constraints,
      dot4: { constraints: rec.constraints, proveSecondsMedian: Number(proveMedian.toFixed(3)) },
      training,
      penguinsStep,
      mlp,
      exact,
      chunks,
      trainMsPerStep: Number(trainMsPerStep.toFixed(3)),
      stepProofToTrainingRatio: Math.round(ratio),
      gas: {
        registerRun: gas.registerRun,
        drawBeacon: gas.drawBeacon,
        submitCheckpointK1Max: max(gas.submitK1),
        submitCheckpointK4Max: max(gas.submitK4),
        submitCheckpointFirstFlags: gas.submitFirstFlags,
        submitCheckpointsBatchK4x4: gas.submitBatchK4,
        submitCheckpointsBatchK1x4: gas.submitBatchK1,
        flagMissedDeadline: gas.flagMissedDeadline[0],
        closeRun: gas.closeRun,
        policySchedule: gas.policySchedule,
        policyExecute: gas.policyExecute,
      },
      sampled: { gas: sgas, perWindow, detection },
      observers: { gas: ogas },
      codeSize,
      batchVerification: batch,
      queue,
      dashboard,
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    }) + "\n",
  );
}
