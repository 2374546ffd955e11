// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ITrainingRegistry} from "./ITrainingRegistry.sol";

/// @title IChunkedSteps
/// @author Verifiable training registry
/// @notice Full mode's chunked steps (issue #26, docs/chunks.md), answered at the registry's address: the
/// SampledMode module runs them through the registry's fallback on the registry's storage. A chunked family
/// has K = 1 and a ChunkedStepVerifier as its checkpoint verifier; each step is submitted as its link proof
/// and tile proofs in one call, verified together, and accepted as a one-step checkpoint (the same event,
/// the same accounting and the same attestation checks as submitCheckpoint). Events and the other errors are
/// the registry's (ITrainingRegistry).
interface IChunkedSteps {
    /// @notice The run's checkpoint verifier does not verify chunked steps (not a chunked family, or K is
    /// not 1): submit its checkpoints with submitCheckpoint.
    /// @param runId The run.
    /// @param verifier The run's checkpoint verifier.
    error ChunkedStepsUnavailable(uint256 runId, address verifier);
    /// @notice A chunked family's checkpoint verifier refuses a single proof (submitCheckpoint): submit the
    /// step's chunks with submitChunkedStep. Raised by the verifier (IChunkedStepVerifier), declared here too
    /// so that the registry's ABI names it.
    error NotASingleProof();
    /// @notice The numbers of io values or tile proofs are not the family's tiling. Raised by the verifier
    /// (IChunkVerifier), declared here too so that the registry's ABI names it.
    /// @param io Number of io values given.
    /// @param hiddenProofs Number of hidden-tile proofs given.
    /// @param outputProofs Number of output-tile proofs given.
    error ChunkCountMismatch(uint256 io, uint256 hiddenProofs, uint256 outputProofs);

    /// @notice Submits the run's next step as chunk proofs, verified in one call by the run's
    /// ChunkedStepVerifier. Lab only; full-mode runs of a chunked family only. The claim is a one-step
    /// checkpoint: it must start where the run stands (steps and root). The link proof's statement is the
    /// one a step proof of this claim would have; the tiles' public signals are the link's io values.
    /// @dev The chunks are forwarded to the verifier as they came (IChunkedStepVerifier.verifyChunks), so
    /// this module does not decode them; a revert of the verifier (ChunkCountMismatch) comes back unchanged.
    /// @param runId The run.
    /// @param claim The step's chain link and result (firstStep, rootBefore, rootAfter, accumulator).
    /// @param chunks abi.encode(io, linkProof, hiddenProofs, outputProofs): each tile's io (hidden tiles
    /// first) as the link states them (uint256[]), the link proof (uint256[8]), and the hidden and output
    /// tiles' proofs in the order of their io (uint256[8][] each).
    function submitChunkedStep(
        uint256 runId,
        ITrainingRegistry.CheckpointClaim calldata claim,
        bytes calldata chunks
    ) external;
}
