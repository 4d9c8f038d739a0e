"""`changegate validate`: every problem of every gate file given (or of all of them), in order."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import PROJECT
from gate_samples import MANIFEST, MAP, MAP_FILE, POLICY, repo

from changegate.commands.validate import run, validate_paths
from changegate.errors import InputErrors


def test_validate_repository_collects_errors_from_every_file(tmp_path: Path) -> None:
    root = repo(tmp_path, **{
        ".changegate__changes__a.yaml": MANIFEST.replace("components: [crm]", "components: [crn]"),
        ".changegate__changes__b.yaml": MANIFEST.replace("type: normal", "type: big"),
        ".changegate__changes__c.yaml": MANIFEST,
        ".changegate__policies__org.yaml": POLICY.replace("layer: org", "layer: orga"),
    })
    assert [str(e) for e in validate_paths(root, [])] == [
        ".changegate/policies/org.yaml:2: layer: 'orga' is not one of the configured layers: org, "
        "value-stream, component, change",
        ".changegate/changes/a.yaml:5: components.0: unknown component 'crn' (did you mean 'crm'?)",
        ".changegate/changes/b.yaml:3: type: 'big' is not one of standard, normal, emergency",
    ]


def test_validate_reports_a_manifest_owner_that_is_no_team_with_a_hint(tmp_path: Path) -> None:
    root = repo(tmp_path, **{
        ".changegate__changes__a.yaml": MANIFEST.replace("owner: crm-team", "owner: crm-teem"),
        ".changegate__changes__b.yaml": MANIFEST.replace("owner: crm-team", "owner: '@alice'"),
    })
    expected = [".changegate/changes/a.yaml:4: owner: unknown team 'crm-teem' (did you mean 'crm-team'?); "
                "the owner is a team id of the map or an @login"]
    assert [str(e) for e in validate_paths(root, [])] == expected
    assert [str(e) for e in validate_paths(root, [".changegate/changes/a.yaml"])] == expected
    assert validate_paths(root, [".changegate/changes/b.yaml"]) == []


def test_validate_valid_repository_has_no_errors(tmp_path: Path) -> None:
    root = repo(tmp_path, **{".changegate__changes__c.yaml": MANIFEST})
    assert validate_paths(root, []) == []


def test_validate_paths_detects_each_file_kind(tmp_path: Path) -> None:
    root = repo(tmp_path, **{
        "elsewhere/change.yaml": MANIFEST.replace("risk: medium", "risk: massive"),
        "elsewhere/policy.yaml": POLICY.replace("count: 1", "count: two"),
        "elsewhere/map.yaml": "teams:\n  t: {members: [x], github: y}\n",
        "elsewhere/config.yaml": "changes: 3\n",
        "elsewhere/readme.yaml": "hello: world\n",
    })
    assert [str(e) for e in validate_paths(root, ["elsewhere", "missing.yaml", MAP_FILE])] == [
        "elsewhere/change.yaml:7: risk: 'massive' is not one of low, medium, high, critical",
        "elsewhere/config.yaml:1: changes: expected a string, got an integer",
        "elsewhere/map.yaml:2: teams.t: unknown key 'github' (allowed: github_team, members, name)",
        "elsewhere/policy.yaml:13: policies.0.require.approvals.0.count: expected an integer, got a string",
        "elsewhere/readme.yaml: not a changegate file (expected a config, map, policy file or manifest)",
        "missing.yaml: no such file or directory",
    ]


def test_validate_treats_files_in_the_changes_directory_as_manifests(tmp_path: Path) -> None:
    root = repo(tmp_path, **{".changegate__changes__x.yaml": "owner: crm-team\n"})
    assert [str(e) for e in validate_paths(root, [".changegate/changes/x.yaml"])] == [
        ".changegate/changes/x.yaml:1: title: required key missing",
        ".changegate/changes/x.yaml:1: type: required key missing",
    ]


def test_example_repository_is_valid() -> None:
    root = PROJECT / "examples" / "retail"
    if not root.is_dir():
        pytest.skip("no example repository")
    assert [str(e) for e in validate_paths(root, [])] == []


def test_validate_checks_the_given_map_once_and_its_references_still_serve(tmp_path: Path) -> None:
    # A bad path pattern is reported, yet the map still resolves the policy's references;
    # the map is reported once even when named twice, wherever the policy comes in the list.
    root = repo(tmp_path, **{
        ".changegate__map.yaml": MAP.replace('paths: ["services/crm/**"]', 'paths: ["services/crm/**", "!"]'),
        ".changegate__policies__org.yaml": POLICY.replace("- team: finance-owners", "- team: auditors"),
    })
    policy = ".changegate/policies/org.yaml"
    assert [str(e) for e in validate_paths(root, [policy, MAP_FILE, MAP_FILE])] == [
        f"{policy}:12: policies.0.require.approvals.0.team: unknown team 'auditors' "
        "(known: crm-team, finance-owners)",
        ".changegate/map.yaml:12: components.crm.paths.1: invalid path pattern '!': a lone '!' negates nothing",
    ]


def test_validate_with_no_paths_checks_policies_only_against_a_map_without_problems(tmp_path: Path) -> None:
    root = repo(tmp_path, **{
        ".changegate__map.yaml": MAP.replace('paths: ["services/crm/**"]', 'paths: ["services/crm/**", "!"]'),
        ".changegate__policies__org.yaml": POLICY.replace("- team: finance-owners", "- team: auditors"),
    })
    assert [str(e) for e in validate_paths(root, [])] == [
        ".changegate/map.yaml:12: components.crm.paths.1: invalid path pattern '!': a lone '!' negates nothing",
    ]


def test_validate_command_says_what_it_found_valid(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    root = repo(tmp_path, **{".changegate__changes__c.yaml": MANIFEST})
    monkeypatch.chdir(root)
    assert run([], None) == 0
    assert run([Path(MAP_FILE)], None) == 0
    assert capsys.readouterr().err == (
        "changegate: config, map, policies and manifests valid\n"
        f"changegate: {MAP_FILE} valid\n"
    )
    (root / MAP_FILE).write_text(MAP.replace("owners: [crm-team]", "owners: [nobody]"))
    with pytest.raises(InputErrors) as info:
        run([Path(MAP_FILE)], None)
    assert [str(e) for e in info.value.errors] == [
        ".changegate/map.yaml:11: components.crm.owners.0: unknown team 'nobody' "
        "(known: crm-team, finance-owners)"]


def test_validate_warns_about_a_dependency_cycle_and_still_passes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cyclic = MAP.replace("    provides: [crm-customer-api]\n",
                         "    provides: [crm-customer-api]\n    depends_on: [ledger]\n")
    root = repo(tmp_path, **{".changegate__map.yaml": cyclic})
    monkeypatch.chdir(root)
    assert run([], None) == 0
    err = capsys.readouterr().err.splitlines()
    assert err[-1] == "changegate: config, map, policies and manifests valid"
    assert len(err) == 2 and err[0].startswith("changegate: warning: .changegate/map.yaml:")
    assert "crm" in err[0] and "ledger" in err[0] and err[0].endswith("(map-cycle)")


def test_validate_of_a_map_without_oddities_prints_no_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(repo(tmp_path))
    assert run([], None) == 0
    assert capsys.readouterr().err == "changegate: config, map, policies and manifests valid\n"
