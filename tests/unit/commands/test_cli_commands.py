"""The commands end to end through the CLI: validate, init, impact, new, check's outputs, and the
retail example (issue 2, acceptance points 2 and 5)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import CliRunner, Result
from conftest import PROJECT, SCENARIOS, GitRepo

from changegate import __version__
from changegate.cli import cli

RETAIL = PROJECT / "examples" / "retail"
RETAIL_MINI = SCENARIOS / "_shared" / "retail-mini"
DECISION_SCHEMA: dict[str, Any] = json.loads((PROJECT / "schemas" / "decision.schema.json").read_text())
TODAY = "2026-11-28"
NOW = "2026-11-20T10:00:00+01:00"  # outside the retail example's month-end freeze


@pytest.fixture(autouse=True)
def _not_in_github_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)


def run(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=input)


def assert_valid_decision(text: str) -> dict[str, Any]:
    data = json.loads(text)
    jsonschema.Draft202012Validator(DECISION_SCHEMA).validate(data)
    return data


def blocking_targets(decision: dict[str, Any]) -> set[str]:
    return {r["target"] for r in decision["requirements"]
            if r["severity"] == "error" and r["status"] in ("missing", "failed")}


@pytest.fixture
def mini(git_repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    """retail-mini committed on a `feature/crm-5.2` branch, the working directory set to it."""
    git_repo.copy_tree(RETAIL_MINI)
    git_repo.commit("base")
    git_repo.git("checkout", "-q", "-b", "feature/crm-5.2")
    monkeypatch.chdir(git_repo.root)
    return git_repo


# --------------------------------------------------------------------------- --version, --help


def test_version_prints_the_package_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout == f"changegate, version {__version__}\n"


@pytest.mark.parametrize("args", [("--help",), ("check", "--help"), ("validate", "--help"),
                                  ("impact", "--help"), ("new", "--help"), ("init", "--help")])
def test_help_exits_0_and_shows_usage(args: tuple[str, ...]) -> None:
    result = run(*args)
    assert result.exit_code == 0
    assert result.stdout.startswith("Usage: ")


# --------------------------------------------------------------------------- validate and init


def test_validate_passes_on_the_retail_example(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(RETAIL)
    result = run("validate")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == "changegate: config, map, policies and manifests valid\n"


def test_validate_passes_on_inits_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert run("init").exit_code == 0
    assert (tmp_path / ".changegate" / "config.yaml").is_file()
    assert (tmp_path / ".changegate" / "map.yaml").is_file()
    assert list((tmp_path / ".changegate" / "policies").glob("*.yaml"))
    result = run("validate")
    assert result.exit_code == 0, result.stderr


def test_inits_policy_still_validates_after_the_map_is_replaced(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("init")
    assert result.exit_code == 0
    assert result.stderr.endswith(
        "changegate: next: describe your components in .changegate/map.yaml, adapt the policies in "
        ".changegate/policies/ to them, then run `changegate validate`\n")
    (tmp_path / ".changegate" / "map.yaml").write_text(
        "version: 1\nteams:\n  web: {members: [alice, bob]}\n"
        "components:\n  shop: {owners: [web], paths: ['shop/**'], tests: [shop-unit]}\n", encoding="utf-8")
    validated = run("validate")
    assert validated.exit_code == 0, validated.stderr


def test_init_into_another_directory_writes_there(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "repo"
    target.mkdir()
    monkeypatch.chdir(tmp_path)
    assert run("init", "-C", str(target)).exit_code == 0
    monkeypatch.chdir(target)
    assert run("validate").exit_code == 0


def test_init_refuses_to_overwrite_without_force(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert run("init").exit_code == 0
    config = tmp_path / ".changegate" / "config.yaml"
    config.write_text("version: 1  # mine\n", encoding="utf-8")

    refused = run("init")
    assert refused.exit_code == 2
    assert refused.stderr == ("changegate: error: .changegate/changes/README.md: already exists; "
                              "use --force to overwrite the starter files\n")
    assert config.read_text(encoding="utf-8") == "version: 1  # mine\n"

    forced = run("init", "--force")
    assert forced.exit_code == 0
    assert config.read_text(encoding="utf-8") != "version: 1  # mine\n"


def test_validate_single_bad_file_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "map.yaml").write_text("version: 1\nteams:\n  a: {name: A}\n", encoding="utf-8")
    result = run("validate", "map.yaml")
    assert result.exit_code == 2
    assert result.stderr == "changegate: error: map.yaml:3: teams.a.members: required key missing\n"


def test_validate_single_good_file_exits_0(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(RETAIL)
    result = run("validate", ".changegate/changes/crm-5-2.yaml")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == "changegate: .changegate/changes/crm-5-2.yaml valid\n"


# --------------------------------------------------------------------------- impact


def _change_crm_api(repo: GitRepo) -> None:
    repo.write("services/crm/api/customer.py", "v2\n")
    repo.write("services/crm/app.py", "v2\n")


def test_impact_json_lists_touched_impacted_and_via(mini: GitRepo) -> None:
    _change_crm_api(mini)
    mini.commit("crm api")
    result = run("impact", "--base", "main", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["touched_components"] == ["crm"]
    assert data["changed_interfaces"] == ["crm-customer-api"]
    assert {c["id"]: c["via"] for c in data["impacted_components"]} == {
        "crm": ["crm"],
        "finance-reporting": ["crm", "crm-customer-api", "finance-reporting"],
        "pos-loyalty-sync": ["crm", "crm-customer-api", "pos-loyalty-sync"],
        "ledger": ["crm", "crm-customer-api", "finance-reporting", "ledger"],
    }
    assert {v["id"]: v["via"] for v in data["value_streams"]} == {
        "finance-settlement": ["crm", "crm-customer-api", "finance-reporting", "finance-settlement"],
        "store-operations": ["crm", "crm-customer-api", "pos-loyalty-sync", "store-operations"],
        "customer-service": ["crm", "customer-service"],
    }
    assert data["risk"]["computed"] == "critical"
    # The impact JSON is the same shape as the decision's `impact`.
    impact_schema = {"$defs": DECISION_SCHEMA["$defs"], "$ref": "#/$defs/impact"}
    jsonschema.Draft202012Validator(impact_schema).validate(data)


def test_impact_text_names_value_streams_and_via(mini: GitRepo) -> None:
    _change_crm_api(mini)
    mini.commit("crm api")
    result = run("impact", "--base", "main", "--format", "text")
    assert result.exit_code == 0, result.stderr
    assert "touched components: crm\n" in result.stdout
    assert "via: crm → crm-customer-api → finance-reporting\n" in result.stdout


@pytest.mark.parametrize("fmt, first_line", [("mermaid", "flowchart LR"), ("dot", "digraph impact {")])
def test_impact_graph_formats(mini: GitRepo, fmt: str, first_line: str) -> None:
    _change_crm_api(mini)
    mini.commit("crm api")
    result = run("impact", "--base", "main", "--format", fmt)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == first_line
    assert "crm-customer-api" in result.stdout
    assert "finance-reporting" in result.stdout


def test_impact_without_base_takes_working_tree_changes_and_untracked_files(mini: GitRepo) -> None:
    mini.write("finance/reporting/report.py", "v2\n")  # tracked, modified
    mini.write("finance/ledger/post.py", "new\n")  # untracked
    mini.write("notes.txt", "untracked, unmapped\n")
    result = run("impact", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["touched_components"] == ["finance-reporting", "ledger"]
    assert data["unmapped_files"] == ["notes.txt"]


def test_impact_output_option_writes_file_only(mini: GitRepo) -> None:
    _change_crm_api(mini)
    result = run("impact", "--format", "dot", "--output", "impact.dot")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert (mini.root / "impact.dot").read_text(encoding="utf-8").startswith("digraph")


# --------------------------------------------------------------------------- new


def test_new_scaffolds_a_manifest_that_validates_and_is_checked(mini: GitRepo) -> None:
    mini.write(".changegate/policies/change.yaml",
               "version: 1\nlayer: change\npolicies:\n  - id: rollback\n"
               "    match: {paths: ['**']}\n    require: {fields: [rollback.plan]}\n")
    mini.commit("a policy requiring a rollback plan")
    mini.git("branch", "-f", "main", "HEAD")  # part of the base, not of the change
    _change_crm_api(mini)
    result = run("new")
    assert result.exit_code == 0, result.stderr
    path = mini.root / ".changegate" / "changes" / "crm-5-2.yaml"
    assert result.stderr == (f"changegate: wrote {path}; review the TODOs, then commit it with your "
                             "change\n")
    manifest = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert manifest["title"] == "Crm 5 2"
    assert manifest["type"] == "normal"
    assert manifest["owner"] == "crm-team"
    assert manifest["components"] == ["crm"]
    assert manifest["interfaces_changed"] == ["crm-customer-api"]
    assert manifest["risk"] == "critical"
    assert manifest["tests"] == ["crm-unit"]
    assert run("validate").exit_code == 0

    text = path.read_text(encoding="utf-8")
    assert text.count("TODO") == 2
    unfilled = assert_valid_decision(run("check", "--format", "json").stdout)
    plan = [r for r in unfilled["requirements"] if r["target"] == "field:rollback.plan"]
    assert [(r["status"], r["policy"]) for r in plan] == [("missing", "rollback")]
    assert "still holds the placeholder `changegate new` wrote" in plan[0]["detail"]
    text = (text.replace("TODO: what changes and why", "Moves the customer API to v2")
                .replace("TODO: how to undo this change", "Redeploy the previous image"))
    path.write_text(text, encoding="utf-8")
    validated = run("validate")
    assert validated.exit_code == 0, validated.stderr

    checked = run("check", "--format", "json")
    decision = assert_valid_decision(checked.stdout)
    assert [r["status"] for r in decision["requirements"]
            if r["target"] == "field:rollback.plan"] == ["satisfied"]
    assert decision["change"]["file"] == ".changegate/changes/crm-5-2.yaml"
    assert decision["change"]["title"] == "Crm 5 2"


def test_new_with_title_and_type_to_stdout(mini: GitRepo) -> None:
    mini.write("finance/ledger/post.py", "new\n")
    result = run("new", "--title", "Ledger posting", "--type", "emergency", "--output", "-")
    assert result.exit_code == 0, result.stderr
    manifest = yaml.safe_load(result.stdout)
    assert manifest["title"] == "Ledger posting"
    assert manifest["type"] == "emergency"
    assert manifest["components"] == ["ledger"]
    assert manifest["owner"] == "finance-owners"
    assert not (mini.root / ".changegate" / "changes").exists()
    # builtin:baseline asks an emergency change for its post-implementation review.
    assert set(manifest["pir"]) == {"due", "ticket", "done"} and manifest["pir"]["done"] is False
    assert manifest["pir"]["ticket"].startswith("TODO:")


def test_new_without_touched_components_writes_valid_yaml_with_an_owner_to_fill(mini: GitRepo) -> None:
    mini.write("docs/notes.txt", "unmapped\n")
    result = run("new", "--title", "Notes", "--output", "-")
    assert result.exit_code == 0, result.stderr
    manifest = yaml.safe_load(result.stdout)
    assert manifest["owner"] == "@your-login"
    assert "owner: \"@your-login\"  # TODO: your GitHub login, or a team id of the map" in result.stdout


def test_new_after_a_commit_scaffolds_the_branch_against_the_default_branch(mini: GitRepo) -> None:
    _change_crm_api(mini)
    mini.commit("crm api")
    result = run("new", "--title", "CRM upgrade", "--output", "-")
    assert result.exit_code == 0, result.stderr
    assert yaml.safe_load(result.stdout)["components"] == ["crm"]
    assert result.stderr == ("changegate: no uncommitted changes: scaffolding the commits since the merge "
                             "base with main (give --base to choose another base)\n")


def test_new_with_no_change_at_all_says_so_instead_of_writing_an_empty_manifest(mini: GitRepo) -> None:
    mini.git("checkout", "-q", "main")
    result = run("new", "--title", "Nothing")
    assert result.exit_code == 2
    assert result.stderr == (
        "changegate: error: command line: no changed files: the working tree has no uncommitted "
        "changes and HEAD has no commits since main; commit your change on a branch, or give "
        "--base REF (or --changed-files FILE)\n")
    assert not (mini.root / ".changegate" / "changes").exists()
    same = run("new", "--title", "Nothing", "--base", "main")
    assert same.exit_code == 2
    assert same.stderr == ("changegate: error: command line: no changed files in the change given: "
                           "nothing to scaffold\n")


def test_new_refuses_to_overwrite_an_existing_manifest(mini: GitRepo) -> None:
    _change_crm_api(mini)
    assert run("new", "--title", "CRM upgrade").exit_code == 0
    path = mini.root / ".changegate" / "changes" / "crm-upgrade.yaml"
    again = run("new", "--title", "CRM upgrade")
    assert again.exit_code == 2
    assert again.stderr == (f"changegate: error: {path}: already exists; use --force to overwrite, "
                            "or --output for another name\n")
    assert run("new", "--title", "CRM upgrade", "--force").exit_code == 0


# --------------------------------------------------------------------------- check outputs


MINI_MANIFEST = """version: 1
title: Upgrade CRM
type: normal
owner: crm-team
components: [crm]
"""


def test_check_output_option_writes_the_format_to_the_file_and_nothing_to_stdout(
    mini: GitRepo,
) -> None:
    mini.write("changed.txt", "services/crm/app.py\n")
    result = run("check", "--changed-files", "changed.txt", "--format", "json", "--output", "out.json")
    assert result.exit_code == 1
    assert result.stdout == ""
    decision = assert_valid_decision((mini.root / "out.json").read_text(encoding="utf-8"))
    assert decision["decision"] == "fail"
    assert blocking_targets(decision) == {"manifest"}


def test_check_output_makes_the_missing_directories_of_its_file(mini: GitRepo) -> None:
    mini.write("changed.txt", "services/crm/app.py\n")
    result = run("check", "--changed-files", "changed.txt", "--format", "json", "--output", "out/gate/decision.json")
    assert result.exit_code == 1, result.stderr
    assert assert_valid_decision((mini.root / "out/gate/decision.json").read_text(encoding="utf-8"))


def test_check_markdown_output_to_file(mini: GitRepo) -> None:
    mini.write("changed.txt", "services/crm/app.py\n")
    result = run("check", "--changed-files", "changed.txt", "--format", "markdown", "-o", "summary.md")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "```mermaid" in (mini.root / "summary.md").read_text(encoding="utf-8")


def test_check_reads_changed_files_from_stdin(mini: GitRepo) -> None:
    mini.write(".changegate/changes/crm.yaml", MINI_MANIFEST)
    result = run("check", "--changed-files", "-", "--format", "json",
                 input="services/crm/app.py\n.changegate/changes/crm.yaml\n")
    assert result.exit_code == 0, result.stdout + result.stderr
    decision = assert_valid_decision(result.stdout)
    assert decision["decision"] == "pass"
    assert decision["diff"]["files"] == 2
    assert decision["change"]["file"] == ".changegate/changes/crm.yaml"
    assert decision["impact"]["touched_components"] == ["crm"]


def test_check_with_base_and_head_from_git(mini: GitRepo) -> None:
    base = mini.git("rev-parse", "HEAD")
    mini.write("services/crm/app.py", "v2\n")
    mini.write(".changegate/changes/crm.yaml", MINI_MANIFEST)
    head = mini.commit("crm")
    result = run("check", "--base", base, "--head", head, "--format", "json")
    assert result.exit_code == 0, result.stdout + result.stderr
    decision = assert_valid_decision(result.stdout)
    assert decision["diff"] == {"base": base, "head": head, "files": 2}


def test_check_names_an_uncommitted_manifest_the_change_lacks(mini: GitRepo) -> None:
    mini.write("services/crm/app.py", "v2\n")
    mini.commit("crm")
    mini.write(".changegate/changes/crm.yaml", MINI_MANIFEST)

    def uncommitted(*args: str) -> list[tuple[str, str | None, str]]:
        result = run("check", "--base", "main", *args, "--format", "json")
        return [(f["level"], f["file"], f["message"]) for f in assert_valid_decision(result.stdout)["findings"]
                if f["code"] == "uncommitted-manifest"]

    path = ".changegate/changes/crm.yaml"
    lacks = f"no manifest is part of the change, but {path} is not committed: commit it with the change"
    assert uncommitted("--head", "HEAD") == [
        ("warning", path, lacks + " (with --head, manifests are read from that commit)")]
    assert uncommitted() == [("warning", path, lacks + f", or name it with --manifest {path}")]
    assert uncommitted("--manifest", path) == []


def test_every_command_finds_the_repository_root_from_a_subdirectory(mini: GitRepo,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    mini.write("services/crm/app.py", "v2\n")
    mini.write(".changegate/changes/crm.yaml", MINI_MANIFEST)
    mini.commit("crm")
    monkeypatch.chdir(mini.root / "services" / "crm")
    assert run("validate").exit_code == 0
    assert run("validate", "../../.changegate/changes/crm.yaml").exit_code == 0
    impact = run("impact", "--base", "main", "--format", "json")
    assert json.loads(impact.stdout)["touched_components"] == ["crm"], impact.stderr
    checked = run("check", "--base", "main", "--format", "json")
    assert checked.exit_code == 0, checked.stdout + checked.stderr
    assert run("new", "--base", "main", "--output", "-").exit_code == 0


def test_init_from_a_subdirectory_of_a_git_repository_writes_at_its_top(git_repo: GitRepo,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    (git_repo.root / "src").mkdir()
    monkeypatch.chdir(git_repo.root / "src")
    assert run("init").exit_code == 0
    assert (git_repo.root / ".changegate" / "config.yaml").is_file()
    assert run("validate").exit_code == 0


def test_check_reports_a_junit_file_given_by_name_that_is_not_junit(mini: GitRepo) -> None:
    mini.write(".changegate/changes/crm.yaml", MINI_MANIFEST)
    mini.write("reports/coverage.xml", '<?xml version="1.0"?>\n<coverage line-rate="0.9"/>\n')
    mini.write("changed.txt", "services/crm/app.py\n.changegate/changes/crm.yaml\n")

    def not_junit(*junit: str) -> list[tuple[str, str | None, str]]:
        result = run("check", "--changed-files", "changed.txt", *junit, "--format", "json")
        return [(f["level"], f["file"], f["message"]) for f in assert_valid_decision(result.stdout)["findings"]
                if f["code"] == "junit-not-a-report"]

    assert not_junit("--junit", "reports/coverage.xml") == [
        ("warning", "reports/coverage.xml",
         "--junit reports/coverage.xml is XML but not a JUnit report (its root element is not "
         "<testsuites> or <testsuite>): it supplies no suite")]
    assert not_junit("--junit", "reports/*.xml") == []  # a glob may catch other reports: quiet


# --------------------------------------------------------------------------- the retail example


def test_retail_example_is_blocked_with_the_reasons_a_change_manager_needs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(RETAIL)
    result = run("check", "--changed-files", "pr/changed-files.txt", "--approvals", "pr/approvals.json",
                 "--format", "json", "--today", TODAY, "--now", NOW)
    assert result.exit_code == 1, result.stderr
    decision = assert_valid_decision(result.stdout)
    assert decision["decision"] == "fail"
    assert blocking_targets(decision) == {
        "team:finance-owners",
        "value_stream:finance-settlement",
        "team:crm-team",
        "component:pos-loyalty-sync",
        "component:servicedesk-ticketing",
        "suite:pos-loyalty-contract",
        "suite:finance-reporting-contract",
        "suite:servicedesk-contract",
        "suite:pos-regression",
    }
    assert decision["change"]["file"] == ".changegate/changes/crm-5-2.yaml"


def test_retail_example_fixed_pull_request_passes_with_a_waiver(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(RETAIL)
    args = ("check", "--config", "pr-fixed/config.yaml", "--changed-files", "pr/changed-files.txt",
            "--approvals", "pr-fixed/approvals.json", "--today", TODAY, "--now", NOW)
    text = run(*args)
    assert text.exit_code == 0, text.stdout + text.stderr
    assert "changegate: PASS" in text.stdout

    result = run(*args, "--format", "json")
    assert result.exit_code == 0
    decision = assert_valid_decision(result.stdout)
    assert decision["decision"] == "pass"
    assert blocking_targets(decision) == set()
    waived = {r["target"] for r in decision["requirements"] if r["status"] == "waived"}
    assert waived == {"suite:pos-regression"}


def test_fail_on_warning_blocks_a_passing_change_that_has_warnings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(RETAIL)
    args = ("check", "--config", "pr-fixed/config.yaml", "--changed-files", "pr/changed-files.txt",
            "--approvals", "pr-fixed/approvals.json", "--today", TODAY, "--now", NOW, "--format", "json")
    default = run(*args)
    assert default.exit_code == 0
    assert "warning" in {f["level"] for f in json.loads(default.stdout)["findings"]}
    strict = run(*args, "--fail-on", "warning")
    assert strict.exit_code == 1
    assert json.loads(strict.stdout)["decision"] == "pass"


def test_retail_example_markdown_summary(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(RETAIL)
    result = run("check", "--changed-files", "pr/changed-files.txt", "--approvals", "pr/approvals.json",
                 "--format", "markdown", "--today", TODAY, "--now", NOW)
    assert result.exit_code == 1
    assert "```mermaid" in result.stdout
    assert "finance-settlement" in result.stdout


def test_retail_example_copied_elsewhere_still_validates(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(RETAIL, tmp_path / "retail")
    monkeypatch.chdir(tmp_path / "retail")
    assert run("validate").exit_code == 0


def test_input_errors_become_error_annotations_in_github_actions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".changegate").mkdir()
    (tmp_path / ".changegate" / "config.yaml").write_text("version: 1\nbogus: 1\n")
    (tmp_path / "changed.txt").write_text("a.txt\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = CliRunner().invoke(cli, ["check", "--no-github", "--changed-files", "changed.txt"])
    assert result.exit_code == 2
    message = ("unknown key 'bogus' (allowed: allow_empty_gate, approvals, changes, evidence, impact, "
               "layers, limits, map, policies, unmapped_files, version)")
    assert result.stderr.splitlines() == [
        f"changegate: error: .changegate/config.yaml:2: {message}",
        f"::error file=.changegate/config.yaml,line=2,title=changegate%3A invalid input::{message}",
    ]


def test_several_input_errors_become_one_annotation_a_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".changegate").mkdir()
    (tmp_path / ".changegate" / "config.yaml").write_text("version: 1\nmap: 3\nbogus: 1\n")
    (tmp_path / "changed.txt").write_text("a.txt\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = CliRunner().invoke(cli, ["check", "--no-github", "--changed-files", "changed.txt"])
    assert result.exit_code == 2
    annotations = [line for line in result.stderr.splitlines() if line.startswith("::")]
    assert [a.split("::")[1] for a in annotations] == [
        "error file=.changegate/config.yaml,line=2,title=changegate%3A invalid input",
        "error file=.changegate/config.yaml,line=3,title=changegate%3A invalid input",
    ]
    assert result.stderr.endswith("\n")


def test_a_manifest_committed_as_a_symlink_is_refused_with_head(git_repo: GitRepo,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(RETAIL_MINI, git_repo.root, dirs_exist_ok=True)
    base = git_repo.commit("base")
    changes = git_repo.root / ".changegate" / "changes"
    changes.mkdir(parents=True, exist_ok=True)
    (changes / "leak.yaml").symlink_to("/etc/passwd")
    head = git_repo.commit("head")
    monkeypatch.chdir(git_repo.root)
    result = run("check", "--base", base, "--head", head)
    assert result.exit_code == 2
    assert result.stderr == ("changegate: error: .changegate/changes/leak.yaml: is a symlink; "
                             "manifests are never read through a symlink\n")
