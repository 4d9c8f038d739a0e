"""The decision as a GitHub markdown summary (job summary and sticky PR comment).

Rendered from a Jinja2 template, `changegate/templates/summary.md.j2` by default or a
user's own file. Escaping is on by default in a markdown sense: every `{{ ... }}`
output goes through `escape.md` unless it is a `Safe` string built here (the Mermaid
graph and the @-mentions of the map's own `github_team` slugs), so a template that
forgets the `md` filter still cannot let a pull request write a link, image, HTML
element or mention. Templates run in Jinja's sandbox.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jinja2
import jinja2.sandbox

from changegate.core.decide import is_blocking
from changegate.errors import InputError
from changegate.model import Component, Decision, Requirement, ValueStream
from changegate.report import diagrams, escape, freezes
from changegate.report.github.comment import MARKER, with_marker
from changegate.report.json_report import to_dict
from changegate.report.text import closing_line

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"
DEFAULT_TEMPLATE = "summary.md.j2"

# A GitHub team slug "org/team": the only thing the summary ever @-mentions.
_GITHUB_TEAM = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,99})$")


class Safe(str):
    """Text already made safe for markdown; template output leaves it as it is."""


def _md(value: Any) -> Safe:
    if isinstance(value, Safe):
        return value
    return Safe(escape.md("" if value is None else value))


def _join(values: Any, sep: str = ", ") -> Safe:
    return Safe(sep.join(_md(v) for v in values))


def _team_label(decision: Decision, team_id: str) -> str:
    team = decision.depmap.teams.get(team_id)
    return team.name if team is not None and team.name else team_id


def _mention(decision: Decision, team_id: str) -> Safe:
    """`@org/team` when the map gives the team a valid GitHub team slug, else its name."""
    team = decision.depmap.teams.get(team_id)
    if team is not None and team.github_team and _GITHUB_TEAM.match(team.github_team):
        return Safe("@" + team.github_team)
    return _md(_team_label(decision, team_id))


def _requirement(decision: Decision, req: Requirement) -> dict[str, Any]:
    if req.status == "waived":
        group = "waived"
    elif req.status == "satisfied":
        group = "satisfied"
    else:
        group = "blocking" if is_blocking(req) else "warning"
    return {
        "req": req,
        "group": group,
        "checked": req.status in ("satisfied", "waived"),
        "kind": req.kind,
        "target": req.target,
        "status": req.status,
        "severity": req.severity,
        "policy": req.policy,
        "layer": req.layer,
        "detail": req.detail,
        "fix": req.fix,
        "waiver": req.waiver,
        "also_required_by": list(req.also_required_by),
    }


def _approver_team(decision: Decision, req: Requirement) -> str:
    kind, _, ident = req.target.partition(":")
    if kind == "team":
        return _team_label(decision, ident)
    owned: ValueStream | Component | None = None
    if kind == "value_stream":
        owned = decision.depmap.value_streams.get(ident)
    elif kind == "component":
        owned = decision.depmap.components.get(ident)
    if owned is None:
        return req.target
    return f"owners of {owned.name or ident}: " + ", ".join(_team_label(decision, t) for t in owned.owners)


def context(decision: Decision) -> dict[str, Any]:
    """Everything the template sees (the contract for users' own templates).

    marker, icon, verdict ("PASS"/"FAIL"), closing (the final text line); decision (the
    Decision), data (its JSON dict), change, diff {base, head, files}, impact, risk;
    value_streams [{id, name, criticality, owners (team names), via (component chain)}];
    graph (Mermaid source, safe) and graph_omitted; requirements [{req, group
    (blocking|warning|waived|satisfied), checked, kind, target, status, severity, policy,
    layer, detail, fix, waiver, also_required_by}], blocking (count); approvals [{target,
    who, count, status, approvers, eligible, done}]; consulted (safe @org/team mentions or
    names), informed (names); findings; schedule (None without match.during, else {now,
    freezes [{policy, start, end, timezone, way_through, waived}], next_allowed}). Filters: `md` and `join_md(sep)`.
    """
    dmap = decision.depmap
    graph = diagrams.impact_graph(decision.impact, dmap)
    streams = []
    consulted: dict[str, Safe] = {}
    informed: dict[str, str] = {}
    for vs in decision.impact.value_streams:
        known = dmap.value_streams.get(vs.id)
        for team_id in known.consulted if known is not None else ():
            consulted.setdefault(team_id, _mention(decision, team_id))
        for team_id in known.informed if known is not None else ():
            informed.setdefault(team_id, _team_label(decision, team_id))
        streams.append(
            {
                "id": vs.id,
                "name": known.name if known is not None and known.name else vs.id,
                "criticality": vs.criticality,
                "owners": [_team_label(decision, t) for t in vs.owners],
                "via": list(vs.via[:-1] if len(vs.via) > 1 else vs.via),
            }
        )
    requirements = [_requirement(decision, r) for r in decision.requirements]
    order = {"blocking": 0, "warning": 1, "waived": 2, "satisfied": 3}
    requirements.sort(key=lambda r: order[r["group"]])
    approvals = [
        {
            "target": r.target,
            "who": _approver_team(decision, r),
            "count": r.count,
            "status": r.status,
            "approvers": list(r.approvers),
            "eligible": list(r.eligible),
            "done": r.status in ("satisfied", "waived"),
        }
        for r in decision.requirements
        if r.kind == "approval"
    ]
    return {
        "marker": Safe(MARKER),
        "decision": decision,
        "data": to_dict(decision),
        "verdict": decision.decision.upper(),
        "icon": Safe("✅" if decision.decision == "pass" else "❌"),
        "change": decision.change,
        "diff": {"base": decision.base, "head": decision.head, "files": decision.files},
        "impact": decision.impact,
        "risk": decision.impact.risk,
        "value_streams": streams,
        "graph": Safe(diagrams.mermaid_flowchart(graph)),
        "graph_omitted": graph.omitted,
        "requirements": requirements,
        "blocking": sum(1 for r in requirements if r["group"] == "blocking"),
        "approvals": approvals,
        "consulted": list(consulted.values()),
        "informed": list(informed.values()),
        "findings": list(decision.findings),
        "closing": closing_line(decision),
        "schedule": _schedule(decision),
    }


def _schedule(decision: Decision) -> dict[str, Any] | None:
    status = decision.schedule
    if status is None:
        return None
    return {
        "now": freezes.instant(status.now),
        "freezes": [{"policy": f.policy, "start": freezes.wall(f.window.start), "end": freezes.wall(f.window.end),
                     "timezone": f.timezone, "way_through": freezes.way_through(f), "waived": f.waived}
                    for f in status.active_freezes],
        "next_allowed": freezes.next_allowed(status),
    }


def _environment(loader: jinja2.BaseLoader) -> jinja2.Environment:
    env = jinja2.sandbox.SandboxedEnvironment(
        loader=loader,
        autoescape=False,
        finalize=_md,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = _md
    env.filters["join_md"] = _join
    return env


def render(decision: Decision, *, template: Path | None = None) -> str:
    """The decision as GitHub markdown, starting with the hidden summary marker.

    `template` names a user's own Jinja2 file; a template that cannot be read, parsed or
    rendered is an input error naming it.
    """
    if template is None:
        env = _environment(jinja2.FileSystemLoader(str(TEMPLATE_DIR)))
        name, shown = DEFAULT_TEMPLATE, DEFAULT_TEMPLATE
    else:
        env = _environment(jinja2.FileSystemLoader(str(template.parent)))
        name, shown = template.name, str(template)
    try:
        text = env.get_template(name).render(context(decision))
    except jinja2.TemplateSyntaxError as exc:
        raise InputError(f"template syntax error: {exc.message}", shown, exc.lineno or 0) from exc
    except jinja2.TemplateNotFound as exc:
        raise InputError("template not found", shown) from exc
    except (jinja2.TemplateError, OSError, UnicodeDecodeError) as exc:
        raise InputError(f"template failed to render: {exc}", shown) from exc
    text = with_marker(text)
    return text if text.endswith("\n") else text + "\n"
