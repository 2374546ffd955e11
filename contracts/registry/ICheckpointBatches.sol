// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ITrainingRegistry} from "./ITrainingRegistry.sol";

/// @title ICheckpointBatches
/// @author Verifiable training registry
/// @notice Full mode's checkpoints submitted in batches (issue #26), answered at the registry's address:
/// the SampledMode module runs them through the registry's fallback on the registry's storage (the
/// registry itself has no room under issue #24's 20,000 bytes). A run's checkpoint verifier is its
/// circuit's adapter, which verifies batches too (IBatchProofVerifier); events and the other errors
/// are the registry's (ITrainingRegistry).
interface ICheckpointBatches {
    /// @notice A batch of checkpoints is empty, longer than MAX_CHECKPOINT_BATCH, or has not one proof per claim.
    /// @param claims Number of claims given.
    /// @param proofs Number of proofs given.
    error InvalidCheckpointBatch(uint256 claims, uint256 proofs);
    /// @notice The batch of checkpoint proofs does not verify: at least one proof is invalid for its claim.
    /// @param runId The run.
    /// @param firstStep The first claim's first step.
    /// @param count Number of checkpoints in the batch.
    error InvalidCheckpointBatchProof(uint256 runId, uint64 firstStep, uint256 count);
    /// @notice The run's checkpoint verifier cannot verify a batch (an adapter generated before batches,
    /// issue #26): submit the checkpoints one by one.
    /// @param runId The run.
    /// @param verifier The run's checkpoint verifier.
    error BatchVerificationUnavailable(uint256 runId, address verifier);

    /// @notice Submits the run's next checkpoints in one call, their proofs verified together by batched
    /// Groth16 verification (issue #26: about 56,000 gas per additional proof instead of a pairing check
    /// each). Lab only. Each claim must start where the previous one ends (steps and root), the first where
    /// the run stands; the effects are those of submitting the claims one by one in this block: every
    /// checkpoint accepted with its event, the attestations checked after each, and a claim after the one
    /// that completes the run refused with the whole batch.
    /// @param runId The run.
    /// @param claims The checkpoints' chain links and results, in order (1 to MAX_CHECKPOINT_BATCH).
    /// @param proofs The packed checkpoint proofs, one per claim, in the same order.
    function submitCheckpoints(
        uint256 runId,
        ITrainingRegistry.CheckpointClaim[] calldata claims,
        uint256[8][] calldata proofs
    ) external;

    /// @notice Most checkpoints one submitCheckpoints call accepts.
    /// @return count The bound.
    function MAX_CHECKPOINT_BATCH() external view returns (uint256 count);
}
