// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IProofVerifier} from "../verifiers/IProofVerifier.sol";
import {ISampledMode} from "../sampled/ISampledMode.sol";
import {ITrainingRegistry} from "./ITrainingRegistry.sol";

/// @title RegistryStorage
/// @author Verifiable training registry
/// @notice The registry's storage, in one ERC-7201 namespace that the registry and its sampled-mode
/// module (run through delegatecall) share, and the few rules both apply to it: the registry's clock
/// (unpaused seconds) and the flag. Internal only: its code is compiled into each user.
/// @custom:storage-location erc7201:vtr.storage.TrainingRegistry
library RegistryStorage {
    /// @dev keccak256(abi.encode(uint256(keccak256("vtr.storage.TrainingRegistry")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant _SLOT = 0x2a015617f8f490f93e2126f9e84015dde7638297752719034c802f9a73a0be00;
    uint256 private constant _COUNTER_BITS = 24;
    uint256 private constant _COUNTER_MAX = type(uint24).max;

    /// @dev A run, packed so that a clean submission reads six slots and writes two (root; steps, plan,
    /// times and designation), besides its lab's slot of the compute ledger for the day (issue #29). Times named `...Active` are on the registry's clock (unpaused seconds); the
    /// others are block times for readers. Cumulative FLOPs are not stored: every checkpoint (window) adds
    /// K (W) steps of flopsPerStep each, so they are always steps x flopsPerStep (< 2^96). The designation
    /// time, the deadline and the one bound both attestations set on steps (cap / flopsPerStep and the
    /// step limit, whichever is lower) share the slot every submission reads and writes, so a clean or a
    /// designating submission reads the attestations' own slot never; a breach reads it for the event. The violation
    /// counters (24 bits each, saturating) and the flagged-window count share a slot with registeredAt,
    /// which is never zero, so a first flag is no zero-to-nonzero write. The beacon is 0 until drawn
    /// (a drawn beacon is never 0), and every submission reads it with the verifier.
    struct RunState {
        // Read by every submission.
        address lab;
        ITrainingRegistry.RunStatus status;
        uint16 stepsPerCheckpoint; // K (full mode) or W (sampled mode)
        uint64 flopsPerStep;
        bool sampled;
        IProofVerifier proofVerifier; // checkpoint verifier (full) or step verifier (sampled)
        uint64 beacon;
        uint256 runTag;
        ITrainingRegistry.Attestations attestations;
        // Read and written by every submission.
        uint256 root;
        uint32 steps;
        uint32 plannedSteps;
        uint40 lastCheckpointAt;
        uint40 lastCheckpointActive;
        uint40 designatedAt;
        uint40 deadlineSeconds; // attestations.checkpointDeadline, saturating at 2^40 - 1 (never reached)
        uint32 withinSteps; // most steps within both the FLOPs cap and the step limit (2^32 - 1: no bound)
        // Read and written only when a flag is raised or the run is designated.
        uint144 violations; // six 24-bit counters, ViolationKind k at bits 24k .. 24k + 23
        uint32 flaggedWindows;
        uint40 registeredAt;
        uint40 beaconBlock; // the block whose hash is the beacon (beacon 0: not drawn yet)
        // Views, reassessments and sampled mode's draws, challenges and answers.
        uint64 paramCount;
        bool projectedToCross;
        uint16 challengesPerWindow;
        uint32 responseSeconds;
        uint32 challenged;
        uint32 answered;
        uint40 lastDeadlineActive; // the latest deadline of the run's challenges (the queue's end)
        // Views and answers.
        bytes32 familyId;
        uint256 specCommitment;
        uint256 root0;
    }

    /// @dev A window of a sampled run: one slot written at commitment (the hash of its root and block),
    /// one by its draw and the paid challenges on it, and for a chunked run (issue #26) a third: the root of
    /// its steps' chunk statements, committed before the window (the tile count beside the draw's fields).
    struct WindowRecord {
        bytes32 commitment;
        uint40 drawnAt;
        uint40 drawnActive;
        uint40 queueStartActive; // past the horizon: offset j is due at queueStart + (j + 1) x response
        bool everyStep;
        uint16 paidChallenges;
        uint16 chunkTiles; // tiles per step of a chunked window (0: not chunked)
        bytes32 chunkStatements; // statements tree's root (IChunkedSteps.chunkLeaf leaves)
    }

    /// @dev A challenge: one slot, and a second for a paid one's challenger and fee.
    struct ChallengeRecord {
        ISampledMode.ChallengeState state;
        uint40 issuedAt;
        uint40 issuedActive;
        uint40 deadlineActive;
        uint16 chunk; // chunked window: 0 = every chunk of the step, c = tile c - 1 (with the link)
        address challenger;
        uint96 fee;
    }

    /// @dev Everything the registry keeps. The clock slot (threshold, pause start, paused total) is read
    /// by every call that checks the pause.
    struct Layout {
        mapping(uint256 runId => RunState run) runs;
        mapping(address lab => mapping(uint256 specCommitment => uint256 runId)) runOfSpec;
        mapping(uint256 runId => mapping(uint64 steps => mapping(uint64 window => address reporter))) reporters;
        mapping(uint256 runId => mapping(uint64 window => WindowRecord record)) windows;
        mapping(uint256 runId => mapping(uint64 step => ChallengeRecord challenge)) challenges;
        mapping(address account => uint256 amount) credits;
        uint256 runCount;
        address families; // the CircuitFamilies contract, fixed at deployment
        // The clock: one slot.
        uint128 designationThreshold;
        uint64 pausedAt; // block time the current pause began (0: not paused)
        uint64 pausedTotal; // seconds of every completed pause
        // Sampled mode's policy: one slot.
        uint16 minChallengesPerWindow;
        uint128 challengeFee;
        uint32 minResponseSeconds;
        uint32 maxResponseSeconds;
        // Issue #29: FLOPs each lab accounted for per UTC day (IComputeLedger).
        mapping(address lab => mapping(uint64 day => uint256 flops)) accounted;
    }

    /// @dev The namespace.
    function layout() internal pure returns (Layout storage $) {
        bytes32 slot = _SLOT;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            $.slot := slot
        }
    }

    /// @dev The registry's clock: unpaused seconds, frozen while paused. Constant gas whatever the pauses.
    function clock(Layout storage $) internal view returns (uint64) {
        uint64 pausedAt = $.pausedAt;
        return (pausedAt != 0 ? pausedAt : uint64(block.timestamp)) - $.pausedTotal;
    }

    /// @dev Adds `count` violations of `kind` (saturating at 2^24 - 1) and emits ViolationFlagged.
    function flag(
        uint256 runId,
        RunState storage run,
        ITrainingRegistry.ViolationKind kind,
        uint64 steps,
        uint256 observed,
        uint256 limit,
        uint64 count
    ) internal {
        uint256 shift = uint256(kind) * _COUNTER_BITS;
        uint144 counts = run.violations;
        uint256 current = (counts >> shift) & _COUNTER_MAX;
        uint256 next = current + count > _COUNTER_MAX ? _COUNTER_MAX : current + count;
        run.violations = uint144(counts + ((next - current) << shift));
        emit ITrainingRegistry.ViolationFlagged(runId, kind, run.lab, steps, observed, limit, count, msg.sender);
    }

    /// @dev A violation counter as readers see it.
    function violationCount(RunState storage run, uint256 kind) internal view returns (uint32) {
        return uint32((run.violations >> (kind * _COUNTER_BITS)) & _COUNTER_MAX);
    }
}
