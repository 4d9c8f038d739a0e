"""Change records read from git notes: whoever can push the notes ref writes them, so every
value is checked; a record that does not hold is refused with a reason, never trusted."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from changegate.load.records import RecordProblem, latest_record, same_record

SHA = "1" * 40


def _data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "version": 1, "decision": "pass",
        "change": {"file": ".changegate/changes/x.yaml", "title": "X", "type": "normal"},
        "impact": {"touched_components": ["crm"], "value_streams": [{"id": "vs", "via": ["crm", "vs"]}],
                   "risk": {"level": "high"}},
        "record": {"commit": SHA, "recorded_at": "2026-11-30T10:00:00Z", "approvers": ["alice"],
                   "pull_request": 7, "manifest_blob": None, "pir": None, "fixes": []},
    }
    for key, value in changes.items():
        section, _, name = key.partition("__")
        data[section][name] = value
    return data


def _note(*records: dict[str, Any]) -> bytes:
    return "\n\n".join(json.dumps(r) for r in records).encode()


def test_the_last_record_of_a_note_counts() -> None:
    first, second = _data(), _data(record__approvers=["alice", "bob"])
    record = latest_record(SHA, _note(first, second), None)
    assert record.approvers == ("alice", "bob")
    assert record.merged_at == dt.datetime(2026, 11, 30, 10, tzinfo=dt.UTC)
    assert (record.change_id, record.pull_request, record.value_streams[0].via) == ("x", 7, ("crm", "vs"))


@pytest.mark.parametrize(("changes", "reason"), [
    ({"record__commit": "2" * 40}, "not the commit it is on"),
    ({"record__pull_request": "7); alert(1"}, "pull_request"),
    ({"record__pull_request": True}, "pull_request"),
    ({"change__type": "<b>urgent</b>"}, "not a change type"),
    ({"impact__touched_components": ["crm", {"x": 1}]}, "non-string"),
    ({"impact__value_streams": [{"id": "vs\" onmouseover=\"x", "via": []}]}, "is not an id"),
    ({"record__pir": {"due": "someday", "ticket": "P", "done": False}}, "pir needs"),
    ({"record__manifest_blob": "../../etc/passwd"}, "blob"),
    ({"record__recorded_at": "yesterday"}, "ISO 8601"),
])
def test_a_record_that_does_not_hold_is_refused(changes: dict[str, Any], reason: str) -> None:
    with pytest.raises(RecordProblem, match=reason):
        latest_record(SHA, _note(_data(**changes)), None)


@pytest.mark.parametrize("note", [b"", b"not json", b'{"version": 2, "record": {}}', b"[1, 2]",
                                  b"[" * 100_000])
def test_a_note_that_is_no_record_is_refused(note: bytes) -> None:
    with pytest.raises(RecordProblem):
        latest_record(SHA, note, None)


def test_same_record_ignores_only_the_time() -> None:
    assert same_record(_data(), _data(record__recorded_at="2027-01-01T00:00:00Z"))
    assert not same_record(_data(), _data(record__approvers=[]))
