"""What a change source hands `changegate check`: the gate, the change, and its evidence.

Two sources implement `ChangeSource`: `sources.local` (the command line: --base/--head,
--changed-files or the working tree, an approvals file) and `sources.github.source` (a
workflow run: the event, the gate as the base commit has it, facts from the REST API).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from changegate import model as models
from changegate.load.gate import GateFiles


@dataclass(frozen=True)
class Change:
    """The files a change touches, and where its manifests are."""

    files: tuple[str, ...]
    manifest_candidates: tuple[str, ...]  # manifests the change adds or modifies
    base: str | None
    head: str | None  # the resolved commit, when the change comes from git
    manifests_at: str | None = None  # the commit to read manifests from; None: the working tree


@dataclass(frozen=True)
class SourceEvidence:
    """What the source observed about the change, besides its files."""

    approvals: models.Approvals
    suites: dict[str, models.SuiteResult]
    # team id -> members, when membership came from somewhere other than the map (GitHub).
    team_members: dict[str, frozenset[str]] = field(default_factory=dict)
    findings: tuple[models.Finding, ...] = ()  # what the source noticed while reading


class ChangeSource(Protocol):
    """Where a change and its evidence come from."""

    def load_gate(self) -> GateFiles:
        """The gate's config, map and policies, from a place the change cannot edit."""
        ...

    def change(self, gate: GateFiles) -> Change:
        """The changed files and manifest candidates."""
        ...

    def evidence(self, gate: GateFiles, change: Change) -> SourceEvidence:
        """Approvals, test results and team members for the change."""
        ...
