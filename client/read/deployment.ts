/**
 * What a deployment record says (deployments/<network>/deployment.json,
 * written by `deploy`): chain id, every contract's address, ABI file and
 * deployment block, the circuit families and the governance set-up. The
 * schema is browser-safe: the CLI validates the file with it, and the
 * dashboard validates what its server hands the page.
 */
import { getAddress, type Address, type Hex } from "viem";
import { z } from "zod";

const address = z.string().transform((s, ctx) => {
  try {
    return getAddress(s);
  } catch {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `not an address: ${s}` });
    return z.NEVER;
  }
});
const hex = z.string().regex(/^0x[0-9a-fA-F]*$/) as unknown as z.ZodType<Hex>;

const ContractRecord = z.object({
  address,
  block: z.string().regex(/^\d+$/),
  transaction: hex,
  abi: z.string(),
});

export const DeploymentRecordSchema = z.object({
  network: z.string(),
  chainId: z.number().int().positive(),
  deployedAt: z.string(),
  deployer: address,
  /** Whether any recorded verifier uses development keys. */
  developmentKeys: z.boolean(),
  /** Set when development keys were deployed to a network that is not local, by explicit choice. */
  allowDevelopmentKeys: z.boolean().optional(),
  /** Per circuit: the key's SHA-256, whether it is a development key, its ceremony transcript's SHA-256. */
  keys: z
    .record(z.object({ zkeySha256: z.string(), developmentOnly: z.boolean(), transcriptSha256: z.string().optional() }))
    .optional(),
  contracts: z.record(ContractRecord),
  families: z.array(
    z.object({
      name: z.string(),
      id: hex,
      genesis: z.string(),
      checkpoint: z.string(),
      stepsPerCheckpoint: z.number().int().positive(),
      description: z.string(),
    }),
  ),
  designationThreshold: z.string().regex(/^\d+$/),
  governance: z.object({
    admin: address,
    adminDelay: z.string().regex(/^\d+$/),
    policyProposer: address,
    policyDelay: z.string().regex(/^\d+$/),
    pauser: address,
    timelock: address,
  }),
});

export type DeploymentRecord = z.infer<typeof DeploymentRecordSchema>;

/** The registry's entry in a record: address and deployment block (readers never scan from block 0). */
export function registryEntry(d: DeploymentRecord): { address: Address; fromBlock: bigint; abiFile: string } {
  const c = d.contracts.TrainingRegistry;
  if (!c) throw new Error(`the "${d.network}" deployment record has no TrainingRegistry`);
  return { address: c.address, fromBlock: BigInt(c.block), abiFile: c.abi };
}
