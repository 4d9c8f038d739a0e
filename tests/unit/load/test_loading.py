"""Reading gate files safely (YAML, JSON, lines) and the shipped schemas."""

from __future__ import annotations

import json
from typing import Any

import pytest
from gate_samples import CONFIG, MANIFEST, MAP, POLICY, messages
from jsonschema import Draft202012Validator

from changegate.load.json_text import load_json
from changegate.load.limits import MAX_BYTES
from changegate.load.lines import Lines
from changegate.load.resources import schema_path
from changegate.load.yaml_text import load_yaml

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
        ("a: 1\n---\nb: 2\n",
         "f.yaml:2: invalid YAML: expected a single document in the stream: but found another document"),
        ("? [a, b]\n: 1\n", "f.yaml:1: mapping keys must be plain strings"),
        ("a: &x 1\nb:\n  <<: *x\n", "f.yaml:3: '<<' merge needs a mapping or a list of mappings"),
        ("owner: @alice\n", "f.yaml:1: invalid YAML: while scanning for the next token: "
         "found character that cannot start any token "
         "(a plain value cannot start with '@': quote it, e.g. \"@alice\")"),
        ("summary: `x` y\n", "f.yaml:1: invalid YAML: while scanning for the next token: "
         "found character that cannot start any token "
         "(a plain value cannot start with '`': quote it, e.g. \"`x` y\")"),
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


# --------------------------------------------------------------------------- schemas


@pytest.mark.parametrize("name", ["config", "map", "manifest", "policy", "owners", "coverage", "record"])
def test_shipped_schemas_are_valid_draft_2020_12_with_documentation(name: str) -> None:
    schema = json.loads(schema_path(name).read_text())
    Draft202012Validator.check_schema(schema)
    assert schema["$id"].endswith(f"{name}.schema.json")
    assert schema["title"] and schema["description"]


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
