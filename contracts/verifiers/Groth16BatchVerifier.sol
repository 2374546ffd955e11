// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IBatchProofVerifier} from "./IBatchProofVerifier.sol";

/// @title Groth16BatchVerifier
/// @author Verifiable training registry
/// @notice Batched Groth16 verification (issue #26): n proofs of one circuit checked with one
/// pairing product of n + 3 pairs instead of n products of 4, by a random linear combination of
/// their verification equations,
///   prod_i e(-r_i A_i, B_i) * e((sum_i r_i) alpha, beta) * e(sum_i r_i L_i, gamma) * e(sum_i r_i C_i, delta) = 1,
/// with L_i = IC_0 + sum_j x_ij IC_j computed once for the whole batch as
/// (sum_i r_i) IC_0 + sum_j (sum_i r_i x_ij) IC_j. r_0 = 1 and r_i (i > 0) are 128-bit values from a
/// hash of this contract's address and every proof and signal of the batch (Fiat-Shamir): they are
/// fixed only once the whole batch is, so a batch with an invalid proof passes with probability
/// about 2^-128 per attempt; no block hash, timestamp or submitter's choice enters them.
/// @dev Each circuit's adapter is generated (prover/proving/manifest.ts adapterSource) as
/// `contract <Circuit>VerifierAdapter is <Circuit>Verifier, Groth16VerifierAdapter, Groth16BatchVerifier`,
/// its key read from the untouched snarkjs verifier's own constants, so the two cannot disagree.
abstract contract Groth16BatchVerifier is IBatchProofVerifier {
    /// @dev The BN254 scalar field (public signals) and base field (coordinates).
    uint256 private constant SCALAR_FIELD =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint256 private constant BASE_FIELD = 21888242871839275222246405745257275088696311157297823662689037894645226208583;

    /// @notice A Groth16 verification key, G2 points in the EVM's coordinate order (as snarkjs's verifier
    /// stores them: x.c1, x.c0, y.c1, y.c0), ic as x, y pairs (N + 1 points).
    struct Groth16Key {
        uint256[2] alpha1;
        uint256[4] beta2;
        uint256[4] gamma2;
        uint256[4] delta2;
        uint256[] ic;
    }

    /// @inheritdoc IBatchProofVerifier
    function verifyBatch(
        uint256[8][] calldata proofs,
        uint256[] calldata publicSignals
    ) external view returns (bool valid) {
        Groth16Key memory k = _key();
        uint256 n = proofs.length;
        uint256 m = k.ic.length / 2 - 1;
        if (n == 0 || publicSignals.length != n * m) revert BatchShapeMismatch(n, publicSignals.length, m);
        uint256[] memory pairs = new uint256[](6 * (n + 3));
        // sums[0] = sum_i r_i; sums[1 + j] = sum_i r_i x_ij.
        uint256[] memory sums = new uint256[](m + 1);
        uint256[2] memory c;
        if (!_combineProofs(proofs, publicSignals, m, pairs, sums, c)) return false;
        if (!_combineKey(pairs, n, k, sums, c)) return false;
        valid = _pairing(pairs);
    }

    /// @dev The Fiat-Shamir seed: a hash of this contract's address, every proof word and every signal, as they came.
    function _seed(uint256[8][] calldata proofs, uint256[] calldata publicSignals) private view returns (bytes32 seed) {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            let proofBytes := mul(proofs.length, 256)
            let signalBytes := mul(publicSignals.length, 32)
            mstore(ptr, address())
            calldatacopy(add(ptr, 32), proofs.offset, proofBytes)
            calldatacopy(add(add(ptr, 32), proofBytes), publicSignals.offset, signalBytes)
            seed := keccak256(ptr, add(32, add(proofBytes, signalBytes)))
        }
    }

    /// @dev For every proof i: checks its encoding (coordinates below the base field, signals below the
    /// scalar field: one encoding per proof, a coordinate plus the modulus is refused, not reduced), draws
    /// r_i, writes pair i = (-r_i A_i, B_i), adds r_i C_i to c and r_i, r_i x_ij to sums. False on a
    /// non-canonical value or a point off the curve. One assembly loop: the per-proof cost is the goal.
    // solhint-disable-next-line function-max-lines
    function _combineProofs(
        uint256[8][] calldata proofs,
        uint256[] calldata publicSignals,
        uint256 m,
        uint256[] memory pairs,
        uint256[] memory sums,
        uint256[2] memory c
    ) private view returns (bool ok) {
        bytes32 seed = _seed(proofs, publicSignals);
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let n := proofs.length
            let tmp := mload(0x40)
            mstore(0x40, add(tmp, 128))
            ok := 1
            for {
                let i := 0
            } lt(i, n) {
                i := add(i, 1)
            } {
                let p := add(proofs.offset, mul(i, 256))
                for {
                    let w := 0
                } lt(w, 8) {
                    w := add(w, 1)
                } {
                    if iszero(lt(calldataload(add(p, mul(w, 32))), BASE_FIELD)) {
                        ok := 0
                    }
                }
                let r := 1
                if i {
                    mstore(0, seed)
                    mstore(32, i)
                    r := shr(128, keccak256(0, 64))
                }
                let sp := add(sums, 32)
                mstore(sp, addmod(mload(sp), r, SCALAR_FIELD))
                let xs := add(publicSignals.offset, mul(mul(i, m), 32))
                for {
                    let j := 0
                } lt(j, m) {
                    j := add(j, 1)
                } {
                    let x := calldataload(add(xs, mul(j, 32)))
                    if iszero(lt(x, SCALAR_FIELD)) {
                        ok := 0
                    }
                    let slot := add(sp, mul(add(j, 1), 32))
                    mstore(slot, addmod(mload(slot), mulmod(r, x, SCALAR_FIELD), SCALAR_FIELD))
                }
                let o := add(add(pairs, 32), mul(i, 192))
                switch i
                case 0 {
                    mstore(o, calldataload(p))
                    mstore(add(o, 32), calldataload(add(p, 32)))
                    mstore(c, calldataload(add(p, 192)))
                    mstore(add(c, 32), calldataload(add(p, 224)))
                }
                default {
                    // -r A: r A, negated below.
                    mstore(tmp, calldataload(p))
                    mstore(add(tmp, 32), calldataload(add(p, 32)))
                    mstore(add(tmp, 64), r)
                    ok := and(ok, staticcall(gas(), 7, tmp, 96, o, 64))
                    // c += r C.
                    mstore(tmp, calldataload(add(p, 192)))
                    mstore(add(tmp, 32), calldataload(add(p, 224)))
                    mstore(add(tmp, 64), r)
                    ok := and(ok, staticcall(gas(), 7, tmp, 96, tmp, 64))
                    mstore(add(tmp, 64), mload(c))
                    mstore(add(tmp, 96), mload(add(c, 32)))
                    ok := and(ok, staticcall(gas(), 6, tmp, 128, c, 64))
                }
                mstore(add(o, 32), mod(sub(BASE_FIELD, mload(add(o, 32))), BASE_FIELD))
                calldatacopy(add(o, 64), add(p, 64), 128)
                if iszero(ok) {
                    break
                }
            }
        }
    }

    /// @dev The last three pairs: ((sum r_i) alpha, beta), (sum r_i L_i, gamma), (sum r_i C_i, delta).
    function _combineKey(
        uint256[] memory pairs,
        uint256 n,
        Groth16Key memory k,
        uint256[] memory sums,
        uint256[2] memory c
    ) private view returns (bool ok) {
        uint256[2] memory alpha = k.alpha1;
        uint256[2] memory lin = [k.ic[0], k.ic[1]];
        if (!(_mul(alpha, sums[0]) && _mul(lin, sums[0]))) return false;
        for (uint256 j = 1; j < sums.length; ++j) {
            uint256[2] memory t = [k.ic[2 * j], k.ic[2 * j + 1]];
            if (!(_mul(t, sums[j]) && _add(lin, t))) return false;
        }
        _put(pairs, n, alpha, k.beta2);
        _put(pairs, n + 1, lin, k.gamma2);
        _put(pairs, n + 2, c, k.delta2);
        return true;
    }

    /// @notice The circuit's verification key (generated from its snarkjs verifier's constants).
    /// @return key The key.
    function _key() internal pure virtual returns (Groth16Key memory key);

    /// @dev Writes pair `index` of the pairing input: a G1 point and a G2 point.
    function _put(uint256[] memory pairs, uint256 index, uint256[2] memory g1, uint256[4] memory g2) private pure {
        uint256 o = 6 * index;
        pairs[o] = g1[0];
        pairs[o + 1] = g1[1];
        pairs[o + 2] = g2[0];
        pairs[o + 3] = g2[1];
        pairs[o + 4] = g2[2];
        pairs[o + 5] = g2[3];
    }

    /// @dev point := s * point (precompile 7); false if the point is not on the curve.
    function _mul(uint256[2] memory point, uint256 s) private view returns (bool ok) {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, mload(point))
            mstore(add(m, 32), mload(add(point, 32)))
            mstore(add(m, 64), s)
            ok := staticcall(gas(), 7, m, 96, point, 64)
        }
    }

    /// @dev acc := acc + point (precompile 6); false if a point is not on the curve.
    function _add(uint256[2] memory acc, uint256[2] memory point) private view returns (bool ok) {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, mload(acc))
            mstore(add(m, 32), mload(add(acc, 32)))
            mstore(add(m, 64), mload(point))
            mstore(add(m, 96), mload(add(point, 32)))
            ok := staticcall(gas(), 6, m, 128, acc, 64)
        }
    }

    /// @dev Whether the product of the pairings is one (precompile 8); false on an invalid point.
    function _pairing(uint256[] memory pairs) private view returns (bool valid) {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let len := mul(mload(pairs), 32)
            let ok := staticcall(gas(), 8, add(pairs, 32), len, 0, 32)
            valid := and(ok, and(eq(returndatasize(), 32), eq(mload(0), 1)))
        }
    }
}
