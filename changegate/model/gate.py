"""The gate as loaded: the config, the dependency map (teams, value streams, components,
interfaces) and the policies, with where each came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from changegate.model.schedule import Schedule

__all__ = [
    "DEFAULT_LAYERS",
    "RISK_LEVELS",
    "ApprovalRule",
    "ApprovalSettings",
    "Component",
    "Config",
    "DepMap",
    "ImpactSettings",
    "Interface",
    "Limits",
    "Location",
    "Match",
    "OwnershipRule",
    "Policy",
    "Require",
    "Severity",
    "Team",
    "TestRule",
    "ValueStream",
    "risk_index",
]

RISK_LEVELS: tuple[str, ...] = ("low", "medium", "high", "critical")
DEFAULT_LAYERS: tuple[str, ...] = ("org", "value-stream", "component", "change")

Severity = Literal["error", "warning"]


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
    # approval integrity (docs/formats.md "approvals"): what keeps an approval on an earlier commit
    ignore_update_merges: bool = False
    invalidate: Literal["any-push", "touched-scope"] = "any-push"
    ignore_commits_by: tuple[str, ...] = ()  # logins or e-mails, lower-cased


@dataclass(frozen=True)
class Limits:
    """The config's `limits:`: bounds a repository may move within sane ranges."""

    changed_files: int = 100_000  # most changed paths a change may have (1 .. 1,000,000)


@dataclass(frozen=True)
class Config:
    """`.changegate/config.yaml` with every default filled in. Paths are as written
    (relative to the repository root)."""

    version: int = 1
    map: tuple[str, ...] = (".changegate/map.yaml",)
    policies: tuple[str, ...] = ("builtin:baseline", ".changegate/policies")
    changes: str = ".changegate/changes"
    junit: tuple[str, ...] = ()
    # evidence.suites: a suite name -> the globs of its report files (relative, inside the repository)
    suites: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # evidence.github_checks: a suite name -> names of check runs / commit status contexts
    # (GitHub mode); a suite not named here matches a check or status of its own name
    github_checks: tuple[tuple[str, tuple[str, ...]], ...] = ()
    layers: tuple[str, ...] = DEFAULT_LAYERS
    impact: ImpactSettings = field(default_factory=ImpactSettings)
    unmapped_files: Literal["ignore", "warn", "error"] = "warn"
    approvals: ApprovalSettings = field(default_factory=ApprovalSettings)
    limits: Limits = field(default_factory=Limits)
    # true: a gate with no policy, a policy directory without policy files or a map without
    # components is accepted (else each is an input error: a gate that gates nothing)
    allow_empty_gate: bool = False
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
    """A team of the map: who may approve for what it owns."""

    id: str
    members: tuple[str, ...]  # GitHub logins, lower-cased
    name: str | None = None
    github_team: str | None = None  # "org/slug"
    loc: Location | None = None


@dataclass(frozen=True)
class ValueStream:
    """A value stream of the map: what the business runs, who is accountable for it."""

    id: str
    owners: tuple[str, ...]  # team ids (accountable)
    criticality: str  # one of RISK_LEVELS
    name: str | None = None
    consulted: tuple[str, ...] = ()
    informed: tuple[str, ...] = ()
    loc: Location | None = None


@dataclass(frozen=True)
class Interface:
    """An interface of the map: paths one component provides and others consume."""

    id: str
    paths: tuple[str, ...]
    name: str | None = None
    provider: str = ""  # the one component that provides it (filled by the loader)
    loc: Location | None = None


@dataclass(frozen=True)
class Component:
    """A component of the map: the paths it owns, whom it serves, what it depends on."""

    id: str
    owners: tuple[str, ...]  # team ids
    paths: tuple[str, ...]  # .gitignore patterns, "!x" negates
    name: str | None = None
    value_streams: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()
    provides: tuple[str, ...] = ()
    consumes: tuple[str, ...] = ()
    tests: tuple[str, ...] = ()
    contract_tests: tuple[str, ...] = ()
    loc: Location | None = None


@dataclass(frozen=True)
class OwnershipRule:
    """One entry of the map's `ownership_rules` (CODEOWNERS semantics): a path the LAST
    matching entry's `pattern` matches belongs to its `component` (None: to none)."""

    pattern: str  # a CODEOWNERS pattern (core/codeowners.py), not a .gitignore one
    component: str | None = None
    loc: Location | None = None


@dataclass(frozen=True)
class DepMap:
    """The validated dependency map; every reference in it resolves."""

    teams: dict[str, Team]
    value_streams: dict[str, ValueStream]
    components: dict[str, Component]
    interfaces: dict[str, Interface]
    files: tuple[str, ...] = ()
    ownership_rules: tuple[OwnershipRule, ...] = ()


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
    during: Schedule | None = None  # SPEC §10: applies only while one of its windows is open


@dataclass(frozen=True)
class ApprovalRule:
    """Either `team` (with `count`) or `owners_of` (value_streams | touched_components |
    impacted_components)."""

    team: str | None = None
    count: int = 1
    owners_of: str | None = None
    changes_requested_blocks: bool = False  # a member's CHANGES_REQUESTED blocks (veto)


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
