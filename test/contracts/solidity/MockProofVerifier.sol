// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IProofVerifier} from "../../../contracts/verifiers/IProofVerifier.sol";

/// @notice A stand-in verifier for fuzzing the registry's bookkeeping: a
/// "proof" of public signals S is valid iff its first word is keccak256(S),
/// so, like a real proof, it is bound to every signal (another run, another
/// step, another root makes it invalid). Real proofs are tested in mocha.
contract MockProofVerifier is IProofVerifier {
    uint256 private immutable _count;

    constructor(uint256 count) {
        _count = count;
    }

    /// @notice The mock proof of `publicSignals`.
    function proofFor(uint256[] memory publicSignals) public pure returns (uint256[8] memory proof) {
        proof[0] = uint256(keccak256(abi.encode(publicSignals)));
    }

    function publicSignalCount() external view returns (uint256) {
        return _count;
    }

    function verify(uint256[8] calldata proof, uint256[] calldata publicSignals) external view returns (bool) {
        if (publicSignals.length != _count) revert PublicSignalCountMismatch(_count, publicSignals.length);
        return proof[0] == uint256(keccak256(abi.encode(publicSignals)));
    }
}
