"""evidence.suites: a suite made of a set of report files (JVM style, one file per class),
kept inside the repository."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from changegate.errors import EvidenceError
from changegate.sources import junit

GRADLE_DIR = "services/crm/build/test-results/test"


def _gradle_class(root: Path, cls: str, cases: str) -> None:
    path = root / GRADLE_DIR / f"TEST-com.acme.crm.{cls}.xml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'<?xml version="1.0" encoding="UTF-8"?>\n<testsuite name="com.acme.crm.{cls}" '
                    f'tests="2" skipped="0" failures="0" errors="0">\n<properties/>\n{cases}\n'
                    "<system-out><![CDATA[]]></system-out>\n</testsuite>\n", encoding="utf-8")


def _crm_classes(root: Path, broken: bool = False) -> None:
    _gradle_class(root, "CustomerTest", '<testcase name="creates()"/><testcase name="renames()"/>')
    failing = '<failure message="expected 2">trace</failure>' if broken else ""
    _gradle_class(root, "OrderTest", f'<testcase name="places()">{failing}</testcase>'
                                     '<testcase name="cancels()"><skipped/></testcase>')


MAPPING = {"crm-unit": [f"{GRADLE_DIR}/*.xml"]}


def test_per_class_files_add_up_to_one_passing_suite(tmp_path: Path) -> None:
    _crm_classes(tmp_path)
    result = junit.load([], tmp_path, MAPPING)["crm-unit"]
    assert (result.tests, result.failures, result.skipped, result.passed) == (4, 0, 1, True)
    assert result.files == (f"{GRADLE_DIR}/TEST-com.acme.crm.CustomerTest.xml",
                            f"{GRADLE_DIR}/TEST-com.acme.crm.OrderTest.xml")


def test_one_failing_class_fails_the_mapped_suite(tmp_path: Path) -> None:
    _crm_classes(tmp_path, broken=True)
    result = junit.load([], tmp_path, MAPPING)["crm-unit"]
    assert (result.failures, result.passed, result.failing) == (1, False, ("places()",))


def test_a_mapped_suite_is_its_files_only(tmp_path: Path) -> None:
    _crm_classes(tmp_path)
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "crm-unit.xml").write_text(
        '<testsuite name="crm-unit"><testcase name="x"><failure/></testcase></testsuite>', encoding="utf-8")
    result = junit.load(["reports/*.xml"], tmp_path, MAPPING)
    assert result["crm-unit"].passed
    assert "reports/crm-unit.xml" not in result["crm-unit"].files


def test_a_mapping_that_matches_nothing_supplies_nothing(tmp_path: Path) -> None:
    assert junit.load([], tmp_path, MAPPING) == {}


@pytest.mark.parametrize("pattern", ["../elsewhere/*.xml", "build/../../x.xml", "/tmp/*.xml"])
def test_a_mapping_glob_that_leaves_the_repository_is_refused(tmp_path: Path, pattern: str) -> None:
    with pytest.raises(EvidenceError, match="leads out of the repository"):
        junit.load([], tmp_path, {"crm-unit": [pattern]})


def test_a_symlink_out_of_the_repository_is_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "TEST-x.xml").write_text('<testsuite name="x"><testcase name="a"/></testsuite>', encoding="utf-8")
    repo = tmp_path / "repo"
    (repo / "build").mkdir(parents=True)
    os.symlink(outside / "TEST-x.xml", repo / "build" / "TEST-x.xml")
    for globs, mapping in (([], {"crm-unit": ["build/*.xml"]}), (["build/*.xml"], {})):
        with pytest.raises(EvidenceError) as info:
            junit.load(globs, repo, mapping)
        assert str(info.value) == ("build/TEST-x.xml: is a symlink that leads out of the repository; "
                                   "refusing to read it")
