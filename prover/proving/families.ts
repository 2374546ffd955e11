/**
 * The circuit families the registry governs (DESIGN §6): one model shape and
 * checkpoint size K, with the manifest circuits whose verifiers it uses.
 * A family's on-chain id is keccak256 of its name.
 */
import { keccak256, stringToHex, type Hex } from "viem";
import { circuitSpec, type CircuitId } from "./manifest.js";

export interface FamilySpec {
  /** Stable name; its keccak256 is the on-chain family id. */
  readonly name: string;
  /** Manifest circuit of the family's genesis proofs. */
  readonly genesis: CircuitId;
  /** Manifest circuit of the family's checkpoint proofs (Checkpoint(K)). */
  readonly checkpoint: CircuitId;
  /** Steps K per checkpoint; equals the checkpoint circuit's K parameter. */
  readonly stepsPerCheckpoint: number;
  readonly description: string;
}

export const FAMILIES = [
  {
    name: "linear-mse/i4-o3-b2/iris150/k1",
    genesis: "genesis_linear_i4o3b2",
    checkpoint: "step_linear_i4o3b2",
    stepsPerCheckpoint: 1,
    description: "linear-mse 4->3, batch 2, iris (150 samples); one step proof per checkpoint",
  },
  {
    name: "linear-mse/i4-o3-b2/iris150/k4",
    genesis: "genesis_linear_i4o3b2",
    checkpoint: "checkpoint4_linear_i4o3b2",
    stepsPerCheckpoint: 4,
    description: "linear-mse 4->3, batch 2, iris (150 samples); 4 steps re-proved per checkpoint",
  },
] as const satisfies readonly FamilySpec[];

export type FamilyName = (typeof FAMILIES)[number]["name"];

/** The on-chain id of a family: keccak256 of its name. */
export const familyId = (name: string): Hex => keccak256(stringToHex(name));

export function familySpec(name: string): FamilySpec {
  const f = FAMILIES.find((x) => x.name === name);
  if (!f) throw new Error(`unknown circuit family "${name}"; known: ${FAMILIES.map((x) => x.name).join(", ")}`);
  return f;
}

/** The K parameter of a Checkpoint(I, O, B, K, N, D) manifest circuit. */
export const checkpointK = (id: CircuitId): number => circuitSpec(id).params[3]!;
