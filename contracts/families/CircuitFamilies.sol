// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ITrainingRegistry} from "../registry/ITrainingRegistry.sol";
import {IProofVerifier} from "../verifiers/IProofVerifier.sol";
import {ICircuitFamilies} from "./ICircuitFamilies.sol";
import {PublicSignals} from "./PublicSignals.sol";

/// @title CircuitFamilies
/// @author Verifiable training registry
/// @notice The circuit families the registry accepts runs of (issue #24: kept apart from the registry, as
/// EAS keeps its SchemaRegistry beside EAS). The policy role (a TimelockController in every deployment,
/// so each addition waits a public delay) registers and deprecates families and is the only one who can
/// hand the role on.
contract CircuitFamilies is ICircuitFamilies, AccessControl {
    /// @notice Registers and deprecates families; administers itself.
    bytes32 public constant POLICY_ROLE = keccak256("POLICY_ROLE");

    mapping(bytes32 familyId => CircuitFamily family) private _families;

    /// @notice Deploys the table with its policy account.
    /// @param policy Registers and deprecates families (a timelock in production).
    constructor(address policy) {
        if (policy == address(0)) revert ZeroPolicyAccount();
        _setRoleAdmin(POLICY_ROLE, POLICY_ROLE);
        _grantRole(POLICY_ROLE, policy);
    }

    /// @inheritdoc ICircuitFamilies
    function registerFamily(
        bytes32 familyId,
        IProofVerifier genesisVerifier,
        IProofVerifier checkpointVerifier,
        uint32 stepsPerCheckpoint,
        IProofVerifier stepVerifier,
        string calldata description
    ) external onlyRole(POLICY_ROLE) {
        if (address(_families[familyId].genesisVerifier) != address(0)) revert FamilyAlreadyRegistered(familyId);
        _requireLayout(genesisVerifier, PublicSignals.GENESIS);
        _requireLayout(checkpointVerifier, PublicSignals.CHECKPOINT);
        if (address(stepVerifier) != address(0)) _requireLayout(stepVerifier, PublicSignals.CHECKPOINT);
        if (stepsPerCheckpoint == 0 || stepsPerCheckpoint > type(uint16).max) {
            revert InvalidStepsPerCheckpoint(stepsPerCheckpoint);
        }
        _families[familyId] = CircuitFamily({
            genesisVerifier: genesisVerifier,
            stepsPerCheckpoint: stepsPerCheckpoint,
            deprecated: false,
            checkpointVerifier: checkpointVerifier,
            stepVerifier: stepVerifier
        });
        emit CircuitFamilyRegistered(
            familyId,
            genesisVerifier,
            checkpointVerifier,
            stepVerifier,
            stepsPerCheckpoint,
            description
        );
    }

    /// @inheritdoc ICircuitFamilies
    function deprecateFamily(bytes32 familyId) external onlyRole(POLICY_ROLE) {
        CircuitFamily storage family = _family(familyId);
        if (family.deprecated) revert FamilyIsDeprecated(familyId);
        family.deprecated = true;
        emit CircuitFamilyDeprecated(familyId, msg.sender);
    }

    /// @inheritdoc ICircuitFamilies
    function getFamily(bytes32 familyId) external view returns (CircuitFamily memory family) {
        return _family(familyId);
    }

    /// @inheritdoc ICircuitFamilies
    function genesisPublicInputs(
        bytes32 familyId,
        uint256 specCommitment,
        address lab,
        ITrainingRegistry.GenesisFacts calldata facts
    ) external view returns (uint256[] memory inputs) {
        return
            PublicSignals.genesis(
                specCommitment,
                lab,
                facts.runTag,
                facts.root0,
                facts.paramCount,
                facts.flopsPerStep,
                facts.plannedSteps,
                _family(familyId).stepsPerCheckpoint
            );
    }

    /// @inheritdoc ICircuitFamilies
    function checkpointPublicInputs(
        uint256 runTag,
        uint96 flops,
        uint64 beacon,
        ITrainingRegistry.CheckpointClaim calldata claim
    ) external pure returns (uint256[] memory inputs) {
        return
            PublicSignals.checkpoint(
                runTag,
                claim.firstStep,
                flops,
                beacon,
                claim.rootBefore,
                claim.rootAfter,
                claim.accumulator
            );
    }

    function _family(bytes32 familyId) private view returns (CircuitFamily storage family) {
        family = _families[familyId];
        if (address(family.genesisVerifier) == address(0)) revert UnknownFamily(familyId);
    }

    function _requireLayout(IProofVerifier verifier, uint256 signals) private view {
        if (address(verifier) == address(0)) revert InvalidFamily(address(0), signals, 0);
        uint256 actual = verifier.publicSignalCount();
        if (actual != signals) revert InvalidFamily(address(verifier), signals, actual);
    }
}
