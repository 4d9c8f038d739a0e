"""The dependency map as a directed graph of components.

An edge X -> Y means "a change in X can reach Y": Y lists X in `depends_on`
(kind="depends_on"), or Y consumes an interface X provides (kind="interface",
interface=<id>; one edge per interface). Build it once per run and share it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from changegate.models import DepMap

if TYPE_CHECKING:
    import networkx


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
