// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {CircuitFamilies} from "../../../contracts/families/CircuitFamilies.sol";
import {IRegistry} from "../../../contracts/registry/IRegistry.sol";
import {TrainingRegistry} from "../../../contracts/registry/TrainingRegistry.sol";
import {ISampledMode} from "../../../contracts/sampled/ISampledMode.sol";
import {SampledMode} from "../../../contracts/sampled/SampledMode.sol";
import {vm} from "./Vm.sol";

/// @notice The registry's three parts deployed as `deploy` deploys them, every role held by `owner`.
library Deploy {
    /// @notice A families table, a SampledMode module and a registry over them.
    function registry(address owner) internal returns (IRegistry reg, CircuitFamilies families) {
        families = new CircuitFamilies(owner);
        SampledMode module = new SampledMode();
        reg = IRegistry(address(new TrainingRegistry(0, owner, owner, owner, families, address(module))));
    }

    /// @notice Rolls to the block after the run's beacon block and draws its beacon (anyone may).
    function drawBeacon(IRegistry reg, uint256 runId) internal returns (uint64 beacon) {
        uint256 beaconBlock = reg.getRun(runId).beaconBlock;
        if (block.number <= beaconBlock) vm.roll(beaconBlock + 1);
        return reg.drawBeacon(runId);
    }

    /// @notice A sampling policy with the given minimum and fee and a response time of 60 s .. 30 days.
    function policy(uint16 minChallenges, uint128 fee) internal pure returns (ISampledMode.SamplingPolicy memory) {
        return ISampledMode.SamplingPolicy(minChallenges, fee, 60, 30 days);
    }
}
