// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IBatchProofVerifier} from "./IBatchProofVerifier.sol";
import {IChunkedStepVerifier} from "./IChunkedStepVerifier.sol";
import {IProofVerifier} from "./IProofVerifier.sol";

/// @title ChunkedStepVerifier
/// @author Verifiable training registry
/// @notice IChunkedStepVerifier over three generated adapters: the link's (IProofVerifier) and the two
/// tile circuits' (IBatchProofVerifier, each verifying its tiles with one batched pairing check whose
/// coefficients hash every proof and signal of the batch). It holds no state but their addresses and
/// the tiling, and is not yet wired into the registry (docs/chunks.md).
contract ChunkedStepVerifier is IChunkedStepVerifier {
    /// @notice The link circuit's adapter.
    IProofVerifier public immutable LINK;
    /// @notice The hidden-tile circuit's adapter.
    IBatchProofVerifier public immutable HIDDEN;
    /// @notice The output-tile circuit's adapter.
    IBatchProofVerifier public immutable OUTPUT;
    uint256 private immutable _HIDDEN_TILES;
    uint256 private immutable _OUTPUT_TILES;

    /// @notice Binds the three adapters and the tiling.
    /// @param link The link circuit's adapter.
    /// @param hidden The hidden-tile circuit's adapter.
    /// @param output The output-tile circuit's adapter.
    /// @param hiddenTiles Hidden tiles per step.
    /// @param outputTiles Output tiles per step.
    constructor(
        IProofVerifier link,
        IBatchProofVerifier hidden,
        IBatchProofVerifier output,
        uint256 hiddenTiles,
        uint256 outputTiles
    ) {
        LINK = link;
        HIDDEN = hidden;
        OUTPUT = output;
        _HIDDEN_TILES = hiddenTiles;
        _OUTPUT_TILES = outputTiles;
    }

    /// @inheritdoc IChunkedStepVerifier
    function tiles() external view returns (uint256 hidden, uint256 output) {
        return (_HIDDEN_TILES, _OUTPUT_TILES);
    }

    /// @inheritdoc IChunkedStepVerifier
    function verifyStep(
        uint256[5] calldata statement,
        uint256[] calldata io,
        uint256[8] calldata linkProof,
        uint256[8][] calldata hiddenProofs,
        uint256[8][] calldata outputProofs
    ) external view returns (bool valid) {
        uint256 nh = _HIDDEN_TILES;
        if (io.length != nh + _OUTPUT_TILES || hiddenProofs.length != nh || outputProofs.length != _OUTPUT_TILES)
            revert ChunkCountMismatch(io.length, hiddenProofs.length, outputProofs.length);
        uint256[] memory signals = new uint256[](5 + io.length);
        for (uint256 i = 0; i < 5; ++i) signals[i] = statement[i];
        for (uint256 t = 0; t < io.length; ++t) signals[5 + t] = io[t];
        valid =
            LINK.verify(linkProof, signals) &&
            HIDDEN.verifyBatch(hiddenProofs, io[:nh]) &&
            OUTPUT.verifyBatch(outputProofs, io[nh:]);
    }
}
