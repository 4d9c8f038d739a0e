"""Freeze windows (SPEC §10, issue 12 acceptance 1) through the real CLI on a real gate in a
temporary directory: `check --now` on both sides of every boundary of a one-off window,
"the last three business days of the month" (November 2026 ends on a Monday, January 2027
on a Sunday), windows across both daylight-saving changes in Europe/Berlin, and an
emergency that passes with the waiver's approval and one that does not."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner, Result
from conftest import PROJECT

from changegate.cli import cli

DECISION_SCHEMA: dict[str, Any] = json.loads((PROJECT / "schemas" / "decision.schema.json").read_text())
SCHEDULE_SCHEMA: dict[str, Any] = json.loads((PROJECT / "schemas" / "schedule.schema.json").read_text())

MAP = """\
version: 1
teams:
  finance-owners: {members: [fatima]}
  change-enablement: {members: [grace]}
  ledger-team: {members: [lena, luis]}
value_streams:
  finance-settlement: {name: Finance settlement, owners: [finance-owners], criticality: critical}
components:
  ledger: {owners: [ledger-team], paths: ["ledger/**"], value_streams: [finance-settlement]}
"""
LAST_THREE_BUSINESS_DAYS = """\
timezone: Europe/Berlin
windows:
  - rrule: "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-3,-2,-1"
    dtstart: "2026-01-01T00:00"
    duration: P1D
"""


@pytest.fixture(autouse=True)
def _not_in_github_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)


def freeze_policy(during: str, *, policy_id: str = "month-end-freeze", extra: str = "",
                  change_types: str = "") -> str:
    """One deny policy on finance settlement with the schedule `during` (YAML)."""
    return (f"  - id: {policy_id}\n{extra}    match:\n      value_streams: [finance-settlement]\n"
            f"{change_types}      during:\n{textwrap.indent(during, '        ')}"
            f"    deny: Finance settlement is frozen\n")


def gate(root: Path, policies: str, *, change_type: str = "normal", waiver: str = "",
         approvers: tuple[str, ...] = ()) -> Path:
    """A repository with the gate, one ledger change and its approvals; returns root."""
    (root / ".changegate" / "policies").mkdir(parents=True)
    (root / ".changegate" / "changes").mkdir()
    (root / ".changegate" / "config.yaml").write_text(
        "version: 1\nmap: .changegate/map.yaml\npolicies: [.changegate/policies]\n")
    (root / ".changegate" / "map.yaml").write_text(MAP)
    (root / ".changegate" / "policies" / "freeze.yaml").write_text(
        "version: 1\nlayer: value-stream\npolicies:\n" + policies)
    waivers = f"waivers:\n  - {{policy: {waiver}, reason: card payments fail, expires: 2027-12-31}}\n" if waiver else ""
    (root / ".changegate" / "changes" / "fix.yaml").write_text(
        f"version: 1\ntitle: Fix ledger rounding\ntype: {change_type}\nowner: ledger-team\n"
        f"components: [ledger]\n{waivers}")
    (root / "changed.txt").write_text("ledger/post.py\n.changegate/changes/fix.yaml\n")
    reviews = [{"user": u, "state": "APPROVED", "commit_id": "abc123", "submitted_at": "2026-11-27T10:00:00Z"}
               for u in approvers]
    (root / "approvals.json").write_text(json.dumps({"author": "lena", "head_sha": "abc123", "reviews": reviews}))
    return root


def check(root: Path, now: str, *extra: str, monkeypatch: pytest.MonkeyPatch) -> Result:
    monkeypatch.chdir(root)
    return CliRunner().invoke(cli, ["check", "--changed-files", "changed.txt", "--approvals", "approvals.json",
                                    "--today", "2026-11-01", "--now", now, *extra])


def decision(root: Path, now: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    result = check(root, now, "--format", "json", monkeypatch=monkeypatch)
    assert result.exit_code in (0, 1), result.output
    data: dict[str, Any] = json.loads(result.stdout)
    jsonschema.Draft202012Validator(DECISION_SCHEMA).validate(data)
    return data


def frozen_at(root: Path, now: str, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Whether the change is blocked at `now` (exit 1) rather than let through (exit 0)."""
    result = check(root, now, monkeypatch=monkeypatch)
    assert result.exit_code in (0, 1), result.output
    return result.exit_code == 1


# --------------------------------------------------------------------------- a one-off window

ONE_OFF = """\
timezone: Europe/Berlin
windows:
  - {start: "2026-12-24T18:00", end: "2026-12-27T08:00"}
"""


@pytest.mark.parametrize(("now", "frozen"), [
    ("2026-12-24T17:59:59+01:00", False),
    ("2026-12-24T18:00:00+01:00", True),     # start is inclusive
    ("2026-12-24T17:00:00Z", True),          # the same instant written in UTC
    ("2026-12-24T12:00:00-05:00", True),     # and in New York
    ("2026-12-27T07:59:59+01:00", True),
    ("2026-12-27T08:00:00+01:00", False),    # end is exclusive
    ("2026-12-27T07:00:00Z", False),
])
def test_one_off_window_is_half_open(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, now: str,
                                     frozen: bool) -> None:
    root = gate(tmp_path, freeze_policy(ONE_OFF))
    assert frozen_at(root, now, monkeypatch) is frozen


def test_spec_example_window_in_shanghai(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    during = ("timezone: Asia/Shanghai\nwindows:\n"
              "  - {start: \"2026-12-24T18:00\", end: \"2026-12-27T08:00\"}\n"
              "  - rrule: \"FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-3,-2,-1\"\n"
              "    dtstart: \"2026-01-01T00:00\"\n    duration: P1D\n")
    root = gate(tmp_path, freeze_policy(during))
    data = decision(root, "2026-11-30T10:00:00+08:00", monkeypatch)
    assert data["decision"] == "fail"
    assert data["schedule"]["active_freezes"][0]["start"] == "2026-11-30T00:00:00+08:00"
    assert data["schedule"]["next_allowed"] == "2026-11-30T16:00:00+00:00"  # Dec 1, 00:00 in Shanghai
    assert frozen_at(root, "2026-12-24T10:00:00Z", monkeypatch)        # 18:00 in Shanghai
    assert not frozen_at(root, "2026-12-24T09:59:59Z", monkeypatch)


# --------------------------------------------------------------------------- last three business days


@pytest.mark.parametrize(("now", "frozen"), [
    # November 2026 ends on Monday the 30th: Thu 26, Fri 27 and Mon 30 are frozen, the weekend is not.
    ("2026-11-25T23:59:59+01:00", False),
    ("2026-11-26T00:00:00+01:00", True),
    ("2026-11-27T23:59:59+01:00", True),
    ("2026-11-28T00:00:00+01:00", False),
    ("2026-11-29T23:59:59+01:00", False),
    ("2026-11-30T00:00:00+01:00", True),
    ("2026-11-30T23:59:59+01:00", True),
    ("2026-12-01T00:00:00+01:00", False),
    # January 2027 ends on Sunday the 31st: Wed 27, Thu 28 and Fri 29 are frozen.
    ("2027-01-26T23:59:59+01:00", False),
    ("2027-01-27T00:00:00+01:00", True),
    ("2027-01-29T23:59:59+01:00", True),
    ("2027-01-30T00:00:00+01:00", False),
    ("2027-01-31T12:00:00+01:00", False),
    ("2027-02-01T00:00:00+01:00", False),
])
def test_last_three_business_days_of_the_month(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, now: str,
                                               frozen: bool) -> None:
    root = gate(tmp_path, freeze_policy(LAST_THREE_BUSINESS_DAYS))
    assert frozen_at(root, now, monkeypatch) is frozen


def test_adjacent_business_days_chain_into_one_next_allowed(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    root = gate(tmp_path, freeze_policy(LAST_THREE_BUSINESS_DAYS))
    november = decision(root, "2026-11-26T10:00:00+01:00", monkeypatch)
    assert november["schedule"]["active_freezes"] == [{
        "policy": "month-end-freeze", "layer": "value-stream", "severity": "error", "timezone": "Europe/Berlin",
        "start": "2026-11-26T00:00:00+01:00", "end": "2026-11-27T00:00:00+01:00",
        "deny": "Finance settlement is frozen", "waivable_by": [], "final": False, "waived": False}]
    assert november["schedule"]["next_allowed"] == "2026-11-27T23:00:00+00:00"  # Sat 28, 00:00 in Berlin
    january = decision(root, "2027-01-27T10:00:00+01:00", monkeypatch)
    assert january["schedule"]["next_allowed"] == "2027-01-29T23:00:00+00:00"  # Sat 30, 00:00 in Berlin


def test_overlapping_freezes_of_two_policies_chain(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    year_end = "timezone: Europe/Berlin\nwindows:\n  - {start: \"2026-12-30T12:00\", end: \"2027-01-04T00:00\"}\n"
    root = gate(tmp_path, freeze_policy(LAST_THREE_BUSINESS_DAYS)
                + freeze_policy(year_end, policy_id="year-end-freeze"))
    data = decision(root, "2026-12-29T10:00:00+01:00", monkeypatch)
    assert [f["policy"] for f in data["schedule"]["active_freezes"]] == ["month-end-freeze"]
    # Dec 29, 30, 31 (business days) then the year-end window to Jan 4.
    assert data["schedule"]["next_allowed"] == "2027-01-03T23:00:00+00:00"


def test_a_freeze_that_never_ends_has_no_next_allowed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    always = "timezone: UTC\nwindows:\n  - {rrule: FREQ=DAILY, dtstart: \"2026-01-01T00:00\", duration: P1D}\n"
    root = gate(tmp_path, freeze_policy(always))
    data = decision(root, "2026-11-30T10:00:00Z", monkeypatch)
    assert data["schedule"]["next_allowed"] is None
    text = check(root, "2026-11-30T10:00:00Z", monkeypatch=monkeypatch).stdout
    assert "next allowed: not within 366 days" in text


# --------------------------------------------------------------------------- daylight saving (Europe/Berlin)


@pytest.mark.parametrize(("start", "end", "now", "frozen"), [
    # Spring forward, 2027-03-28 02:00 → 03:00: 01:00–04:00 local is two hours.
    ("2027-03-28T01:00", "2027-03-28T04:00", "2027-03-28T00:59:59+01:00", False),
    ("2027-03-28T01:00", "2027-03-28T04:00", "2027-03-28T01:00:00+01:00", True),
    ("2027-03-28T01:00", "2027-03-28T04:00", "2027-03-28T03:59:59+02:00", True),
    ("2027-03-28T01:00", "2027-03-28T04:00", "2027-03-28T04:00:00+02:00", False),
    # A start in the skipped hour takes the offset from before the gap (RFC 5545): 02:30 = 03:30 CEST.
    ("2027-03-28T02:30", "2027-03-28T06:00", "2027-03-28T03:29:59+02:00", False),
    ("2027-03-28T02:30", "2027-03-28T06:00", "2027-03-28T03:30:00+02:00", True),
    # Fall back, 2026-10-25 03:00 → 02:00: 02:30 happens twice; the first (CEST) is meant.
    ("2026-10-25T02:30", "2026-10-25T06:00", "2026-10-25T02:29:59+02:00", False),
    ("2026-10-25T02:30", "2026-10-25T06:00", "2026-10-25T02:30:00+02:00", True),
    ("2026-10-25T01:00", "2026-10-25T04:00", "2026-10-25T03:59:59+01:00", True),
    ("2026-10-25T01:00", "2026-10-25T04:00", "2026-10-25T04:00:00+01:00", False),
])
def test_one_off_window_across_a_daylight_saving_change(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        start: str, end: str, now: str, frozen: bool) -> None:
    during = f"timezone: Europe/Berlin\nwindows:\n  - {{start: \"{start}\", end: \"{end}\"}}\n"
    root = gate(tmp_path, freeze_policy(during))
    assert frozen_at(root, now, monkeypatch) is frozen


@pytest.mark.parametrize(("duration", "now", "frozen"), [
    # Saturday 22:00 weekly windows. P1D is nominal: Sunday 22:00 local, 23 h in spring, 25 h in autumn.
    ("P1D", "2027-03-27T21:59:59+01:00", False),
    ("P1D", "2027-03-27T22:00:00+01:00", True),
    ("P1D", "2027-03-28T21:59:59+02:00", True),
    ("P1D", "2027-03-28T22:00:00+02:00", False),
    ("P1D", "2026-10-25T21:59:59+01:00", True),
    ("P1D", "2026-10-25T22:00:00+01:00", False),
    # PT24H is exact: 24 hours later, 23:00 local in spring and 21:00 local in autumn.
    ("PT24H", "2027-03-28T22:59:59+02:00", True),
    ("PT24H", "2027-03-28T23:00:00+02:00", False),
    ("PT24H", "2026-10-25T20:59:59+01:00", True),
    ("PT24H", "2026-10-25T21:00:00+01:00", False),
])
def test_recurring_window_duration_across_a_daylight_saving_change(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, duration: str, now: str, frozen: bool) -> None:
    during = ("timezone: Europe/Berlin\nwindows:\n"
              f"  - {{rrule: \"FREQ=WEEKLY;BYDAY=SA\", dtstart: \"2026-01-03T22:00\", duration: {duration}}}\n")
    root = gate(tmp_path, freeze_policy(during))
    assert frozen_at(root, now, monkeypatch) is frozen


def test_window_times_are_reported_with_the_offset_in_force(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    during = ("timezone: Europe/Berlin\nwindows:\n"
              "  - {rrule: \"FREQ=WEEKLY;BYDAY=SA\", dtstart: \"2026-01-03T22:00\", duration: P1D}\n")
    root = gate(tmp_path, freeze_policy(during))
    freeze = decision(root, "2027-03-28T12:00:00+02:00", monkeypatch)["schedule"]["active_freezes"][0]
    assert (freeze["start"], freeze["end"]) == ("2027-03-27T22:00:00+01:00", "2027-03-28T22:00:00+02:00")


# --------------------------------------------------------------------------- emergencies

EMERGENCY_POLICIES = (
    freeze_policy(LAST_THREE_BUSINESS_DAYS, policy_id="month-end-freeze", extra="    final: true\n",
                  change_types="      change_types: [standard, normal]\n")
    + freeze_policy(LAST_THREE_BUSINESS_DAYS, policy_id="month-end-emergency",
                    extra="    waivable_by: [change-enablement]\n", change_types="      change_types: [emergency]\n")
)
IN_WINDOW = "2026-11-30T10:00:00+01:00"


def test_emergency_with_the_approved_waiver_goes_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = gate(tmp_path, EMERGENCY_POLICIES, change_type="emergency", waiver="month-end-emergency",
                approvers=("grace",))
    data = decision(root, IN_WINDOW, monkeypatch)
    assert data["decision"] == "pass"
    deny = next(r for r in data["requirements"] if r["target"] == "policy:month-end-emergency")
    assert deny["status"] == "waived"
    assert data["schedule"]["active_freezes"][0]["waived"] is True
    assert data["schedule"]["next_allowed"] == data["schedule"]["now"]  # nothing blocks it now
    text = check(root, IN_WINDOW, monkeypatch=monkeypatch)
    assert text.exit_code == 0
    assert "waived by the manifest's approved waiver" in text.stdout


def test_emergency_without_the_waiver_approval_is_blocked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = gate(tmp_path, EMERGENCY_POLICIES, change_type="emergency", waiver="month-end-emergency",
                approvers=("fatima",))  # a finance owner, not change enablement
    data = decision(root, IN_WINDOW, monkeypatch)
    assert data["decision"] == "fail"
    assert [f["code"] for f in data["findings"] if f["level"] == "warning"] == ["waiver-unapproved"]
    assert data["schedule"]["active_freezes"][0]["waivable_by"] == ["change-enablement"]
    assert data["schedule"]["next_allowed"] == "2026-11-30T23:00:00+00:00"
    text = check(root, IN_WINDOW, monkeypatch=monkeypatch)
    assert text.exit_code == 1
    assert ("way through: a manifest waiver naming month-end-emergency, approved by a member of "
            "change-enablement") in text.stdout
    assert "next allowed: 2026-12-01 00:00 +01:00 Europe/Berlin (2026-11-30T23:00:00+00:00)" in text.stdout
    # Outside the window the same emergency goes in without any waiver approval.
    assert check(root, "2026-12-01T00:00:00+01:00", monkeypatch=monkeypatch).exit_code == 0


def test_a_normal_change_cannot_be_waived_through_a_final_freeze(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    root = gate(tmp_path, EMERGENCY_POLICIES, change_type="normal", waiver="month-end-freeze", approvers=("grace",))
    data = decision(root, IN_WINDOW, monkeypatch)
    assert data["decision"] == "fail"
    assert [f["code"] for f in data["findings"]] == ["waiver-final"]
    text = check(root, IN_WINDOW, monkeypatch=monkeypatch).stdout
    assert "way through: final: no waiver lifts it" in text


def test_markdown_summary_shows_the_freeze(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = gate(tmp_path, EMERGENCY_POLICIES, change_type="emergency", waiver="month-end-emergency")
    out = check(root, IN_WINDOW, "--format", "markdown", monkeypatch=monkeypatch).stdout
    assert "### Change schedule" in out
    assert ("| month-end-emergency | 2026-11-30 00:00 +01:00 → 2026-12-01 00:00 +01:00 Europe/Berlin | a manifest "
            "waiver naming month-end-emergency, approved by a member of change-enablement |") in out.splitlines()
    assert "Next allowed: 2026-12-01 00:00 +01:00 Europe/Berlin \\(2026-11-30T23:00:00+00:00\\)" in out.splitlines()


def test_without_a_schedule_the_decision_has_no_schedule_key(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    plain = "  - id: always\n    match: {value_streams: [finance-settlement]}\n    deny: Never\n"
    root = gate(tmp_path, plain)
    data = decision(root, IN_WINDOW, monkeypatch)
    assert "schedule" not in data
    assert "Change schedule" not in check(root, IN_WINDOW, monkeypatch=monkeypatch).stdout


def test_outside_every_window_the_schedule_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = gate(tmp_path, freeze_policy(LAST_THREE_BUSINESS_DAYS))
    data = decision(root, "2026-11-20T10:00:00+01:00", monkeypatch)
    assert data["decision"] == "pass"
    assert data["schedule"] == {"now": "2026-11-20T10:00:00+01:00", "active_freezes": [],
                                "next_allowed": "2026-11-20T10:00:00+01:00", "horizon_days": 366}
    freeze = next(p for p in data["policies"] if p["id"] == "month-end-freeze")
    assert freeze["matched"] is False
    assert "during (no window open at 2026-11-20T10:00:00+01:00 Europe/Berlin)" in freeze["reason"]


# --------------------------------------------------------------------------- bad input: exit 2, file and line


@pytest.mark.parametrize(("during", "message"), [
    ("timezone: Mars/Olympus\nwindows:\n  - {start: \"2026-12-24T18:00\", end: \"2026-12-27T08:00\"}\n",
     "freeze.yaml:8: policies.0.match.during.timezone: unknown time zone 'Mars/Olympus'"),
    ("timezone: ../../../etc/passwd\nwindows:\n  - {start: \"2026-12-24T18:00\", end: \"2026-12-27T08:00\"}\n",
     "freeze.yaml:8: policies.0.match.during.timezone: unknown time zone '../../../etc/passwd'"),
    ("timezone: Europe/Berlin\nwindows:\n  - {start: \"2026-12-27T08:00\", end: \"2026-12-27T08:00\"}\n",
     "freeze.yaml:10: policies.0.match.during.windows.0.end: end 2026-12-27T08:00 is not after start "
     "2026-12-27T08:00 in Europe/Berlin: a window is [start, end)"),
    ("timezone: Europe/Berlin\nwindows:\n  - {rrule: FREQ=SECONDLY, dtstart: \"2026-01-01T00:00\", duration: PT1S}\n",
     "freeze.yaml:10: policies.0.match.during.windows.0.rrule: FREQ=SECONDLY is not allowed"),
    ("timezone: Europe/Berlin\nwindows:\n  - {rrule: FREQ=HOURLY, dtstart: \"2026-01-01T00:00\", duration: PT1H}\n",
     "freeze.yaml:10: policies.0.match.during.windows.0.rrule: FREQ=HOURLY is not allowed"),
    ("timezone: Europe/Berlin\nwindows:\n  - {rrule: \"FREQ=DAILY;COUNT=3\", dtstart: \"2026-01-01T00:00\", "
     "duration: P1D}\n",
     "freeze.yaml:10: policies.0.match.during.windows.0.rrule: COUNT is not supported"),
    ("timezone: Europe/Berlin\nwindows:\n  - {rrule: \"FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30\", "
     "dtstart: \"2026-01-01T00:00\", duration: P1D}\n",
     "freeze.yaml:10: policies.0.match.during.windows.0.rrule: the rule opens no window in the 400 years"),
    ("timezone: Europe/Berlin\nwindows:\n  - {rrule: FREQ=MONTHLY, dtstart: \"2026-01-01T00:00\", duration: P1M}\n",
     "freeze.yaml:10: policies.0.match.during.windows.0.duration: 'P1M' is not an ISO 8601 duration"),
    ("timezone: Europe/Berlin\nwindows:\n  - {rrule: FREQ=MONTHLY, dtstart: \"2026-01-01T00:00\", duration: P0D}\n",
     "freeze.yaml:10: policies.0.match.during.windows.0.duration: duration 'P0D' is zero"),
    ("timezone: Europe/Berlin\nwindows:\n  - {rrule: FREQ=MONTHLY, dtstart: \"2026-02-30T00:00\", duration: P1D}\n",
     "freeze.yaml:10: policies.0.match.during.windows.0.dtstart: '2026-02-30T00:00' is not a real date and time"),
])
def test_a_bad_schedule_is_an_input_error_with_file_and_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              during: str, message: str) -> None:
    root = gate(tmp_path, freeze_policy(during))
    result = check(root, IN_WINDOW, monkeypatch=monkeypatch)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_a_local_time_with_an_offset_is_refused_by_the_schema(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    during = "timezone: Europe/Berlin\nwindows:\n  - {start: \"2026-12-24T18:00+01:00\", end: \"2026-12-27T08:00\"}\n"
    root = gate(tmp_path, freeze_policy(during))
    result = check(root, IN_WINDOW, monkeypatch=monkeypatch)
    assert result.exit_code == 2
    assert "freeze.yaml:10: policies.0.match.during.windows.0.start: '2026-12-24T18:00+01:00' is not matching" \
        in result.stderr


@pytest.mark.parametrize("now", ["2026-11-30T10:00:00", "2026-11-30", "tomorrow"])
def test_now_without_an_offset_is_an_input_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, now: str) -> None:
    root = gate(tmp_path, freeze_policy(ONE_OFF))
    result = check(root, now, monkeypatch=monkeypatch)
    assert result.exit_code == 2
    assert f"command line: --now: '{now}' is not an ISO 8601 date-time with an offset" in result.stderr


@pytest.mark.parametrize("now", ["9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+00:00"])
def test_now_at_the_ends_of_the_calendar_is_an_input_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           now: str) -> None:
    root = gate(tmp_path, freeze_policy(LAST_THREE_BUSINESS_DAYS))
    result = check(root, now, monkeypatch=monkeypatch)
    assert result.exit_code == 2
    assert f"command line: --now: '{now}' is outside the years 1900–9000" in result.stderr


# --------------------------------------------------------------------------- changegate schedule


def test_schedule_lists_the_windows_per_value_stream(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    everyone = "timezone: UTC\nwindows:\n  - {start: \"2026-12-24T00:00\", end: \"2026-12-27T00:00\"}\n"
    everyone_policy = ("  - id: holiday-freeze\n    match:\n      during:\n"
                       + textwrap.indent(everyone, "        ") + "    deny: Holidays\n")
    root = gate(tmp_path, freeze_policy(LAST_THREE_BUSINESS_DAYS) + everyone_policy)
    monkeypatch.chdir(root)
    result = CliRunner().invoke(cli, ["schedule", "--from", "2026-11-20", "--days", "45", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    jsonschema.Draft202012Validator(SCHEDULE_SCHEMA).validate(data)
    assert (data["from"], data["to"]) == ("2026-11-20T00:00:00+00:00", "2027-01-04T00:00:00+00:00")
    [finance] = data["value_streams"]
    assert (finance["id"], finance["name"]) == ("finance-settlement", "Finance settlement")
    assert [w["start"][:10] for w in finance["windows"]] == [
        "2026-11-26", "2026-11-27", "2026-11-30", "2026-12-29", "2026-12-30", "2026-12-31"]
    assert [(w["policy"], w["start"], w["end"]) for w in data["all"]] == [
        ("holiday-freeze", "2026-12-24T00:00:00+00:00", "2026-12-27T00:00:00+00:00")]

    text = CliRunner().invoke(cli, ["schedule", "--from", "2026-11-20", "--days", "10"])
    assert text.exit_code == 0
    assert text.stdout.splitlines()[:4] == [
        "Change schedule 2026-11-20T00:00:00+00:00 → 2026-11-30T00:00:00+00:00",
        "",
        "finance-settlement",
        "  2026-11-26 00:00 +01:00 → 2026-11-27 00:00 +01:00 Europe/Berlin  month-end-freeze "
        "(all change types; not waivable)",
    ]


@pytest.mark.parametrize(("args", "message"), [
    (("--days", "0"), "--days: 0 is not from 1 to 366"),
    (("--days", "400"), "--days: 400 is not from 1 to 366"),
    (("--from", "2026-13-01"), "--from: '2026-13-01' is not a YYYY-MM-DD date"),
    (("--from", "2026-11-30T10:00"), "--from: '2026-11-30T10:00' is not an ISO 8601 date-time with an offset"),
    (("--from", "0001-01-01"), "--from: '0001-01-01' is outside the years 1900–9000"),
    (("--from", "9999-12-01T00:00:00Z"), "--from: '9999-12-01T00:00:00Z' is outside the years 1900–9000"),
])
def test_schedule_bad_options_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...],
                                     message: str) -> None:
    root = gate(tmp_path, freeze_policy(ONE_OFF))
    monkeypatch.chdir(root)
    result = CliRunner().invoke(cli, ["schedule", *args])
    assert result.exit_code == 2
    assert message in result.stderr
