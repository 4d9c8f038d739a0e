"""Reading and validating the approvals file (`--approvals FILE`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from changegate.core.approvals import effective_approvers
from changegate.errors import EvidenceError, InputErrors
from changegate.model import Approvals, Review
from changegate.sources import approvals


def _write(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "approvals.json"
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


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
    assert str(info.value) == f"{path}:13: reviews.2.state: expected a string, got an integer"


def test_every_shape_error_is_reported_together(tmp_path: Path) -> None:
    path = _write(tmp_path, {"author": 1, "reviewes": [], "reviews": [{"state": "APPROVED"}]})
    with pytest.raises(InputErrors) as info:
        approvals.load(path)
    assert str(info.value) == "\n".join([
        f"{path}:2: author: expected a string or null, got an integer",
        f"{path}:3: unknown key 'reviewes' (allowed: author, committers, head_sha, labels, reviews)",
        f"{path}:5: reviews.0.user: required key missing",
    ])


def test_an_unknown_review_state_lists_the_allowed_states(tmp_path: Path) -> None:
    path = _write(tmp_path, {"reviews": [{"user": "a", "state": "LGTM"}]})
    with pytest.raises(EvidenceError) as info:
        approvals.load(path)
    assert str(info.value) == (f"{path}:5: reviews.0.state: 'LGTM' is not one of APPROVED, "
                               "CHANGES_REQUESTED, COMMENTED, DISMISSED, PENDING")


def test_a_bad_submitted_at_is_an_evidence_error(tmp_path: Path) -> None:
    path = _write(tmp_path, {"reviews": [{"user": "a", "state": "APPROVED",
                                          "submitted_at": "yesterday"}]})
    with pytest.raises(EvidenceError) as info:
        approvals.load(path)
    assert str(info.value) == f"{path}:6: reviews.0.submitted_at: not an ISO 8601 time: 'yesterday'"


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
    assert str(info.value) == f"{path}:1: expected a mapping, got a list"


def test_effective_approvers_of_a_loaded_file(tmp_path: Path) -> None:
    path = _write(tmp_path, {
        "author": "Dave", "head_sha": "abc123",
        "reviews": [{"user": "Alice", "state": "APPROVED", "commit_id": "abc123",
                     "submitted_at": "2026-11-27T10:00:00Z"},
                    {"user": "@DAVE", "state": "APPROVED", "commit_id": "abc123"}]})
    assert effective_approvers(approvals.load(path), allow_stale=False, exclude_committers=True,
                               head_sha=None) == (
        {"alice"}, ["dave: the author's own approval never counts"])
