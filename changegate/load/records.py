"""Change records as stored in git notes (`changegate record`) -> `ChangeRecord`s.

A note holds one record a line: the decision JSON of `check --format json` on one line, with
a `record` object added (merge commit, time, approvers, pull request, the manifest's `pir`
and `fixes`, and the manifest's blob). `git notes append` separates records by a blank line.
The latest record of a commit is the one that counts; earlier ones stay as history.

Notes are written by whoever can push `refs/notes/changegate`, so every value is checked
for its type and shape; a record that does not hold is reported, never trusted.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from typing import Any

from changegate.model import ChangeRecord, Pir, RecordedStream

#: A note past this size is not read (one record is a few KiB; thousands of re-records fit).
MAX_NOTE_BYTES = 4 * 1024 * 1024
RECORD_VERSION = 1
_SHA = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


class RecordProblem(ValueError):
    """A note line that is not a usable change record."""


def note_lines(data: bytes) -> list[str]:
    """The non-empty lines of a note (each should be one record)."""
    if len(data) > MAX_NOTE_BYTES:
        raise RecordProblem(f"the note is larger than {MAX_NOTE_BYTES // (1024 * 1024)} MiB")
    return [line for line in data.decode("utf-8", "replace").splitlines() if line.strip()]


def parse_line(line: str) -> dict[str, Any]:
    """One note line as a record dict (version 1, with a `record` object); RecordProblem otherwise."""
    try:
        data = json.loads(line)
    except (ValueError, RecursionError) as exc:
        raise RecordProblem(f"not JSON ({exc})") from None
    if not isinstance(data, dict) or data.get("version") != RECORD_VERSION or not isinstance(data.get("record"), dict):
        raise RecordProblem("not a changegate record (version 1 with a `record` object)")
    return data


def same_record(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """True when two records say the same thing, whenever each was written."""
    return _without_time(a) == _without_time(b)


def _without_time(data: dict[str, Any]) -> dict[str, Any]:
    record = {k: v for k, v in data["record"].items() if k != "recorded_at"}
    return {**data, "record": record}


def latest_record(commit: str, data: bytes, committed_at: _dt.datetime | None) -> ChangeRecord:
    """The record that counts for `commit`: the last line of its note. RecordProblem when
    the note holds none, or the last line is not a valid record."""
    lines = note_lines(data)
    if not lines:
        raise RecordProblem("the note is empty")
    return to_record(commit, parse_line(lines[-1]), committed_at)


def to_record(commit: str, data: dict[str, Any], committed_at: _dt.datetime | None) -> ChangeRecord:
    """A record dict (from `parse_line`) as a `ChangeRecord`, every value checked."""
    rec = _obj(data, "record")
    if _str(rec, "commit") != commit:
        raise RecordProblem(f"the record names commit {str(rec.get('commit'))[:12]!r}, not the commit it is on")
    change = _obj(data, "change")
    impact = _obj(data, "impact")
    streams = []
    for item in _list(impact, "value_streams"):
        if not isinstance(item, dict):
            raise RecordProblem("impact.value_streams holds a non-object")
        streams.append(RecordedStream(_id(_str(item, "id")), tuple(_id(v) for v in _strings(item, "via"))))
    file = change.get("file")
    if file is not None and not isinstance(file, str):
        raise RecordProblem("change.file is not a string")
    title = change.get("title")
    subject = rec.get("subject")
    merged = committed_at or _time(_str(rec, "recorded_at"))
    number = rec.get("pull_request")
    if number is not None and (type(number) is not int or not 0 < number < 10**9):
        raise RecordProblem("record.pull_request is not a positive number")
    change_type = change.get("type") or ""
    if change_type not in ("", "standard", "normal", "emergency"):
        raise RecordProblem(f"change.type {change_type!r} is not a change type")
    risk = _obj(impact, "risk").get("level")
    if risk not in ("low", "medium", "high", "critical"):
        raise RecordProblem("impact.risk.level is not a risk level")
    return ChangeRecord(
        commit=commit, merged_at=merged, file=file,
        title=title if isinstance(title, str) and title else (subject if isinstance(subject, str) and subject
                                                              else file or commit[:12]),
        type=change_type, risk=risk, decision=str(data.get("decision")),
        touched=tuple(_id(v) for v in _strings(impact, "touched_components")),
        value_streams=tuple(streams), approvers=tuple(_strings(rec, "approvers")),
        pull_request=number, pir=pir_of(rec.get("pir")), fixes=tuple(_strings(rec, "fixes")),
        change_id=change_id(file), manifest_blob=_blob(rec.get("manifest_blob")),
    )


def _blob(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not is_sha(value):
        raise RecordProblem("record.manifest_blob is not a blob id")
    return value


def change_id(file: str | None) -> str | None:
    """A manifest's change id: its file name without the .yaml/.yml suffix."""
    if not file:
        return None
    name = file.rsplit("/", 1)[-1]
    for suffix in (".yaml", ".yml"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def pir_of(value: Any) -> Pir | None:
    """A manifest's (or a record's) `pir` mapping as a `Pir`; None when absent. A date the
    manifest schema let through is a date; anything else is a RecordProblem."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise RecordProblem("pir is not an object")
    due, ticket, done = value.get("due"), value.get("ticket"), value.get("done", False)
    if isinstance(due, _dt.date):
        due = due.isoformat()
    if not isinstance(due, str) or not _DATE.match(due) or not isinstance(ticket, str) or not isinstance(done, bool):
        raise RecordProblem("pir needs due (YYYY-MM-DD), ticket (text) and done (true/false)")
    try:
        return Pir(_dt.date.fromisoformat(due), ticket, done)
    except ValueError:
        raise RecordProblem(f"pir.due {due!r} is not a date") from None


def pir_json(pir: Pir | None) -> dict[str, Any] | None:
    """A `Pir` as the record stores it."""
    return None if pir is None else {"due": pir.due.isoformat(), "ticket": pir.ticket, "done": pir.done}


def is_sha(value: str) -> bool:
    """A full commit id (SHA-1 or SHA-256), lower-case hex."""
    return bool(_SHA.match(value))


def _obj(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise RecordProblem(f"{key} is not an object")
    return value


def _list(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise RecordProblem(f"{key} is not a list")
    return value


def _strings(data: dict[str, Any], key: str) -> list[str]:
    values = _list(data, key)
    if not all(isinstance(v, str) for v in values):
        raise RecordProblem(f"{key} holds a non-string")
    return values


def _str(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise RecordProblem(f"{key} is not a string")
    return value


def _id(value: str) -> str:
    if not _ID.match(value):
        raise RecordProblem(f"{value[:40]!r} is not an id")
    return value


def _time(text: str) -> _dt.datetime:
    try:
        moment = _dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise RecordProblem(f"recorded_at {text[:40]!r} is not an ISO 8601 time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=_dt.UTC)
