// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IChunkVerifier} from "./IChunkVerifier.sol";
import {IProofVerifier} from "./IProofVerifier.sol";

/// @title IChunkedStepVerifier
/// @author Verifiable training registry
/// @notice A training step proven as chunks (issue #26, docs/chunks.md): the link's statement is a step
/// proof's five signals (runTag, position, rootBefore, rootAfter, accumulator). As a chunked family's
/// checkpoint verifier (K = 1) it is also an IProofVerifier: it reports a step proof's public-signal count,
/// and refuses to verify a single proof (a chunked step has none; the registry's submitChunkedStep calls
/// verifyChunks).
interface IChunkedStepVerifier is IChunkVerifier, IProofVerifier {
    /// @notice A chunked step has no single proof: submit its chunks (the registry's submitChunkedStep).
    error NotASingleProof();

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

    /// @notice verifyStep with the chunks ABI-encoded, as the registry's submitChunkedStep forwards them.
    /// @param statement The step statement: runTag, position, rootBefore, rootAfter, accumulator.
    /// @param chunks abi.encode(io, linkProof, hiddenProofs, outputProofs), typed as verifyStep's.
    /// @return valid True if every proof verifies with these signals.
    function verifyChunks(uint256[5] calldata statement, bytes calldata chunks) external view returns (bool valid);

    /// @notice Whether a sampled challenge's answer proves what it asks (IChunkedSteps.answerChunkChallenge):
    /// the link proof under the statement and these io, and either one tile's proof or every tile's.
    /// @dev Reverts with ChunkCountMismatch on a wrong shape or a tile out of range; false if a proof is invalid.
    /// @param statement The step statement: runTag, position, rootBefore, rootAfter, accumulator.
    /// @param io Each tile's io, hidden tiles first.
    /// @param chunk 0: every chunk, proofs = abi.encode(linkProof, hiddenProofs, outputProofs); c >= 1: tile
    /// c - 1 only, proofs = abi.encode(linkProof, tileProof).
    /// @param proofs The proofs, ABI-encoded as `chunk` says.
    /// @return valid True if every proof verifies with these signals.
    function verifyAnswer(
        uint256[5] calldata statement,
        uint256[] calldata io,
        uint256 chunk,
        bytes calldata proofs
    ) external view returns (bool valid);
}
