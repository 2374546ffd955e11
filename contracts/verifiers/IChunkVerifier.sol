// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IChunkVerifier
/// @author Verifiable training registry
/// @notice What every verifier of chunk proofs shares (issue #26, docs/chunks.md): a statement proven by a
/// link proof whose public signals are the statement followed by one io value per tile, and one proof per
/// tile (hidden tiles first, then output tiles) whose only public signal is its io. The tiles' io are taken
/// from the link's signals, so a tile proof counts only where the link wires it; each kind of tile is
/// verified in one batch under its own circuit's key.
interface IChunkVerifier {
    /// @notice The link circuit's public signals are not the statement followed by one io per tile.
    /// @param linkSignals Public signals of the link circuit.
    /// @param hiddenTiles Hidden tiles per statement.
    /// @param outputTiles Output tiles per statement.
    error InvalidTiling(uint256 linkSignals, uint256 hiddenTiles, uint256 outputTiles);
    /// @notice The numbers of io values or tile proofs are not the tiling's.
    /// @param io Number of io values given.
    /// @param hiddenProofs Number of hidden-tile proofs given.
    /// @param outputProofs Number of output-tile proofs given.
    error ChunkCountMismatch(uint256 io, uint256 hiddenProofs, uint256 outputProofs);
    /// @notice A single tile named past the tiling's last.
    /// @param tile The tile named (hidden tiles first, from 0).
    /// @param tiles Tiles per statement.
    error NoSuchTile(uint256 tile, uint256 tiles);

    /// @notice Hidden tiles, then output tiles, of every statement this verifier checks.
    /// @return hidden Number of hidden tiles.
    /// @return output Number of output tiles.
    function tiles() external view returns (uint256 hidden, uint256 output);
}
