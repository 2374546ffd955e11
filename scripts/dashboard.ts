/**
 * npm run dashboard -- [--network N] [--port P] [--host H] [--rpc-url URL] [--deployments DIR] [--poll-ms MS]
 *
 * Serves the read-only web dashboard of the registry recorded for a network
 * (dashboard/server.ts): runs, run pages, the live violation feed.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import hre from "hardhat";
import { registryEntry } from "../client/read/deployment.js";
import type { DashboardConfig } from "../dashboard/config.js";
import { startDashboard } from "../dashboard/server.js";
import { isEntryPoint, paragraphs, runProgram } from "./help.js";
import { IN_PROCESS_NETWORKS } from "../client/connect.js";
import { DEFAULT_DEPLOYMENTS_DIR, requireDeployment } from "../client/deployments.js";

interface Options {
  network: string;
  rpcUrl?: string;
  deployments: string;
  host: string;
  port: number;
  pollMs: number;
}

const positive =
  (flag: string, max: number) =>
  (v: string): number => {
    if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > max)
      throw new InvalidArgumentError(`${flag} must be an integer from 1 to ${max}`);
    return Number(v);
  };

/** The network's JSON-RPC URL: --rpc-url, else the one hardhat.config.ts configures. */
async function endpoint(o: Options): Promise<string> {
  if (IN_PROCESS_NETWORKS.has(o.network))
    throw new Error(
      `network "${o.network}" is the in-process chain, which lives only inside one command and has no deployment record: ` +
        "start `npx hardhat node`, deploy with `npm run registry -- deploy --network localhost` and use --network localhost",
    );
  if (o.rpcUrl !== undefined) return o.rpcUrl;
  const net = hre.config.networks[o.network];
  if (!net) throw new Error(`network "${o.network}" is not in hardhat.config.ts`);
  if (net.type !== "http") throw new Error(`network "${o.network}" has no JSON-RPC URL (type ${net.type})`);
  return net.url.getUrl();
}

async function serve(o: Options): Promise<void> {
  const rpcUrl = await endpoint(o);
  const config = async (): Promise<DashboardConfig> => {
    const deployment = await requireDeployment(o.deployments, o.network);
    const abiFile = path.join(o.deployments, o.network, registryEntry(deployment).abiFile);
    const abi = JSON.parse(await readFile(abiFile, "utf8")) as DashboardConfig["abi"];
    const observers = deployment.contracts.ComputeObservers;
    const observersAbi = observers
      ? (JSON.parse(
          await readFile(path.join(o.deployments, o.network, observers.abi), "utf8"),
        ) as DashboardConfig["abi"])
      : undefined;
    return { network: o.network, deployment, abi, pollMs: o.pollMs, ...(observersAbi ? { observersAbi } : {}) };
  };
  await config(); // a missing or damaged record is said now, not only in the page
  const dashboard = await startDashboard({ host: o.host, port: o.port, rpcUrl, config });
  process.stdout.write(`dashboard of "${o.network}" serving at ${dashboard.url} (read-only; Ctrl-C stops it)\n`);
  for (const sig of ["SIGINT", "SIGTERM"] as const)
    process.once(sig, () => {
      void dashboard.close().then(() => process.exit(0));
    });
}

export const program = new Command("npm run dashboard --")
  .description(
    paragraphs(`Serves a read-only web dashboard of the registry recorded in deployments/<network>/: the runs
    table (lab, family, status, steps, cumulative FLOPs against the cap and the designation threshold,
    violations by kind, designation), a page per run (spec commitment, attestations, the cumulative-FLOPs
    timeline, every violation with its reporter and block) and a live feed of violations and designations.
    Filters and pages are in the URL, so links can be shared.

    The page is bundled when the server starts and needs nothing from the internet; it reads the chain
    through this server, which relays read-only JSON-RPC calls to the network's endpoint (its URL stays
    here). No wallet is needed.`),
  )
  .option("--network <name>", "network of hardhat.config.ts (localhost: `npx hardhat node`)", "localhost")
  .option("--rpc-url <url>", "use this RPC URL for the network instead of the configured one")
  .addOption(new Option("--deployments <dir>", "deployment records").default(DEFAULT_DEPLOYMENTS_DIR, "deployments/"))
  .option("--host <address>", "address to listen on (0.0.0.0 for every interface)", "127.0.0.1")
  .addOption(new Option("--port <n>", "port to listen on").argParser(positive("--port", 65_535)).default(8550))
  .addOption(
    new Option("--poll-ms <n>", "how often the page polls the chain")
      .argParser(positive("--poll-ms", 600_000))
      .default(1000),
  )
  .action(serve);

if (isEntryPoint(import.meta.url)) runProgram(program);
