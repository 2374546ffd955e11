// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ISampledMode} from "../sampled/ISampledMode.sol";
import {ITrainingRegistry} from "./ITrainingRegistry.sol";

/// @title IChunkedSteps
/// @author Verifiable training registry
/// @notice Full mode's chunked steps (issue #26, docs/chunks.md), answered at the registry's address: the
/// SampledMode module runs them through the registry's fallback on the registry's storage. A chunked family
/// has K = 1 and a ChunkedStepVerifier as its checkpoint verifier; each step is submitted as its link proof
/// and tile proofs in one call, verified together, and accepted as a one-step checkpoint (the same event,
/// the same accounting and the same attestation checks as submitCheckpoint). Events and the other errors are
/// the registry's (ITrainingRegistry).
///
/// Sampled chunked runs: before committing a window (commitWindow), the lab commits the chunk statements of
/// its W steps, the root of a positional keccak tree (as the roots tree) whose leaf for step t is
/// chunkLeaf(t, io(t)), io(t) being the tiles' io values the link proof of step t states. A drawn challenge
/// then names a step and one of its tiles (from the draw's seed, unknown when the statements were fixed); it
/// is answered with the step's link proof and that tile's proof, their io opened against the committed
/// statements (answerChunkChallenge). A paid challenge, and every step of a window drawn past the block-hash
/// horizon, asks for every chunk of the step. A window committed without chunk statements cannot be answered.
interface IChunkedSteps {
    /// @notice The chunk statements of the run's next window are committed (or replaced, until the window is).
    /// @param runId The run.
    /// @param window The window they belong to.
    /// @param statementsRoot The root of the window's chunk statements tree.
    /// @param tiles Tiles per step (the run's verifier's tiling).
    event ChunkStatementsCommitted(uint256 indexed runId, uint64 indexed window, bytes32 statementsRoot, uint16 tiles);

    /// @notice Chunk statements name the run's next window (not one committed, nor one further on), and are not 0.
    /// @param runId The run.
    /// @param window The window named.
    /// @param expected The run's next window.
    error ChunkStatementsOutOfOrder(uint256 runId, uint64 window, uint64 expected);
    /// @notice The challenged step's window has no chunk statements, or its io do not open against them.
    /// @param runId The run.
    /// @param step The challenged step.
    error InvalidChunkPath(uint256 runId, uint64 step);

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

    /// @notice Commits the chunk statements of the run's next window, before the window itself. Lab only;
    /// sampled runs of a chunked family only. Replaces earlier statements of the same window until
    /// commitWindow fixes it; the draw's seed comes after both.
    /// @param runId The run.
    /// @param window The run's next window (steps / W).
    /// @param statementsRoot The statements tree's root (leaves chunkLeaf(t, io(t)) of the window's steps).
    function commitChunkStatements(uint256 runId, uint64 window, bytes32 statementsRoot) external;

    /// @notice Answers the open challenge of a step of a chunked window: both roots opened as answerChallenge
    /// opens them, the step's io opened against the window's chunk statements, and the proofs the challenge
    /// asks for verified under the step statement (IChunkedStepVerifier.verifyAnswer). Lab only.
    /// @param runId The run.
    /// @param answer The step, its roots and their paths (the accumulator is the step statement's).
    /// @param io The step's tile io values, hidden tiles first, as its link proof states them.
    /// @param ioPath The Merkle path of the step's leaf in its window's statements tree.
    /// @param proofs abi.encode(linkProof, tileProof) for a challenge of one tile (uint256[8] each), or
    /// abi.encode(linkProof, hiddenProofs, outputProofs) for a challenge of every chunk.
    function answerChunkChallenge(
        uint256 runId,
        ISampledMode.ChallengeAnswer calldata answer,
        uint256[] calldata io,
        bytes32[] calldata ioPath,
        bytes calldata proofs
    ) external;

    /// @notice A window's chunk statements (0 and 0: none).
    /// @param runId The run.
    /// @param window The window.
    /// @return statementsRoot The statements tree's root.
    /// @return tiles Tiles per step.
    function chunkStatements(uint256 runId, uint64 window) external view returns (bytes32 statementsRoot, uint16 tiles);

    /// @notice A statements-tree leaf: keccak256(bytes.concat(keccak256(abi.encode(uint256(step), io)))).
    /// @param step The step t.
    /// @param io Its tiles' io values, hidden tiles first.
    /// @return leaf The leaf.
    function chunkLeaf(uint64 step, uint256[] calldata io) external pure returns (bytes32 leaf);
}
