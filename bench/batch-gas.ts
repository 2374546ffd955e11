/**
 * Gas of batched Groth16 verification (issue #26): verifyBatch of the step
 * circuit's generated adapter on 1, 2, 4, 8 and 16 real step proofs
 * (the recorded fixtures' four step proofs, repeated), as estimated for a
 * whole transaction. Used by `npm run bench` and by the test that holds the
 * goal of 60,000 gas per additional proof.
 */
import type { HardhatViemHelpers } from "@nomicfoundation/hardhat-viem/types";
import { encodeFunctionData } from "viem";
import type { RegistryFixtures } from "../harness/fixtures/registry.js";
import { packProof, packPublicSignals, proofWords } from "../prover/proving/calldata.js";

export const BATCH_SIZES = [1, 2, 4, 8, 16] as const;

export interface BatchGas {
  /** Whole-transaction gas of verifyBatch, by batch size. */
  readonly bySize: Readonly<Record<number, number>>;
  /** (gas of 16 - gas of 1) / 15. */
  readonly perAdditionalProof: number;
}

export async function measureBatchGas(viem: HardhatViemHelpers, fixtures: RegistryFixtures): Promise<BatchGas> {
  const steps = fixtures.runs.C.checkpoints;
  const verifier = await viem.deployContract("CheckpointLinearI4o3b2n150k1VerifierAdapter");
  const pc = await viem.getPublicClient();
  const bySize: Record<number, number> = {};
  for (const n of BATCH_SIZES) {
    const batch = Array.from({ length: n }, (_, i) => steps[i % steps.length]!);
    const args = [
      batch.map((b) => proofWords(packProof(b.proof))),
      batch.flatMap((b) => packPublicSignals(b.publicSignals)),
    ] as const;
    if (!(await verifier.read.verifyBatch(args))) throw new Error(`a valid batch of ${n} did not verify`);
    const data = encodeFunctionData({ abi: verifier.abi, functionName: "verifyBatch", args });
    bySize[n] = Number(await pc.estimateGas({ to: verifier.address, data }));
  }
  return { bySize, perAdditionalProof: Math.round((bySize[16]! - bySize[1]!) / 15) };
}
