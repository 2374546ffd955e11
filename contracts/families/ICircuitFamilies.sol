// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ITrainingRegistry} from "../registry/ITrainingRegistry.sol";
import {IProofVerifier} from "../verifiers/IProofVerifier.sol";

/// @title ICircuitFamilies
/// @author Verifiable training registry
/// @notice The governed table of circuit families (DESIGN §6): one model shape and checkpoint size K with
/// the verifiers of its genesis, checkpoint and step proofs. Added by the policy role (a timelock), never
/// replaced, deprecated rather than removed; every change is an event that names every verifier, so a
/// watcher can rebuild the table from events alone.
interface ICircuitFamilies {
    /// @notice A governed circuit family.
    struct CircuitFamily {
        /// Verifier of the family's genesis proofs.
        IProofVerifier genesisVerifier;
        /// Steps K every checkpoint of the family covers.
        uint32 stepsPerCheckpoint;
        /// Deprecated families accept no new runs (existing runs continue).
        bool deprecated;
        /// Verifier of the family's checkpoint proofs.
        IProofVerifier checkpointVerifier;
        /// Verifier of the family's step proofs (its K = 1 circuit; zero: no sampled runs).
        IProofVerifier stepVerifier;
    }

    /// @notice There is no circuit family with this id.
    /// @param familyId The id asked for.
    error UnknownFamily(bytes32 familyId);
    /// @notice A family with this id exists; families are never replaced.
    /// @param familyId The id.
    error FamilyAlreadyRegistered(bytes32 familyId);
    /// @notice The family is deprecated already.
    /// @param familyId The id.
    error FamilyIsDeprecated(bytes32 familyId);
    /// @notice A family's K must be 1 to 65,535.
    /// @param stepsPerCheckpoint The K given.
    error InvalidStepsPerCheckpoint(uint32 stepsPerCheckpoint);
    /// @notice A family's verifiers must have the registry's public-signal layouts.
    /// @param verifier The offending verifier.
    /// @param expectedSignals Public signals the layout has.
    /// @param actualSignals Public signals the verifier reports.
    error InvalidFamily(address verifier, uint256 expectedSignals, uint256 actualSignals);
    /// @notice The policy account is the zero address.
    error ZeroPolicyAccount();

    /// @notice The policy role registered a circuit family.
    /// @param familyId The family's id.
    /// @param genesisVerifier Verifier of its genesis proofs.
    /// @param checkpointVerifier Verifier of its checkpoint proofs.
    /// @param stepVerifier Verifier of its step proofs (zero: no sampled runs).
    /// @param stepsPerCheckpoint Steps K per checkpoint.
    /// @param description What the family is (model shape, dataset, K).
    event CircuitFamilyRegistered(
        bytes32 indexed familyId,
        IProofVerifier genesisVerifier,
        IProofVerifier checkpointVerifier,
        IProofVerifier stepVerifier,
        uint32 stepsPerCheckpoint,
        string description
    );
    /// @notice The policy role deprecated a circuit family: no new runs use it.
    /// @param familyId The family's id.
    /// @param by The policy account.
    event CircuitFamilyDeprecated(bytes32 indexed familyId, address indexed by);

    /// @notice Registers a circuit family. Policy role only (a timelock); an existing id reverts.
    /// @param familyId The family's id (keccak256 of its name).
    /// @param genesisVerifier Verifier of genesis proofs (GENESIS_SIGNALS public signals).
    /// @param checkpointVerifier Verifier of checkpoint proofs (CHECKPOINT_SIGNALS public signals).
    /// @param stepsPerCheckpoint Steps K per checkpoint (1 .. 65,535).
    /// @param stepVerifier Verifier of the family's step proofs, K = 1 (CHECKPOINT_SIGNALS; zero: no sampled runs).
    /// @param description What the family is.
    function registerFamily(
        bytes32 familyId,
        IProofVerifier genesisVerifier,
        IProofVerifier checkpointVerifier,
        uint32 stepsPerCheckpoint,
        IProofVerifier stepVerifier,
        string calldata description
    ) external;

    /// @notice Deprecates a circuit family: it accepts no new runs. Policy role only.
    /// @param familyId The family's id.
    function deprecateFamily(bytes32 familyId) external;

    /// @notice A circuit family.
    /// @param familyId The id.
    /// @return family The family (reverts with UnknownFamily for an unknown id).
    function getFamily(bytes32 familyId) external view returns (CircuitFamily memory family);

    /// @notice The genesis public inputs of a run of this family, in the circuit's order.
    /// @param familyId The family (its K is the checkpoint interval the spec must have committed to).
    /// @param specCommitment The spec commitment.
    /// @param lab The registering lab.
    /// @param facts The genesis facts.
    /// @return inputs [specCommitment, lab, runTag, root0, paramCount, flopsPerStep, plannedSteps + 2^32 * K].
    function genesisPublicInputs(
        bytes32 familyId,
        uint256 specCommitment,
        address lab,
        ITrainingRegistry.GenesisFacts calldata facts
    ) external view returns (uint256[] memory inputs);

    /// @notice The checkpoint public inputs, in the circuit's order.
    /// @param runTag The run's tag.
    /// @param flops FLOPs of the covered steps (< 2^96).
    /// @param beacon The run's beacon.
    /// @param claim The checkpoint claim.
    /// @return inputs [runTag, firstStep + 2^64 * flops + 2^160 * beacon, rootBefore, rootAfter, accumulator].
    function checkpointPublicInputs(
        uint256 runTag,
        uint96 flops,
        uint64 beacon,
        ITrainingRegistry.CheckpointClaim calldata claim
    ) external pure returns (uint256[] memory inputs);
}
