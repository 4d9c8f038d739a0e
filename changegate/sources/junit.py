"""Test evidence from JUnit XML files.

Parsing is done with expat directly: a DOCTYPE (and so any entity declaration, entity
expansion or external entity) is refused, and the document is read in one pass that keeps
only running counts, so a large report never becomes a large tree.

A suite is known by its `<testsuite name>` and by the file's stem; both keys map to the
counts, summed over every file and suite that shares the key. XML files whose root is not
`<testsuites>` or `<testsuite>` (a coverage report matched by a wide glob, say) supply no
suite and are not an error.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

from changegate.errors import EvidenceError
from changegate.load.files import read_bounded
from changegate.model import SuiteResult

MAX_BYTES = 50 * 1024 * 1024
_ROOTS = ("testsuites", "testsuite")


@dataclass
class _Counts:
    tests: int = 0
    failures: int = 0
    errors: int = 0
    skipped: int = 0

    def add(self, other: _Counts) -> None:
        self.tests += other.tests
        self.failures += other.failures
        self.errors += other.errors
        self.skipped += other.skipped


@dataclass
class _Frame:
    tag: str
    line: int
    attrs: dict[str, str] = field(default_factory=dict)
    tally: _Counts = field(default_factory=_Counts)
    has_children: bool = False  # a suite with testcase or testsuite children counts them
    outcome: str | None = None  # a testcase: "failure" | "error" | "skipped"


class _Refused(Exception):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class _NotJUnit(Exception):
    pass


def _attr_int(frame: _Frame, name: str) -> int:
    raw = frame.attrs.get(name)
    if raw is None or raw.strip() == "":
        return 0
    try:
        value = int(raw.strip())
    except ValueError:
        value = -1
    if value < 0:
        raise _Refused(f"<{frame.tag}> attribute {name}={raw!r} is not a whole number",
                       frame.line)
    return value


def _suite_counts(frame: _Frame) -> _Counts:
    if frame.has_children:
        return frame.tally
    return _Counts(tests=_attr_int(frame, "tests"), failures=_attr_int(frame, "failures"),
                   errors=_attr_int(frame, "errors"), skipped=_attr_int(frame, "skipped"))


def parse(data: bytes, source: str) -> tuple[_Counts, list[tuple[str, _Counts]]] | None:
    """(the file's total, [(suite name, counts)]) from JUnit XML `data`; None when the root
    element is not a JUnit one. Raises EvidenceError (with the line) for anything unsafe or
    malformed."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    stack: list[_Frame] = []
    suites: list[tuple[str, _Counts]] = []
    total: list[_Counts] = []

    def doctype(*_: object) -> None:
        raise _Refused("DTDs are not allowed in JUnit XML", parser.CurrentLineNumber)

    def entity(*_: object) -> None:
        raise _Refused("entity declarations are not allowed in JUnit XML",
                       parser.CurrentLineNumber)

    def external(*_: object) -> int:
        raise _Refused("external entities are not allowed in JUnit XML",
                       parser.CurrentLineNumber)

    def start(tag: str, attrs: dict[str, str]) -> None:
        if not stack and tag not in _ROOTS:
            raise _NotJUnit()
        frame = _Frame(tag, parser.CurrentLineNumber, attrs)
        if stack and tag in ("failure", "error", "skipped") and stack[-1].tag == "testcase":
            case = stack[-1]
            rank = ("skipped", "error", "failure")
            if case.outcome is None or rank.index(tag) > rank.index(case.outcome):
                case.outcome = tag
        stack.append(frame)

    def end(tag: str) -> None:
        frame = stack.pop()
        parent = next((f for f in reversed(stack) if f.tag in _ROOTS), None)
        if tag == "testcase":
            if parent is not None:
                parent.has_children = True
                parent.tally.tests += 1
                if frame.outcome == "failure":
                    parent.tally.failures += 1
                elif frame.outcome == "error":
                    parent.tally.errors += 1
                elif frame.outcome == "skipped":
                    parent.tally.skipped += 1
        elif tag in _ROOTS:
            counts = _suite_counts(frame)
            if tag == "testsuite" and frame.attrs.get("name"):
                suites.append((frame.attrs["name"], counts))
            if parent is not None:
                parent.has_children = True
                parent.tally.add(counts)
            elif not stack:
                total.append(counts)

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    parser.UnparsedEntityDeclHandler = entity
    parser.ExternalEntityRefHandler = external
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(data, True)
    except _NotJUnit:
        return None
    except _Refused as exc:
        raise EvidenceError(exc.message, source, exc.line) from None
    except expat.ExpatError as exc:
        raise EvidenceError(f"not well-formed XML: {expat.ErrorString(exc.code)} "
                            f"(column {exc.offset + 1})", source, exc.lineno) from None
    if not total:
        raise EvidenceError("not well-formed XML: no element found", source, 1)
    return total[0], suites


def _matches(globs: Sequence[str], root: Path) -> list[tuple[str, Path]]:
    """(name for messages, path) of every regular file the globs match, deduplicated."""
    seen: dict[str, tuple[str, Path]] = {}
    for pattern in globs:
        if os.path.isabs(pattern):
            found = [(name, Path(name)) for name in glob.glob(pattern, recursive=True)]
        else:
            found = [(name, root / name)
                     for name in glob.glob(pattern, root_dir=root, recursive=True)]
        for name, path in found:
            if path.is_file():
                seen.setdefault(os.path.realpath(path), (name, path))
    return sorted(seen.values(), key=lambda item: item[0])


def _read(name: str, path: Path) -> bytes:
    return read_bounded(name, "one JUnit file", MAX_BYTES, path)


def load(globs: Sequence[str], root: Path) -> dict[str, SuiteResult]:
    """Suite results from the JUnit XML files that `globs` (relative to `root`, or
    absolute; `**` recursive) match, keyed by suite name and by file stem."""
    counts: dict[str, _Counts] = {}
    files: dict[str, set[str]] = {}
    for name, path in _matches(globs, root):
        parsed = parse(_read(name, path), name)
        if parsed is None:
            continue
        file_total, suites = parsed
        stem = path.name.rsplit(".", 1)[0] if "." in path.name else path.name
        contribution: dict[str, _Counts] = {stem: file_total}
        for suite_name, suite_counts in suites:
            if suite_name == stem:
                continue
            contribution.setdefault(suite_name, _Counts()).add(suite_counts)
        for key, value in contribution.items():
            counts.setdefault(key, _Counts()).add(value)
            files.setdefault(key, set()).add(name)
    return {
        key: SuiteResult(name=key, tests=c.tests, failures=c.failures, errors=c.errors,
                         skipped=c.skipped, files=tuple(sorted(files[key])))
        for key, c in sorted(counts.items())
    }
