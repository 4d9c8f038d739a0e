"""Test evidence in GitHub mode (SPEC §8a): check runs and commit statuses on the head commit
count, committed report files never do, and evidence globs never follow a symlink loop.
End to end: a real repository, an event file and the loopback GitHub server."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from github_server import GithubServer
from test_github_check import MANIFEST, PR_PATH, REPO, Pr, make_pr

TESTS_POLICY = """\
version: 1
layer: component
policies:
  - id: crm-suites
    require:
      tests: [crm-unit]
"""
PASSING = ('<testsuite name="crm-unit" tests="3" failures="0" errors="0" skipped="0">'
           '<testcase name="a"/><testcase name="b"/><testcase name="c"/></testsuite>\n')


@pytest.fixture
def server() -> GithubServer:
    with GithubServer() as srv:
        yield srv  # type: ignore[misc]


def suite_pr(tmp_path: Path, server: GithubServer, config: str = "version: 1\n",
             head: dict[str, str | None] | None = None) -> Pr:
    pr = make_pr(tmp_path, server, {
        "services/crm/app.py": "v2\n",
        ".changegate/changes/crm.yaml": MANIFEST,
        ".changegate/policies/tests.yaml": TESTS_POLICY,
        ".changegate/config.yaml": config,
        **(head or {}),
    })
    # The gate comes from the base commit: put the policy and config there.
    from test_github_check import commit, git, write
    git(pr.root, "checkout", "-q", "main")
    write(pr.root, {".changegate/policies/tests.yaml": TESTS_POLICY, ".changegate/config.yaml": config,
                    ".changegate/policies/finance.yaml": None})
    pr.base = commit(pr.root, "base with a test policy")
    git(pr.root, "checkout", "-q", "feature")
    git(pr.root, "rebase", "-q", "main")
    pr.head = git(pr.root, "rev-parse", "HEAD")
    pr.files = git(pr.root, "diff", "--name-only", f"{pr.base}...{pr.head}").splitlines()
    server.list(f"{PR_PATH}/files", [{"filename": f, "status": "modified"} for f in pr.files])
    pr.review("alice")
    return pr


def suite_line(pr: Pr, *args: str) -> tuple[int, dict[str, object]]:
    result = pr.check("--format", "json", *args)
    assert result.code in (0, 1), result.stderr
    decision = json.loads(result.stdout)
    (req,) = [r for r in decision["requirements"] if r["target"] == "suite:crm-unit"]
    return result.code, {"status": req["status"], "detail": req["detail"], "findings": decision["findings"]}


def test_a_successful_check_run_of_the_suites_name_satisfies_it(tmp_path: Path, server: GithubServer) -> None:
    pr = suite_pr(tmp_path, server)
    server.check_run(REPO, pr.head, "crm-unit", "success")
    code, req = suite_line(pr)
    assert (code, req["status"]) == (0, "satisfied")
    assert "check run 'crm-unit': success" in str(req["detail"])
    (call,) = server.seen("GET", f"/repos/{REPO}/commits/{pr.head}/check-runs")
    assert call.query["filter"] == "latest"


@pytest.mark.parametrize("conclusion", ["failure", "cancelled", "timed_out", "action_required", "neutral",
                                        "skipped", "startup_failure", "stale"])
def test_a_check_run_that_did_not_succeed_fails_the_suite(tmp_path: Path, server: GithubServer,
                                                          conclusion: str) -> None:
    pr = suite_pr(tmp_path, server)
    server.check_run(REPO, pr.head, "crm-unit", conclusion)
    code, req = suite_line(pr)
    assert (code, req["status"]) == (1, "failed")
    assert f"check run 'crm-unit': {conclusion.replace('_', ' ')}" in str(req["detail"])


@pytest.mark.parametrize("status", ["queued", "in_progress"])
def test_a_check_run_still_running_is_not_evidence_yet(tmp_path: Path, server: GithubServer, status: str) -> None:
    pr = suite_pr(tmp_path, server)
    server.check_run(REPO, pr.head, "crm-unit", None, status=status)
    code, req = suite_line(pr)
    assert (code, req["status"]) == (1, "missing")
    assert "not finished" in str(req["detail"])


def test_a_rerun_decides_latest_wins_both_ways(tmp_path: Path, server: GithubServer) -> None:
    pr = suite_pr(tmp_path, server)
    server.check_run(REPO, pr.head, "crm-unit", "failure")
    server.check_run(REPO, pr.head, "crm-unit", "success")  # re-run in the same check suite
    assert suite_line(pr)[1]["status"] == "satisfied"
    server.check_run(REPO, pr.head, "crm-unit", "failure", suite=2)  # a later run in another suite
    assert suite_line(pr)[1]["status"] == "failed"
    server.check_run(REPO, pr.head, "crm-unit", None, status="in_progress", suite=3)  # re-run started
    assert suite_line(pr)[1]["status"] == "missing"


def test_a_check_run_on_another_commit_does_not_count(tmp_path: Path, server: GithubServer) -> None:
    pr = suite_pr(tmp_path, server)
    server.check_run(REPO, pr.base, "crm-unit", "success")
    code, req = suite_line(pr)
    assert (code, req["status"]) == (1, "missing")


def test_commit_statuses_count_latest_per_context(tmp_path: Path, server: GithubServer) -> None:
    pr = suite_pr(tmp_path, server)
    server.commit_status(REPO, pr.head, "crm-unit", "pending")
    assert suite_line(pr)[1]["status"] == "missing"
    server.commit_status(REPO, pr.head, "crm-unit", "success")
    code, req = suite_line(pr)
    assert (code, req["status"]) == (0, "satisfied")
    assert "commit status 'crm-unit': success" in str(req["detail"])
    server.commit_status(REPO, pr.head, "crm-unit", "error")
    assert suite_line(pr)[1]["status"] == "failed"


def test_the_config_maps_a_suite_to_checks_and_every_one_found_must_succeed(tmp_path: Path,
                                                                           server: GithubServer) -> None:
    config = 'version: 1\nevidence:\n  github_checks:\n    crm-unit: ["test (crm)", "ci/crm"]\n'
    pr = suite_pr(tmp_path, server, config)
    server.check_run(REPO, pr.head, "crm-unit", "failure")  # not the mapped name: ignored
    server.check_run(REPO, pr.head, "test (crm)", "success")
    code, req = suite_line(pr)
    assert (code, req["status"]) == (0, "satisfied")
    assert "crm-unit': failure" not in str(req["detail"])
    server.commit_status(REPO, pr.head, "ci/crm", "failure")
    code, req = suite_line(pr)
    assert (code, req["status"]) == (1, "failed")
    assert "commit status 'ci/crm': failure" in str(req["detail"])


def test_no_check_and_no_report_leaves_the_suite_missing(tmp_path: Path, server: GithubServer) -> None:
    pr = suite_pr(tmp_path, server)
    server.check_run(REPO, pr.head, "lint", "success")
    code, req = suite_line(pr)
    assert (code, req["status"]) == (1, "missing")


def test_a_token_that_cannot_read_checks_satisfies_nothing_and_says_so(tmp_path: Path,
                                                                       server: GithubServer) -> None:
    pr = suite_pr(tmp_path, server)
    server.check_run(REPO, pr.head, "crm-unit", "success")
    server.fail("GET", f"/repos/{REPO}/commits/{pr.head}/check-runs", 403,
                body={"message": "Resource not accessible by integration"})
    code, req = suite_line(pr)
    assert (code, req["status"]) == (1, "missing")
    assert any("could not read the check runs" in f["message"] for f in req["findings"])  # type: ignore[attr-defined]


def test_a_server_failure_reading_checks_fails_closed(tmp_path: Path, server: GithubServer) -> None:
    pr = suite_pr(tmp_path, server)
    server.fail("GET", f"/repos/{REPO}/commits/{pr.head}/status", 502, times=10)
    result = pr.check()
    assert result.code == 2
    assert "HTTP 502" in result.stderr


def test_check_runs_are_read_from_every_page(tmp_path: Path) -> None:
    with GithubServer(page_size=2) as server:
        pr = suite_pr(tmp_path, server)
        for i in range(5):
            server.check_run(REPO, pr.head, f"other-{i}", "success")
        server.check_run(REPO, pr.head, "crm-unit", "success")
        assert suite_line(pr)[1]["status"] == "satisfied"
        assert len(server.seen("GET", f"/repos/{REPO}/commits/{pr.head}/check-runs")) == 3


# ----------------------------------------------------------------------------- report files


def test_a_committed_report_file_never_counts(tmp_path: Path, server: GithubServer) -> None:
    config = 'version: 1\nunmapped_files: ignore\nevidence:\n  junit: ["reports/**/*.xml"]\n'
    pr = suite_pr(tmp_path, server, config, head={"reports/fake.xml": PASSING})
    code, req = suite_line(pr)
    assert (code, req["status"]) == (1, "missing")
    (finding,) = [f for f in req["findings"] if f["code"] == "evidence-in-tree"]  # type: ignore[attr-defined]
    assert finding["file"] == "reports/fake.xml" and finding["level"] == "warning"
    # The same bytes as an untracked file the CI run wrote count.
    (pr.root / "reports" / "fake.xml").unlink()
    (pr.root / "reports" / "run").mkdir()
    (pr.root / "reports" / "run" / "crm-unit.xml").write_text(PASSING, encoding="utf-8")
    code, req = suite_line(pr)
    assert (code, req["status"]) == (0, "satisfied")
    assert not [f for f in req["findings"] if f["code"] == "evidence-in-tree"]  # type: ignore[attr-defined]


def test_a_committed_report_reached_through_a_symlink_or_absolute_glob_never_counts(
        tmp_path: Path, server: GithubServer) -> None:
    pr = suite_pr(tmp_path, server, head={"reports/fake.xml": PASSING})
    os.symlink("reports", pr.root / "alias")
    absolute = str(pr.root / "reports" / "*.xml")
    for glob, name in (("alias/*.xml", "alias/fake.xml"), (absolute, str(pr.root / "reports" / "fake.xml"))):
        code, req = suite_line(pr, "--junit", glob)
        assert (code, req["status"]) == (1, "missing")
        assert [f["file"] for f in req["findings"] if f["code"] == "evidence-in-tree"] == [name]  # type: ignore[attr-defined]


def test_reports_outside_the_checkout_count(tmp_path: Path, server: GithubServer) -> None:
    pr = suite_pr(tmp_path, server)
    artifacts = tmp_path / "runner" / "artifacts" / "junit"
    artifacts.mkdir(parents=True)
    (artifacts / "crm-unit.xml").write_text(PASSING, encoding="utf-8")
    code, req = suite_line(pr, "--junit", str(tmp_path / "runner" / "artifacts" / "**" / "*.xml"))
    assert (code, req["status"]) == (0, "satisfied")


def test_a_symlink_loop_under_the_evidence_glob_is_not_followed(tmp_path: Path, server: GithubServer) -> None:
    config = 'version: 1\nevidence:\n  junit: ["reports/**/*.xml"]\n'
    pr = suite_pr(tmp_path, server, config)
    reports = pr.root / "reports"
    reports.mkdir()
    os.symlink(".", reports / "a")
    os.symlink(".", reports / "b")
    os.symlink("..", reports / "up")
    (reports / "crm-unit.xml").write_text(PASSING, encoding="utf-8")
    code, req = suite_line(pr)
    assert (code, req["status"]) == (0, "satisfied")
    assert "read 1 file: reports/crm-unit.xml" in str(req["detail"])


def test_a_hostile_check_name_is_inert_in_the_summary(tmp_path: Path, server: GithubServer) -> None:
    hostile = "x <img src=x onerror=1> [a](https://e.example) @acme/crm"
    pr = suite_pr(tmp_path, server, f'version: 1\nevidence:\n  github_checks:\n    crm-unit: ["{hostile}"]\n')
    server.check_run(REPO, pr.head, hostile, "failure")
    result = pr.check()
    assert result.code == 1, result.stderr
    line = next(line for line in result.summary.splitlines() if "suite:crm-unit" in line)
    assert "check run" in line
    for raw in ("<img", "](https://", "@acme/crm"):
        assert raw not in line, line
