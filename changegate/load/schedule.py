"""A policy's `match.during` (SPEC §10): its time zone loaded and every window checked at
load time — the zone, the local times, the RRULE, the duration — each problem an input
error naming the file and line.

Zones come from the `tzdata` package (a runtime dependency), never from the operating
system's copy: the same changegate install decides the same on every runner, and a zone
name is looked up in tzdata's list before anything is opened, so a name is never a path."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

from changegate.core import schedule as core
from changegate.errors import InputError
from changegate.load.lines import Lines, PathKey
from changegate.load.schema import dotted
from changegate.model import OneOffWindow, RecurringWindow, Schedule

MAX_WINDOWS = 50  # windows one schedule may list
FIRST_YEAR, LAST_YEAR = 1900, 9000
_LOCAL = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2})?")


@cache
def _zone_names() -> frozenset[str]:
    listing = resources.files("tzdata").joinpath("zones").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in listing.splitlines() if line.strip())


@cache
def load_zone(name: str) -> dt.tzinfo:
    """The IANA zone `name` from the tzdata package; ValueError when tzdata has no such zone."""
    if name not in _zone_names():
        raise ValueError(f"unknown time zone {name!r}: use an IANA zone name such as Europe/Berlin "
                         "or America/New_York")
    with resources.files("tzdata.zoneinfo").joinpath(*name.split("/")).open("rb") as handle:
        return ZoneInfo.from_file(handle, key=name)


def local_time(text: str) -> dt.datetime:
    """A local wall-clock time `YYYY-MM-DDTHH:MM[:SS]` (no offset: the schedule's zone
    gives it); ValueError otherwise."""
    if not _LOCAL.fullmatch(text):
        raise ValueError(f"{text!r} is not a local date-time YYYY-MM-DDTHH:MM[:SS] (no offset: "
                         "the schedule's timezone says where)")
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a real date and time") from None
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"{text!r} is outside the years {FIRST_YEAR}–{LAST_YEAR}")
    return value


def load_schedule(raw: dict[str, Any], file: str, lines: Lines, at: PathKey,
                  errors: list[InputError]) -> Schedule | None:
    """The schedule of `raw` (schema-valid `match.during`), or None with its errors added."""
    before = len(errors)

    def fail(where: PathKey, message: str) -> None:
        errors.append(InputError(f"{dotted(where)}: {message}", file, lines.line(where)))

    tz: dt.tzinfo | None = None
    try:
        tz = load_zone(raw["timezone"])
    except ValueError as err:
        fail(at + ("timezone",), str(err))
    if len(raw["windows"]) > MAX_WINDOWS:
        fail(at + ("windows",), f"{len(raw['windows'])} windows; at most {MAX_WINDOWS}")
        return None
    windows: list[OneOffWindow | RecurringWindow] = []
    for index, entry in enumerate(raw["windows"]):
        where = at + ("windows", index)
        window = _window(entry, where, lines.line(where), tz, fail)
        if window is not None:
            windows.append(window)
    if len(errors) > before or tz is None:
        return None
    return Schedule(timezone=raw["timezone"], tz=tz, windows=tuple(windows))


def _window(entry: dict[str, Any], where: PathKey, line: int, tz: dt.tzinfo | None,
            fail: Callable[[PathKey, str], None]) -> OneOffWindow | RecurringWindow | None:
    if "rrule" in entry:
        return _recurring(entry, where, line, tz, fail)
    times: list[dt.datetime] = []
    for key in ("start", "end"):
        try:
            times.append(local_time(entry[key]))
        except ValueError as err:
            fail(where + (key,), str(err))
    if len(times) < 2:
        return None
    start, end = times
    if tz is not None and core.instant(end, tz) <= core.instant(start, tz):
        fail(where + ("end",), f"end {entry['end']} is not after start {entry['start']} in {tz}: "
                               "a window is [start, end)")
        return None
    return OneOffWindow(start, end, line)


def _recurring(entry: dict[str, Any], where: PathKey, line: int, tz: dt.tzinfo | None,
               fail: Callable[[PathKey, str], None]) -> RecurringWindow | None:
    problem = core.rrule_error(entry["rrule"])
    if problem:
        fail(where + ("rrule",), problem)
    dtstart = duration = None
    try:
        dtstart = local_time(entry["dtstart"])
    except ValueError as err:
        fail(where + ("dtstart",), str(err))
    try:
        duration = core.parse_duration(entry["duration"])
    except ValueError as err:
        fail(where + ("duration",), str(err))
    if problem or dtstart is None or duration is None:
        return None
    window = RecurringWindow(entry["rrule"], dtstart, duration, line)
    if tz is not None:
        try:
            first = core.first_window(window, tz)
        except core.ScheduleLimitError as err:
            fail(where + ("rrule",), str(err))
            return None
        if first is None:
            fail(where + ("rrule",), f"the rule opens no window in the 400 years from dtstart {entry['dtstart']}")
            return None
    return window
