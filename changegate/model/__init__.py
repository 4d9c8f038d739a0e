"""The data every stage shares: loaded inputs, impact, evidence and the decision.

Everything here is plain data (frozen where practical). Loaders build these from files,
the pure core (`impact`, `policy`, `decide`) turns them into a `Decision`, and reporters
render that `Decision`. Nothing in this module does I/O.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any, Literal

RISK_LEVELS: tuple[str, ...] = ("low", "medium", "high", "critical")
CHANGE_TYPES: tuple[str, ...] = ("standard", "normal", "emergency")
DEFAULT_LAYERS: tuple[str, ...] = ("org", "value-stream", "component", "change")
#: How `changegate new` marks a value still to be written; a required field that still
#: starts with it is not filled in.
PLACEHOLDER_PREFIX = "TODO:"

Severity = Literal["error", "warning"]
Status = Literal["satisfied", "missing", "failed", "waived"]


def risk_index(level: str) -> int:
    """Position of a risk/criticality level in RISK_LEVELS (low=0 … critical=3)."""
    return RISK_LEVELS.index(level)


@dataclass(frozen=True)
class Location:
    """Where a value came from: a file and a 1-based line (0 when unknown)."""

    file: str
    line: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


# --------------------------------------------------------------------------- config


@dataclass(frozen=True)
class ImpactSettings:
    mode: Literal["conservative", "contract"] = "conservative"
    max_depth: int | None = None


@dataclass(frozen=True)
class ApprovalSettings:
    allow_stale: bool = False
    exclude_committers: bool = True


@dataclass(frozen=True)
class Config:
    """`.changegate/config.yaml` with every default filled in. Paths are as written
    (relative to the repository root)."""

    version: int = 1
    map: tuple[str, ...] = (".changegate/map.yaml",)
    policies: tuple[str, ...] = ("builtin:baseline", ".changegate/policies")
    changes: str = ".changegate/changes"
    junit: tuple[str, ...] = ()
    layers: tuple[str, ...] = DEFAULT_LAYERS
    impact: ImpactSettings = field(default_factory=ImpactSettings)
    unmapped_files: Literal["ignore", "warn", "error"] = "warn"
    approvals: ApprovalSettings = field(default_factory=ApprovalSettings)
    file: str | None = None  # where it was loaded from; None = all defaults

    def is_manifest_path(self, path: str) -> bool:
        """True for a change manifest: a *.yaml/*.yml file directly in the `changes` directory."""
        prefix = self.changes.strip("/").removeprefix("./") + "/"
        name = path.removeprefix("./")
        return (name.startswith(prefix) and name.endswith((".yaml", ".yml"))
                and "/" not in name[len(prefix):])


# --------------------------------------------------------------------------- map


@dataclass(frozen=True)
class Team:
    id: str
    members: tuple[str, ...]  # GitHub logins, lower-cased
    name: str | None = None
    github_team: str | None = None  # "org/slug"
    loc: Location | None = None


@dataclass(frozen=True)
class ValueStream:
    id: str
    owners: tuple[str, ...]  # team ids (accountable)
    criticality: str  # one of RISK_LEVELS
    name: str | None = None
    consulted: tuple[str, ...] = ()
    informed: tuple[str, ...] = ()
    loc: Location | None = None


@dataclass(frozen=True)
class Component:
    id: str
    owners: tuple[str, ...]  # team ids
    paths: tuple[str, ...]  # gitwildmatch patterns, "!x" negates
    name: str | None = None
    value_streams: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()
    provides: tuple[str, ...] = ()
    consumes: tuple[str, ...] = ()
    tests: tuple[str, ...] = ()
    contract_tests: tuple[str, ...] = ()
    loc: Location | None = None


@dataclass(frozen=True)
class Interface:
    id: str
    paths: tuple[str, ...]
    name: str | None = None
    provider: str = ""  # the one component that provides it (filled by the loader)
    loc: Location | None = None


@dataclass(frozen=True)
class DepMap:
    """The validated dependency map; every reference in it resolves."""

    teams: dict[str, Team]
    value_streams: dict[str, ValueStream]
    components: dict[str, Component]
    interfaces: dict[str, Interface]
    files: tuple[str, ...] = ()


# --------------------------------------------------------------------------- manifest


@dataclass(frozen=True)
class Waiver:
    policy: str
    reason: str
    expires: _dt.date
    loc: Location | None = None


@dataclass(frozen=True)
class Manifest:
    """A change manifest. `data` is the raw mapping (for `fields` checks and CEL);
    `lines` maps dotted key paths ("rollback.plan", "risk") to 1-based lines."""

    file: str
    title: str
    type: str
    owner: str  # team id or "@login"
    data: dict[str, Any]
    components: tuple[str, ...] = ()
    interfaces_changed: tuple[str, ...] = ()
    breaking: bool = False
    risk: str | None = None
    tests: tuple[str, ...] = ()
    waivers: tuple[Waiver, ...] = ()
    lines: dict[str, int] = field(default_factory=dict)

    def line_of(self, key: str) -> int:
        return self.lines.get(key, 0)


# --------------------------------------------------------------------------- policies


@dataclass(frozen=True)
class Match:
    """Every key given must hold; None means "not given"."""

    value_streams: tuple[str, ...] | None = None
    touched_components: bool | tuple[str, ...] | None = None  # true: any component touched
    impacted_components: tuple[str, ...] | None = None
    change_types: tuple[str, ...] | None = None
    risk_at_least: str | None = None
    paths: tuple[str, ...] | None = None
    breaking: bool | None = None
    interfaces_changed: bool | tuple[str, ...] | None = None
    when: str | None = None
    when_line: int = 0  # line and key path of `when` in the policy file, for CEL messages
    when_key: str = "when"


@dataclass(frozen=True)
class ApprovalRule:
    """Either `team` (with `count`) or `owners_of` (value_streams | touched_components |
    impacted_components)."""

    team: str | None = None
    count: int = 1
    owners_of: str | None = None


@dataclass(frozen=True)
class TestRule:
    """Either a `suite` name or `from_` (touched_components | impacted_consumers)."""

    __test__ = False  # not a pytest test class, despite the name

    suite: str | None = None
    from_: str | None = None


@dataclass(frozen=True)
class Require:
    manifest: bool = False
    fields: tuple[str, ...] = ()
    owners: bool = False
    approvals: tuple[ApprovalRule, ...] = ()
    tests: tuple[TestRule, ...] = ()

    def is_empty(self) -> bool:
        return not (self.manifest or self.fields or self.owners or self.approvals or self.tests)


@dataclass(frozen=True)
class Policy:
    id: str
    layer: str
    description: str = ""
    severity: Severity = "error"
    final: bool = False
    waivable_by: tuple[str, ...] = ()
    match: Match = field(default_factory=Match)
    require: Require = field(default_factory=Require)
    deny: str | None = None
    loc: Location | None = None  # file and line of the policy's `id`


# --------------------------------------------------------------------------- evidence


@dataclass(frozen=True)
class Review:
    user: str  # lower-cased login
    state: str  # APPROVED | CHANGES_REQUESTED | COMMENTED | DISMISSED | PENDING
    commit_id: str | None = None
    submitted_at: str | None = None  # ISO 8601; ordering key for "latest per user"


@dataclass(frozen=True)
class Approvals:
    author: str | None = None
    head_sha: str | None = None
    labels: tuple[str, ...] = ()
    reviews: tuple[Review, ...] = ()
    committers: tuple[str, ...] = ()  # authors/committers of the PR's commits (lower-cased)
    source: str | None = None  # file it came from, for messages


@dataclass(frozen=True)
class SuiteResult:
    name: str
    tests: int
    failures: int
    errors: int
    skipped: int
    files: tuple[str, ...] = ()

    @property
    def ran(self) -> int:
        return self.tests - self.skipped

    @property
    def passed(self) -> bool:
        return self.ran > 0 and self.failures == 0 and self.errors == 0


@dataclass(frozen=True)
class Evidence:
    """Everything observed about the change, gathered at the edges."""

    changed_files: tuple[str, ...]
    approvals: Approvals = field(default_factory=Approvals)
    suites: dict[str, SuiteResult] = field(default_factory=dict)
    # team id -> members, when membership came from somewhere other than the map (GitHub).
    team_members: dict[str, frozenset[str]] = field(default_factory=dict)
    today: _dt.date = field(default_factory=lambda: _dt.datetime.now(_dt.UTC).date())
    base: str | None = None
    head: str | None = None


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
    kind: Literal["manifest", "field", "owner", "approval", "test", "deny"]
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
    """The only bridge between evaluation and output; the exit code derives from it."""

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
