"""Approvals evidence (`--approvals FILE`): read and validated into `model.Approvals`.
Who of the reviewers effectively approved is the core's business (core/approvals.py).

The file's shape (SPEC §5)::

    {"author": "dave", "head_sha": "abc123", "labels": ["release"],
     "committers": ["erin"],
     "reviews": [{"user": "alice", "state": "APPROVED", "commit_id": "abc123",
                  "submitted_at": "2026-11-27T10:00:00Z"}]}

Every key is optional; unknown keys are errors (a typo must not silently drop evidence).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from changegate.core.approvals import parse_time
from changegate.errors import EvidenceError, InputError, InputErrors
from changegate.load import limits
from changegate.load.files import read_bounded
from changegate.load.json_text import json_lines
from changegate.load.lines import Lines
from changegate.load.schema import validate
from changegate.model import Approvals, Review

MAX_BYTES = 16 * 1024 * 1024
REVIEW_STATES: tuple[str, ...] = ("APPROVED", "CHANGES_REQUESTED", "COMMENTED", "DISMISSED",
                                  "PENDING")

def login(name: str) -> str:
    """A GitHub login as compared everywhere: lower-cased, without a leading '@'."""
    return name.strip().lstrip("@").lower()


def _shape_errors(data: Any, lines: Lines, source: str) -> list[InputError]:
    """Every schema problem of an approvals document, located, worded as every gate file's."""
    try:
        validate(data, "approvals", source, lines)
    except InputErrors as exc:
        return [EvidenceError(err.message, err.file, err.line) for err in exc.errors]
    return []


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise EvidenceError(f"duplicate key {key!r}")
        out[key] = value
    return out


def _check_time(text: str, where: str, source: str) -> None:
    try:
        parse_time(text)
    except ValueError as exc:
        raise EvidenceError(f"{where}: not an ISO 8601 time: {text!r}", source) from exc


def parse(text: str, source: str) -> Approvals:
    """Approvals from JSON `text` read from `source` (a file name, for messages)."""
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates, parse_int=limits.json_int)
    except json.JSONDecodeError as exc:
        raise EvidenceError(f"not valid JSON: {exc.msg} (column {exc.colno})", source,
                            exc.lineno) from exc
    except limits.IntegerTooLongError as exc:
        raise EvidenceError(str(exc), source, limits.token_line(text, exc.token)) from None
    except EvidenceError as exc:
        raise EvidenceError(exc.message, source) from exc
    except RecursionError as exc:
        raise EvidenceError("nested too deeply", source) from exc
    lines = Lines(compute=lambda: json_lines(text))
    errors = _shape_errors(data, lines, source)
    reviews: list[Review] = []
    if not errors:
        for index, raw in enumerate(data.get("reviews", [])):
            state = raw["state"].strip().upper()
            if state not in REVIEW_STATES:
                errors.append(EvidenceError(
                    f"reviews.{index}.state: {raw['state']!r} is not one of "
                    f"{', '.join(REVIEW_STATES)}", source, lines.line(("reviews", index, "state"))))
                continue
            submitted = raw.get("submitted_at")
            if submitted is not None:
                try:
                    _check_time(submitted, f"reviews.{index}.submitted_at", source)
                except EvidenceError as exc:
                    exc.line = lines.line(("reviews", index, "submitted_at"))
                    errors.append(exc)
                    continue
            commit = raw.get("commit_id")
            reviews.append(Review(user=login(raw["user"]), state=state,
                                  commit_id=commit.strip().lower() if commit else None,
                                  submitted_at=submitted))
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise InputErrors(errors)
    author = data.get("author")
    head = data.get("head_sha")
    return Approvals(
        author=login(author) if author else None,
        head_sha=head.strip().lower() if head else None,
        labels=tuple(data.get("labels", ())),
        reviews=tuple(reviews),
        committers=tuple(sorted({login(c) for c in data.get("committers", ()) if c.strip()})),
        source=source,
    )


def load(path: Path) -> Approvals:
    """Read and validate the approvals file at `path`."""
    source = str(path)
    raw = read_bounded(source, "the approvals file", MAX_BYTES, path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise EvidenceError("not UTF-8 text", source, line) from exc
    return parse(text, source)
