/**
 * The registry's ABI type, as the compiler produced it: Hardhat writes each
 * compiled contract's ABI `as const` into artifacts/…/artifacts.d.ts, so
 * viem infers every function's and event's types from the contracts
 * themselves (no hand-copied ABI to drift). The registry answers at one
 * address for two interfaces (issue #24): its own (TrainingRegistry: runs,
 * checkpoints, deadlines, governance) and sampled mode's (ISampledMode,
 * run by the SampledMode module through the registry's fallback), so its ABI
 * is the two contracts' together (the module's, not only its interface's, so
 * that the module's reentrancy error decodes too; an entry both declare,
 * such as ViolationFlagged, is kept once). At run time the ABI comes from the deployment record
 * (deployments/<network>/abi/TrainingRegistry.json, written merged).
 */
import type { ArtifactMap } from "hardhat/types/artifacts";

/** The contracts whose ABIs, together, are the registry's ABI (in this order). */
export const REGISTRY_ABI_PARTS = ["TrainingRegistry", "SampledMode"] as const;

export type RegistryAbi = readonly [...ArtifactMap["TrainingRegistry"]["abi"], ...ArtifactMap["SampledMode"]["abi"]];

export type FamiliesAbi = ArtifactMap["CircuitFamilies"]["abi"];

export type ObserversAbi = ArtifactMap["ComputeObservers"]["abi"];

/**
 * What a watcher decodes: the registry's events, the families table's (CircuitFamilyRegistered,
 * CircuitFamilyDeprecated, its roles) and the observers' table's (observers, reports, reconciliations and
 * UnaccountedComputeFlagged, issue #29), each event typed from the compiled ABI.
 */
export type WatchedAbi = readonly [...RegistryAbi, ...FamiliesAbi, ...ObserversAbi];
