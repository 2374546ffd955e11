/**
 * npm run demo — what runs end to end today (issue #2 stage): a bit-exact
 * bf16 computation proved in zero knowledge and verified by snarkjs and by a
 * Solidity verifier on Hardhat's in-process chain. The training/registry
 * story arrives with later issues; this shows the pipeline it stands on.
 */
import { network } from "hardhat";
import { packProof, packPublicSignals } from "../prover/proving/calldata.js";
import { releaseSnarkjs } from "../prover/proving/log.js";
import { artifactPaths } from "../prover/proving/artifacts.js";
import { circuitSpec } from "../prover/proving/manifest.js";
import { prove, verify } from "../prover/proving/prove.js";
import { bf16ToNumber, dotBf16, f32ToNumber, numberToBf16 } from "../prover/numerics/index.js";
import { readFile } from "node:fs/promises";

const say = (s: string): void => void process.stdout.write(s + "\n");
const hex = (x: number, w: number): string => "0x" + x.toString(16).padStart(w, "0");

async function main(): Promise<void> {
  const spec = circuitSpec("dot4");
  const record = JSON.parse(await readFile(artifactPaths("dot4").record, "utf8")) as {
    constraints: number;
    warning: string;
  };
  say("Verifiable training registry — pipeline demo (bit-exact bf16 arithmetic in zero knowledge)\n");
  say(`Circuit "${spec.id}": ${spec.statement}.`);
  say(`${record.constraints} constraints. ${record.warning}\n`);

  // Public: the first sample of Fisher's iris data set. Private: a weight vector.
  const x = [5.1, 3.5, 1.4, 0.2].map(numberToBf16);
  const w = [0.4, -0.25, 0.9, -1.2].map(numberToBf16);
  const y = dotBf16(x, w);
  say("public  a (bf16): " + x.map((v) => `${bf16ToNumber(v)} [${hex(v, 4)}]`).join(", "));
  say("private b (bf16): " + w.map((v) => `${bf16ToNumber(v)} [${hex(v, 4)}]`).join(", "));
  const exact = x.reduce((s, v, i) => s + bf16ToNumber(v) * bf16ToNumber(w[i]!), 0);
  say(`reference: fp32 sequential accumulation = ${f32ToNumber(y)} [${hex(y, 8)}]  (exact real value ${exact})\n`);

  say("[1/3] proving (witness + Groth16)...");
  let t = Date.now();
  const bundle = await prove("dot4", { a: x, b: w });
  say(
    `      proved in ${((Date.now() - t) / 1000).toFixed(2)} s; statement out = ${bundle.statement.out} (${hex(Number(bundle.statement.out), 8)})`,
  );
  if (bundle.statement.out !== String(y)) throw new Error("circuit output differs from the reference: this is a bug");

  say("[2/3] verifying with snarkjs...");
  t = Date.now();
  say(`      valid: ${await verify(bundle)} (${((Date.now() - t) / 1000).toFixed(2)} s)`);
  const forged = { ...bundle, publicSignals: [String(y + 1), ...bundle.publicSignals.slice(1)] };
  say(`      same proof, output changed by one ulp: valid = ${await verify(forged)}`);

  say("[3/3] verifying on Hardhat's in-process chain with the generated Solidity verifier...");
  const { viem } = await network.create();
  const publicClient = await viem.getPublicClient();
  const verifier = await viem.deployContract("Dot4Verifier");
  const p = packProof(bundle.proof);
  const pub = packPublicSignals(bundle.publicSignals) as [bigint, bigint, bigint, bigint, bigint];
  const ok = await verifier.read.verifyProof([p.a, p.b, p.c, pub]);
  const gas = await publicClient.estimateContractGas({
    address: verifier.address,
    abi: verifier.abi,
    functionName: "verifyProof",
    args: [p.a, p.b, p.c, pub],
  });
  const badPub = [pub[0] + 1n, pub[1], pub[2], pub[3], pub[4]] as typeof pub;
  const bad = await verifier.read.verifyProof([p.a, p.b, p.c, badPub]);
  say(
    `      Dot4Verifier at ${verifier.address}: valid = ${ok}, forged output: valid = ${bad}; gas of a verifying call ≈ ${gas}`,
  );

  say("\nSummary");
  say(`  bit-exact result   ${f32ToNumber(y)} (fp32 ${hex(y, 8)})`);
  say(`  snarkjs            ${(await verify(bundle)) ? "accepted" : "REJECTED"}; forged statement rejected`);
  say(`  on-chain verifier  ${ok ? "accepted" : "REJECTED"}; forged statement ${bad ? "ACCEPTED (bug)" : "rejected"}`);
  if (!ok || bad) process.exitCode = 1;
}

main()
  .catch((err: unknown) => {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(releaseSnarkjs);
