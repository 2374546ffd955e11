// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IComputeLedger
/// @author Verifiable training registry
/// @notice The compute each lab accounted for, per UTC day (issue #29), answered at the registry's address
/// (the SampledMode module reads it through the registry's fallback): every accepted checkpoint (full mode)
/// and committed window (sampled mode) adds its steps x flopsPerStep to its lab's total for the UTC day of its
/// block (day d: block times from d x 86,400 on). Observers' reports are reconciled against it (IComputeObservers).
interface IComputeLedger {
    /// @notice FLOPs the lab accounted for in the days [fromDay, toDay) (day d: block times from
    /// d x 86,400 on); an empty range (toDay <= fromDay) sums nothing.
    /// @param lab The lab.
    /// @param fromDay The first day.
    /// @param toDay The day after the last one.
    /// @return flops Checkpoints' and committed windows' FLOPs recorded in those days.
    function accountedCompute(address lab, uint64 fromDay, uint64 toDay) external view returns (uint256 flops);
}
