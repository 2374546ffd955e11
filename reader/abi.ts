/**
 * The registry's ABI type, as the compiler produced it: Hardhat writes each
 * compiled contract's ABI `as const` into artifacts/…/artifacts.d.ts, so
 * viem infers every function's and event's types from the contract itself
 * (no hand-copied ABI to drift). At run time the ABI comes from the
 * deployment record (deployments/<network>/abi/TrainingRegistry.json).
 */
import type { ArtifactMap } from "hardhat/types/artifacts";

export type RegistryAbi = ArtifactMap["TrainingRegistry"]["abi"];
