from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from changegate.errors import EvidenceError, InputErrors
from changegate.model import Approvals, Review
from changegate.sources import approvals

HEAD = "abc1234def5678abc1234def5678abc1234def56"
OLD = "0001111222233334444555566667777888899990"


def _write(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "approvals.json"
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def _review(user: str, state: str = "APPROVED", commit_id: str | None = HEAD,
            submitted_at: str | None = None) -> Review:
    return Review(user=user, state=state, commit_id=commit_id, submitted_at=submitted_at)


def _effective(evidence: Approvals, *, allow_stale: bool = False, exclude_committers: bool = True,
               head_sha: str | None = None) -> tuple[set[str], list[str]]:
    return approvals.effective_approvers(evidence, allow_stale=allow_stale,
                                         exclude_committers=exclude_committers, head_sha=head_sha)


# --------------------------------------------------------------------------- loading


def test_load_reads_the_spec_shape_and_normalises_logins(tmp_path: Path) -> None:
    path = _write(tmp_path, {
        "author": "@Dave", "head_sha": "ABC123", "labels": ["release", "Hotfix"],
        "committers": ["Erin", "@erin", " "],
        "reviews": [{"user": "@Alice", "state": "approved", "commit_id": "ABC123",
                     "submitted_at": "2026-11-27T10:00:00Z"},
                    {"user": "bob", "state": "COMMENTED"}],
    })
    assert approvals.load(path) == Approvals(
        author="dave", head_sha="abc123", labels=("release", "Hotfix"),
        reviews=(Review("alice", "APPROVED", "abc123", "2026-11-27T10:00:00Z"),
                 Review("bob", "COMMENTED", None, None)),
        committers=("erin",), source=str(path))


def test_an_empty_object_is_no_evidence(tmp_path: Path) -> None:
    path = _write(tmp_path, {})
    assert approvals.load(path) == Approvals(source=str(path))


def test_invalid_json_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "approvals.json"
    path.write_text('{\n  "author": "dave",\n  "reviews": [,]\n}\n', encoding="utf-8")
    with pytest.raises(EvidenceError) as info:
        approvals.load(path)
    assert str(info.value) == f"{path}:3: not valid JSON: Expecting value (column 15)"


def test_a_wrong_type_names_the_key_path(tmp_path: Path) -> None:
    path = _write(tmp_path, {"reviews": [
        {"user": "a", "state": "APPROVED"}, {"user": "b", "state": "APPROVED"},
        {"user": "c", "state": 3}]})
    with pytest.raises(EvidenceError) as info:
        approvals.load(path)
    assert str(info.value) == f"{path}:13: reviews[2].state: expected a string"


def test_every_shape_error_is_reported_together(tmp_path: Path) -> None:
    path = _write(tmp_path, {"author": 1, "reviewes": [], "reviews": [{"state": "APPROVED"}]})
    with pytest.raises(InputErrors) as info:
        approvals.load(path)
    assert str(info.value) == "\n".join([
        f"{path}:3: (top level): unknown key 'reviewes' (allowed: author, committers, head_sha, "
        "labels, reviews)",
        f"{path}:2: author: expected a string or null",
        f"{path}:5: reviews[0]: missing key 'user'",
    ])


def test_an_unknown_review_state_lists_the_allowed_states(tmp_path: Path) -> None:
    path = _write(tmp_path, {"reviews": [{"user": "a", "state": "LGTM"}]})
    with pytest.raises(EvidenceError) as info:
        approvals.load(path)
    assert str(info.value) == (f"{path}:5: reviews[0].state: 'LGTM' is not one of APPROVED, "
                               "CHANGES_REQUESTED, COMMENTED, DISMISSED, PENDING")


def test_a_bad_submitted_at_is_an_evidence_error(tmp_path: Path) -> None:
    path = _write(tmp_path, {"reviews": [{"user": "a", "state": "APPROVED",
                                          "submitted_at": "yesterday"}]})
    with pytest.raises(EvidenceError) as info:
        approvals.load(path)
    assert str(info.value) == f"{path}:6: reviews[0].submitted_at: not an ISO 8601 time: 'yesterday'"


def test_a_duplicate_key_is_an_evidence_error(tmp_path: Path) -> None:
    path = tmp_path / "approvals.json"
    path.write_text('{"author": "dave", "author": "eve"}', encoding="utf-8")
    with pytest.raises(EvidenceError) as info:
        approvals.load(path)
    assert str(info.value) == f"{path}: duplicate key 'author'"


def test_a_missing_approvals_file_is_an_evidence_error(tmp_path: Path) -> None:
    path = tmp_path / "nope.json"
    with pytest.raises(EvidenceError) as info:
        approvals.load(path)
    assert str(info.value) == f"{path}: cannot read the approvals file: No such file or directory"


def test_a_top_level_list_is_a_shape_error(tmp_path: Path) -> None:
    path = _write(tmp_path, [])
    with pytest.raises(EvidenceError) as info:
        approvals.load(path)
    assert str(info.value) == f"{path}:1: (top level): expected an object"


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


def test_effective_approvers_of_a_loaded_file(tmp_path: Path) -> None:
    path = _write(tmp_path, {
        "author": "Dave", "head_sha": "abc123",
        "reviews": [{"user": "Alice", "state": "APPROVED", "commit_id": "abc123",
                     "submitted_at": "2026-11-27T10:00:00Z"},
                    {"user": "@DAVE", "state": "APPROVED", "commit_id": "abc123"}]})
    assert _effective(approvals.load(path)) == (
        {"alice"}, ["dave: the author's own approval never counts"])
