"""The decision as JSON (SPEC §6), described by `schemas/decision.schema.json`.

Keys come out in a fixed order (the order below, never sorted), so that diffs of two runs
are readable. Strings are written as they are: JSON escaping makes them inert, and
consumers that render them are expected to escape for their own medium.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from changegate.core.decide import is_blocking
from changegate.model import (
    AffectedValueStream,
    Decision,
    DepMap,
    Finding,
    Impact,
    ImpactedComponent,
    PolicyResult,
    Requirement,
    ReviewOutcome,
)
from changegate.report.escape import json_text
from changegate.report.freezes import schedule_dict

SCHEMA_VERSION = 1
STATUSES: tuple[str, ...] = ("satisfied", "missing", "failed", "waived")


def summary(decision: Decision) -> dict[str, Any]:
    """Counts a pipeline can test without walking the lists."""
    counts = {status: 0 for status in STATUSES}
    for req in decision.requirements:
        counts[req.status] += 1
    findings = {"error": 0, "warning": 0, "notice": 0}
    for finding in decision.findings:
        findings[finding.level] += 1
    return {
        "blocking": sum(1 for r in decision.requirements if is_blocking(r)),
        "requirements": counts,
        "findings": findings,
    }


def _impacted(c: ImpactedComponent) -> dict[str, Any]:
    return {"id": c.id, "via": list(c.via), "touched": c.touched, "depth": c.depth}


def _value_stream(vs: AffectedValueStream, depmap: DepMap) -> dict[str, Any]:
    known = depmap.value_streams.get(vs.id)
    return {
        "id": vs.id,
        "name": (known.name if known and known.name else vs.id),
        "criticality": vs.criticality,
        "owners": list(vs.owners),
        "consulted": list(known.consulted) if known else [],
        "informed": list(known.informed) if known else [],
        "via": list(vs.via),
    }


def impact_to_dict(impact: Impact, depmap: DepMap) -> dict[str, Any]:
    """The `impact` object of the decision JSON (also what `changegate impact --format json`
    prints)."""
    return {
        "touched_components": list(impact.touched_components),
        "changed_interfaces": list(impact.changed_interfaces),
        "impacted_components": [_impacted(c) for c in impact.impacted_components],
        "value_streams": [_value_stream(vs, depmap) for vs in impact.value_streams],
        "unmapped_files": list(impact.unmapped_files),
        "risk": {
            "computed": impact.risk.computed,
            "declared": impact.risk.declared,
            "level": impact.risk.level,
            "factors": list(impact.risk.factors),
        },
    }


def _policy(p: PolicyResult) -> dict[str, Any]:
    return {
        "id": p.id,
        "layer": p.layer,
        "matched": p.matched,
        "severity": p.severity,
        "description": p.description,
        "reason": p.reason,
        "waived": p.waived,
    }


def _requirement(r: Requirement) -> dict[str, Any]:
    out: dict[str, Any] = {
        "kind": r.kind,
        "target": r.target,
        "policy": r.policy,
        "layer": r.layer,
        "severity": r.severity,
        "status": r.status,
        "detail": r.detail,
        "fix": r.fix,
    }
    if r.kind == "approval":
        out["count"] = r.count
        out["approvers"] = list(r.approvers)
        out["eligible"] = list(r.eligible)
    if r.also_required_by:
        out["also_required_by"] = list(r.also_required_by)
    if r.waiver is not None:
        out["waiver"] = {"reason": r.waiver.reason, "expires": r.waiver.expires}
    if r.vetoed_by:
        out["vetoed_by"] = list(r.vetoed_by)
    return out


def _review(o: ReviewOutcome) -> dict[str, Any]:
    return {"user": o.user, "state": o.state, "commit": o.commit, "reason": o.reason, "detail": o.detail,
            "made_stale_by": list(o.made_stale_by), "requirements": list(o.requirements)}


def _finding(f: Finding) -> dict[str, Any]:
    return {"level": f.level, "code": f.code, "message": f.message, "file": f.file, "line": f.line}


def to_dict(decision: Decision) -> dict[str, Any]:
    """The decision as the plain dict that `render` serialises. `schedule` is there only
    when a policy has a schedule (`match.during`)."""
    change = decision.change
    out: dict[str, Any] = {
        "version": SCHEMA_VERSION,
        "decision": decision.decision,
        "change": {
            "file": change.file,
            "title": change.title,
            "type": change.type,
            "owner": change.owner,
            "summary": change.summary,
        },
        "diff": {"base": decision.base, "head": decision.head, "files": decision.files},
        "impact": impact_to_dict(decision.impact, decision.depmap),
        "policies": [_policy(p) for p in decision.policies],
        "requirements": [_requirement(r) for r in decision.requirements],
        "findings": [_finding(f) for f in decision.findings],
    }
    if decision.schedule is not None:
        out["schedule"] = schedule_dict(decision.schedule)
    out["summary"] = summary(decision)
    if decision.reviews:  # only when there is something to say: older outputs stay as they were
        out["ignored_reviews"] = [_review(o) for o in decision.reviews]
    return out


def dumps(data: Any) -> str:
    """`data` as changegate writes JSON: the top two levels and every list of objects indented
    by 2 spaces, each object in such a list (one requirement, one impacted component…) on
    one line; UTF-8, trailing newline.

    One item a line keeps big decisions readable and diffable, and lets the C encoder write
    each item: `indent=` alone falls back to the pure-Python encoder, several times slower
    on an enterprise-sized decision."""
    return json_text(_dumps(data, 0) + "\n")


def _dumps(value: Any, depth: int) -> str:
    if depth < 2 and isinstance(value, dict) and value:
        pad = "  " * (depth + 1)
        items = [f"{pad}{json.dumps(k, ensure_ascii=False)}: {_dumps(v, depth + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + "  " * depth + "}"
    if isinstance(value, list) and value and isinstance(value[0], dict):
        pad = "  " * (depth + 1)
        return "[\n" + ",\n".join(pad + _dumps(v, depth + 1) for v in value) + "\n" + "  " * depth + "]"
    return json.dumps(value, ensure_ascii=False)


def render(decision: Decision, *, template: Path | None = None) -> str:
    """The decision as JSON text (SPEC §6); `template` is for markdown (JSON has none)."""
    return dumps(to_dict(decision))


def render_impact(impact: Impact, depmap: DepMap) -> str:
    """An impact alone as JSON text (for `changegate impact --format json`)."""
    return dumps(impact_to_dict(impact, depmap))
