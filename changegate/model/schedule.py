"""The change schedule (SPEC §10): a policy's `match.during` — the windows in which it
applies — and what the decision says about the freezes open when the change was checked.

Window times are local wall-clock times (naive datetimes) in the schedule's zone; the core
turns them into instants. The zone is carried as a loaded `tzinfo`: the loader reads the
time zone database, the core never does."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

__all__ = [
    "ActiveFreeze",
    "FreezeWindow",
    "NominalDuration",
    "OneOffWindow",
    "RecurringWindow",
    "Schedule",
    "ScheduleStatus",
    "UpcomingWindow",
]


@dataclass(frozen=True)
class NominalDuration:
    """An RFC 5545 duration: `days` (weeks included) are nominal — the same wall-clock time
    that many local days later, whatever daylight saving does — and `seconds` (hours,
    minutes, seconds) are exact elapsed time, added after the days."""

    days: int = 0
    seconds: int = 0
    text: str = ""  # as written, e.g. "P1D"


@dataclass(frozen=True)
class OneOffWindow:
    """A window from `start` (inclusive) to `end` (exclusive), local wall-clock times."""

    start: _dt.datetime
    end: _dt.datetime
    line: int = 0


@dataclass(frozen=True)
class RecurringWindow:
    """Windows that open at each occurrence of an RFC 5545 RRULE (from `dtstart`, local
    wall-clock time) and stay open for `duration`."""

    rrule: str
    dtstart: _dt.datetime
    duration: NominalDuration
    line: int = 0


@dataclass(frozen=True)
class Schedule:
    """`match.during`: the policy applies only while one of its windows is open."""

    timezone: str  # the IANA zone name, as written
    tz: _dt.tzinfo  # that zone, loaded
    windows: tuple[OneOffWindow | RecurringWindow, ...]


@dataclass(frozen=True)
class FreezeWindow:
    """One concrete window: `[start, end)` as aware datetimes in the schedule's zone."""

    start: _dt.datetime
    end: _dt.datetime


@dataclass(frozen=True)
class ActiveFreeze:
    """A policy with a schedule whose window is open at `now` and whose other match keys
    hold for the change."""

    policy: str
    layer: str
    severity: str
    timezone: str
    window: FreezeWindow
    waivable_by: tuple[str, ...] = ()
    final: bool = False
    waived: bool = False
    deny: str | None = None


@dataclass(frozen=True)
class ScheduleStatus:
    """What the decision says about the change schedule: the clock it was checked at, the
    freezes open then, and the first instant no freeze that applies to the change is open
    (`next_allowed`; None when that is beyond `horizon_days`)."""

    now: _dt.datetime
    active_freezes: tuple[ActiveFreeze, ...]
    next_allowed: _dt.datetime | None
    horizon_days: int


@dataclass(frozen=True)
class UpcomingWindow:
    """A window of a policy's schedule in a span of time (`changegate schedule`), under the
    value stream it is listed for (None: the policy names no value stream, so all)."""

    value_stream: str | None
    policy: str
    layer: str
    severity: str
    timezone: str
    window: FreezeWindow
    change_types: tuple[str, ...] | None = None  # None: every type
    waivable_by: tuple[str, ...] = ()
    final: bool = False
    deny: str | None = None
