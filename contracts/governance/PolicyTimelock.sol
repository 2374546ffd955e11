// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title PolicyTimelock
/// @author Verifiable training registry
/// @notice Holds the registry's policy role: every policy action (register or
/// deprecate a circuit family, change the designation threshold, hand the
/// policy role on) is scheduled publicly (CallScheduled) and can run only
/// after `minDelay` seconds, so labs and readers see it coming. OpenZeppelin's
/// TimelockController unchanged: proposers schedule and cancel, executors
/// (anyone, when address(0) is one) execute once the delay has passed.
contract PolicyTimelock is TimelockController {
    /// @notice Deploys the timelock; it administers itself (no admin account).
    /// @param minDelay Seconds between scheduling and execution.
    /// @param proposers Accounts that schedule (and may cancel) policy actions.
    /// @param executors Accounts that execute them (address(0): anyone).
    constructor(
        uint256 minDelay,
        address[] memory proposers,
        address[] memory executors
    ) TimelockController(minDelay, proposers, executors, address(0)) {}
}
