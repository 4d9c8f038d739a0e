"""The decision: impact, policies and evidence in, one `Decision` out (SPEC §4 and §6).

The core's pipeline: resolve the impact (impact), then evaluate every policy against the
change: the change as policies see it (policy_context), matching (matching), waivers
(waivers), what each matching policy asks (asks) and merging the asks into requirements
(merge). Each matching policy contributes atomic asks keyed by (kind, target);
contributions for the same key are merged so that the strictest one that is not waived is
reported and the others are listed in `also_required_by`. What a policy asks depends only
on the change, so each list of asks is built once per evaluation and shared by every
policy asking it, and merged once per list (enterprise changes make ~200,000 policy-ask
pairs).

Pure: no file, process, network or clock. The command derives its exit code from the
returned `Decision`.
"""

from __future__ import annotations

from collections.abc import Sequence

from changegate.core.asks import KIND_ORDER, Asked, policy_asks
from changegate.core.freezes import schedule_status
from changegate.core.graph import Adjacency
from changegate.core.impact import resolve_impact
from changegate.core.matching import match_policy
from changegate.core.merge import merge
from changegate.core.paths import PathIndex
from changegate.core.pir import pir_overdue_findings
from changegate.core.policy_context import PolicyContext
from changegate.core.review_outcomes import review_outcomes
from changegate.core.waivers import applicable_waiver
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
    PolicyResult,
    Requirement,
    ReviewOutcome,
    WaiverUse,
)


def decide(
    manifest: Manifest | None,
    depmap: DepMap,
    graph: Adjacency | None,
    policies: Sequence[Policy],
    evidence: Evidence,
    config: Config,
    extra_findings: Sequence[Finding] = (),
    *,
    path_index: PathIndex | None = None,
) -> Decision:
    """Resolve the impact of the change, evaluate the policies against the evidence and
    decide: `fail` when an error requirement is missing or failed, or an error finding
    exists. `graph` is the map's `graph.adjacency` and `path_index` its
    `impact.build_path_index`, each built when not given."""
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
    results, requirements, policy_findings, reviews = evaluate_reviewed(
        policies, depmap, impact, manifest, evidence, config)
    findings = (*impact.findings, *policy_findings, *extra_findings,
                *pir_overdue_findings(impact, evidence.open_reviews, evidence.today))
    ordered = sort_requirements(requirements)
    failing = any(is_blocking(r) for r in ordered) or any(f.level == "error" for f in findings)
    schedule = None
    if evidence.now is not None and any(p.match.during is not None for p in policies):
        schedule = schedule_status(policies, results, PolicyContext(depmap, impact, manifest, evidence, config))
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
        schedule=schedule,
        reviews=reviews,
    )


def evaluate_policies(
    policies: Sequence[Policy],
    depmap: DepMap,
    impact: Impact,
    manifest: Manifest | None,
    evidence: Evidence,
    config: Config,
) -> tuple[tuple[PolicyResult, ...], tuple[Requirement, ...], tuple[Finding, ...]]:
    """Match every policy against the change, collect and merge what the matching ones
    require, and apply the manifest's waivers. `policies` come sorted by layer."""
    return evaluate_reviewed(policies, depmap, impact, manifest, evidence, config)[:3]


def evaluate_reviewed(
    policies: Sequence[Policy],
    depmap: DepMap,
    impact: Impact,
    manifest: Manifest | None,
    evidence: Evidence,
    config: Config,
) -> tuple[tuple[PolicyResult, ...], tuple[Requirement, ...], tuple[Finding, ...],
           tuple[ReviewOutcome, ...]]:
    """`evaluate_policies`, and what happened to every review (core/review_outcomes.py)."""
    ctx = PolicyContext(depmap, impact, manifest, evidence, config)
    ctx.expect_paths(p.match.paths for p in policies)
    results: list[PolicyResult] = []
    asked: list[Asked] = []
    findings: list[Finding] = []
    waiver_members: set[str] = set()
    for policy in policies:
        matched, reason = match_policy(policy, ctx)
        waiver: WaiverUse | None = None
        if matched:
            waiver, waiver_findings = applicable_waiver(policy, ctx)
            findings.extend(waiver_findings)
            asked.append((policy, waiver, policy_asks(policy, reason, ctx)))
            if manifest is not None and any(w.policy == policy.id for w in manifest.waivers):
                waiver_members.update(*(ctx.members(t) for t in policy.waivable_by))
        results.append(PolicyResult(
            id=policy.id, layer=policy.layer, matched=matched, severity=policy.severity,
            description=policy.description, reason=reason, waived=waiver is not None,
        ))
    requirements = merge(asked)
    reviews, review_findings = review_outcomes(ctx, requirements, waiver_members)
    return tuple(results), requirements, (*review_findings, *findings), reviews


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
