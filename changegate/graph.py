"""The dependency map as a directed graph of components.

An edge X -> Y means "a change in X can reach Y": Y lists X in `depends_on`
(kind="depends_on"), or Y consumes an interface X provides (kind="interface",
interface=<id>; one edge per interface). Build it once per run and share it.

Two forms of the same edges: `adjacency` (plain dicts, what impact propagation walks; cheap
to build and to cache) and `build_graph` (a networkx MultiDiGraph, for the algorithms
networkx is good at: cycles, export). See docs/performance.md for why the hot path does not
import networkx.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from changegate.models import DepMap

if TYPE_CHECKING:
    import networkx

# provider -> ((dependent, interface id or None for a depends_on edge), ...), sorted.
Adjacency = dict[str, tuple[tuple[str, "str | None"], ...]]


def providers(depmap: DepMap) -> dict[str, str]:
    """Interface id -> the component that provides it (the loader's `provider`, else the
    component listing it in `provides`)."""
    out = {iid: iface.provider for iid, iface in depmap.interfaces.items() if iface.provider}
    for cid in sorted(depmap.components):
        for iid in depmap.components[cid].provides:
            out.setdefault(iid, cid)
    return out


def build_graph(depmap: DepMap) -> networkx.MultiDiGraph:
    """Component nodes; edges provider -> dependent with `kind` (and `interface`)."""
    import networkx  # lazy: keeps `import changegate` cheap

    graph = networkx.MultiDiGraph()
    provider_of = providers(depmap)
    for cid in sorted(depmap.components):
        graph.add_node(cid)
    for cid in sorted(depmap.components):
        component = depmap.components[cid]
        for dep in sorted(set(component.depends_on)):
            graph.add_edge(dep, cid, key="depends_on", kind="depends_on")
        for iid in sorted(set(component.consumes)):
            provider = provider_of.get(iid)
            if provider is not None:
                graph.add_edge(provider, cid, key=f"interface:{iid}", kind="interface", interface=iid)
    return graph


def adjacency(depmap: DepMap) -> Adjacency:
    """The edges of `build_graph` as plain dicts: provider -> sorted (dependent, interface
    or None) pairs. Every component is a key, with no edges when nothing depends on it."""
    provider_of = providers(depmap)
    out: dict[str, list[tuple[str, str | None]]] = {cid: [] for cid in depmap.components}
    for cid, component in depmap.components.items():
        for dep in set(component.depends_on):
            out.setdefault(dep, []).append((cid, None))
        for iid in set(component.consumes):
            provider = provider_of.get(iid)
            if provider is not None:
                out.setdefault(provider, []).append((cid, iid))
    return {cid: tuple(sorted(edges, key=_edge_key)) for cid, edges in out.items()}


def adjacency_of(graph: Any) -> Adjacency:
    """`adjacency` of a graph made by `build_graph` (callers that already hold one)."""
    out: dict[str, list[tuple[str, str | None]]] = {node: [] for node in graph.nodes}
    for source, target, data in graph.edges(data=True):
        iid = data["interface"] if data["kind"] == "interface" else None
        out[source].append((target, iid))
    return {node: tuple(sorted(edges, key=_edge_key)) for node, edges in out.items()}


def _edge_key(edge: tuple[str, str | None]) -> tuple[str, str]:
    return (edge[0], edge[1] or "")
