"""The reference corpus of issue 14: real JUnit reports from the test fixtures of projects that
read or write JUnit XML (Surefire, pytest, jest-junit, go-junit-report, gotestsum, PHPUnit,
Mocha, GoogleTest, ...), each with the status every suite must get. The corpus lives outside
the project (`<project>/../shared/reference-data/junit`, see its README.md) and is never copied
in; without it these tests are skipped.

Statuses (the corpus's rule): `failed` (a failure or error at case or suite level), `passed` (at
least one test ran, none failed), `none` (nothing ran: not passing; `failed` and `missing` are
both fine).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import PROJECT

from changegate.model import SuiteResult
from changegate.sources import junit

CORPUS = PROJECT.parent / "shared" / "reference-data" / "junit"
SKIP = f"the JUnit reference corpus is not here ({CORPUS} is absent)"


def _reports(index: str) -> list[Any]:
    path = CORPUS / index
    if not path.is_file():
        return []
    return [pytest.param(path.parent, r, id=r["file"]) for r in json.loads(path.read_text("utf-8"))["reports"]]


def _status(result: SuiteResult | None) -> str:
    if result is None:
        return "missing"
    if result.passed:
        return "passed"
    return "failed" if result.failures or result.errors else "none"


ACCEPTED = {"passed": {"passed"}, "failed": {"failed"}, "none": {"none", "failed", "missing"}}


def _check(folder: Path, report: dict[str, Any]) -> None:
    path = folder / report["file"]
    results = junit.load([str(path)], folder)
    wrong = {suite: (want, _status(results.get(suite))) for suite, want in report["expect"].items()
             if _status(results.get(suite)) not in ACCEPTED[want]}
    assert not wrong, f"{report['file']} ({report.get('producer')}): suite -> (expected, read): {wrong}"


@pytest.mark.skipif(not CORPUS.is_dir(), reason=SKIP)
@pytest.mark.parametrize(("folder", "report"), _reports("expected.json"))
def test_every_real_report_is_read_as_its_producer_meant(folder: Path, report: dict[str, Any]) -> None:
    _check(folder, report)


@pytest.mark.skipif(not (CORPUS / "crafted" / "crafted.json").is_file(),
                    reason=f"the crafted probes are not here ({CORPUS / 'crafted'} is absent)")
@pytest.mark.parametrize(("folder", "report"), _reports("crafted/crafted.json"))
def test_every_crafted_probe_fails(folder: Path, report: dict[str, Any]) -> None:
    _check(folder, report)


@pytest.mark.skipif(not CORPUS.is_dir(), reason=SKIP)
def test_the_corpus_covers_six_producers() -> None:
    producers = " ".join(r["producer"] for r in json.loads((CORPUS / "expected.json").read_text("utf-8"))["reports"])
    for producer in ("Surefire", "pytest", "jest-junit", "go-junit-report", "gotestsum", "PHPUnit"):
        assert producer in producers
    assert len(_reports("expected.json")) >= 50
