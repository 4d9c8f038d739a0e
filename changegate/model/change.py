"""The change under review: its manifest and the evidence gathered about it (changed
files, approvals, test results, the date waivers are judged on)."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any

from changegate.model.gate import Location
from changegate.model.record import OpenReview

__all__ = [
    "PLACEHOLDER_PREFIX",
    "Approvals",
    "CommitFacts",
    "Evidence",
    "History",
    "Manifest",
    "Review",
    "SuiteResult",
    "Waiver",
]

#: How `changegate new` marks a value still to be written; a required field that still
#: starts with it is not filled in.
PLACEHOLDER_PREFIX = "TODO:"


@dataclass(frozen=True)
class Waiver:
    policy: str
    reason: str
    expires: _dt.date
    loc: Location | None = None


@dataclass(frozen=True)
class Manifest:
    """A change manifest. `data` is the raw mapping (for `fields` checks and CEL);
    `lines` maps dotted key paths ("rollback.plan", "risk") to 1-based lines."""

    file: str
    title: str
    type: str
    owner: str  # team id or "@login"
    data: dict[str, Any]
    components: tuple[str, ...] = ()
    interfaces_changed: tuple[str, ...] = ()
    breaking: bool = False
    risk: str | None = None
    tests: tuple[str, ...] = ()
    waivers: tuple[Waiver, ...] = ()
    lines: dict[str, int] = field(default_factory=dict)

    def line_of(self, key: str) -> int:
        return self.lines.get(key, 0)


# --------------------------------------------------------------------------- evidence


@dataclass(frozen=True)
class Review:
    user: str  # lower-cased login
    state: str  # APPROVED | CHANGES_REQUESTED | COMMENTED | DISMISSED | PENDING
    commit_id: str | None = None
    submitted_at: str | None = None  # ISO 8601; ordering key for "latest per user"


@dataclass(frozen=True)
class CommitFacts:
    """One commit of the change as git (and, in GitHub mode, the API) saw it: who wrote it,
    what it changed against its first parent, and whether it is a verified update merge."""

    sha: str  # full, lower-case
    people: tuple[str, ...] = ()  # author/committer e-mails and logins, lower-cased
    files: tuple[str, ...] = ()  # paths changed against the first parent
    update_merge: bool = False  # a merge of the base branch that git proved brings only base changes
    merge_note: str = ""  # for a merge that is not such an update merge: why not
    authentic: bool = True  # its identities can be trusted (GitHub mode: the API verified its signature)


@dataclass(frozen=True)
class History:
    """The commits of the change between each reviewed commit and the head, from git."""

    commits: dict[str, CommitFacts] = field(default_factory=dict)  # full sha -> facts
    # reviewed commit (full sha) -> the change's commits after it up to the head, oldest first
    # (base commits left out); None when that commit is not an ancestor of the head.
    since: dict[str, tuple[str, ...] | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Approvals:
    author: str | None = None
    head_sha: str | None = None
    labels: tuple[str, ...] = ()
    reviews: tuple[Review, ...] = ()
    committers: tuple[str, ...] = ()  # authors/committers of the PR's commits (lower-cased)
    source: str | None = None  # file it came from, for messages
    history: History | None = None  # None: no commit graph is known (approvals off head are stale)


@dataclass(frozen=True)
class SuiteResult:
    """What the JUnit reports say about one suite: the counts (the worse wherever a report's
    attributes and its test cases disagree), the files read, how many tests passed only on a
    rerun (`flaky`), and the first failing tests' names (inert text, already shortened).

    In GitHub mode a suite may also (or only) be reported by check runs and commit statuses
    on the head commit: `checks` describes each one read ("check run 'unit': success"),
    `checks_failed` and `checks_pending` count those that did not succeed or have not
    finished. A suite with checks passes only when every one of them succeeded."""

    name: str
    tests: int
    failures: int
    errors: int
    skipped: int
    files: tuple[str, ...] = ()
    flaky: int = 0
    failing: tuple[str, ...] = ()
    checks: tuple[str, ...] = ()
    checks_failed: int = 0
    checks_pending: int = 0

    @property
    def ran(self) -> int:
        return max(self.tests - self.skipped, 0)

    @property
    def passed(self) -> bool:
        has_reports = bool(self.files) or self.tests > 0 or not self.checks
        reports_pass = self.ran > 0 and self.failures == 0 and self.errors == 0
        return (reports_pass or not has_reports) and self.checks_failed == 0 and self.checks_pending == 0


@dataclass(frozen=True)
class Evidence:
    """Everything observed about the change, gathered at the edges. `today` is the date
    waiver expiry is judged on: the edge reads the clock (or --today), the core never does."""

    changed_files: tuple[str, ...]
    today: _dt.date
    approvals: Approvals = field(default_factory=Approvals)
    suites: dict[str, SuiteResult] = field(default_factory=dict)
    # team id -> members, when membership came from somewhere other than the map (GitHub).
    team_members: dict[str, frozenset[str]] = field(default_factory=dict)
    base: str | None = None
    head: str | None = None
    # The instant freeze windows (match.during) are judged at, aware; the edge reads the
    # clock (or --now). None: no clock given, and a policy with a schedule applies (fails closed).
    now: _dt.datetime | None = None
    # Emergency changes in git history whose post-implementation review is not done
    # (read at the edge from the change records): the source of `pir-overdue` findings.
    open_reviews: tuple[OpenReview, ...] = ()
