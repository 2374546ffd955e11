/**
 * Gas of the registry's calls with real proofs (the recorded fixtures), on a
 * fresh deployment: registering a run with its genesis proof, submitting
 * step checkpoints (K = 1) and K = 4 checkpoints, and flagging a missed
 * deadline. Used by `npm run bench` and by a test that holds the 300k goal.
 */
import type { HardhatViemHelpers } from "@nomicfoundation/hardhat-viem/types";
import type { NetworkHelpers } from "@nomicfoundation/hardhat-network-helpers/types";
import type { Hash } from "viem";
import { familyId } from "../../prover/proving/families.js";
import type { RegistryFixtures } from "../../test/fixtures/registry.js";
import { checkpointCall, genesisCall, type Attestations } from "./calls.js";
import { deployRegistry } from "./deploy.js";
import { mined } from "./tx.js";

export interface GasFigures {
  /** registerRun with its genesis proof (whole transaction). */
  readonly registerRun: number;
  /** submitCheckpoint, K = 1: every submission of the run, in order. */
  readonly submitK1: readonly number[];
  /** submitCheckpoint, K = 4: every submission of the run, in order. */
  readonly submitK4: readonly number[];
  /** flagMissedDeadline: first and second window. */
  readonly flagMissedDeadline: readonly number[];
}

const ATTESTATIONS: Attestations = { flopsCap: 10_000n, maxSteps: 16n, checkpointDeadline: 3600n };

export async function measureGas(
  viem: HardhatViemHelpers,
  helpers: NetworkHelpers<string>,
  fixtures: RegistryFixtures,
): Promise<GasFigures> {
  const publicClient = await viem.getPublicClient();
  const d = await deployRegistry(viem);
  const registry = await viem.getContractAt("TrainingRegistry", d.registry.address);
  const gasOf = async (hash: Hash): Promise<number> => {
    return Number((await mined(publicClient, hash, "gas measurement")).gasUsed);
  };
  const register = async (run: RegistryFixtures["runs"]["A"]): Promise<{ id: bigint; gas: number }> => {
    const g = genesisCall(run.genesis);
    const gas = await gasOf(
      await registry.write.registerRun([familyId(run.family), g.specCommitment, ATTESTATIONS, g.facts, g.proof], {
        account: run.lab,
      }),
    );
    return { id: await registry.read.runCount(), gas };
  };
  const submitAll = async (run: RegistryFixtures["runs"]["A"], id: bigint): Promise<number[]> => {
    const out: number[] = [];
    for (const bundle of run.checkpoints) {
      const c = checkpointCall(bundle);
      out.push(await gasOf(await registry.write.submitCheckpoint([id, c.claim, c.proof], { account: run.lab })));
    }
    return out;
  };

  const a = await register(fixtures.runs.A);
  const submitK4 = await submitAll(fixtures.runs.A, a.id);
  const c = await register(fixtures.runs.C);
  const submitK1 = await submitAll(fixtures.runs.C, c.id);
  const b = await register(fixtures.runs.B);
  await helpers.time.increase(2 * 3600 + 1);
  const flagMissedDeadline = [
    await gasOf(await registry.write.flagMissedDeadline([b.id])),
    await gasOf(await registry.write.flagMissedDeadline([b.id])),
  ];
  return { registerRun: a.gas, submitK1, submitK4, flagMissedDeadline };
}
