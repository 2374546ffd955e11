// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IBatchProofVerifier
/// @author Verifiable training registry
/// @notice Many proofs of one circuit verified in one call (issue #26). Proofs are
/// packed as IProofVerifier packs them (eight words each); proof i's public
/// signals are publicSignals[i * N .. (i + 1) * N), N the circuit's number of public signals
/// (IProofVerifier.publicSignalCount on the circuit's adapter, which implements both).
interface IBatchProofVerifier {
    /// @notice The batch is empty, or its signals are not N per proof.
    /// @param proofs Number of proofs given.
    /// @param signals Number of public signals given.
    /// @param perProof The circuit's number of public signals N.
    error BatchShapeMismatch(uint256 proofs, uint256 signals, uint256 perProof);

    /// @notice Whether every proof of the batch is valid for its own public signals.
    /// @dev Reverts with BatchShapeMismatch on a wrong shape; returns false if any proof is invalid, any
    /// point is not on the curve, or any signal is outside the scalar field.
    /// @param proofs The packed proofs.
    /// @param publicSignals The public signals of every proof, proof after proof.
    /// @return valid True if every proof verifies.
    function verifyBatch(
        uint256[8][] calldata proofs,
        uint256[] calldata publicSignals
    ) external view returns (bool valid);
}
