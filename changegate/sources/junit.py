"""Test evidence from JUnit XML files, read the way each producer meant them.

JUnit XML is a family of dialects (pytest, Surefire/Failsafe, Gradle, jest-junit,
go-junit-report, gotestsum, .NET loggers, PHPUnit, Mocha, ...). The reader fails closed on any
sign of trouble: a suite fails when its own `failures`/`errors` attributes, a suite-level
`<failure>`/`<error>`, any test case or any nested suite reports one; where attributes and
children disagree the worse count is taken. Surefire's reruns keep their meaning: a test
with `<flakyFailure>`/`<flakyError>` passed on a rerun (counted as flaky), one with
`<rerunFailure>`/`<rerunError>` failed.

Parsing is done with expat directly: a DOCTYPE (and so any entity declaration, entity
expansion or external entity) is refused, nesting is bounded, and the document is read in
one pass that keeps only running counts, so a large report never becomes a large tree.

A suite is known by its `<testsuite name>` and by the file's stem; both keys map to the
counts, summed over every file and suite that shares the key. The config's
`evidence.suites` names a suite after a set of files instead (`crm-unit: [".../*.xml"]`):
that suite is then the sum of those files, and only of them. XML files whose root is not
`<testsuites>` or `<testsuite>` (a coverage report matched by a wide glob, say) supply no
suite and are not an error; one named exactly (no glob characters) on the command line is
reported (`not_reports`), since it was meant as a report.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

from changegate.errors import EvidenceError
from changegate.load.files import read_bounded
from changegate.model import SuiteResult
from changegate.sources.report_files import matches

MAX_BYTES = 50 * 1024 * 1024
MAX_DEPTH = 256  # elements nested deeper than this are refused
MAX_FAILING = 3  # failing test names kept per suite
MAX_NAME = 100  # characters of a failing test's name kept
_ROOTS = ("testsuites", "testsuite")
_TROUBLE = ("failure", "error")
# What a testcase child says about the case, worst first.
_CASE_MARKS = {"failure": "failure", "rerunFailure": "failure", "error": "error", "rerunError": "error",
               "skipped": "skipped", "flakyFailure": "flaky", "flakyError": "flaky"}
_RANK = ("failure", "error", "skipped", "flaky")


@dataclass
class Counts:
    """Running counts of a suite, a file, or a suite name over several files."""

    tests: int = 0
    failures: int = 0
    errors: int = 0
    skipped: int = 0
    flaky: int = 0
    failing: list[str] = field(default_factory=list)

    def add(self, other: Counts) -> None:
        self.tests += other.tests
        self.failures += other.failures
        self.errors += other.errors
        self.skipped += other.skipped
        self.flaky += other.flaky
        self.note(other.failing)

    def note(self, names: Iterable[str]) -> None:
        """Keep the first MAX_FAILING failing test names, each shortened to MAX_NAME characters."""
        for name in names:
            if len(self.failing) >= MAX_FAILING:
                return
            self.failing.append(name if len(name) <= MAX_NAME else name[:MAX_NAME - 1] + "…")

    def result(self, name: str, files: Sequence[str]) -> SuiteResult:
        return SuiteResult(name=name, tests=self.tests, failures=self.failures, errors=self.errors,
                           skipped=self.skipped, files=tuple(files), flaky=self.flaky,
                           failing=tuple(self.failing))


@dataclass
class _Frame:
    tag: str
    line: int
    attrs: dict[str, str]
    tally: Counts = field(default_factory=Counts)
    has_children: bool = False  # a suite with testcase or testsuite children counts them
    own_failures: int = 0  # a suite's own <failure>/<error> elements
    own_errors: int = 0
    mark: str | None = None  # a testcase: the worst of _RANK its children say


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
        shown = raw if len(raw) <= 40 else raw[:37] + "..."  # a 5,000-digit count is not echoed whole
        raise _Refused(f"<{frame.tag}> attribute {name}={shown!r} is not a whole number", frame.line)
    return value


def _case_name(frame: _Frame) -> str:
    name = frame.attrs.get("name", "").strip() or "(unnamed test)"
    classname = frame.attrs.get("classname", "").strip()
    return f"{classname}.{name}" if classname and not name.startswith(classname) else name


def _close_case(frame: _Frame, suite: _Frame | None) -> None:
    if suite is None:
        return
    suite.has_children = True
    tally = suite.tally
    tally.tests += 1
    if frame.mark == "failure":
        tally.failures += 1
    elif frame.mark == "error":
        tally.errors += 1
    elif frame.mark == "skipped":
        tally.skipped += 1
    elif frame.mark == "flaky":
        tally.flaky += 1
    if frame.mark in _TROUBLE:
        tally.note((_case_name(frame),))


def _close_suite(frame: _Frame) -> Counts:
    """A suite's counts: its children's (or, with none, its attributes), its own suite-level
    trouble added, and each count the worse of attributes and children."""
    tally = frame.tally
    counts = Counts(
        tests=tally.tests if frame.has_children else _attr_int(frame, "tests"),
        failures=max(_attr_int(frame, "failures"), tally.failures + frame.own_failures),
        errors=max(_attr_int(frame, "errors"), tally.errors + frame.own_errors),
        skipped=max(_attr_int(frame, "skipped"), tally.skipped),
        flaky=max(_attr_int(frame, "flakes"), tally.flaky),
        failing=list(tally.failing),
    )
    if (counts.failures or counts.errors) and not counts.failing:
        name = frame.attrs.get("name", "").strip() or "the suite"
        counts.note((f"{name} (the suite's own {'failures' if counts.failures else 'errors'} count)",))
    return counts


def parse(data: bytes, source: str) -> tuple[Counts, list[tuple[str, Counts]]] | None:
    """(the file's total, [(suite name, counts)]) from JUnit XML `data`; None when the root
    element is not a JUnit one. Raises EvidenceError (with the line) for anything unsafe or
    malformed."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    stack: list[_Frame] = []
    open_suites: list[_Frame] = []
    suites: list[tuple[str, Counts]] = []
    total: list[Counts] = []

    def doctype(*_: object) -> None:
        raise _Refused("DTDs are not allowed in JUnit XML", parser.CurrentLineNumber)

    def entity(*_: object) -> None:
        raise _Refused("entity declarations are not allowed in JUnit XML", parser.CurrentLineNumber)

    def external(*_: object) -> int:
        raise _Refused("external entities are not allowed in JUnit XML", parser.CurrentLineNumber)

    def start(tag: str, attrs: dict[str, str]) -> None:
        if not stack and tag not in _ROOTS:
            raise _NotJUnit()
        if len(stack) >= MAX_DEPTH:
            raise _Refused(f"elements nested deeper than {MAX_DEPTH} levels", parser.CurrentLineNumber)
        frame = _Frame(tag, parser.CurrentLineNumber, attrs)
        parent = stack[-1] if stack else None
        if parent is not None and parent.tag == "testcase" and tag in _CASE_MARKS:
            mark = _CASE_MARKS[tag]
            if parent.mark is None or _RANK.index(mark) < _RANK.index(parent.mark):
                parent.mark = mark
        elif parent is not None and parent.tag in _ROOTS and tag in _TROUBLE:
            if tag == "failure":
                parent.own_failures += 1
            else:
                parent.own_errors += 1
            name = parent.attrs.get("name", "").strip() or "the suite"
            message = attrs.get("message", "").strip()
            parent.tally.note((f"{name} (suite-level <{tag}>{': ' + message if message else ''})",))
        if tag in _ROOTS:
            open_suites.append(frame)
        stack.append(frame)

    def end(tag: str) -> None:
        frame = stack.pop()
        if tag == "testcase":
            _close_case(frame, open_suites[-1] if open_suites else None)
        elif tag in _ROOTS:
            open_suites.pop()
            counts = _close_suite(frame)
            if tag == "testsuite" and frame.attrs.get("name"):
                suites.append((frame.attrs["name"], counts))
            if open_suites:
                open_suites[-1].has_children = True
                open_suites[-1].tally.add(counts)
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


class _Reports:
    """Each report file parsed once, however many globs match it."""

    def __init__(self) -> None:
        self.parsed: dict[Path, tuple[Counts, list[tuple[str, Counts]]] | None] = {}

    def read(self, name: str, path: Path) -> tuple[Counts, list[tuple[str, Counts]]] | None:
        if path not in self.parsed:
            self.parsed[path] = parse(read_bounded(name, "one JUnit file", MAX_BYTES, path), name)
        return self.parsed[path]


def _stem(path: Path) -> str:
    return path.name.rsplit(".", 1)[0] if "." in path.name else path.name


def load(globs: Sequence[str], root: Path,
         suites: Mapping[str, Sequence[str]] | None = None, *,
         counts_as_evidence: Callable[[str, Path], bool] | None = None) -> dict[str, SuiteResult]:
    """Suite results from the JUnit XML files that `globs` (relative to `root`, or absolute;
    `**` recursive) match, keyed by suite name and by file stem; and, for each suite that
    `suites` maps to globs (relative, inside `root`), the sum of the files those match.
    A file for which `counts_as_evidence(name, path)` is False is not read."""
    reports = _Reports()
    counts: dict[str, Counts] = {}
    files: dict[str, list[str]] = {}
    keep = counts_as_evidence or (lambda name, path: True)
    for name, path in [m for m in matches(globs, root) if keep(*m)]:
        parsed = reports.read(name, path.resolve())
        if parsed is None:
            continue
        file_total, named = parsed
        stem = _stem(path)
        contribution: dict[str, Counts] = {stem: file_total}
        for suite_name, suite_counts in named:
            if suite_name != stem:
                contribution.setdefault(suite_name, Counts()).add(suite_counts)
        for key, value in contribution.items():
            counts.setdefault(key, Counts()).add(value)
            files.setdefault(key, []).append(name)
    for suite, patterns in (suites or {}).items():
        counts.pop(suite, None)  # a mapped suite is its files, and only them
        files.pop(suite, None)
        for name, path in [m for m in matches(patterns, root, inside_only=True) if keep(*m)]:
            parsed = reports.read(name, path.resolve())
            if parsed is not None:
                counts.setdefault(suite, Counts()).add(parsed[0])
                files.setdefault(suite, []).append(name)
    return {key: c.result(key, sorted(set(files[key]))) for key, c in sorted(counts.items())}


def not_reports(names: Sequence[str], root: Path) -> list[str]:
    """Of `names`, those that name one file exactly (no glob characters) whose XML is not a
    JUnit report; a glob may catch other XML (coverage reports) and is never reported."""
    exact = [name for name in names if not any(ch in name for ch in "*?[")]
    return [name for name, path in matches(exact, root)
            if parse(read_bounded(name, "one JUnit file", MAX_BYTES, path), name) is None]
