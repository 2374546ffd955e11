// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ISampledMode} from "../../../contracts/sampled/ISampledMode.sol";
import {ITrainingRegistry} from "../../../contracts/registry/ITrainingRegistry.sol";
import {IRegistry} from "../../../contracts/registry/IRegistry.sol";
import {MockProofVerifier} from "./MockProofVerifier.sol";

/// @notice Sampled-mode test helpers. A window's roots tree built independently of the registry's verifier (IRegistry's
/// layout: positional, zero padding to 2^D leaves, node = keccak256(left || right)), with every path.
library RootsTree {
    /// @notice The tree of leaves (i, r(i)) for i = first + 1 .. first + k, and each position's path.
    function build(
        IRegistry registry,
        uint64 first,
        uint64 k,
        function(uint64) pure returns (uint256) r
    ) internal pure returns (bytes32 root, bytes32[][] memory paths) {
        uint256 depth = 0;
        while ((uint256(1) << depth) < k) ++depth;
        bytes32[] memory level = new bytes32[](uint256(1) << depth);
        for (uint64 p = 0; p < k; ++p) level[p] = _leaf(registry, first + 1 + p, r(first + 1 + p));
        paths = new bytes32[][](k);
        for (uint64 p = 0; p < k; ++p) paths[p] = new bytes32[](depth);
        for (uint256 d = 0; d < depth; ++d) {
            for (uint64 p = 0; p < k; ++p) paths[p][d] = level[(p >> d) ^ 1];
            bytes32[] memory up = new bytes32[](level.length / 2);
            for (uint256 j = 0; j < up.length; ++j) up[j] = keccak256(abi.encodePacked(level[2 * j], level[2 * j + 1]));
            level = up;
        }
        root = level[0];
    }

    /// @notice The root a leaf at `position` and its path lead to.
    function open(bytes32 leaf, uint64 position, bytes32[] memory path) internal pure returns (bytes32 node) {
        node = leaf;
        for (uint256 d = 0; d < path.length; ++d) {
            node =
                (position >> d) & 1 == 0
                    ? keccak256(abi.encodePacked(node, path[d]))
                    : keccak256(abi.encodePacked(path[d], node));
        }
    }

    /// @notice The mock step proof of an answer: bound to the run's tag, one step's FLOPs, its beacon and the claim.
    function mockStepProof(
        IRegistry registry,
        MockProofVerifier stepVerifier,
        uint256 runId,
        ISampledMode.ChallengeAnswer memory a
    ) internal view returns (uint256[8] memory) {
        ITrainingRegistry.Run memory run = registry.getRun(runId);
        return
            stepVerifier.proofFor(
                registry.families().checkpointPublicInputs(
                    run.runTag,
                    run.flopsPerStep,
                    run.beacon,
                    ITrainingRegistry.CheckpointClaim(a.step, a.rootBefore, a.rootAfter, a.accumulator)
                )
            );
    }

    /// @dev The leaf, computed here (not by the registry): keccak256(bytes.concat(keccak256(abi.encode(i, r)))).
    function _leaf(IRegistry, uint64 index, uint256 root) private pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(uint256(index), root))));
    }
}
