"""Who effectively approved a change (SPEC §5): each reviewer's latest deciding review,
at the head commit, by someone other than the author (and, unless configured otherwise,
the committers). Pure: takes the gathered `Approvals`, returns logins and notes."""

from __future__ import annotations

import datetime as _dt

from changegate.errors import EvidenceError
from changegate.model import Approvals, Review

DECIDING_STATES: tuple[str, ...] = ("APPROVED", "CHANGES_REQUESTED", "DISMISSED")


def parse_time(text: str) -> _dt.datetime:
    """An ISO 8601 time ("Z" accepted; UTC when it names no zone); ValueError when it is none."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    moment = _dt.datetime.fromisoformat(value)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=_dt.UTC)


def excluded_approvers(approvals: Approvals, *, exclude_committers: bool) -> frozenset[str]:
    """Who can never approve this change: its author and, with `exclude_committers`, the
    authors and committers of its commits."""
    excluded = {approvals.author.lower()} if approvals.author else set()
    if exclude_committers:
        excluded.update(c.lower() for c in approvals.committers)
    return frozenset(excluded)


FULL_SHA_LENGTHS = (40, 64)  # SHA-1 and SHA-256 object names


def is_full_sha(text: str) -> bool:
    """Whether `text` is a whole commit id (40 or 64 hex digits), not an abbreviation."""
    return len(text) in FULL_SHA_LENGTHS and all(c in "0123456789abcdef" for c in text.lower())


def _on_head(commit_id: str, head: str) -> bool:
    """Whether a review's `commit_id` names the `head` commit. When the head is known in
    full, only its full id does: a 7-digit prefix is found by brute force in under a minute.
    Only a head given by an abbreviation (an approvals file without --head) is matched by
    prefix, either way round, at least 7 digits."""
    commit_id, head = commit_id.lower(), head.lower()
    if commit_id == head:
        return True
    if is_full_sha(head):
        return False
    short, long_ = sorted((commit_id, head), key=len)
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


def effective_approvers(approvals: Approvals, *, allow_stale: bool, exclude_committers: bool,
                        head_sha: str | None) -> tuple[set[str], list[str]]:
    """The logins whose approval counts, and one note for each approval that does not.

    `head_sha` (from git or the event) wins over the file's `head_sha`; when neither is
    known, approvals are taken on any commit and a note says so.
    """
    head = (head_sha or approvals.head_sha or "").strip().lower() or None
    by_user: dict[str, list[tuple[int, Review]]] = {}
    for index, review in enumerate(approvals.reviews):
        by_user.setdefault(review.user, []).append((index, review))
    approvers: set[str] = set()
    notes: list[str] = []
    if head is None and any(r.state == "APPROVED" for r in approvals.reviews):
        notes.append("no head commit is known, so approvals on any commit are taken")
    committers = set(approvals.committers)
    for user in sorted(by_user):
        latest = _latest_deciding(by_user[user], approvals.source)
        if latest is None:
            continue
        if latest.state != "APPROVED":
            word = "dismissed" if latest.state == "DISMISSED" else "changes requested"
            if any(r.state == "APPROVED" for _, r in by_user[user]):
                notes.append(f"{user}: an earlier approval no longer counts ({word} later)")
            continue
        if approvals.author and user == approvals.author:
            notes.append(f"{user}: the author's own approval never counts")
            continue
        if exclude_committers and user in committers:
            notes.append(f"{user}: committed to this change, so the approval does not count "
                         "(approvals.exclude_committers)")
            continue
        if head is not None and not allow_stale:
            if latest.commit_id is None:
                notes.append(f"{user}: approval names no commit, so it is not known to be on "
                             f"the head commit {head[:7]} (stale)")
                continue
            if is_full_sha(head) and not is_full_sha(latest.commit_id) and head.startswith(latest.commit_id.lower()):
                notes.append(f"{user}: approval names the commit by a short id {latest.commit_id[:12]}; the head "
                             f"commit is known in full ({head[:12]}…), so only its full 40-hex id counts")
                continue
            if not _on_head(latest.commit_id, head):
                notes.append(f"{user}: approval on an earlier commit {latest.commit_id[:7]} "
                             "(stale)")
                continue
        approvers.add(user)
    return approvers, notes
