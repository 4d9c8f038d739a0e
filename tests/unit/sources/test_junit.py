from __future__ import annotations

from pathlib import Path

import pytest

from changegate.errors import EvidenceError
from changegate.model import SuiteResult
from changegate.sources import junit

PYTEST_STYLE = """<?xml version="1.0" encoding="utf-8"?>
<testsuites name="pytest tests">
  <testsuite name="crm-unit" errors="0" failures="0" skipped="0" tests="3">
    <testcase classname="t" name="a" time="0.1"/>
    <testcase classname="t" name="b"><skipped message="later"/></testcase>
    <testcase classname="t" name="c"><properties/></testcase>
  </testsuite>
</testsuites>
"""


def _write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_testsuites_root_is_keyed_by_suite_name_and_file_stem(tmp_path: Path) -> None:
    _write(tmp_path, "reports/unit.xml", PYTEST_STYLE)
    result = junit.load(["reports/**/*.xml"], tmp_path)
    assert result == {
        "crm-unit": SuiteResult("crm-unit", tests=3, failures=0, errors=0, skipped=1,
                                files=("reports/unit.xml",)),
        "unit": SuiteResult("unit", tests=3, failures=0, errors=0, skipped=1,
                            files=("reports/unit.xml",)),
    }
    assert result["crm-unit"].passed


def test_a_bare_testsuite_root_counts_failures_and_errors_from_testcases(tmp_path: Path) -> None:
    _write(tmp_path, "reports/deep/TEST-ledger.xml", """<testsuite name="ledger" tests="99">
  <testcase name="ok"/>
  <testcase name="broken"><failure message="boom">trace</failure></testcase>
  <testcase name="crashed"><error type="E"/></testcase>
  <testcase name="both"><error/><failure/></testcase>
</testsuite>""")
    result = junit.load(["reports/**/*.xml"], tmp_path)
    assert result["ledger"] == SuiteResult("ledger", tests=4, failures=2, errors=1, skipped=0,
                                           files=("reports/deep/TEST-ledger.xml",),
                                           failing=("broken", "crashed", "both"))
    assert not result["ledger"].passed
    assert result["TEST-ledger"].failures == 2


def test_attributes_are_used_when_a_suite_lists_no_testcases(tmp_path: Path) -> None:
    _write(tmp_path, "summary.xml", '<testsuites><testsuite name="pos" tests="5" failures="1" '
                                    'errors="0" skipped="2"/></testsuites>')
    assert junit.load(["summary.xml"], tmp_path)["pos"] == SuiteResult(
        "pos", tests=5, failures=1, errors=0, skipped=2, files=("summary.xml",),
        failing=("pos (the suite's own failures count)",))


def test_a_suite_that_ran_nothing_is_present_but_not_passing(tmp_path: Path) -> None:
    _write(tmp_path, "empty.xml", '<testsuite name="crm-contract" tests="0"/>')
    result = junit.load(["empty.xml"], tmp_path)["crm-contract"]
    assert result.tests == 0
    assert not result.passed


def test_suites_sharing_a_name_across_files_are_added_up(tmp_path: Path) -> None:
    _write(tmp_path, "r/shard1.xml", '<testsuite name="crm-unit"><testcase name="a"/></testsuite>')
    _write(tmp_path, "r/shard2.xml",
           '<testsuite name="crm-unit"><testcase name="b"><failure/></testcase></testsuite>')
    result = junit.load(["r/*.xml"], tmp_path)
    assert result["crm-unit"] == SuiteResult("crm-unit", tests=2, failures=1, errors=0, skipped=0,
                                             files=("r/shard1.xml", "r/shard2.xml"), failing=("b",))


def test_a_suite_named_like_its_file_is_not_counted_twice(tmp_path: Path) -> None:
    _write(tmp_path, "crm-unit.xml", '<testsuite name="crm-unit"><testcase name="a"/></testsuite>')
    assert junit.load(["crm-unit.xml"], tmp_path) == {
        "crm-unit": SuiteResult("crm-unit", 1, 0, 0, 0, files=("crm-unit.xml",))}


def test_nested_suites_are_each_known_and_add_up_in_their_parent(tmp_path: Path) -> None:
    _write(tmp_path, "nested.xml", """<testsuites>
  <testsuite name="outer">
    <testcase name="top"/>
    <testsuite name="inner"><testcase name="x"><skipped/></testcase></testsuite>
  </testsuite>
</testsuites>""")
    result = junit.load(["nested.xml"], tmp_path)
    assert (result["outer"].tests, result["outer"].skipped) == (2, 1)
    assert (result["inner"].tests, result["inner"].skipped) == (1, 1)
    assert (result["nested"].tests, result["nested"].skipped) == (2, 1)


def test_absolute_globs_and_overlapping_globs_read_each_file_once(tmp_path: Path) -> None:
    path = _write(tmp_path, "a/unit.xml", PYTEST_STYLE)
    result = junit.load([str(tmp_path / "a" / "*.xml"), "a/unit.xml"], tmp_path / "elsewhere")
    assert result["crm-unit"].tests == 3
    assert result["crm-unit"].files == (str(path),)


def test_a_glob_matching_nothing_supplies_nothing(tmp_path: Path) -> None:
    assert junit.load(["reports/**/*.xml", str(tmp_path / "none" / "*.xml")], tmp_path) == {}


def test_xml_that_is_not_junit_is_skipped(tmp_path: Path) -> None:
    _write(tmp_path, "reports/coverage.xml", '<coverage line-rate="0.9"><packages/></coverage>')
    assert junit.load(["reports/*.xml"], tmp_path) == {}


def test_a_doctype_is_refused(tmp_path: Path) -> None:
    _write(tmp_path, "laughs.xml", """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
]>
<testsuite name="x">&lol2;</testsuite>""")
    with pytest.raises(EvidenceError) as info:
        junit.load(["laughs.xml"], tmp_path)
    assert str(info.value) == "laughs.xml:2: DTDs are not allowed in JUnit XML"


def test_an_external_entity_is_refused(tmp_path: Path) -> None:
    _write(tmp_path, "xxe.xml", '<?xml version="1.0"?>\n'
                                '<!DOCTYPE t SYSTEM "file:///etc/passwd">\n<testsuite/>')
    with pytest.raises(EvidenceError) as info:
        junit.load(["xxe.xml"], tmp_path)
    assert str(info.value) == "xxe.xml:2: DTDs are not allowed in JUnit XML"


def test_an_undefined_entity_is_a_parse_error(tmp_path: Path) -> None:
    _write(tmp_path, "ent.xml", '<testsuite name="x">\n<testcase name="&ext;"/></testsuite>')
    with pytest.raises(EvidenceError) as info:
        junit.load(["ent.xml"], tmp_path)
    assert str(info.value) == "ent.xml:2: not well-formed XML: undefined entity (column 1)"


def test_a_file_that_is_not_xml_names_file_and_line(tmp_path: Path) -> None:
    _write(tmp_path, "broken.xml", '<testsuite name="x">\n  <testcase name="a">\n</testsuite>')
    with pytest.raises(EvidenceError) as info:
        junit.load(["broken.xml"], tmp_path)
    assert str(info.value) == "broken.xml:3: not well-formed XML: mismatched tag (column 3)"
    _write(tmp_path, "empty.xml", "")
    with pytest.raises(EvidenceError) as info:
        junit.load(["empty.xml"], tmp_path)
    assert str(info.value) == "empty.xml:1: not well-formed XML: no element found (column 1)"


def test_a_count_attribute_that_is_not_a_number_names_the_line(tmp_path: Path) -> None:
    _write(tmp_path, "bad.xml", '<testsuites>\n<testsuite name="x" tests="many"/></testsuites>')
    with pytest.raises(EvidenceError) as info:
        junit.load(["bad.xml"], tmp_path)
    assert str(info.value) == "bad.xml:2: <testsuite> attribute tests='many' is not a whole number"


def test_a_file_past_the_size_bound_is_an_evidence_error(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(junit, "MAX_BYTES", 64)
    _write(tmp_path, "big.xml", PYTEST_STYLE)
    with pytest.raises(EvidenceError) as info:
        junit.load(["big.xml"], tmp_path)
    assert str(info.value) == "big.xml: larger than 64 bytes, the bound for one JUnit file"


def test_nesting_past_the_depth_bound_is_refused(tmp_path: Path) -> None:
    depth = junit.MAX_DEPTH + 1
    _write(tmp_path, "deep.xml", "<testsuite>" + "<p>" * depth + "</p>" * depth + "</testsuite>")
    with pytest.raises(EvidenceError) as info:
        junit.load(["deep.xml"], tmp_path)
    assert str(info.value) == f"deep.xml:1: elements nested deeper than {junit.MAX_DEPTH} levels"
