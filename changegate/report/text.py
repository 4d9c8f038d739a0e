"""The decision for a terminal: header, impact by value stream, requirements by outcome,
findings, and one closing line that says why.

Every string from the change or the map passes through `escape.terminal`, so nothing
a pull request writes can move the cursor, recolour the log or hide text.
"""

from __future__ import annotations

from pathlib import Path

from changegate.core.decide import is_blocking
from changegate.model import Decision, DepMap, Finding, Impact, Requirement, ScheduleStatus
from changegate.report import escape, freezes

ARROW = " → "


def _t(s: object) -> str:
    return escape.terminal(s)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _names(ids: tuple[str, ...] | list[str]) -> str:
    return ", ".join(_t(i) for i in ids) if ids else "—"


def _is_warning(req: Requirement) -> bool:
    """A warning-severity requirement that is missing or failed: it warns, never blocks."""
    return req.severity == "warning" and req.status in ("missing", "failed")


def _impact_lines(impact: Impact, depmap: DepMap) -> list[str]:
    risk = impact.risk
    declared = f", declared {risk.declared}" if risk.declared else ""
    lines = [f"Impact  risk {risk.level} (computed {risk.computed}{declared})"]
    for factor in risk.factors:
        lines.append(f"  · {_t(factor)}")
    lines.append(f"  touched components: {_names(impact.touched_components)}")
    lines.append(f"  changed interfaces: {_names(impact.changed_interfaces)}")
    others = [c for c in impact.impacted_components if not c.touched]
    lines.append(f"  impacted components: {_names([c.id for c in others])}")
    if impact.unmapped_files:
        lines.append(f"  unmapped files: {_names(impact.unmapped_files)}")
    lines.append("")
    if not impact.value_streams:
        lines.append("Value streams  none affected")
        return lines
    lines.append(f"Value streams  {len(impact.value_streams)} affected")
    for vs in impact.value_streams:
        known = depmap.value_streams.get(vs.id)
        name = known.name if known is not None and known.name else vs.id
        title = _t(name) if name == vs.id else f"{_t(name)} [{_t(vs.id)}]"
        lines.append(f"  {title}  {vs.criticality}")
        people = f"    owners: {_names(vs.owners)}"
        if known is not None and known.consulted:
            people += f"   consulted: {_names(known.consulted)}"
        if known is not None and known.informed:
            people += f"   informed: {_names(known.informed)}"
        lines.append(people)
        chain = vs.via[:-1] if len(vs.via) > 1 else vs.via
        lines.append(f"    via: {ARROW.join(_t(v) for v in chain)}")
    return lines


def render_impact(impact: Impact, depmap: DepMap) -> str:
    """An impact alone (for `changegate impact --format text`)."""
    return "\n".join(_impact_lines(impact, depmap)).rstrip("\n") + "\n"


def _requirement_lines(req: Requirement, mark: str, brief: bool = False) -> list[str]:
    where = f"{_t(req.policy)}@{_t(req.layer)}"
    lines = [f"  {mark} {_t(req.target)}  {req.status}  {where}"]
    if brief:  # satisfied requirements: one line each, the rest is in --format json
        if req.kind == "approval" and req.approvers:
            lines[0] += f"  (approved by {_names(req.approvers)})"
        return lines
    if req.detail:
        lines.append(f"      {_t(req.detail)}")
    if req.kind == "approval" and req.approvers:
        lines.append(f"      approved by: {_names(req.approvers)}")
    if req.waiver is not None:
        lines.append(f"      waived until {_t(req.waiver.expires)}: {_t(req.waiver.reason)}")
    elif req.status in ("missing", "failed") and req.fix:
        lines.append(f"      fix: {_t(req.fix)}")
    if req.also_required_by:
        lines.append(f"      also required by: {_names(req.also_required_by)}")
    return lines


def _finding_line(f: Finding) -> str:
    where = ""
    if f.file:
        where = f" ({_t(f.file)}:{f.line})" if f.line else f" ({_t(f.file)})"
    return f"  {f.level} {_t(f.code)}: {_t(f.message)}{where}"


def _schedule_lines(status: ScheduleStatus) -> list[str]:
    lines = ["", f"Change schedule (at {freezes.instant(status.now)})"]
    if not status.active_freezes:
        lines.append("  no freeze window is open")
    for freeze in status.active_freezes:
        window = f"{freezes.wall(freeze.window.start)} → {freezes.wall(freeze.window.end)} {_t(freeze.timezone)}"
        lines.append(f"  ❄ {_t(freeze.policy)}: frozen {window}")
        lines.append(f"      way through: {_t(freezes.way_through(freeze))}")
    lines.append(f"  next allowed: {_t(freezes.next_allowed(status))}")
    return lines


def closing_line(decision: Decision) -> str:
    """The last line, e.g. `changegate: FAIL — 4 blocking requirements, 1 error finding`."""
    blocking = sum(1 for r in decision.requirements if is_blocking(r))
    errors = sum(1 for f in decision.findings if f.level == "error")
    warnings = sum(1 for r in decision.requirements if _is_warning(r))
    warnings += sum(1 for f in decision.findings if f.level == "warning")
    parts = [_plural(blocking, "blocking requirement")]
    if errors:
        parts.append(_plural(errors, "error finding"))
    if warnings:
        parts.append(_plural(warnings, "warning"))
    return f"changegate: {decision.decision.upper()} — {', '.join(parts)}"


def render(decision: Decision, *, template: Path | None = None) -> str:
    """The decision as terminal text (`template` is for markdown: text has none)."""
    verdict = decision.decision.upper()
    change = decision.change
    if change.title is not None:
        head = f"{_t(change.title)} ({_t(change.type or '?')})"
        if change.file:
            head += f" — {_t(change.file)}"
    else:
        head = "no change manifest"
    lines = [f"changegate: {verdict}  {head}"]
    facts = []
    if change.owner:
        facts.append(f"owner: {_t(change.owner)}")
    rev = f"{_t(decision.base)}...{_t(decision.head)}, " if decision.base or decision.head else ""
    facts.append(f"diff: {rev}{_plural(decision.files, 'file')}")
    lines.append("  " + "   ".join(facts))
    if change.summary:
        lines.append(f"  {_t(change.summary)}")
    lines.append("")
    lines += _impact_lines(decision.impact, decision.depmap)
    if decision.schedule is not None:
        lines += _schedule_lines(decision.schedule)

    groups = [
        ("Blocking", "✗", [r for r in decision.requirements if is_blocking(r)]),
        ("Warnings", "!", [r for r in decision.requirements if _is_warning(r)]),
        ("Satisfied", "✓", [r for r in decision.requirements if r.status == "satisfied"]),
        ("Waived", "~", [r for r in decision.requirements if r.status == "waived"]),
    ]
    for title, mark, reqs in groups:
        if not reqs:
            continue
        lines.append("")
        lines.append(f"{title} ({len(reqs)})")
        for req in reqs:
            lines += _requirement_lines(req, mark, brief=title == "Satisfied")
    if decision.findings:
        lines.append("")
        lines.append(f"Findings ({len(decision.findings)})")
        lines += [_finding_line(f) for f in decision.findings]
    lines.append("")
    lines.append(closing_line(decision))
    return "\n".join(lines) + "\n"
