"""Suite-level trouble in each producer's JUnit dialect fails the suite, however clean its test
cases look; Surefire's reruns keep their meaning. Small reports written here, in the shape each
tool writes (see docs/test-evidence.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from changegate.sources import junit

# The two unsafe cases of issue 14: trouble reported only by the suite itself.
SETUP_CLASS_ERROR = """<testsuite name="ledger" tests="3">
  <error message="setUpClass failed"/>
  <testcase classname="t" name="a"/><testcase classname="t" name="b"/><testcase classname="t" name="c"/>
</testsuite>"""
ERRORS_ATTRIBUTE = """<testsuite name="ledger" tests="2" errors="1">
  <testcase classname="t" name="a"/><testcase classname="t" name="b"/>
</testsuite>"""

PYTEST = """<?xml version="1.0" encoding="utf-8"?><testsuites name="pytest tests">
<testsuite name="pytest" errors="1" failures="0" skipped="0" tests="2" time="0.03"
    timestamp="2026-01-01T00:00:00" hostname="ci">
  <testcase classname="tests.test_ledger" name="test_post" time="0.001"/>
  <testcase classname="tests.test_ledger" name="test_void" time="0.001"/>
</testsuite></testsuites>"""
SUREFIRE = """<?xml version="1.0" encoding="UTF-8"?>
<testsuite xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" version="3.0.2"
    name="org.acme.LedgerTest" time="0.2" tests="2" errors="0" skipped="0" failures="0">
  <properties><property name="java.version" value="21"/></properties>
  <testcase name="posts" classname="org.acme.LedgerTest" time="0.01"/>
  <testcase name="voids" classname="org.acme.LedgerTest" time="0.01"/>
  <error message="@BeforeAll failed" type="java.lang.IllegalStateException"><![CDATA[at org.acme]]></error>
  <system-out><![CDATA[starting]]></system-out>
</testsuite>"""
GRADLE = """<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="com.acme.crm.CustomerTest" tests="2" skipped="0" failures="1" errors="0"
    timestamp="2026-01-01T00:00:00" hostname="ci" time="0.4">
  <properties/>
  <testcase name="creates()" classname="com.acme.crm.CustomerTest" time="0.1"/>
  <testcase name="renames()" classname="com.acme.crm.CustomerTest" time="0.1"/>
  <system-out><![CDATA[]]></system-out>
  <system-err><![CDATA[]]></system-err>
</testsuite>"""
JEST = """<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="jest tests" tests="1" failures="0" errors="1" time="1.2">
  <testsuite name="src/cart.test.ts" errors="1" failures="0" skipped="0"
      timestamp="2026-01-01T00:00:00" time="1.1" tests="1">
    <testcase classname="cart adds an item" name="cart adds an item" time="0.01"/>
  </testsuite>
</testsuites>"""
GO_JUNIT_REPORT = """<?xml version="1.0" encoding="UTF-8"?>
<testsuites tests="1" failures="1">
  <testsuite name="example.com/shop/ledger" tests="1" failures="1" errors="0" id="0"
      hostname="ci" time="0.003" timestamp="2026-01-01T00:00:00Z">
    <properties><property name="go.version" value="go1.22"/></properties>
    <testcase name="TestPost" classname="example.com/shop/ledger" time="0.000"/>
    <failure message="Failed"><![CDATA[FAIL example.com/shop/ledger: TestMain exit 1]]></failure>
  </testsuite>
</testsuites>"""
DOTNET = """<?xml version="1.0" encoding="utf-8"?>
<testsuites>
  <testsuite name="Shop.Tests.dll" tests="2" skipped="0" failures="0" errors="1"
      time="0.5" timestamp="2026-01-01T00:00:00" hostname="ci" id="0" package="Shop.Tests.dll">
    <properties/>
    <testcase classname="Shop.Tests.LedgerTests" name="Posts" time="0.01"/>
    <testcase classname="Shop.Tests.LedgerTests" name="Voids" time="0.01"/>
    <system-out>Test host crashed</system-out>
    <system-err/>
  </testsuite>
</testsuites>"""

DIALECTS = {
    "setUpClass error element": (SETUP_CLASS_ERROR, "ledger"),
    "errors attribute": (ERRORS_ATTRIBUTE, "ledger"),
    "pytest": (PYTEST, "pytest"),
    "surefire": (SUREFIRE, "org.acme.LedgerTest"),
    "gradle": (GRADLE, "com.acme.crm.CustomerTest"),
    "jest-junit": (JEST, "src/cart.test.ts"),
    "go-junit-report": (GO_JUNIT_REPORT, "example.com/shop/ledger"),
    "dotnet JunitXml.TestLogger": (DOTNET, "Shop.Tests.dll"),
}


@pytest.mark.parametrize("dialect", DIALECTS)
def test_suite_level_trouble_fails_the_suite_and_its_file(dialect: str, tmp_path: Path) -> None:
    text, suite = DIALECTS[dialect]
    (tmp_path / "report.xml").write_text(text, encoding="utf-8")
    result = junit.load(["report.xml"], tmp_path)
    assert (result[suite].passed, result["report"].passed) == (False, False)
    assert result[suite].failures + result[suite].errors >= 1
    assert result[suite].failing  # the detail can name what failed


def test_a_suite_level_error_is_named_with_its_message(tmp_path: Path) -> None:
    (tmp_path / "r.xml").write_text(SETUP_CLASS_ERROR, encoding="utf-8")
    result = junit.load(["r.xml"], tmp_path)["ledger"]
    assert (result.tests, result.errors, result.failing) == (
        3, 1, ("ledger (suite-level <error>: setUpClass failed)",))


def test_a_suite_whose_attributes_say_more_than_its_cases_takes_the_attributes(tmp_path: Path) -> None:
    (tmp_path / "r.xml").write_text(
        '<testsuite name="s" tests="2" failures="2" errors="0">'
        '<testcase name="a"><failure/></testcase><testcase name="b"/></testsuite>', encoding="utf-8")
    assert junit.load(["r.xml"], tmp_path)["s"].failures == 2


def test_a_nested_suite_failure_fails_its_containers(tmp_path: Path) -> None:
    (tmp_path / "phpunit.xml").write_text("""<testsuites><testsuite name="all" tests="2" failures="0">
  <testsuite name="Unit"><testcase name="ok"/></testsuite>
  <testsuite name="Shop\\CartTest"><testcase name="adds" class="Shop\\CartTest"><failure/></testcase></testsuite>
</testsuite></testsuites>""", encoding="utf-8")
    result = junit.load(["phpunit.xml"], tmp_path)
    assert (result["Unit"].passed, result["all"].passed, result["phpunit"].passed) == (True, False, False)


SUREFIRE_RERUNS = """<testsuite name="org.acme.RetryTest" tests="3" failures="1" errors="0" skipped="0" flakes="1">
  <testcase name="flaky" classname="org.acme.RetryTest">
    <flakyFailure message="first run failed" type="AssertionError"><stackTrace>at x</stackTrace></flakyFailure>
  </testcase>
  <testcase name="steady" classname="org.acme.RetryTest"/>
  <testcase name="broken" classname="org.acme.RetryTest">
    <failure message="always fails"/>
    <rerunFailure message="failed again"/>
  </testcase>
</testsuite>"""


def test_surefire_reruns_keep_their_meaning(tmp_path: Path) -> None:
    (tmp_path / "TEST-org.acme.RetryTest.xml").write_text(SUREFIRE_RERUNS, encoding="utf-8")
    result = junit.load(["*.xml"], tmp_path)["org.acme.RetryTest"]
    assert (result.tests, result.failures, result.flaky, result.passed) == (3, 1, 1, False)
    assert result.failing == ("org.acme.RetryTest.broken",)


def test_a_test_that_passed_on_rerun_passes_and_is_flaky(tmp_path: Path) -> None:
    (tmp_path / "r.xml").write_text("""<testsuite name="s" tests="2" failures="0" errors="0">
  <testcase name="a"><flakyError message="timeout"/><flakyFailure/></testcase>
  <testcase name="b"/>
</testsuite>""", encoding="utf-8")
    result = junit.load(["r.xml"], tmp_path)["s"]
    assert (result.passed, result.flaky, result.failing) == (True, 1, ())


def test_a_test_whose_every_rerun_errored_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "r.xml").write_text(
        '<testsuite name="s"><testcase name="a"><rerunError/></testcase><testcase name="b"/></testsuite>',
        encoding="utf-8")
    result = junit.load(["r.xml"], tmp_path)["s"]
    assert (result.errors, result.passed) == (1, False)


def test_a_skipped_test_that_holds_a_failure_is_a_failure(tmp_path: Path) -> None:
    (tmp_path / "r.xml").write_text(
        '<testsuite name="s"><testcase name="a" status="disabled"><skipped/><failure/></testcase>'
        '<testcase name="b"/></testsuite>', encoding="utf-8")
    assert junit.load(["r.xml"], tmp_path)["s"].failures == 1


def test_failing_names_are_kept_short_and_few(tmp_path: Path) -> None:
    cases = "".join(f'<testcase classname="c" name="{"x" * 300}{i}"><failure/></testcase>' for i in range(6))
    (tmp_path / "r.xml").write_text(f'<testsuite name="s">{cases}</testsuite>', encoding="utf-8")
    result = junit.load(["r.xml"], tmp_path)["s"]
    assert (result.failures, len(result.failing)) == (6, junit.MAX_FAILING)
    assert all(len(n) == junit.MAX_NAME and n.endswith("…") for n in result.failing)
