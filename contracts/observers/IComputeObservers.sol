// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IComputeObservers
/// @author Verifiable training registry
/// @notice Independent compute observers and their reports, reconciled with the compute labs accounted for in
/// the registry (issue #29). The policy role (the registry's PolicyTimelock) adds and retires observers and
/// sets the reconciliation policy; an observer signs a report (EIP-712, bound to this contract and chain) of the
/// FLOPs it saw a lab use in one period; anyone relays it; once the period and its grace have passed, anyone
/// reconciles it with the registry's ledger (IComputeLedger), and a figure above the tolerance is flagged
/// against the lab as UnaccountedCompute.
interface IComputeObservers {
    /// @notice What an observer reports: the FLOPs it saw a lab use in [periodStart, periodEnd), with the hash of
    /// its evidence (kept off-chain). The EIP-712 type ComputeReport.
    struct ComputeReport {
        /// The lab observed.
        address lab;
        /// First second of the period (a multiple of the policy's epoch).
        uint64 periodStart;
        /// First second after it (periodStart + the epoch).
        uint64 periodEnd;
        /// FLOPs the observer saw the lab use in the period.
        uint256 observedFlops;
        /// Hash of the observer's evidence (its format is the observer's kind's).
        bytes32 evidenceHash;
    }

    /// @notice How reports are checked (all public, set through the timelock).
    struct ReconciliationPolicy {
        /// Length of a report's period, in seconds: a positive multiple of the ledger's day.
        uint64 epochSeconds;
        /// Seconds after a period whose submissions still count for it: a multiple of the ledger's day.
        uint64 graceSeconds;
        /// Observed FLOPs may exceed accounted FLOPs x toleranceBps / 10,000 (at least 10,000: a factor >= 1) ...
        uint32 toleranceBps;
        /// ... plus this many FLOPs before a flag.
        uint128 allowanceFlops;
    }

    /// @notice A registered observer.
    struct Observer {
        /// Its name (e.g. "Example Cloud, region eu-1").
        string name;
        /// The kind of evidence it reports (e.g. "cloud provider", "power meter", "network monitor").
        string kind;
        /// Block time it was added (0: never).
        uint40 addedAt;
        /// Block time it was retired (0: active).
        uint40 retiredAt;
    }

    /// @notice Where a relayed report stands.
    enum ReportState {
        None,
        Relayed,
        Reconciled,
        Flagged
    }

    /// @notice A relayed report, as stored (its evidence hash and relayer are in ComputeReported).
    struct StoredReport {
        /// FLOPs observed.
        uint128 observedFlops;
        /// Block time it was relayed.
        uint40 relayedAt;
        /// Where it stands.
        ReportState state;
        /// First second after its period (the epoch it was relayed under; a later policy does not move it).
        uint64 periodEnd;
    }

    /// @notice The policy account is the zero address, or the registry is.
    error ZeroAddress();
    /// @notice A reconciliation policy out of bounds: epoch not a positive multiple of the day, grace not a
    /// multiple of it, epoch and grace longer than MAX_RECONCILED_DAYS days, or a tolerance below 10,000.
    /// @param policy The policy given.
    error InvalidReconciliationPolicy(ReconciliationPolicy policy);
    /// @notice An observer's signer is the zero address, or its name or kind is empty.
    /// @param signer The signer given.
    error InvalidObserver(address signer);
    /// @notice This signer was added before (observers are never replaced, nor re-added once retired).
    /// @param signer The signer.
    error ObserverAlreadyAdded(address signer);
    /// @notice No observer signs with this address (a forged or foreign signature recovers to such an address).
    /// @param signer The address the signature recovers to.
    error UnknownObserver(address signer);
    /// @notice The observer was retired: it reports nothing more, and its pending reports flag nothing.
    /// @param signer The observer.
    /// @param retiredAt Block time it was retired.
    error ObserverIsRetired(address signer, uint40 retiredAt);
    /// @notice The signature is not a valid ECDSA signature.
    error InvalidReportSignature();
    /// @notice The report names no lab.
    error ZeroLab();
    /// @notice The period is not one epoch starting at a multiple of the epoch.
    /// @param periodStart The period's start.
    /// @param periodEnd The period's end.
    /// @param epochSeconds The policy's epoch.
    error UnalignedPeriod(uint64 periodStart, uint64 periodEnd, uint64 epochSeconds);
    /// @notice The period has not ended yet (or lies in the future).
    /// @param periodEnd The period's end.
    /// @param nowSeconds The block time.
    error PeriodNotClosed(uint64 periodEnd, uint64 nowSeconds);
    /// @notice Observed FLOPs above 2^128 - 1.
    /// @param observedFlops The figure.
    error ObservedComputeTooLarge(uint256 observedFlops);
    /// @notice The observer reported this lab and period already (one report each).
    /// @param observer The observer.
    /// @param lab The lab.
    /// @param periodStart The period's start.
    error ReportAlreadyRelayed(address observer, address lab, uint64 periodStart);
    /// @notice No such report was relayed.
    /// @param observer The observer.
    /// @param lab The lab.
    /// @param periodStart The period's start.
    error UnknownReport(address observer, address lab, uint64 periodStart);
    /// @notice The report was reconciled already.
    /// @param observer The observer.
    /// @param lab The lab.
    /// @param periodStart The period's start.
    error ReportAlreadyReconciled(address observer, address lab, uint64 periodStart);
    /// @notice The grace after the period has not passed: the lab may still submit what it computed in it.
    /// @param reconcilableAt Block time from which it can be reconciled.
    error GraceNotOver(uint64 reconcilableAt);
    /// @notice The registry is paused: no report is relayed or reconciled.
    error RegistryPaused();

    /// @notice The policy role added an observer.
    /// @param signer Its signing address (its id).
    /// @param name Its name.
    /// @param kind The kind of evidence it reports.
    event ObserverAdded(address indexed signer, string name, string kind);
    /// @notice The policy role retired an observer.
    /// @param signer The observer.
    event ObserverRetired(address indexed signer);
    /// @notice The policy role set the reconciliation policy.
    /// @param policy The new policy.
    event ReconciliationPolicySet(ReconciliationPolicy policy);
    /// @notice A signed report was relayed.
    /// @param observer The observer who signed it.
    /// @param lab The lab.
    /// @param periodStart The period's start.
    /// @param periodEnd The period's end.
    /// @param observedFlops FLOPs observed.
    /// @param evidenceHash Hash of the observer's evidence.
    /// @param relayer Who relayed it.
    event ComputeReported(
        address indexed observer,
        address indexed lab,
        uint64 periodStart,
        uint64 periodEnd,
        uint256 observedFlops,
        bytes32 evidenceHash,
        address relayer
    );
    /// @notice A report was reconciled with the lab's accounted compute (flagged or not).
    /// @param observer The observer.
    /// @param lab The lab.
    /// @param periodStart The period's start.
    /// @param observedFlops FLOPs observed.
    /// @param accountedFlops FLOPs the lab accounted for in the period and its grace.
    /// @param allowedFlops accountedFlops x tolerance + allowance.
    /// @param flagged Whether observed exceeded allowed.
    /// @param reporter Who reconciled it.
    event ComputeReconciled(
        address indexed observer,
        address indexed lab,
        uint64 periodStart,
        uint256 observedFlops,
        uint256 accountedFlops,
        uint256 allowedFlops,
        bool flagged,
        address reporter
    );
    /// @notice The violation: an observer saw the lab use more compute than it accounted for, beyond tolerance.
    /// @param lab The lab flagged.
    /// @param observer The observer whose report exceeded.
    /// @param periodStart The period's start.
    /// @param periodEnd The period's end.
    /// @param observedFlops FLOPs observed.
    /// @param accountedFlops FLOPs accounted for in the period and its grace.
    /// @param reporter Who triggered the check.
    event UnaccountedComputeFlagged(
        address indexed lab,
        address indexed observer,
        uint64 periodStart,
        uint64 periodEnd,
        uint256 observedFlops,
        uint256 accountedFlops,
        address reporter
    );

    /// @notice Adds an observer. Policy role only.
    /// @param signer The address that signs its reports.
    /// @param name Its name.
    /// @param kind The kind of evidence it reports.
    function addObserver(address signer, string calldata name, string calldata kind) external;

    /// @notice Retires an observer for good. Policy role only.
    /// @param signer The observer.
    function retireObserver(address signer) external;

    /// @notice Sets the reconciliation policy (for reports relayed and reconciled from now on). Policy role only.
    /// @param policy The policy.
    function setReconciliationPolicy(ReconciliationPolicy calldata policy) external;

    /// @notice Relays an observer's signed report (anyone: observers need hold no ether). One per observer,
    /// lab and period; the period must be one epoch, aligned and over.
    /// @param report The report.
    /// @param signature The observer's EIP-712 signature of it (65 bytes).
    /// @return observer The observer who signed it.
    function submitReport(ComputeReport calldata report, bytes calldata signature) external returns (address observer);

    /// @notice Reconciles a relayed report with the registry's ledger (anyone, once, after the period's grace):
    /// flags UnaccountedCompute when observed > accounted x toleranceBps / 10,000 + allowanceFlops. The period is
    /// the report's; the grace, tolerance and allowance are the policy's in force now.
    /// @param observer The observer.
    /// @param lab The lab.
    /// @param periodStart The period's start.
    /// @return flagged Whether the lab was flagged.
    function reconcile(address observer, address lab, uint64 periodStart) external returns (bool flagged);

    /// @notice The registry whose ledger reports are reconciled with.
    /// @return registry Its address.
    function registry() external view returns (address registry);

    /// @notice The reconciliation policy.
    /// @return policy The policy.
    function reconciliationPolicy() external view returns (ReconciliationPolicy memory policy);

    /// @notice An observer (addedAt 0: none).
    /// @param signer Its signing address.
    /// @return observer The observer.
    function getObserver(address signer) external view returns (Observer memory observer);

    /// @notice A report as stored (state None: not relayed).
    /// @param observer The observer.
    /// @param lab The lab.
    /// @param periodStart The period's start.
    /// @return report The report.
    function getReport(
        address observer,
        address lab,
        uint64 periodStart
    ) external view returns (StoredReport memory report);

    /// @notice How often the lab was flagged for unaccounted compute.
    /// @param lab The lab.
    /// @return count Flags raised.
    function unaccountedComputeFlags(address lab) external view returns (uint256 count);

    /// @notice The EIP-712 digest an observer signs for a report (for signers that cannot build typed data).
    /// @param report The report.
    /// @return digest The digest.
    function reportDigest(ComputeReport calldata report) external view returns (bytes32 digest);

    /// @notice Most days (period and grace) one reconciliation reads from the ledger.
    /// @return count 8 (so that a reconciliation stays within 100,000 gas).
    function MAX_RECONCILED_DAYS() external view returns (uint64 count);
}
