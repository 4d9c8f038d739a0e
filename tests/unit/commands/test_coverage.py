"""`changegate map coverage` end to end (SPEC §9, issue 11): what the map leaves uncovered
among the files git tracks; the JSON valid against schemas/coverage.schema.json."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner, Result
from conftest import PROJECT, GitRepo

from changegate.cli import cli

SCHEMA: dict[str, Any] = json.loads((PROJECT / "schemas" / "coverage.schema.json").read_text())

MAP = """\
version: 1
teams:
  app-team: {github_team: acme/app, members: []}
  solo: {members: [alice]}
  ghost: {name: Nobody yet, members: []}
value_streams:
  checkout: {owners: [app-team], criticality: high}
  orphan: {owners: [solo], criticality: low}
components:
  api:
    owners: [app-team]
    paths: ["src/**", ".changegate/*.yaml"]
    value_streams: [checkout]
    provides: [orders-api, lonely-api]
  web:
    owners: [solo]
    paths: ["web/**"]
    consumes: [orders-api]
interfaces:
  orders-api: {paths: ["contracts/orders.json"]}
  lonely-api: {paths: ["contracts/lonely.json"]}
"""
COVERED = {"unclaimed_files": [], "components_without_files": [], "teams_without_identity": [],
           "value_streams_unserved": [], "interfaces_unprovided": [], "interfaces_unconsumed": []}


@pytest.fixture
def repo(git_repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    git_repo.write(".changegate/map.yaml", MAP)
    git_repo.write("src/app.py", "x\n")
    git_repo.write("contracts/orders.json", "{}\n")
    git_repo.write("README.md", "# r\n")
    git_repo.write(".changegate/changes/a.yaml", "title: t\n")
    git_repo.commit()
    git_repo.write("untracked.txt", "not in the index\n")
    monkeypatch.chdir(git_repo.root)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return git_repo


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, ["map", "coverage", *args])


def coverage_json(*args: str, code: int = 0) -> dict[str, Any]:
    result = run("--format", "json", *args)
    assert result.exit_code == code, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    jsonschema.Draft202012Validator(SCHEMA).validate(data)
    return data


def test_every_kind_of_finding(repo: GitRepo) -> None:
    assert coverage_json() == {
        "unclaimed_files": ["README.md"],  # not untracked.txt; not the manifest; the interface's file is claimed
        "components_without_files": ["web"],
        "teams_without_identity": ["ghost"],
        "value_streams_unserved": ["orphan"],
        "interfaces_unprovided": [],  # the loader refuses an interface nobody provides
        "interfaces_unconsumed": ["lonely-api"],
    }


def test_strict_exits_1_on_any_finding_and_0_on_none(repo: GitRepo) -> None:
    coverage_json("--strict", code=1)
    repo.write(".changegate/map.yaml", MAP.replace("  ghost: {name: Nobody yet, members: []}\n", "")
               .replace("  orphan: {owners: [solo], criticality: low}\n", "")
               .replace("lonely-api]", "lonely-api]\n    consumes: []")
               .replace("consumes: [orders-api]", "consumes: [orders-api, lonely-api]")
               .replace('"src/**"', '"src/**", "README.md"'))
    repo.write("web/index.html", "<p>\n")
    repo.delete("untracked.txt")
    repo.commit()
    assert coverage_json("--strict") == COVERED
    assert run("--strict").stdout == "coverage: every tracked file is claimed and every map entry is used\n"


def test_text_lists_each_kind_under_a_heading(repo: GitRepo) -> None:
    result = run()
    assert result.exit_code == 0
    assert "tracked files no component or interface claims (1):\n  README.md\n" in result.stdout
    assert "teams with neither members nor github_team (1):\n  ghost\n" in result.stdout


def test_outside_a_git_repository_is_exit_2(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".changegate").mkdir()
    (tmp_path / ".changegate" / "map.yaml").write_text(MAP)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    result = run()
    assert result.exit_code == 2
    assert "not a git repository" in result.stderr
