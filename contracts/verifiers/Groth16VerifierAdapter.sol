// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {IProofVerifier} from "./IProofVerifier.sol";

/// @title Groth16VerifierAdapter
/// @author Verifiable training registry
/// @notice Wraps a snarkjs-generated Groth16 verifier, left exactly as
/// generated, behind IProofVerifier. The generated contract's entry point is
/// `verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[N])`, with every
/// argument a static array encoded inline, so the call is the selector
/// followed by 8 + N words.
contract Groth16VerifierAdapter is IProofVerifier {
    /// @notice The verifier address is zero.
    error ZeroVerifier();
    /// @notice The circuit must have at least one public signal.
    error NoPublicSignals();

    /// @notice The wrapped snarkjs verifier.
    address public immutable verifier;
    uint256 private immutable _count;
    bytes4 private immutable _selector;

    /// @notice Wraps `verifier_`, a circuit with `count` public signals.
    /// @param verifier_ A snarkjs Groth16 verifier.
    /// @param count Its number of public signals (N).
    constructor(address verifier_, uint256 count) {
        if (verifier_ == address(0)) revert ZeroVerifier();
        if (count == 0) revert NoPublicSignals();
        verifier = verifier_;
        _count = count;
        _selector = bytes4(
            keccak256(
                abi.encodePacked(
                    "verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[",
                    Strings.toString(count),
                    "])"
                )
            )
        );
    }

    /// @inheritdoc IProofVerifier
    function publicSignalCount() external view returns (uint256) {
        return _count;
    }

    /// @inheritdoc IProofVerifier
    function verify(uint256[8] calldata proof, uint256[] calldata publicSignals) external view returns (bool) {
        if (publicSignals.length != _count) revert PublicSignalCountMismatch(_count, publicSignals.length);
        (bool ok, bytes memory ret) = verifier.staticcall(abi.encodePacked(_selector, proof, publicSignals));
        return ok && ret.length == 32 && abi.decode(ret, (bool));
    }
}
