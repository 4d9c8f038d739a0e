"""`changegate schedule` output (SPEC §10): the freeze windows of a span per value stream,
as text and as JSON (`schemas/schedule.schema.json`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from changegate.model import DepMap, UpcomingWindow
from changegate.report import escape
from changegate.report.freezes import instant, wall
from changegate.report.json_report import dumps

SCHEMA_VERSION = 1


def _groups(windows: Sequence[UpcomingWindow]) -> list[tuple[str | None, list[UpcomingWindow]]]:
    groups: dict[str | None, list[UpcomingWindow]] = {}
    for window in windows:
        groups.setdefault(window.value_stream, []).append(window)
    return list(groups.items())


def _entry(window: UpcomingWindow) -> dict[str, Any]:
    return {
        "policy": window.policy,
        "layer": window.layer,
        "severity": window.severity,
        "timezone": window.timezone,
        "start": instant(window.window.start),
        "end": instant(window.window.end),
        "change_types": list(window.change_types) if window.change_types is not None else None,
        "deny": window.deny,
        "waivable_by": list(window.waivable_by),
        "final": window.final,
    }


def render_json(windows: Sequence[UpcomingWindow], depmap: DepMap, low: dt.datetime, high: dt.datetime) -> str:
    """The span and its windows as JSON: `value_streams` (one entry per value stream with a
    window) and `all` (windows of policies that name no value stream)."""
    streams = []
    every: list[dict[str, Any]] = []
    for stream, listed in _groups(windows):
        if stream is None:
            every = [_entry(w) for w in listed]
            continue
        known = depmap.value_streams.get(stream)
        streams.append({"id": stream, "name": known.name if known and known.name else stream,
                        "windows": [_entry(w) for w in listed]})
    return dumps({"version": SCHEMA_VERSION, "from": instant(low), "to": instant(high),
                  "value_streams": streams, "all": every})


def render_text(windows: Sequence[UpcomingWindow], depmap: DepMap, low: dt.datetime, high: dt.datetime) -> str:
    """The span and its windows for a terminal, grouped by value stream."""
    lines = [f"Change schedule {instant(low)} → {instant(high)}"]
    if not windows:
        lines.append("  no freeze window in this span")
    for stream, listed in _groups(windows):
        lines.append("")
        lines.append(escape.terminal(stream) if stream is not None else "all value streams")
        for w in listed:
            types = ", ".join(w.change_types) if w.change_types is not None else "all change types"
            how = "final" if w.final else (f"waivable by {', '.join(w.waivable_by)}" if w.waivable_by
                                           else "not waivable")
            lines.append(f"  {wall(w.window.start)} → {wall(w.window.end)} {escape.terminal(w.timezone)}  "
                         f"{escape.terminal(w.policy)} ({escape.terminal(types)}; {escape.terminal(how)})")
    return "\n".join(lines) + "\n"
