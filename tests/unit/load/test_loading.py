"""Loading and validating gate files: every bad input names file, line and what is wrong."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import PROJECT
from jsonschema import Draft202012Validator

from changegate.errors import InputError, InputErrors
from changegate.load import gate_files as loader
from changegate.load.json_text import load_json
from changegate.load.limits import MAX_BYTES
from changegate.load.lines import Lines
from changegate.load.resources import schema_path
from changegate.load.yaml_text import load_yaml
from changegate.model import Config, DepMap

MAP = """\
version: 1
teams:
  crm-team: {members: [Alice, "@bob"], github_team: acme/crm}
  finance-owners: {members: [carol]}
value_streams:
  finance-settlement:
    owners: [finance-owners]
    criticality: critical
components:
  crm:
    owners: [crm-team]
    paths: ["services/crm/**"]
    value_streams: [finance-settlement]
    provides: [crm-customer-api]
  ledger:
    owners: [finance-owners]
    paths: ["finance/ledger/**"]
    depends_on: [crm]
    consumes: [crm-customer-api]
interfaces:
  crm-customer-api:
    paths: ["services/crm/api/**"]
"""

MANIFEST = """\
version: 1
title: Upgrade CRM to 5.2
type: normal
owner: crm-team
components: [crm]
interfaces_changed: [crm-customer-api]
risk: medium
rollback: {plan: Redeploy 5.1, tested: true}
waivers:
  - policy: finance-signoff
    reason: Consumer suite being rewritten
    expires: 2026-12-31
"""

POLICY = """\
version: 1
layer: org
policies:
  - id: finance-signoff
    waivable_by: [finance-owners]
    match:
      value_streams: [finance-settlement]
      touched_components: [crm]
      interfaces_changed: [crm-customer-api]
    require:
      approvals:
        - team: finance-owners
          count: 1
        - owners_of: value_streams
      tests: [finance-regression, {from: touched_components}]
"""

CONFIG = """\
version: 1
map: .changegate/map.yaml
policies: [.changegate/policies]
layers: [org, value-stream, component, change]
"""

MAP_FILE = ".changegate/map.yaml"
POLICY_FILE = ".changegate/policies/org.yaml"


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def messages(fn: Callable[[], Any]) -> list[str]:
    """The full one-line messages of the input errors `fn` raises."""
    with pytest.raises(InputError) as info:
        fn()
    error = info.value
    return [str(e) for e in error.errors] if isinstance(error, InputErrors) else [str(error)]


def repo(tmp_path: Path, **overrides: str) -> Path:
    files = {".changegate/config.yaml": CONFIG, MAP_FILE: MAP, POLICY_FILE: POLICY}
    files.update({k.replace("__", "/"): v for k, v in overrides.items()})
    return write(tmp_path, files)


def load_all(root: Path) -> tuple[Config, DepMap]:
    config = loader.load_config(root, None)
    depmap = loader.load_map(root, config)
    loader.load_policies(root, config, depmap)
    return config, depmap


@pytest.fixture
def depmap(tmp_path: Path) -> DepMap:
    root = write(tmp_path / "m", {MAP_FILE: MAP})
    return loader.load_map(root, Config())


# --------------------------------------------------------------------------- YAML safety

BILLION_LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(9)
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: [1, 2\n", "f.yaml:2: invalid YAML: while parsing a flow sequence: did not find expected ',' or ']'"),
        ("a: 1\nb:\n\tc: 2\n", "f.yaml:3: invalid YAML: tab character used for indentation (indent with spaces)"),
        ("a: b: c\n", "f.yaml:1: invalid YAML: mapping values are not allowed in this context"),
        ("title: x\nrisk: low\ntitle: y\n", "f.yaml:3: duplicate key 'title' (first at line 1)"),
        ("a:\n  b: 1\n  c: 2\n  b: 3\n", "f.yaml:4: duplicate key 'b' (first at line 2)"),
        (BILLION_LAUGHS, "f.yaml:6: alias expansion exceeds 100000 nodes"),
        ("a: &x [1, *x]\n", "f.yaml:1: recursive alias (an anchor used inside itself)"),
        ("a: *nowhere\n", "f.yaml:1: invalid YAML: found undefined alias"),
        ("[" * 70 + "]" * 70, "f.yaml:1: nesting deeper than 64 levels"),
        ("[" * 5000 + "]" * 5000, "f.yaml:1: nesting deeper than 64 levels"),
        ("a: !!python/object:os.system {}\n", "f.yaml:1: unsupported tag 'tag:yaml.org,2002:python/object:os.system'"),
        ("a: 1\n---\nb: 2\n", "f.yaml:2: invalid YAML: expected a single document in the stream: but found another document"),
        ("? [a, b]\n: 1\n", "f.yaml:1: mapping keys must be plain strings"),
        ("a: &x 1\nb:\n  <<: *x\n", "f.yaml:3: '<<' merge needs a mapping or a list of mappings"),
    ],
)
def test_bad_yaml_is_one_line_error_with_line(text: str, expected: str) -> None:
    assert messages(lambda: load_yaml(text, "f.yaml")) == [expected]


def test_deep_nesting_through_aliases_is_caught() -> None:
    text = "a: &a " + "[" * 40 + "1" + "]" * 40 + "\nb: " + "[" * 30 + "*a" + "]" * 30 + "\n"
    assert messages(lambda: load_yaml(text, "f.yaml")) == ["f.yaml:2: nesting deeper than 64 levels"]


def test_oversized_text_is_rejected_before_parsing() -> None:
    text = "a: '" + "x" * MAX_BYTES + "'\n"
    assert messages(lambda: load_yaml(text, "big.yaml")) == ["big.yaml: file is larger than the 64 MiB limit"]


def test_oversized_file_is_rejected_before_reading(tmp_path: Path) -> None:
    root = repo(tmp_path)
    (root / MAP_FILE).write_bytes(b"#" * (MAX_BYTES + 1))
    assert messages(lambda: loader.load_map(root, loader.load_config(root, None))) == [
        ".changegate/map.yaml: file is larger than the 64 MiB limit"
    ]


def test_json_errors_carry_line_and_duplicates_are_rejected() -> None:
    assert messages(lambda: load_json('{"a": 1,\n "b": }', "m.json")) == ["m.json:2: invalid JSON: Expecting value"]
    assert messages(lambda: load_json('{"a": 1, "a": 2}', "m.json")) == ["m.json: duplicate key 'a'"]


def test_yaml_keeps_dates_as_iso_strings_and_supports_merge_keys() -> None:
    data, lines = load_yaml(
        "defaults: &d {owners: [x], criticality: low}\nvs:\n  <<: *d\n  criticality: high\nday: 2026-12-31\n",
        "f.yaml",
    )
    assert data == {
        "defaults": {"owners": ["x"], "criticality": "low"},
        "vs": {"criticality": "high", "owners": ["x"]},
        "day": "2026-12-31",
    }
    assert lines.line(("vs", "criticality")) == 4
    assert lines.line(("day",)) == 5


def test_lines_walk_up_to_the_nearest_known_ancestor() -> None:
    _, lines = load_yaml("a:\n  b:\n    - x\n    - y\n", "f.yaml")
    assert lines.line(("a", "b", 1)) == 4
    assert lines.line(("a", "b", 7, "c")) == 2
    assert lines.line(("zzz",)) == 1
    assert Lines().line(("a",)) == 0


def test_json_lines_are_found_on_demand() -> None:
    _, lines = load_json('{"a": [1, {"b": [2, 3]}, "x"],\n "c": {\n  "d": true}}', "f.json")
    assert lines.line(("c", "d")) == 3
    assert lines.line(("c",)) == 2
    assert lines.get(("a", 2)) == 1


# --------------------------------------------------------------------------- map


MAP_CASES = [
    pytest.param(
        "    paths: [\"services/crm/**\"]\n", "    owner: [crm-team]\n    paths: [\"services/crm/**\"]\n",
        [".changegate/map.yaml:12: components.crm: unknown key 'owner' (allowed: consumes, contract_tests, "
         "depends_on, name, owners, paths, provides, tests, value_streams)"],
        id="unknown-key-in-component",
    ),
    pytest.param(
        "version: 1\n", "version: 1\nowners: []\n",
        [".changegate/map.yaml:2: unknown key 'owners' (allowed: components, interfaces, teams, "
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
    assert messages(lambda: loader.load_map(root, loader.load_config(root, None))) == expected


def test_every_broken_reference_is_reported_at_once(tmp_path: Path) -> None:
    text = MAP.replace("owners: [crm-team]", "owners: [x1]").replace("depends_on: [crm]", "depends_on: [x2]")
    root = repo(tmp_path, **{".changegate__map.yaml": text})
    assert messages(lambda: loader.load_map(root, loader.load_config(root, None))) == [
        ".changegate/map.yaml:11: components.crm.owners.0: unknown team 'x1' (known: crm-team, finance-owners)",
        ".changegate/map.yaml:18: components.ledger.depends_on.0: unknown component 'x2' (known: crm, ledger)",
    ]


def test_same_component_in_two_map_files_names_both(tmp_path: Path) -> None:
    root = write(tmp_path, {
        ".changegate/config.yaml": "map: .changegate/map\npolicies: []\n",
        ".changegate/map/a.yaml": MAP,
        ".changegate/map/b.yaml": "components:\n  extra:\n    owners: []\n    paths: []\n  crm:\n    owners: []\n    paths: []\n",
    })
    assert messages(lambda: loader.load_map(root, loader.load_config(root, None))) == [
        ".changegate/map/b.yaml:5: components.crm: defined twice (first at .changegate/map/a.yaml:10)"
    ]


def test_missing_map_is_an_input_error(tmp_path: Path) -> None:
    assert messages(lambda: loader.load_map(tmp_path, Config())) == [
        ".changegate/map.yaml: map file or directory '.changegate/map.yaml' does not exist "
        "(create it, e.g. with `changegate init`)"
    ]
    root = write(tmp_path, {".changegate/config.yaml": "version: 1\nmap: [a.yaml, b.yaml]\n", "a.yaml": MAP})
    assert messages(lambda: loader.load_map(root, loader.load_config(root, None))) == [
        ".changegate/config.yaml:2: map file or directory 'b.yaml' does not exist"
    ]


def test_json_map_errors_name_the_line(tmp_path: Path) -> None:
    data = yaml.safe_load(MAP)
    data["components"]["crm"]["owners"] = ["ghost"]
    root = write(tmp_path, {"map.json": json.dumps(data, indent=1)})
    config = Config(map=("map.json",))
    line = next(n for n, text in enumerate(json.dumps(data, indent=1).splitlines(), 1) if '"ghost"' in text)
    assert messages(lambda: loader.load_map(root, config)) == [
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
    depmap = loader.load_map(root, loader.load_config(root, None))
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
    from_json = loader.load_map(root, Config(map=("map.json",)))
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


# --------------------------------------------------------------------------- config


def test_no_config_file_means_all_defaults(tmp_path: Path) -> None:
    assert loader.load_config(tmp_path, None) == Config()


def test_config_values_are_read_and_map_string_becomes_tuple(tmp_path: Path) -> None:
    root = write(tmp_path, {".changegate/config.yaml": (
        "map: maps/main.yaml\nevidence: {junit: [\"reports/*.xml\"]}\nimpact: {mode: contract, max_depth: 2}\n"
        "unmapped_files: error\napprovals: {allow_stale: true}\n")})
    config = loader.load_config(root, None)
    assert config.map == ("maps/main.yaml",)
    assert config.junit == ("reports/*.xml",)
    assert (config.impact.mode, config.impact.max_depth) == ("contract", 2)
    assert config.unmapped_files == "error"
    assert (config.approvals.allow_stale, config.approvals.exclude_committers) == (True, True)
    assert config.file == ".changegate/config.yaml"
    assert loader.load_config(write(tmp_path / "e", {"c.yaml": ""}), "c.yaml") == Config(file="c.yaml")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("version: 1\nimpact: {mode: fast, max_depth: -1}\n", [
            "cfg.yaml:2: impact.max_depth: must be at least 0",
            "cfg.yaml:2: impact.mode: 'fast' is not one of conservative, contract"]),
        ("map: 5\n", ["cfg.yaml:1: map: expected a string or a list, got an integer"]),
        ("unmapped_files: maybe\napproval: {}\n", [
            "cfg.yaml:1: unmapped_files: 'maybe' is not one of ignore, warn, error",
            "cfg.yaml:2: unknown key 'approval' (allowed: approvals, changes, evidence, impact, layers, map, "
            "policies, unmapped_files, version)"]),
        ("layers: [org, org]\n", ["cfg.yaml:1: layers.1: 'org' is listed twice"]),
    ],
)
def test_bad_config(tmp_path: Path, text: str, expected: list[str]) -> None:
    root = write(tmp_path, {"cfg.yaml": text})
    assert messages(lambda: loader.load_config(root, "cfg.yaml")) == expected


def test_explicit_config_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    assert messages(lambda: loader.load_config(tmp_path, "gate.yaml")) == ["gate.yaml: config file not found"]


# --------------------------------------------------------------------------- policies


POLICY_CASES = [
    pytest.param(
        "      tests:", "      test:",
        [".changegate/policies/org.yaml:15: policies.0.require: unknown key 'test' (allowed: approvals, "
         "fields, manifest, owners, tests)"],
        id="unknown-key-in-require",
    ),
    pytest.param(
        "layer: org", "layer: team",
        [".changegate/policies/org.yaml:2: layer: 'team' is not one of the configured layers: org, "
         "value-stream, component, change"],
        id="unknown-layer",
    ),
    pytest.param(
        "waivable_by: [finance-owners]", "waivable_by: [finance-owner]",
        [".changegate/policies/org.yaml:5: policies.0.waivable_by.0: unknown team 'finance-owner' "
         "(did you mean 'finance-owners'?)"],
        id="unknown-waivable-by-team",
    ),
    pytest.param(
        "- team: finance-owners", "- team: auditors",
        [".changegate/policies/org.yaml:12: policies.0.require.approvals.0.team: unknown team 'auditors' "
         "(known: crm-team, finance-owners)"],
        id="unknown-approval-team",
    ),
    pytest.param(
        "value_streams: [finance-settlement]", "value_streams: [finance-settlment]",
        [".changegate/policies/org.yaml:7: policies.0.match.value_streams.0: unknown value stream "
         "'finance-settlment' (did you mean 'finance-settlement'?)"],
        id="unknown-match-value-stream",
    ),
    pytest.param(
        "touched_components: [crm]", "touched_components: [erp]",
        [".changegate/policies/org.yaml:8: policies.0.match.touched_components.0: unknown component 'erp' "
         "(known: crm, ledger)"],
        id="unknown-match-component",
    ),
    pytest.param(
        "interfaces_changed: [crm-customer-api]", "interfaces_changed: [erp-api]",
        [".changegate/policies/org.yaml:9: policies.0.match.interfaces_changed.0: unknown interface "
         "'erp-api' (known: crm-customer-api)"],
        id="unknown-match-interface",
    ),
    pytest.param(
        "        - owners_of: value_streams", "        - {owners_of: value_streams, team: x}",
        [".changegate/policies/org.yaml:14: policies.0.require.approvals.1: unknown key 'owners_of' "
         "(allowed: count, team)"],
        id="approval-with-team-and-owners-of",
    ),
    pytest.param(
        "        - owners_of: value_streams", "        - owners_of: everyone",
        [".changegate/policies/org.yaml:14: policies.0.require.approvals.1.owners_of: 'everyone' is not one "
         "of value_streams, touched_components, impacted_components"],
        id="wrong-owners-of",
    ),
    pytest.param(
        "          count: 1", "          count: 0",
        [".changegate/policies/org.yaml:13: policies.0.require.approvals.0.count: must be at least 1"],
        id="zero-count",
    ),
    pytest.param(
        "    require:\n      approvals:\n        - team: finance-owners\n          count: 1\n"
        "        - owners_of: value_streams\n      tests: [finance-regression, {from: touched_components}]\n",
        "    require: {}\n",
        [".changegate/policies/org.yaml:4: policies.0: policy 'finance-signoff' has an empty require and no "
         "deny, so it could never do anything"],
        id="policy-that-does-nothing",
    ),
    pytest.param(
        "      interfaces_changed: [crm-customer-api]", "      interfaces_changed: crm-customer-api",
        [".changegate/policies/org.yaml:9: policies.0.match.interfaces_changed: expected a boolean or a "
         "list, got a string"],
        id="interfaces-changed-wrong-type",
    ),
]


@pytest.mark.parametrize(("old", "new", "expected"), POLICY_CASES)
def test_bad_policy_names_file_line_and_key(tmp_path: Path, old: str, new: str, expected: list[str]) -> None:
    assert old in POLICY
    root = repo(tmp_path, **{".changegate__policies__org.yaml": POLICY.replace(old, new, 1)})
    assert messages(lambda: load_all(root)) == expected


def test_duplicate_policy_id_across_files_names_both(tmp_path: Path) -> None:
    root = repo(tmp_path, **{".changegate__policies__zz.yaml": "layer: change\npolicies:\n  - id: other\n    deny: stop\n"
                             "  - id: finance-signoff\n    deny: stop\n"})
    assert messages(lambda: load_all(root)) == [
        ".changegate/policies/zz.yaml:5: policies.1.id: policy id 'finance-signoff' is already defined at "
        ".changegate/policies/org.yaml:4"
    ]


def test_unknown_builtin_lists_the_available_ones(tmp_path: Path) -> None:
    root = repo(tmp_path, **{".changegate__config.yaml": "version: 1\npolicies:\n  - builtin:basline\n"})
    available = ", ".join(f"builtin:{n}" for n in loader.available_builtins())
    assert "builtin:baseline" in available
    assert messages(lambda: load_all(root)) == [
        f".changegate/config.yaml:3: unknown builtin policy set 'builtin:basline' (available: {available})"
    ]


def test_explicit_missing_policy_directory_is_an_error_but_the_default_is_not(tmp_path: Path) -> None:
    root = write(tmp_path / "a", {MAP_FILE: MAP})
    config, depmap = Config(policies=(".changegate/policies",)), loader.load_map(root, Config())
    assert loader.load_policies(root, config, depmap) == []
    root = write(tmp_path / "b", {MAP_FILE: MAP, ".changegate/config.yaml": "policies: [gate/policies]\n"})
    assert messages(lambda: load_all(root)) == [
        ".changegate/config.yaml:1: policy file or directory 'gate/policies' does not exist"
    ]


def test_policies_are_sorted_by_layer_then_file_order(tmp_path: Path) -> None:
    root = repo(tmp_path, **{
        ".changegate__policies__a-change.yaml": "layer: change\npolicies:\n  - {id: c1, deny: x}\n",
        ".changegate__policies__b-component.yaml": "layer: component\npolicies:\n  - {id: k1, deny: x}\n"
                                                    "  - {id: k2, require: {manifest: true}}\n",
        ".changegate__config.yaml": "policies: [builtin:baseline, .changegate/policies]\n",
    })
    config, depmap = load_all(root)
    policies = loader.load_policies(root, config, depmap)
    custom = [(p.id, p.layer) for p in policies if not p.id.startswith("baseline-")]
    assert custom == [("finance-signoff", "org"), ("k1", "component"), ("k2", "component"), ("c1", "change")]
    assert policies[0].loc is not None and policies[0].loc.file == "builtin:baseline"
    signoff = next(p for p in policies if p.id == "finance-signoff")
    assert str(signoff.loc) == ".changegate/policies/org.yaml:4"
    assert signoff.match.value_streams == ("finance-settlement",)
    assert signoff.match.interfaces_changed == ("crm-customer-api",)
    assert signoff.match.when is None
    assert [(r.team, r.count, r.owners_of) for r in signoff.require.approvals] == [
        ("finance-owners", 1, None), (None, 1, "value_streams")]
    assert [(t.suite, t.from_) for t in signoff.require.tests] == [
        ("finance-regression", None), (None, "touched_components")]


# --------------------------------------------------------------------------- manifests


MANIFEST_CASES = [
    pytest.param(
        "title: Upgrade CRM to 5.2\n", "",
        ["change.yaml:1: title: required key missing"],
        id="missing-title",
    ),
    pytest.param(
        "type: normal", "type: urgent",
        ["change.yaml:3: type: 'urgent' is not one of standard, normal, emergency"],
        id="wrong-type-enum",
    ),
    pytest.param(
        "components: [crm]", "components: [crm, erp]",
        ["change.yaml:5: components.1: unknown component 'erp' (known: crm, ledger)"],
        id="unknown-component",
    ),
    pytest.param(
        "interfaces_changed: [crm-customer-api]", "interfaces_changed: [crm-api]",
        ["change.yaml:6: interfaces_changed.0: unknown interface 'crm-api' (did you mean 'crm-customer-api'?)"],
        id="unknown-interface",
    ),
    pytest.param(
        "expires: 2026-12-31", "expires: 2026-02-30",
        ["change.yaml:12: waivers.0.expires: '2026-02-30' is not a valid date"],
        id="impossible-waiver-date",
    ),
    pytest.param(
        "expires: 2026-12-31", "expires: next week",
        ["change.yaml:12: waivers.0.expires: 'next week' is not a date as YYYY-MM-DD"],
        id="waiver-date-not-a-date",
    ),
    pytest.param(
        "    reason: Consumer suite being rewritten\n", "",
        ["change.yaml:10: waivers.0.reason: required key missing"],
        id="waiver-without-reason",
    ),
    pytest.param(
        "tested: true}", "tested: true, by: me}",
        ["change.yaml:8: rollback: unknown key 'by' (allowed: plan, tested)"],
        id="unknown-key-in-rollback",
    ),
    pytest.param(
        "owner: crm-team", "owner: the crm team",
        ["change.yaml:4: owner: 'the crm team' is not a team id or @login"],
        id="bad-owner",
    ),
    pytest.param(
        "risk: medium", "risk: medium\nbreaking: yes please",
        ["change.yaml:8: breaking: expected a boolean, got a string"],
        id="breaking-not-boolean",
    ),
]


@pytest.mark.parametrize(("old", "new", "expected"), MANIFEST_CASES)
def test_bad_manifest_names_file_line_and_key(depmap: DepMap, old: str, new: str, expected: list[str]) -> None:
    assert old in MANIFEST
    text = MANIFEST.replace(old, new, 1)
    assert messages(lambda: loader.load_manifest(text, "change.yaml", depmap)) == expected


def test_waiver_for_an_unknown_policy_is_an_error_when_policies_are_known(depmap: DepMap) -> None:
    assert messages(lambda: loader.load_manifest(MANIFEST, "change.yaml", depmap, policy_ids={"finance-sign-off"})) == [
        "change.yaml:10: waivers.0.policy: unknown policy 'finance-signoff' (did you mean 'finance-sign-off'?)"
    ]


def test_manifest_is_loaded_with_lines_and_waivers(depmap: DepMap) -> None:
    manifest = loader.load_manifest(MANIFEST, "change.yaml", depmap, policy_ids={"finance-signoff"})
    assert (manifest.title, manifest.type, manifest.owner, manifest.risk) == (
        "Upgrade CRM to 5.2", "normal", "crm-team", "medium")
    assert manifest.components == ("crm",)
    assert manifest.interfaces_changed == ("crm-customer-api",)
    assert manifest.breaking is False
    assert manifest.waivers[0].expires == dt.date(2026, 12, 31)
    assert manifest.waivers[0].policy == "finance-signoff"
    assert str(manifest.waivers[0].loc) == "change.yaml:10"
    assert manifest.data["waivers"][0]["expires"] == "2026-12-31"
    assert manifest.data["rollback"] == {"plan": "Redeploy 5.1", "tested": True}
    assert {k: manifest.lines[k] for k in ("title", "risk", "rollback.plan", "components.0", "waivers.0")} == {
        "title": 2, "risk": 7, "rollback.plan": 8, "components.0": 5, "waivers.0": 10}


def test_manifest_owner_may_be_a_login_that_is_kept_as_written(depmap: DepMap) -> None:
    manifest = loader.load_manifest(MANIFEST.replace("owner: crm-team", "owner: '@Alice'"), "c.yaml", depmap)
    assert manifest.owner == "@Alice"


# --------------------------------------------------------------------------- validate


def test_validate_repository_collects_errors_from_every_file(tmp_path: Path) -> None:
    root = repo(tmp_path, **{
        ".changegate__changes__a.yaml": MANIFEST.replace("components: [crm]", "components: [crn]"),
        ".changegate__changes__b.yaml": MANIFEST.replace("type: normal", "type: big"),
        ".changegate__changes__c.yaml": MANIFEST,
        ".changegate__policies__org.yaml": POLICY.replace("layer: org", "layer: orga"),
    })
    assert [str(e) for e in loader.validate_paths(root, [])] == [
        ".changegate/policies/org.yaml:2: layer: 'orga' is not one of the configured layers: org, "
        "value-stream, component, change",
        ".changegate/changes/a.yaml:5: components.0: unknown component 'crn' (did you mean 'crm'?)",
        ".changegate/changes/b.yaml:3: type: 'big' is not one of standard, normal, emergency",
    ]


def test_validate_valid_repository_has_no_errors(tmp_path: Path) -> None:
    root = repo(tmp_path, **{".changegate__changes__c.yaml": MANIFEST})
    assert loader.validate_paths(root, []) == []


def test_validate_paths_detects_each_file_kind(tmp_path: Path) -> None:
    root = repo(tmp_path, **{
        "elsewhere/change.yaml": MANIFEST.replace("risk: medium", "risk: massive"),
        "elsewhere/policy.yaml": POLICY.replace("count: 1", "count: two"),
        "elsewhere/map.yaml": "teams:\n  t: {members: [x], github: y}\n",
        "elsewhere/config.yaml": "changes: 3\n",
        "elsewhere/readme.yaml": "hello: world\n",
    })
    assert [str(e) for e in loader.validate_paths(root, ["elsewhere", "missing.yaml", MAP_FILE])] == [
        "elsewhere/change.yaml:7: risk: 'massive' is not one of low, medium, high, critical",
        "elsewhere/config.yaml:1: changes: expected a string, got an integer",
        "elsewhere/map.yaml:2: teams.t: unknown key 'github' (allowed: github_team, members, name)",
        "elsewhere/policy.yaml:13: policies.0.require.approvals.0.count: expected an integer, got a string",
        "elsewhere/readme.yaml: not a changegate file (expected a config, map, policy file or manifest)",
        "missing.yaml: no such file or directory",
    ]


def test_validate_treats_files_in_the_changes_directory_as_manifests(tmp_path: Path) -> None:
    root = repo(tmp_path, **{".changegate__changes__x.yaml": "owner: crm-team\n"})
    assert [str(e) for e in loader.validate_paths(root, [".changegate/changes/x.yaml"])] == [
        ".changegate/changes/x.yaml:1: title: required key missing",
        ".changegate/changes/x.yaml:1: type: required key missing",
    ]


# --------------------------------------------------------------------------- schemas


@pytest.mark.parametrize("name", ["config", "map", "manifest", "policy"])
def test_shipped_schemas_are_valid_draft_2020_12_with_documentation(name: str) -> None:
    schema = json.loads(schema_path(name).read_text())
    Draft202012Validator.check_schema(schema)
    assert schema["$id"].endswith(f"{name}.schema.json")
    assert schema["title"] and schema["description"]


def test_example_repository_is_valid() -> None:
    root = PROJECT / "examples" / "retail"
    if not root.is_dir():
        pytest.skip("no example repository")
    assert [str(e) for e in loader.validate_paths(root, [])] == []


@pytest.mark.parametrize(("name", "text"), [("map", MAP), ("manifest", MANIFEST), ("policy", POLICY),
                                            ("config", CONFIG)])
def test_fast_schema_check_accepts_what_jsonschema_accepts(name: str, text: str) -> None:
    from changegate.load.schema import fast_check, validator_for

    data, _ = load_yaml(text, "f.yaml")
    assert validator_for(name).is_valid(data)
    assert fast_check(name)(data)


@pytest.mark.parametrize(("name", "data"), [
    ("manifest", {"title": "t", "type": "normal", "owner": "x", "waivers": [
        {"policy": "p", "reason": "r", "expires": "2026-W01-1"}]}),
    ("config", {"version": True}),
    ("config", {"impact": {"max_depth": 1.5}}),
    ("map", {"teams": {"t": {"members": ["a", "a"]}}}),
])
def test_fast_schema_check_never_accepts_an_invalid_document(name: str, data: Any) -> None:
    from changegate.load.schema import fast_check, validator_for

    assert not validator_for(name).is_valid(data)
    assert not fast_check(name)(data)


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

_MANY_PROBLEMS = [
    "m.yaml:4: value_streams.vs.owners.1: unknown team 't9' (known: t1)",
    "m.yaml:11: components.c2.owners.0: unknown team 't2' (known: t1)",
    "m.yaml:13: components.c2.value_streams.1: unknown value stream 'nope' (known: vs)",
    "m.yaml:14: components.c2.depends_on.1: unknown component 'c9' (known: c1, c2, c3)",
    "m.yaml:15: components.c2.provides.1: unknown interface 'ix' (known: i1, i2, i3)",
    "m.yaml:16: components.c2.consumes.1: unknown interface 'iy' (known: i1, i2, i3)",
    "m.yaml:12: components.c2.paths.1: invalid path pattern '!': Invalid git pattern: '!'",
    "m.yaml:15: components.c2.provides.0: interface 'i1' is already provided by component 'c1' "
    "(m.yaml:9); an interface has exactly one provider",
    "m.yaml:20: components.c3.provides.0: interface 'i2' is already provided by component 'c1' "
    "(m.yaml:9); an interface has exactly one provider",
    "m.yaml:24: interfaces.i3.paths.1: invalid path pattern '!': Invalid git pattern: '!'",
    "m.yaml:24: interfaces.i3: no component provides this interface (list it in one "
    "component's provides)",
]


@pytest.mark.parametrize("check_patterns", [False, True])
def test_every_map_problem_is_reported_in_order(tmp_path: Path, check_patterns: bool) -> None:
    root = write(tmp_path, {"m.yaml": MANY_PROBLEMS_MAP})
    expected = [m for m in _MANY_PROBLEMS if check_patterns or "invalid path pattern" not in m]
    assert messages(lambda: loader.load_map(root, Config(map=("m.yaml",)),
                                            check_patterns=check_patterns)) == expected


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
    assert messages(lambda: loader.load_map(root, Config(map=("m.yaml",)))) == [
        "m.yaml:13: components.c2.provides.1: interface 'i1' is already provided by component 'c1' "
        "(m.yaml:9); an interface has exactly one provider",
        "m.yaml:17: components.c3.provides.0: interface 'i2' is already provided by component 'c1' "
        "(m.yaml:9); an interface has exactly one provider",
    ]
