"""Reading gate files safely: YAML (and JSON) to plain data plus a line for every key path.

The YAML is composed into a node graph first (the C parser when PyYAML has it), then
checked — alias expansion, nesting depth, duplicate keys, unknown tags — and only then
turned into Python data. A billion-laughs document is therefore rejected by counting
nodes with memoisation, never by building the expanded object.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any, Union

import yaml

from changegate.errors import YamlError

#: Largest gate file accepted, in bytes (characters for text already decoded).
MAX_BYTES = 10 * 1024 * 1024
#: Deepest nesting of mappings/sequences accepted.
MAX_DEPTH = 64
#: Most nodes that aliases may add to a document when expanded (beyond the nodes written).
MAX_ALIAS_NODES = 100_000

PathKey = tuple[Union[str, int], ...]

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

    `table` may be given directly, or `compute` may build it on first use (JSON, where
    lines are only needed when something is wrong)."""

    def __init__(
        self,
        table: dict[PathKey, int] | None = None,
        compute: Callable[[], dict[PathKey, int]] | None = None,
    ) -> None:
        self._table = table
        self._compute = compute

    @property
    def table(self) -> dict[PathKey, int]:
        if self._table is None:
            self._table = self._compute() if self._compute else {}
        return self._table

    def get(self, path: PathKey) -> int | None:
        """The line of exactly `path`, or None."""
        return self.table.get(tuple(path))

    def line(self, path: PathKey) -> int:
        """The line of `path`, or of its nearest known ancestor (0 when none is known)."""
        table = self.table
        path = tuple(path)
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


def _compose(text: str, file: str) -> yaml.Node | None:
    loader = _Loader(text)
    try:
        return loader.get_single_node()
    except yaml.YAMLError as err:
        message, line = _problem(err, text)
        raise YamlError(message, file, line) from None
    except RecursionError:
        raise YamlError(f"nesting deeper than {MAX_DEPTH} levels", file, 0) from None
    finally:
        loader.dispose()


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def _distinct_nodes(root: yaml.Node) -> int:
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) not in seen:
            seen.add(id(node))
            stack.extend(_children(node))
    return len(seen)


def _check_graph(root: yaml.Node, file: str) -> None:
    """Reject recursion, nesting past MAX_DEPTH and alias expansion past MAX_ALIAS_NODES.

    Sizes are memoised per node, so shared (aliased) subtrees are counted in O(graph)."""
    limit = _distinct_nodes(root) + MAX_ALIAS_NODES
    sizes: dict[int, int] = {}
    depths: dict[int, int] = {}
    active: set[int] = set()

    def visit(node: yaml.Node, depth: int) -> tuple[int, int]:
        key = id(node)
        if key in sizes:
            return sizes[key], depths[key]
        if key in active:
            raise YamlError("recursive alias (an anchor used inside itself)", file, _line(node))
        if depth > MAX_DEPTH:
            raise YamlError(f"nesting deeper than {MAX_DEPTH} levels", file, _line(node))
        size, height = 1, 0
        if isinstance(node, (yaml.SequenceNode, yaml.MappingNode)):
            active.add(key)
            for child in _children(node):
                child_size, child_height = visit(child, depth + 1)
                size += child_size
                height = max(height, child_height + 1)
                if size > limit:
                    raise YamlError(
                        f"alias expansion exceeds {MAX_ALIAS_NODES} nodes", file, _line(node)
                    )
                if depth + height > MAX_DEPTH:
                    raise YamlError(f"nesting deeper than {MAX_DEPTH} levels", file, _line(node))
            active.discard(key)
        sizes[key] = size
        depths[key] = height
        return size, height

    visit(root, 0)


class _Builder:
    """Turns a checked node graph into plain data, recording a line per key path."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.lines: dict[PathKey, int] = {}
        self._scalars = yaml.SafeLoader("")

    def scalar(self, node: yaml.ScalarNode) -> Any:
        if node.tag == _TIMESTAMP:
            return node.value  # dates stay ISO strings; schemas check them
        if node.tag not in _SCALAR_TAGS:
            raise YamlError(f"unsupported tag {node.tag!r}", self.file, _line(node))
        return self._scalars.construct_object(node)

    def key(self, node: yaml.Node) -> str:
        if not isinstance(node, yaml.ScalarNode):
            raise YamlError("mapping keys must be plain strings", self.file, _line(node))
        value = self.scalar(node)
        # Gate files only have string keys: `on:` or `1:` stay the text that was written.
        return value if isinstance(value, str) else node.value

    def build(self, node: yaml.Node, path: PathKey) -> Any:
        self.lines.setdefault(path, _line(node))
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ:
                raise YamlError(f"unsupported tag {node.tag!r}", self.file, _line(node))
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        if node.tag != _MAP:
            raise YamlError(f"unsupported tag {node.tag!r}", self.file, _line(node))
        result: dict[str, Any] = {}
        first: dict[str, int] = {}
        merged: list[yaml.Node] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                merged.extend(
                    value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
                )
                continue
            key = self.key(key_node)
            if key in first:
                raise YamlError(
                    f"duplicate key {key!r} (first at line {first[key]})",
                    self.file,
                    _line(key_node),
                )
            first[key] = _line(key_node)
            self.lines[path + (key,)] = _line(key_node)
            result[key] = self.build(value_node, path + (key,))
        for source in merged:  # `<<: *defaults`: keys given explicitly win
            if not isinstance(source, yaml.MappingNode) or source.tag != _MAP:
                raise YamlError("'<<' merge needs a mapping or a list of mappings",
                                self.file, _line(source))
            for key_node, value_node in source.value:
                key = self.key(key_node)
                if key not in result:
                    self.lines[path + (key,)] = _line(key_node)
                    result[key] = self.build(value_node, path + (key,))
        return result


def load_yaml(text: str, file: str) -> tuple[Any, Lines]:
    """Parse one YAML document safely; returns (data, Lines). Raises YamlError."""
    if len(text) > MAX_BYTES:
        raise YamlError(f"file is larger than the {MAX_BYTES // (1024 * 1024)} MiB limit", file)
    node = _compose(text, file)
    if node is None:
        return None, Lines({(): 1})
    _check_graph(node, file)
    builder = _Builder(file)
    data = builder.build(node, ())
    return data, Lines(builder.lines)


# --------------------------------------------------------------------------- JSON

_JSON_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|[{}\[\]:,\n]|[-0-9.eE+]+|true|false|null')


def _json_lines(text: str) -> dict[PathKey, int]:
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
    return data, Lines(compute=lambda: _json_lines(text))


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
