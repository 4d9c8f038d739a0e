"""`changegate check --github` end to end: a real git repository with base and head
commits, an event file, and a real HTTP server on 127.0.0.1 speaking the GitHub REST API."""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from github_runner_files import read_outputs
from github_server import GithubServer, fixture

REPO = "acme/shop"
PR_PATH = "/repos/acme/shop/pulls/42"

CONFIG = "version: 1\n"
MAP = """\
version: 1
teams:
  crm-team: {members: [alice], github_team: acme/crm}
  fin-team: {members: [fay]}
value_streams:
  customer-service: {owners: [crm-team], criticality: medium}
components:
  crm:
    owners: [crm-team]
    paths: ["services/crm/**"]
    value_streams: [customer-service]
"""
FINANCE_POLICY = """\
version: 1
layer: value-stream
policies:
  - id: finance-signoff
    description: Finance signs off every change.
    require:
      approvals:
        - team: fin-team
          count: 1
"""
MANIFEST = """\
version: 1
title: Upgrade CRM
type: normal
owner: crm-team
components: [crm]
"""


@dataclass
class Pr:
    """A pull request: a repository with base and head commits, served by `server`."""

    root: Path
    base: str
    head: str
    server: GithubServer
    files: list[str]
    tmp: Path

    def review(self, user: str, state: str = "APPROVED", commit: str | None = None) -> None:
        reviews = self.server.lists[f"{PR_PATH}/reviews"]
        reviews.append({
            "id": 100 + len(reviews), "user": {"login": user, "type": "User"}, "body": "", "state": state,
            "commit_id": commit or self.head, "submitted_at": f"2026-11-27T11:{len(reviews):02d}:00Z",
        })

    def event(self, name: str = "pull_request", **pull: Any) -> Path:
        data = fixture("merge_group_event" if name == "merge_group" else "pull_request_event")
        if name == "merge_group":
            data["merge_group"].update(base_sha=self.base, head_sha=self.head)
        else:
            data["pull_request"]["base"]["sha"] = self.base
            data["pull_request"]["head"]["sha"] = self.head
            data["pull_request"]["changed_files"] = len(self.files)
            data["pull_request"]["commits"] = len(git(self.root, "rev-list", self.head, f"^{self.base}").split())
            data["pull_request"].update(pull)
        path = self.tmp / "event.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        return path

    def env(self, event_name: str = "pull_request", **pull: Any) -> dict[str, str]:
        for name in ("output", "summary.md"):
            (self.tmp / name).write_text("", encoding="utf-8")
        return {
            "GITHUB_ACTIONS": "true",
            "GITHUB_EVENT_NAME": event_name,
            "GITHUB_EVENT_PATH": str(self.event(event_name, **pull)),
            "GITHUB_REPOSITORY": REPO,
            "GITHUB_API_URL": self.server.url,
            "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_RUN_ID": "7",
            "GITHUB_TOKEN": "t0ken",
            "GITHUB_STEP_SUMMARY": str(self.tmp / "summary.md"),
            "GITHUB_OUTPUT": str(self.tmp / "output"),
            "RUNNER_TEMP": str(self.tmp / "runner"),
            "CHANGEGATE_API_MAX_SLEEP": "0",
        }

    def check(self, *args: str, event_name: str = "pull_request", **pull: Any) -> Result:
        """Run the installed console script, as the action does."""
        env = {**os.environ, **self.env(event_name, **pull)}
        for var in ("CHANGEGATE_TOKEN", "INPUT_TOKEN"):
            env.pop(var, None)
        exe = Path(sys.executable).with_name("changegate")
        proc = subprocess.run([str(exe), "check", *args], cwd=self.root, env=env, capture_output=True,
                              text=True, check=False, stdin=subprocess.DEVNULL, timeout=120)
        return Result(proc.returncode, proc.stdout, proc.stderr, self.outputs(), self.summary())

    def outputs(self) -> dict[str, str]:
        return read_outputs(self.tmp / "output")

    def summary(self) -> str:
        return (self.tmp / "summary.md").read_text(encoding="utf-8")


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str
    outputs: dict[str, str]
    summary: str


def git(root: Path, *args: str, input_lines: list[str] | None = None) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.com",
        "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull,
    }
    stdin = "".join(f"{line}\n" for line in input_lines) if input_lines is not None else None
    return subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, text=True,
                          check=True, input=stdin).stdout.strip()


def write(root: Path, files: dict[str, str | None]) -> None:
    for rel, text in files.items():
        path = root / rel
        if text is None:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def commit(root: Path, message: str) -> str:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)
    return git(root, "rev-parse", "HEAD")


def make_pr(tmp_path: Path, server: GithubServer, head_files: dict[str, str | None]) -> Pr:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    write(root, {
        ".changegate/config.yaml": CONFIG,
        ".changegate/map.yaml": MAP,
        ".changegate/policies/finance.yaml": FINANCE_POLICY,
        "services/crm/app.py": "v1\n",
    })
    base = commit(root, "base")
    git(root, "checkout", "-q", "-b", "feature")
    write(root, head_files)
    head = commit(root, "head")
    files = git(root, "diff", "--name-only", f"{base}...{head}").splitlines()
    server.pull_request()
    server.list(f"{PR_PATH}/files", [{"filename": f, "status": "modified"} for f in files])
    server.list(f"{PR_PATH}/reviews", [])
    server.comments["acme/shop#42"] = []
    return Pr(root, base, head, server, files, tmp_path)


@pytest.fixture
def server() -> Iterator[GithubServer]:
    with GithubServer() as srv:
        yield srv


@pytest.fixture
def pr(tmp_path: Path, server: GithubServer) -> Pr:
    return make_pr(tmp_path, server, {
        "services/crm/app.py": "v2\n",
        ".changegate/changes/crm.yaml": MANIFEST,
    })


def requirement_lines(summary: str) -> list[str]:
    return [line for line in summary.splitlines() if "team:fin-team" in line or "fin-team" in line]


# ----------------------------------------------------------------------------- decisions


def test_missing_finance_approval_blocks_and_is_reported_everywhere(pr: Pr) -> None:
    pr.review("Alice")
    result = pr.check()
    assert result.code == 1, result.stderr
    assert result.outputs["decision"] == "fail"
    assert result.outputs["risk"] == "medium"
    assert result.outputs["value-streams"] == "customer-service"
    assert Path(result.outputs["summary-path"]).read_text(encoding="utf-8") == result.summary
    assert result.summary.startswith("<!-- changegate:summary -->\n")
    assert "::error file=.changegate/changes/crm.yaml,line=1,title=changegate%3A approval team%3Afin-team missing" \
        in result.stderr
    assert "::group::changegate: why the decision is fail" in result.stderr
    (post,) = pr.server.seen("POST", "/repos/acme/shop/issues/42/comments")
    assert post.body["body"] == result.summary


def test_all_approvals_present_passes(pr: Pr) -> None:
    pr.review("Alice")
    pr.review("fay")
    result = pr.check()
    assert result.code == 0, result.stderr
    assert result.outputs["decision"] == "pass"


def test_github_mode_leaves_the_map_cache_off_unless_the_workflow_opts_in(
    pr: Pr, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CHANGEGATE_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert pr.check().code in (0, 1)
    assert not (tmp_path / "xdg").exists() and not (tmp_path / "home").exists()
    opted_in = tmp_path / "opted-in"
    monkeypatch.setenv("CHANGEGATE_CACHE_DIR", str(opted_in))
    assert pr.check().code in (0, 1)
    assert [p.suffix for p in opted_in.iterdir()] == [".pickle"]


def test_stale_dismissed_and_author_approvals_do_not_count(pr: Pr) -> None:
    pr.review("alice")
    pr.review("fay", commit="0" * 40)  # on an earlier commit
    pr.review("dave")  # the author (fixture user "Dave")
    result = pr.check()
    assert result.code == 1
    pr.server.lists[f"{PR_PATH}/reviews"].clear()
    pr.review("alice")
    pr.review("fay")
    pr.review("fay", state="DISMISSED")
    assert pr.check().code == 1


def test_a_pr_committer_cannot_approve(pr: Pr) -> None:
    pr.server.list(f"{PR_PATH}/commits", [{"sha": pr.head, "author": {"login": "fay"}, "committer": None}])
    pr.review("alice")
    pr.review("fay")
    assert pr.check().code == 1


def test_live_team_membership_overrides_the_map(pr: Pr) -> None:
    pr.server.list("/orgs/acme/teams/crm/members", [{"login": "bob"}])
    pr.review("alice")  # in the map's crm-team, but not in acme/crm on GitHub
    pr.review("fay")
    result = pr.check()
    assert result.code == 1
    pr.review("bob")
    assert pr.check().code == 0


def test_refused_team_lookup_falls_back_to_the_map_with_a_notice(pr: Pr) -> None:
    pr.server.fail("GET", "/orgs/acme/teams/crm/members", 403, times=10)
    pr.review("alice")
    pr.review("fay")
    result = pr.check()
    assert result.code == 0, result.stderr
    notice = ("team crm-team: could not read members of acme/crm (403 Forbidden: the token may not read team "
              "members; needs members: read / read:org); using the map's members")
    assert notice in result.stderr
    assert "::notice" in result.stderr
    assert "could not read members of acme/crm" in result.summary


# ----------------------------------------------------------------------------- the sticky comment


def test_comment_is_created_on_the_first_run_and_edited_on_the_second(pr: Pr) -> None:
    first = pr.check()
    assert first.code == 1
    pr.review("alice")
    pr.review("fay")
    second = pr.check()
    assert second.code == 0
    ours = pr.server.comments["acme/shop#42"]
    assert len(ours) == 1
    assert ours[0]["body"] == second.summary
    assert len(pr.server.seen("POST", "/repos/acme/shop/issues/42/comments")) == 1
    (patch,) = pr.server.seen("PATCH")
    assert patch.path == f"/repos/acme/shop/issues/comments/{ours[0]['id']}"


def test_no_comment_flag_writes_no_comment(pr: Pr) -> None:
    assert pr.check("--no-comment").code == 1
    assert pr.server.seen("POST") == []


def test_fork_with_a_read_only_token_still_decides_and_skips_the_comment(pr: Pr) -> None:
    pr.server.comment_writes_refused = 403
    pr.review("alice")
    pr.review("fay")
    fork = {"repo": {"full_name": "mallory/shop", "fork": True}, "sha": pr.head}
    result = pr.check(head=fork)
    assert result.code == 0, result.stderr
    assert result.outputs["decision"] == "pass"
    assert ("::notice title=changegate::the pull request comment was skipped: "
            "POST /repos/acme/shop/issues/42/comments: 403 Forbidden") in result.stderr
    assert pr.server.comments["acme/shop#42"] == []


# ----------------------------------------------------------------------------- API behaviour


def test_pagination_across_several_pages(pr: Pr) -> None:
    pr.server.page_size = 1
    for user in ("u1", "u2", "u3", "alice", "fay"):
        pr.review(user)
    assert pr.check().code == 0
    assert len(pr.server.seen("GET", f"{PR_PATH}/reviews")) == 5
    assert len(pr.server.seen("GET", f"{PR_PATH}/files")) == len(pr.files)


def test_server_errors_are_retried(pr: Pr) -> None:
    pr.server.fail("GET", f"{PR_PATH}/files", 502)
    pr.server.fail("GET", f"{PR_PATH}/reviews", 500, times=2)
    pr.review("alice")
    pr.review("fay")
    assert pr.check().code == 0


def test_reviews_forbidden_fails_closed_naming_the_permission_not_as_invalid_input(pr: Pr) -> None:
    pr.server.fail("GET", f"{PR_PATH}/reviews", 403, body={"message": "Resource not accessible by integration"})
    result = pr.check()
    assert result.code == 2
    message = ("GET /repos/acme/shop/pulls/42/reviews: 403 Forbidden (GitHub said: Resource not "
               "accessible by integration): the token cannot read or write this; it needs "
               "pull-requests: read")
    assert result.stderr.strip().splitlines()[-2:] == [
        f"changegate: error: GitHub API: {message}",
        f"::error title=changegate%3A GitHub API error::{message}",
    ]


def test_pull_request_not_found_fails_closed(pr: Pr) -> None:
    pr.server.lists.pop(f"{PR_PATH}/files")
    result = pr.check()
    assert result.code == 2
    assert "404 Not Found" in result.stderr and "it needs pull-requests: read" in result.stderr


def test_big_pull_request_uses_git_and_says_so(pr: Pr) -> None:
    pr.server.lists.pop(f"{PR_PATH}/files")  # the API would fail; git must be used instead
    pr.review("alice")
    pr.review("fay")
    result = pr.check(changed_files=3500)
    assert result.code == 0, result.stderr
    assert "more than the 3000 the GitHub API lists" in result.stderr


# ----------------------------------------------------------------------------- merge queue


def test_merge_group_evaluates_the_queued_head_with_the_queued_prs_approvals(pr: Pr) -> None:
    pr.server.object(PR_PATH, {**fixture("pull"), "head": {"sha": pr.head}})
    pr.review("alice")
    pr.review("fay")
    result = pr.check(event_name="merge_group")
    assert result.code == 0, result.stderr
    assert pr.server.seen("POST") == [] and pr.server.seen("GET", "/repos/acme/shop/issues") == []
    assert "merge queue: approvals are those of pull request #42, on its head commit" in result.stderr


# ----------------------------------------------------------------------------- the gate's own files


def test_a_pr_deleting_a_policy_is_still_held_to_the_base_version(tmp_path: Path, server: GithubServer) -> None:
    pr = make_pr(tmp_path, server, {
        "services/crm/app.py": "v2\n",
        ".changegate/changes/crm.yaml": MANIFEST,
        ".changegate/policies/finance.yaml": None,
    })
    pr.review("alice")
    result = pr.check()
    assert result.code == 1, result.stderr
    assert "approval team%3Afin-team missing" in result.stderr
    assert "edits take effect after merge" in result.stderr


def test_a_pr_with_an_invalid_policy_edit_is_held_to_the_base_and_told(tmp_path: Path, server: GithubServer) -> None:
    pr = make_pr(tmp_path, server, {
        "services/crm/app.py": "v2\n",
        ".changegate/changes/crm.yaml": MANIFEST,
        ".changegate/policies/finance.yaml": "version: 1\nlayer: value-stream\npolicies:\n  - id: finance-signoff\n",
    })
    pr.review("alice")
    pr.review("fay")
    result = pr.check()
    assert result.code == 1, result.stderr
    assert "team%3Afin-team missing" not in result.stderr  # the base policy is met
    assert "invalid-gate-edit" in result.stderr
    assert "::error file=.changegate/policies/finance.yaml" in result.stderr


# ----------------------------------------------------------------------------- hostile input


def test_hostile_title_file_name_and_reviewer_come_out_inert(tmp_path: Path, server: GithubServer) -> None:
    hostile = "x ::error::pwned %0A @everyone <img src=x onerror=alert(1)> [link](https://evil.example)"
    manifest = MANIFEST.replace("title: Upgrade CRM", f"title: {json.dumps(hostile)}")
    manifest += f"summary: {json.dumps(hostile)}\n"
    pr = make_pr(tmp_path, server, {
        "services/crm/app.py": "v2\n",
        ".changegate/changes/crm.yaml": manifest,
        "services/crm/::error::evil @everyone <b>.py": "x\n",
    })
    pr.review("alice")
    pr.review("@everyone\n::error::reviewer")
    result = pr.check()
    commands = [line for line in result.stderr.splitlines() if line.strip().startswith("::")]
    for line in commands:
        assert re.match(r"::(error|warning|notice|group|endgroup|stop-commands|changegate-[0-9a-f]+)( |::)", line), line
    assert all("::error::pwned" not in line.split("::", 2)[1] for line in commands if line.count("::") >= 2)
    comment_body = pr.server.comments["acme/shop#42"][0]["body"]
    assert "<img" not in comment_body and "<b>" not in comment_body
    assert "@everyone" not in comment_body
    assert "](https://evil" not in comment_body


# ----------------------------------------------------------------------------- changed paths (issue 10)

def test_a_non_canonical_path_from_the_api_is_refused(pr: Pr) -> None:
    pr.server.list(f"{PR_PATH}/files", [{"filename": "services/crm/app.py", "status": "modified"},
                                        {"filename": "services/crm/../../x.py", "status": "modified"}])
    result = pr.check()
    assert result.code == 2
    assert ("changegate: error: the pull request's changed files (GitHub): a '..' segment; changed paths stay "
            "inside the repository: 'services/crm/../../x.py'") in result.stderr


def test_a_submodule_bump_the_api_lists_as_a_plain_path_is_claimed_by_its_directory(
    tmp_path: Path, server: GithubServer
) -> None:
    source = tmp_path / "sdk-source"
    source.mkdir()
    git(source, "init", "-q", "-b", "main")
    write(source, {"lib.c": "int x;\n"})
    commit(source, "v1")
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    write(root, {".changegate/config.yaml": CONFIG, ".changegate/policies/finance.yaml": FINANCE_POLICY,
                 ".changegate/map.yaml": MAP + "  sdk: {owners: [fin-team], paths: [\"vendor/sdk/**\"]}\n"})
    git(root, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(source), "vendor/sdk")
    base = commit(root, "base")
    git(root, "checkout", "-q", "-b", "feature")
    git(root / "vendor" / "sdk", "commit", "-q", "--allow-empty", "-m", "v2")
    head = commit(root, "bump the sdk")
    server.pull_request()
    server.list(f"{PR_PATH}/files", [{"filename": "vendor/sdk", "status": "modified"}])
    server.list(f"{PR_PATH}/reviews", [])
    server.comments["acme/shop#42"] = []
    result = Pr(root, base, head, server, ["vendor/sdk"], tmp_path).check("--format", "json")
    assert result.code == 1, result.stderr
    assert "taken from git diff" not in result.stderr  # the API's list, made a directory entry by git
    decision = json.loads(result.stdout)
    assert decision["impact"]["touched_components"] == ["sdk"]
    assert decision["impact"]["unmapped_files"] == []


# ----------------------------------------------------------------------------- the base commit's own integrity


def make_pr_with_base(tmp_path: Path, server: GithubServer, shape_base: Any) -> Pr:
    """A pull request like `make_pr`'s whose base commit `shape_base(root)` reshapes (in the
    index) before it is committed."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    write(root, {".changegate/config.yaml": CONFIG, ".changegate/map.yaml": MAP, "services/crm/app.py": "v1\n"})
    git(root, "add", "-A")
    shape_base(root)
    git(root, "commit", "-q", "-m", "base")  # what the index holds, without `add -A`
    base = git(root, "rev-parse", "HEAD")
    git(root, "checkout", "-q", "-b", "feature")
    write(root, {"services/crm/app.py": "v2\n", ".changegate/changes/crm.yaml": MANIFEST})
    head = commit(root, "head")
    files = git(root, "diff", "--name-only", f"{base}...{head}").splitlines()
    server.pull_request()
    server.list(f"{PR_PATH}/files", [{"filename": f, "status": "modified"} for f in files])
    server.list(f"{PR_PATH}/reviews", [])
    server.comments["acme/shop#42"] = []
    return Pr(root, base, head, server, files, tmp_path)


def test_policies_kept_as_a_submodule_in_base_are_an_input_error(tmp_path: Path, server: GithubServer) -> None:
    def policies_as_gitlink(root: Path) -> None:
        git(root, "update-index", "--add", "--cacheinfo", f"160000,{'a' * 40},.changegate/policies")

    pr = make_pr_with_base(tmp_path, server, policies_as_gitlink)
    pr.review("alice")
    result = pr.check()
    assert result.code == 2, result.stderr
    assert (f"changegate: error: .changegate/policies: a submodule (gitlink) at the base commit {pr.base[:12]}: "
            "gate files must be ordinary files committed in this repository") in result.stderr
    assert pr.server.seen("POST") == []


def test_a_map_that_is_a_symlink_in_base_is_an_input_error(tmp_path: Path, server: GithubServer) -> None:
    def map_as_symlink(root: Path) -> None:
        (root / "elsewhere").mkdir()
        (root / "elsewhere" / "map.yaml").write_text(MAP, encoding="utf-8")
        (root / ".changegate" / "map.yaml").unlink()
        (root / ".changegate" / "map.yaml").symlink_to("../elsewhere/map.yaml")
        git(root, "add", "-A")

    pr = make_pr_with_base(tmp_path, server, map_as_symlink)
    result = pr.check()
    assert result.code == 2, result.stderr
    assert f"changegate: error: .changegate/map.yaml: a symbolic link at the base commit {pr.base[:12]}" \
        in result.stderr


def test_a_policy_file_that_is_a_symlink_in_a_base_policy_directory_is_an_input_error(
    tmp_path: Path, server: GithubServer
) -> None:
    def policy_symlink(root: Path) -> None:
        write(root, {".changegate/policies/finance.yaml": FINANCE_POLICY})
        (root / ".changegate" / "policies" / "more.yaml").symlink_to("/etc/hostname")
        git(root, "add", "-A")

    pr = make_pr_with_base(tmp_path, server, policy_symlink)
    result = pr.check()
    assert result.code == 2, result.stderr
    assert ("changegate: error: .changegate/policies/more.yaml: a symbolic link at the base commit "
            f"{pr.base[:12]} (gate path .changegate/policies)") in result.stderr


def test_a_replace_ref_made_before_the_gate_to_gut_the_base_policies_is_refused(pr: Pr) -> None:
    # Code of the pull request, run before the gate in the same job, rewrites what the base
    # commit means: a commit whose policy directory is empty stands in for it.
    assert pr.check().code == 1  # untouched: finance sign-off is missing
    gutted_tree = git(pr.root, "mktree", "--missing", input_lines=[
        f"100644 blob {git(pr.root, 'rev-parse', f'{pr.base}:.changegate/config.yaml')}\tconfig.yaml",
        f"100644 blob {git(pr.root, 'rev-parse', f'{pr.base}:.changegate/map.yaml')}\tmap.yaml",
    ])
    root_tree = git(pr.root, "mktree", input_lines=[
        f"040000 tree {gutted_tree}\t.changegate",
        f"040000 tree {git(pr.root, 'rev-parse', f'{pr.base}:services')}\tservices",
    ])
    impostor = git(pr.root, "commit-tree", root_tree, "-m", "base")
    git(pr.root, "replace", pr.base, impostor)
    assert git(pr.root, "ls-tree", "--name-only", f"{pr.base}:.changegate") == "config.yaml\nmap.yaml"
    result = pr.check()
    assert result.code == 2, result.stderr
    assert f"the repository has a replace ref (refs/replace/{pr.base}): " in result.stderr
    assert "changegate refuses to run on it" in result.stderr
    assert result.outputs == {}


# ----------------------------------------------------------------------------- the API cannot be bent


def test_a_redirect_to_another_origin_is_refused_and_the_token_never_leaves(pr: Pr) -> None:
    with GithubServer() as elsewhere:  # another port: another origin
        elsewhere.list(f"{PR_PATH}/reviews", [
            {"id": 1, "user": {"login": "fay"}, "state": "APPROVED", "commit_id": pr.head,
             "submitted_at": "2026-11-27T10:00:00Z"},
            {"id": 2, "user": {"login": "alice"}, "state": "APPROVED", "commit_id": pr.head,
             "submitted_at": "2026-11-27T10:01:00Z"},
        ])
        pr.server.redirect("GET", f"{PR_PATH}/reviews", f"{elsewhere.url}{PR_PATH}/reviews", status=307)
        result = pr.check()
        assert elsewhere.seen() == []  # never asked, so never sent the token, and nothing it says counts
    assert result.code == 2, result.stderr
    assert (f"GET {PR_PATH}/reviews: GitHub answered 307 with a redirect to another origin "
            f"({elsewhere.url.split('//')[1]}); not followed: the token goes only to {pr.server.url}") in result.stderr
    assert result.outputs == {}


def test_a_redirect_within_the_api_origin_is_followed(pr: Pr) -> None:
    pr.server.list("/repositories/7/pulls/42/reviews", [])
    pr.server.redirect("GET", f"{PR_PATH}/reviews", f"{pr.server.url}/repositories/7/pulls/42/reviews", status=301)
    pr.server.lists["/repositories/7/pulls/42/reviews"] = pr.server.lists[f"{PR_PATH}/reviews"]
    pr.review("alice")
    pr.review("fay")
    assert pr.check().code == 0
    (moved,) = pr.server.seen("GET", "/repositories/7/pulls/42/reviews")
    assert moved.headers["authorization"] == "Bearer t0ken"


def test_the_committer_of_commit_300_cannot_approve(pr: Pr) -> None:
    shas = add_commits(pr, 299)
    assert len(shas) == 300
    listed = [{"sha": sha, "author": {"login": "alice"}, "committer": {"login": "alice"}} for sha in shas]
    listed[299]["author"] = {"login": "Fay", "type": "User"}  # commit 300: fay wrote it
    pr.server.list(f"{PR_PATH}/commits", listed)  # GitHub lists the first 250 only
    for item in listed:
        pr.server.object(f"/repos/acme/shop/commits/{item['sha']}", item)
    pr.review("alice")
    pr.review("fay")
    result = pr.check(commits=300)
    assert result.code == 1, result.stderr
    assert "fay: committed to this change, so the approval does not count" in result.stderr
    assert ("pull request #42 has 300 commits, more than the GitHub API lists (250, at most 250); the commit list "
            "was taken from git (base..head) and the authors of the 50 other commits were asked for by SHA"
            in result.stderr)
    lookups = [r for r in pr.server.seen("GET", "/repos/acme/shop/commits/")
               if re.fullmatch(r"/repos/acme/shop/commits/[0-9a-f]{40}", r.path)]  # not its check runs
    assert len(lookups) == 50
    # The listing alone says 250 and the event no count: the cap is still seen.
    assert pr.check(commits=None).code == 1


def add_commits(pr: Pr, count: int) -> list[str]:
    """`count` more commits on the pull request's branch (one git process); every commit of the
    pull request, oldest first."""
    stream = [f"reset refs/heads/feature\nfrom {pr.head}\n"]
    stream += [f"commit refs/heads/feature\ncommitter T <t@example.com> {1_700_000_000 + n} +0000\n"
               f"data {len(f'commit {n}')}\ncommit {n}\n" for n in range(count)]
    git(pr.root, "fast-import", "--quiet", input_lines=stream)
    pr.head = git(pr.root, "rev-parse", "refs/heads/feature")
    return list(reversed(git(pr.root, "rev-list", pr.head, f"^{pr.base}").splitlines()))


def test_past_the_lookup_bound_the_commit_list_fails_closed(pr: Pr) -> None:
    shas = add_commits(pr, 1300)
    pr.server.list(f"{PR_PATH}/commits", [{"sha": sha, "author": {"login": "alice"}} for sha in shas])
    pr.review("alice")
    pr.review("fay")
    result = pr.check(commits=len(shas))
    assert result.code == 2, result.stderr
    assert ("pull request #42 has 1301 commits; the API lists 250, and changegate looks up at most 1000 more one "
            "by one, so it cannot know every committer: the gate fails closed") in result.stderr
    assert pr.server.seen("GET", "/repos/acme/shop/commits/") == []


def test_a_commit_list_from_git_shorter_than_githubs_count_fails_closed(pr: Pr) -> None:
    # A shallow checkout stops `git rev-list` early: fewer commits than GitHub counts.
    pr.review("alice")
    pr.review("fay")
    result = pr.check(commits=400)
    assert result.code == 2, result.stderr
    assert ("pull request #42 has 400 commits on GitHub, but git lists 1 between its base and head (a shallow "
            "checkout?); check out with actions/checkout and fetch-depth: 0") in result.stderr


def test_a_rate_limited_team_lookup_fails_closed_and_says_which_limit(pr: Pr) -> None:
    pr.server.fail("GET", "/orgs/acme/teams/crm/members", 403, times=10,
                   headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": "4102444800"},
                   body={"message": "API rate limit exceeded for installation ID 7."})
    pr.review("alice")
    pr.review("fay")
    result = pr.check()
    assert result.code == 2, result.stderr
    assert ("GET /orgs/acme/teams/crm/members: 403 Forbidden (GitHub said: API rate limit exceeded for installation "
            "ID 7.): GitHub's primary rate limit is exhausted (x-ratelimit-remaining: 0, resets at "
            "2100-01-01T00:00:00Z)\n") in result.stderr
    assert "using the map's members" not in result.stderr
    assert len(pr.server.seen("GET", "/orgs/acme/teams/crm/members")) == 1  # no use asking before the reset


def test_a_secondary_rate_limit_on_the_team_lookup_fails_closed_too(pr: Pr) -> None:
    pr.server.fail("GET", "/orgs/acme/teams/crm/members", 403, times=10,
                   body={"message": "You have exceeded a secondary rate limit."})
    result = pr.check()
    assert result.code == 2, result.stderr
    assert ("GET /orgs/acme/teams/crm/members: 403 Forbidden (GitHub said: You have exceeded a secondary rate limit.): "
            "GitHub's secondary rate limit after 5 attempts\n") in result.stderr


def test_a_missing_team_falls_back_to_the_map_and_the_notice_says_404(pr: Pr) -> None:
    pr.review("alice")
    pr.review("fay")
    result = pr.check()  # the server has no /orgs/acme/teams/crm/members: 404
    assert result.code == 0, result.stderr
    assert ("team crm-team: could not read members of acme/crm (404 Not Found: no such team, or the token cannot "
            "see it; needs members: read / read:org); using the map's members") in result.stderr
    assert "403 Forbidden" not in result.stderr


def test_a_server_error_on_writing_the_comment_is_not_retried(pr: Pr) -> None:
    pr.server.fail("POST", "/repos/acme/shop/issues/42/comments", 502, times=10)
    result = pr.check()
    assert result.code == 1, result.stderr  # the decision stands; the comment is skipped with a notice
    assert len(pr.server.seen("POST")) == 1
    assert ("the pull request comment was skipped: POST /repos/acme/shop/issues/42/comments: HTTP 502 "
            "(GitHub said: failure): GitHub's server failed. The decision stands") in result.stderr


# ----------------------------------------------------------------------------- the sticky comment's author


def marked(body: str) -> str:
    return f"<!-- changegate:summary -->\n{body}"


def test_a_foreign_comment_carrying_the_marker_is_never_edited(pr: Pr) -> None:
    forged = {"id": 500, "body": marked("# changegate: pass\nAll approvals present."),
              "user": {"login": "mallory", "id": 666, "type": "User"}}
    impostor = {"id": 501, "body": marked("bot-like"), "user": {"login": "github-actions[bot]", "type": "User"}}
    pr.server.comments["acme/shop#42"] = [forged, impostor]
    result = pr.check()
    assert result.code == 1
    assert pr.server.seen("PATCH") == []
    assert forged["body"] == marked("# changegate: pass\nAll approvals present.")
    comments = pr.server.comments["acme/shop#42"]
    assert [c["id"] for c in comments][:2] == [500, 501] and len(comments) == 3
    assert comments[2]["body"] == result.summary
    second = pr.check()  # our own comment is the one edited from now on
    (patch,) = pr.server.seen("PATCH")
    assert patch.path == f"/repos/acme/shop/issues/comments/{comments[2]['id']}"
    assert second.code == 1


def test_with_a_personal_token_the_comment_of_that_user_is_the_sticky_one(pr: Pr) -> None:
    pr.server.viewer = {"login": "Gate-Keeper", "id": 9, "type": "User"}
    bot = {"id": 600, "body": marked("from an earlier setup"), "user": {"login": "github-actions[bot]", "type": "Bot"}}
    pr.server.comments["acme/shop#42"] = [bot]
    assert pr.check().code == 1
    assert pr.server.seen("PATCH") == []
    assert pr.check().code == 1
    (patch,) = pr.server.seen("PATCH")
    assert patch.path == f"/repos/acme/shop/issues/comments/{pr.server.comments['acme/shop#42'][1]['id']}"


def test_the_comment_author_can_be_named_for_an_app_token(pr: Pr, monkeypatch: pytest.MonkeyPatch) -> None:
    ours = {"id": 700, "body": marked("old"), "user": {"login": "changegate-app[bot]", "type": "Bot"}}
    pr.server.comments["acme/shop#42"] = [ours]
    monkeypatch.setenv("CHANGEGATE_COMMENT_AUTHOR", "changegate-app[bot]")
    result = pr.check()
    (patch,) = pr.server.seen("PATCH")
    assert patch.path == "/repos/acme/shop/issues/comments/700" and ours["body"] == result.summary
    assert pr.server.seen("GET", "/user") == []


# ----------------------------------------------------------------------------- determinism


def test_the_same_facts_in_any_api_order_give_byte_identical_json_and_markdown(
    tmp_path: Path, server: GithubServer
) -> None:
    pr = make_pr(tmp_path, server, {
        "services/crm/app.py": "v2\n", "services/crm/b.py": "b\n", "services/crm/a.py": "a\n",
        "docs/z.md": "z\n", "docs/a.md": "a\n", ".changegate/changes/crm.yaml": MANIFEST,
    })
    server.list("/orgs/acme/teams/crm/members", [{"login": n} for n in ("zed", "Alice", "bob", "carl")])
    server.list(f"{PR_PATH}/commits", [{"sha": f"{i:040x}", "author": {"login": n}, "committer": None}
                                       for i, n in enumerate(("erin", "carl", "dan"), 1)])
    for user, state in (("bob", "COMMENTED"), ("zed", "APPROVED"), ("carl", "APPROVED"), ("bob", "APPROVED"),
                        ("alice", "CHANGES_REQUESTED"), ("alice", "APPROVED"), ("fay", "DISMISSED")):
        pr.review(user, state)
    for review in server.lists[f"{PR_PATH}/reviews"]:  # alice changed her mind within the second
        if review["user"]["login"] == "alice":
            review["submitted_at"] = "2026-11-27T12:00:00Z"
    labels = [{"name": n} for n in ("release", "db", "Hotfix")]
    outputs = []
    for order in ("as listed", "reversed", "shuffled"):
        for items in (server.lists[f"{PR_PATH}/files"], server.lists[f"{PR_PATH}/reviews"],
                      server.lists[f"{PR_PATH}/commits"], server.lists["/orgs/acme/teams/crm/members"], labels):
            if order == "reversed":
                items.reverse()
            elif order == "shuffled":
                random.Random(7).shuffle(items)
                server.page_size = 2  # and other page boundaries
        result = pr.check("--format", "json", "--output", str(tmp_path / "out.json"), "--no-comment",
                          labels=list(labels))
        assert result.code == 1, result.stderr
        outputs.append(((tmp_path / "out.json").read_bytes(), result.summary.encode()))
    assert outputs[0] == outputs[1] == outputs[2]
    decision = json.loads(outputs[0][0])
    assert "carl: committed to this change" in outputs[0][1].decode()
    assert "approved so far: alice" in outputs[0][1].decode()  # her later review (by id) approves
    assert decision["diff"]["files"] == 6
