"""Who effectively approved a change (SPEC §5): each reviewer's latest deciding review,
at the head commit (or on an earlier commit that only neutral commits followed, see
core/approval_history.py), by someone other than the author (and, unless configured
otherwise, the committers). Pure: takes the gathered `Approvals`, returns a `Standing`."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

from changegate.core.approval_history import is_listed, judge_since
from changegate.errors import EvidenceError
from changegate.model import Approvals, ApprovalSettings, CommitFacts, Review, ReviewOutcome, ReviewReason

DECIDING_STATES: tuple[str, ...] = ("APPROVED", "CHANGES_REQUESTED", "DISMISSED")
_FULL_SHA_LENGTHS = (40, 64)  # SHA-1 and SHA-256 object names


def parse_time(text: str) -> _dt.datetime:
    """An ISO 8601 time ("Z" accepted; UTC when it names no zone); ValueError when it is none."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    moment = _dt.datetime.fromisoformat(value)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=_dt.UTC)


def excluded_approvers(approvals: Approvals, *, exclude_committers: bool,
                       ignore_commits_by: tuple[str, ...] = ()) -> frozenset[str]:
    """Who can never approve this change: its author and, with `exclude_committers`, the
    authors and committers of its commits, except accounts `ignore_commits_by` lists."""
    excluded = {approvals.author.lower()} if approvals.author else set()
    if exclude_committers:
        excluded.update(c.lower() for c in approvals.committers
                        if not is_listed(c.lower(), ignore_commits_by))
    return frozenset(excluded)


def is_full_sha(text: str) -> bool:
    """True for a full object name (40 or 64 hex digits)."""
    return len(text) in _FULL_SHA_LENGTHS and all(ch in "0123456789abcdef" for ch in text.lower())


def _same_commit(a: str, b: str) -> bool:
    a, b = a.lower(), b.lower()
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    return len(short) >= 7 and long_.startswith(short)


def _latest_deciding(reviews: list[tuple[int, Review]], source: str | None) -> Review | None:
    """The user's latest review that decides (APPROVED, CHANGES_REQUESTED, DISMISSED).

    COMMENTED and PENDING reviews neither approve nor cancel an approval (as on GitHub).
    Reviews are ordered by `submitted_at` when every one of them has it, else by file order.
    """
    deciding = [(i, r) for i, r in reviews if r.state in DECIDING_STATES]
    if not deciding:
        return None
    if all(r.submitted_at for _, r in deciding):
        deciding.sort(key=lambda ir: (_submitted(ir[1], source), ir[0]))
    return deciding[-1][1]


def _submitted(review: Review, source: str | None) -> _dt.datetime:
    """When `review` was submitted; EvidenceError when that is no time (the approvals file
    checks it when read; the GitHub API is trusted to send one)."""
    text = review.submitted_at or ""
    try:
        return parse_time(text)
    except ValueError:
        raise EvidenceError(f"a review of {review.user}: submitted_at is not an ISO 8601 time: "
                            f"{text!r}", source) from None


def latest_reviews(approvals: Approvals) -> dict[str, Review]:
    """Each reviewer's latest deciding review (the one that counts), by login."""
    by_user: dict[str, list[tuple[int, Review]]] = {}
    for index, review in enumerate(approvals.reviews):
        by_user.setdefault(review.user, []).append((index, review))
    latest = {user: _latest_deciding(reviews, approvals.source) for user, reviews in sorted(by_user.items())}
    return {user: review for user, review in latest.items() if review is not None}


@dataclass(frozen=True)
class Standing:
    """What the reviews say before requirements are known.

    `fresh` approvals count for every requirement. `pending` approvals are on an earlier
    commit that later commits touched; with `invalidate: touched-scope` each requirement
    keeps those whose later commits touched none of its files. `vetoes` are the users whose
    latest deciding review requests changes. `outcomes` say why the other approvals do not
    count; `kept` says why an approval on an earlier commit still counts; `notes` are
    general (an unknown head)."""

    fresh: frozenset[str] = frozenset()
    pending: dict[str, tuple[CommitFacts, ...]] = field(default_factory=dict)
    pending_reviews: dict[str, Review] = field(default_factory=dict)
    vetoes: dict[str, Review] = field(default_factory=dict)
    latest: dict[str, Review] = field(default_factory=dict)  # each user's latest deciding review
    outcomes: tuple[ReviewOutcome, ...] = ()
    kept: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


def _outcome(review: Review, reason: ReviewReason, detail: str,
             stale_by: tuple[str, ...] = ()) -> ReviewOutcome:
    return ReviewOutcome(user=review.user, state=review.state, commit=review.commit_id,
                         reason=reason, detail=detail, made_stale_by=stale_by)


def assess(approvals: Approvals, settings: ApprovalSettings, head_sha: str | None = None) -> Standing:
    """Each reviewer's standing. `head_sha` (from git or the event) wins over the file's
    `head_sha`; when neither is known, approvals are taken on any commit and a note says so."""
    head = (head_sha or approvals.head_sha or "").strip().lower() or None
    by_user: dict[str, list[tuple[int, Review]]] = {}
    for index, review in enumerate(approvals.reviews):
        by_user.setdefault(review.user, []).append((index, review))
    latest_of = latest_reviews(approvals)
    fresh: set[str] = set()
    pending: dict[str, tuple[CommitFacts, ...]] = {}
    pending_reviews: dict[str, Review] = {}
    vetoes: dict[str, Review] = {}
    outcomes: list[ReviewOutcome] = []
    kept: dict[str, str] = {}
    notes: list[str] = []
    if head is None and any(r.state == "APPROVED" for r in approvals.reviews):
        notes.append("no head commit is known, so approvals on any commit are taken")
    committers = {c for c in approvals.committers if not is_listed(c, settings.ignore_commits_by)}
    for user, latest in latest_of.items():
        if latest.state != "APPROVED":
            if latest.state == "CHANGES_REQUESTED":
                vetoes[user] = latest
            approved = [r for _, r in by_user[user] if r.state == "APPROVED"]
            if approved:
                word = "dismissed" if latest.state == "DISMISSED" else "changes requested"
                reason: ReviewReason = "dismissed" if latest.state == "DISMISSED" else "withdrawn"
                outcomes.append(_outcome(approved[-1], reason,
                                         f"an earlier approval no longer counts ({word} later)"))
            continue
        if approvals.author and user == approvals.author:
            outcomes.append(_outcome(latest, "author", "the author's own approval never counts"))
            continue
        if settings.exclude_committers and user in committers:
            outcomes.append(_outcome(latest, "committer", "committed to this change, so the approval "
                                     "does not count (approvals.exclude_committers)"))
            continue
        if head is None or settings.allow_stale:
            fresh.add(user)
            continue
        commit = latest.commit_id
        if commit is None:
            outcomes.append(_outcome(latest, "no-commit", "approval names no commit, so it is not "
                                     f"known to be on the head commit {head[:7]} (stale)"))
            continue
        if commit == head or (not is_full_sha(head) and _same_commit(commit, head)):
            fresh.add(user)
            continue
        if _same_commit(commit, head):
            outcomes.append(_outcome(latest, "short-sha", f"approval names commit {commit[:7]} by an "
                                     f"abbreviated SHA; only the full SHA of the head commit counts "
                                     "(stale)"))
            continue
        verdict = judge_since(approvals.history, commit, settings)
        if verdict.kept:
            fresh.add(user)
            kept[user] = f"approval on an earlier commit {commit[:7]} still counts: {verdict.why}"
        elif verdict.remaining and settings.invalidate == "touched-scope":
            pending[user] = verdict.remaining
            pending_reviews[user] = latest
        else:
            outcomes.append(_outcome(latest, "stale", f"approval on an earlier commit {commit[:7]} "
                                     f"(stale{verdict.why})", tuple(c.sha for c in verdict.remaining)))
    return Standing(frozenset(fresh), pending, pending_reviews, vetoes, latest_of, tuple(outcomes), kept,
                    tuple(notes))


def effective_approvers(approvals: Approvals, *, allow_stale: bool, exclude_committers: bool,
                        head_sha: str | None) -> tuple[set[str], list[str]]:
    """The logins whose approval counts for every requirement, and one note for each approval
    that does not (the rules of `assess` with `ignore_update_merges`, `touched-scope` and
    `ignore_commits_by` off)."""
    settings = ApprovalSettings(allow_stale=allow_stale, exclude_committers=exclude_committers)
    standing = assess(approvals, settings, head_sha)
    notes = [*standing.notes, *(f"{o.user}: {o.detail}" for o in standing.outcomes),
             *(f"{user}: {why}" for user, why in sorted(standing.kept.items()))]
    return set(standing.fresh), notes
