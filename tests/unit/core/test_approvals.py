"""Who effectively approved a change (core/approvals.py)."""

from __future__ import annotations

import pytest

from changegate.core import approvals
from changegate.errors import EvidenceError
from changegate.model import Approvals, Review

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


def test_a_short_commit_id_does_not_count_once_the_head_is_known_in_full() -> None:
    evidence = Approvals(head_sha=HEAD, reviews=(_review("alice", commit_id=HEAD[:7]),
                                                 _review("bob", commit_id=HEAD[:39])))
    assert _effective(evidence) == (set(), [
        "alice: approval names the commit by a short id abc1234; the head commit is known in full "
        "(abc1234def56…), so only its full 40-hex id counts",
        "bob: approval names the commit by a short id abc1234def56; the head commit is known in full "
        "(abc1234def56…), so only its full 40-hex id counts"])
    assert _effective(Approvals(reviews=(_review("alice", commit_id=HEAD[:7]),)), head_sha=HEAD)[0] == set()
    assert _effective(Approvals(head_sha=HEAD[:7], reviews=(_review("alice", commit_id=HEAD[:7]),)))[0] == {"alice"}
