// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IBatchProofVerifier} from "./IBatchProofVerifier.sol";
import {IChunkedGenesisVerifier} from "./IChunkedGenesisVerifier.sol";
import {IProofVerifier} from "./IProofVerifier.sol";
import {ChunkVerification} from "./ChunkVerification.sol";

/// @title ChunkedGenesisVerifier
/// @author Verifiable training registry
/// @notice IChunkedGenesisVerifier over the genesis link's and the init tiles' adapters (ChunkVerification):
/// proveGenesis verifies a genesis statement's chunks and records the statement; as a chunked family's
/// genesis verifier, verify accepts exactly the recorded statements (docs/chunks.md).
contract ChunkedGenesisVerifier is IChunkedGenesisVerifier, ChunkVerification {
    uint256 private constant _STATEMENT = 7;

    mapping(bytes32 statementHash => bool proven) private _proven;

    /// @notice Binds the three adapters and the tiling.
    /// @param link The genesis link circuit's adapter (a genesis statement, then one io per init tile).
    /// @param hidden The hidden blocks' init-tile circuit's adapter.
    /// @param output The output blocks' init-tile circuit's adapter.
    /// @param hiddenTiles Hidden blocks.
    /// @param outputTiles Output blocks.
    constructor(
        IProofVerifier link,
        IBatchProofVerifier hidden,
        IBatchProofVerifier output,
        uint256 hiddenTiles,
        uint256 outputTiles
    ) ChunkVerification(link, hidden, output, hiddenTiles, outputTiles, _STATEMENT) {}

    /// @inheritdoc IChunkedGenesisVerifier
    function proveGenesis(uint256[7] calldata statement, bytes calldata chunks) external {
        uint256[] memory s = new uint256[](_STATEMENT);
        for (uint256 i = 0; i < _STATEMENT; ++i) s[i] = statement[i];
        bytes32 h = keccak256(abi.encodePacked(s));
        if (!_verifyEncoded(s, chunks)) revert InvalidGenesisChunks(h);
        _proven[h] = true;
        emit GenesisChunksVerified(h, statement[0], address(uint160(statement[1])), statement[3]);
    }

    /// @inheritdoc IChunkedGenesisVerifier
    function proven(uint256[7] calldata statement) external view returns (bool) {
        return _proven[keccak256(abi.encodePacked(statement))];
    }

    /// @inheritdoc IProofVerifier
    /// @dev A genesis proof's seven: specCommitment, lab, runTag, root0, paramCount, flopsPerStep, plan.
    function publicSignalCount() external pure returns (uint256 count) {
        return _STATEMENT;
    }

    /// @inheritdoc IProofVerifier
    /// @dev The proof words are not read: the statement was proven by its chunks (proveGenesis) or not at all.
    function verify(uint256[8] calldata, uint256[] calldata publicSignals) external view returns (bool) {
        if (publicSignals.length != _STATEMENT) revert PublicSignalCountMismatch(_STATEMENT, publicSignals.length);
        return _proven[keccak256(abi.encodePacked(publicSignals))];
    }
}
