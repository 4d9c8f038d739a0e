"""The dependency map: merged from its files, every problem reported in order with file and
line, built once into a DepMap."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from gate_samples import MAP, MAP_FILE, messages, repo, write

from changegate.load.config import load_config
from changegate.load.depmap import check_map, load_map
from changegate.load.limits import MAX_BYTES
from changegate.model import Config, DepMap


@pytest.fixture
def depmap(tmp_path: Path) -> DepMap:
    root = write(tmp_path / "m", {MAP_FILE: MAP})
    return load_map(root, Config())


def test_oversized_file_is_rejected_before_reading(tmp_path: Path) -> None:
    root = repo(tmp_path)
    (root / MAP_FILE).write_bytes(b"#" * (MAX_BYTES + 1))
    assert messages(lambda: load_map(root, load_config(root, None))) == [
        ".changegate/map.yaml: file is larger than the 64 MiB limit"
    ]


MAP_CASES = [
    pytest.param(
        "    paths: [\"services/crm/**\"]\n", "    owner: [crm-team]\n    paths: [\"services/crm/**\"]\n",
        [".changegate/map.yaml:12: components.crm: unknown key 'owner' (allowed: consumes, contract_tests, "
         "depends_on, name, owners, paths, provides, tests, value_streams)"],
        id="unknown-key-in-component",
    ),
    pytest.param(
        "version: 1\n", "version: 1\nowners: []\n",
        [".changegate/map.yaml:2: unknown key 'owners' (allowed: components, interfaces, ownership_rules, teams, "
         "value_streams, version)"],
        id="unknown-key-at-root",
    ),
    pytest.param(
        "criticality: critical", "criticality: huge",
        [".changegate/map.yaml:8: value_streams.finance-settlement.criticality: 'huge' is not one of "
         "low, medium, high, critical"],
        id="wrong-enum",
    ),
    pytest.param(
        "paths: [\"finance/ledger/**\"]", "paths: finance/ledger/**",
        [".changegate/map.yaml:17: components.ledger.paths: expected a list, got a string"],
        id="wrong-type",
    ),
    pytest.param(
        "    owners: [finance-owners]\n    paths", "    paths",
        [".changegate/map.yaml:15: components.ledger.owners: required key missing"],
        id="missing-required-owners",
    ),
    pytest.param(
        "{members: [carol]}", "{name: Finance}",
        [".changegate/map.yaml:4: teams.finance-owners.members: required key missing"],
        id="missing-required-members",
    ),
    pytest.param(
        "  ledger:", "  the ledger:",
        [".changegate/map.yaml:15: components.the ledger: 'the ledger' is not a valid id (letters, digits, "
         "'.', '_' or '-', starting with a letter or digit)"],
        id="bad-id",
    ),
    pytest.param(
        "github_team: acme/crm", "github_team: crm",
        [".changegate/map.yaml:3: teams.crm-team.github_team: 'crm' is not a GitHub team as org/slug"],
        id="bad-github-team",
    ),
    pytest.param(
        "    owners: [crm-team]", "    owners: [crm-teem]",
        [".changegate/map.yaml:11: components.crm.owners.0: unknown team 'crm-teem' (did you mean 'crm-team'?)"],
        id="unknown-team-in-component",
    ),
    pytest.param(
        "    criticality: critical\n", "    criticality: critical\n    consulted: [nobody]\n",
        [".changegate/map.yaml:9: value_streams.finance-settlement.consulted.0: unknown team 'nobody' "
         "(known: crm-team, finance-owners)"],
        id="unknown-team-in-value-stream",
    ),
    pytest.param(
        "value_streams: [finance-settlement]", "value_streams: [finance]",
        [".changegate/map.yaml:13: components.crm.value_streams.0: unknown value stream 'finance' "
         "(known: finance-settlement)"],
        id="unknown-value-stream",
    ),
    pytest.param(
        "depends_on: [crm]", "depends_on: [crm, warehouse]",
        [".changegate/map.yaml:18: components.ledger.depends_on.1: unknown component 'warehouse' "
         "(known: crm, ledger)"],
        id="unknown-component-in-depends-on",
    ),
    pytest.param(
        "consumes: [crm-customer-api]", "consumes: [crm-api-v9]",
        [".changegate/map.yaml:19: components.ledger.consumes.0: unknown interface 'crm-api-v9' "
         "(known: crm-customer-api)"],
        id="unknown-interface",
    ),
    pytest.param(
        "    consumes: [crm-customer-api]", "    provides: [crm-customer-api]",
        [".changegate/map.yaml:19: components.ledger.provides.0: interface 'crm-customer-api' is already "
         "provided by component 'crm' (.changegate/map.yaml:14); an interface has exactly one provider"],
        id="interface-provided-twice",
    ),
    pytest.param(
        "    provides: [crm-customer-api]\n", "",
        [".changegate/map.yaml:20: interfaces.crm-customer-api: no component provides this interface "
         "(list it in one component's provides)"],
        id="interface-provided-by-none",
    ),
    pytest.param(
        "owners: [finance-owners]\n    criticality", "owners: [finance-owners, finance-owners]\n    criticality",
        [".changegate/map.yaml:7: value_streams.finance-settlement.owners.1: 'finance-owners' is listed twice"],
        id="duplicate-item",
    ),
]


@pytest.mark.parametrize(("old", "new", "expected"), MAP_CASES)
def test_bad_map_names_file_line_and_key(tmp_path: Path, old: str, new: str, expected: list[str]) -> None:
    assert old in MAP
    root = repo(tmp_path, **{".changegate__map.yaml": MAP.replace(old, new, 1)})
    assert messages(lambda: load_map(root, load_config(root, None))) == expected


def test_every_broken_reference_is_reported_at_once(tmp_path: Path) -> None:
    text = MAP.replace("owners: [crm-team]", "owners: [x1]").replace("depends_on: [crm]", "depends_on: [x2]")
    root = repo(tmp_path, **{".changegate__map.yaml": text})
    assert messages(lambda: load_map(root, load_config(root, None))) == [
        ".changegate/map.yaml:11: components.crm.owners.0: unknown team 'x1' (known: crm-team, finance-owners)",
        ".changegate/map.yaml:18: components.ledger.depends_on.0: unknown component 'x2' (known: crm, ledger)",
    ]


def test_same_component_in_two_map_files_names_both(tmp_path: Path) -> None:
    root = write(tmp_path, {
        ".changegate/config.yaml": "map: .changegate/map\npolicies: []\n",
        ".changegate/map/a.yaml": MAP,
        ".changegate/map/b.yaml": (
            "components:\n  extra:\n    owners: []\n    paths: []\n  crm:\n    owners: []\n    paths: []\n"),
    })
    assert messages(lambda: load_map(root, load_config(root, None))) == [
        ".changegate/map/b.yaml:5: components.crm: defined twice (first at .changegate/map/a.yaml:10)"
    ]


def test_missing_map_is_an_input_error(tmp_path: Path) -> None:
    assert messages(lambda: load_map(tmp_path, Config())) == [
        ".changegate/map.yaml: map file or directory '.changegate/map.yaml' does not exist "
        "(create it, e.g. with `changegate init`)"
    ]
    root = write(tmp_path, {".changegate/config.yaml": "version: 1\nmap: [a.yaml, b.yaml]\n", "a.yaml": MAP})
    assert messages(lambda: load_map(root, load_config(root, None))) == [
        ".changegate/config.yaml:2: map file or directory 'b.yaml' does not exist"
    ]


def test_json_map_errors_name_the_line(tmp_path: Path) -> None:
    data = yaml.safe_load(MAP)
    data["components"]["crm"]["owners"] = ["ghost"]
    root = write(tmp_path, {"map.json": json.dumps(data, indent=1)})
    config = Config(map=("map.json",))
    line = next(n for n, text in enumerate(json.dumps(data, indent=1).splitlines(), 1) if '"ghost"' in text)
    assert messages(lambda: load_map(root, config)) == [
        f"map.json:{line}: components.crm.owners.0: unknown team 'ghost' (known: crm-team, finance-owners)"
    ]


# --------------------------------------------------------------------------- map: positive


def test_directory_map_merges_yaml_yml_and_json_files(tmp_path: Path) -> None:
    data = yaml.safe_load(MAP)
    root = write(tmp_path, {
        ".changegate/config.yaml": "map: [.changegate/map, extra.yaml]\n",
        ".changegate/map/1-teams.yaml": yaml.safe_dump({"teams": data["teams"]}),
        ".changegate/map/2-streams.yml": yaml.safe_dump({"value_streams": data["value_streams"]}),
        ".changegate/map/3-components.json": json.dumps({"components": data["components"]}),
        ".changegate/map/notes.txt": "not a map",
        "extra.yaml": yaml.safe_dump({"interfaces": data["interfaces"]}),
    })
    depmap = load_map(root, load_config(root, None))
    assert depmap.files == (
        ".changegate/map/1-teams.yaml", ".changegate/map/2-streams.yml",
        ".changegate/map/3-components.json", "extra.yaml",
    )
    assert sorted(depmap.components) == ["crm", "ledger"]
    assert depmap.interfaces["crm-customer-api"].provider == "crm"
    assert depmap.components["ledger"].loc is not None
    assert depmap.components["ledger"].loc.file == ".changegate/map/3-components.json"


def test_json_map_loads_like_the_yaml_one(tmp_path: Path, depmap: DepMap) -> None:
    root = write(tmp_path, {"map.json": json.dumps(yaml.safe_load(MAP))})
    from_json = load_map(root, Config(map=("map.json",)))
    def without_locs(m: DepMap) -> dict[str, dict[str, Any]]:
        return {section: {key: dataclasses.replace(value, loc=None) for key, value in getattr(m, section).items()}
                for section in ("teams", "value_streams", "components", "interfaces")}

    assert without_locs(from_json) == without_locs(depmap)


def test_map_normalises_logins_and_fills_provider(depmap: DepMap) -> None:
    assert depmap.teams["crm-team"].members == ("alice", "bob")
    assert depmap.teams["crm-team"].github_team == "acme/crm"
    assert depmap.interfaces["crm-customer-api"].provider == "crm"
    assert depmap.value_streams["finance-settlement"].criticality == "critical"
    assert str(depmap.components["ledger"].loc) == ".changegate/map.yaml:15"


MANY_PROBLEMS_MAP = """\
teams:
  t1: {members: [a]}
value_streams:
  vs: {owners: [t1, t9], criticality: low}
components:
  c1:
    owners: [t1]
    paths: ["a/**"]
    provides: [i1, i2]
  c2:
    owners: [t2, t1]
    paths: ["b/**", "!"]
    value_streams: [vs, nope]
    depends_on: [c1, c9]
    provides: [i1, ix]
    consumes: [i2, iy]
  c3:
    owners: [t1]
    paths: ["c/**"]
    provides: [i2]
interfaces:
  i1: {paths: ["x"]}
  i2: {paths: ["y"]}
  i3: {paths: ["z", "!"]}
"""

MANY_PROBLEMS = [
    "m.yaml:4: value_streams.vs.owners.1: unknown team 't9' (known: t1)",
    "m.yaml:11: components.c2.owners.0: unknown team 't2' (known: t1)",
    "m.yaml:13: components.c2.value_streams.1: unknown value stream 'nope' (known: vs)",
    "m.yaml:14: components.c2.depends_on.1: unknown component 'c9' (known: c1, c2, c3)",
    "m.yaml:15: components.c2.provides.1: unknown interface 'ix' (known: i1, i2, i3)",
    "m.yaml:16: components.c2.consumes.1: unknown interface 'iy' (known: i1, i2, i3)",
    "m.yaml:12: components.c2.paths.1: invalid path pattern '!': a lone '!' negates nothing",
    "m.yaml:15: components.c2.provides.0: interface 'i1' is already provided by component 'c1' "
    "(m.yaml:9); an interface has exactly one provider",
    "m.yaml:20: components.c3.provides.0: interface 'i2' is already provided by component 'c1' "
    "(m.yaml:9); an interface has exactly one provider",
    "m.yaml:24: interfaces.i3.paths.1: invalid path pattern '!': a lone '!' negates nothing",
    "m.yaml:24: interfaces.i3: no component provides this interface (list it in one "
    "component's provides)",
]


def test_every_map_problem_is_reported_in_order(tmp_path: Path) -> None:
    root = write(tmp_path, {"m.yaml": MANY_PROBLEMS_MAP})
    config = Config(map=("m.yaml",))
    assert messages(lambda: load_map(root, config)) == [
        m for m in MANY_PROBLEMS if "invalid path pattern" not in m]
    depmap, errors = check_map(root, config, with_patterns=True)
    assert depmap is None
    assert [str(e) for e in errors] == MANY_PROBLEMS


def test_a_map_whose_only_problems_are_patterns_is_still_built(tmp_path: Path) -> None:
    root = write(tmp_path, {"m.yaml": MAP.replace('paths: ["services/crm/**"]', 'paths: ["services/crm/**", "!"]')})
    config = Config(map=("m.yaml",))
    depmap, errors = check_map(root, config, with_patterns=True)
    assert [str(e) for e in errors] == [
        "m.yaml:12: components.crm.paths.1: invalid path pattern '!': a lone '!' negates nothing"]
    assert depmap == load_map(root, config)
    assert check_map(root, config) == (depmap, [])


def test_a_second_provider_alone_is_reported(tmp_path: Path) -> None:
    text = MANY_PROBLEMS_MAP.replace("[t1, t9]", "[t1]").replace("""    owners: [t2, t1]
    paths: ["b/**", "!"]
    value_streams: [vs, nope]
    depends_on: [c1, c9]
    provides: [i1, ix]
    consumes: [i2, iy]""", """    owners: [t1]
    paths: ["b/**"]
    provides: [i3, i1]""")
    root = write(tmp_path, {"m.yaml": text})
    assert messages(lambda: load_map(root, Config(map=("m.yaml",)))) == [
        "m.yaml:13: components.c2.provides.1: interface 'i1' is already provided by component 'c1' "
        "(m.yaml:9); an interface has exactly one provider",
        "m.yaml:17: components.c3.provides.0: interface 'i2' is already provided by component 'c1' "
        "(m.yaml:9); an interface has exactly one provider",
    ]
