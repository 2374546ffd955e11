/**
 * Poseidon over the BN254 scalar field (the circomlib parameters, via
 * poseidon-lite), with domain separation: every use hashes a distinct tag
 * first, so a value committed for one purpose can never stand for another.
 */
import * as P from "poseidon-lite";
import { FIELD_P } from "../circom/r1cs.js";

/** Domain tag: the UTF-8 bytes of a short ASCII label, read big-endian as a field element. */
export function tag(label: string): bigint {
  if (!/^[\x20-\x7e]{1,31}$/.test(label))
    throw new Error(`tag label must be 1-31 printable ASCII characters: ${label}`);
  return BigInt("0x" + Buffer.from(label, "ascii").toString("hex"));
}

/** The domain tags of the protocol (DESIGN §3); circuits use the same constants. */
export const TAGS = {
  spec: tag("vtr/spec/v1"),
  datasetLeaf: tag("vtr/dataset-leaf/v1"),
  merkleNode: tag("vtr/merkle-node/v1"),
  sample: tag("vtr/sample/v2"),
  init: tag("vtr/init/v1"),
  weights: tag("vtr/weights/v1"),
  step: tag("vtr/step/v2"),
  accumulator: tag("vtr/accumulator/v1"),
  run: tag("vtr/run/v1"),
  tensor: tag("vtr/tensor/v1"),
  chunk: tag("vtr/chunk/v1"),
  wideLeaf: tag("vtr/wide-leaf/v1"),
} as const;

const FNS = [
  P.poseidon1,
  P.poseidon2,
  P.poseidon3,
  P.poseidon4,
  P.poseidon5,
  P.poseidon6,
  P.poseidon7,
  P.poseidon8,
  P.poseidon9,
  P.poseidon10,
  P.poseidon11,
  P.poseidon12,
  P.poseidon13,
  P.poseidon14,
  P.poseidon15,
  P.poseidon16,
] as const;

/** Poseidon of 1 to 16 field elements (circomlib's Poseidon(n)). */
export function poseidon(inputs: readonly bigint[]): bigint {
  const fn = FNS[inputs.length - 1];
  if (!fn) throw new RangeError(`poseidon takes 1 to 16 inputs, got ${inputs.length}`);
  for (const x of inputs) {
    if (x < 0n || x >= FIELD_P) throw new RangeError(`poseidon input is not a field element: ${x}`);
  }
  return fn([...inputs]);
}

/** Poseidon of a domain tag followed by up to 15 field elements. */
export const hashTagged = (t: bigint, inputs: readonly bigint[]): bigint => poseidon([t, ...inputs]);
