"""Freeze windows in time (SPEC §10): which windows of a schedule are open at an instant,
and when the freezes that apply to a change next lift.

Times follow RFC 5545: window starts and ends are local wall-clock times in the schedule's
zone; a local time that does not exist (the hour skipped when daylight saving starts) or
that exists twice (the hour repeated when it ends) means the instant with the UTC offset
from before the change. A duration's days and weeks are nominal (P1D: the same wall-clock
time the next day, 23 or 25 hours across a change), its hours, minutes and seconds exact.
Windows are half-open: `[start, end)`. Every comparison is between UTC instants.

Recurrence comes from python-dateutil's rrule. Its iteration is only ever asked for
occurrences near the instants that matter, with a bounded cost (see `_starts`).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Iterator, Sequence

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY, rrulestr

from changegate.model import FreezeWindow, NominalDuration, OneOffWindow, RecurringWindow, Schedule

__all__ = [
    "ALLOWED_FREQUENCIES",
    "MAX_DURATION_DAYS",
    "MAX_OCCURRENCES",
    "ScheduleLimitError",
    "first_window",
    "freeze_lifts",
    "open_windows",
    "parse_duration",
    "rrule_error",
    "windows_between",
]

UTC = dt.UTC
ALLOWED_FREQUENCIES = ("YEARLY", "MONTHLY", "WEEKLY", "DAILY")
MAX_DURATION_DAYS = 366  # a window longer than a year is no schedule
MAX_OCCURRENCES = 10_000  # occurrences one search may visit; past it: ScheduleLimitError
MAX_INTERVAL = 1000
_RRULE_KEYS = frozenset({"FREQ", "INTERVAL", "UNTIL", "BYMONTH", "BYWEEKNO", "BYYEARDAY", "BYMONTHDAY",
                         "BYDAY", "BYHOUR", "BYMINUTE", "BYSETPOS", "WKST"})
_RRULE_PART = re.compile(r"[A-Z]+=[A-Za-z0-9,+\-]+")
_UNTIL = re.compile(r"[0-9]{8}(T[0-9]{6})?")
_DURATION = re.compile(r"P(?:(\d{1,4})W)?(?:(\d{1,4})D)?(?:T(?:(\d{1,5})H)?(?:(\d{1,6})M)?(?:(\d{1,7})S)?)?")
_CYCLE_YEARS = 400  # the Gregorian calendar repeats every 400 years, weekdays included
_LAST_YEAR = dt.MAXYEAR - 1
_FREQUENCIES = {"YEARLY": YEARLY, "MONTHLY": MONTHLY, "WEEKLY": WEEKLY, "DAILY": DAILY}


class ScheduleLimitError(ValueError):
    """A search for windows visited more than MAX_OCCURRENCES occurrences."""


def parse_duration(text: str) -> NominalDuration:
    """An RFC 5545 / ISO 8601 duration (PnW, PnD, PTnH, PTnM, PTnS and their combinations;
    no years or months, no sign). ValueError when it is not one, is zero, or is longer than
    MAX_DURATION_DAYS."""
    found = _DURATION.fullmatch(text)
    if not found or text in ("P", "PT") or text.endswith("T"):
        raise ValueError(f"{text!r} is not an ISO 8601 duration of weeks, days, hours, minutes "
                         "and seconds (e.g. P1D, PT36H, P2DT12H)")
    weeks, days, hours, minutes, seconds = (int(g) if g else 0 for g in found.groups())
    total_days = weeks * 7 + days
    total_seconds = hours * 3600 + minutes * 60 + seconds
    if total_days == 0 and total_seconds == 0:
        raise ValueError(f"duration {text!r} is zero: a window must last")
    if total_days + total_seconds / 86400 > MAX_DURATION_DAYS:
        raise ValueError(f"duration {text!r} is longer than {MAX_DURATION_DAYS} days")
    return NominalDuration(days=total_days, seconds=total_seconds, text=text)


def rrule_error(text: str) -> str | None:
    """Why `text` is not an RRULE value changegate evaluates, or None. Accepted: one rule
    (`FREQ=…;…`, no `RRULE:` prefix, no DTSTART/COUNT), FREQ at most DAILY, INTERVAL up
    to MAX_INTERVAL, UNTIL as a local time, at most 24 starts a day."""
    if len(text) > 500:
        return "the rrule is longer than 500 characters"
    parts = text.split(";")
    keys: dict[str, str] = {}
    for part in parts:
        if not _RRULE_PART.fullmatch(part):
            return f"{part!r} is not a NAME=VALUE part of an RFC 5545 RRULE (write the rule without 'RRULE:')"
        name, value = part.split("=", 1)
        if name in keys:
            return f"{name} is given twice"
        if name == "COUNT":
            return "COUNT is not supported: end a rule with UNTIL (a local time), so windows near now never " \
                   "depend on counting from dtstart"
        if name not in _RRULE_KEYS:
            return f"{name} is not supported (supported: {', '.join(sorted(_RRULE_KEYS))})"
        keys[name] = value
    freq = keys.get("FREQ")
    if freq is None:
        return "FREQ is required"
    if freq not in ALLOWED_FREQUENCIES:
        return (f"FREQ={freq} is not allowed: a freeze recurs at most daily (one of "
                f"{', '.join(ALLOWED_FREQUENCIES)}); its duration says how long each window lasts")
    interval = keys.get("INTERVAL", "1")
    if not interval.isdigit() or not 1 <= int(interval) <= MAX_INTERVAL:
        return f"INTERVAL must be a whole number from 1 to {MAX_INTERVAL}"
    until = keys.get("UNTIL")
    if until is not None and not _UNTIL.fullmatch(until):
        return ("UNTIL must be a local date or date-time in the schedule's zone, YYYYMMDD or "
                "YYYYMMDDTHHMMSS (no Z)")
    starts_a_day = len(keys.get("BYHOUR", "0").split(",")) * len(keys.get("BYMINUTE", "0").split(","))
    if starts_a_day > 24:
        return "BYHOUR and BYMINUTE give more than 24 starts a day"
    try:
        _until(until)
    except ValueError:
        return f"UNTIL={until} is not a real date or time"
    try:
        rrulestr(";".join(p for p in parts if not p.startswith("UNTIL=")), dtstart=dt.datetime(2000, 1, 1))
    except (ValueError, TypeError, IndexError, KeyError, OverflowError) as err:
        return f"not a valid RRULE: {err}"
    return None


def instant(local: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    """The UTC instant of a local wall-clock time (RFC 5545: a skipped or repeated local
    time takes the UTC offset from before the change, which is Python's fold=0)."""
    return local.replace(tzinfo=tz, fold=0).astimezone(UTC)


def _window(start: dt.datetime, duration: NominalDuration, tz: dt.tzinfo) -> FreezeWindow:
    end = instant(start + dt.timedelta(days=duration.days), tz) + dt.timedelta(seconds=duration.seconds)
    return FreezeWindow(instant(start, tz), end)


def _shift(value: dt.datetime, years: int) -> dt.datetime:
    return value.replace(year=value.year + years)


def _rebased(rule: RecurringWindow, frequency: int, interval: int, before: dt.datetime) -> dt.datetime:
    """A dtstart a whole number of intervals after the rule's, at least one interval before
    `before`, whose occurrences from there on are the rule's: DAILY and WEEKLY move by whole
    intervals, MONTHLY and YEARLY by whole intervals that are also whole 400-year cycles."""
    start = rule.dtstart
    if before <= start:
        return start
    if frequency in (DAILY, WEEKLY):
        step = dt.timedelta(days=interval * (7 if frequency == WEEKLY else 1))
        steps = (before - start) // step - 1
        return start + step * steps if steps > 0 else start
    months = 12 if frequency == YEARLY else 1
    step_years = math.lcm(_CYCLE_YEARS * 12, interval * months) // 12
    steps = (before.year - start.year) // step_years - 1
    return _shift(start, step_years * steps) if steps > 0 else start


def _starts(rule: RecurringWindow, low: dt.datetime, high: dt.datetime) -> Iterator[dt.datetime]:
    """The rule's occurrences (local) in `[low, high]`. Bounded: dtstart is first moved near
    `low` (`_rebased`), then everything is moved by whole 400-year cycles so that `high` falls
    in the calendar's last 400 years — dateutil looks for a next occurrence up to year 9999,
    so a rule with none left costs at most 400 years of periods — and at most MAX_OCCURRENCES
    occurrences are visited."""
    keys = _keys(rule.rrule)
    frequency = _FREQUENCIES[keys["FREQ"]]
    dtstart = _rebased(rule, frequency, int(keys.get("INTERVAL", "1")), low)
    years = max(0, (_LAST_YEAR - high.year) // _CYCLE_YEARS) * _CYCLE_YEARS
    until = _until(keys.get("UNTIL"))
    if until is not None and until.year + years > _LAST_YEAR:
        until = None  # past the moved calendar's end, so past `high`: the search stops before it
    text = ";".join(f"{k}={v}" for k, v in keys.items() if k != "UNTIL")
    moved = rrulestr(text, dtstart=_shift(dtstart, years))
    if until is not None:
        moved = moved.replace(until=_shift(until, years))
    last = _shift(high, years)
    for seen, found in enumerate(moved.xafter(_shift(low, years), inc=True), 1):
        if found > last:
            return
        if seen > MAX_OCCURRENCES:
            raise ScheduleLimitError(f"the rule opens more than {MAX_OCCURRENCES} windows in the span searched")
        yield _shift(found, -years)


def _keys(text: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in text.split(";"))


def _until(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    return dt.datetime.strptime(value, "%Y%m%dT%H%M%S" if "T" in value else "%Y%m%d")


def first_window(rule: RecurringWindow, tz: dt.tzinfo) -> FreezeWindow | None:
    """The rule's first window, or None when it opens none within 400 years of dtstart."""
    start = rule.dtstart
    high = _shift(start, _CYCLE_YEARS) if start.year + _CYCLE_YEARS <= _LAST_YEAR else dt.datetime(_LAST_YEAR, 1, 1)
    found = next(_starts(rule, start, high), None)
    return None if found is None else _window(found, rule.duration, tz)


def _longest(schedule: Schedule) -> dt.timedelta:
    longest = dt.timedelta(0)
    for window in schedule.windows:
        if isinstance(window, RecurringWindow):
            longest = max(longest, dt.timedelta(days=window.duration.days + 1, seconds=window.duration.seconds))
    return longest


def windows_between(schedule: Schedule, low: dt.datetime, high: dt.datetime) -> list[FreezeWindow]:
    """Every window of `schedule` that overlaps `[low, high)` (aware instants), sorted by
    start then end, as aware datetimes in the schedule's zone."""
    tz = schedule.tz
    low_utc, high_utc = low.astimezone(UTC), high.astimezone(UTC)
    slack = dt.timedelta(days=2)  # local times are at most a day off the UTC ones
    local_low = low_utc.astimezone(tz).replace(tzinfo=None) - _longest(schedule) - slack
    local_high = high_utc.astimezone(tz).replace(tzinfo=None) + slack
    found: list[FreezeWindow] = []
    for window in schedule.windows:
        if isinstance(window, OneOffWindow):
            candidates: Iterable[FreezeWindow] = (FreezeWindow(instant(window.start, tz), instant(window.end, tz)),)
        else:
            candidates = (_window(s, window.duration, tz) for s in _starts(window, local_low, local_high))
        found.extend(w for w in candidates if w.start < high_utc and w.end > low_utc)
    found.sort(key=lambda w: (w.start, w.end))
    return [FreezeWindow(w.start.astimezone(tz), w.end.astimezone(tz)) for w in found]


def open_windows(schedule: Schedule, now: dt.datetime) -> list[FreezeWindow]:
    """The windows of `schedule` open at `now` (start <= now < end)."""
    return windows_between(schedule, now, now + dt.timedelta(microseconds=1))


def freeze_lifts(schedules: Sequence[Schedule], now: dt.datetime, horizon: dt.timedelta) -> dt.datetime | None:
    """The first instant at or after `now` at which no window of any of `schedules` is open
    (overlapping and adjacent windows chain), in UTC; None when none comes before
    `now + horizon`."""
    now_utc = now.astimezone(UTC)
    end = now_utc + horizon
    windows = sorted((w.start.astimezone(UTC), w.end.astimezone(UTC))
                      for s in schedules for w in windows_between(s, now_utc, end))
    clear = now_utc
    for start, stop in windows:
        if start > clear:
            break
        clear = max(clear, stop)
    return clear if clear < end else None
