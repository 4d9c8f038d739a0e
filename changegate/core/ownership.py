"""Ownership (SPEC §9): who claims a path (`changegate owners`) and what the map leaves
uncovered (`changegate map coverage`). Pure: the map and its path index in, model out;
the one matcher is the map's `PathIndex` (the same answers `impact` and `check` use)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from changegate.core.analysis import unconsumed_interfaces, unused_value_streams
from changegate.core.graph import providers
from changegate.core.impact import COMPONENT, INTERFACE
from changegate.core.paths import PathIndex, normalize_path
from changegate.model import Claim, Config, Coverage, DepMap, Location, PathOwners

# (kind, id, position in its `paths`) -> where that pattern is written, when known.
Locate = Callable[[str, str, int], Location | None]

_KINDS = ((COMPONENT, "component"), (INTERFACE, "interface"))


def github_identities(depmap: DepMap, teams: Iterable[str]) -> tuple[str, ...]:
    """"@" + `github_team` for each team that has one, else "@" + each member; sorted."""
    found: set[str] = set()
    for tid in teams:
        team = depmap.teams.get(tid)
        if team is None:
            continue
        if team.github_team:
            found.add("@" + team.github_team)
        else:
            found.update("@" + member for member in team.members)
    return tuple(sorted(found))


def path_owners(depmap: DepMap, index: PathIndex, path: str, locate: Locate | None = None) -> PathOwners:
    """Who claims `path`: the components whose paths claim it and the providers of the
    interfaces whose paths do (changing a contract is changing its provider, as in impact),
    their owner teams and GitHub identities, and each claim's pattern."""
    provider_of = providers(depmap)
    claims: list[Claim] = []
    components: set[str] = set()
    for owner, (position, pattern) in index.claims(path).items():
        for prefix, kind in _KINDS:
            if owner.startswith(prefix):
                entry = owner[len(prefix):]
                if position < 0:  # an `ownership_rules` entry (core.codeowners.RuledIndex)
                    claims.append(Claim(kind, entry, pattern, -1 - position, depmap.ownership_rules[-1 - position].loc))
                else:
                    claims.append(Claim(kind, entry, pattern, position,
                                        locate(kind, entry, position) if locate else None))
                provider = entry if kind == "component" else provider_of.get(entry)
                if provider:
                    components.add(provider)
    teams = sorted({tid for cid in components for tid in depmap.components[cid].owners})
    return PathOwners(path, tuple(sorted(components)), tuple(teams), github_identities(depmap, teams),
                      tuple(sorted(claims, key=lambda c: (c.kind, c.id))))


def coverage(depmap: DepMap, index: PathIndex, config: Config, tracked: Iterable[str]) -> Coverage:
    """What the map leaves uncovered among the `tracked` files. A file an interface claims
    is covered (its provider owns it); change manifests need no owner, as in impact."""
    unclaimed: list[str] = []
    claiming: set[str] = set()
    for file in tracked:
        owners = index.match(file)
        if not owners and not config.is_manifest_path(normalize_path(file)):
            unclaimed.append(file)
        claiming.update(o[len(COMPONENT):] for o in owners if o.startswith(COMPONENT))
    provider_of = providers(depmap)
    return Coverage(
        unclaimed_files=tuple(sorted(unclaimed)),
        components_without_files=tuple(sorted(set(depmap.components) - claiming)),
        teams_without_identity=tuple(tid for tid in sorted(depmap.teams)
                                     if not depmap.teams[tid].members and not depmap.teams[tid].github_team),
        value_streams_unserved=tuple(unused_value_streams(depmap)),
        interfaces_unprovided=tuple(iid for iid in sorted(depmap.interfaces) if iid not in provider_of),
        interfaces_unconsumed=tuple(unconsumed_interfaces(depmap)),
    )
