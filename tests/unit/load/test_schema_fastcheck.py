"""The fast schema check (`changegate.load.schema_fast`, generated Python source) changes
speed, never answers: it accepts only documents jsonschema accepts, it accepts the valid
documents we ship and generate (so they stay fast), and it answers exactly as the nested
closures it replaced (kept below as the reference) on real, mutated and random input. A
differential fuzz test (hypothesis, at the end) looks for a document on which `validate`
and jsonschema alone disagree."""

from __future__ import annotations

import copy
import json
import random
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import PROJECT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from synthetic_map import synthetic_map, to_yaml

from changegate.errors import InputErrors
from changegate.load.lines import Lines
from changegate.load.parse import load_text
from changegate.load.schema import fast_check, schema_document, validate, validator_for
from changegate.load.schema_fast import CHAIN_MAX, MAX_INDENT, check_source, compile_check, is_date

REPO = PROJECT
NAMES = ("config", "map", "policy", "manifest", "approvals", "decision")

# --------------------------------------------------------------------------- the reference
# The closure-based fast check this module's generated code replaced, verbatim but for names.

Check = Callable[[Any], bool]
_ANNOTATIONS = frozenset({"$schema", "$id", "$defs", "title", "description", "default",
                          "examples", "$comment"})
_PY_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: type(v) is str,
    "integer": lambda v: type(v) is int,
    "number": lambda v: type(v) in (int, float),
    "boolean": lambda v: type(v) is bool,
    "object": lambda v: type(v) is dict,
    "array": lambda v: type(v) is list,
    "null": lambda v: v is None,
}


def _never(value: Any) -> bool:
    return False


def _compile(schema: Any, root: dict[str, Any], refs: dict[str, Check]) -> Check:
    if schema is True:
        return lambda v: True
    if not isinstance(schema, dict):
        return _never
    checks: list[Check] = []
    for keyword, arg in schema.items():
        if keyword in _ANNOTATIONS:
            continue
        check = _keyword(keyword, arg, schema, root, refs)
        if check is None:
            continue
        if check is _never:
            return _never
        checks.append(check)
    if len(checks) == 1:
        return checks[0]
    return lambda v: all(c(v) for c in checks)


def _keyword(keyword: str, arg: Any, schema: dict[str, Any], root: dict[str, Any],
             refs: dict[str, Check]) -> Check | None:
    if keyword == "$ref":
        if not isinstance(arg, str) or not arg.startswith("#/$defs/"):
            return _never
        name = arg[len("#/$defs/"):]
        if name not in refs:
            refs[name] = _never  # guards recursion while compiling
            target = _compile(root.get("$defs", {}).get(name), root, refs)
            refs[name] = target
        return lambda v: refs[name](v)
    if keyword == "type":
        tests = [_PY_TYPES[t] for t in ([arg] if isinstance(arg, str) else arg)]
        return lambda v: any(t(v) for t in tests)
    if keyword == "enum":
        allowed = [(type(a), a) for a in arg]
        return lambda v: any(type(v) is t and v == a for t, a in allowed)
    if keyword == "pattern":
        regex = re.compile(arg)
        return lambda v: type(v) is not str or regex.search(v) is not None
    if keyword == "minLength":
        return lambda v: type(v) is not str or len(v) >= arg
    if keyword == "minItems":
        return lambda v: type(v) is not list or len(v) >= arg
    if keyword == "minimum":
        return lambda v: type(v) not in (int, float) or v >= arg
    if keyword == "uniqueItems":
        if not arg:
            return None
        return lambda v: type(v) is not list or (
            all(type(i) is str for i in v) and len(set(v)) == len(v))
    if keyword == "format":
        if arg != "date":
            return _never
        return lambda v: type(v) is not str or is_date(v)
    if keyword == "required":
        return lambda v: type(v) is not dict or all(k in v for k in arg)
    if keyword == "items":
        item = _compile(arg, root, refs)
        return lambda v: type(v) is not list or all(item(i) for i in v)
    if keyword == "propertyNames":
        name_check = _compile(arg, root, refs)
        return lambda v: type(v) is not dict or all(name_check(k) for k in v)
    if keyword == "properties":
        props = {k: _compile(sub, root, refs) for k, sub in arg.items()}
        return lambda v: type(v) is not dict or all(
            props[k](x) for k, x in v.items() if k in props)
    if keyword == "additionalProperties":
        if "patternProperties" in schema:
            return _never
        known = frozenset(schema.get("properties", {}))
        if arg is False:
            return lambda v: type(v) is not dict or all(k in known for k in v)
        extra = _compile(arg, root, refs)
        return lambda v: type(v) is not dict or all(
            extra(x) for k, x in v.items() if k not in known)
    if keyword in ("oneOf", "anyOf"):
        branches = [_compile(sub, root, refs) for sub in arg]
        if keyword == "anyOf":
            return lambda v: any(b(v) for b in branches)
        return lambda v: sum(1 for b in branches if b(v)) == 1
    return _never


def reference(schema: Any) -> Check:
    """The closure-based check of a whole schema document."""
    return _compile(schema, schema, {})


_REFERENCE = {name: reference(schema_document(name)) for name in NAMES}

# --------------------------------------------------------------------------- documents


def schema_of(path: Path) -> str | None:
    """Which schema a corpus file follows, by where it lives; None for other files."""
    if path.name == "approvals.json":
        return "approvals"
    if ".changegate" not in path.parts:
        return None
    rest = path.parts[path.parts.index(".changegate") + 1:]
    if rest[0].startswith("config."):
        return "config"
    if rest[0].startswith("map"):
        return "map"
    return {"policies": "policy", "changes": "manifest"}.get(rest[0])


CORPUS = sorted(
    p for pattern in ("examples/retail/.changegate/**/*", "examples/retail/pr/*.json",
                      "tests/scenarios/**/*")
    for p in REPO.glob(pattern)
    if p.is_file() and p.suffix in (".yaml", ".yml", ".json")
)


def load(path: Path) -> Any:
    return load_text(path.read_text(encoding="utf-8"), str(path))[0]


def assert_agree(name: str, data: Any, primary: bool) -> bool:
    """The generated check answers as the reference, only True for valid documents, and
    (for a document's own schema) True for every valid one. Returns the answer."""
    fast = fast_check(name)(data)
    assert fast is _REFERENCE[name](data)
    if fast:
        assert validator_for(name).is_valid(data)
    elif primary and name != "decision":  # `const` (decision) is left to jsonschema
        assert not validator_for(name).is_valid(data), "a valid document takes the slow path"
    return fast


def test_corpus_covers_every_input_schema() -> None:
    found = {schema_of(p) for p in CORPUS}
    assert {"config", "map", "policy", "manifest", "approvals"} <= found


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: str(p.relative_to(REPO)))
def test_corpus_document_against_every_schema(path: Path) -> None:
    try:
        data = load(path)
    except Exception:
        pytest.skip("does not load")
    primary = schema_of(path)
    for name in NAMES:
        assert_agree(name, data, primary == name)


# --------------------------------------------------------------------------- mutations


def nodes(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every node of a document with its path, the root first."""
    yield path, data
    if isinstance(data, dict):
        for key, value in data.items():
            yield from nodes(value, path + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from nodes(value, path + (index,))


def edit(data: Any, path: tuple[Any, ...], change: Callable[[Any, Any], None]) -> Any:
    """A copy of `data` (copying only the containers on `path`) where `change(parent, key)`
    was applied to the node's parent copy."""
    copy = dict(data) if isinstance(data, dict) else list(data)
    if len(path) == 1:
        change(copy, path[0])
    else:
        copy[path[0]] = edit(data[path[0]], path[1:], change)
    return copy


def replaced(value: Any) -> list[Any]:
    """Values to put in place of `value`: wrong types, bool for int, empty, bad patterns,
    duplicates, invalid dates."""
    if isinstance(value, bool):
        return [1, "true", None]
    if isinstance(value, int):
        return [True, str(value), -1, 1.5, None]
    if isinstance(value, str):
        out: list[Any] = [7, "", "-bad id!", "a/b/", value + "\n", None, [value]]
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            out += ["2026-02-30", "2026-13-01", "26-01-01"]
        return out
    if isinstance(value, list):
        out = ["x", [], value + [7], value + [None], [value]]
        if value:
            out.append(value + [value[0]])  # a duplicate
        return out
    if isinstance(value, dict):
        first = next(iter(value.values()), 1)
        out = [[], "x", {}, {**value, "zz_unknown": 1}, {**value, "-bad key": first}]
        out += [{k: v for k, v in value.items() if k != key} for key in value]  # a key dropped
        return out
    return ["x", 0, False]


def mutants(data: Any, limit: int, seed: int) -> list[Any]:
    """Documents one change away from `data`, at most `limit` of them (a seeded sample)."""
    out: list[Any] = list(replaced(data))
    for path, value in nodes(data):
        if not path:
            continue
        for new in replaced(value):
            out.append(edit(data, path, lambda parent, key, new=new: parent.__setitem__(key, new)))
    if len(out) > limit:
        out = random.Random(seed).sample(out, limit)
    return out


VALID_CORPUS = [(p, schema_of(p)) for p in CORPUS if schema_of(p)]


@pytest.mark.parametrize(("path", "name"), VALID_CORPUS, ids=lambda p: str(p.relative_to(REPO))
                         if isinstance(p, Path) else p)
def test_mutated_corpus_documents(path: Path, name: str) -> None:
    try:
        data = load(path)
    except Exception:
        pytest.skip("does not load")
    answers = [assert_agree(name, m, primary=True) for m in mutants(data, 150, seed=len(str(path)))]
    if fast_check(name)(data):
        assert not all(answers), "no mutant was rejected"


# --------------------------------------------------------------------------- generated estate


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Any]]:
    """Documents by schema, as the app loads them: a generated 600-component map, the retail
    example's gate files and approvals, and the decision of a check on the retail example."""
    retail = REPO / "examples" / "retail"
    docs: dict[str, list[Any]] = {"map": [load_text(to_yaml(synthetic_map(600)), "map.yaml")[0]]}
    for path in sorted(retail.glob(".changegate/**/*")) + [retail / "pr" / "approvals.json"]:
        name = schema_of(path)
        if name and path.is_file():
            docs.setdefault(name, []).append(load(path))
    out = tmp_path_factory.mktemp("decision") / "decision.json"
    run = subprocess.run([sys.executable, "-m", "changegate", "check", "--no-cache", "--changed-files",
                          "pr/changed-files.txt", "--approvals", "pr/approvals.json", "--today",
                          "2026-01-15", "--format", "json", "--output", str(out)],
                         cwd=retail, capture_output=True, text=True, check=False)
    assert run.returncode in (0, 1), run.stderr
    docs["decision"] = [json.loads(out.read_text(encoding="utf-8"))]
    return docs


def trimmed(data: Any, keep: int = 8) -> Any:
    """At most `keep` entries in every mapping and list: the same shapes, cheap to mutate."""
    if isinstance(data, dict):
        return {k: trimmed(v, keep) for k, v in list(data.items())[:keep]}
    if isinstance(data, list):
        return [trimmed(v, keep) for v in data[:keep]]
    return data


@pytest.mark.parametrize("name", NAMES)
def test_generated_documents_are_fast_and_valid(name: str, estate: dict[str, list[Any]]) -> None:
    assert estate[name]
    for data in estate[name]:
        assert validator_for(name).is_valid(data)
        for other in NAMES:
            assert_agree(other, data, other == name)
        assert fast_check(name)(data) is (name != "decision")


@pytest.mark.parametrize("name", ["map", "policy", "manifest", "approvals", "decision"])
def test_mutated_generated_documents(name: str, estate: dict[str, list[Any]]) -> None:
    for i, data in enumerate(trimmed(d) for d in estate[name][:3]):
        for mutant in mutants(data, 400, seed=i):
            assert_agree(name, mutant, primary=True)


VALID_MAP = {"version": 1, "teams": {"core": {"members": ["ann", "bob"]}},
             "value_streams": {"shop": {"owners": ["core"], "criticality": "high"}},
             "components": {"crm": {"owners": ["core"], "paths": ["crm/**"], "depends_on": []}},
             "interfaces": {"crm-api": {"paths": ["api/crm.yaml"]}}}
VALID_MANIFEST = {"title": "t", "type": "normal", "owner": "core", "tickets": ["T-1", 7],
                  "waivers": [{"policy": "p", "reason": "r", "expires": "2026-02-28"}]}
VALID_CONFIG = {"version": 1, "map": ["a.yaml", "b.yaml"], "impact": {"max_depth": 3}}
VALID_POLICY = {"layer": "org", "policies": [
    {"id": "p", "match": {"touched_components": True},
     "require": {"approvals": [{"team": "core", "count": 2}, {"owners_of": "value_streams"}],
                 "tests": ["unit", {"from": "touched_components"}]}}]}


@pytest.mark.parametrize(("name", "data"), [
    ("map", {**VALID_MAP, "teams": {"core": {"name": "Core"}}}),  # required key dropped
    ("map", {**VALID_MAP, "owner": "core"}),  # unknown key
    ("map", {**VALID_MAP, "teams": {"core": {"members": "ann"}}}),  # wrong type
    ("map", {**VALID_MAP, "components": {"-crm": VALID_MAP["components"]["crm"]}}),  # bad id
    ("map", {**VALID_MAP, "teams": {"core": {"members": ["ann", "ann"]}}}),  # duplicate
    ("map", {**VALID_MAP, "version": True}),  # bool where 1 is expected
    ("map", {**VALID_MAP, "components": {"crm": {"owners": ["core"], "paths": [""]}}}),  # empty
    ("manifest", {**VALID_MANIFEST, "waivers": [
        {"policy": "p", "reason": "r", "expires": "2026-02-30"}]}),  # no such date
    ("manifest", {**VALID_MANIFEST, "type": "Normal"}),  # not in the enum
    ("manifest", {**VALID_MANIFEST, "tickets": [True]}),  # bool is no integer
    ("config", {**VALID_CONFIG, "impact": {"max_depth": True}}),  # bool where int is expected
    ("config", {**VALID_CONFIG, "impact": {"max_depth": -1}}),  # below the minimum
    ("config", {**VALID_CONFIG, "map": []}),  # minItems
    ("config", {**VALID_CONFIG, "map": ["a.yaml", "a.yaml"]}),  # uniqueItems
    ("policy", {**VALID_POLICY, "layer": ""}),  # minLength
    ("policy", {"layer": "org", "policies": [{"id": "p", "require": {"approvals": [
        {"team": "core", "owners_of": "value_streams"}]}}]}),  # oneOf: neither branch
    ("policy", {"layer": "org", "policies": [{"id": "p", "require": {"approvals": [
        {"team": "core", "count": 0}]}}]}),  # below the minimum in a oneOf branch
])
def test_each_kind_of_mistake_takes_the_slow_path(name: str, data: Any) -> None:
    assert not validator_for(name).is_valid(data)
    assert not fast_check(name)(data)
    assert not _REFERENCE[name](data)


@pytest.mark.parametrize(("name", "data"), [("map", VALID_MAP), ("manifest", VALID_MANIFEST),
                                            ("config", VALID_CONFIG), ("policy", VALID_POLICY)])
def test_hand_written_valid_documents_are_fast(name: str, data: Any) -> None:
    assert validator_for(name).is_valid(data)
    assert fast_check(name)(data)


def test_the_map_check_is_one_function_of_plain_loops() -> None:
    """The hot path calls nothing per component: every $ref of the map schema is inlined."""
    source = check_source(schema_document("map"))
    assert source.count("def ") == 1
    assert "lambda" not in source and "all(" not in source and "any(" not in source
    compile(source, "<map>", "exec")


def test_the_decision_schema_is_left_to_jsonschema() -> None:
    # decision.schema.json uses `const`, which the fast check does not know.
    assert check_source(schema_document("decision")).startswith("def check(v):")
    assert not fast_check("decision")({"version": 1})


# --------------------------------------------------------------------------- random schemas

_KEYS = ["a", "b", "id", "name", "x-y", "1"]
_STRINGS = ["a", "ab", "", "Zed", "-x", "2026-02-28", "2026-02-30", "a\n", "b.c"]
_LEAVES: list[Any] = [
    True, False, {}, {"description": "annotation only"},
    {"type": "string"}, {"type": "string", "minLength": 2}, {"type": "string", "pattern": "^[a-z]+$"},
    {"pattern": "b"}, {"minLength": 1}, {"format": "date"}, {"type": "string", "format": "date"},
    {"type": "integer"}, {"type": "integer", "minimum": 1}, {"type": ["integer", "null"], "minimum": 0},
    {"type": "number", "minimum": 0.5}, {"minimum": 0}, {"type": "boolean"}, {"type": "null"},
    {"type": ["string", "integer"]},
    {"enum": ["a", "b"]}, {"enum": [1, True, None]}, {"enum": [1.5, [1], {"a": 1}, "a"]},
    {"enum": [False]}, {"enum": []}, {"type": "string", "enum": ["a", "ab", 1]},
    {"uniqueItems": True}, {"uniqueItems": False}, {"minItems": 2}, {"type": "array"},
    {"type": "object"}, {"required": ["a"]},
    {"const": 1}, {"maxLength": 3}, {"format": "email"},
]


def random_schema(rng: random.Random, depth: int, defs: list[str]) -> Any:
    """A schema of the keywords the fast check knows (and a few it does not)."""
    if depth <= 0 or rng.random() < 0.25:
        if defs and rng.random() < 0.3:
            return {"$ref": f"#/$defs/{rng.choice(defs)}"}
        return rng.choice(_LEAVES)
    kind = rng.choice(["object", "object", "array", "oneOf", "anyOf", "mixed"])
    if kind == "object":
        count = rng.choice([0, 1, 2, 3, CHAIN_MAX + 2])
        keys = rng.sample(_KEYS, min(count, len(_KEYS))) + [f"k{i}" for i in range(count - len(_KEYS))]
        schema: dict[str, Any] = {"properties": {k: random_schema(rng, depth - 1, defs) for k in keys}}
        if rng.random() < 0.7:
            schema["type"] = "object"
        if keys and rng.random() < 0.5:
            schema["required"] = rng.sample(keys, rng.randint(1, len(keys)))
        choice = rng.random()
        if choice < 0.4:
            schema["additionalProperties"] = False
        elif choice < 0.6:
            schema["additionalProperties"] = random_schema(rng, depth - 1, defs)
        if rng.random() < 0.3:
            schema["propertyNames"] = rng.choice([{"pattern": "^[a-z]"}, {"minLength": 2}, True,
                                                  random_schema(rng, 0, [])])
        if rng.random() < 0.05:
            schema["patternProperties"] = {"^z": {}}
        return schema
    if kind == "array":
        schema = {"type": "array", "items": random_schema(rng, depth - 1, defs)}
        if rng.random() < 0.4:
            schema["uniqueItems"] = True
        if rng.random() < 0.3:
            schema["minItems"] = rng.randint(0, 2)
        if rng.random() < 0.2:
            del schema["type"]
        return schema
    if kind in ("oneOf", "anyOf"):  # no $ref straight below: a def could then loop on itself
        return {kind: [random_schema(rng, depth - 1, []) for _ in range(rng.randint(1, 3))]}
    schema = dict(rng.choice([s for s in _LEAVES if isinstance(s, dict)]))
    schema.update(rng.choice([{"items": random_schema(rng, depth - 1, defs)},
                              {"properties": {"a": random_schema(rng, depth - 1, defs)}}]))
    return schema


def random_document(rng: random.Random, depth: int) -> Any:
    roll = rng.random()
    if depth <= 0 or roll < 0.35:
        return rng.choice([*_STRINGS, 0, 1, 2, -1, 1.5, 1.0, float("nan"), True, False, None])
    if roll < 0.65:
        return [random_document(rng, depth - 1) for _ in range(rng.randint(0, 3))]
    keys = rng.sample(_KEYS, rng.randint(0, 3))
    if rng.random() < 0.2:
        keys.append(f"k{rng.randint(0, 20)}")
    return {k: random_document(rng, depth - 1) for k in keys}


def conforming_document(rng: random.Random, schema: Any, root: dict[str, Any], depth: int = 6) -> Any:
    """A document that follows `schema` roughly, so deep checks get to run (and pass)."""
    if depth <= 0 or not isinstance(schema, dict):
        return random_document(rng, 0)
    if "$ref" in schema:
        target = root.get("$defs", {}).get(schema["$ref"].rsplit("/", 1)[-1])
        if isinstance(target, dict):
            return conforming_document(rng, target, root, depth - 1)
    if "properties" in schema or schema.get("type") == "object":
        props = schema.get("properties", {})
        keys = [k for k in props if rng.random() < 0.8 or k in schema.get("required", [])]
        doc = {k: conforming_document(rng, props[k], root, depth - 1) for k in keys}
        if rng.random() < 0.1:
            doc[rng.choice(_KEYS)] = random_document(rng, 1)
        return doc
    if "items" in schema:
        items = [conforming_document(rng, schema["items"], root, depth - 1)
                 for _ in range(rng.randint(0, 3))]
        return list(dict.fromkeys(items)) if all(isinstance(i, str) for i in items) else items
    for branch in ("oneOf", "anyOf"):
        if schema.get(branch):
            return conforming_document(rng, rng.choice(schema[branch]), root, depth - 1)
    if schema.get("enum"):
        return rng.choice(schema["enum"])
    kind = schema.get("type")
    examples = {"string": rng.choice(_STRINGS), "integer": rng.randint(-1, 3), "number": 2.5,
                "boolean": True, "null": None}
    return examples.get(kind if isinstance(kind, str) else "", random_document(rng, 1))


def random_schema_document(rng: random.Random) -> dict[str, Any]:
    names = [f"d{i}" for i in range(rng.randint(0, 3))]
    defs = {}
    for name in names:  # composite at the top, so a def never refers to itself unguarded
        if rng.random() < 0.3:
            defs[name] = {"type": "array", "items": random_schema(rng, 3, names)}
        else:
            defs[name] = {"type": "object", "properties": {"a": random_schema(rng, 3, names),
                                                           "b": random_schema(rng, 2, names)}}
    top = random_schema(rng, 4, names)
    root: dict[str, Any] = {"$schema": "https://json-schema.org/draft/2020-12/schema",
                            **(top if isinstance(top, dict) else {"items": top})}
    if defs:
        root["$defs"] = defs
    return root


@pytest.mark.parametrize("seed", range(30))
def test_random_schemas_answer_as_the_reference(seed: int) -> None:
    rng = random.Random(seed)
    accepted = 0
    for _ in range(8):
        schema = random_schema_document(rng)
        Draft202012Validator.check_schema(schema)
        fast, slow = compile_check(schema), reference(schema)
        has_one_of = "oneOf" in json.dumps(schema)  # oneOf is sound only for exclusive branches
        validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
        docs = [random_document(rng, 4) for _ in range(20)]
        docs += [conforming_document(rng, schema, schema) for _ in range(20)]
        for doc in docs:
            answer = fast(doc)
            assert answer is slow(doc), (schema, doc)
            if answer and not has_one_of:
                assert validator.is_valid(doc), (schema, doc)
            accepted += answer
    assert accepted > 0  # the accepting path runs too


@pytest.mark.parametrize("schema", [
    {"type": []}, {"oneOf": []}, {"anyOf": []}, {"enum": []}, {"items": [{"type": "string"}]},
    {"properties": {"a": False}}, {"additionalProperties": True, "minLength": 0}, [], None, 1,
    {"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"type": "string"}}, "$ref": "#/$defs/a"},
    {"patternProperties": {"^a": {}}, "additionalProperties": False},
    {"$ref": "#/$defs/missing"}, {"$ref": "https://example.com/other.json"}, {"$ref": "#"},
    {"items": {"$ref": "#/$defs/missing"}}, {"format": "email", "type": "string"},
])
def test_edge_schemas_answer_as_the_reference(schema: Any) -> None:
    """Schemas the metaschema rejects, or oddly shaped, still answer as before."""
    check, slow = compile_check(schema), reference(schema)
    for doc in ([], ["a"], [1], "a", "", 1, None, {}, {"a": 1}, {"b": "x"}):
        assert check(doc) is slow(doc), doc


def test_recursive_schema() -> None:
    tree = {"$defs": {"node": {"type": "object", "additionalProperties": False, "required": ["id"],
                               "properties": {"id": {"type": "string"},
                                              "children": {"type": "array",
                                                           "items": {"$ref": "#/$defs/node"}}}}},
            "$ref": "#/$defs/node"}
    check = compile_check(tree)
    doc: dict[str, Any] = {"id": "leaf"}
    for depth in range(50):
        doc = {"id": f"n{depth}", "children": [doc, {"id": "x"}]}
    assert check(doc) and reference(tree)(doc)
    doc["children"][0]["children"][0]["children"].append({"id": 1})
    assert not check(doc) and not reference(tree)(doc)


def test_deep_nesting_becomes_functions() -> None:
    schema: Any = {"type": "string"}
    for _ in range(3 * MAX_INDENT):
        schema = {"type": "object", "additionalProperties": False,
                  "properties": {"a": {"type": "array", "items": schema}}}
    check = compile_check(schema)
    doc: Any = "x"
    for _ in range(3 * MAX_INDENT):
        doc = {"a": [doc]}
    assert check(doc) and reference(schema)(doc)
    assert not check({"a": [{"a": [{"b": 1}]}]})


def test_many_properties_dispatch_through_a_table() -> None:
    props = {f"p{i}": {"type": "integer", "minimum": i} for i in range(CHAIN_MAX + 4)}
    for extra in (False, {"type": "string"}, True):
        schema = {"type": "object", "properties": props, "additionalProperties": extra}
        check, slow = compile_check(schema), reference(schema)
        for doc in ({f"p{i}": i for i in range(CHAIN_MAX + 4)}, {"p3": 2}, {"p3": 3, "q": "s"},
                    {"q": 1}, {"p19": 19.5}, {}):
            assert check(doc) is slow(doc), (extra, doc)


# --------------------------------------------------------------------------- differential fuzz
# Valid gate documents (the example's, the scenarios', a generated map's) changed in one to
# three places at random: `validate` (fast check first, jsonschema to explain) must accept
# exactly what jsonschema alone accepts, and the fast check must never accept more.

FUZZ_DOCS = [(name, doc) for path, name in VALID_CORPUS if name for doc in [load(path)]]
FUZZ_DOCS.append(("map", trimmed(synthetic_map(40), keep=12)))
FUZZ_VALUES: list[Any] = [
    None, True, False, 0, 1, -1, 2, 1.0, 1.5, float("nan"), "", "x", "-bad", "a/b", "org/team", "@login",
    "2026-01-15", "2026-02-30", "26-01-01", "2026-01-15\n", "x\n", "rollback.plan", "high", "critical",
    "normal", "org", "change", "crm", "touched_components", "1", "\u00e9", "a b", "x" * 300, [], {},
    ["a"], ["a", "a"], [1], {"a": 1}, {"team": "x", "count": 1}, {"owners_of": "value_streams"},
    {"from": "touched_components"},
]
FUZZ_KEYS = ["zz", "-bad", "name", "owners", "paths", "count", "team", "id", "when", ""]


@st.composite
def changed_documents(draw: st.DrawFn) -> tuple[str, Any]:
    name, doc = draw(st.sampled_from(FUZZ_DOCS))
    doc = copy.deepcopy(doc)
    for _ in range(draw(st.integers(1, 3))):
        path, value = draw(st.sampled_from(list(nodes(doc))))
        change = draw(st.sampled_from(["replace", "add key", "delete", "duplicate", "wrap"]))
        if not path:
            continue
        new = copy.deepcopy(draw(st.sampled_from(FUZZ_VALUES)))
        parent = doc
        for step in path[:-1]:
            parent = parent[step]
        if change == "replace":
            parent[path[-1]] = new
        elif change == "add key" and isinstance(value, dict):
            value[draw(st.sampled_from(FUZZ_KEYS))] = new
        elif change == "delete":
            del parent[path[-1]]
        elif change == "duplicate" and isinstance(value, list) and value:
            value.append(copy.deepcopy(value[0]))
        elif change == "wrap":
            parent[path[-1]] = [value]
    return name, doc


def accepted(name: str, doc: Any) -> bool:
    try:
        validate(doc, name, "f.yaml", Lines())
    except InputErrors:
        return False
    return True


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(changed_documents())
def test_fuzz_validate_accepts_what_jsonschema_accepts(item: tuple[str, Any]) -> None:
    name, doc = item
    valid = validator_for(name).is_valid(doc)
    assert accepted(name, doc) is valid
    assert not fast_check(name)(doc) or valid
