// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IBatchProofVerifier} from "./IBatchProofVerifier.sol";
import {IChunkedStepVerifier} from "./IChunkedStepVerifier.sol";
import {IProofVerifier} from "./IProofVerifier.sol";
import {ChunkVerification} from "./ChunkVerification.sol";

/// @title ChunkedStepVerifier
/// @author Verifiable training registry
/// @notice IChunkedStepVerifier over the link's and the two tile circuits' adapters (ChunkVerification). A
/// chunked family registers it as its checkpoint verifier (K = 1), and the registry's submitChunkedStep
/// calls verifyChunks (docs/chunks.md).
contract ChunkedStepVerifier is IChunkedStepVerifier, ChunkVerification {
    uint256 private constant _STATEMENT = 5;

    /// @notice Binds the three adapters and the tiling.
    /// @param link The link circuit's adapter (a step statement, then one io per tile).
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
    ) ChunkVerification(link, hidden, output, hiddenTiles, outputTiles, _STATEMENT) {}

    /// @inheritdoc IProofVerifier
    /// @dev A step proof's five: runTag, position, rootBefore, rootAfter, accumulator.
    function publicSignalCount() external pure returns (uint256 count) {
        return _STATEMENT;
    }

    /// @inheritdoc IProofVerifier
    /// @dev Always reverts with NotASingleProof: a chunked step is verified by verifyChunks.
    function verify(uint256[8] calldata, uint256[] calldata) external pure returns (bool) {
        revert NotASingleProof();
    }

    /// @inheritdoc IChunkedStepVerifier
    function verifyStep(
        uint256[5] calldata statement,
        uint256[] calldata io,
        uint256[8] calldata linkProof,
        uint256[8][] calldata hiddenProofs,
        uint256[8][] calldata outputProofs
    ) external view returns (bool valid) {
        return _verify(_statement(statement), io, linkProof, hiddenProofs, outputProofs);
    }

    /// @inheritdoc IChunkedStepVerifier
    function verifyChunks(uint256[5] calldata statement, bytes calldata chunks) external view returns (bool valid) {
        return _verifyEncoded(_statement(statement), chunks);
    }

    /// @inheritdoc IChunkedStepVerifier
    function verifyAnswer(
        uint256[5] calldata statement,
        uint256[] calldata io,
        uint256 chunk,
        bytes calldata proofs
    ) external view returns (bool valid) {
        if (chunk == 0) {
            (uint256[8] memory link, uint256[8][] memory hidden, uint256[8][] memory output) = abi.decode(
                proofs,
                (uint256[8], uint256[8][], uint256[8][])
            );
            return _verify(_statement(statement), io, link, hidden, output);
        }
        (uint256[8] memory linkProof, uint256[8] memory tileProof) = abi.decode(proofs, (uint256[8], uint256[8]));
        return _verifyTile(_statement(statement), io, linkProof, chunk - 1, tileProof);
    }

    function _statement(uint256[5] calldata s) private pure returns (uint256[] memory out) {
        out = new uint256[](_STATEMENT);
        for (uint256 i = 0; i < _STATEMENT; ++i) out[i] = s[i];
    }
}
