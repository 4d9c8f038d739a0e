"""The trusted re-check (SPEC §8a): a `workflow_run` event decides the pull request again
from what the API says now, and the verdict is a commit status on the head commit written
only by that run: pending first, then success, failure or error."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from github_server import GithubServer
from test_github_check import MANIFEST, PR_PATH, REPO, Pr, make_pr


@pytest.fixture
def server() -> Iterator[GithubServer]:
    with GithubServer() as srv:
        yield srv


@pytest.fixture
def pr(tmp_path: Path, server: GithubServer) -> Pr:
    pr = make_pr(tmp_path, server, {"services/crm/app.py": "v2\n", ".changegate/changes/crm.yaml": MANIFEST})
    pull = server.objects[PR_PATH]
    pull["head"]["sha"], pull["base"]["sha"] = pr.head, pr.base
    pull["changed_files"] = len(pr.files)
    pr.review("alice")
    return pr


def workflow_run(pr: Pr, *, pull_requests: list[dict[str, Any]] | None = None,
                 head_repo: str = REPO, head_branch: str = "crm-5-2") -> dict[str, Any]:
    numbers = [{"id": 1, "number": 42, "url": f"https://api.github.com/repos/{REPO}/pulls/42",
                "head": {"ref": head_branch, "sha": pr.head, "repo": {"id": 1, "name": "shop"}},
                "base": {"ref": "main", "sha": pr.base, "repo": {"id": 1, "name": "shop"}}}]
    return {
        "action": "completed",
        "repository": {"full_name": REPO},
        "workflow_run": {
            "id": 30433642, "name": "changegate review", "event": "pull_request_review",
            "status": "completed", "conclusion": "success", "head_sha": pr.head, "head_branch": head_branch,
            "head_repository": {"full_name": head_repo, "owner": {"login": head_repo.split("/")[0]}},
            "pull_requests": numbers if pull_requests is None else pull_requests,
        },
    }


def recheck(pr: Pr, payload: dict[str, Any], *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **pr.env()}
    for var in ("CHANGEGATE_TOKEN", "INPUT_TOKEN"):
        env.pop(var, None)
    event = pr.tmp / "workflow_run.json"
    event.write_text(json.dumps(payload), encoding="utf-8")
    env.update(GITHUB_EVENT_NAME="workflow_run", GITHUB_EVENT_PATH=str(event))
    exe = Path(sys.executable).with_name("changegate")
    return subprocess.run([str(exe), "check", "--status-context", "changegate", *args], cwd=pr.root, env=env,
                          capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL, timeout=120)


def statuses(pr: Pr) -> list[tuple[str, str]]:
    return [(r.body["context"], r.body["state"]) for r in pr.server.seen("POST", f"/repos/{REPO}/statuses/")
            if r.path.endswith(pr.head)]


def test_a_review_recheck_writes_the_verdict_on_the_head_commit(pr: Pr) -> None:
    proc = recheck(pr, workflow_run(pr))
    assert proc.returncode == 1, proc.stderr  # fin-team has not approved
    assert statuses(pr) == [("changegate", "pending"), ("changegate", "failure")]
    pr.review("fay")  # the finance approval arrives: a review event, then the trusted re-check
    proc = recheck(pr, workflow_run(pr))
    assert proc.returncode == 0, proc.stderr
    assert statuses(pr)[-1] == ("changegate", "success")
    (post,) = [r for r in pr.server.seen("POST", f"/repos/{REPO}/statuses/")][-1:]
    assert post.body["target_url"] == "https://github.com/acme/shop/actions/runs/7"


def test_a_fork_run_lists_no_pull_request_and_is_found_by_its_branch(pr: Pr) -> None:
    pull = pr.server.objects[PR_PATH]
    pull["head"]["repo"]["full_name"] = "mallory/shop"
    proc = recheck(pr, workflow_run(pr, pull_requests=[], head_repo="mallory/shop"))
    assert proc.returncode == 1, proc.stderr
    (listing,) = [r for r in pr.server.seen("GET", f"/repos/{REPO}/pulls") if r.path == f"/repos/{REPO}/pulls"]
    assert (listing.query["head"], listing.query["state"]) == ("mallory:crm-5-2", "open")
    assert statuses(pr)[-1] == ("changegate", "failure")


def test_a_run_naming_another_repositorys_pull_request_checks_nothing(pr: Pr) -> None:
    """`pull_requests` of a workflow_run can name a same-numbered pull request elsewhere;
    ours is used only when its head is the run's."""
    payload = workflow_run(pr, head_branch="other-branch")
    payload["workflow_run"]["head_sha"] = "9" * 40
    payload["workflow_run"]["pull_requests"][0]["head"]["sha"] = "9" * 40
    proc = recheck(pr, payload)
    assert proc.returncode == 2
    assert "belongs to no open pull request of acme/shop" in proc.stderr
    assert pr.server.seen("POST", f"/repos/{REPO}/statuses/") == []


def test_a_run_for_a_head_the_pull_request_has_left_writes_nothing(pr: Pr) -> None:
    payload = workflow_run(pr)
    pr.server.objects[PR_PATH]["head"]["sha"] = "8" * 40  # pushed again since the run
    proc = recheck(pr, payload)
    assert proc.returncode == 0, proc.stderr
    assert "::notice title=changegate::pull request #42 has moved on from" in proc.stderr
    assert pr.server.seen("POST", f"/repos/{REPO}/statuses/") == []


def test_a_failure_after_pending_writes_error_so_no_earlier_success_stands(pr: Pr) -> None:
    pr.review("fay")
    assert recheck(pr, workflow_run(pr)).returncode == 0
    pr.server.fail("GET", f"{PR_PATH}/reviews", 502, times=10)
    proc = recheck(pr, workflow_run(pr))
    assert proc.returncode == 2
    assert statuses(pr)[-2:] == [("changegate", "pending"), ("changegate", "error")]


def test_a_status_that_cannot_be_written_fails_the_run(pr: Pr) -> None:
    pr.review("fay")
    pr.server.status_writes_refused = 403
    proc = recheck(pr, workflow_run(pr))
    assert proc.returncode == 2
    assert "statuses: write" in proc.stderr


def test_status_context_is_refused_outside_github_mode(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("changegate")
    proc = subprocess.run([str(exe), "check", "--no-github", "--status-context", "changegate"], cwd=tmp_path,
                          capture_output=True, text=True, check=False, timeout=60,
                          env={k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"})
    assert proc.returncode == 2
    assert "GitHub mode only" in proc.stderr
