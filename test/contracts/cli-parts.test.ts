/**
 * The pieces the CLI is built from, on Hardhat's in-process network:
 * deployment records, readable errors, the registry lookup's refusals, the
 * watcher's cursor. (The commands themselves run end to end in
 * test/e2e/cli.test.ts against a real `hardhat node`.)
 */
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "mocha";
import { abiOf } from "../../client/contract.js";
import { connect, registryAt, requireObservers, type Chain } from "../../client/connect.js";
import { deployRegistry } from "../../client/deploy.js";
import { FAMILIES } from "../../prover/proving/families.js";
import {
  deploymentFile,
  readDeployment,
  recordedContract,
  requireDeployment,
  writeDeployment,
  type DeploymentRecord,
} from "../../client/deployments.js";
import { describeError, errorMeanings } from "../../client/errors.js";
import { humanLine, jsonLine, type RegistryEvent } from "../../client/read/format.js";
import { readCursor, watchRegistry } from "../../client/read/watch.js";

describe("CLI building blocks", function () {
  this.timeout(300_000);
  let dir: string;
  let chain: Chain;
  let record: DeploymentRecord;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "vtr-cli-"));
    chain = await connect("default");
    const d = await deployRegistry(chain.conn.viem, { designationThreshold: 7n });
    record = await writeDeployment(dir, "testnet", d, abiOf);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe("deployment records", () => {
    it("should record chain id, every contract's address, ABI and block, and the families", async () => {
      const back = await requireDeployment(dir, "testnet");
      assert.deepEqual(back, record);
      assert.equal(back.chainId, 31337);
      assert.equal(back.families.length, FAMILIES.length);
      assert.equal(back.designationThreshold, "7");
      const reg = await recordedContract(dir, back, "TrainingRegistry");
      assert.ok(reg.abi.some((x) => x.type === "event" && x.name === "ViolationFlagged"));
      assert.ok(reg.block > 0n);
      for (const name of [
        "GenesisLinearI4o3b2n150VerifierAdapter",
        "CheckpointLinearI4o3b2n150k4VerifierAdapter",
        "ComputeObservers",
      ])
        assert.ok(back.contracts[name], name);
    });
    it("should say what to run when there is no record, and refuse a damaged one", async () => {
      assert.equal(await readDeployment(dir, "nowhere"), undefined);
      await assert.rejects(requireDeployment(dir, "nowhere"), /no deployment recorded.*deploy --network nowhere/);
      await mkdir(path.join(dir, "broken"), { recursive: true });
      await writeFile(deploymentFile(dir, "broken"), "{ not json");
      await assert.rejects(readDeployment(dir, "broken"), /not valid JSON.*--force/);
      await writeFile(deploymentFile(dir, "broken"), JSON.stringify({ ...record, chainId: "x" }));
      await assert.rejects(readDeployment(dir, "broken"), /chainId.*redeploy with --force/);
    });
  });

  describe("registryAt", () => {
    it("should refuse a record of another chain or an address without code", async () => {
      await assert.rejects(
        registryAt(chain, { ...record, chainId: 1 }),
        /on chain 1, but the node answers as chain 31337/,
      );
      const gone = {
        ...record,
        contracts: {
          ...record.contracts,
          TrainingRegistry: {
            ...record.contracts.TrainingRegistry!,
            address: "0x000000000000000000000000000000000000dEaD",
          },
        },
      } as DeploymentRecord;
      await assert.rejects(registryAt(chain, gone), /no contract at the recorded registry.*was the node restarted/);
      await assert.rejects(registryAt(chain, record, "25"), /--account 25: network "default" has 20 account\(s\)/);
    });
  });

  describe("requireObservers", () => {
    it("should read a record made before observers (issue #29), and say what to do when they are asked for", async () => {
      const { ComputeObservers, ...older } = record.contracts;
      assert.ok(ComputeObservers);
      const r = await registryAt(chain, { ...record, contracts: older });
      assert.equal(r.observers, undefined);
      assert.ok((await r.registry.read.runCount()) >= 0n, "the rest still reads");
      assert.throws(
        () => requireObservers(r, "testnet"),
        /recorded before observers existed.*deploy --network testnet --force/,
      );
      const now = await registryAt(chain, record);
      assert.equal(requireObservers(now, "testnet").address, ComputeObservers.address);
    });
  });

  describe("describeError", () => {
    it("should turn a revert into the custom error's name, arguments and meaning", async () => {
      const { registry } = await registryAt(chain, record);
      let caught: unknown;
      try {
        await registry.write.flagMissedDeadline([9n]);
      } catch (e) {
        caught = e;
      }
      assert.equal(describeError(caught), "reverted with UnknownRun(9): there is no run with this id");
      assert.equal(describeError(new Error("plain")), "plain");
      // Every error a registry call can revert with has a meaning to show.
      const abi = [
        ...(await abiOf("TrainingRegistry")),
        ...(await abiOf("SampledMode")),
        ...(await abiOf("CircuitFamilies")),
        ...(await abiOf("PolicyTimelock")),
        ...(await abiOf("ComputeObservers")),
        ...(await abiOf("CheckpointLinearI4o3b2n150k4VerifierAdapter")),
      ];
      // EIP712's ShortStrings errors cannot occur (ComputeObservers' domain name and version are short constants).
      const unreachable = ["InvalidShortString", "StringTooLong"];
      const missing = abi
        .filter((x) => x.type === "error")
        .map((x) => x.name)
        .filter((n) => !(n in errorMeanings()) && !unreachable.includes(n));
      assert.deepEqual(missing, []);
      // Taken from the contracts' NatSpec (issue #25): an error's @notice, else OpenZeppelin's @dev.
      assert.equal(
        errorMeanings().BeaconNotDrawn,
        "the run's data-order beacon is not drawn yet: anyone may draw it (drawBeacon)",
      );
      assert.equal(errorMeanings().AccessControlUnauthorizedAccount, "the `account` is missing a role");
    });
  });

  describe("watcher", () => {
    it("should emit each event once across restarts from its cursor, and refuse another registry's cursor", async () => {
      const { registry, publicClient, fromBlock } = await registryAt(chain, record);
      const cursorFile = path.join(dir, "cursor.json");
      const run = async (): Promise<RegistryEvent[]> => {
        const seen: RegistryEvent[] = [];
        await watchRegistry(publicClient, registry.address, registry.abi, {
          fromBlock,
          cursorFile,
          confirmations: 0,
          pollMs: 0,
          once: true,
          identity: "test",
          emit: (e) => {
            seen.push(e);
          },
          note: () => {},
          stopped: () => false,
        });
        return seen;
      };
      const first = await run();
      assert.ok(first.some((e) => e.eventName === "DesignationThresholdSet"));
      assert.deepEqual(await run(), [], "nothing twice");
      // The deployer is the pauser (policy actions go through the timelock).
      await publicClient.waitForTransactionReceipt({ hash: await registry.write.pause() });
      const next = await run();
      assert.deepEqual(
        next.map((e) => e.eventName),
        ["Paused"],
      );
      assert.match(humanLine(next[0]!), /registry paused by 0x/);
      assert.equal((JSON.parse(jsonLine(next[0]!)) as { event: string }).event, "Paused");
      assert.throws(() => readCursor(cursorFile, "other"), /belongs to another registry/);
    });
  });
});
