// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IProofVerifier} from "./IProofVerifier.sol";

/// @title Groth16VerifierAdapter
/// @author Verifiable training registry
/// @notice IProofVerifier for a snarkjs-generated Groth16 verifier, left exactly as generated and
/// inherited, as iden3's `Groth16VerifierMTPWrapper` does: each circuit's adapter is generated as
/// `contract <Circuit>VerifierAdapter is <Circuit>Verifier, Groth16VerifierAdapter` and states only its
/// layout (prover/proving/manifest.ts `adapterSource`). One contract per circuit, so the registry's
/// verification pays for one account, not two (issue #24: about 2,600 gas per submission).
/// @dev The generated entry point is `verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[N])`,
/// every argument a static array encoded inline: the call is the selector, the eight proof words as
/// packed here (IProofVerifier), then the N signals. It is made to this contract itself (a warm
/// account) with the calldata copied as it came. No immutable: the deployed code is exactly the
/// compiled code, which `verify-deployment` compares.
abstract contract Groth16VerifierAdapter is IProofVerifier {
    /// @inheritdoc IProofVerifier
    function publicSignalCount() external pure returns (uint256 count) {
        (count, ) = _layout();
    }

    /// @inheritdoc IProofVerifier
    function verify(uint256[8] calldata proof, uint256[] calldata publicSignals) external view returns (bool valid) {
        (uint256 count, bytes4 selector) = _layout();
        if (publicSignals.length != count) revert PublicSignalCountMismatch(count, publicSignals.length);
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, selector)
            calldatacopy(add(ptr, 4), proof, 256)
            calldatacopy(add(ptr, 260), publicSignals.offset, mul(count, 32))
            let ok := staticcall(gas(), address(), ptr, add(260, mul(count, 32)), 0, 32)
            valid := and(ok, and(eq(returndatasize(), 32), eq(mload(0), 1)))
        }
    }

    /// @notice The circuit's number of public signals and its verifier's verifyProof selector (generated).
    /// @return count N.
    /// @return selector verifyProof's selector for uint256[N].
    function _layout() internal pure virtual returns (uint256 count, bytes4 selector);
}
