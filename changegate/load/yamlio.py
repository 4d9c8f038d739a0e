"""Reading gate files safely: YAML (and JSON) to plain data plus a line for every key path.

The YAML is composed into a node graph first (the C parser when PyYAML has it), then
checked — alias expansion, nesting depth, duplicate keys, unknown tags — and only then
turned into Python data. A billion-laughs document is therefore rejected by counting
nodes with memoisation, never by building the expanded object.

Large documents (a big map) first try a fast path, the Rust parser `yaml_rs`, kept only
when a text scan and a check of its result show it is exactly what the careful loader
builds; anything else, and every error, goes to the careful loader (see `load_yaml`).
"""

from __future__ import annotations

import json
import operator
import re
from collections.abc import Callable, Iterator
from itertools import chain, compress
from typing import Any

import yaml

from changegate.errors import YamlError

#: Largest gate file accepted, in bytes (characters for text already decoded). A
#: 100,000-component map is about 40 MiB of YAML.
MAX_BYTES = 64 * 1024 * 1024
#: Deepest nesting of mappings/sequences accepted.
MAX_DEPTH = 64
#: Most nodes that aliases may add to a document when expanded (beyond the nodes written).
MAX_ALIAS_NODES = 100_000

PathKey = tuple[str | int, ...]

_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_MERGE = "tag:yaml.org,2002:merge"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_SCALAR_TAGS = frozenset(
    {
        _STR,
        "tag:yaml.org,2002:int",
        "tag:yaml.org,2002:float",
        "tag:yaml.org,2002:bool",
        "tag:yaml.org,2002:null",
        _TIMESTAMP,
    }
)


class Lines:
    """1-based line of each key path of a loaded document.

    `table` may be given directly, or `compute` may build it on first use (JSON, and YAML
    read by the fast path, where lines are only needed when something is wrong). `shallow`
    holds lines known without that work (the fast path's top two levels of keys): they are
    answered from it, and only other paths run `compute`."""

    def __init__(
        self,
        table: dict[PathKey, int] | None = None,
        compute: Callable[[], dict[PathKey, int]] | None = None,
        shallow: dict[PathKey, int] | None = None,
    ) -> None:
        self._table = table
        self._compute = compute
        self._shallow = shallow

    @property
    def table(self) -> dict[PathKey, int]:
        if self._table is None:
            self._table = self._compute() if self._compute else {}
        return self._table

    @property
    def eager(self) -> bool:
        """Whether the lines of entries are known without extra work (YAML); JSON computes
        them on demand."""
        return self._table is not None or self._shallow is not None

    def get(self, path: PathKey) -> int | None:
        """The line of exactly `path`, or None."""
        path = tuple(path)
        if self._shallow is not None:
            found = self._shallow.get(path)
            if found is not None:
                return found
        return self.table.get(path)

    def line(self, path: PathKey) -> int:
        """The line of `path`, or of its nearest known ancestor (0 when none is known)."""
        path = tuple(path)
        if self._shallow is not None:
            found = self._shallow.get(path)
            if found is not None:
                return found
        table = self.table
        while path:
            found = table.get(path)
            if found:
                return found
            path = path[:-1]
        return table.get((), 0)

    def items(self) -> Iterator[tuple[PathKey, int]]:
        return iter(self.table.items())


# --------------------------------------------------------------------------- YAML


def _problem(err: yaml.YAMLError, text: str) -> tuple[str, int]:
    """A one-line message and 1-based line for a PyYAML error."""
    mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
    line = mark.line + 1 if mark is not None else 0
    if mark is not None and isinstance(err, yaml.scanner.ScannerError):
        source = text.splitlines()[mark.line] if mark.line < len(text.splitlines()) else ""
        if source[mark.column:mark.column + 1] == "\t" or "\t" in source[: len(source) - len(source.lstrip())]:
            return "invalid YAML: tab character used for indentation (indent with spaces)", line
    problem = getattr(err, "problem", None) or str(err).splitlines()[0]
    context = getattr(err, "context", None)
    problem = " ".join(str(problem).split())
    if "maximum nesting depth" in problem:
        return f"nesting deeper than {MAX_DEPTH} levels", line
    if context:
        return f"invalid YAML: {' '.join(str(context).split())}: {problem}", line
    return f"invalid YAML: {problem}", line


_RESOLVER = yaml.resolver.Resolver()
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_CONSTRUCT = {
    tag: _CONSTRUCTOR.yaml_constructors[tag]
    for tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool",
                "tag:yaml.org,2002:null")
}
_MERGE_KEY = object()  # the `<<` key of a mapping
_NO_KEY = object()  # a mapping waiting for its next key


class _Frame:
    """A sequence or mapping being built."""

    __slots__ = ("anchor", "count", "first", "height", "is_map", "key", "merges", "path", "value")

    def __init__(self, value: Any, path: PathKey, anchor: str | None) -> None:
        self.value = value
        self.path = path
        self.anchor = anchor
        self.is_map = isinstance(value, dict)
        self.key: Any = _NO_KEY
        self.first: dict[str, int] = {}
        self.merges: list[tuple[Any, int]] = []
        self.count = 1  # nodes in this subtree, aliases expanded
        self.height = 1  # collections nested in this one, itself included


def _scalar(event: yaml.ScalarEvent, file: str) -> Any:
    tag = event.tag
    if tag is None or tag == "!":
        if tag is None and event.implicit[0]:
            tag = _RESOLVER.resolve(yaml.ScalarNode, event.value, (True, False))
        else:
            return event.value
    if tag == _STR or tag == _TIMESTAMP:  # dates stay ISO strings; schemas check them
        return event.value
    if tag == _MERGE:
        return _MERGE_KEY
    construct = _CONSTRUCT.get(tag)
    if construct is None:
        raise YamlError(f"unsupported tag {tag!r}", file, event.start_mark.line + 1)
    return construct(_CONSTRUCTOR, yaml.ScalarNode(tag, event.value))


def _events(text: str, file: str) -> Iterator[yaml.Event]:
    loader = _Loader(text)
    try:
        while True:
            try:
                event = loader.get_event()
            except yaml.YAMLError as err:
                message, line = _problem(err, text)
                raise YamlError(message, file, line) from None
            if event is None:
                return
            yield event
    finally:
        loader.dispose()


def decode(data: bytes, file: str) -> str:
    """Gate-file bytes as text; YamlError naming the line of the first byte that is not UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise YamlError(f"not UTF-8 text (byte {err.start})", file, line) from None


def load_yaml_careful(text: str, file: str) -> tuple[Any, Lines]:
    """Parse one YAML document safely; returns (data, Lines). Raises YamlError.

    Built straight from the parser's events (libyaml when available) in one pass that
    rejects duplicate keys, unknown tags, recursive or undefined aliases, nesting past
    MAX_DEPTH and alias expansion past MAX_ALIAS_NODES (counted per anchor, so a
    billion-laughs document fails at its first big alias, long before anything expands)."""
    if len(text) > MAX_BYTES:
        raise YamlError(f"file is larger than the {MAX_BYTES // (1024 * 1024)} MiB limit", file)
    lines: dict[PathKey, int] = {}
    anchors: dict[str, tuple[Any, int, int]] = {}  # name -> (value, node count, height)
    open_anchors: set[str] = set()
    stack: list[_Frame] = []
    root: Any = None
    documents = 0
    alias_nodes = 0
    scalar_event, alias_event = yaml.ScalarEvent, yaml.AliasEvent
    seq_start, map_start = yaml.SequenceStartEvent, yaml.MappingStartEvent
    seq_end, map_end = yaml.SequenceEndEvent, yaml.MappingEndEvent

    def fail(message: str, event: yaml.Event) -> YamlError:
        return YamlError(message, file, event.start_mark.line + 1)

    for event in _events(text, file):
        kind = type(event)
        line = event.start_mark.line + 1
        top = stack[-1] if stack else None
        # A mapping expecting a key: only a plain scalar will do.
        if top is not None and top.is_map and top.key is _NO_KEY and kind is not map_end:
            if kind is not scalar_event:
                raise fail("mapping keys must be plain strings", event)
            key = _scalar(event, file)
            if key is _MERGE_KEY:
                top.key = key
                continue
            if not isinstance(key, str):
                key = event.value  # `on:` or `1:` stay the text that was written
            if key in top.first:
                raise fail(f"duplicate key {key!r} (first at line {top.first[key]})", event)
            top.first[key] = line
            lines[top.path + (key,)] = line
            top.key = key
            top.count += 1
            continue
        if kind is scalar_event or kind is alias_event or kind is seq_start or kind is map_start:
            if top is None:
                path: PathKey = ()
            elif top.is_map:
                path = top.path + (top.key,) if top.key is not _MERGE_KEY else top.path
            else:
                path = top.path + (len(top.value),)
            lines.setdefault(path, line)
            if kind is scalar_event:
                value: Any = _scalar(event, file)
                if value is _MERGE_KEY:
                    value = "<<"
                count, height = 1, 0
                if event.anchor is not None:
                    anchors[event.anchor] = (value, 1, 0)
            elif kind is alias_event:
                if event.anchor in open_anchors:
                    raise fail("recursive alias (an anchor used inside itself)", event)
                if event.anchor not in anchors:
                    raise fail("invalid YAML: found undefined alias", event)
                value, count, height = anchors[event.anchor]
                alias_nodes += count
                if alias_nodes > MAX_ALIAS_NODES:
                    raise fail(f"alias expansion exceeds {MAX_ALIAS_NODES} nodes", event)
                if len(stack) + height > MAX_DEPTH:
                    raise fail(f"nesting deeper than {MAX_DEPTH} levels", event)
            else:
                tag = event.tag
                expected = _SEQ if kind is seq_start else _MAP
                if tag is not None and tag != "!" and tag != expected:
                    raise fail(f"unsupported tag {tag!r}", event)
                if len(stack) >= MAX_DEPTH:
                    raise fail(f"nesting deeper than {MAX_DEPTH} levels", event)
                if event.anchor is not None:
                    open_anchors.add(event.anchor)
                stack.append(_Frame([] if kind is seq_start else {}, path, event.anchor))
                continue
        elif kind is seq_end or kind is map_end:
            frame = stack.pop()
            value, count, height = frame.value, frame.count, frame.height
            if frame.is_map and frame.merges:
                for source, merge_line in frame.merges:  # `<<: *defaults`: explicit keys win
                    for item in source if isinstance(source, list) else [source]:
                        if not isinstance(item, dict):
                            raise YamlError("'<<' merge needs a mapping or a list of mappings",
                                            file, merge_line)
                        for key, item_value in item.items():
                            if key not in value:
                                value[key] = item_value
                                lines.setdefault(frame.path + (key,), merge_line)
            if frame.anchor is not None:
                open_anchors.discard(frame.anchor)
                anchors[frame.anchor] = (value, count, height)
            top = stack[-1] if stack else None
        elif kind is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise fail("invalid YAML: expected a single document in the stream: "
                           "but found another document", event)
            continue
        else:
            continue
        # attach the finished value to its parent
        if top is None:
            root = value
            continue
        top.count += count
        if height + 1 > top.height:
            top.height = height + 1
        if not top.is_map:
            top.value.append(value)
        elif top.key is _MERGE_KEY:
            top.merges.append((value, line))
            top.key = _NO_KEY
        else:
            top.value[top.key] = value
            top.key = _NO_KEY
    if not lines:
        lines[()] = 1
    return root, Lines(lines)


# --------------------------------------------------------------------------- YAML, fast path

#: Documents at least this long (characters) try the fast parser first; smaller ones (config,
#: policies, manifests) are read by the careful loader alone, which is quick at that size.
FAST_MIN_CHARS = 64 * 1024

# Text that the fast path leaves to the careful loader, found by a conservative scan (a
# match inside a quoted string only costs the fast path): anchors, aliases and tags at the
# start of a token; numbers whose meaning differs between YAML 1.1 and 1.2 (leading zero:
# `010`, `0o17`, `0x1F`, `0b1`; `+5`; `1_000`); directives and `...`; and indentation deep
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
        rf"0[0-9a-zA-Z_](?:(?<={_TOKEN_START}0.)|(?<={_TOKEN_START}[-+]0.))",
        rf"\+(?<={_TOKEN_START}\+)",
        r"_(?<=[0-9]_)",
        r"\n(?:%|\.\.\.(?=\s|$)|[ \t?:-]{48})",
    )
)
_DOC_START = re.compile(r"\n---(?=\s|$)")


def _non_str_plain() -> re.Pattern[str]:
    """A line (between two "\\n") that PyYAML would read, written plain, as something other
    than a string or a date (the careful loader keeps dates as text): bool, int, float,
    null, merge, value, yaml — PyYAML's own patterns, led by the literal "\\n"."""
    patterns = {
        regexp.pattern
        for resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.values()
        for tag, regexp in resolvers
        if tag not in (_STR, _TIMESTAMP, "tag:yaml.org,2002:null")
    }
    # null without its empty alternative: an empty string can only have been quoted
    patterns.add(r"^(?:~|null|Null|NULL)$")
    if not all(p.startswith("^") and p.endswith("$") for p in patterns):
        raise AssertionError("PyYAML's implicit resolvers changed shape")
    body = "|".join(f"(?:{p[1:-1]})" for p in sorted(patterns))
    # the lookahead drops at once the lines no pattern can match (most of them)
    first = "".join(sorted({re.escape(c) for c in "-+0123456789.<=yYnNtTfFoO~!&*"}))
    return re.compile(rf"\n(?=[{first}])(?:{body})(?=\n)", re.X)


_NON_STR_PLAIN = _non_str_plain()
_KEY = r"[A-Za-z0-9_][\w.\-/@+]*"
_TOP_KEY = re.compile(rf"\n({_KEY})[ \t]*:(?=\s)")
_INDENTED = re.compile(r"\n( +)[^\s#]")


def _fast_data_ok(data: Any) -> bool:
    """Whether data from the fast (YAML 1.2) parser is certainly what the careful loader
    builds from the same text (already scanned by `_UNSAFE_TEXT`): only dicts with string
    keys, lists, strings, ints, bools and None, nested at most MAX_DEPTH deep, no `<<` or
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
        if depth >= MAX_DEPTH:
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
    return _NON_STR_PLAIN.search("\n" + "\n".join(strings) + "\n") is None


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
        for name, item in zip(names, found):
            position = item.start()
            line += count("\n", offset, position + 1)
            offset = position + 1
            table[(key, name)] = line
    return table


def _load_fast(text: str) -> tuple[Any, dict[PathKey, int]] | None:
    """The document parsed by `yaml_rs`, with the lines of its top two levels of keys; None
    when the fast path cannot vouch for the result (the careful loader then reads it)."""
    scan = "\n" + text
    if "\ufeff" in text or any(pattern.search(scan) for pattern in _UNSAFE_TEXT):
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
    if type(data) is not dict or not _fast_data_ok(data):
        return None
    shallow = _shallow_lines(text, data, scan)
    if shallow is None:
        return None
    return data, shallow


def load_yaml(text: str, file: str) -> tuple[Any, Lines]:
    """Parse one YAML document safely; returns (data, Lines). Raises YamlError.

    A large document whose text and result pass the fast path's checks is parsed by
    `yaml_rs` (Rust, about 9× faster), its deeper lines worked out by the careful loader
    only if a message needs one; everything else — and anything the fast parser rejects —
    goes to `load_yaml_careful`, so data, limits and errors are the careful loader's."""
    if len(text) > MAX_BYTES:
        raise YamlError(f"file is larger than the {MAX_BYTES // (1024 * 1024)} MiB limit", file)
    if len(text) >= FAST_MIN_CHARS:
        fast = _load_fast(text)
        if fast is not None:
            data, shallow = fast
            return data, Lines(compute=lambda: load_yaml_careful(text, file)[1].table,
                               shallow=shallow)
    return load_yaml_careful(text, file)


# --------------------------------------------------------------------------- JSON

_JSON_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|[{}\[\]:,\n]|[-0-9.eE+]+|true|false|null')


def json_lines(text: str) -> dict[PathKey, int]:
    """Lines of every key path of a (valid) JSON document, by a light token scan."""
    table: dict[PathKey, int] = {(): 1}
    line = 1
    # frames: [kind "{" or "[", path, current key or index, expecting a key]
    stack: list[list[Any]] = []

    def value_path() -> PathKey:
        frame = stack[-1]
        if frame[0] == "[":
            frame[2] += 1
            table.setdefault(frame[1] + (frame[2],), line)
        return tuple(frame[1]) + (frame[2],)

    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        if token == "\n":
            line += 1
        elif token in ("{", "["):
            path = value_path() if stack else ()
            stack.append([token, path, -1 if token == "[" else None, token == "{"])
        elif token in ("}", "]"):
            if stack:
                stack.pop()
        elif token == ",":
            if stack and stack[-1][0] == "{":
                stack[-1][3] = True
        elif token == ":" or not stack:
            continue
        elif stack[-1][0] == "{" and stack[-1][3]:
            key = json.loads(token)
            stack[-1][2] = key
            stack[-1][3] = False
            table[stack[-1][1] + (key,)] = line
        else:
            value_path()
    return table


def _no_duplicates(file: str) -> Callable[[list[tuple[str, Any]]], dict[str, Any]]:
    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in pairs:
            if key in result:
                raise YamlError(f"duplicate key {key!r}", file)
            result[key] = value
        return result

    return hook


def load_json(text: str, file: str) -> tuple[Any, Lines]:
    """Parse a JSON document with the same bounds and shape as `load_yaml`.

    Lines are computed lazily (only when a message needs one)."""
    if len(text) > MAX_BYTES:
        raise YamlError(f"file is larger than the {MAX_BYTES // (1024 * 1024)} MiB limit", file)
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates(file))
    except json.JSONDecodeError as err:
        raise YamlError(f"invalid JSON: {err.msg}", file, err.lineno) from None
    except RecursionError:
        raise YamlError(f"nesting deeper than {MAX_DEPTH} levels", file) from None
    _check_depth(data, file)
    return data, Lines(compute=lambda: json_lines(text))


def _check_depth(data: Any, file: str) -> None:
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise YamlError(f"nesting deeper than {MAX_DEPTH} levels", file)
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)


def load_text(text: str, file: str) -> tuple[Any, Lines]:
    """`load_json` for *.json files, `load_yaml` for everything else."""
    if file.lower().endswith(".json"):
        return load_json(text, file)
    return load_yaml(text, file)
