/**
 * The registry and the families table as viem contracts (issue #24). The
 * registry's ABI is the TrainingRegistry's and the SampledMode module's together (the
 * SampledMode module answers at the registry's address through its
 * fallback): every caller — CLI, demo, bench, tests — gets the registry from
 * here, so none sees only half of it.
 */
import type { HardhatViemHelpers } from "@nomicfoundation/hardhat-viem/types";
import { artifacts } from "hardhat";
import { getContract, type Abi, type Address } from "viem";
import { REGISTRY_ABI_PARTS, type RegistryAbi } from "./read/abi.js";

/** A compiled contract's ABI; for TrainingRegistry, the registry's whole ABI (with ISampledMode's). */
export async function abiOf(contractName: string): Promise<Abi> {
  if (contractName !== "TrainingRegistry") return (await artifacts.readArtifact(contractName)).abi as Abi;
  return registryAbi();
}

/** The registry's whole ABI: TrainingRegistry's and SampledMode's, each entry once. */
export async function registryAbi(): Promise<RegistryAbi> {
  const parts = await Promise.all(REGISTRY_ABI_PARTS.map(async (n) => (await artifacts.readArtifact(n)).abi as Abi));
  const seen = new Set<string>();
  const merged: Abi[number][] = [];
  for (const entry of parts.flat()) {
    const key = JSON.stringify(entry);
    if (seen.has(key)) continue;
    seen.add(key);
    merged.push(entry);
  }
  return merged as unknown as RegistryAbi;
}

type Public = Awaited<ReturnType<HardhatViemHelpers["getPublicClient"]>>;
type Wallet = Awaited<ReturnType<HardhatViemHelpers["getWalletClients"]>>[number];

/** The registry at `address`, read with `client.public` and written with `client.wallet` (default: the first account). */
export async function registryContract(
  viem: HardhatViemHelpers,
  address: Address,
  client?: { public?: Public; wallet?: Wallet },
) {
  const publicClient = client?.public ?? (await viem.getPublicClient());
  const walletClient = client?.wallet ?? (await viem.getWalletClients())[0];
  if (!walletClient) throw new Error("the network has no account to send from");
  return getContract({ address, abi: await registryAbi(), client: { public: publicClient, wallet: walletClient } });
}

export type RegistryContract = Awaited<ReturnType<typeof registryContract>>;
