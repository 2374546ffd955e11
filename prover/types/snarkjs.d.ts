// Minimal typings for the parts of snarkjs this project uses (snarkjs ships none).
declare module "snarkjs" {
  export interface Groth16Proof {
    pi_a: [string, string, string];
    pi_b: [[string, string], [string, string], [string, string]];
    pi_c: [string, string, string];
    protocol: "groth16";
    curve: "bn128";
  }
  export type PublicSignals = string[];
  type Log = { info(m: string): void; debug(m: string): void; warn(m: string): void; error(m: string): void };
  export const groth16: {
    fullProve(input: object, wasm: string, zkey: string, logger?: Log): Promise<{ proof: Groth16Proof; publicSignals: PublicSignals }>;
    prove(zkey: string, wtns: string | { type: "mem"; data?: Uint8Array }, logger?: Log): Promise<{ proof: Groth16Proof; publicSignals: PublicSignals }>;
    verify(vkey: object, publicSignals: PublicSignals, proof: Groth16Proof, logger?: Log): Promise<boolean>;
  };
  export const zKey: {
    newZKey(r1cs: string, ptau: string, zkey: string, logger?: Log): Promise<unknown>;
    contribute(oldZkey: string, newZkey: string, name: string, entropy: string, logger?: Log): Promise<unknown>;
    beacon(oldZkey: string, newZkey: string, name: string, beaconHash: string, numIterationsExp: number, logger?: Log): Promise<unknown>;
    verifyFromInit(initZkey: string, ptau: string, zkey: string, logger?: Log): Promise<boolean>;
    verifyFromR1cs(r1cs: string, ptau: string, zkey: string, logger?: Log): Promise<boolean>;
    exportVerificationKey(zkey: string, logger?: Log): Promise<object>;
    exportSolidityVerifier(zkey: string, templates: { groth16: string }, logger?: Log): Promise<string>;
  };
  export const powersOfTau: {
    newAccumulator(curve: unknown, power: number, file: string, logger?: Log): Promise<unknown>;
    contribute(oldPtau: string, newPtau: string, name: string, entropy: string, logger?: Log): Promise<unknown>;
    beacon(oldPtau: string, newPtau: string, name: string, beaconHash: string, numIterationsExp: number, logger?: Log): Promise<unknown>;
    preparePhase2(oldPtau: string, newPtau: string, logger?: Log): Promise<unknown>;
  };
  export const wtns: {
    calculate(input: object, wasm: string, wtns: string | { type: "mem"; data?: Uint8Array }): Promise<void>;
  };
  export const curves: { getCurveFromName(name: string): Promise<unknown> };
}
