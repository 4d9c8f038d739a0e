"""What the core derives from a change: its impact, the requirements policies put on it,
the findings, and the `Decision` reporters render."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from changegate.model.gate import DepMap, Severity
from changegate.model.schedule import ScheduleStatus

__all__ = [
    "AffectedValueStream",
    "ChangeInfo",
    "Decision",
    "Finding",
    "Impact",
    "ImpactedComponent",
    "PolicyResult",
    "Requirement",
    "RequirementKind",
    "ReviewOutcome",
    "ReviewReason",
    "Risk",
    "Status",
    "WaiverUse",
]

Status = Literal["satisfied", "missing", "failed", "waived"]
RequirementKind = Literal["manifest", "field", "owner", "approval", "test", "deny"]
# Why a review did not count (or, for `veto`, why it blocks); see docs/formats.md.
ReviewReason = Literal["stale", "no-commit", "short-sha", "author", "committer", "not-member",
                       "withdrawn", "dismissed", "veto"]


# --------------------------------------------------------------------------- impact


@dataclass(frozen=True)
class ImpactedComponent:
    id: str
    via: tuple[str, ...]  # touched component first, this component last
    touched: bool
    depth: int  # component hops from a touched component


@dataclass(frozen=True)
class AffectedValueStream:
    id: str
    criticality: str
    owners: tuple[str, ...]
    via: tuple[str, ...]  # the carrying component's via, then this value stream's id


@dataclass(frozen=True)
class Risk:
    computed: str
    declared: str | None
    level: str  # the effective level: max(computed, declared); what policies match on
    factors: tuple[str, ...]


@dataclass(frozen=True)
class Finding:
    level: Literal["error", "warning", "notice"]
    code: str
    message: str
    file: str | None = None
    line: int = 0


@dataclass(frozen=True)
class Impact:
    touched_components: tuple[str, ...]
    changed_interfaces: tuple[str, ...]
    impacted_components: tuple[ImpactedComponent, ...]  # touched ones included, via=(id,)
    value_streams: tuple[AffectedValueStream, ...]
    unmapped_files: tuple[str, ...]
    risk: Risk
    findings: tuple[Finding, ...] = ()
    # file -> components whose paths matched it (for explanations)
    file_owners: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def impacted_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.impacted_components)


# --------------------------------------------------------------------------- decision


@dataclass(frozen=True)
class WaiverUse:
    reason: str
    expires: str  # ISO date


@dataclass(frozen=True)
class Requirement:
    kind: RequirementKind
    target: str
    policy: str
    layer: str
    severity: Severity
    status: Status
    detail: str
    fix: str
    count: int = 1  # approvals needed (approval kind)
    approvers: tuple[str, ...] = ()  # who approved (approval kind)
    eligible: tuple[str, ...] = ()  # who could approve (approval kind)
    also_required_by: tuple[str, ...] = ()  # other policies that asked for the same thing
    waiver: WaiverUse | None = None
    vetoed_by: tuple[str, ...] = ()  # members whose change request blocks it (changes_requested_blocks)


@dataclass(frozen=True)
class ReviewOutcome:
    """A review that did not count, and why (or a veto, which blocks)."""

    user: str
    state: str
    commit: str | None
    reason: ReviewReason
    detail: str
    made_stale_by: tuple[str, ...] = ()  # stale: the commits (full shas) that made it stale
    requirements: tuple[str, ...] = ()  # the requirement targets it concerns; () = every one


@dataclass(frozen=True)
class PolicyResult:
    id: str
    layer: str
    matched: bool
    severity: Severity
    description: str = ""
    reason: str = ""  # why it matched or not, e.g. "value_streams: finance-settlement affected"
    waived: bool = False


@dataclass(frozen=True)
class ChangeInfo:
    file: str | None
    title: str | None
    type: str | None
    owner: str | None = None
    summary: str | None = None


@dataclass(frozen=True)
class Decision:
    """The only bridge between evaluation and output: reporters render it and the command
    derives its exit code from it."""

    decision: Literal["pass", "fail"]
    change: ChangeInfo
    base: str | None
    head: str | None
    files: int
    impact: Impact
    policies: tuple[PolicyResult, ...]
    requirements: tuple[Requirement, ...]
    findings: tuple[Finding, ...]
    depmap: DepMap  # for reporters: names, owners, consulted/informed
    schedule: ScheduleStatus | None = None  # SPEC §10: only when a policy has match.during
    reviews: tuple[ReviewOutcome, ...] = ()  # reviews that did not count, and vetoes
