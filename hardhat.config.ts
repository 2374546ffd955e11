import { createRequire } from "node:module";
import hardhatMocha from "@nomicfoundation/hardhat-mocha";
import hardhatViem from "@nomicfoundation/hardhat-viem";
import hardhatNetworkHelpers from "@nomicfoundation/hardhat-network-helpers";
import hardhatKeystore from "@nomicfoundation/hardhat-keystore";
import { defineConfig } from "hardhat/config";

// solc comes from the npm package `solc` (solc-js), never from a download:
// its path and version are read from the installed package so they stay equal.
const require = createRequire(import.meta.url);
const solcVersion: string = (require("solc/package.json") as { version: string }).version;
const solcPath = require.resolve("solc/soljson.js");

export default defineConfig({
  plugins: [hardhatViem, hardhatMocha, hardhatNetworkHelpers, hardhatKeystore],
  solidity: {
    compilers: [
      {
        version: solcVersion,
        path: solcPath,
        settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: "cancun" },
      },
    ],
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
