"""The benchmark harness: a reproducible generator whose output the product accepts, and a
path-matching comparison that agrees with the reference. No timing is asserted here."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

import pytest
import yaml

from benchmarks.generate import build_enterprise, component_id, write_enterprise
from benchmarks.run import (
    match_with_codeowners,
    match_with_pathindex,
    run_once,
    workload,
)
from changegate.load.config import load_config
from changegate.load.depmap import load_map
from changegate.load.manifest import load_manifest
from changegate.load.policies import load_policies

N = 1000


@pytest.fixture(scope="module")
def enterprise():  # type: ignore[no-untyped-def]
    return build_enterprise(N, seed=7)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory, enterprise) -> Path:  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("bench") / "repo"
    write_enterprise(enterprise, root)
    return root


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_writes_identical_files(tmp_path: Path, repo: Path) -> None:
    write_enterprise(build_enterprise(N, seed=7), tmp_path / "again")
    assert _files(tmp_path / "again") == _files(repo)


def test_another_seed_writes_another_estate(enterprise) -> None:  # type: ignore[no-untyped-def]
    assert build_enterprise(N, seed=8).depmap != enterprise.depmap


def test_yaml_and_json_maps_hold_the_same_data(repo: Path) -> None:
    as_yaml = yaml.safe_load((repo / ".changegate" / "map.yaml").read_text())
    as_json = json.loads((repo / ".changegate" / "map.json").read_text())
    assert as_yaml == as_json


def test_config_points_at_the_chosen_map_format(tmp_path: Path, enterprise) -> None:  # type: ignore[no-untyped-def]
    write_enterprise(enterprise, tmp_path, map_format="json")
    config = yaml.safe_load((tmp_path / ".changegate" / "config.yaml").read_text())
    assert config["map"] == ".changegate/map.json"


def test_estate_has_the_issue_proportions(enterprise) -> None:  # type: ignore[no-untyped-def]
    depmap = enterprise.depmap
    assert len(depmap["components"]) == N
    assert len(depmap["value_streams"]) == N // 100
    assert len(depmap["teams"]) == N // 25
    assert {len(t["members"]) for t in depmap["teams"].values()} == {5}
    positives = [[p for p in c["paths"] if not p.startswith("!")] for c in depmap["components"].values()]
    assert {len(p) for p in positives} == {2}
    assert any(p.startswith("!") for c in depmap["components"].values() for p in c["paths"])
    assert {len(c["provides"]) for c in depmap["components"].values()} == {1}
    policies = [p for doc in enterprise.policy_files.values() for p in doc["policies"]]
    assert len(policies) == 500
    assert {doc["layer"] for doc in enterprise.policy_files.values()} == {
        "org", "value-stream", "component", "change"}
    assert sum("when" in p.get("match", {}) for p in policies) == 50


def test_tiers_consume_only_lower_tiers_and_data_stores_consume_nothing(enterprise) -> None:  # type: ignore[no-untyped-def]
    allowed = {"fe": {"dom"}, "dom": {"plat", "ds"}, "plat": {"ds"}, "ds": set()}
    comps = enterprise.depmap["components"]
    for cid, comp in comps.items():
        tier = enterprise.tier_of[cid]
        consumed_tiers = {iface.split("-")[0] for iface in comp["consumes"]}
        assert consumed_tiers <= allowed[tier], cid
        if tier == "ds":
            assert comp["consumes"] == [] and "depends_on" not in comp
        else:
            assert len(comp["consumes"]) == 3, cid


def test_changed_files_lists_have_the_asked_sizes_and_name_their_manifest(enterprise) -> None:  # type: ignore[no-untyped-def]
    for size, files in enterprise.changed.items():
        assert files[0] == f".changegate/changes/pr-{size}.yaml"
        assert len(set(files[1:])) >= size
        assert any(f.startswith("misc/") for f in files)


def test_generated_repository_loads_with_the_project_loader(repo: Path) -> None:
    config = load_config(repo, None)
    assert config.map == (".changegate/map.yaml",)
    depmap = load_map(repo, config)
    assert len(depmap.components) == N
    assert depmap.interfaces[f"{component_id(0)}-api"].provider == component_id(0)
    local = dataclasses.replace(config, policies=(".changegate/policies",))
    assert len(load_policies(repo, local, depmap)) == 500
    manifest_file = ".changegate/changes/pr-10.yaml"
    manifest = load_manifest((repo / manifest_file).read_text(), manifest_file, depmap)
    assert manifest.type == "normal"


def test_pathindex_and_codeowners_give_identical_owners(enterprise) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("codeowners")
    pytest.importorskip("changegate.core.paths")
    patterns, files = workload(enterprise.depmap, enterprise.changed[1000])
    ours = match_with_pathindex(patterns, files)
    assert ours == match_with_codeowners(patterns, files)
    # Scratch files belong to nobody; contract files belong to interfaces, not components.
    unclaimed = [f for f in files if f.startswith(("misc/", "contracts/"))]
    assert unclaimed and not any(f in ours for f in unclaimed)
    assert len(ours) == len(files) - len(unclaimed)


def test_run_once_reports_the_child_exit_code_and_its_peak_rss() -> None:
    _, rss_mb, code, stderr, _ = run_once(
        [sys.executable, "-c", "import sys; sys.stderr.write('bye'); sys.exit(3)"], None)
    assert code == 3
    assert stderr == "bye"
    assert rss_mb > 1


def test_runner_lists_its_cases(capsys: pytest.CaptureFixture[str]) -> None:
    from benchmarks.run import main

    assert main(["--list"]) == 0
    names = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert names == ["help", "version", "small", "20k-10", "20k-1000", "20k-5000", "20k-5000-cold",
                     "20k-5000-json", "scale-1k-1000", "scale-100k-1000", "paths", "codeowners-import-1000",
                     "codeowners-check-1000", "board-5000"]


def test_runner_rejects_an_unknown_case_naming_the_known_ones() -> None:
    from benchmarks.run import all_cases, select

    with pytest.raises(SystemExit) as exc:
        select(all_cases(True, 1), ["help,nope"])
    assert str(exc.value) == ("unknown case(s): nope; known: help, version, small, 1k-10, "
                              "paths-1k")


def test_the_board_history_is_read_back_whole_by_the_board(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from benchmarks.board_case import write_history
    from changegate.cli import cli

    write_history(tmp_path / "repo", changes=120)
    monkeypatch.chdir(tmp_path / "repo")
    result = CliRunner().invoke(cli, ["board", "--output", str(tmp_path / "site"), "--today", "2026-11-30",
                                      "--since", "2020-01-01"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert "120 changes since 2020-01-01 (120 recorded)" in result.stderr
    assert "warning" not in result.stderr  # every generated record is a valid one
    html = (tmp_path / "site" / "index.html").read_text()
    assert "reverted by" in html and "fixed by change-" in html and "OVERDUE" in html
