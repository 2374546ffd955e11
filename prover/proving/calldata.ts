/**
 * Groth16 calldata for the snarkjs Solidity verifier: one pack/unpack pair.
 * The verifier expects pi_b's Fp2 coordinates as (imaginary, real), while
 * snarkjs proofs hold them as (real, imaginary): packing swaps them, unpacking
 * swaps them back.
 */
import type { Groth16Proof } from "snarkjs";

export interface PackedProof {
  readonly a: readonly [bigint, bigint];
  readonly b: readonly [readonly [bigint, bigint], readonly [bigint, bigint]];
  readonly c: readonly [bigint, bigint];
}

export function packProof(proof: Groth16Proof): PackedProof {
  const n = (s: string): bigint => BigInt(s);
  return {
    a: [n(proof.pi_a[0]), n(proof.pi_a[1])],
    b: [
      [n(proof.pi_b[0][1]), n(proof.pi_b[0][0])],
      [n(proof.pi_b[1][1]), n(proof.pi_b[1][0])],
    ],
    c: [n(proof.pi_c[0]), n(proof.pi_c[1])],
  };
}

export function unpackProof(p: PackedProof): Groth16Proof {
  const s = (x: bigint): string => x.toString();
  return {
    pi_a: [s(p.a[0]), s(p.a[1]), "1"],
    pi_b: [
      [s(p.b[0][1]), s(p.b[0][0])],
      [s(p.b[1][1]), s(p.b[1][0])],
      ["1", "0"],
    ],
    pi_c: [s(p.c[0]), s(p.c[1]), "1"],
    protocol: "groth16",
    curve: "bn128",
  };
}

export const packPublicSignals = (signals: readonly string[]): bigint[] => signals.map((x) => BigInt(x));

/** The eight words IProofVerifier takes: a.x, a.y, b.x (EVM order), b.y (EVM order), c.x, c.y. */
export type ProofWords = readonly [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint];

export const proofWords = (p: PackedProof): ProofWords => [
  p.a[0],
  p.a[1],
  p.b[0][0],
  p.b[0][1],
  p.b[1][0],
  p.b[1][1],
  p.c[0],
  p.c[1],
];

export const fromProofWords = (w: ProofWords): PackedProof => ({
  a: [w[0], w[1]],
  b: [
    [w[2], w[3]],
    [w[4], w[5]],
  ],
  c: [w[6], w[7]],
});
