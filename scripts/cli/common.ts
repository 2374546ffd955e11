/** What every registry command shares: common options, argument parsers, output. */
import { writeSync } from "node:fs";
import { Command, InvalidArgumentError, Option } from "commander";
import { isAddress, type Address } from "viem";
import { consoleLogger } from "../../prover/proving/log.js";
import { paragraphs } from "../help.js";
import { connect, registryAt, type Chain } from "../../client/connect.js";
import { DEFAULT_DEPLOYMENTS_DIR, requireDeployment } from "../../client/deployments.js";
import { runIdOf } from "../../client/runs.js";

/** Options every command takes. */
export interface Common {
  network: string;
  rpcUrl?: string;
  deployments: string;
  account?: string;
}

export const uint =
  (flag: string) =>
  (value: string): bigint => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${flag} must be a non-negative integer`);
    return BigInt(value);
  };
export const address =
  (flag: string) =>
  (value: string): Address => {
    if (!isAddress(value)) throw new InvalidArgumentError(`${flag} must be an address, got "${value}"`);
    return value;
  };

export const out = (line: string): void => {
  writeSync(1, line + "\n");
};

export function requirePersistent(chain: Chain): void {
  if (!chain.persistent)
    throw new Error(
      `network "${chain.name}" is the in-process chain, which ends with this command: ` +
        "start `npx hardhat node` and use --network localhost, or run `npm run demo` for the whole story in one process",
    );
}

/** A command with the common options and a description written as paragraphs. */
export function command(program: Command, name: string, summary: string, description: string): Command {
  return program
    .command(name)
    .summary(summary)
    .description(paragraphs(description))
    .option("--network <name>", "network of hardhat.config.ts (localhost: `npx hardhat node`)", "localhost")
    .option("--rpc-url <url>", "use this RPC URL for the network instead of the configured one")
    .addOption(new Option("--deployments <dir>", "deployment records").default(DEFAULT_DEPLOYMENTS_DIR, "deployments/"))
    .option("--account <a>", "signing account: an address or an index (default the first)");
}

export const log = (name: string) => consoleLogger(name);

export const DATASET_OPTION = "the spec's dataset file (default: the spec's dataset.file, else the built-in iris set)";

/**
 * The run of a run directory on the recorded registry, with a client signing as its lab (or --account);
 * `registerHint` is the command that registers it, for the error when it is not registered.
 */
export async function labOfRunDir(o: Common & { runDir: string }, registerHint: string) {
  const chain = await connect(o.network, o.rpcUrl);
  requirePersistent(chain);
  const d = await requireDeployment(o.deployments, o.network);
  const reader = (await registryAt(chain, d)).registry;
  const runId = await runIdOf(reader, o.runDir);
  if (runId === 0n)
    throw new Error(`the run of ${o.runDir} is not registered on "${o.network}": run \`${registerHint}\` first`);
  const run = await reader.read.getRun([runId]);
  return { d, runId, run, ...(await registryAt(chain, d, o.account ?? run.lab)) };
}

/** The recorded registry on the command's network, with a client signing as --account. */
export async function onRun(o: Common) {
  const chain = await connect(o.network, o.rpcUrl);
  requirePersistent(chain);
  const d = await requireDeployment(o.deployments, o.network);
  return { d, chain, ...(await registryAt(chain, d, o.account)) };
}
