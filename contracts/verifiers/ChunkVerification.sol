// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IBatchProofVerifier} from "./IBatchProofVerifier.sol";
import {IChunkVerifier} from "./IChunkVerifier.sol";
import {IProofVerifier} from "./IProofVerifier.sol";

/// @title ChunkVerification
/// @author Verifiable training registry
/// @notice Chunk proofs verified over three generated adapters: the link's (IProofVerifier) and the two tile
/// circuits' (IBatchProofVerifier, each verifying its tiles with one batched pairing check whose coefficients
/// hash every proof and signal of the batch). Holds no state but their addresses and the tiling; the step
/// and genesis verifiers differ only in their statement.
abstract contract ChunkVerification is IChunkVerifier {
    /// @notice The link circuit's adapter.
    IProofVerifier public immutable LINK;
    /// @notice The hidden tiles' circuit's adapter.
    IBatchProofVerifier public immutable HIDDEN;
    /// @notice The output tiles' circuit's adapter.
    IBatchProofVerifier public immutable OUTPUT;
    uint256 private immutable _HIDDEN_TILES;
    uint256 private immutable _OUTPUT_TILES;

    /// @notice Binds the three adapters and the tiling; the link must state `statement` signals then one io per tile.
    /// @param link The link circuit's adapter.
    /// @param hidden The hidden tiles' circuit's adapter.
    /// @param output The output tiles' circuit's adapter.
    /// @param hiddenTiles Hidden tiles per statement.
    /// @param outputTiles Output tiles per statement.
    /// @param statement Public signals of the statement, before the io list.
    constructor(
        IProofVerifier link,
        IBatchProofVerifier hidden,
        IBatchProofVerifier output,
        uint256 hiddenTiles,
        uint256 outputTiles,
        uint256 statement
    ) {
        uint256 linkSignals = link.publicSignalCount();
        if (linkSignals != statement + hiddenTiles + outputTiles || hiddenTiles == 0 || outputTiles == 0)
            revert InvalidTiling(linkSignals, hiddenTiles, outputTiles);
        LINK = link;
        HIDDEN = hidden;
        OUTPUT = output;
        _HIDDEN_TILES = hiddenTiles;
        _OUTPUT_TILES = outputTiles;
    }

    /// @inheritdoc IChunkVerifier
    function tiles() external view returns (uint256 hidden, uint256 output) {
        return (_HIDDEN_TILES, _OUTPUT_TILES);
    }

    /// @dev The chunks as callers pass them in one argument: abi.encode(io, linkProof, hiddenProofs, outputProofs).
    function _verifyEncoded(uint256[] memory statement, bytes calldata chunks) internal view returns (bool valid) {
        (uint256[] memory io, uint256[8] memory linkProof, uint256[8][] memory hidden, uint256[8][] memory output) = abi
            .decode(chunks, (uint256[], uint256[8], uint256[8][], uint256[8][]));
        return _verify(statement, io, linkProof, hidden, output);
    }

    /// @dev The link under its adapter with the statement followed by every io, then each kind of tile in one
    /// batch under its own adapter, with its io taken from the link's signals.
    function _verify(
        uint256[] memory statement,
        uint256[] memory io,
        uint256[8] memory linkProof,
        uint256[8][] memory hiddenProofs,
        uint256[8][] memory outputProofs
    ) internal view returns (bool valid) {
        uint256 nh = _HIDDEN_TILES;
        uint256 no = _OUTPUT_TILES;
        if (io.length != nh + no || hiddenProofs.length != nh || outputProofs.length != no)
            revert ChunkCountMismatch(io.length, hiddenProofs.length, outputProofs.length);
        uint256[] memory signals = _linkSignals(statement, io);
        uint256[] memory hiddenIo = new uint256[](nh);
        uint256[] memory outputIo = new uint256[](no);
        for (uint256 t = 0; t < io.length; ++t) {
            if (t < nh) hiddenIo[t] = io[t];
            else outputIo[t - nh] = io[t];
        }
        valid =
            LINK.verify(linkProof, signals) &&
            HIDDEN.verifyBatch(hiddenProofs, hiddenIo) &&
            OUTPUT.verifyBatch(outputProofs, outputIo);
    }

    /// @dev The link under its adapter with the statement followed by every io, then tile `tile` (hidden tiles
    /// first) alone under its kind's adapter, with its io taken from the link's signals.
    function _verifyTile(
        uint256[] memory statement,
        uint256[] memory io,
        uint256[8] memory linkProof,
        uint256 tile,
        uint256[8] memory tileProof
    ) internal view returns (bool valid) {
        uint256 nh = _HIDDEN_TILES;
        uint256 n = nh + _OUTPUT_TILES;
        if (tile >= n) revert NoSuchTile(tile, n);
        if (io.length != n) revert ChunkCountMismatch(io.length, tile < nh ? 1 : 0, tile < nh ? 0 : 1);
        uint256[] memory tileIo = new uint256[](1);
        tileIo[0] = io[tile];
        valid =
            LINK.verify(linkProof, _linkSignals(statement, io)) &&
            IProofVerifier(address(tile < nh ? HIDDEN : OUTPUT)).verify(tileProof, tileIo);
    }

    /// @dev The link's public signals: the statement, then every io.
    function _linkSignals(
        uint256[] memory statement,
        uint256[] memory io
    ) private pure returns (uint256[] memory signals) {
        uint256 head = statement.length;
        signals = new uint256[](head + io.length);
        for (uint256 i = 0; i < head; ++i) signals[i] = statement[i];
        for (uint256 t = 0; t < io.length; ++t) signals[head + t] = io[t];
    }
}
