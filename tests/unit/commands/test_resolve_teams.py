"""`changegate check --resolve-teams` on the command line: the members of a team that has only
a `github_team` come from the GitHub REST API (a real HTTP server on 127.0.0.1) when asked
with a token; without it the `team-members-unknown` notice stands (issue 11, point 10)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import GitRepo
from github_server import GithubServer

CHANGEGATE = str(Path(sys.executable).with_name("changegate"))
MEMBERS_PATH = "/orgs/acme/teams/finance/members"

MAP = """\
version: 1
teams:
  crm-team: {members: [alice]}
  fin-team: {members: [], github_team: acme/finance}
components:
  crm:
    owners: [crm-team]
    paths: ["services/crm/**"]
"""
POLICY = """\
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
MANIFEST = "version: 1\ntitle: Upgrade CRM\ntype: normal\nowner: crm-team\ncomponents: [crm]\n"


@pytest.fixture
def change(git_repo: GitRepo) -> tuple[GitRepo, str]:
    """A committed change to crm, with a manifest, approved by fay and by alice (crm-team)."""
    git_repo.write(".changegate/config.yaml", "version: 1\n")
    git_repo.write(".changegate/map.yaml", MAP)
    git_repo.write(".changegate/policies/finance.yaml", POLICY)
    git_repo.write("services/crm/app.py", "v = 1\n")
    base = git_repo.commit("gate")
    git_repo.write("services/crm/app.py", "v = 2\n")
    git_repo.write(".changegate/changes/upgrade.yaml", MANIFEST)
    head = git_repo.commit("change")
    git_repo.write("approvals.json", json.dumps({"author": "dave", "head_sha": head, "reviews": [
        {"user": user, "state": "APPROVED", "commit_id": head} for user in ("alice", "fay")]}))
    return git_repo, base


def check(repo: GitRepo, base: str, *args: str, **env: str) -> tuple[int, dict[str, Any], str]:
    """The installed console script, outside GitHub mode; (exit code, JSON decision, stderr)."""
    clean = {k: v for k, v in os.environ.items()
             if k not in ("GITHUB_ACTIONS", "GITHUB_TOKEN", "CHANGEGATE_TOKEN", "INPUT_TOKEN",
                          "GITHUB_API_URL", "CHANGEGATE_RESOLVE_TEAMS")}
    proc = subprocess.run([CHANGEGATE, "check", "--base", base, "--approvals", "approvals.json",
                           "--format", "json", *args], cwd=repo.root, capture_output=True, text=True,
                          env={**clean, "CHANGEGATE_API_MAX_SLEEP": "0", **env}, timeout=60)
    return proc.returncode, json.loads(proc.stdout) if proc.stdout.strip() else {}, proc.stderr


def codes(decision: dict[str, Any]) -> list[str]:
    return [f["code"] for f in decision["findings"]]


def test_a_members_approval_counts_with_a_token(change: tuple[GitRepo, str]) -> None:
    repo, base = change
    with GithubServer() as server:
        server.list(MEMBERS_PATH, [{"login": "Fay", "type": "User"}])
        code, decision, err = check(repo, base, "--resolve-teams", GITHUB_TOKEN="t0ken", GITHUB_API_URL=server.url)
        assert [r.path for r in server.seen("GET")] == [MEMBERS_PATH]
    assert code == 0, (decision, err)
    assert "team-members-unknown" not in codes(decision)


def test_the_environment_variable_opts_in_too(change: tuple[GitRepo, str]) -> None:
    repo, base = change
    with GithubServer() as server:
        server.list(MEMBERS_PATH, [{"login": "fay", "type": "User"}])
        code, decision, err = check(repo, base, GITHUB_TOKEN="t0ken", GITHUB_API_URL=server.url,
                                    CHANGEGATE_RESOLVE_TEAMS="1")
    assert code == 0, (decision, err)


def test_without_the_flag_a_token_makes_no_call_and_the_notice_stands(change: tuple[GitRepo, str]) -> None:
    repo, base = change
    with GithubServer() as server:
        server.list(MEMBERS_PATH, [{"login": "fay", "type": "User"}])
        code, decision, _ = check(repo, base, GITHUB_TOKEN="t0ken", GITHUB_API_URL=server.url)
        assert server.seen() == []
    assert code == 1
    assert codes(decision).count("team-members-unknown") == 1


def test_the_flag_without_a_token_is_an_input_error(change: tuple[GitRepo, str]) -> None:
    repo, base = change
    code, _, err = check(repo, base, "--resolve-teams")
    assert code == 2
    assert "--resolve-teams needs a GitHub token: set GITHUB_TOKEN" in err


def test_a_refused_team_keeps_the_notice_and_says_why(change: tuple[GitRepo, str]) -> None:
    repo, base = change
    with GithubServer() as server:
        server.fail("GET", MEMBERS_PATH, 403)
        code, decision, _ = check(repo, base, "--resolve-teams", GITHUB_TOKEN="t0ken", GITHUB_API_URL=server.url)
    assert code == 1
    assert codes(decision).count("team-members-unknown") == 1
    assert any(f["code"] == "github" and "could not read members of acme/finance" in f["message"]
               for f in decision["findings"])


def test_other_api_failures_fail_closed(change: tuple[GitRepo, str]) -> None:
    repo, base = change
    with GithubServer() as server:
        server.fail("GET", MEMBERS_PATH, 500, times=10)
        code, _, err = check(repo, base, "--resolve-teams", GITHUB_TOKEN="t0ken", GITHUB_API_URL=server.url)
    assert code == 2, err
