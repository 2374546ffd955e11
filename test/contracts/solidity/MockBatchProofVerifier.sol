// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IBatchProofVerifier} from "../../../contracts/verifiers/IBatchProofVerifier.sol";
import {MockProofVerifier} from "./MockProofVerifier.sol";

/// @notice MockProofVerifier with batches: a batch is valid iff every mock proof is valid for its own
/// signals (the registry's batch bookkeeping is tested with it; the batched Groth16 check itself with
/// real proofs in test/contracts/batch-verifier.test.ts).
contract MockBatchProofVerifier is MockProofVerifier, IBatchProofVerifier {
    constructor(uint256 count) MockProofVerifier(count) {}

    function verifyBatch(
        uint256[8][] calldata proofs,
        uint256[] calldata publicSignals
    ) external view returns (bool valid) {
        uint256 n = proofs.length;
        uint256 m = this.publicSignalCount();
        if (n == 0 || publicSignals.length != n * m) revert BatchShapeMismatch(n, publicSignals.length, m);
        for (uint256 i = 0; i < n; ++i) {
            if (proofs[i][0] != uint256(keccak256(abi.encode(publicSignals[i * m:(i + 1) * m])))) return false;
        }
        valid = true;
    }
}
