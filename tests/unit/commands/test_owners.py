"""`changegate owners` end to end (SPEC §9, issue 11): who claims each path, through the
CLI in a real git repository, the JSON valid against schemas/owners.schema.json."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner, Result
from conftest import PROJECT, GitRepo

from changegate.cli import cli

SCHEMA: dict[str, Any] = json.loads((PROJECT / "schemas" / "owners.schema.json").read_text())

MAP = """\
version: 1
teams:
  app-team: {github_team: acme/app, members: [zed]}
  solo: {members: [alice, bob]}
  empty: {name: Nobody yet, members: []}
value_streams:
  checkout: {owners: [app-team], criticality: high}
components:
  api:
    owners: [app-team, solo]
    paths:
      - "a/**"
      - "!a/generated/**"
  docs:
    owners: [solo]
    paths: ["*.md"]
    value_streams: [checkout]
    provides: [orders-api]
  web:
    owners: [empty]
    paths: ["web/**"]
    consumes: [orders-api]
interfaces:
  orders-api:
    paths: ["contracts/orders.json"]
"""


@pytest.fixture
def repo(git_repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    git_repo.write(".changegate/map.yaml", MAP)
    git_repo.write("a/b.py", "x\n")
    git_repo.commit()
    monkeypatch.chdir(git_repo.root)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return git_repo


def run(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, ["owners", *args], input=input)


def owners_json(*args: str, input: str | None = None) -> list[dict[str, Any]]:
    result = run("--format", "json", *args, input=input)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    jsonschema.Draft202012Validator(SCHEMA).validate(data)
    return data["files"]  # type: ignore[no-any-return]


def test_json_is_spec_shaped_with_github_team_else_members(repo: GitRepo) -> None:
    [entry] = owners_json("a/b.py")
    assert {k: entry[k] for k in ("path", "components", "owners", "github")} == {
        "path": "a/b.py", "components": ["api"], "owners": ["app-team", "solo"],
        "github": ["@acme/app", "@alice", "@bob"]}


def test_claims_name_the_pattern_and_its_map_line(repo: GitRepo) -> None:
    [entry] = owners_json("a/README.md")
    assert entry["components"] == ["api", "docs"]
    assert entry["claims"] == [
        {"kind": "component", "id": "api", "pattern": "a/**", "file": ".changegate/map.yaml", "line": 12},
        {"kind": "component", "id": "docs", "pattern": "*.md", "file": ".changegate/map.yaml", "line": 16},
    ]
    text = run("a/README.md").stdout
    assert "  .changegate/map.yaml:12:a/**\tcomponent api\n" in text


def test_a_negated_path_is_unclaimed(repo: GitRepo) -> None:
    [entry] = owners_json("a/generated/x.py")
    assert entry == {"path": "a/generated/x.py", "components": [], "owners": [], "github": [], "claims": []}
    assert run("a/generated/x.py").stdout == "a/generated/x.py: not claimed by any component or interface\n"


def test_an_interface_path_is_owned_by_its_provider(repo: GitRepo) -> None:
    [entry] = owners_json("contracts/orders.json")
    assert entry["components"] == ["docs"]
    assert entry["github"] == ["@alice", "@bob"]
    assert [(c["kind"], c["id"]) for c in entry["claims"]] == [("interface", "orders-api")]


def test_a_team_without_identity_gives_no_github(repo: GitRepo) -> None:
    [entry] = owners_json("web/index.html")
    assert (entry["owners"], entry["github"]) == (["empty"], [])


def test_paths_and_the_list_are_normalised_sorted_and_deduplicated(repo: GitRepo) -> None:
    files = owners_json("./web/x", "/a/b.py", "--changed-files", "-", input="a/b.py\r\n\nweb/x\nREADME.md\n")
    assert [f["path"] for f in files] == ["README.md", "a/b.py", "web/x"]


def test_no_path_is_bad_input_rather_than_reading_stdin(repo: GitRepo) -> None:
    result = run(input="a/b.py\n")
    assert result.exit_code == 2
    assert "give the paths to look up" in result.stderr


def test_a_bad_map_is_exit_2_with_file_and_line(repo: GitRepo) -> None:
    repo.write(".changegate/map.yaml", MAP.replace("owners: [empty]", "owners: [nobody]"))
    result = run("a/b.py")
    assert result.exit_code == 2
    assert ".changegate/map.yaml:" in result.stderr
