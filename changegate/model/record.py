"""The change record (`changegate record`) and what the board and the `pir-overdue` finding
derive from the records in git history (SPEC §11)."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

__all__ = [
    "Board",
    "BoardChange",
    "BoardFreeze",
    "ChangeRecord",
    "HistoryCommit",
    "OpenReview",
    "Pir",
    "RecordedStream",
    "StreamSummary",
]


@dataclass(frozen=True)
class Pir:
    """A post-implementation review: the manifest's `pir: {due, ticket, done}`."""

    due: _dt.date
    ticket: str
    done: bool = False


@dataclass(frozen=True)
class RecordedStream:
    """An affected value stream as the record has it: its id and the `via` chain."""

    id: str
    via: tuple[str, ...]


@dataclass(frozen=True)
class ChangeRecord:
    """One merged change, as `changegate record` stored it on its merge commit (the latest
    record of that commit), with the manifest's `pir` and `fixes` as they stand now."""

    commit: str  # the merge (or squash) commit the note is on
    merged_at: _dt.datetime  # the commit's committer time (UTC), else the record's time
    file: str | None
    title: str  # the manifest's title, else the commit's subject
    type: str  # standard | normal | emergency ("" when no manifest)
    risk: str
    decision: str
    touched: tuple[str, ...]
    value_streams: tuple[RecordedStream, ...]
    approvers: tuple[str, ...]
    pull_request: int | None = None
    pir: Pir | None = None
    fixes: tuple[str, ...] = ()
    change_id: str | None = None  # the manifest's file name without its suffix
    manifest_blob: str | None = None  # the manifest's git blob when recorded

    def names(self, reference: str) -> bool:
        """True when `reference` (a `fixes:` entry) names this change: its manifest path,
        its change id, or its commit (7 or more hex digits)."""
        ref = reference.strip().removeprefix("./")
        if not ref:
            return False
        if ref == self.file or (self.change_id is not None and ref == self.change_id):
            return True
        low = ref.lower()
        return len(low) >= 7 and all(c in "0123456789abcdef" for c in low) and self.commit.startswith(low)


@dataclass(frozen=True)
class HistoryCommit:
    """A commit of the default branch: enough to find reverts."""

    sha: str
    parents: tuple[str, ...]
    committed_at: _dt.datetime
    message: str


@dataclass(frozen=True)
class OpenReview:
    """An emergency change whose post-implementation review is not done: what `check`
    needs for the `pir-overdue` finding."""

    commit: str
    title: str
    file: str | None
    components: tuple[str, ...]
    pir: Pir



# --------------------------------------------------------------------------- the board


@dataclass(frozen=True)
class BoardChange:
    """A recorded change as the board shows it: whether it failed (and why), and the state
    of its post-implementation review (`done`, `open`, `overdue`; None without a `pir`)."""

    record: ChangeRecord
    failed_by: tuple[str, ...] = ()  # "reverted by <sha>", "fixed by <change>"
    pir_status: str | None = None

    @property
    def failed(self) -> bool:
        return bool(self.failed_by)


@dataclass(frozen=True)
class StreamSummary:
    """One value stream on the board: its RACI, its recent changes and their numbers."""

    id: str
    name: str
    criticality: str | None
    accountable: tuple[str, ...]
    consulted: tuple[str, ...]
    informed: tuple[str, ...]
    changes: tuple[BoardChange, ...]  # every change in the window, newest first
    weeks: tuple[tuple[_dt.date, int], ...]  # (Monday, changes merged that week), oldest first

    @property
    def total(self) -> int:
        return len(self.changes)

    @property
    def emergencies(self) -> int:
        return sum(1 for c in self.changes if c.record.type == "emergency")

    @property
    def failures(self) -> int:
        return sum(1 for c in self.changes if c.failed)


@dataclass(frozen=True)
class BoardFreeze:
    """An upcoming or active freeze window (from policies' `match.during`), when the change
    schedule provides them; the board shows the section only when there are some."""

    policy: str
    description: str
    start: str
    end: str
    active: bool


@dataclass(frozen=True)
class Board:
    """Everything the change board shows, derived from the records (core/board.py)."""

    today: _dt.date
    since: _dt.date
    changes: tuple[BoardChange, ...]  # in the window, newest first
    streams: tuple[StreamSummary, ...]
    emergencies: tuple[BoardChange, ...]  # overdue first, then open, then done
    freezes: tuple[BoardFreeze, ...] = ()
    unresolved_fixes: tuple[str, ...] = ()  # `fixes:` entries naming no recorded change
