/**
 * Gas of the observers' calls (issue #29) with real EIP-712 signatures and a real ledger (run A's recorded
 * proofs): a relayed report, a reconciliation within tolerance and one that flags UnaccountedCompute, each a
 * whole transaction, on the real deployment (the observer added through the timelock). Used by `npm run bench`.
 */
import type { HardhatViemHelpers } from "@nomicfoundation/hardhat-viem/types";
import type { NetworkHelpers } from "@nomicfoundation/hardhat-network-helpers/types";
import type { Hash } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { familyId } from "../prover/proving/families.js";
import { silentLogger } from "../prover/proving/log.js";
import { useFixtureBeacon, type RegistryFixtures } from "../harness/fixtures/registry.js";
import { checkpointCall, genesisCall } from "../client/calls.js";
import { registryContract } from "../client/contract.js";
import { deployRegistry } from "../client/deploy.js";
import {
  evidenceHashOf,
  observerPolicyAction,
  observersContract,
  relayReport,
  signReport,
} from "../client/observers.js";
import { mined } from "../client/tx.js";

export interface ObserverGasFigures {
  /** submitReport, relayed by an account that is not the observer. */
  readonly relayReport: number;
  /** reconcile of a report within the tolerance (no flag). */
  readonly reconcileWithin: number;
  /** reconcile of a report above it: UnaccountedComputeFlagged, the lab's first flag. */
  readonly reconcileFlagged: number;
  /** Days of the ledger each reconciliation read (the period and its grace). */
  readonly ledgerDays: number;
}

const DAY = 86_400n;

export async function measureObserverGas(
  viem: HardhatViemHelpers,
  helpers: NetworkHelpers<string>,
  fixtures: RegistryFixtures,
): Promise<ObserverGasFigures> {
  const publicClient = await viem.getPublicClient();
  const d = await deployRegistry(viem, { policyDelay: 3600n });
  const registry = await registryContract(viem, d.registry.address);
  const gasOf = async (hash: Hash): Promise<number> =>
    Number((await mined(publicClient, hash, "gas measurement")).gasUsed);
  const [deployer, , , relayer] = await viem.getWalletClients();
  const proposer = deployer!.account.address;
  const observer = privateKeyToAccount(`0x${"0b".repeat(32)}`);
  const where = { timelock: d.timelock.address, observers: d.observers.address };
  const add = { kind: "add", signer: observer.address, name: "bench meter", evidenceKind: "power meter" } as const;
  const scheduled = await observerPolicyAction(viem, where, add, proposer, silentLogger);
  await helpers.time.increaseTo(scheduled.readyAt!);
  await observerPolicyAction(viem, where, add, proposer, silentLogger);

  // Run A's lab proves two checkpoints on one day.
  await helpers.time.increaseTo((BigInt(await helpers.time.latest()) / DAY + 1n) * DAY + 60n);
  const start = (BigInt(await helpers.time.latest()) / DAY) * DAY;
  const run = fixtures.runs.A;
  const g = genesisCall(run.genesis);
  await mined(
    publicClient,
    await registry.write.registerRun(
      [
        familyId(run.family),
        g.specCommitment,
        { flopsCap: 10n ** 9n, maxSteps: 1000n, checkpointDeadline: 10n ** 9n },
        g.facts,
        g.proof,
      ],
      {
        account: run.lab,
      },
    ),
    "registration",
  );
  const id = await registry.read.runCount();
  await useFixtureBeacon(helpers, publicClient, registry, id, run);
  for (const cp of run.checkpoints.slice(0, 2)) {
    const c = checkpointCall(cp);
    await mined(
      publicClient,
      await registry.write.submitCheckpoint([id, c.claim, c.proof], { account: run.lab }),
      "submission",
    );
  }
  const { epochSeconds, graceSeconds } = await (
    await observersContract(viem, d.observers.address)
  ).read.reconciliationPolicy();
  await helpers.time.increaseTo(start + epochSeconds);
  const observers = await observersContract(viem, d.observers.address, relayer);
  const chainId = await publicClient.getChainId();
  const signed = async (lab: `0x${string}`, flops: bigint) =>
    signReport(observer, d.observers.address, chainId, {
      lab,
      periodStart: start,
      periodEnd: start + epochSeconds,
      observedFlops: flops,
      evidenceHash: evidenceHashOf(`bench evidence ${lab}`),
    });
  const relayGas = await gasOf(await relayReport(observers, await signed(run.lab, 1_000n)));
  const offBooks = relayer!.account.address;
  await mined(publicClient, await relayReport(observers, await signed(offBooks, 10n ** 18n)), "relay");
  await helpers.time.increaseTo(start + epochSeconds + graceSeconds);
  const reconcileWithin = await gasOf(await observers.write.reconcile([observer.address, run.lab, start]));
  const reconcileFlagged = await gasOf(await observers.write.reconcile([observer.address, offBooks, start]));
  return {
    relayReport: relayGas,
    reconcileWithin,
    reconcileFlagged,
    ledgerDays: Number((epochSeconds + graceSeconds) / DAY),
  };
}
