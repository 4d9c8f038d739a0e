"""The change board's numbers (SPEC §11), from the change records and the default branch's
history: which changes failed (reverted with `git revert`, or named by a later manifest's
`fixes:`), per value stream the number of changes, the share of emergencies, the change
failure rate and changes per week, and the emergency changes with their reviews. Pure."""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Sequence

from changegate.core.pir import PIR_DONE, PIR_OPEN, PIR_OVERDUE, pir_status
from changegate.model import (
    Board,
    BoardChange,
    BoardFreeze,
    ChangeRecord,
    DepMap,
    HistoryCommit,
    StreamSummary,
)

#: What `git revert` writes into the message ("This reverts commit <full sha>.", and for a
#: merge "..., reversing changes made to <sha>."). Only full ids count.
_REVERTS = re.compile(r"This reverts commit ([0-9a-f]{40}(?:[0-9a-f]{24})?)\b")
MAX_WEEKS = 52
NO_STREAM = ""  # the id of the group of changes that reach no value stream
_PIR_ORDER = {PIR_OVERDUE: 0, PIR_OPEN: 1, PIR_DONE: 2}


def reverted_commits(commits: Sequence[HistoryCommit]) -> dict[str, str]:
    """Reverted commit -> the commit that reverted it, from `git revert`'s message. A revert
    counts while it is not itself undone by a revert that counts (revert of a revert
    re-applies the change; reverting that again takes it back out). `commits` come newest
    first, and a reverting commit is always newer than the commit it reverts."""
    reverters: dict[str, list[str]] = {}
    for commit in commits:
        for match in _REVERTS.finditer(commit.message):
            reverters.setdefault(match.group(1), []).append(commit.sha)
    standing: dict[str, bool] = {}
    for commit in commits:  # newest first: every reverter of a commit is decided before it
        standing[commit.sha] = not any(standing.get(by, False) for by in reverters.get(commit.sha, ()))
    found: dict[str, str] = {}
    for target, by in reverters.items():
        counting = [sha for sha in by if standing.get(sha, False)]
        if counting:
            found[target] = counting[-1]  # the earliest revert that counts
    return found


def week_start(day: _dt.date) -> _dt.date:
    """The Monday of `day`'s week."""
    return day - _dt.timedelta(days=day.weekday())


def build_board(records: Sequence[ChangeRecord], commits: Sequence[HistoryCommit], extra_fixes: Sequence[str],
                depmap: DepMap, today: _dt.date, since: _dt.date,
                freezes: Sequence[BoardFreeze] = ()) -> Board:
    """The board as of `today` for changes merged from `since` on."""
    reverted = reverted_commits(commits)
    fixed_by, unresolved = _fixes(records, extra_fixes)
    views: dict[str, BoardChange] = {}
    for record in records:
        why = []
        if record.commit in reverted:
            why.append(f"reverted by {reverted[record.commit][:12]}")
        why.extend(f"fixed by {name}" for name in fixed_by.get(record.commit, ()))
        status = pir_status(record.pir, today) if record.pir is not None else None
        views[record.commit] = BoardChange(record, tuple(why), status)
    ordered = sorted(views.values(), key=lambda c: (c.record.merged_at, c.record.commit), reverse=True)
    window = tuple(c for c in ordered if c.record.merged_at.date() >= since)
    emergencies = tuple(sorted(
        (c for c in ordered if c.record.type == "emergency"
         and (c.record.merged_at.date() >= since or c.pir_status in (PIR_OPEN, PIR_OVERDUE, None))),
        key=lambda c: (_PIR_ORDER.get(c.pir_status or PIR_OVERDUE, 0), -c.record.merged_at.timestamp())))
    return Board(today, since, window, _streams(window, depmap, today, since), emergencies, tuple(freezes),
                 tuple(unresolved))


def _fixes(records: Sequence[ChangeRecord], extra: Sequence[str]) -> tuple[dict[str, list[str]], list[str]]:
    """Commit -> the changes whose `fixes:` name it; and the entries that name no change.
    Candidates come from an index (path, change id, commit prefix); `names` decides."""
    by_key: dict[str, list[ChangeRecord]] = {}
    for r in records:
        for key in {r.file, r.change_id, r.commit[:7]}:
            if key:
                by_key.setdefault(key, []).append(r)
    fixed_by: dict[str, list[str]] = {}
    unresolved: list[str] = []
    claims = [(r, ref) for r in records for ref in r.fixes] + [(None, ref) for ref in extra]
    for fixer, ref in claims:
        key = ref.strip().removeprefix("./")
        candidates = by_key.get(key, []) + by_key.get(key[:7].lower(), [])
        targets = [r for r in dict.fromkeys(candidates) if r is not fixer and r.names(ref)]
        if not targets:
            unresolved.append(ref)
        for target in targets:
            name = (fixer.change_id or fixer.title) if fixer is not None else "a manifest with no record"
            fixed_by.setdefault(target.commit, []).append(name)
    return fixed_by, sorted(set(unresolved))


def _streams(window: Sequence[BoardChange], depmap: DepMap, today: _dt.date,
             since: _dt.date) -> tuple[StreamSummary, ...]:
    by_stream: dict[str, list[BoardChange]] = {}
    for change in window:
        ids = [vs.id for vs in change.record.value_streams] or [NO_STREAM]
        for vid in dict.fromkeys(ids):
            by_stream.setdefault(vid, []).append(change)
    last = week_start(today)
    first = max(week_start(since), last - _dt.timedelta(weeks=MAX_WEEKS - 1))
    mondays = [first + _dt.timedelta(weeks=i) for i in range((last - first).days // 7 + 1)]
    summaries = []
    for vid in sorted(set(depmap.value_streams) | set(by_stream), key=lambda v: (v == NO_STREAM, v)):
        changes = tuple(by_stream.get(vid, ()))
        per_week = {monday: 0 for monday in mondays}
        for change in changes:
            monday = week_start(change.record.merged_at.date())
            if monday in per_week:
                per_week[monday] += 1
        vs = depmap.value_streams.get(vid)
        summaries.append(StreamSummary(
            id=vid, name=(vs.name or vid) if vs else (vid or "No value stream"),
            criticality=vs.criticality if vs else None,
            accountable=tuple(vs.owners) if vs else (), consulted=tuple(vs.consulted) if vs else (),
            informed=tuple(vs.informed) if vs else (), changes=changes, weeks=tuple(per_week.items())))
    return tuple(summaries)
