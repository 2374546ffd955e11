// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title PublicSignals
/// @author Verifiable training registry
/// @notice The public-signal layouts of every family's proofs, mirrored from their one source of truth
/// (prover/statement/statement.ts; a test compares them):
///   genesis    [specCommitment, lab, runTag, root0, paramCount, flopsPerStep, plannedSteps + 2^32 * K]
///   checkpoint [runTag, firstStep + 2^64 * flops + 2^160 * beacon, rootBefore, rootAfter, accumulator]
/// A step proof is a checkpoint proof with K = 1.
library PublicSignals {
    /// @notice Public signals of every genesis proof.
    uint256 internal constant GENESIS = 7;
    /// @notice Public signals of every checkpoint and step proof.
    uint256 internal constant CHECKPOINT = 5;
    uint256 private constant _FLOPS_SHIFT = 64;
    uint256 private constant _BEACON_SHIFT = 160;
    uint256 private constant _INTERVAL_SHIFT = 32;

    /// @notice The genesis inputs in the circuit's order.
    /// @param specCommitment The spec commitment.
    /// @param lab The registering lab.
    /// @param runTag Poseidon("vtr/run/v1", specCommitment, lab).
    /// @param root0 Weights root R0.
    /// @param paramCount Number of parameters.
    /// @param flopsPerStep FLOPs of one step.
    /// @param plannedSteps Planned steps (< 2^32; the registry refuses more before it verifies).
    /// @param checkpointInterval The family's K: the spec's checkpoint interval must equal it.
    /// @return inputs The seven public inputs.
    function genesis(
        uint256 specCommitment,
        address lab,
        uint256 runTag,
        uint256 root0,
        uint64 paramCount,
        uint64 flopsPerStep,
        uint64 plannedSteps,
        uint32 checkpointInterval
    ) internal pure returns (uint256[] memory inputs) {
        inputs = new uint256[](GENESIS);
        inputs[0] = specCommitment;
        inputs[1] = uint256(uint160(lab));
        inputs[2] = runTag;
        inputs[3] = root0;
        inputs[4] = paramCount;
        inputs[5] = flopsPerStep;
        inputs[6] = uint256(plannedSteps) | (uint256(checkpointInterval) << _INTERVAL_SHIFT);
    }

    /// @notice The checkpoint (or step) inputs in the circuit's order.
    /// @param runTag The run's tag.
    /// @param firstStep First step covered.
    /// @param flops FLOPs of the covered steps (< 2^96).
    /// @param beacon The run's data-order beacon.
    /// @param rootBefore Weights root before.
    /// @param rootAfter Weights root after.
    /// @param accumulator Accumulator over the covered step statements.
    /// @return inputs The five public inputs.
    function checkpoint(
        uint256 runTag,
        uint64 firstStep,
        uint96 flops,
        uint64 beacon,
        uint256 rootBefore,
        uint256 rootAfter,
        uint256 accumulator
    ) internal pure returns (uint256[] memory inputs) {
        inputs = new uint256[](CHECKPOINT);
        inputs[0] = runTag;
        inputs[1] = uint256(firstStep) | (uint256(flops) << _FLOPS_SHIFT) | (uint256(beacon) << _BEACON_SHIFT);
        inputs[2] = rootBefore;
        inputs[3] = rootAfter;
        inputs[4] = accumulator;
    }
}
