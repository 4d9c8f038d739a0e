"""Map analysis: what is legal in a dependency map but probably a mistake, as warnings.

- `map-cycle`: components that depend on each other in a cycle (through `depends_on` or a
  consumed interface), so a change in any of them reaches all the others;
- `value-stream-unused`: a value stream no component carries, so no change can affect it;
- `interface-unconsumed`: an interface no component consumes, so changing it reaches no one
  through it (an interface with no provider is already a load error).

Pure: the loaded `DepMap` in, findings out. networkx (imported on first use: most runs never
analyse the map) finds the cycles.
"""

from __future__ import annotations

from itertools import pairwise
from typing import TYPE_CHECKING

from changegate.core.graph import providers
from changegate.model import DepMap, Finding, Location

if TYPE_CHECKING:
    import networkx


def map_findings(depmap: DepMap) -> tuple[Finding, ...]:
    """Every warning about `depmap`: cycles first, then unused value streams, then
    unconsumed interfaces, each group in id order."""
    return (*_cycles(depmap), *_unused_value_streams(depmap), *_unconsumed_interfaces(depmap))


def dependency_graph(depmap: DepMap) -> networkx.DiGraph:
    """Components as nodes; an edge X -> Y when X depends on Y: X lists Y in `depends_on`
    (`via` None) or consumes an interface Y provides (`via` the interface id; the first in
    id order when there are several). A component consuming its own interface adds no edge."""
    import networkx

    graph = networkx.DiGraph()
    provider_of = providers(depmap)
    graph.add_nodes_from(sorted(depmap.components))
    for cid in sorted(depmap.components):
        component = depmap.components[cid]
        for iid in sorted(set(component.consumes)):
            provider = provider_of.get(iid)
            if provider is not None and provider != cid and not graph.has_edge(cid, provider):
                graph.add_edge(cid, provider, via=iid)
        for dep in sorted(set(component.depends_on)):
            graph.add_edge(cid, dep, via=None)  # depends_on names the edge when both do
    return graph


def _cycles(depmap: DepMap) -> list[Finding]:
    """One finding per group of components that depend on each other (a strongly connected
    component of the graph, or a component that depends on itself), naming one cycle in it."""
    import networkx

    graph = dependency_graph(depmap)
    groups = sorted(sorted(group) for group in networkx.strongly_connected_components(graph))
    groups = [group for group in groups if len(group) > 1 or graph.has_edge(group[0], group[0])]
    findings: list[Finding] = []
    for group in groups:
        start = group[0]
        steps = [_step(graph, u, v) for u, v in _cycle_from(graph.subgraph(group), start)]
        message = f"components depend on each other in a cycle: {'; '.join(steps)}"
        if len(group) > len(steps):
            message += f" ({len(group)} components in all: {', '.join(group)})"
        message += "; a change in any of them reaches all the others"
        findings.append(_finding("map-cycle", message, depmap.components[start].loc))
    return findings


def _cycle_from(graph: networkx.DiGraph, start: str) -> list[tuple[str, str]]:
    """The edges of a cycle through `start` (in a strongly connected `graph`, one exists):
    the shortest way back to `start` from its first successor in id order."""
    import networkx

    if graph.has_edge(start, start):
        return [(start, start)]
    first = min(graph.successors(start))
    path = networkx.shortest_path(graph, first, start)
    return list(pairwise([start, *path]))


def _step(graph: networkx.DiGraph, source: str, target: str) -> str:
    via = graph.edges[source, target]["via"]
    if via is None:
        return f"{source} depends on {target}"
    return f"{source} consumes {via} of {target}"


def unused_value_streams(depmap: DepMap) -> list[str]:
    """Ids (sorted) of the value streams no component lists in `value_streams`."""
    carried = {vid for c in depmap.components.values() for vid in c.value_streams}
    return [vid for vid in sorted(depmap.value_streams) if vid not in carried]


def unconsumed_interfaces(depmap: DepMap) -> list[str]:
    """Ids (sorted) of the interfaces no component other than their provider consumes."""
    provider_of = providers(depmap)
    consumed = {iid for cid, c in depmap.components.items() for iid in c.consumes
                if provider_of.get(iid) != cid}
    return [iid for iid in sorted(depmap.interfaces) if iid not in consumed]


def _unused_value_streams(depmap: DepMap) -> list[Finding]:
    return [
        _finding("value-stream-unused",
                 f"value stream {vid} is carried by no component (no component lists it in "
                 "value_streams), so no change can affect it", depmap.value_streams[vid].loc)
        for vid in unused_value_streams(depmap)
    ]


def _unconsumed_interfaces(depmap: DepMap) -> list[Finding]:
    provider_of = providers(depmap)
    return [
        _finding("interface-unconsumed",
                 f"interface {iid} (provided by {provider_of.get(iid) or 'no component'}) is "
                 "consumed by no other component, so changing it reaches no one through it",
                 depmap.interfaces[iid].loc)
        for iid in unconsumed_interfaces(depmap)
    ]


def _finding(code: str, message: str, loc: Location | None) -> Finding:
    return Finding("warning", code, message, loc.file if loc else None, loc.line if loc else 0)
