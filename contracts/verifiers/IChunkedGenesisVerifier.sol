// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IChunkVerifier} from "./IChunkVerifier.sol";
import {IProofVerifier} from "./IProofVerifier.sol";

/// @title IChunkedGenesisVerifier
/// @author Verifiable training registry
/// @notice The genesis of a chunked run (issue #26, docs/chunks.md): init tiles derive the initial weights
/// from the committed seed, stretch by stretch, and a link proof states the genesis statement (the seven
/// public signals of a genesis proof: specCommitment, lab, runTag, root0, paramCount, flopsPerStep, plan).
/// Registration takes one genesis proof, so the chunks are verified first, in their own transaction
/// (proveGenesis), which records the statement; as the family's genesis verifier (an IProofVerifier) this
/// contract then accepts exactly the statements so recorded. The statement names the lab and the spec, so
/// a recorded statement registers only that lab's run of that spec.
interface IChunkedGenesisVerifier is IChunkVerifier, IProofVerifier {
    /// @notice The chunk proofs do not prove this genesis statement.
    /// @param statementHash keccak256 of the statement's seven words (abi.encodePacked).
    error InvalidGenesisChunks(bytes32 statementHash);

    /// @notice A genesis statement was proven by its chunks (anyone may submit them; the statement, which
    /// names the lab, decides whose registration it serves).
    /// @param statementHash keccak256 of the statement's seven words (abi.encodePacked).
    /// @param specCommitment The statement's spec commitment.
    /// @param lab The statement's lab.
    /// @param root0 The statement's initial weights root.
    event GenesisChunksVerified(
        bytes32 indexed statementHash,
        uint256 indexed specCommitment,
        address indexed lab,
        uint256 root0
    );

    /// @notice Verifies a genesis statement's chunk proofs and records the statement. Reverts with
    /// InvalidGenesisChunks if any proof is invalid, ChunkCountMismatch on a wrong shape.
    /// @param statement The seven genesis signals, in the circuit's order.
    /// @param chunks abi.encode(io, linkProof, hiddenProofs, outputProofs): each init tile's io (hidden
    /// blocks first), the link proof, and the hidden and output blocks' tile proofs in the order of their io.
    function proveGenesis(uint256[7] calldata statement, bytes calldata chunks) external;

    /// @notice Whether a genesis statement's chunks were verified here.
    /// @param statement The seven genesis signals.
    /// @return proven True once proveGenesis accepted them.
    function proven(uint256[7] calldata statement) external view returns (bool);
}
