"""The change as policies see it (`PolicyContext`), derived once per evaluation and shared
by matching, waivers and asks: who effectively approved, team members, the changed files
each `paths` list matches, the CEL variables, and the asks already built."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from changegate.core import cel
from changegate.core.approval_scope import scope_of, touches
from changegate.core.approvals import assess, excluded_approvers
from changegate.core.cel_context import cel_context
from changegate.core.impact import build_path_index
from changegate.core.paths import PathIndex, matches_any
from changegate.model import Config, DepMap, Evidence, Impact, Manifest

if TYPE_CHECKING:
    from changegate.core.asks import Ask


def names(logins: Iterable[str], empty: str = "no members") -> str:
    """Logins sorted and comma-separated, or `empty` when there are none."""
    listed = sorted(logins)
    return ", ".join(listed) if listed else empty


class PolicyContext:
    """The change as policies see it, derived once per evaluation: what a policy asks
    depends only on this, so each ask (and each list of asks) is built once and shared by
    every policy asking it."""

    def __init__(self, depmap: DepMap, impact: Impact, manifest: Manifest | None,
                 evidence: Evidence, config: Config) -> None:
        self.depmap = depmap
        self.impact = impact
        self.manifest = manifest
        self.evidence = evidence
        self.config = config
        approvals = evidence.approvals
        self.standing = assess(approvals, config.approvals, approvals.head_sha)
        # effective approvers for every requirement (latest review, at head or kept, not excluded)
        self.approvers = frozenset(a.lower() for a in self.standing.fresh)
        # who can never approve this change
        self.excluded = excluded_approvers(
            approvals, exclude_committers=config.approvals.exclude_committers,
            ignore_commits_by=config.approvals.ignore_commits_by)
        self._scoped: dict[str, frozenset[str]] = {}
        self._owner_index: PathIndex | None = None
        self.touched = impact.touched_components
        self.impacted = impact.impacted_ids()
        self.value_streams = tuple(v.id for v in impact.value_streams)
        self.present: dict[str, frozenset[str]] = {
            "touched": frozenset(self.touched), "impacted": frozenset(self.impacted),
            "affected": frozenset(self.value_streams),
            "changed": frozenset(impact.changed_interfaces),
        }
        self._members: dict[str, frozenset[str]] = {}
        self._listings: dict[str, str] = {}
        self._asks: dict[tuple[str, ...], tuple[Ask, ...]] = {}
        self._cel_variables: cel.Variables | None = None
        self._path_lists: dict[tuple[str, ...], None] = {}  # an ordered set
        self._path_hits: dict[tuple[str, ...], list[str]] | None = None

    def expect_paths(self, lists: Iterable[Sequence[str] | None]) -> None:
        """Announce the `paths` pattern lists policies will match, so that `path_hits`
        matches the changed files against all of them in one indexed pass."""
        for patterns in lists:
            if patterns:
                self._path_lists.setdefault(tuple(patterns))
        self._path_hits = None

    def path_hits(self, patterns: Sequence[str]) -> list[str]:
        """The changed files that `patterns` match, in order."""
        key = tuple(patterns)
        if key not in self._path_lists:
            return [f for f in self.evidence.changed_files if matches_any(patterns, f)]
        if self._path_hits is None:
            lists = {str(n): key for n, key in enumerate(self._path_lists)}
            index = PathIndex(lists)
            hits: dict[tuple[str, ...], list[str]] = {key: [] for key in self._path_lists}
            for file in self.evidence.changed_files:
                for name in index.match(file):
                    hits[lists[name]].append(file)
            self._path_hits = hits
        return self._path_hits[key]

    def members(self, team: str) -> frozenset[str]:
        """A team's members: from the evidence (GitHub) when given, else from the map."""
        found = self._members.get(team)
        if found is None:
            if team in self.evidence.team_members:
                found = frozenset(m.lower() for m in self.evidence.team_members[team])
            else:
                in_map = self.depmap.teams.get(team)
                found = frozenset(m.lower() for m in in_map.members) if in_map else frozenset()
            self._members[team] = found
        return found

    def listing(self, team: str) -> str:
        """`names` of a team's members."""
        found = self._listings.get(team)
        if found is None:
            found = self._listings[team] = names(self.members(team))
        return found

    def asks(self, key: tuple[str, ...], build: Callable[[], Iterable[Ask]]) -> tuple[Ask, ...]:
        """The asks named `key`, built on first use; the same tuple for every policy."""
        found = self._asks.get(key)
        if found is None:
            found = self._asks[key] = tuple(build())
        return found

    def cel_variables(self) -> cel.Variables:
        """The `when` variables, converted once for every expression."""
        if self._cel_variables is None:
            self._cel_variables = cel.Variables(
                cel_context(self.manifest, self.impact, self.evidence))
        return self._cel_variables

    def approvers_for(self, target: str) -> frozenset[str]:
        """Whose approval counts for the approval requirement `target`: every fresh approver
        and, with `invalidate: touched-scope`, each approval on an earlier commit whose later
        commits touched none of the target's files."""
        if not self.standing.pending:
            return self.approvers
        found = self._scoped.get(target)
        if found is None:
            scope = scope_of(target, self.depmap, self.impact)
            if self._owner_index is None:
                self._owner_index = build_path_index(self.depmap)
            index = self._owner_index
            kept = {user for user, commits in self.standing.pending.items()
                    if not any(touches(c, scope, index, self.config) for c in commits)}
            found = self._scoped[target] = self.approvers | kept
        return found

    def map_file(self) -> str:
        """The map file to name in a fix when a thing has no location of its own."""
        return self.depmap.files[0] if self.depmap.files else ".changegate/map.yaml"
