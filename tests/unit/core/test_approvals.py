"""Who effectively approved a change (core/approvals.py)."""

from __future__ import annotations

import pytest

from changegate.core import approval_history, approvals
from changegate.errors import EvidenceError
from changegate.model import Approvals, ApprovalSettings, CommitFacts, History, Review

HEAD = "abc1234def5678abc1234def5678abc1234def56"
OLD = "0001111222233334444555566667777888899990"


def _review(user: str, state: str = "APPROVED", commit_id: str | None = HEAD,
            submitted_at: str | None = None) -> Review:
    return Review(user=user, state=state, commit_id=commit_id, submitted_at=submitted_at)


def _effective(evidence: Approvals, *, allow_stale: bool = False, exclude_committers: bool = True,
               head_sha: str | None = None) -> tuple[set[str], list[str]]:
    return approvals.effective_approvers(evidence, allow_stale=allow_stale,
                                         exclude_committers=exclude_committers, head_sha=head_sha)


# --------------------------------------------------------------------------- effective approvers


def test_an_approval_on_the_head_commit_counts() -> None:
    evidence = Approvals(author="dave", head_sha=HEAD, reviews=(_review("alice"),))
    assert _effective(evidence) == ({"alice"}, [])


def test_an_approval_on_an_earlier_commit_is_stale() -> None:
    evidence = Approvals(head_sha=HEAD, reviews=(_review("alice", commit_id=OLD),))
    assert _effective(evidence) == (set(), ["alice: approval on an earlier commit 0001111 (stale)"])


def test_allow_stale_counts_approvals_on_earlier_commits() -> None:
    evidence = Approvals(head_sha=HEAD, reviews=(_review("alice", commit_id=OLD),))
    assert _effective(evidence, allow_stale=True) == ({"alice"}, [])


def test_an_approval_without_a_commit_is_stale_when_the_head_is_known() -> None:
    evidence = Approvals(head_sha=HEAD, reviews=(_review("alice", commit_id=None),))
    assert _effective(evidence) == (set(), [
        "alice: approval names no commit, so it is not known to be on the head commit "
        "abc1234 (stale)"])


def test_the_head_sha_given_by_the_caller_wins_over_the_file() -> None:
    evidence = Approvals(head_sha=OLD, reviews=(_review("alice", commit_id=HEAD),))
    assert _effective(evidence, head_sha=HEAD) == ({"alice"}, [])


def test_an_abbreviated_head_sha_matches_the_full_commit_id() -> None:
    evidence = Approvals(head_sha=HEAD[:7], reviews=(_review("alice"),))
    assert _effective(evidence) == ({"alice"}, [])


def test_without_any_head_sha_approvals_are_taken_with_a_note() -> None:
    evidence = Approvals(reviews=(_review("alice", commit_id=OLD),))
    assert _effective(evidence) == (
        {"alice"}, ["no head commit is known, so approvals on any commit are taken"])


def test_the_authors_own_approval_never_counts() -> None:
    evidence = Approvals(author="dave", head_sha=HEAD, reviews=(_review("dave"), _review("alice")))
    assert _effective(evidence, allow_stale=True) == (
        {"alice"}, ["dave: the author's own approval never counts"])


def test_committers_are_excluded_unless_configured_otherwise() -> None:
    evidence = Approvals(head_sha=HEAD, committers=("erin",), reviews=(_review("erin"),))
    assert _effective(evidence) == (set(), [
        "erin: committed to this change, so the approval does not count "
        "(approvals.exclude_committers)"])
    assert _effective(evidence, exclude_committers=False) == ({"erin"}, [])


def test_changes_requested_after_an_approval_cancels_it() -> None:
    evidence = Approvals(head_sha=HEAD, reviews=(
        _review("bob"), _review("bob", "CHANGES_REQUESTED")))
    assert _effective(evidence) == (
        set(), ["bob: an earlier approval no longer counts (changes requested later)"])


def test_a_dismissed_approval_does_not_count() -> None:
    evidence = Approvals(head_sha=HEAD, reviews=(_review("bob"), _review("bob", "DISMISSED")))
    assert _effective(evidence) == (
        set(), ["bob: an earlier approval no longer counts (dismissed later)"])


def test_a_later_comment_leaves_an_approval_standing() -> None:
    evidence = Approvals(head_sha=HEAD, reviews=(_review("bob"), _review("bob", "COMMENTED"),
                                                 _review("carol", "PENDING")))
    assert _effective(evidence) == ({"bob"}, [])


def test_submitted_at_orders_reviews_when_every_review_has_it() -> None:
    evidence = Approvals(head_sha=HEAD, reviews=(
        _review("bob", submitted_at="2026-11-27T12:00:00Z"),
        _review("bob", "CHANGES_REQUESTED", submitted_at="2026-11-27T10:00:00Z"),
        _review("carol", "CHANGES_REQUESTED", submitted_at="2026-11-27T12:00:00+02:00"),
        _review("carol", submitted_at="2026-11-27T11:00:00Z"),
    ))
    assert _effective(evidence) == ({"bob", "carol"}, [])


def test_file_order_decides_when_a_review_has_no_submitted_at() -> None:
    evidence = Approvals(head_sha=HEAD, reviews=(
        _review("bob", submitted_at="2026-11-27T12:00:00Z"),
        _review("bob", "CHANGES_REQUESTED"),
    ))
    assert _effective(evidence) == (
        set(), ["bob: an earlier approval no longer counts (changes requested later)"])


def test_the_author_and_the_committers_are_excluded_from_approving() -> None:
    evidence = Approvals(author="Dave", committers=("erin",))
    assert approvals.excluded_approvers(evidence, exclude_committers=True) == {"dave", "erin"}
    assert approvals.excluded_approvers(evidence, exclude_committers=False) == {"dave"}
    assert approvals.excluded_approvers(Approvals(), exclude_committers=True) == frozenset()


def test_a_review_time_that_is_no_time_is_an_evidence_error() -> None:
    # The approvals file is checked when read; this guards reviews from elsewhere (the API).
    evidence = Approvals(head_sha=HEAD, source="the pull request", reviews=(
        _review("bob", submitted_at="yesterday"), _review("bob", submitted_at="2026-11-27T10:00:00Z")))
    with pytest.raises(EvidenceError) as info:
        _effective(evidence)
    assert str(info.value) == ("the pull request: a review of bob: submitted_at is not an ISO 8601 "
                               "time: 'yesterday'")


def test_parse_time_reads_z_and_takes_utc_when_no_zone_is_named() -> None:
    assert approvals.parse_time("2026-11-27T10:00:00Z") == approvals.parse_time("2026-11-27T10:00:00")
    assert approvals.parse_time(" 2026-11-27T11:00:00+01:00 ") == approvals.parse_time("2026-11-27T10:00:00z")
    with pytest.raises(ValueError):
        approvals.parse_time("yesterday")


# --------------------------------------------------------------------------- approval integrity (issue 12)

MID = "1112222333344445555666677778888999900001"
BOT = "29139614+renovate[bot]@users.noreply.github.com"


def _history(*commits: CommitFacts, since: tuple[str, ...] | None = None) -> History:
    return History({c.sha: c for c in commits}, {OLD: since if since is not None else tuple(c.sha for c in commits)})


def _assess(history: History | None, **settings: object) -> approvals.Standing:
    evidence = Approvals(head_sha=HEAD, reviews=(_review("alice", commit_id=OLD),), history=history)
    return approvals.assess(evidence, ApprovalSettings(**settings))  # type: ignore[arg-type]


def test_an_abbreviated_commit_id_does_not_count_when_the_full_head_is_known() -> None:
    standing = _assess(None)
    evidence = Approvals(head_sha=HEAD, reviews=(_review("alice", commit_id=HEAD[:7]),))
    (outcome,) = approvals.assess(evidence, ApprovalSettings()).outcomes
    assert (outcome.reason, standing.fresh) == ("short-sha", frozenset())


def test_a_login_matches_itself_and_githubs_noreply_address() -> None:
    listed = ("renovate[bot]",)
    assert approval_history.is_listed("Renovate[bot]", listed)
    assert approval_history.is_listed(BOT, listed)
    assert approval_history.is_listed("renovate[bot]@users.noreply.github.com", listed)
    assert not approval_history.is_listed("renovate[bot]@evil.example", listed)
    assert not approval_history.is_listed("alice", ())


def test_an_update_merge_keeps_the_approval_only_with_the_option() -> None:
    merge = CommitFacts(MID, ("erin@example.com",), ("db/x.sql",), update_merge=True)
    assert _assess(_history(merge), ignore_update_merges=True).fresh == {"alice"}
    (outcome,) = _assess(_history(merge)).outcomes
    assert (outcome.reason, outcome.made_stale_by) == ("stale", (MID,))
    assert "made stale by commit 1112222 (changed db/x.sql)" in outcome.detail


def test_a_bot_commit_is_neutral_only_when_every_identity_is_listed_and_authentic() -> None:
    listed = {"ignore_commits_by": ("renovate[bot]",)}
    assert _assess(_history(CommitFacts(MID, (BOT,))), **listed).fresh == {"alice"}
    assert _assess(_history(CommitFacts(MID, (BOT, "mallory@example.com"))), **listed).fresh == frozenset()
    assert _assess(_history(CommitFacts(MID, (BOT,), authentic=False)), **listed).fresh == frozenset()
    assert _assess(_history(CommitFacts(MID, ())), **listed).fresh == frozenset()


def test_commits_without_facts_and_rewritten_history_make_an_approval_stale() -> None:
    assert _assess(History({}, {OLD: (MID,)}), ignore_update_merges=True).fresh == frozenset()
    (outcome,) = _assess(History({}, {OLD: None}), ignore_update_merges=True).outcomes
    assert "not in the head commit's history" in outcome.detail


def test_touched_scope_leaves_the_approval_pending_for_each_requirement() -> None:
    push = CommitFacts(MID, ("erin@example.com",), ("db/x.sql",))
    standing = _assess(_history(push), invalidate="touched-scope")
    assert (standing.fresh, standing.outcomes, standing.pending) == (frozenset(), (), {"alice": (push,)})


def test_listed_accounts_are_not_excluded_as_committers() -> None:
    evidence = Approvals(author="dave", committers=("renovate[bot]", "erin"))
    assert approvals.excluded_approvers(evidence, exclude_committers=True,
                                        ignore_commits_by=("renovate[bot]",)) == {"dave", "erin"}
