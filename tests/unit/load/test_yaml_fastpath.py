"""The fast YAML path (yaml_rs) changes speed, never answers: wherever it is taken it gives
the careful loader's data and lines, and every document it cannot vouch for — duplicate
keys, aliases, tags, deep nesting, YAML 1.1 scalars and line breaks — is read by the careful
loader, with the careful loader's errors. Differential fuzz tests (hypothesis, at the end)
look for a document on which the two disagree."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import PROJECT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from synthetic_map import synthetic_map, to_yaml

from changegate.errors import YamlError
from changegate.load import yaml_fast
from changegate.load.limits import MAX_DEPTH
from changegate.load.parse import load_text
from changegate.load.yaml_fast import NON_STR_PLAIN, data_ok, parse
from changegate.load.yaml_text import load_yaml

REPO = PROJECT
CORPUS = sorted(
    [*REPO.glob("examples/retail/.changegate/**/*.yaml"), *REPO.glob("tests/scenarios/**/*.yaml"),
     *REPO.glob("tests/scenarios/**/*.yml")]
)


@pytest.fixture
def fast_for_all(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let documents of any size try the fast path (normally only large ones do)."""
    monkeypatch.setattr(yaml_fast, "FAST_MIN_CHARS", 0)


def strict(data: Any) -> Any:
    """`data` with every value's type spelled out, so 1, 1.0 and True differ and key order counts."""
    if isinstance(data, dict):
        return ("map", [(strict(k), strict(v)) for k, v in data.items()])
    if isinstance(data, list):
        return ("seq", [strict(v) for v in data])
    return (type(data).__name__, data)


def outcome(load: Any, text: str) -> tuple[str, Any]:
    try:
        data, lines = load(text, "f.yaml")
    except YamlError as err:
        return ("error", str(err))
    return ("data", (strict(data), dict(lines.items())))


def assert_same_as_careful(text: str) -> None:
    assert outcome(load_text, text) == outcome(load_yaml, text)


@pytest.fixture(scope="module")
def enterprise_map() -> str:
    return to_yaml(synthetic_map(600))


def test_generated_enterprise_map_takes_the_fast_path_with_the_careful_data_and_lines(
    enterprise_map: str,
) -> None:
    assert len(enterprise_map) >= yaml_fast.FAST_MIN_CHARS
    fast = parse(enterprise_map)
    assert fast is not None
    careful_data, careful_lines = load_yaml(enterprise_map, "map.yaml")
    data, lines = load_text(enterprise_map, "map.yaml")
    assert strict(data) == strict(careful_data)
    assert lines.eager
    for path, line in fast[1].items():
        assert careful_lines.get(path) == line
    deep = ("components", "c00100", "consumes", 1)
    assert lines.line(deep) == careful_lines.line(deep)  # worked out on demand
    assert dict(lines.items()) == dict(careful_lines.items())


def test_a_line_separator_in_a_large_map_is_the_careful_loaders_error(enterprise_map: str) -> None:
    """YAML 1.2 reads U+2028 in a plain scalar as text; the careful loader (YAML 1.1) breaks
    the line there and rejects the document, and so must a map over 64 KiB."""
    text = enterprise_map.replace("name: Team 7\n", "name: Team\u20287\n", 1)
    assert len(text) >= yaml_fast.FAST_MIN_CHARS
    assert parse(text) is None
    with pytest.raises(YamlError) as err:
        load_text(text, "f.yaml")
    assert outcome(load_text, text) == outcome(load_yaml, text) == ("error", str(err.value))
    assert "could not find expected ':'" in str(err.value)


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: str(p.relative_to(REPO)))
def test_every_corpus_document_loads_as_with_the_careful_loader(path: Path, fast_for_all: None) -> None:
    assert_same_as_careful(path.read_text(encoding="utf-8"))


def test_the_corpus_mostly_takes_the_fast_path() -> None:
    taken = [p for p in CORPUS if parse(p.read_text(encoding="utf-8")) is not None]
    assert len(taken) >= len(CORPUS) // 2


PLAIN_MAP = "version: 1\nteams:\n  core:\n    members: [ann, bob]\n  web:\n    name: Web\n"

DECLINED = {
    "duplicate_block_key": "a: 1\na: 2\n",
    "duplicate_deep_key": "a:\n  b:\n    c: 1\n    c: 2\n",
    "duplicate_flow_key": "a: {b: 1, b: 2}\n",
    "duplicate_flow_key_in_list": "a: [{b: 1, b: 2}]\n",
    "duplicate_quoted_and_plain": "a: 1\n'a': 2\n",
    "duplicate_int_and_string_key": "1: x\n'1': y\n",
    "null_keys": "~: 1\nnull: 2\n",
    "bool_keys": "true: 1\n'true': 2\n",
    "alias": "a: &x [1, 2]\nb: *x\n",
    "merge": "b: &x {k: 1}\nc:\n  <<: *x\n  j: 2\n",
    "inline_merge": "c:\n  <<: {k: 1}\n  j: 2\n",
    "billion_laughs": "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)),
    "recursive_alias": "a: &a [*a]\n",
    "custom_tag": "a: !foo bar\n",
    "binary_tag": "a: !!binary aGVsbG8=\n",
    "set_tag": "a: !!set {x, y}\n",
    "str_tag": "a: !!str 1\n",
    "yaml11_booleans": "a: yes\nb: no\nc: on\nd: off\ne: Yes\nf: OFF\n",
    "octal": "a: 010\n",
    "octal_1_2": "a: 0o17\n",
    "hex": "a: 0x1F\n",
    "binary_int": "a: 0b101\n",
    "leading_zero": "a: 09\n",
    "plus_sign": "a: +5\n",
    "underscores": "a: 1_000\n",
    "sexagesimal": "a: 1:20\n",
    "sexagesimal_float": "a: 1:20.5\n",
    "exponent": "a: 1e3\n",
    "float": "a: 1.5\n",
    "value_key": "=: 1\n",
    "value_scalar": "a: =\n",
    "two_documents": "a: 1\n---\nb: 2\n",
    "directive": "%YAML 1.1\n---\na: yes\n",
    "document_end": "a: 1\n...\n",
    "byte_order_mark": "\ufeffa: 1\n",
    "complex_key": "? [a, b]\n: 1\n",
    "tab_indent": "a:\n\tb: 1\n",
    "unclosed_flow": "a: [1, 2\n",
    "deep_flow": "a: " + "[" * 70 + "]" * 70 + "\n",
    "deep_block": "".join(" " * i + "k:\n" for i in range(70)) + " " * 70 + "v\n",
    "deep_compact": "- " * 70 + "x\n",
    "very_deep_compact": "- " * 100_000 + "x\n",  # would crash the fast parser
    "scalar_root": "hello\n",
    "list_root": "- a\n- b\n",
    "quoted_top_key": "'a': 1\nb: 2\n",
    "flow_section": "teams: {a: {name: A}}\n",
    # YAML 1.1 breaks lines at U+2028, U+2029 and NEL; YAML 1.2 reads them as text
    "line_separator_in_plain_scalar": "a:\n  b: x\u2028y\n",
    "paragraph_separator_in_plain_scalar": "a:\n  b: x\u2029y\n",
    "next_line_in_plain_scalar": "a:\n  b: x\x85y\n",
    "control_character": "a:\n  b: x\x01y\n",
    "delete_character": "a:\n  b: x\x7fy\n",
    "carriage_return": "a:\r\n  b: 1\r\n",
    "lone_carriage_return": "a:\n  b: x\ry\n",
    "empty_block_scalar": "a: |\n",  # yaml_rs reads it as "\n"
    "block_scalars": "a:\n  b: |\n    x\n    y\n  c: >\n    p\n    q\n",
}


@pytest.mark.parametrize("text", DECLINED.values(), ids=DECLINED.keys())
def test_risky_documents_are_left_to_the_careful_loader(text: str, fast_for_all: None) -> None:
    assert parse(text) is None
    assert_same_as_careful(text)


SAME = {
    "plain_map": PLAIN_MAP,
    "dates_stay_text": "version: 1\nwhen:\n  a: 2024-01-02\n  b: 2024-01-02 10:15\n",
    "true_false_null": "a:\n  b: true\n  c: False\n  d: ~\n  e: null\n  f:\n  g: 0\n  h: -7\n",
    "empty_quoted_string": "a:\n  d: ''\n",
    "patterns": "c:\n  x:\n    paths: [\"src/**\", \"*.md\", \"!src/**/*.snap\"]\n",
    "comments_and_start": "# map\n---\na:\n  b: 1  # one\n",
    "non_ascii_text": "a:\n  b: \u00e9t\u00e9 \U0001f600 \u00a0x\n",
}


@pytest.mark.parametrize("text", SAME.values(), ids=SAME.keys())
def test_safe_documents_take_the_fast_path_with_the_same_result(text: str, fast_for_all: None) -> None:
    assert parse(text) is not None
    assert_same_as_careful(text)


def test_a_timestamp_loads_as_text_like_with_the_careful_loader(fast_for_all: None) -> None:
    assert_same_as_careful("when:\n  a: 2024-01-02T10:00:00Z\n  b: 2001-12-14t21:59:43.10-05:00\n")


def test_a_quoted_yes_is_declined_since_it_might_have_been_written_plain(fast_for_all: None) -> None:
    text = "a:\n  b: \"on\"\n  c: 'yes'\n  d: \"010\"\n"
    assert parse(text) is None
    assert_same_as_careful(text)


def test_duplicate_key_in_a_large_map_is_reported_with_its_line(enterprise_map: str) -> None:
    text = enterprise_map.replace("\ncomponents:\n", "\ncomponents:\n  dup: {}\n  dup: {}\n", 1)
    line = text[: text.index("  dup: {}\n  dup")].count("\n") + 2
    with pytest.raises(YamlError) as err:
        load_text(text, "map.yaml")
    assert str(err.value) == f"map.yaml:{line}: duplicate key 'dup' (first at line {line - 1})"


def test_large_billion_laughs_is_rejected_by_the_careful_bound(enterprise_map: str) -> None:
    laughs = DECLINED["billion_laughs"].replace("\n", "\n  ").rstrip() + "\n"
    text = enterprise_map + "extra:\n  " + laughs
    with pytest.raises(YamlError) as err:
        load_text(text, "map.yaml")
    assert "alias expansion exceeds 100000 nodes" in str(err.value)


def _reference_data_ok(data: object, depth: int = 0) -> bool:
    """`data_ok`'s rule written out recursively (strings checked one at a time)."""
    if type(data) is str:
        return NON_STR_PLAIN.search("\n" + data + "\n") is None
    if type(data) in (int, bool, type(None)):
        return True
    if type(data) not in (dict, list):
        return False
    if depth >= MAX_DEPTH:
        return False
    if type(data) is dict:
        if any(type(key) is not str or key in ("=", "<<") for key in data):
            return False
        items = list(data.values())
    else:
        items = data
    return all(_reference_data_ok(item, depth + 1) for item in items)


def _nested(depth: int) -> object:
    value: object = "leaf"
    for index in range(depth):
        value = {"k": value} if index % 2 else [value]
    return value


@pytest.mark.parametrize(
    "data",
    [
        {}, [], "x", "yes", 1, None, {"a": 1.5}, {"a": [1, "b", None, True]},
        {"a": [{"b": 1}, [2, 3], "c"]}, {"a": [{"b": 1}, [2, {1: "x"}]]},
        {"a": [{"b": 1}, [2, {"=": "x"}]]}, {"a": [[{"<<": 1}], {"c": 2}]},
        {"a": {"b": {True: 1}}}, {"a": [{"b": "on"}, ["x"]]}, {"a": [{"b": "ok"}, ["1:20"]]},
        {"a": [b"bytes"]}, {"a": [(1, 2)]}, {"a": {(1, 2): "x"}}, {"a": {"b": 1, 2: "c"}},
        {"a": [{"b": 1}, {"b": [1.0]}]}, {"a": ["x", "y"], "b": {"c": ["z", {"d": "Null"}]}},
        _nested(MAX_DEPTH - 1), _nested(MAX_DEPTH), _nested(MAX_DEPTH + 1),
        {"a": [_nested(MAX_DEPTH - 2), "x"]}, {"a": [_nested(MAX_DEPTH - 1), {"b": 1}]},
    ],
)
def test_the_result_check_follows_its_rule(data: object) -> None:
    assert data_ok(data) is _reference_data_ok(data)


# --------------------------------------------------------------------------- differential fuzz
# Documents are built from the pieces on which YAML 1.1 and 1.2, or the two parsers, could
# differ — written plain, dumped by PyYAML in every style, then edited at random — and each
# one the fast path accepts must load to the very same data and lines with the careful loader.

TOKENS = [
    "yes", "no", "on", "off", "y", "n", "true", "True", "null", "~", "NULL", "010", "0o17", "0x1F",
    "0b1", "+5", "1_000", "1:20", "1e3", "1.5", ".inf", ".nan", "-", "--", "---", "...", "<<", "=",
    "&a", "*a", "!x", "!!str", "#", " #", ": ", ":", "-1", "0", "07", "8", "2024-01-02", "@x", "`",
    "%", "|", ">", "? ", "[", "]", "{", "}", ",", "'", '"', "\\", "\t", " ", "\u2028", "\u2029",
    "\x85", "\r", "\r\n", "\x7f", "\x01", "\xa0", "\u00e9", "\ufeff", "\U0001f600", "x", "abc",
    "a b", "k", "\n", "\n  ", "\n- ", "k" * 1030, " " * 50, "\n" + " " * 47 + "- ", '"a\\u2028b"',
    '"\\x85"', '"\\N"', '"\\L"', '"\\/"', '"\\e"', '"\\U0001F600"',
]
SCALARS = st.lists(st.sampled_from(TOKENS) | st.characters(), min_size=1, max_size=4).map("".join)
KEYS = st.sampled_from(["a", "b", "teams", "x-y", "1", "on", "<<"]) | SCALARS


def written_plain(data: Any, indent: int = 0) -> str:
    """Block YAML with every scalar written as it is, unquoted (where 1.1 and 1.2 differ)."""
    pad, out = " " * indent, []
    items = data.items() if isinstance(data, dict) else (("-", v) for v in data)
    for key, value in items:
        lead = f"{pad}{key}:" if isinstance(data, dict) else f"{pad}-"
        if isinstance(value, dict | list) and value:
            out += [lead, written_plain(value, indent + 2)]
        else:
            out.append(f"{lead} {value}")
    return "\n".join(out)


TREES = st.recursive(SCALARS, lambda inner: st.dictionaries(KEYS, inner, min_size=1, max_size=4)
                     | st.lists(inner, min_size=1, max_size=4), max_leaves=10)
PLAIN = st.dictionaries(KEYS, TREES, min_size=1, max_size=4).map(lambda d: written_plain(d) + "\n")
VALUES = st.recursive(st.none() | st.booleans() | st.integers(-10**6, 10**6) | SCALARS,
                      lambda inner: st.dictionaries(KEYS, inner, max_size=4) | st.lists(inner, max_size=4),
                      max_leaves=10)
DUMPED = st.builds(
    lambda data, flow, style, width: yaml.safe_dump(data, default_flow_style=flow, default_style=style,
                                                    width=width, allow_unicode=True, sort_keys=False),
    st.dictionaries(KEYS, VALUES, min_size=1, max_size=4), st.sampled_from([False, None, True]),
    st.sampled_from([None, '"', "'", "|", ">"]), st.sampled_from([20, 1000]))


@st.composite
def edited(draw: st.DrawFn, documents: st.SearchStrategy[str]) -> str:
    """A document with one to four pieces inserted, deleted or overwritten at random."""
    text = draw(documents)
    for _ in range(draw(st.integers(1, 4))):
        at, piece = draw(st.integers(0, len(text))), draw(st.sampled_from(TOKENS))
        cut = draw(st.sampled_from([0, 1, 3, len(piece)]))
        text = text[:at] + piece + text[at + cut:]
    return text


def assert_fast_is_careful(text: str) -> None:
    fast = parse(text)
    if fast is None:
        return  # the careful loader reads it: the same answer by construction
    data, shallow = fast
    careful_data, careful_lines = load_yaml(text, "f.yaml")  # must not raise
    assert strict(data) == strict(careful_data)
    assert {path: careful_lines.get(path) for path in shallow} == shallow


FUZZ = settings(max_examples=150, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@FUZZ
@given(PLAIN | edited(PLAIN))
def test_fuzz_plain_documents(text: str) -> None:
    assert_fast_is_careful(text)


@FUZZ
@given(DUMPED | edited(DUMPED))
def test_fuzz_dumped_documents(text: str) -> None:
    assert_fast_is_careful(text)


@settings(FUZZ, max_examples=25)
@given(st.data())
def test_fuzz_edits_of_a_large_map(enterprise_map: str, data: st.DataObject) -> None:
    assert_fast_is_careful(data.draw(edited(st.just(enterprise_map))))
