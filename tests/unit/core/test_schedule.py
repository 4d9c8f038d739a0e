"""The pure schedule arithmetic (changegate.core.schedule): durations, the rrules accepted,
and the bounded search — moving dtstart and the whole calendar by whole intervals and
400-year cycles must give exactly the windows dateutil gives when it walks from dtstart."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr

from changegate.core.schedule import (
    first_window,
    freeze_lifts,
    open_windows,
    parse_duration,
    rrule_error,
    windows_between,
)
from changegate.model import NominalDuration, OneOffWindow, RecurringWindow, Schedule

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(("text", "days", "seconds"), [
    ("P1D", 1, 0), ("PT36H", 0, 36 * 3600), ("P1DT12H", 1, 12 * 3600), ("P2W", 14, 0), ("PT90M", 0, 5400),
    ("PT1S", 0, 1),
])
def test_durations_split_into_nominal_days_and_exact_seconds(text: str, days: int, seconds: int) -> None:
    assert parse_duration(text) == NominalDuration(days=days, seconds=seconds, text=text)


@pytest.mark.parametrize(("text", "message"), [
    ("P", "'P' is not an ISO 8601 duration"), ("PT", "'PT' is not an ISO 8601 duration"),
    ("P1DT", "'P1DT' is not an ISO 8601 duration"), ("P1Y", "'P1Y' is not an ISO 8601 duration"),
    ("-P1D", "'-P1D' is not an ISO 8601 duration"), ("P0DT0H", "duration 'P0DT0H' is zero"),
    ("P367D", "duration 'P367D' is longer than 366 days"), ("PT8785H", "duration 'PT8785H' is longer than 366"),
])
def test_bad_durations_are_refused(text: str, message: str) -> None:
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(")):
        parse_duration(text)


@pytest.mark.parametrize(("rule", "message"), [
    ("FREQ=MINUTELY", "FREQ=MINUTELY is not allowed"),
    ("FREQ=DAILY;INTERVAL=0", "INTERVAL must be a whole number from 1 to 1000"),
    ("FREQ=DAILY;INTERVAL=1001", "INTERVAL must be a whole number from 1 to 1000"),
    ("FREQ=DAILY;UNTIL=20271231T000000Z", "UNTIL must be a local date or date-time"),
    ("FREQ=DAILY;UNTIL=20270231", "UNTIL=20270231 is not a real date or time"),
    ("FREQ=DAILY;BYSECOND=1", "BYSECOND is not supported"),
    ("FREQ=DAILY;FREQ=WEEKLY", "FREQ is given twice"),
    ("BYDAY=MO", "FREQ is required"),
    ("RRULE:FREQ=DAILY", "'RRULE:FREQ=DAILY' is not a NAME=VALUE part"),
    ("FREQ=DAILY\nDTSTART:20200101", "'FREQ=DAILY\\nDTSTART:20200101' is not a NAME=VALUE part"),
    ("FREQ=DAILY;BYHOUR=0,1,2,3,4;BYMINUTE=0,10,20,30,40", "BYHOUR and BYMINUTE give more than 24 starts a day"),
    ("FREQ=WEEKLY;BYDAY=XX", "not a valid RRULE"),
    ("FREQ=DAILY;" + "BYMONTH=1;" * 60, "the rrule is longer than 500 characters"),
])
def test_rrules_outside_what_is_evaluated_are_refused(rule: str, message: str) -> None:
    problem = rrule_error(rule)
    assert problem is not None and problem.startswith(message), problem


def test_a_good_rrule_has_no_error() -> None:
    assert rrule_error("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-3,-2,-1;UNTIL=20301231") is None


def _schedule(rule: str, dtstart: dt.datetime, duration: str = "P1D") -> Schedule:
    return Schedule("Europe/Berlin", BERLIN, (RecurringWindow(rule, dtstart, parse_duration(duration)),))


@pytest.mark.parametrize(("rule", "dtstart"), [
    ("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-3,-2,-1", dt.datetime(1901, 1, 1)),
    ("FREQ=MONTHLY;INTERVAL=5;BYMONTHDAY=31", dt.datetime(1903, 3, 31, 6)),
    ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", dt.datetime(1904, 2, 29, 12)),
    ("FREQ=YEARLY;INTERVAL=3", dt.datetime(1917, 7, 4, 9, 30)),
    ("FREQ=WEEKLY;INTERVAL=3;BYDAY=FR,SA;WKST=SU", dt.datetime(1950, 1, 6, 18)),
    ("FREQ=DAILY;INTERVAL=7;BYHOUR=8,20", dt.datetime(1990, 5, 1, 8)),
    ("FREQ=DAILY;BYMONTH=12;BYMONTHDAY=24,25,26", dt.datetime(2000, 1, 1)),
    ("FREQ=MONTHLY;BYDAY=-1FR;UNTIL=20270601", dt.datetime(2001, 1, 1, 17)),
])
def test_the_bounded_search_finds_what_walking_from_dtstart_finds(rule: str, dtstart: dt.datetime) -> None:
    low = dt.datetime(2026, 9, 1, tzinfo=dt.UTC)
    high = dt.datetime(2028, 9, 1, tzinfo=dt.UTC)
    found = [(w.start, w.end) for w in windows_between(_schedule(rule, dtstart), low, high)]
    walked = []
    for start in rrulestr(rule, dtstart=dtstart).between(dt.datetime(2026, 8, 28), dt.datetime(2028, 9, 3), inc=True):
        begin = start.replace(tzinfo=BERLIN).astimezone(dt.UTC)
        end = (start + dt.timedelta(days=1)).replace(tzinfo=BERLIN).astimezone(dt.UTC)
        if begin < high and end > low:
            walked.append((begin, end))
    assert found == walked
    assert found, "the sample span should hold windows"


def test_a_rule_with_no_occurrence_is_found_out_quickly() -> None:
    # dateutil alone walks day by day to the year 9999 for this rule; the search stops within 400 years.
    never = RecurringWindow("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", dt.datetime(2026, 1, 1), parse_duration("P1D"))
    assert first_window(never, BERLIN) is None
    assert windows_between(Schedule("UTC", dt.UTC, (never,)), dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
                           dt.datetime(2027, 1, 1, tzinfo=dt.UTC)) == []


def test_open_windows_compare_instants_not_wall_clock_times() -> None:
    # Both local times read 02:30 on 2026-10-25; only the first (CEST) is inside the window.
    schedule = Schedule("Europe/Berlin", BERLIN, (OneOffWindow(dt.datetime(2026, 10, 25, 2, 0),
                                                               dt.datetime(2026, 10, 25, 2, 45)),))
    first = dt.datetime(2026, 10, 25, 2, 30, tzinfo=BERLIN, fold=0)
    second = dt.datetime(2026, 10, 25, 2, 30, tzinfo=BERLIN, fold=1)
    assert len(open_windows(schedule, first)) == 1
    assert open_windows(schedule, second) == []


def test_freeze_lifts_chains_adjacent_windows_of_several_schedules() -> None:
    a = Schedule("UTC", dt.UTC, (OneOffWindow(dt.datetime(2026, 1, 1), dt.datetime(2026, 1, 2)),))
    b = Schedule("Europe/Berlin", BERLIN, (OneOffWindow(dt.datetime(2026, 1, 2, 1), dt.datetime(2026, 1, 3)),))
    now = dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC)
    assert freeze_lifts([a, b], now, dt.timedelta(days=30)) == dt.datetime(2026, 1, 2, 23, tzinfo=dt.UTC)
    assert freeze_lifts([a], now, dt.timedelta(days=30)) == dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
    assert freeze_lifts([a], now, dt.timedelta(hours=1)) is None
    assert freeze_lifts([b], now, dt.timedelta(days=30)) == now
