"""The change board as a static site: `index.html` (Jinja2, autoescaped) and `style.css`.

No JavaScript, no external request: the page carries a Content-Security-Policy that allows
only its own stylesheet and `data:` images, and its charts are SVG drawn here. Every text
from a manifest, a note or the map goes through autoescaping after its control characters
are stripped; the only URL built from data is a pull request's link, from a repository name
that matches GitHub's shape and a number.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from changegate.model import Board, BoardChange, DepMap, StreamSummary
from changegate.report import escape as inert

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates" / "board"
CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:"
_REPOSITORY = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$")
TIMELINE_LIMIT = 25  # changes listed per value stream; the numbers count all of them
_BAR_W, _BAR_GAP, _CHART_H = 12, 3, 48


def valid_repository(name: str) -> bool:
    """True for a GitHub `owner/name` (the only thing a pull-request link is built from)."""
    return bool(_REPOSITORY.match(name)) and ".." not in name


def pull_request_url(repository: str | None, number: int | None) -> str | None:
    """`https://github.com/OWNER/NAME/pull/N`, or None when either part is missing or invalid."""
    if not repository or number is None or not valid_repository(repository) or not 0 < number < 10**9:
        return None
    return f"https://github.com/{repository}/pull/{int(number)}"


def week_chart(summary: StreamSummary) -> Markup:
    """Changes per week as an inline SVG bar chart (numbers and dates only, plus the
    escaped stream name in its label)."""
    weeks = summary.weeks
    top = max([count for _, count in weeks] + [1])
    width = max(len(weeks), 1) * (_BAR_W + _BAR_GAP)
    parts = [f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{_CHART_H + 2}" '
             f'viewBox="0 0 {width} {_CHART_H + 2}" role="img" '
             f'aria-label="{escape(inert.terminal(summary.name))}: changes per week">']
    for i, (monday, count) in enumerate(weeks):
        height = round(_CHART_H * count / top) if count else 0
        x = i * (_BAR_W + _BAR_GAP)
        parts.append(f'<rect class="base" x="{x}" y="{_CHART_H}" width="{_BAR_W}" height="2"/>')
        if height:
            parts.append(f'<rect class="bar" x="{x}" y="{_CHART_H - height}" width="{_BAR_W}" height="{height}">'
                         f'<title>week of {monday.isoformat()}: {count}</title></rect>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _finalize(value: Any) -> Any:
    """Every value a template prints: control and bidi characters out (Markup built here
    stays as it is); autoescaping then makes it inert HTML."""
    if isinstance(value, Markup) or not isinstance(value, str):
        return value
    return inert.terminal(value)


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)), autoescape=True,
                             undefined=jinja2.StrictUndefined, finalize=_finalize, trim_blocks=True,
                             lstrip_blocks=True)
    env.filters["percent"] = lambda part, whole: f"{round(100 * part / whole)}%" if whole else "–"
    return env


def _team(depmap: DepMap, team_id: str) -> dict[str, Any]:
    team = depmap.teams.get(team_id)
    return {"id": team_id, "name": (team.name if team and team.name else team_id),
            "members": list(team.members) if team else []}


def _change(change: BoardChange, repository: str | None) -> dict[str, Any]:
    record = change.record
    return {"c": change, "r": record, "url": pull_request_url(repository, record.pull_request),
            "merged": record.merged_at.date().isoformat(), "short": record.commit[:12]}


def render(board: Board, depmap: DepMap, *, repository: str | None = None,
           problems: tuple[str, ...] = ()) -> dict[str, str]:
    """The site's files: name -> text."""
    streams = [{"s": s, "chart": week_chart(s), "anchor": "vs-" + (s.id or "none"),
                "changes": [_change(c, repository) for c in s.changes[:TIMELINE_LIMIT]],
                "more": max(s.total - TIMELINE_LIMIT, 0),
                "accountable": [_team(depmap, t) for t in s.accountable],
                "consulted": [_team(depmap, t) for t in s.consulted],
                "informed": [_team(depmap, t) for t in s.informed]} for s in board.streams]
    html = _environment().get_template("index.html.j2").render(
        board=board, csp=CSP, streams=streams, problems=problems,
        emergencies=[_change(c, repository) for c in board.emergencies],
        total=len(board.changes), failed=sum(1 for c in board.changes if c.failed),
        emergency_count=sum(1 for c in board.changes if c.record.type == "emergency"))
    return {"index.html": html, "style.css": (TEMPLATE_DIR / "style.css").read_text(encoding="utf-8")}
