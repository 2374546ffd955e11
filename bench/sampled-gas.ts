/**
 * Gas of sampled mode's calls (issue #11) with real proofs, on a fresh
 * registry: window commitments at W = 4 (the example spec's four windows,
 * the last one designating the run) and at W = 64 (one window of a 64-step
 * spec), a draw of 2 challenges, answers with real step proofs, a paid
 * challenge, an unanswered flag with its refund, and a withdrawal. Used by
 * `npm run bench`.
 *
 * The W = 64 family is registered for this measurement only, with the K = 4
 * checkpoint verifier: a commitment verifies no proof, and its answers use
 * the family's step verifier (K = 1), which is the real one.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { HardhatViemHelpers } from "@nomicfoundation/hardhat-viem/types";
import type { NetworkHelpers } from "@nomicfoundation/hardhat-network-helpers/types";
import { getAddress, type Hash } from "viem";
import { commitDataset } from "../prover/dataset/dataset.js";
import { loadIris } from "../prover/dataset/iris.js";
import { FAMILIES, familyId } from "../prover/proving/families.js";
import type { Logger } from "../prover/proving/log.js";
import { proveSteps, trainRoots } from "../prover/run/sampled.js";
import { readSpec } from "../prover/spec/schema.js";
import { genesisCall, type Attestations } from "../client/calls.js";
import { deployDirectPolicyRegistry, deployRegistry } from "../client/deploy.js";
import { answerArgs, commitWindows, runChallenges, windowRefs } from "../client/sampled.js";
import { mined } from "../client/tx.js";
import { drawRunBeacon } from "../client/runs.js";
import { readFile } from "node:fs/promises";
import type { ProofBundle } from "../prover/proving/prove.js";

export interface SampledGasFigures {
  /** commitWindow, W = 4: the example run's four windows (the last designates the run). */
  readonly commitW4: readonly number[];
  /** commitWindow, W = 64 (below the designation threshold). */
  readonly commitW64: number;
  /** drawChallenges, 2 challenges of a W = 4 window. */
  readonly draw: number;
  /** answerChallenge with a real step proof (each answer of the measured run). */
  readonly answer: readonly number[];
  /** requestChallenge (paid). */
  readonly paidChallenge: number;
  /** flagUnansweredChallenge of a paid challenge (the fee credited back). */
  readonly flagUnanswered: number;
  readonly withdraw: number;
}

const ATTEST: Attestations = { flopsCap: 10n ** 12n, maxSteps: 1_000n, checkpointDeadline: 86_400n };

export async function measureSampledGas(
  viem: HardhatViemHelpers,
  helpers: NetworkHelpers<string>,
  log: Logger,
): Promise<SampledGasFigures> {
  const publicClient = await viem.getPublicClient();
  const [deployer, auditor] = (await viem.getWalletClients()).map((w) => getAddress(w.account.address)) as [
    `0x${string}`,
    `0x${string}`,
  ];
  // A registry whose policy the deployer holds directly, with the designation threshold at 1,500 FLOPs.
  const d = await deployRegistry(viem, {});
  const { registry } = await deployDirectPolicyRegistry(viem, d, deployer);
  const k4 = FAMILIES.find((f) => f.stepsPerCheckpoint === 4)!;
  await mined(publicClient, await registry.write.setDesignationThreshold([1_500n]), "setDesignationThreshold");
  const gasOf = async (hash: Hash): Promise<number> => Number((await mined(publicClient, hash, "gas")).gasUsed);

  const example = await readSpec("prover/spec/examples/iris-linear.json");
  const data = commitDataset(loadIris());
  const dir = await mkdtemp(path.join(tmpdir(), "vtr-sampled-gas-"));
  try {
    const run = async (spec: typeof example, family: string, sub: string, W: number) => {
      const runDir = path.join(dir, sub);
      await trainRoots(spec, data, { runDir, lab: BigInt(deployer), steps: 0 }, log);
      const g = genesisCall(JSON.parse(await readFile(path.join(runDir, "genesis.json"), "utf8")) as ProofBundle);
      await mined(
        publicClient,
        await registry.write.registerSampledRun([
          familyId(family),
          g.specCommitment,
          ATTEST,
          { challengesPerWindow: 2, responseSeconds: 3_600, windowSteps: W },
          g.facts,
          g.proof,
        ]),
        "registerSampledRun",
      );
      const runId = await registry.read.runOfSpec([deployer, g.specCommitment]);
      const beacon = await drawRunBeacon(registry, publicClient, runId, { mineEmptyBlocks: true, log });
      const opts = { runDir, lab: BigInt(deployer), beacon };
      const trained = await trainRoots(spec, data, opts, log);
      const c = await commitWindows(registry, publicClient, runId, trained.roots, log);
      return { runId, opts, trained, gas: c.gas.map(Number) };
    };
    const w4 = await run({ ...example, salt: example.salt + 40n }, k4.name, "w4", 4);
    // W = 64 below the threshold: the commitment alone, without a designation.
    await mined(publicClient, await registry.write.setDesignationThreshold([10n ** 9n]), "setDesignationThreshold");
    // W = 64 on the same K = 4 family: the window length is the run's, not the family's (issue #24).
    const w64 = await run({ ...example, salt: example.salt + 64n, plannedSteps: 64 }, k4.name, "w64", 64);

    await helpers.mine(3);
    const refs = await windowRefs(registry, publicClient, 0n, w4.runId);
    const draw = await gasOf(await registry.write.drawChallenges([w4.runId, 0n, refs.get(0n)!]));
    const { challenges } = await runChallenges(registry, publicClient, 0n, w4.runId);
    const open = challenges.filter((c) => c.state === "Open").map((c) => Number(c.step));
    const spec4 = { ...example, salt: example.salt + 40n };
    const proved = await proveSteps(spec4, data, w4.opts, w4.trained, open, log);
    const answer: number[] = [];
    for (const [step, bundle] of proved.proofs)
      answer.push(
        await gasOf(
          await registry.write.answerChallenge(answerArgs(w4.runId, BigInt(step), w4.trained.roots, 4, refs, bundle)),
        ),
      );
    const free = [...Array(16).keys()].find((t) => !open.includes(t))!;
    const paidChallenge = await gasOf(
      await registry.write.requestChallenge([w4.runId, BigInt(free)], { account: auditor, value: 10n ** 16n }),
    );
    // Its deadline queues behind the drawn challenges' (issue #24): wait until just past it.
    const paid = await registry.read.getChallenge([w4.runId, BigInt(free)]);
    await helpers.time.increase(paid.allowedSeconds - paid.elapsed + 1n);
    const flagUnanswered = await gasOf(await registry.write.flagUnansweredChallenge([w4.runId, BigInt(free)]));
    const withdraw = await gasOf(await registry.write.withdraw({ account: auditor }));
    return { commitW4: w4.gas, commitW64: w64.gas[0]!, draw, answer, paidChallenge, flagUnanswered, withdraw };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
