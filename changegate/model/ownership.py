"""Who owns what (SPEC §9): the claims on a path (`changegate owners`) and what the map
leaves uncovered (`changegate map coverage`)."""

from __future__ import annotations

from dataclasses import dataclass

from changegate.model.gate import Location

__all__ = ["Claim", "Coverage", "PathOwners"]


@dataclass(frozen=True)
class Claim:
    """One component or interface claiming a path: the pattern of its `paths` that did
    (the last one matching) and where that pattern is written."""

    kind: str  # "component" | "interface"
    id: str
    pattern: str
    position: int  # index in the entry's `paths`
    loc: Location | None = None  # the pattern's file and line


@dataclass(frozen=True)
class PathOwners:
    """Who claims one path: components (an interface's provider included), their owner
    teams, those teams' GitHub identities, and each claim."""

    path: str
    components: tuple[str, ...]
    owners: tuple[str, ...]
    github: tuple[str, ...]
    claims: tuple[Claim, ...] = ()


@dataclass(frozen=True)
class Coverage:
    """What the map leaves uncovered; each tuple sorted."""

    unclaimed_files: tuple[str, ...]  # tracked files no component or interface claims
    components_without_files: tuple[str, ...]  # components whose paths claim no tracked file
    teams_without_identity: tuple[str, ...]  # teams with neither members nor github_team
    value_streams_unserved: tuple[str, ...]  # value streams no component lists
    interfaces_unprovided: tuple[str, ...]  # interfaces no component provides
    interfaces_unconsumed: tuple[str, ...]  # interfaces no component but the provider consumes

    def is_empty(self) -> bool:
        """True when every list is empty."""
        return not any((self.unclaimed_files, self.components_without_files, self.teams_without_identity,
                        self.value_streams_unserved, self.interfaces_unprovided, self.interfaces_unconsumed))
