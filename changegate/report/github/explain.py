"""Turn a Decision into annotations and the plain-text explanation shown in a log group."""

from __future__ import annotations

from changegate import model as models
from changegate.report.escape import terminal
from changegate.report.github import workflow

_STATUS_MARK = {"satisfied": "ok", "waived": "waived", "missing": "MISSING", "failed": "FAILED"}


def annotation_lines(decision: models.Decision) -> list[str]:
    """One workflow-command line per finding and per unmet requirement.

    Findings go on their own file and line; unmet requirements on the manifest (line 1),
    or on no file when the change has no manifest.
    """
    lines: list[str] = []
    for finding in decision.findings:
        lines.append(
            workflow.annotation(
                finding.level,
                finding.message,
                file=finding.file,
                line=finding.line,
                title=f"changegate: {finding.code}",
            )
        )
    manifest = decision.change.file
    for req in decision.requirements:
        if req.status not in ("missing", "failed"):
            continue
        level = "error" if req.severity == "error" else "warning"
        message = req.detail if not req.fix else f"{req.detail}\nTo fix: {req.fix}"
        lines.append(
            workflow.annotation(
                level,
                message,
                file=manifest,
                line=1 if manifest else 0,
                title=f"changegate: {req.kind} {req.target} {req.status} ({req.policy})",
            )
        )
    return lines


def explanation(decision: models.Decision) -> list[str]:
    """The why of the decision, line by line: impact with its `via` chains, the policies
    that matched and why, and every requirement with its status."""
    impact = decision.impact
    out = [
        f"decision: {decision.decision}",
        f"change: {terminal(decision.change.file or '(no manifest)')}: {terminal(decision.change.title or '')}",
        f"diff: {decision.base or '?'}...{decision.head or '?'} ({decision.files} files)",
        f"risk: {impact.risk.level} (computed {impact.risk.computed}"
        + (f", declared {impact.risk.declared})" if impact.risk.declared else ")"),
    ]
    out += [f"  risk factor: {terminal(f)}" for f in impact.risk.factors]
    out.append("impacted components:")
    out += [f"  {c.id}{' (touched)' if c.touched else ''}  via {' -> '.join(c.via)}"
            for c in impact.impacted_components]
    out.append("value streams:")
    out += [f"  {v.id} [{v.criticality}] owners {', '.join(v.owners)}  via {' -> '.join(v.via)}"
            for v in impact.value_streams]
    if impact.unmapped_files:
        out.append("unmapped files:")
        out += [f"  {terminal(path)}" for path in impact.unmapped_files]
    out.append("policies:")
    for policy in decision.policies:
        state = "waived" if policy.waived else ("matched" if policy.matched else "not matched")
        reason = terminal(policy.reason)
        if reason and not reason.startswith(state):
            reason = f"{state}: {reason}"
        waived = " [waived]" if policy.waived and not reason.startswith("waived") else ""
        out.append(f"  {policy.id} ({policy.layer}, {policy.severity}){waived}: {reason or state}")
    out.append("requirements:")
    for req in decision.requirements:
        mark = _STATUS_MARK.get(req.status, req.status)
        line = f"  [{mark}] {req.kind} {req.target} ({req.policy}, {req.severity}): {terminal(req.detail)}"
        if req.approvers:
            line += f"; approved by {', '.join(req.approvers)}"
        if req.status in ("missing", "failed") and req.fix:
            line += f"; to fix: {terminal(req.fix)}"
        if req.waiver is not None:
            line += f"; waived until {req.waiver.expires}: {terminal(req.waiver.reason)}"
        out.append(line)
    if decision.findings:
        out.append("findings:")
        for finding in decision.findings:
            where = f"{terminal(finding.file)}:{finding.line}: " if finding.file and finding.line else (
                f"{terminal(finding.file)}: " if finding.file else ""
            )
            out.append(f"  {finding.level} {finding.code}: {where}{terminal(finding.message)}")
    return out
