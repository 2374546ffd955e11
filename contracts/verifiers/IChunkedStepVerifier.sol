// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IChunkedStepVerifier
/// @author Verifiable training registry
/// @notice A training step proven as chunks (issue #26, docs/chunks.md): a link proof whose public signals
/// are a step proof's five (runTag, position, rootBefore, rootAfter, accumulator) followed by one io value
/// per tile, and one proof per tile (hidden tiles first, then output tiles) whose only public signal is
/// its io. The tiles' io are taken from the link's signals, so a tile proof counts only where the link
/// wires it; each kind of tile is verified in one batch under its own circuit's key.
interface IChunkedStepVerifier {
    /// @notice The numbers of io values or tile proofs are not the tiling's.
    /// @param io Number of io values given.
    /// @param hiddenProofs Number of hidden-tile proofs given.
    /// @param outputProofs Number of output-tile proofs given.
    error ChunkCountMismatch(uint256 io, uint256 hiddenProofs, uint256 outputProofs);

    /// @notice Hidden tiles, then output tiles, of every chunked step this verifier checks.
    /// @return hidden Number of hidden tiles.
    /// @return output Number of output tiles.
    function tiles() external view returns (uint256 hidden, uint256 output);

    /// @notice Whether the chunk proofs prove one step with this statement.
    /// @dev Reverts with ChunkCountMismatch on a wrong shape; false if any proof is invalid.
    /// @param statement The step statement: runTag, position, rootBefore, rootAfter, accumulator.
    /// @param io Each tile's io, hidden tiles first (the link's public signals after the statement).
    /// @param linkProof The link proof (eight words, as IProofVerifier packs them).
    /// @param hiddenProofs The hidden tiles' proofs, in the order of their io.
    /// @param outputProofs The output tiles' proofs, in the order of their io.
    /// @return valid True if every proof verifies with these signals.
    function verifyStep(
        uint256[5] calldata statement,
        uint256[] calldata io,
        uint256[8] calldata linkProof,
        uint256[8][] calldata hiddenProofs,
        uint256[8][] calldata outputProofs
    ) external view returns (bool valid);
}
