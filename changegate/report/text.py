"""The decision for a terminal: header, impact by value stream, requirements by outcome,
findings, and one closing line that says why.

Every string from the change or the map passes through `escape.terminal`, so nothing
a pull request writes can move the cursor, recolour the log or hide text.
"""

from __future__ import annotations

from changegate.model import Decision, DepMap, Finding, Impact, Requirement
from changegate.report import escape
from changegate.report.json_report import is_blocking

ARROW = " → "

_COLORS = {"red": "31", "green": "32", "yellow": "33", "blue": "34", "dim": "2", "bold": "1"}


class _Style:
    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, *names: str) -> str:
        if not self.color or not names:
            return text
        codes = ";".join(_COLORS[n] for n in names)
        return f"\x1b[{codes}m{text}\x1b[0m"


def _t(s: object) -> str:
    return escape.terminal(s)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _names(ids: tuple[str, ...] | list[str]) -> str:
    return ", ".join(_t(i) for i in ids) if ids else "—"


def _impact_lines(impact: Impact, depmap: DepMap | None, style: _Style) -> list[str]:
    risk = impact.risk
    declared = f", declared {risk.declared}" if risk.declared else ""
    lines = [style("Impact", "bold") + f"  risk {risk.level} (computed {risk.computed}{declared})"]
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
        lines.append(style("Value streams", "bold") + "  none affected")
        return lines
    lines.append(style("Value streams", "bold") + f"  {len(impact.value_streams)} affected")
    for vs in impact.value_streams:
        known = depmap.value_streams.get(vs.id) if depmap is not None else None
        name = known.name if known is not None and known.name else vs.id
        level = style(vs.criticality, "red" if vs.criticality in ("high", "critical") else "yellow")
        title = _t(name) if name == vs.id else f"{_t(name)} [{_t(vs.id)}]"
        lines.append(f"  {title}  {level}")
        people = f"    owners: {_names(vs.owners)}"
        if known is not None and known.consulted:
            people += f"   consulted: {_names(known.consulted)}"
        if known is not None and known.informed:
            people += f"   informed: {_names(known.informed)}"
        lines.append(people)
        chain = vs.via[:-1] if len(vs.via) > 1 else vs.via
        lines.append(f"    via: {ARROW.join(_t(v) for v in chain)}")
    return lines


def render_impact(impact: Impact, depmap: DepMap | None = None, color: bool = False) -> str:
    """An impact alone (for `changegate impact --format text`)."""
    return "\n".join(_impact_lines(impact, depmap, _Style(color))).rstrip("\n") + "\n"


def _requirement_lines(req: Requirement, mark: str, style: _Style, tone: str, brief: bool = False) -> list[str]:
    where = f"{_t(req.policy)}@{_t(req.layer)}"
    lines = [f"  {style(mark, tone)} {_t(req.target)}  {style(req.status, tone)}  {where}"]
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


def _finding_line(f: Finding, style: _Style) -> str:
    tone = {"error": "red", "warning": "yellow"}.get(f.level, "blue")
    where = ""
    if f.file:
        where = f" ({_t(f.file)}:{f.line})" if f.line else f" ({_t(f.file)})"
    return f"  {style(f.level, tone)} {_t(f.code)}: {_t(f.message)}{where}"


def closing_line(decision: Decision) -> str:
    """The last line, e.g. `changegate: FAIL — 4 blocking requirements, 1 error finding`."""
    blocking = sum(1 for r in decision.requirements if is_blocking(r))
    errors = sum(1 for f in decision.findings if f.level == "error")
    warnings = sum(
        1 for r in decision.requirements if r.severity == "warning" and r.status in ("missing", "failed")
    ) + sum(1 for f in decision.findings if f.level == "warning")
    parts = [_plural(blocking, "blocking requirement")]
    if errors:
        parts.append(_plural(errors, "error finding"))
    if warnings:
        parts.append(_plural(warnings, "warning"))
    return f"changegate: {decision.decision.upper()} — {', '.join(parts)}"


def render(decision: Decision, color: bool = False) -> str:
    """The decision as terminal text; `color` adds ANSI colours (ours only)."""
    style = _Style(color)
    verdict = style("PASS", "bold", "green") if decision.decision == "pass" else style("FAIL", "bold", "red")
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
    lines += _impact_lines(decision.impact, decision.depmap, style)

    groups = [
        ("Blocking", "✗", "red", [r for r in decision.requirements if is_blocking(r)]),
        ("Warnings", "!", "yellow", [
            r for r in decision.requirements if r.severity == "warning" and r.status in ("missing", "failed")
        ]),
        ("Satisfied", "✓", "green", [r for r in decision.requirements if r.status == "satisfied"]),
        ("Waived", "~", "blue", [r for r in decision.requirements if r.status == "waived"]),
    ]
    for title, mark, tone, reqs in groups:
        if not reqs:
            continue
        lines.append("")
        lines.append(style(f"{title} ({len(reqs)})", "bold"))
        for req in reqs:
            lines += _requirement_lines(req, mark, style, tone, brief=title == "Satisfied")
    if decision.findings:
        lines.append("")
        lines.append(style(f"Findings ({len(decision.findings)})", "bold"))
        lines += [_finding_line(f, style) for f in decision.findings]
    lines.append("")
    lines.append(closing_line(decision))
    return "\n".join(lines) + "\n"
