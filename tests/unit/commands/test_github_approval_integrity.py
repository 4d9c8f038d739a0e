"""Approval integrity in GitHub mode (issue 12): the same real git histories as the command-line
tests, the reviews and commits served by the loopback GitHub server (tests/github_server.py),
`changegate check` run as the action runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from approval_histories import RENOVATE, Story
from github_server import GithubServer, fixture

PR_PATH = "/repos/acme/shop/pulls/42"


@pytest.fixture
def server() -> Iterator[GithubServer]:
    with GithubServer() as srv:
        yield srv


def serve(story: Story, server: GithubServer, reviews: list[tuple[str, str, str]],
          verified: frozenset[str] = frozenset(), logins: dict[str, str] | None = None) -> None:
    """The pull request main...feature: its files and commits from git, these reviews.
    `verified`: the commits GitHub says are signed; `logins`: commit sha -> author login."""
    server.pull_request()
    files = story.repo.git("diff", "--name-only", "main...feature").splitlines()
    server.list(f"{PR_PATH}/files", [{"filename": f, "status": "modified"} for f in files])
    server.list(f"{PR_PATH}/reviews", [
        {"id": 100 + i, "user": {"login": user, "type": "User"}, "body": "", "state": state,
         "commit_id": commit, "submitted_at": f"2026-11-27T11:{i:02d}:00Z"}
        for i, (user, state, commit) in enumerate(reviews)])
    commits = []
    for sha in story.repo.git("rev-list", "--reverse", "main..feature").split():
        login = (logins or {}).get(sha, "dave")
        commits.append({"sha": sha, "commit": {"verification": {"verified": sha in verified}},
                        "author": {"login": login}, "committer": {"login": "web-flow"}})
    server.list(f"{PR_PATH}/commits", commits)
    server.comments["acme/shop#42"] = []


def check(story: Story, server: GithubServer, tmp_path: Path) -> tuple[int, Any]:
    """`changegate check --format json` in GitHub mode, as the action runs it."""
    event = fixture("pull_request_event")
    event["pull_request"]["base"]["sha"] = story.main
    event["pull_request"]["head"]["sha"] = story.head
    event["pull_request"]["changed_files"] = len(server.lists[f"{PR_PATH}/files"])
    event["pull_request"]["commits"] = len(server.lists[f"{PR_PATH}/commits"])  # as GitHub counts them
    (tmp_path / "event.json").write_text(json.dumps(event), encoding="utf-8")
    for name in ("output", "summary.md"):
        (tmp_path / name).write_text("", encoding="utf-8")
    env = {**os.environ, "GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request",
           "GITHUB_EVENT_PATH": str(tmp_path / "event.json"), "GITHUB_REPOSITORY": "acme/shop",
           "GITHUB_API_URL": server.url, "GITHUB_SERVER_URL": "https://github.com", "GITHUB_RUN_ID": "7",
           "GITHUB_TOKEN": "t0ken", "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
           "GITHUB_OUTPUT": str(tmp_path / "output"), "RUNNER_TEMP": str(tmp_path / "runner"),
           "CHANGEGATE_API_MAX_SLEEP": "0"}
    for var in ("CHANGEGATE_TOKEN", "INPUT_TOKEN"):
        env.pop(var, None)
    exe = Path(sys.executable).with_name("changegate")
    proc = subprocess.run([str(exe), "check", "--format", "json"], cwd=story.root, env=env, capture_output=True,
                          text=True, check=False, stdin=subprocess.DEVNULL, timeout=120)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def ignored(out: Any) -> dict[str, dict[str, Any]]:
    return {r["user"]: r for r in out.get("ignored_reviews", [])}


def status(out: Any, target: str) -> str:
    (req,) = [r for r in out["requirements"] if r["target"] == target]
    return str(req["status"])


def merged(root: Path, approvals: str, sneak: dict[str, str] | None = None) -> tuple[Story, str]:
    story = Story(root, approvals)
    c1 = story.change({"services/web/app.py": "web = 2\n"})
    story.base_moves({"services/db/schema.sql": "create table b (id int);\n"})
    story.merge_base(sneak=sneak)
    return story, c1


@pytest.mark.parametrize(("approvals", "sneak", "code"), [
    ("{ignore_update_merges: true}", None, 0),
    ("{}", None, 1),
    ("{ignore_update_merges: true}", {"services/web/app.py": "web = 2\nbackdoor = 1\n"}, 1),
], ids=["update-merge-counts", "without-the-option", "merge-with-a-change-of-its-own"])
def test_base_merged_into_the_pull_request_after_approval(
        tmp_path: Path, server: GithubServer, approvals: str, sneak: dict[str, str] | None, code: int) -> None:
    story, c1 = merged(tmp_path / "repo", approvals, sneak)
    serve(story, server, [("wendy", "APPROVED", c1), ("fay", "APPROVED", c1)])
    got, out = check(story, server, tmp_path)
    assert got == code, out["findings"]
    assert status(out, "component:web") == ("satisfied" if code == 0 else "missing")
    if code:
        assert ignored(out)["wendy"]["made_stale_by"] == [story.head]


@pytest.mark.parametrize(("invalidate", "web"), [("touched-scope", "satisfied"), ("any-push", "missing")])
def test_a_push_touching_only_another_component(tmp_path: Path, server: GithubServer, invalidate: str,
                                                 web: str) -> None:
    story = Story(tmp_path / "repo", f"{{invalidate: {invalidate}}}")
    c1 = story.change({"services/web/app.py": "web = 2\n", "services/db/schema.sql": "create table c (id int);\n"})
    c2 = story.change({"services/db/schema.sql": "create table d (id int);\n"})
    serve(story, server, [("wendy", "APPROVED", c1), ("dora", "APPROVED", c1), ("fay", "APPROVED", c2)])
    code, out = check(story, server, tmp_path)
    assert code == 1
    assert (status(out, "component:web"), status(out, "component:db")) == (web, "missing")
    assert ignored(out)["dora"]["made_stale_by"] == [c2]


@pytest.mark.parametrize(("signed", "code"), [(True, 0), (False, 1)], ids=["verified", "unverified"])
def test_a_bot_commit_counts_as_the_bots_only_when_github_verified_it(
        tmp_path: Path, server: GithubServer, signed: bool, code: int) -> None:
    story = Story(tmp_path / "repo", "{ignore_commits_by: ['renovate[bot]']}")
    c1 = story.change({"services/web/app.py": "web = 2\n"})
    bump = story.change_as(RENOVATE, {"services/web/requirements.txt": "requests==2.32.3\n"},
                           committer="noreply@github.com")
    serve(story, server, [("wendy", "APPROVED", c1), ("fay", "APPROVED", c1)],
          verified=frozenset({bump}) if signed else frozenset(), logins={bump: "renovate[bot]"})
    got, out = check(story, server, tmp_path)
    assert got == code, out["findings"]
    if not signed:
        assert ignored(out)["wendy"]["made_stale_by"] == [bump]


def test_a_veto_then_an_approval_by_the_same_person(tmp_path: Path, server: GithubServer) -> None:
    story = Story(tmp_path / "repo", veto=True)
    head = story.change({"services/web/app.py": "web = 2\n"})
    serve(story, server, [("wendy", "APPROVED", head), ("fred", "APPROVED", head),
                          ("fay", "CHANGES_REQUESTED", head)])
    code, out = check(story, server, tmp_path)
    assert code == 1
    assert (ignored(out)["fay"]["reason"], ignored(out)["fay"]["requirements"]) == ("veto", ["team:fin-team"])
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert "fay: requested changes, which blocks team:fin-team" in summary
    serve(story, server, [("wendy", "APPROVED", head), ("fay", "CHANGES_REQUESTED", head),
                          ("fay", "APPROVED", head)])
    code, out = check(story, server, tmp_path)
    assert code == 0, out["findings"]
    assert "ignored_reviews" not in out
