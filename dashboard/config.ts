/**
 * What the dashboard's server hands the page at /api/config: the network's
 * name, its deployment record (validated by the same schema as the CLI's)
 * and the registry's ABI from deployments/<network>/abi/, and how often the
 * page polls. Shared by the server (dashboard/server.ts) and the page.
 */
import { z } from "zod";
import { DeploymentRecordSchema } from "../client/read/deployment.js";

export const DashboardConfigSchema = z.object({
  network: z.string(),
  deployment: DeploymentRecordSchema,
  /** The registry's ABI as recorded with the deployment. */
  abi: z.array(z.record(z.unknown())),
  /** The observers' table's ABI (issue #29), when the deployment has one. */
  observersAbi: z.array(z.record(z.unknown())).optional(),
  /** Milliseconds between two polls of the chain. */
  pollMs: z.number().int().positive(),
});

export type DashboardConfig = z.infer<typeof DashboardConfigSchema>;

/** The JSON-RPC methods the page uses; the server forwards no other (the dashboard is read-only). */
export const READ_METHODS: ReadonlySet<string> = new Set([
  "eth_chainId",
  "eth_blockNumber",
  "eth_getCode",
  "eth_call",
  "eth_getLogs",
  "eth_getBlockByNumber",
]);
