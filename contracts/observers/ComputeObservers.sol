// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {IRegistry} from "../registry/IRegistry.sol";
import {RunRules} from "../registry/RunRules.sol";
import {IComputeObservers} from "./IComputeObservers.sol";

/// @title ComputeObservers
/// @author Verifiable training registry
/// @notice Observers, their signed compute reports and the reconciliation of each with the compute a lab
/// accounted for in the registry (issue #29), beside the registry as the CircuitFamilies table is. The policy
/// role (the registry's PolicyTimelock) adds and retires observers and sets the policy; anyone relays a report
/// and anyone reconciles it. Reports are EIP-712 typed data under this contract's domain (its name, version 1,
/// the chain id and this address): a report signed for another chain or another deployment recovers to
/// another address and is refused as from an unknown observer.
contract ComputeObservers is IComputeObservers, AccessControl, EIP712 {
    /// @notice Adds and retires observers and sets the policy; administers itself.
    bytes32 public constant POLICY_ROLE = keccak256("POLICY_ROLE");
    /// @inheritdoc IComputeObservers
    uint64 public constant override MAX_RECONCILED_DAYS = 8;
    /// @dev The EIP-712 type of a report.
    bytes32 private constant _REPORT_TYPEHASH = keccak256(
        "ComputeReport(address lab,uint64 periodStart,uint64 periodEnd,uint256 observedFlops,bytes32 evidenceHash)"
    );
    uint256 private constant _BPS = 10_000;

    IRegistry private immutable _REGISTRY;
    /// @dev The registry ledger's day.
    uint64 private constant _DAY = RunRules.ACCOUNTING_DAY;

    ReconciliationPolicy private _policy;
    mapping(address signer => Observer observer) private _observers;
    mapping(address observer => mapping(address lab => mapping(uint64 periodStart => StoredReport report)))
        private _reports;
    mapping(address lab => uint256 count) private _flags;

    /// @notice Deploys the observers' table for a registry.
    /// @param policy Adds and retires observers and sets the policy (the registry's timelock in production).
    /// @param registry_ The registry whose compute ledger reports are reconciled with.
    /// @param initialPolicy The reconciliation policy to start with.
    constructor(
        address policy,
        IRegistry registry_,
        ReconciliationPolicy memory initialPolicy
    ) EIP712("ComputeObservers", "1") {
        if (policy == address(0) || address(registry_) == address(0)) revert ZeroAddress();
        _REGISTRY = registry_;
        _setRoleAdmin(POLICY_ROLE, POLICY_ROLE);
        _grantRole(POLICY_ROLE, policy);
        _setPolicy(initialPolicy);
    }

    // ----------------------------------------------------------------- policy

    /// @inheritdoc IComputeObservers
    function addObserver(address signer, string calldata name, string calldata kind) external onlyRole(POLICY_ROLE) {
        if (signer == address(0) || bytes(name).length == 0 || bytes(kind).length == 0) revert InvalidObserver(signer);
        if (_observers[signer].addedAt != 0) revert ObserverAlreadyAdded(signer);
        _observers[signer] = Observer({name: name, kind: kind, addedAt: uint40(block.timestamp), retiredAt: 0});
        emit ObserverAdded(signer, name, kind);
    }

    /// @inheritdoc IComputeObservers
    function retireObserver(address signer) external onlyRole(POLICY_ROLE) {
        Observer storage o = _observers[signer];
        if (o.addedAt == 0) revert UnknownObserver(signer);
        if (o.retiredAt != 0) revert ObserverIsRetired(signer, o.retiredAt);
        o.retiredAt = uint40(block.timestamp);
        emit ObserverRetired(signer);
    }

    /// @inheritdoc IComputeObservers
    function setReconciliationPolicy(ReconciliationPolicy calldata policy) external onlyRole(POLICY_ROLE) {
        _setPolicy(policy);
    }

    // ----------------------------------------------------------------- reports

    /// @inheritdoc IComputeObservers
    function submitReport(ComputeReport calldata report, bytes calldata signature) external returns (address observer) {
        _requireUnpaused();
        (address signer, ECDSA.RecoverError err, ) = ECDSA.tryRecover(reportDigest(report), signature);
        if (err != ECDSA.RecoverError.NoError) revert InvalidReportSignature();
        _activeObserver(signer);
        if (report.lab == address(0)) revert ZeroLab();
        uint64 epoch = _policy.epochSeconds;
        if (
            report.periodEnd <= report.periodStart ||
            report.periodStart % epoch != 0 ||
            report.periodEnd - report.periodStart != epoch
        ) {
            revert UnalignedPeriod(report.periodStart, report.periodEnd, epoch);
        }
        if (report.periodEnd > block.timestamp) revert PeriodNotClosed(report.periodEnd, uint64(block.timestamp));
        if (report.observedFlops > type(uint128).max) revert ObservedComputeTooLarge(report.observedFlops);
        StoredReport storage stored = _reports[signer][report.lab][report.periodStart];
        if (stored.state != ReportState.None) revert ReportAlreadyRelayed(signer, report.lab, report.periodStart);
        stored.observedFlops = uint128(report.observedFlops);
        stored.relayedAt = uint40(block.timestamp);
        stored.state = ReportState.Relayed;
        stored.periodEnd = report.periodEnd;
        emit ComputeReported(
            signer,
            report.lab,
            report.periodStart,
            report.periodEnd,
            report.observedFlops,
            report.evidenceHash,
            msg.sender
        );
        return signer;
    }

    /// @inheritdoc IComputeObservers
    function reconcile(address observer, address lab, uint64 periodStart) external returns (bool flagged) {
        _requireUnpaused();
        StoredReport storage stored = _reports[observer][lab][periodStart];
        if (stored.state == ReportState.None) revert UnknownReport(observer, lab, periodStart);
        if (stored.state != ReportState.Relayed) revert ReportAlreadyReconciled(observer, lab, periodStart);
        _activeObserver(observer);
        ReconciliationPolicy memory p = _policy;
        uint64 periodEnd = stored.periodEnd;
        uint64 reconcilableAt = periodEnd + p.graceSeconds;
        if (block.timestamp < reconcilableAt) revert GraceNotOver(reconcilableAt);
        uint256 accounted = _REGISTRY.accountedCompute(lab, periodStart / _DAY, reconcilableAt / _DAY);
        uint256 allowed = (accounted * p.toleranceBps) / _BPS + p.allowanceFlops;
        uint256 observed = stored.observedFlops;
        flagged = observed > allowed;
        stored.state = flagged ? ReportState.Flagged : ReportState.Reconciled;
        emit ComputeReconciled(observer, lab, periodStart, observed, accounted, allowed, flagged, msg.sender);
        if (flagged) {
            ++_flags[lab];
            emit UnaccountedComputeFlagged(lab, observer, periodStart, periodEnd, observed, accounted, msg.sender);
        }
    }

    // ----------------------------------------------------------------- views

    /// @inheritdoc IComputeObservers
    function registry() external view returns (address) {
        return address(_REGISTRY);
    }

    /// @inheritdoc IComputeObservers
    function reconciliationPolicy() external view returns (ReconciliationPolicy memory policy) {
        return _policy;
    }

    /// @inheritdoc IComputeObservers
    function getObserver(address signer) external view returns (Observer memory observer) {
        return _observers[signer];
    }

    /// @inheritdoc IComputeObservers
    function getReport(
        address observer,
        address lab,
        uint64 periodStart
    ) external view returns (StoredReport memory report) {
        return _reports[observer][lab][periodStart];
    }

    /// @inheritdoc IComputeObservers
    function unaccountedComputeFlags(address lab) external view returns (uint256 count) {
        return _flags[lab];
    }

    /// @inheritdoc IComputeObservers
    function reportDigest(ComputeReport calldata report) public view returns (bytes32 digest) {
        return
            _hashTypedDataV4(
                keccak256(
                    abi.encode(
                        _REPORT_TYPEHASH,
                        report.lab,
                        report.periodStart,
                        report.periodEnd,
                        report.observedFlops,
                        report.evidenceHash
                    )
                )
            );
    }

    // ----------------------------------------------------------------- internals

    function _setPolicy(ReconciliationPolicy memory p) private {
        uint64 day = _DAY;
        if (
            p.epochSeconds == 0 ||
            p.epochSeconds % day != 0 ||
            p.graceSeconds % day != 0 ||
            (uint256(p.epochSeconds) + p.graceSeconds) / day > MAX_RECONCILED_DAYS ||
            p.toleranceBps < _BPS
        ) revert InvalidReconciliationPolicy(p);
        _policy = p;
        emit ReconciliationPolicySet(p);
    }

    function _activeObserver(address signer) private view {
        Observer storage o = _observers[signer];
        if (o.addedAt == 0) revert UnknownObserver(signer);
        if (o.retiredAt != 0) revert ObserverIsRetired(signer, o.retiredAt);
    }

    function _requireUnpaused() private view {
        if (_REGISTRY.paused()) revert RegistryPaused();
    }
}
