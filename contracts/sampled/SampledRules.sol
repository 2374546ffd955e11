// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ITrainingRegistry} from "../registry/ITrainingRegistry.sol";
import {RegistryStorage} from "../registry/RegistryStorage.sol";
import {ISampledMode} from "./ISampledMode.sol";

/// @title SampledRules
/// @author Verifiable training registry
/// @notice The rules of sampled mode that the registry (commitments, views) and its sampled-mode module
/// (draws, challenges, answers) both apply: roots trees, the draw, windows and challenges as stored.
/// Internal only.
library SampledRules {
    /// @notice Most challenges a window may draw (bounds the draw's gas).
    uint16 internal constant MAX_CHALLENGES_PER_WINDOW = 64;
    /// @notice Longest window a sampled run may choose (bounds its commitment's path).
    uint16 internal constant MAX_WINDOW_STEPS = 1024;
    /// @notice Smallest paid-challenge fee the policy may set (when paid challenges are on): 10^12 wei.
    uint128 internal constant MIN_CHALLENGE_FEE = 1e12;
    /// @notice Longest response time the policy may allow: 30 days.
    uint32 internal constant MAX_RESPONSE_SECONDS = 30 days;

    /// @dev A registered sampled run, in any status: closing or completing a run ends no challenge.
    function sampledRun(
        RegistryStorage.Layout storage $,
        uint256 runId
    ) internal view returns (RegistryStorage.RunState storage run) {
        run = $.runs[runId];
        if (run.status == ITrainingRegistry.RunStatus.None) revert ITrainingRegistry.UnknownRun(runId);
        if (!run.sampled) revert ISampledMode.NotSampledRun(runId);
    }

    /// @dev A committed window, checked against the caller's reference (its root and block).
    function committedWindow(
        RegistryStorage.Layout storage $,
        uint256 runId,
        uint64 window,
        ISampledMode.WindowRef calldata ref
    ) internal view returns (RegistryStorage.WindowRecord storage w) {
        w = $.windows[runId][window];
        bytes32 commitment = w.commitment;
        if (commitment == 0 || commitment != keccak256(abi.encode(ref.root, ref.committedBlock))) {
            revert ISampledMode.UnknownWindow(runId, window);
        }
    }

    /// @dev A step's challenge: its record, state, issue time on the registry's clock and deadline,
    /// counting the implicit open challenge of every step of a window drawn past the horizon (offset j
    /// of such a window is due at its queue start + (j + 1) x the response time).
    function challenge(
        RegistryStorage.Layout storage $,
        uint256 runId,
        RegistryStorage.RunState storage run,
        uint64 step
    )
        internal
        view
        returns (
            RegistryStorage.ChallengeRecord storage c,
            ISampledMode.ChallengeState state,
            uint64 issuedActive,
            uint64 deadline
        )
    {
        c = $.challenges[runId][step];
        state = c.state;
        issuedActive = c.issuedActive;
        deadline = c.deadlineActive;
        if (state == ISampledMode.ChallengeState.None && step < run.steps) {
            uint64 w = run.stepsPerCheckpoint;
            RegistryStorage.WindowRecord storage record = $.windows[runId][step / w];
            if (record.everyStep) {
                state = ISampledMode.ChallengeState.Open;
                issuedActive = record.drawnActive;
                deadline = record.queueStartActive + ((step % w) + 1) * uint64(run.responseSeconds);
            }
        }
    }

    /// @dev Issues a challenge at the end of the run's queue: due at max(now, last deadline) + response.
    function issue(
        RegistryStorage.RunState storage run,
        RegistryStorage.ChallengeRecord storage c,
        uint64 time,
        uint64 active
    ) internal {
        uint64 last = run.lastDeadlineActive;
        uint64 deadline = (last > active ? last : active) + run.responseSeconds;
        run.lastDeadlineActive = uint40(deadline);
        c.state = ISampledMode.ChallengeState.Open;
        c.issuedAt = uint40(time);
        c.issuedActive = uint40(active);
        c.deadlineActive = uint40(deadline);
    }

    /// @dev Requires r(index) = root as leaf `index` of its window ((index - 1) / W), index >= 1.
    function requireRootLeaf(
        RegistryStorage.Layout storage $,
        uint256 runId,
        uint32 w,
        uint64 index,
        uint256 root,
        ISampledMode.WindowRef calldata ref,
        bytes32[] calldata path
    ) internal view {
        committedWindow($, runId, (index - 1) / w, ref);
        if (rootsTreeRoot(rootLeaf(index, root), (index - 1) % w, w, path) != ref.root) {
            revert ISampledMode.InvalidRootPath(runId, index);
        }
    }

    /// @dev The roots tree's root from a leaf at `position` and its path; a path of another length than
    /// D = ceil(log2 w) yields 0, which no committed window has (it is refused at commitment).
    function rootsTreeRoot(
        bytes32 leaf,
        uint64 position,
        uint32 w,
        bytes32[] calldata path
    ) internal pure returns (bytes32 node) {
        uint256 depth = 0;
        while ((uint256(1) << depth) < w) ++depth;
        if (path.length != depth) return 0;
        node = leaf;
        for (uint256 level = 0; level < depth; ++level) {
            node =
                (position >> level) & 1 == 0
                    ? keccak256(abi.encodePacked(node, path[level]))
                    : keccak256(abi.encodePacked(path[level], node));
        }
    }

    /// @dev A roots-tree leaf.
    function rootLeaf(uint64 index, uint256 root) internal pure returns (bytes32 leaf) {
        return keccak256(bytes.concat(keccak256(abi.encode(uint256(index), root))));
    }

    /// @dev Floyd: for j = W - s .. W - 1 take r uniform in [0, j]; r if new, else j. Every s-subset is
    /// equally likely; the O(s^2) membership scan is bounded by MAX_CHALLENGES_PER_WINDOW.
    function challengeOffsets(
        bytes32 seed,
        uint64 windowSteps,
        uint16 count
    ) internal pure returns (uint64[] memory offsets) {
        uint256 n = count > windowSteps ? windowSteps : count;
        offsets = new uint64[](n);
        for (uint256 i = 0; i < n; ++i) {
            uint256 j = windowSteps - n + i;
            uint64 pick = uint64(uint256(keccak256(abi.encode(seed, j))) % (j + 1));
            for (uint256 m = 0; m < i; ++m) {
                if (offsets[m] == pick) {
                    pick = uint64(j);
                    break;
                }
            }
            offsets[i] = pick;
        }
    }
}
