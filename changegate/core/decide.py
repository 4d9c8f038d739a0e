"""The decision: impact, policies and evidence in, one `Decision` out (SPEC §6).

Pure: no file, process or network. The exit code derives from the returned `Decision`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from changegate.core.policy import KIND_ORDER, evaluate_policies
from changegate.model import (
    ChangeInfo,
    Config,
    Decision,
    DepMap,
    Evidence,
    Finding,
    Impact,
    Manifest,
    Policy,
    Requirement,
)


def decide(
    manifest: Manifest | None,
    depmap: DepMap,
    graph: Any,
    policies: Sequence[Policy],
    evidence: Evidence,
    config: Config,
    extra_findings: Sequence[Finding] = (),
    *,
    path_index: Any = None,
) -> Decision:
    """Resolve the impact of the change, evaluate the policies against the evidence and
    decide: `fail` when an error requirement is missing or failed, or an error finding
    exists. `graph` is the map's `graph.adjacency` (or a networkx `build_graph`);
    `path_index` its `impact.build_path_index`, built when not given."""
    from changegate.core.impact import resolve_impact

    impact = resolve_impact(depmap, graph, evidence.changed_files, manifest, config, path_index)
    return decide_impact(manifest, depmap, impact, policies, evidence, config, extra_findings)


def decide_impact(
    manifest: Manifest | None,
    depmap: DepMap,
    impact: Impact,
    policies: Sequence[Policy],
    evidence: Evidence,
    config: Config,
    extra_findings: Sequence[Finding] = (),
) -> Decision:
    """`decide` for an impact already resolved."""
    results, requirements, policy_findings = evaluate_policies(
        policies, depmap, impact, manifest, evidence, config)
    findings = (*impact.findings, *policy_findings, *extra_findings)
    ordered = sort_requirements(requirements)
    failing = any(is_blocking(r) for r in ordered) or any(f.level == "error" for f in findings)
    return Decision(
        decision="fail" if failing else "pass",
        change=change_info(manifest),
        base=evidence.base,
        head=evidence.head,
        files=len(evidence.changed_files),
        impact=impact,
        policies=results,
        requirements=ordered,
        findings=tuple(findings),
        depmap=depmap,
    )


def is_blocking(requirement: Requirement) -> bool:
    """An error-severity requirement that is missing or failed (a matched deny included)."""
    return requirement.severity == "error" and requirement.status in ("missing", "failed")


def sort_requirements(requirements: Sequence[Requirement]) -> tuple[Requirement, ...]:
    """Blocking first, then by kind (manifest, field, owner, approval, test, deny), then
    target."""
    return tuple(sorted(requirements, key=lambda r: (
        0 if is_blocking(r) else 1, KIND_ORDER.index(r.kind), r.target)))


def change_info(manifest: Manifest | None) -> ChangeInfo:
    """What the decision says about the change itself."""
    if manifest is None:
        return ChangeInfo(file=None, title=None, type=None)
    summary = manifest.data.get("summary")
    return ChangeInfo(file=manifest.file, title=manifest.title, type=manifest.type,
                      owner=manifest.owner, summary=summary if isinstance(summary, str) else None)
