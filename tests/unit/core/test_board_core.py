"""The board's numbers and the `pir-overdue` finding, on records made in memory (pure core)."""

from __future__ import annotations

import datetime as dt

from changegate.core.board import build_board, reverted_commits, week_start
from changegate.core.pir import pir_overdue_findings, pir_status
from changegate.model import (
    ChangeRecord,
    DepMap,
    HistoryCommit,
    Impact,
    OpenReview,
    Pir,
    RecordedStream,
    Risk,
    ValueStream,
)

TODAY = dt.date(2026, 11, 30)
A, B, C, D = ("a" * 40, "b" * 40, "c" * 40, "d" * 40)
MAP = DepMap(teams={}, components={}, interfaces={}, value_streams={"vs": ValueStream(
    "vs", ("owners",), "high", name="Stream", consulted=("c",), informed=("i",))})


def _record(sha: str, day: int, kind: str = "normal", *, fixes: tuple[str, ...] = (), pir: Pir | None = None,
            streams: tuple[str, ...] = ("vs",), file: str | None = None) -> ChangeRecord:
    return ChangeRecord(commit=sha, merged_at=dt.datetime(2026, 11, day, 12, tzinfo=dt.UTC), file=file,
                        title=f"change {sha[0]}", type=kind, risk="high", decision="pass", touched=("crm",),
                        value_streams=tuple(RecordedStream(s, ("crm", s)) for s in streams), approvers=(),
                        pir=pir, fixes=fixes, change_id=file.rsplit("/", 1)[-1][:-5] if file else None)


def _commit(sha: str, message: str) -> HistoryCommit:
    return HistoryCommit(sha, (), dt.datetime(2026, 11, 28, tzinfo=dt.UTC), message)


def test_git_revert_messages_mark_commits_reverted_unless_the_revert_is_reverted() -> None:
    commits = [_commit(D, f"Revert \"Revert\"\n\nThis reverts commit {C}.\n"),  # newest first
               _commit(C, f"Revert \"x\"\n\nThis reverts commit {B}.\n"),
               _commit(B, f"Revert\n\nThis reverts commit {A}, reversing\nchanges made to {D}.\n"),
               _commit(A, "This reverts commit abc1234 (short ids do not count)")]
    assert reverted_commits(commits) == {A: B, C: D}  # B is reverted by C, then C by D: B's revert of A stands


def test_counts_emergency_share_and_failure_rate_per_value_stream() -> None:
    records = [_record(A, 2, file=".changegate/changes/a.yaml"), _record(B, 3),
               _record(C, 10, "emergency", pir=Pir(dt.date(2026, 11, 20), "PIR-1")),
               _record(D, 24, fixes=("a",), streams=())]
    board = build_board(records, [_commit(B, f"This reverts commit {B[:7]}")], [], MAP, TODAY, dt.date(2026, 9, 1))
    [vs, other] = board.streams
    assert (vs.id, vs.total, vs.emergencies, vs.failures) == ("vs", 3, 1, 1)  # a was fixed by d
    assert (vs.accountable, vs.consulted, vs.informed) == (("owners",), ("c",), ("i",))
    assert (other.name, other.total) == ("No value stream", 1)
    assert [c.failed_by for c in board.changes if c.failed] == [("fixed by change d",)]
    assert [c.pir_status for c in board.emergencies] == ["overdue"]
    weeks = dict(vs.weeks)
    assert weeks[week_start(dt.date(2026, 11, 2))] == 2 and weeks[week_start(TODAY)] == 0
    assert len(vs.weeks) == (week_start(TODAY) - week_start(dt.date(2026, 9, 1))).days // 7 + 1


def test_fixes_that_name_nothing_are_listed_and_commit_prefixes_count() -> None:
    board = build_board([_record(A, 2), _record(B, 3, fixes=(A[:8], "nothing-here"))], [], [], MAP, TODAY,
                        dt.date(2026, 9, 1))
    assert board.unresolved_fixes == ("nothing-here",)
    assert [c.record.commit for c in board.changes if c.failed] == [A]


def test_the_window_counts_only_changes_since_but_lists_every_open_review() -> None:
    old = _record(A, 1, "emergency", pir=Pir(dt.date(2026, 11, 5), "PIR-9"))
    done = _record(B, 2, "emergency", pir=Pir(dt.date(2026, 11, 5), "PIR-8", done=True))
    board = build_board([old, done], [], [], MAP, TODAY, dt.date(2026, 11, 20))
    assert board.changes == () and [c.record.commit for c in board.emergencies] == [A]


def test_review_status_is_open_through_its_due_day() -> None:
    pir = Pir(dt.date(2026, 11, 20), "PIR-1")
    assert [pir_status(pir, dt.date(2026, 11, d)) for d in (19, 20, 21)] == ["open", "open", "overdue"]
    assert pir_status(Pir(dt.date(2026, 11, 20), "PIR-1", done=True), TODAY) == "done"


def _impact(*touched: str) -> Impact:
    return Impact(touched, (), (), (), (), Risk("low", None, "low", ()))


def test_pir_overdue_names_the_emergency_change_for_shared_components_only() -> None:
    review = OpenReview(A, "Hotfix", ".changegate/changes/hotfix.yaml", ("crm", "db"),
                        Pir(dt.date(2026, 11, 20), "P-1"))
    [finding] = pir_overdue_findings(_impact("crm", "web"), [review], TODAY)
    assert (finding.level, finding.code) == ("warning", "pir-overdue")
    assert finding.message.startswith("crm: ") and "'Hotfix'" in finding.message and "P-1" in finding.message
    assert pir_overdue_findings(_impact("web"), [review], TODAY) == ()
    assert pir_overdue_findings(_impact("crm"), [review], dt.date(2026, 11, 20)) == ()
