"""The dependency map as a directed graph of components, for impact propagation.

An edge X -> Y means "a change in X can reach Y": Y lists X in `depends_on`, or Y consumes
an interface X provides (one edge per interface). `adjacency` holds the edges as plain
dicts: cheap to build and to cache, and all that propagation walks (docs/performance.md
says why the hot path does not use networkx; map analysis does, in core/analysis.py).
"""

from __future__ import annotations

from itertools import chain
from operator import attrgetter

from changegate.model import DepMap

# provider -> ((dependent, interface id or None for a depends_on edge), ...), sorted.
Adjacency = dict[str, tuple[tuple[str, "str | None"], ...]]


def providers(depmap: DepMap) -> dict[str, str]:
    """Interface id -> the component that provides it (the loader's `provider`, else the
    component listing it in `provides`)."""
    return _providers(depmap, None)


def _providers(depmap: DepMap, order: list[str] | None) -> dict[str, str]:
    """`providers`, given the component ids sorted (None: sorted here when needed)."""
    out = {iid: iface.provider for iid, iface in depmap.interfaces.items() if iface.provider}
    components = depmap.components
    provided = set(chain.from_iterable(map(attrgetter("provides"), components.values())))
    if out.keys() >= provided:  # a loaded map: `provides` adds nothing
        return out
    for cid in sorted(components) if order is None else order:
        for iid in components[cid].provides:
            out.setdefault(iid, cid)
    return out


def adjacency(depmap: DepMap) -> Adjacency:
    """The edges as plain dicts: provider -> sorted (dependent, interface or None) pairs.
    Every component is a key, with no edges when nothing depends on it.

    The dependents are visited in sorted order, each one's depends_on edges before its
    interface edges (in interface order), so every list is built already sorted."""
    components = depmap.components
    order = sorted(components)
    provider_of = _providers(depmap, order)
    out: dict[str, list[tuple[str, str | None]]] = {cid: [] for cid in components}
    get = out.get
    for cid in order:
        component = components[cid]
        for dep in set(component.depends_on):
            edges = get(dep)
            if edges is None:  # a dependency that is not a component: keep the general way
                return _adjacency_unsorted(depmap, provider_of)
            edges.append((cid, None))
        consumes = component.consumes
        for iid in sorted(set(consumes)) if len(consumes) > 1 else consumes:
            provider = provider_of.get(iid)
            if provider is not None:
                edges = get(provider)
                if edges is None:
                    return _adjacency_unsorted(depmap, provider_of)
                edges.append((cid, iid))
    return {cid: tuple(edges) for cid, edges in out.items()}


def _adjacency_unsorted(depmap: DepMap, provider_of: dict[str, str]) -> Adjacency:
    """`adjacency` for a map whose edges may name components it does not define."""
    out: dict[str, list[tuple[str, str | None]]] = {cid: [] for cid in depmap.components}
    for cid, component in depmap.components.items():
        for dep in set(component.depends_on):
            out.setdefault(dep, []).append((cid, None))
        for iid in set(component.consumes):
            provider = provider_of.get(iid)
            if provider is not None:
                out.setdefault(provider, []).append((cid, iid))
    return {cid: tuple(sorted(edges, key=_edge_key)) for cid, edges in out.items()}


def _edge_key(edge: tuple[str, str | None]) -> tuple[str, str]:
    return (edge[0], edge[1] or "")
