"""`changegate schedule`: the freeze windows (`match.during`, SPEC §10) of the next days,
per value stream — what a change manager plans releases around."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from changegate.commands.check import parse_instant, parse_now
from changegate.commands.output import write_output
from changegate.errors import InputError

MAX_DAYS = 366


@dataclass(frozen=True)
class ScheduleOptions:
    """The options of `changegate schedule`."""

    start: str | None = None  # --from: YYYY-MM-DD (00:00 UTC) or a date-time with an offset; None: now
    days: int = 30
    fmt: str = "text"
    config: str | None = None
    root: Path = field(default_factory=Path.cwd)


def schedule(options: ScheduleOptions) -> int:
    """Write the windows of the span in the chosen format; 0."""
    from changegate import report
    from changegate.core.freezes import upcoming_windows
    from changegate.load.gate import find_root, load_gate

    if not 1 <= options.days <= MAX_DAYS:
        raise InputError(f"--days: {options.days} is not from 1 to {MAX_DAYS}", "command line")
    low = span_start(options.start)
    high = low + dt.timedelta(days=options.days)
    gate = load_gate(find_root(options.root), options.config)
    windows = upcoming_windows(gate.policies, low, high)
    write_output(report.render_schedule(options.fmt, windows, gate.depmap, low, high), None)
    return 0


def span_start(value: str | None) -> dt.datetime:
    """`--from`: a date (its 00:00 UTC), a date-time with an offset, or (None) now."""
    if value is None:
        return parse_now(None)
    if len(value) != 10:
        return parse_instant(value, "--from")
    try:
        start = dt.datetime.combine(dt.date.fromisoformat(value), dt.time(), dt.UTC)
    except ValueError:
        raise InputError(f"--from: {value!r} is not a YYYY-MM-DD date", "command line") from None
    if not 1900 <= start.year <= 9000:
        raise InputError(f"--from: {value!r} is outside the years 1900–9000", "command line")
    return start
