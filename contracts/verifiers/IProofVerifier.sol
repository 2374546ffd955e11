// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IProofVerifier
/// @author Verifiable training registry
/// @notice One interface for every circuit's Groth16 verifier, so the registry
/// never depends on the shape of a generated verifier. Proofs are packed as
/// eight words: a.x, a.y, b.x.c1, b.x.c0, b.y.c1, b.y.c0, c.x, c.y (the pi_b
/// coordinates in the EVM's order; prover/proving/calldata.ts packs them).
interface IProofVerifier {
    /// @notice The public-signal array does not have the circuit's length.
    /// @param expected Number of public signals of the circuit.
    /// @param actual Number of public signals given.
    error PublicSignalCountMismatch(uint256 expected, uint256 actual);

    /// @notice Number of public signals the circuit has.
    /// @return count The number of public signals.
    function publicSignalCount() external view returns (uint256);

    /// @notice Whether `proof` is a valid proof of `publicSignals`.
    /// @dev Reverts with PublicSignalCountMismatch on a wrong count; returns
    /// false for an invalid proof or a signal outside the scalar field.
    /// @param proof The packed proof (eight words, see above).
    /// @param publicSignals The public signals, in the circuit's order.
    /// @return valid True if the proof verifies.
    function verify(uint256[8] calldata proof, uint256[] calldata publicSignals) external view returns (bool);
}
