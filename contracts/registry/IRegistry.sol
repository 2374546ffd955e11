// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ISampledMode} from "../sampled/ISampledMode.sol";
import {ICheckpointBatches} from "./ICheckpointBatches.sol";
import {IChunkedSteps} from "./IChunkedSteps.sol";
import {IComputeLedger} from "./IComputeLedger.sol";
import {ITrainingRegistry} from "./ITrainingRegistry.sol";

/// @title IRegistry
/// @author Verifiable training registry
/// @notice Everything a TrainingRegistry answers at its address (issue #24): its own interface, sampled
/// mode's, checkpoint batches', chunked steps' and the compute ledger's (run by the SampledMode module through the registry's fallback), and the roles and pause an
/// integrator needs. Contracts that talk to a deployed registry hold it as an IRegistry.
interface IRegistry is ITrainingRegistry, ISampledMode, ICheckpointBatches, IChunkedSteps, IComputeLedger {
    /// @notice Stops what a pause stops (see TrainingRegistry). Pauser only.
    function pause() external;

    /// @notice Resumes. Pauser only.
    function unpause() external;

    /// @notice Whether the registry is paused.
    /// @return isPaused True while paused.
    function paused() external view returns (bool isPaused);

    /// @notice Grants a role (its admin only).
    /// @param role The role.
    /// @param account The account.
    function grantRole(bytes32 role, address account) external;

    /// @notice The role that sets the threshold and the sampling policy.
    /// @return role keccak256("POLICY_ROLE").
    function POLICY_ROLE() external view returns (bytes32 role);

    /// @notice The role that pauses.
    /// @return role keccak256("PAUSER_ROLE").
    function PAUSER_ROLE() external view returns (bytes32 role);

    /// @notice Public signals of every genesis proof.
    /// @return count 7.
    function GENESIS_SIGNALS() external view returns (uint256 count);

    /// @notice The SampledMode module the registry runs through its fallback.
    /// @return module Its address.
    function sampledModeModule() external view returns (address module);

    /// @notice Public signals of every checkpoint and step proof.
    /// @return count 5.
    function CHECKPOINT_SIGNALS() external view returns (uint256 count);
}
