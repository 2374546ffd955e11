// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ICircuitFamilies} from "../families/ICircuitFamilies.sol";
import {PublicSignals} from "../families/PublicSignals.sol";
import {IProofVerifier} from "../verifiers/IProofVerifier.sol";
import {ITrainingRegistry} from "./ITrainingRegistry.sol";
import {RegistryStorage} from "./RegistryStorage.sol";

/// @title RunRules
/// @author Verifiable training registry
/// @notice The rules of a run that full mode (TrainingRegistry) and sampled mode (SampledMode, run
/// through delegatecall) share: registration, deadlines, advancing a run, the attestations as running
/// invariants, designation. Internal only: compiled into each of the two.
library RunRules {
    /// @dev Blocks between an event and the block whose hash draws its randomness (beacons, challenges).
    uint64 internal constant DRAW_DELAY_BLOCKS = 2;
    /// @dev blockhash(n) is available for the 256 most recent blocks only.
    uint256 internal constant BLOCKHASH_HORIZON = 256;
    /// @dev Most checkpoints one submitCheckpoints call accepts (ITrainingRegistry.MAX_CHECKPOINT_BATCH).
    uint256 internal constant MAX_CHECKPOINT_BATCH = 32;
    /// @dev The compute ledger's day (IComputeLedger: UTC days).
    uint64 internal constant ACCOUNTING_DAY = 1 days;

    /// @dev A family that accepts new runs, read from the families contract (UnknownFamily bubbles up).
    function family(bytes32 familyId) internal view returns (ICircuitFamilies.CircuitFamily memory record) {
        record = ICircuitFamilies(RegistryStorage.layout().families).getFamily(familyId);
        if (record.deprecated) revert ITrainingRegistry.FamilyIsDeprecated(familyId);
    }

    /// @dev The status readers see: an active run that reached its planned steps is Completed.
    function status(RegistryStorage.RunState storage run) internal view returns (ITrainingRegistry.RunStatus s) {
        s = run.status;
        if (s == ITrainingRegistry.RunStatus.Active && run.steps >= run.plannedSteps) {
            s = ITrainingRegistry.RunStatus.Completed;
        }
    }

    function knownRun(
        RegistryStorage.Layout storage $,
        uint256 runId
    ) internal view returns (RegistryStorage.RunState storage run) {
        run = $.runs[runId];
        if (run.status == ITrainingRegistry.RunStatus.None) revert ITrainingRegistry.UnknownRun(runId);
    }

    function activeRun(
        RegistryStorage.Layout storage $,
        uint256 runId
    ) internal view returns (RegistryStorage.RunState storage run) {
        run = $.runs[runId];
        ITrainingRegistry.RunStatus s = status(run);
        if (s == ITrainingRegistry.RunStatus.None) revert ITrainingRegistry.UnknownRun(runId);
        if (s != ITrainingRegistry.RunStatus.Active) revert ITrainingRegistry.RunNotActive(runId, s);
    }

    /// @dev The run's beacon, which must be drawn before any proof (checkpoint or answer) is accepted.
    function drawnBeacon(uint256 runId, RegistryStorage.RunState storage run) internal view returns (uint64 beacon) {
        beacon = run.beacon;
        if (beacon == 0) revert ITrainingRegistry.BeaconNotDrawn(runId, run.beaconBlock);
    }

    /// @dev Flags, in one event recorded as the caller's, every window missed since the last checkpoint
    /// that nobody flagged yet; resets the window count for the next period. A clean submission (no
    /// window missed) reads and writes nothing here but the clock.
    function flagMissedWindows(
        RegistryStorage.Layout storage $,
        uint256 runId,
        RegistryStorage.RunState storage run,
        uint64 steps
    ) internal {
        uint64 elapsed = RegistryStorage.clock($) - run.lastCheckpointActive;
        uint64 period = run.deadlineSeconds;
        if (elapsed <= period) return;
        uint64 missed = (elapsed - 1) / period;
        uint64 flagged = run.flaggedWindows;
        run.flaggedWindows = 0;
        if (missed > flagged) {
            RegistryStorage.flag(
                runId,
                run,
                ITrainingRegistry.ViolationKind.CheckpointDeadlineMissed,
                steps,
                elapsed,
                uint256(missed) * period,
                missed - flagged
            );
        }
    }

    /// @dev Checks the spec and the plan, verifies the genesis proof, writes the run and emits
    /// RunRegistered and GenesisVerified; the caller sets the mode and checks the plan.
    // solhint-disable-next-line function-max-lines
    function registerRun(
        bytes32 familyId,
        ICircuitFamilies.CircuitFamily memory familyRecord,
        IProofVerifier proofVerifier,
        uint32 period,
        uint256 specCommitment,
        ITrainingRegistry.Attestations calldata attestations,
        ITrainingRegistry.GenesisFacts calldata facts,
        uint256[8] calldata proof
    ) internal returns (uint256 runId, RegistryStorage.RunState storage run) {
        // Check.
        RegistryStorage.Layout storage $ = RegistryStorage.layout();
        uint256 existing = $.runOfSpec[msg.sender][specCommitment];
        if (existing != 0) revert ITrainingRegistry.SpecAlreadyRegistered(specCommitment, existing);
        if (attestations.checkpointDeadline == 0) revert ITrainingRegistry.ZeroCheckpointDeadline();
        if (facts.plannedSteps == 0 || facts.plannedSteps > type(uint32).max || facts.plannedSteps % period != 0) {
            revert ITrainingRegistry.InvalidPlan(facts.plannedSteps, period);
        }
        // Verify.
        uint256[] memory inputs = PublicSignals.genesis(
            specCommitment,
            msg.sender,
            facts.runTag,
            facts.root0,
            facts.paramCount,
            facts.flopsPerStep,
            facts.plannedSteps,
            familyRecord.stepsPerCheckpoint
        );
        if (!familyRecord.genesisVerifier.verify(proof, inputs))
            revert ITrainingRegistry.InvalidGenesisProof(specCommitment, msg.sender);
        // Write.
        runId = ++$.runCount;
        $.runOfSpec[msg.sender][specCommitment] = runId;
        run = $.runs[runId];
        run.lab = msg.sender;
        run.status = ITrainingRegistry.RunStatus.Active;
        run.proofVerifier = proofVerifier;
        run.stepsPerCheckpoint = uint16(period);
        run.flopsPerStep = facts.flopsPerStep;
        run.plannedSteps = uint32(facts.plannedSteps);
        run.runTag = facts.runTag;
        run.paramCount = facts.paramCount;
        run.attestations = attestations;
        run.deadlineSeconds = uint40(_min(attestations.checkpointDeadline, type(uint40).max));
        uint256 capSteps = facts.flopsPerStep == 0 ? type(uint256).max : attestations.flopsCap / facts.flopsPerStep;
        run.withinSteps = uint32(_min(_min(capSteps, attestations.maxSteps), type(uint32).max));
        run.root = facts.root0;
        run.lastCheckpointAt = uint40(block.timestamp);
        run.lastCheckpointActive = uint40(RegistryStorage.clock($));
        run.registeredAt = uint40(block.timestamp);
        run.beaconBlock = uint40(block.number + DRAW_DELAY_BLOCKS);
        run.familyId = familyId;
        run.specCommitment = specCommitment;
        run.root0 = facts.root0;
        // Emit.
        emit ITrainingRegistry.RunRegistered(runId, msg.sender, familyId, specCommitment, facts.runTag, attestations);
        emit ITrainingRegistry.GenesisVerified(
            runId,
            facts.root0,
            facts.paramCount,
            facts.flopsPerStep,
            facts.plannedSteps
        );
    }

    /// @dev The plan itself against the attestations and the designation threshold, at registration.
    function checkPlan(
        uint256 runId,
        RegistryStorage.RunState storage run,
        ITrainingRegistry.Attestations calldata attestations,
        ITrainingRegistry.GenesisFacts calldata facts
    ) internal {
        uint256 plannedFlops = uint256(facts.plannedSteps) * facts.flopsPerStep;
        project(runId, run, plannedFlops, RegistryStorage.layout().designationThreshold);
        if (plannedFlops > attestations.flopsCap) {
            RegistryStorage.flag(
                runId,
                run,
                ITrainingRegistry.ViolationKind.PlannedComputeAboveCap,
                0,
                plannedFlops,
                attestations.flopsCap,
                1
            );
        }
        if (facts.plannedSteps > attestations.maxSteps) {
            RegistryStorage.flag(
                runId,
                run,
                ITrainingRegistry.ViolationKind.PlannedStepsAboveLimit,
                0,
                facts.plannedSteps,
                attestations.maxSteps,
                1
            );
        }
    }

    /// @dev Records and announces that the plan will cross the threshold, unless it is recorded already
    /// or the threshold is unset or not exceeded. Returns whether it recorded it.
    function project(
        uint256 runId,
        RegistryStorage.RunState storage run,
        uint256 plannedFlops,
        uint256 threshold
    ) internal returns (bool recorded) {
        if (threshold == 0 || plannedFlops <= threshold || run.projectedToCross) return false;
        run.projectedToCross = true;
        emit ITrainingRegistry.RunProjectedToCrossThreshold(runId, run.lab, plannedFlops, threshold);
        return true;
    }

    /// @dev Designates the run if its compute is above the threshold and it is not designated yet.
    function designate(
        uint256 runId,
        RegistryStorage.RunState storage run,
        uint256 cumulative,
        uint256 threshold,
        uint64 steps
    ) internal returns (bool designated) {
        // The threshold first: a run below it never reads its designation slot.
        if (threshold == 0 || cumulative <= threshold || run.designatedAt != 0) return false;
        run.designatedAt = uint40(block.timestamp);
        emit ITrainingRegistry.RunDesignated(runId, run.lab, cumulative, threshold, steps);
        return true;
    }

    /// @dev Writes an accepted checkpoint or committed window: root, steps and times in one slot, and its
    /// FLOPs in its lab's compute ledger for today (issue #29: one more slot).
    function advance(
        RegistryStorage.Layout storage $,
        RegistryStorage.RunState storage run,
        uint64 newSteps,
        uint256 rootAfter
    ) internal returns (uint96 cumulative) {
        uint64 flopsPerStep = run.flopsPerStep;
        cumulative = uint96(newSteps) * flopsPerStep;
        $.accounted[run.lab][uint64(block.timestamp / ACCOUNTING_DAY)] += uint96(newSteps - run.steps) * flopsPerStep;
        run.root = rootAfter;
        run.steps = uint32(newSteps);
        run.lastCheckpointAt = uint40(block.timestamp);
        run.lastCheckpointActive = uint40(RegistryStorage.clock($));
    }

    /// @dev Accepts a verified checkpoint of full mode (alone or in a batch): writes it, emits
    /// CheckpointAccepted, then checks the attestations and the threshold.
    function acceptCheckpoint(
        RegistryStorage.Layout storage $,
        uint256 runId,
        RegistryStorage.RunState storage run,
        uint64 firstStep,
        uint96 flops,
        ITrainingRegistry.CheckpointClaim calldata claim
    ) internal {
        uint64 newSteps = firstStep + run.stepsPerCheckpoint;
        uint96 cumulative = advance($, run, newSteps, claim.rootAfter);
        emit ITrainingRegistry.CheckpointAccepted(
            runId,
            msg.sender,
            firstStep,
            newSteps,
            claim.rootAfter,
            flops,
            cumulative,
            claim.accumulator
        );
        checkAttestations($, runId, run, newSteps, cumulative);
    }

    /// @dev Cumulative (proven or committed) FLOPs: every step the run advanced counted flopsPerStep.
    function cumulativeFlops(RegistryStorage.RunState storage run) internal view returns (uint96) {
        return uint96(run.steps) * run.flopsPerStep;
    }

    /// @dev The attestations as running invariants, and the designation threshold, after a checkpoint.
    function checkAttestations(
        RegistryStorage.Layout storage $,
        uint256 runId,
        RegistryStorage.RunState storage run,
        uint64 steps,
        uint96 cumulative
    ) internal {
        // steps x flopsPerStep > cap exactly when steps > cap / flopsPerStep (integers): one comparison with
        // the bound cached at registration; only a breach reads the attestations, for the events.
        if (steps > run.withinSteps) {
            ITrainingRegistry.Attestations memory a = run.attestations;
            if (cumulative > a.flopsCap) {
                RegistryStorage.flag(
                    runId,
                    run,
                    ITrainingRegistry.ViolationKind.ComputeCapExceeded,
                    steps,
                    cumulative,
                    a.flopsCap,
                    1
                );
            }
            if (steps > a.maxSteps) {
                RegistryStorage.flag(
                    runId,
                    run,
                    ITrainingRegistry.ViolationKind.StepLimitExceeded,
                    steps,
                    steps,
                    a.maxSteps,
                    1
                );
            }
        }
        designate(runId, run, cumulative, $.designationThreshold, steps);
    }

    function _min(uint256 a, uint256 b) private pure returns (uint256) {
        return a < b ? a : b;
    }
}
