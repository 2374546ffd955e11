import { createRequire } from "node:module";
import hardhatMocha from "@nomicfoundation/hardhat-mocha";
import hardhatViem from "@nomicfoundation/hardhat-viem";
import hardhatNetworkHelpers from "@nomicfoundation/hardhat-network-helpers";
import hardhatKeystore from "@nomicfoundation/hardhat-keystore";
import { configVariable, defineConfig } from "hardhat/config";

// solc comes from the npm package `solc` (solc-js), never from a download:
// its path and version are read from the installed package so they stay equal.
const require = createRequire(import.meta.url);
const solcVersion: string = (require("solc/package.json") as { version: string }).version;
const solcPath = require.resolve("solc/soljson.js");

/** One compiler for every contract; the optimizer's runs are the only setting that differs. */
const compiler = (runs: number) => ({
  version: solcVersion,
  path: solcPath,
  // userdoc and devdoc (added to Hardhat's own selection): error meanings come from the contracts'
  // NatSpec (client/errors.ts, issue #25), not from a second hand-written table.
  settings: {
    optimizer: { enabled: true, runs },
    viaIR: true,
    evmVersion: "cancun",
    outputSelection: { "*": { "*": ["userdoc", "devdoc"] } },
  },
});

export default defineConfig({
  plugins: [hardhatViem, hardhatMocha, hardhatNetworkHelpers, hardhatKeystore],
  solidity: {
    // Tuned for runtime gas (issue #17: every checkpoint submission within 300k, the costliest
    // included) under issue #24's 20,000 bytes per contract (EIP-170's limit is 24,576).
    compilers: [compiler(10_000)],
    // The SampledMode module holds sampled mode, checkpoint batches, chunked steps (full and sampled) and
    // the compute ledger: at 1,000 runs it is 21,250 bytes, at 200 runs 18,772 (issue #26). Its calls are
    // dominated by pairings and storage, which the optimizer's runs barely change.
    overrides: { "contracts/sampled/SampledMode.sol": compiler(200) },
  },
  // The in-process network ("default") is the embedded chain; "localhost" is
  // `npx hardhat node`; "live" is any EVM chain whose RPC URL and deployer
  // key come from the Hardhat keystore (`npx hardhat keystore set LIVE_RPC_URL`,
  // `... LIVE_DEPLOYER_KEY`) or the environment, never from source.
  networks: {
    localhost: { type: "http", url: "http://127.0.0.1:8545" },
    live: {
      type: "http",
      chainType: "l1",
      url: configVariable("LIVE_RPC_URL"),
      accounts: [configVariable("LIVE_DEPLOYER_KEY")],
    },
  },
  paths: {
    tests: { mocha: "test" },
  },
  test: {
    mocha: { timeout: 600_000 },
    // Solidity fuzz and invariant tests (test/contracts/solidity): sized to
    // run in about a minute on two cores; raise them for a deeper campaign.
    solidity: {
      fuzz: { runs: 512 },
      invariant: { runs: 128, depth: 64, failOnRevert: false },
    },
  },
});
