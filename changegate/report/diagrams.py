"""The impact as a diagram: a Mermaid flowchart (GitHub renders it in markdown) and a
Graphviz DOT digraph, both drawn from one `ImpactGraph`.

The graph is the union of the `via` chains of the impact: every impacted component and
affected value stream is reached from a touched component along the edges drawn, and
interfaces appear as their own nodes between provider and consumer. Changed interfaces
that no impacted component consumes hang off their provider. Graphs are capped
(`max_nodes`); what is left out is counted in a note node.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from changegate.model import DepMap, Impact
from changegate.report import escape

MAX_NODES = 60

Kind = str  # "component" | "interface" | "value_stream"
Key = tuple[Kind, str]

_PREFIX = {"component": "c_", "interface": "i_", "value_stream": "v_"}


@dataclass
class ImpactGraph:
    """Nodes and edges to draw; `omitted` counts nodes left out by the cap."""

    nodes: dict[Key, str] = field(default_factory=dict)  # key -> label (raw, unescaped)
    edges: list[tuple[Key, Key]] = field(default_factory=list)
    touched: set[str] = field(default_factory=set)
    changed: set[str] = field(default_factory=set)
    criticality: dict[str, str] = field(default_factory=dict)  # value stream -> level
    omitted: int = 0


def _classify(chain: tuple[str, ...], depmap: DepMap) -> list[Key]:
    """Keys of a component/interface chain: an element right after a component is an
    interface when the map has an interface of that id provided by that component."""
    keys: list[Key] = []
    for elem in chain:
        kind = "component"
        if keys and keys[-1][0] == "component":
            prev = keys[-1][1]
            iface = depmap.interfaces.get(elem)
            provider = depmap.components.get(prev)
            if iface is not None and (iface.provider == prev or (provider is not None and elem in provider.provides)):
                kind = "interface"
        keys.append((kind, elem))
    return keys


def _label(key: Key, depmap: DepMap, impact: Impact) -> str:
    kind, ident = key
    if kind == "component":
        comp = depmap.components.get(ident)
        return comp.name if comp is not None and comp.name else ident
    if kind == "interface":
        iface = depmap.interfaces.get(ident)
        return iface.name if iface is not None and iface.name else ident
    stream = depmap.value_streams.get(ident)
    name = stream.name if stream is not None and stream.name else ident
    level = next((vs.criticality for vs in impact.value_streams if vs.id == ident), "")
    return f"{name} ({level})" if level else name


def impact_graph(impact: Impact, depmap: DepMap, max_nodes: int | None = MAX_NODES) -> ImpactGraph:
    """The graph of an impact, at most `max_nodes` nodes (None: no cap). Chains are added
    whole, most telling first: touched components, then value streams, then other
    impacted components by depth."""
    chains: list[list[Key]] = []
    ordered = sorted(impact.impacted_components, key=lambda c: (c.depth, c.id))
    chains += [_classify(c.via, depmap) for c in ordered if c.touched]
    for vs in impact.value_streams:
        chains.append([*_classify(vs.via[:-1], depmap), ("value_stream", vs.id)])
    chains += [_classify(c.via, depmap) for c in ordered if not c.touched]
    for iface_id in impact.changed_interfaces:
        iface = depmap.interfaces.get(iface_id)
        if iface is not None and iface.provider in impact.impacted_ids():
            chains.append([("component", iface.provider), ("interface", iface_id)])
        else:
            chains.append([("interface", iface_id)])

    graph = ImpactGraph(
        touched=set(impact.touched_components),
        changed=set(impact.changed_interfaces),
        criticality={vs.id: vs.criticality for vs in impact.value_streams},
    )
    every: set[Key] = set()
    seen_edges: set[tuple[Key, Key]] = set()
    for chain in chains:
        every.update(chain)
        new = [k for k in dict.fromkeys(chain) if k not in graph.nodes]
        if max_nodes is not None and len(graph.nodes) + len(new) > max_nodes:
            continue
        for key in new:
            graph.nodes[key] = _label(key, depmap, impact)
        for edge in itertools.pairwise(chain):
            if edge[0] != edge[1] and edge not in seen_edges:
                seen_edges.add(edge)
                graph.edges.append(edge)
    graph.omitted = len(every) - len(graph.nodes)
    return graph


def _mermaid_ids(graph: ImpactGraph) -> dict[Key, str]:
    ids: dict[Key, str] = {}
    taken: set[str] = set()
    for key in graph.nodes:
        base = _PREFIX[key[0]] + escape.mermaid_id(key[1])
        candidate, n = base, 1
        while candidate in taken:
            n += 1
            candidate = f"{base}_{n}"
        taken.add(candidate)
        ids[key] = candidate
    return ids


def mermaid_flowchart(graph: ImpactGraph) -> str:
    """A Mermaid flowchart of `graph` (no code fence)."""
    ids = _mermaid_ids(graph)
    lines = ["flowchart LR"]
    classes: dict[str, list[str]] = {}
    for key, label in graph.nodes.items():
        kind, ident = key
        text = escape.mermaid_label(label)
        if kind == "component":
            lines.append(f'  {ids[key]}["{text}"]')
            cls = "touched" if ident in graph.touched else "impacted"
        elif kind == "interface":
            lines.append(f'  {ids[key]}{{{{"{text}"}}}}')
            cls = "changed" if ident in graph.changed else "interface"
        else:
            lines.append(f'  {ids[key]}(["{text}"])')
            cls = "vs_" + graph.criticality.get(ident, "low")
        classes.setdefault(cls, []).append(ids[key])
    if graph.omitted:
        lines.append(f'  more["… {graph.omitted} more not shown"]')
        classes.setdefault("more", []).append("more")
    for src, dst in graph.edges:
        lines.append(f"  {ids[src]} --> {ids[dst]}")
    styles = {
        "touched": "fill:#fde2e1,stroke:#c0392b,stroke-width:2px",
        "impacted": "fill:#fff4d6,stroke:#b7950b",
        "changed": "fill:#fde2e1,stroke:#c0392b,stroke-dasharray:4 2",
        "interface": "fill:#f4f6f7,stroke:#7f8c8d",
        "vs_critical": "fill:#c0392b,color:#ffffff,stroke:#922b21",
        "vs_high": "fill:#e67e22,color:#ffffff,stroke:#a04000",
        "vs_medium": "fill:#f9e79f,stroke:#b7950b",
        "vs_low": "fill:#d5f5e3,stroke:#1e8449",
        "more": "fill:#ffffff,stroke:#7f8c8d,stroke-dasharray:2 2",
    }
    for cls, members in classes.items():
        lines.append(f"  classDef {cls} {styles[cls]}")
        lines.append(f"  class {','.join(members)} {cls}")
    return "\n".join(lines) + "\n"


def dot_digraph(graph: ImpactGraph) -> str:
    """A Graphviz DOT digraph of `graph`."""
    lines = [
        "digraph impact {",
        "  rankdir=LR;",
        '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="Helvetica"];',
    ]

    def node_id(key: Key) -> str:
        return escape.dot(f"{key[0]}:{key[1]}")

    fills = {"critical": "#c0392b", "high": "#e67e22", "medium": "#f9e79f", "low": "#d5f5e3"}
    for key, label in graph.nodes.items():
        kind, ident = key
        attrs = [f"label={escape.dot(label)}"]
        if kind == "component":
            attrs.append('fillcolor="#fde2e1", penwidth=2' if ident in graph.touched else 'fillcolor="#fff4d6"')
        elif kind == "interface":
            attrs.append("shape=hexagon")
            if ident in graph.changed:
                attrs.append('fillcolor="#fde2e1", style="filled,dashed"')
        else:
            attrs.append(f'shape=ellipse, fillcolor="{fills.get(graph.criticality.get(ident, "low"), "#ffffff")}"')
        lines.append(f"  {node_id(key)} [{', '.join(attrs)}];")
    if graph.omitted:
        lines.append(f'  "more" [label="… {graph.omitted} more not shown", style=dashed];')
    for src, dst in graph.edges:
        lines.append(f"  {node_id(src)} -> {node_id(dst)};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_mermaid(impact: Impact, depmap: DepMap) -> str:
    """The impact as a Mermaid flowchart, capped at `MAX_NODES` like the one in the
    markdown summary (for `changegate impact --format mermaid`)."""
    return mermaid_flowchart(impact_graph(impact, depmap))


def render_dot(impact: Impact, depmap: DepMap) -> str:
    """The impact as a Graphviz DOT digraph (for `changegate impact --format dot`); not
    capped, since Graphviz has no GitHub rendering limit."""
    return dot_digraph(impact_graph(impact, depmap, max_nodes=None))
