"""`changegate board --output DIR`: the change board, a static site built from the change
records (git notes under refs/notes/changegate), the default branch's history (reverts) and
the manifests at its tip (`pir` done, `fixes:` added later)."""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass, field
from pathlib import Path

from changegate import model as models
from changegate.errors import InputError
from changegate.load.gate import GateFiles, find_root, load_gate

DEFAULT_WEEKS = 12
#: How far ahead the board lists freeze windows.
FREEZE_DAYS = 30


@dataclass(frozen=True)
class BoardOptions:
    """The options of `changegate board`."""

    output: str
    since: str | None = None
    today: str | None = None
    ref: str = "HEAD"
    repository: str | None = None
    config: str | None = None
    root: Path = field(default_factory=lambda: find_root(Path.cwd()))


def board(options: BoardOptions) -> int:
    """Write the site into `options.output`; 0 when written (exit 2 on bad input)."""
    from changegate.core.board import build_board
    from changegate.report import board as site
    from changegate.sources.records import read_history

    today = _date(options.today, "--today") or dt.datetime.now(dt.UTC).date()
    since = _date(options.since, "--since") or today - dt.timedelta(weeks=DEFAULT_WEEKS)
    if options.repository and not site.valid_repository(options.repository):
        raise InputError(f"--repository {options.repository!r} is not a GitHub OWNER/NAME", "command line")
    gate = load_gate(options.root, options.config)
    history = read_history(options.root, options.ref, gate.config.changes)
    result = build_board(history.records, history.commits, history.extra_fixes, gate.depmap, today, since,
                         freeze_windows(gate, today))
    files = site.render(result, gate.depmap, repository=options.repository, problems=history.problems)
    out = Path(options.output)
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            (out / name).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write the board: {exc.strerror or exc}", str(out)) from None
    for problem in history.problems:
        sys.stderr.write(f"changegate board: warning: {problem}\n")
    sys.stderr.write(f"changegate board: {len(result.changes)} changes since {since.isoformat()} "
                     f"({len(history.records)} recorded) -> {out / 'index.html'}\n")
    return 0


def freeze_windows(gate: GateFiles, today: dt.date) -> tuple[models.BoardFreeze, ...]:
    """The freeze windows (policies with `match.during`, SPEC §10) open on `today` or in the
    FREEZE_DAYS after it, per value stream; none when no policy has a schedule (the board
    then leaves the section out)."""
    from changegate.core.freezes import upcoming_windows
    from changegate.report.freezes import wall

    low = dt.datetime.combine(today, dt.time(), tzinfo=dt.UTC)
    day_end = low + dt.timedelta(days=1)
    found = upcoming_windows(gate.policies, low, low + dt.timedelta(days=FREEZE_DAYS))
    return tuple(models.BoardFreeze(
        policy=w.policy,
        description=_freeze_description(w),
        start=f"{wall(w.window.start)} {w.timezone}",
        end=f"{wall(w.window.end)} {w.timezone}",
        active=w.window.start < day_end and w.window.end > low,
    ) for w in found)


def _freeze_description(window: models.UpcomingWindow) -> str:
    types = ", ".join(window.change_types) if window.change_types else "every change type"
    way = ("final" if window.final else
           f"waivable by {', '.join(window.waivable_by)}" if window.waivable_by else "not waivable")
    return f"{window.value_stream or 'all value streams'}: {types}; {way}"


def _date(value: str | None, option: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{option}: {value!r} is not a YYYY-MM-DD date", "command line") from None
