"""The files an approval requirement is about, for `approvals.invalidate: touched-scope`
(GitLab's "remove approvals of code owners whose files changed"): a later commit leaves an
approval standing for a requirement when it touched none of them.

The scope of `component:C` is C and what carries the change to it (its via chain: the
touched components and interfaces leading to C), each component with the interfaces it
provides or consumes; `value_stream:V` is the union of the scopes of V's impacted
components. A `team:` requirement (and a waiver) is about the whole change: it has no
narrower scope. A file no component or interface claims, and a change manifest, touch
every scope (fail closed: nobody owns them, so they cannot be left out of anybody's)."""

from __future__ import annotations

from changegate.core.impact import COMPONENT, INTERFACE
from changegate.core.paths import PathIndex, normalize_path
from changegate.model import CommitFacts, Config, DepMap, Impact


def scope_of(target: str, depmap: DepMap, impact: Impact) -> frozenset[str] | None:
    """The owner ids ("component:x", "interface:y", as the map's path index names them)
    whose files `target`'s approval is about; None for the whole change."""
    kind, _, name = target.partition(":")
    chains: list[tuple[str, ...]] = []
    if kind == "component":
        chains = [c.via + (c.id,) for c in impact.impacted_components if c.id == name] or [(name,)]
    elif kind == "value_stream":
        chains = [c.via + (c.id,) for c in impact.impacted_components
                  if name in _value_streams(depmap, c.id)]
        if not chains:
            return None
    else:
        return None
    ids: set[str] = set()
    for chain in chains:
        for element in chain:
            component = depmap.components.get(element)
            if component is not None:
                ids.add(COMPONENT + element)
                ids.update(INTERFACE + i for i in (*component.provides, *component.consumes))
            elif element in depmap.interfaces:
                ids.add(INTERFACE + element)
    return frozenset(ids)


def _value_streams(depmap: DepMap, cid: str) -> tuple[str, ...]:
    component = depmap.components.get(cid)
    return component.value_streams if component is not None else ()


def touches(commit: CommitFacts, scope: frozenset[str] | None, index: PathIndex, config: Config) -> bool:
    """True when `commit` changed a file of `scope` (None: any file), a file nobody claims,
    or a change manifest."""
    if scope is None:
        return True
    for file in commit.files:
        owners = index.match(file)
        if not owners or config.is_manifest_path(normalize_path(file)) or not scope.isdisjoint(owners):
            return True
    return False
