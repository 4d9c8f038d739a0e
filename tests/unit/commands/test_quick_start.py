"""The README's quick start, played end to end by a newcomer (issue 11, acceptance 3).

Only commands the README shows, through the installed console script, in a fresh git
repository with an `origin`: init → write the map (and the README's policy) → validate →
commit on main → branch → change a file → impact → new → commit → check blocks (1) →
approvals file and JUnit XML → check passes (0). Plus the team notice of a map whose team
has only a `github_team` (issue 11, point 10).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from backstage_samples import catalog
from conftest import PROJECT, GitRepo

CHANGEGATE = str(Path(sys.executable).with_name("changegate"))
README = (PROJECT / "README.md").read_text(encoding="utf-8")
GUIDE = (PROJECT / "docs" / "adopt.md").read_text(encoding="utf-8")
IMPORT = "changegate map import backstage catalog/ --output .changegate/map.yaml"
CODEOWNERS_IMPORT = "changegate map import codeowners --output .changegate/map/codeowners.yaml"

MAP = """\
version: 1
teams:
  crm-team: {name: CRM engineering, members: [alice, bob]}
  finance-owners: {members: [erin]}
value_streams:
  finance-settlement: {name: Finance settlement, owners: [finance-owners], criticality: critical}
components:
  crm:
    owners: [crm-team]
    paths: ["services/crm/**"]
    provides: [crm-customer-api]
  finance-reporting:
    owners: [finance-owners]
    paths: ["finance/reporting/**"]
    value_streams: [finance-settlement]
    consumes: [crm-customer-api]
    contract_tests: [finance-customer-contract]
interfaces:
  crm-customer-api: {paths: ["services/crm/api/**"]}
"""

JUNIT = """\
<testsuites>
  <testsuite name="{name}" tests="1" failures="0" errors="0"><testcase name="t" classname="c"/></testsuite>
</testsuites>
"""


def _sh_commands(text: str) -> set[str]:
    """Every `changegate ...` line of the ```sh blocks of `text`, without its comment."""
    blocks = re.findall(r"```sh\n(.*?)```", text, re.S)
    return {line.split("  #", 1)[0].strip() for block in blocks for line in block.splitlines()
            if line.startswith("changegate ")}


def _readme_commands() -> set[str]:
    """The commands of the README's quick start."""
    return _sh_commands(README.split("## Quick start in your repository", 1)[1].split("\n## ", 1)[0])


def _readme_yaml(heading: str) -> str:
    """The first ```yaml block after `heading` in the README."""
    after = README.split(heading, 1)[1]
    found = re.search(r"```yaml\n(.*?)```", after, re.S)
    assert found
    return found.group(1)


def _run(repo: GitRepo, command: str, *extra: str, ran: set[str] | None = None) -> subprocess.CompletedProcess[str]:
    """A README command as written (split like a shell does for these), plus extra arguments."""
    if ran is not None:
        ran.add(" ".join((command, *extra)))
    args = [a.strip("'\"") for a in re.findall(r"'[^']*'|\"[^\"]*\"|\S+", command)]
    assert args[0] == "changegate"
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    return subprocess.run([CHANGEGATE, *args[1:], *extra], cwd=repo.root, capture_output=True, text=True,
                          env=env, timeout=60)


def test_quick_start_blocks_then_passes(git_repo: GitRepo, tmp_path: Path) -> None:
    commands = _readme_commands()
    check = next(c for c in commands if c.startswith("changegate check"))
    assert check == "changegate check --base origin/main --head HEAD --junit 'reports/**/*.xml'"
    ran: set[str] = set()

    def run(command: str, *extra: str) -> subprocess.CompletedProcess[str]:
        return _run(git_repo, command, *extra, ran=ran)

    assert run("changegate init").returncode == 0
    git_repo.write(".changegate/map.yaml", MAP)  # $EDITOR .changegate/map.yaml
    # The user replaces the starter policy with the README's.
    git_repo.write(".changegate/policies/team.yaml", _readme_yaml("### A policy"))
    git_repo.write("services/crm/api/customer.py", "v = 1\n")
    git_repo.write("finance/reporting/report.py", "r = 1\n")
    validate = run("changegate validate")
    assert validate.returncode == 0, validate.stderr
    owners = run("changegate owners services/crm/api/customer.py")
    assert owners.stdout.startswith("services/crm/api/customer.py: components crm; owners crm-team")
    git_repo.git("add", "-A")  # coverage reads the files git tracks
    coverage = run("changegate map coverage")
    assert coverage.returncode == 0 and ".changegate/config.yaml" in coverage.stdout
    assert run("changegate map coverage --strict").returncode == 1
    git_repo.commit("changegate")
    bare = tmp_path / "origin.git"
    git_repo.git("init", "-q", "--bare", str(bare))
    git_repo.git("remote", "add", "origin", str(bare))
    git_repo.git("push", "-q", "origin", "main")

    git_repo.git("switch", "-q", "-c", "upgrade-crm")
    git_repo.write("services/crm/api/customer.py", "v = 2\n")
    assert run("changegate impact --base origin/main").returncode == 0
    new = run('changegate new --title "Upgrade CRM to 5.2"')
    assert new.returncode == 0, new.stderr
    manifest = git_repo.root / ".changegate/changes/upgrade-crm-to-5-2.yaml"
    text = manifest.read_text(encoding="utf-8")
    assert "components: [crm]" in text and "interfaces_changed: [crm-customer-api]" in text
    # "review the TODOs": the rollback plan the policy asks for.
    manifest.write_text(text.replace("TODO: how to undo this change", "Redeploy 5.1"), encoding="utf-8")
    head = git_repo.commit("Upgrade CRM to 5.2")

    blocked = run(check)
    assert blocked.returncode == 1, blocked.stdout + blocked.stderr
    for line in ("✗ component:crm  missing", "✗ team:finance-owners  missing",
                 "✗ suite:finance-regression  missing", "✗ suite:finance-customer-contract  missing"):
        assert line in blocked.stdout
    assert "changegate: FAIL — 5 blocking requirements" in blocked.stdout

    for suite in ("finance-regression", "finance-customer-contract"):
        git_repo.write(f"reports/{suite}.xml", JUNIT.format(name=suite))
    approvals = git_repo.root / "approvals.json"
    approvals.write_text(json.dumps({"author": "dave", "head_sha": head, "reviews": [
        {"user": user, "state": "APPROVED", "commit_id": head} for user in ("alice", "erin")]}))
    passed = run(check, "--approvals", "approvals.json")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "changegate: PASS" in passed.stdout
    assert commands <= ran  # every README command
    assert _sh_commands(GUIDE) <= ran | {IMPORT, CODEOWNERS_IMPORT}  # every command of docs/adopt.md


def test_guide_backstage_import_validates(git_repo: GitRepo) -> None:
    assert _run(git_repo, "changegate init").returncode == 0
    catalog(git_repo.root)
    imported = _run(git_repo, IMPORT)
    assert imported.returncode == 0, imported.stderr
    validate = _run(git_repo, "changegate validate")
    assert validate.returncode == 0, validate.stderr


def test_a_team_with_only_github_team_is_named_once(git_repo: GitRepo) -> None:
    git_repo.write(".changegate/map.yaml", MAP.replace("{members: [erin]}", "{members: [], github_team: acme/finance}")
                   .replace("crm-team: {name: CRM engineering, members: [alice, bob]}",
                            "crm-team: {members: [], github_team: acme/crm}"))
    git_repo.write("services/crm/api/customer.py", "v = 1\n")
    git_repo.commit("map")
    git_repo.write("services/crm/api/customer.py", "v = 2\n")
    result = _run(git_repo, "changegate check --format json")
    notices = [f for f in json.loads(result.stdout)["findings"] if f["code"] == "team-members-unknown"]
    assert len(notices) == 1
    assert notices[0]["level"] == "notice"
    assert "teams crm-team, finance-owners have no members, only a github_team" in notices[0]["message"]
    assert "`members`" in notices[0]["message"] and "the Action" in notices[0]["message"]


def _guide_block(heading: str, lang: str) -> str:
    """The first ```lang block after `heading` in docs/adopt.md."""
    found = re.search(rf"```{lang}\n(.*?)```", GUIDE.split(heading, 1)[1], re.S)
    assert found
    return found.group(1)


def test_guide_codeowners_path_blocks_then_passes(git_repo: GitRepo, tmp_path: Path) -> None:
    """docs/adopt.md from CODEOWNERS: init → import → validate → owners → coverage → check 1 → 0."""
    ran: set[str] = set()

    def run(command: str, *extra: str) -> subprocess.CompletedProcess[str]:
        return _run(git_repo, command, *extra, ran=ran)

    git_repo.write(".github/CODEOWNERS", _guide_block("**From CODEOWNERS**", "text"))
    git_repo.write("services/crm/api/customer.py", "v = 1\n")
    git_repo.write("finance/reporting/report.py", "r = 1\n")
    git_repo.write("docs/index.md", "# docs\n")
    assert run("changegate init").returncode == 0
    for line in _guide_block("**From CODEOWNERS**", "sh").splitlines():
        if line.startswith("sed -i "):
            subprocess.run(["sed", "-i", line.split("'")[1], ".changegate/config.yaml"], cwd=git_repo.root, check=True)
        elif line.startswith("rm "):
            subprocess.run(["sh", "-c", line], cwd=git_repo.root, check=True)
        else:
            assert line == CODEOWNERS_IMPORT
            imported = run(line)
            assert imported.returncode == 0, imported.stderr
            assert "imported 4 rules, 4 components, 6 teams from .github/CODEOWNERS (1 notes)" in imported.stderr
            assert "finance-leads@example.com: an email does not resolve" in imported.stderr
    git_repo.write(".changegate/map/streams.yaml", _guide_block("CODEOWNERS knows owners", "yaml"))
    git_repo.write(".changegate/policies/team.yaml", _guide_block("Then look at the starter policy", "yaml"))
    validate = run("changegate validate")
    assert validate.returncode == 0, validate.stderr
    owners = run("changegate owners services/crm/api/customer.py")
    assert owners.stdout.startswith("services/crm/api/customer.py: components alice_crm-team, crm-api;"), owners.stdout
    git_repo.git("add", "-A")
    coverage = run("changegate map coverage")
    assert coverage.returncode == 0 and "finance-leads-example.com" in coverage.stdout
    git_repo.commit("changegate")
    bare = tmp_path / "origin.git"
    git_repo.git("init", "-q", "--bare", str(bare))
    git_repo.git("remote", "add", "origin", str(bare))
    git_repo.git("push", "-q", "origin", "main")

    git_repo.git("switch", "-q", "-c", "upgrade-crm")
    git_repo.write("services/crm/api/customer.py", "v = 2\n")
    assert run("changegate impact --base origin/main").returncode == 0
    assert run('changegate new --title "Upgrade CRM to 5.2"').returncode == 0
    manifest = git_repo.root / ".changegate/changes/upgrade-crm-to-5-2.yaml"
    text = manifest.read_text(encoding="utf-8").replace("TODO: how to undo this change", "Redeploy 5.1")
    assert re.search(r"components: \[[^\]]*\bdana\b", text), text  # the manifest's own owner
    manifest.write_text(text, encoding="utf-8")
    head = git_repo.commit("Upgrade CRM to 5.2")

    check = "changegate check --base origin/main --head HEAD --junit 'reports/**/*.xml'"
    blocked = run(check)
    assert blocked.returncode == 1, blocked.stdout + blocked.stderr
    for line in ("✗ component:alice_crm-team  missing", "✗ component:dana  missing", "✗ team:finance-owners  missing",
                 "✗ suite:finance-customer-contract  missing", "notice team-members-unknown"):
        assert line in blocked.stdout
    assert "error undeclared-component" not in blocked.stdout
    for suite in ("finance-regression", "finance-customer-contract"):
        git_repo.write(f"reports/{suite}.xml", JUNIT.format(name=suite))
    (git_repo.root / "approvals.json").write_text(json.dumps({"author": "dave", "head_sha": head, "reviews": [
        {"user": user, "state": "APPROVED", "commit_id": head} for user in ("alice", "dana", "erin")]}))
    passed = run(check, "--approvals", "approvals.json")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "changegate: PASS" in passed.stdout
