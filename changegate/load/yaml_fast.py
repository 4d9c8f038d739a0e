"""The fast path for large YAML documents: `yaml_rs` (Rust, YAML 1.2), kept only when it is
certainly what the careful loader (`yaml_text.load_yaml`, YAML 1.1) builds.

A text scan declines what the two could read differently (anchors, aliases, tags, block
scalars, YAML 1.1 numbers, directives, deep indentation, and characters YAML 1.1 treats
otherwise: tabs, CR, controls, its extra line breaks); a check of the result declines what
may have been written as a YAML 1.1 bool, number or null; the lines of the top two levels of
keys come from a text scan, every other line from the careful loader on first use. Whatever
the path cannot vouch for, and every error, is the careful loader's. docs/performance.md has
the measurements that keep it.
"""

from __future__ import annotations

import operator
import re
from itertools import chain, compress
from typing import Any

import yaml

from changegate.load import limits
from changegate.load.lines import Lines, PathKey
from changegate.load.yaml_text import STR_TAG, TIMESTAMP_TAG, load_yaml

#: Documents at least this long (characters) try the fast parser first; smaller ones (config,
#: policies, manifests) are read by the careful loader alone, which is quick at that size.
FAST_MIN_CHARS = 64 * 1024

# Text that the fast path leaves to the careful loader, found by a conservative scan (a
# match inside a quoted string only costs the fast path): anchors, aliases, tags and block
# scalars (`|`, `>`: yaml_rs reads an empty one as "\n") at the start of a token; numbers
# whose meaning differs between YAML 1.1 and 1.2 (leading zero: `010`, `0o17`, `0x1F`,
# `0b1`; `+5`; `1_000`); directives and `...`; and indentation deep
# enough to nest many levels (the fast parser recurses: some tens of thousands of nested
# levels crash the process, so no such text may reach it). Each pattern starts with a
# literal, which the regex engine finds quickly; a lookbehind then checks what precedes it.
_TOKEN_START = r"[\s\[\]{},:]"
_UNSAFE_TEXT = tuple(
    re.compile(pattern)
    for pattern in (
        rf"\*(?<={_TOKEN_START}\*)",
        rf"&(?<={_TOKEN_START}&)",
        rf"!(?<={_TOKEN_START}!)",
        rf"\|(?<={_TOKEN_START}\|)",
        rf">(?<={_TOKEN_START}>)",
        rf"0[0-9a-zA-Z_](?:(?<={_TOKEN_START}0.)|(?<={_TOKEN_START}[-+]0.))",
        rf"\+(?<={_TOKEN_START}\+)",
        r"_(?<=[0-9]_)",
        r"\n(?:%|\.\.\.(?=\s|$)|[ \t?:-]{48})",
    )
)
_DOC_START = re.compile(r"\n---(?=\s|$)")

# Characters the two parsers treat differently: YAML 1.1 (the careful loader) refuses C0/C1
# controls, DEL and unpaired surrogates, breaks lines at NEL, U+2028 and U+2029, which YAML 1.2
# reads as text, and refuses tabs where yaml_rs takes them as indentation or separation; so
# these decline, and so do a byte order mark and CR (lines are counted at "\n" alone).
_PLAIN_ASCII = bytes([0x0A, *range(0x20, 0x7F)])
_UNSAFE_CHAR = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")


def _characters_ok(text: str) -> bool:
    """Whether `text` has only characters both parsers read alike (bytes.translate runs
    through ASCII text several times faster than a regex)."""
    if text.isascii():
        return not text.encode("ascii").translate(None, _PLAIN_ASCII)
    return _UNSAFE_CHAR.search(text) is None


def _non_str_plain_pattern() -> re.Pattern[str]:
    """A line (between two "\\n") that PyYAML would read, written plain, as something other
    than a string or a date (the careful loader keeps dates as text): bool, int, float,
    null, merge, value, yaml — PyYAML's own patterns, led by the literal "\\n"."""
    patterns = {
        regexp.pattern
        for resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.values()
        for tag, regexp in resolvers
        if tag not in (STR_TAG, TIMESTAMP_TAG, "tag:yaml.org,2002:null")
    }
    # null without its empty alternative: an empty string can only have been quoted
    patterns.add(r"^(?:~|null|Null|NULL)$")
    if not all(p.startswith("^") and p.endswith("$") for p in patterns):
        raise AssertionError("PyYAML's implicit resolvers changed shape")
    body = "|".join(f"(?:{p[1:-1]})" for p in sorted(patterns))
    # the lookahead drops at once the lines no pattern can match (most of them)
    first = "".join(sorted({re.escape(c) for c in "-+0123456789.<=yYnNtTfFoO~!&*"}))
    return re.compile(rf"\n(?=[{first}])(?:{body})(?=\n)", re.X)


NON_STR_PLAIN = _non_str_plain_pattern()
_LONG_DIGITS = re.compile(rf"[0-9]{{{limits.MAX_INT_DIGITS + 1}}}")
_KEY = r"[A-Za-z0-9_][\w.\-/@+]*"
_TOP_KEY = re.compile(rf"\n({_KEY})[ \t]*:(?=\s)")
_INDENTED = re.compile(r"\n( +)[^\s#]")


def data_ok(data: Any) -> bool:
    """Whether data from the fast (YAML 1.2) parser is certainly what the careful loader
    builds from the same text (already scanned by `_UNSAFE_TEXT`): only dicts with string
    keys, lists, strings, ints, bools and None, nested at most limits.MAX_DEPTH deep, no `<<` or
    `=` key, and no string that the careful loader could have read as another type (`yes`,
    `1:20`, ...). Walked a level at a time, so the per-item work runs in C loops; each
    value's type is taken once (the walk is bound by memory: every pass over the values
    touches every object) and the keys of a level are checked as one set of distinct keys."""
    allowed = {str, int, bool, type(None), dict, list}
    is_str, is_dict, is_container = {str}.__contains__, {dict}.__contains__, {dict, list}.__contains__
    kind = type(data)
    strings: list[str] = [data] if kind is str else []
    level: list[Any] = [data] if kind in (dict, list) else []
    types: list[type] = [kind] if level else []
    depth = 0
    while level:
        if depth >= limits.MAX_DEPTH:
            return False
        kinds = set(types)
        if dict in kinds:
            if list in kinds:
                dict_flags = list(map(is_dict, types))
                dicts = list(compress(level, dict_flags))
                lists: Any = compress(level, map(operator.not_, dict_flags))
            else:
                dicts, lists = level, ()
            # distinct keys: equal keys of different types (1, True, 1.0) cannot hide a
            # non-string key here, since no value yaml_rs builds equals a string but a string
            keys = set(chain.from_iterable(dicts))
            if (keys and set(map(type, keys)) != {str}) or "=" in keys or "<<" in keys:
                return False
            values = list(chain.from_iterable(map(dict.values, dicts)))
            values.extend(chain.from_iterable(lists))
        else:
            values = list(chain.from_iterable(level))
        types = list(map(type, values))
        kinds = set(types)
        if kinds - allowed:
            return False
        if str in kinds:
            if len(kinds) == 1:
                strings.extend(values)
            else:
                strings.extend(compress(values, map(is_str, types)))
        if dict in kinds or list in kinds:
            flags = list(map(is_container, types))
            level = list(compress(values, flags))
            types = list(compress(types, flags))
        else:
            level = []
        depth += 1
    return NON_STR_PLAIN.search("\n" + "\n".join(strings) + "\n") is None


def _shallow_lines(text: str, data: dict[str, Any], scan: str | None = None) -> dict[PathKey, int] | None:
    """Lines of the top two levels of keys of a block-style document, found by a text scan
    and accepted only when the keys found are exactly the data's keys, in order (None
    otherwise: flow style, quoted keys, ... then the careful loader works the lines out).
    `scan` is "\n" + text when the caller has it already."""
    if scan is None:
        scan = "\n" + text  # every key line starts with "\n": a literal the regex engine skips to
    tops = list(_TOP_KEY.finditer(scan))  # few: the document's sections
    if [match.group(1) for match in tops] != list(data):
        return None
    table: dict[PathKey, int] = {}
    count = scan.count
    offset, line = 0, 0  # `line` is the 1-based line that the "\n" at `offset - 1` starts
    for index, match in enumerate(tops):
        key = match.group(1)
        position = match.start()
        line += count("\n", offset, position + 1)
        offset = position + 1
        table[(key,)] = line
        value = data[key]
        if type(value) is not dict or not value:
            continue
        end = tops[index + 1].start() if index + 1 < len(tops) else len(scan)
        first = _INDENTED.search(scan, match.end() - 1, end)
        if first is None:
            return None
        child = re.compile(rf"\n{first.group(1)}({_KEY})[ \t]*:(?=\s)")
        found = list(child.finditer(scan, first.start(), end))
        names = [item.group(1) for item in found]
        if names != list(value):
            return None
        for name, item in zip(names, found, strict=True):
            position = item.start()
            line += count("\n", offset, position + 1)
            offset = position + 1
            table[(key, name)] = line
    return table


def parse(text: str) -> tuple[Any, dict[PathKey, int]] | None:
    """The document parsed by `yaml_rs`, with the lines of its top two levels of keys; None
    when the fast path cannot vouch for the result (the careful loader then reads it)."""
    scan = "\n" + text
    if not _characters_ok(text) or any(pattern.search(scan) for pattern in _UNSAFE_TEXT):
        return None
    if _LONG_DIGITS.search(text):  # a giant integer: the careful loader refuses it with its line
        return None
    starts = list(_DOC_START.finditer(scan))  # one `---`, before any content, is fine
    if starts and (len(starts) > 1 or any(
        line.strip() and not line.lstrip().startswith("#")
        for line in scan[: starts[0].start()].splitlines()
    )):
        return None
    try:
        import yaml_rs
    except ImportError:
        return None
    try:
        data = yaml_rs.loads(text, parse_datetime=False,
                             duplicate_key_policy=yaml_rs.DuplicateKeyPolicy.Error)
    except Exception:  # any doubt: the careful loader reads it and explains what is wrong
        return None
    if type(data) is not dict or not data_ok(data):
        return None
    shallow = _shallow_lines(text, data, scan)
    if shallow is None:
        return None
    return data, shallow


def load_large(text: str, file: str) -> tuple[Any, Lines] | None:
    """(data, Lines) of a document of at least FAST_MIN_CHARS (and within the size bound)
    when the fast path can vouch for it, its deeper lines worked out by the careful loader
    only if a message needs one; None otherwise: the careful loader then reads it."""
    if not FAST_MIN_CHARS <= len(text) <= limits.MAX_BYTES:
        return None
    fast = parse(text)
    if fast is None:
        return None
    data, shallow = fast
    return data, Lines(compute=lambda: load_yaml(text, file)[1].table, shallow=shallow)
