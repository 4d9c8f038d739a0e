"""Impact resolution (SPEC §3): which components a change touches, whom it reaches, which
value streams are affected, and the computed risk. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from changegate.core.codeowners import RuledIndex
from changegate.core.graph import Adjacency, adjacency, providers
from changegate.core.paths import PathIndex, normalize_path
from changegate.model import (
    RISK_LEVELS,
    AffectedValueStream,
    Config,
    DepMap,
    Finding,
    Impact,
    ImpactedComponent,
    Manifest,
    Risk,
    risk_index,
)

# Owner-id namespaces in the one PathIndex that serves both components and interfaces.
COMPONENT = "component:"
INTERFACE = "interface:"

UNMAPPED_LISTED = 10  # files named in the unmapped-files message before "and N more"


def build_path_index(depmap: DepMap) -> PathIndex:
    """One index over every component's and interface's `paths` (and the map's
    `ownership_rules`); owner ids are "component:<id>" and "interface:<id>"."""
    owners: dict[str, Sequence[str]] = {COMPONENT + cid: c.paths for cid, c in depmap.components.items()}
    owners.update({INTERFACE + iid: i.paths for iid, i in depmap.interfaces.items()})
    if depmap.ownership_rules:
        return RuledIndex(owners, depmap.ownership_rules, COMPONENT)
    return PathIndex(owners)


def listing(items: Sequence[str], limit: int) -> str:
    """ "a, b, c" or "a, b and 3 more" when there are more than `limit`."""
    if len(items) <= limit:
        return ", ".join(items)
    return f"{', '.join(items[:limit])} and {len(items) - limit} more"


def resolve_impact(
    depmap: DepMap,
    graph: Adjacency | None,
    changed_files: Sequence[str],
    manifest: Manifest | None,
    config: Config,
    path_index: PathIndex | None = None,
) -> Impact:
    """Resolve SPEC §3 for one change. `graph` is the map's `graph.adjacency`; it and
    `path_index` are built when not given (pass them in to build them once per run)."""
    index = path_index if path_index is not None else build_path_index(depmap)
    edges = graph if graph is not None else adjacency(depmap)
    provider_of = providers(depmap)
    files = list(dict.fromkeys(changed_files))

    # 1-2. touched components, changed interfaces, unmapped files.
    touched_by: dict[str, dict[str, None]] = {}  # component -> files (ordered set)
    changed: set[str] = set()
    file_owners: dict[str, tuple[str, ...]] = {}
    unmapped: list[str] = []
    for file in files:
        owners = index.match(file)
        components = tuple(o[len(COMPONENT) :] for o in owners if o.startswith(COMPONENT))
        interfaces = [o[len(INTERFACE) :] for o in owners if o.startswith(INTERFACE)]
        file_owners[file] = components
        for cid in components:
            touched_by.setdefault(cid, {})[file] = None
        for iid in interfaces:
            changed.add(iid)
            provider = provider_of.get(iid)
            if provider is not None:
                touched_by.setdefault(provider, {})[file] = None
        if not owners and not config.is_manifest_path(normalize_path(file)):
            unmapped.append(file)
    touched = sorted(touched_by)
    if manifest is not None:
        changed.update(i for i in manifest.interfaces_changed if i in depmap.interfaces)
        if manifest.breaking:
            for cid in touched:
                changed.update(depmap.components[cid].provides)
    changed_interfaces = tuple(sorted(changed))

    # 3-5. propagation with via chains.
    via, depth = _propagate(edges, touched, changed_interfaces, provider_of, config)
    touched_set = set(touched)
    order = sorted(via, key=lambda c: (c not in touched_set, depth[c], c))
    impacted = tuple(
        ImpactedComponent(id=c, via=via[c], touched=c in touched_set, depth=depth[c]) for c in order
    )

    # 6. affected value streams, each carried by its shallowest component.
    streams: dict[str, AffectedValueStream] = {}
    for cid in sorted(via, key=lambda c: (depth[c], c)):
        component = depmap.components.get(cid)
        for vid in component.value_streams if component is not None else ():
            stream = depmap.value_streams.get(vid)
            if stream is not None and vid not in streams:
                streams[vid] = AffectedValueStream(
                    id=vid, criticality=stream.criticality, owners=stream.owners, via=via[cid] + (vid,)
                )
    value_streams = tuple(sorted(streams.values(), key=lambda s: (-risk_index(s.criticality), s.id)))

    # 7. risk.
    risk = _risk(depmap, value_streams, changed_interfaces, set(via), provider_of, manifest)

    findings: list[Finding] = []
    if unmapped and config.unmapped_files != "ignore":
        count = len(unmapped)
        noun = "file" if count == 1 else "files"
        findings.append(
            Finding(
                level="error" if config.unmapped_files == "error" else "warning",
                code="unmapped-files",
                message=f"{count} changed {noun} not claimed by any component or interface: "
                f"{listing(unmapped, UNMAPPED_LISTED)}",
            )
        )
    if manifest is not None:
        # 8. undeclared components.
        declared = set(manifest.components)
        findings.extend(
            Finding("error", "undeclared-component",
                    f"component {cid} is touched by this change but missing from the manifest's "
                    f"components (changed: {listing(list(touched_by[cid]), 3)})",
                    manifest.file, manifest.line_of("components"))
            for cid in touched if cid not in declared
        )
        if risk.declared is not None and risk_index(risk.declared) < risk_index(risk.computed):
            findings.append(Finding(
                "warning", "risk-under-declared",
                f"declared risk {risk.declared} is below the computed risk {risk.computed} "
                f"({'; '.join(risk.factors)})", manifest.file, manifest.line_of("risk")))

    return Impact(
        touched_components=tuple(touched),
        changed_interfaces=changed_interfaces,
        impacted_components=impacted,
        value_streams=value_streams,
        unmapped_files=tuple(unmapped),
        risk=risk,
        findings=tuple(findings),
        file_owners=file_owners,
    )


def _propagate(
    edges: Adjacency,
    touched: Sequence[str],
    changed_interfaces: Sequence[str],
    provider_of: dict[str, str],
    config: Config,
) -> tuple[dict[str, tuple[str, ...]], dict[str, int]]:
    """Breadth-first from every start at once. Each component keeps the smallest (in id
    order) of its shortest chains, which makes the output deterministic."""
    changed = set(changed_interfaces)
    contract = config.impact.mode == "contract"
    max_depth = config.impact.max_depth
    via: dict[str, tuple[str, ...]] = {c: (c,) for c in touched}
    # Providers of changed interfaces propagate too, even when none of their files changed.
    for iid in changed_interfaces:
        provider = provider_of.get(iid)
        if provider is not None and provider not in via:
            via[provider] = (provider,)
    depth = dict.fromkeys(via, 0)
    frontier = sorted(via)
    level = 0
    while frontier and (max_depth is None or level < max_depth):
        reached: dict[str, tuple[str, ...]] = {}
        for node in frontier:
            for target, interface in edges.get(node, ()):
                if target in via:
                    continue
                if interface is not None:
                    if contract and interface not in changed:
                        continue
                    chain = via[node] + (interface, target)
                else:
                    chain = via[node] + (target,)
                best = reached.get(target)
                if best is None or chain < best:
                    reached[target] = chain
        level += 1
        for target, chain in reached.items():
            via[target] = chain
            depth[target] = level
        frontier = sorted(reached)
    return via, depth


def _risk(
    depmap: DepMap,
    value_streams: Sequence[AffectedValueStream],
    changed_interfaces: Sequence[str],
    impacted: set[str],
    provider_of: dict[str, str],
    manifest: Manifest | None,
) -> Risk:
    """SPEC §3.7: each step taken is a sentence in `factors`."""
    factors: list[str] = []
    if value_streams:
        level = max(risk_index(s.criticality) for s in value_streams)
        top = [s.id for s in value_streams if risk_index(s.criticality) == level]
        factors.append(
            f"highest criticality among affected value streams: {RISK_LEVELS[level]} ({', '.join(top)})"
        )
    else:
        level = 0
        factors.append("no value stream affected: low")

    def step_up(reason: str) -> None:
        nonlocal level
        if level == len(RISK_LEVELS) - 1:
            factors.append(f"+1: {reason}; capped at critical")
        else:
            level += 1
            factors.append(f"+1: {reason}")

    consumed = _impacted_consumers(depmap, changed_interfaces, impacted, provider_of)
    if consumed:
        ids = sorted(consumed)
        consumers = sorted({c for cs in consumed.values() for c in cs})
        if len(ids) == 1:
            subject = f"interface {ids[0]} changed and has"
        else:
            subject = f"interfaces {', '.join(ids)} changed and have"
        noun = "an impacted consumer" if len(consumers) == 1 else "impacted consumers"
        step_up(f"{subject} {noun} ({', '.join(consumers)})")
    if len(value_streams) >= 3:
        step_up(f"3 or more value streams affected ({len(value_streams)})")
    if manifest is not None and manifest.type == "emergency":
        high = risk_index("high")
        if level < high:
            level = high
            factors.append("emergency change: at least high")
        else:
            factors.append(f"emergency change: at least high (already {RISK_LEVELS[level]})")

    computed = RISK_LEVELS[level]
    declared = manifest.risk if manifest is not None else None
    effective = computed
    if declared is not None and risk_index(declared) > level:
        effective = declared
    return Risk(computed=computed, declared=declared, level=effective, factors=tuple(factors))


def _impacted_consumers(
    depmap: DepMap,
    changed_interfaces: Iterable[str],
    impacted: set[str],
    provider_of: dict[str, str],
) -> dict[str, list[str]]:
    """Changed interface id -> its impacted consumers (sorted), for interfaces that have any."""
    changed = set(changed_interfaces)
    out: dict[str, list[str]] = {}
    for cid in sorted(impacted):
        component = depmap.components.get(cid)
        if component is None:
            continue
        for iid in component.consumes:
            if iid in changed and provider_of.get(iid) != cid:
                out.setdefault(iid, []).append(cid)
    return out
