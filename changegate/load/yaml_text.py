"""The careful YAML loader: gate-file text to plain data plus a line for every key path.

Built straight from the parser's events (libyaml when PyYAML has it) in one pass that checks
alias expansion, nesting depth, duplicate keys and tags before anything is built, so a
billion-laughs document is rejected by counting nodes, never by expanding them. It reads
YAML 1.1 as PyYAML does; it is the loader whose data, limits and errors every other path
must match (see `yaml_fast`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml

from changegate.errors import YamlError
from changegate.load import limits
from changegate.load.lines import Lines, PathKey

_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

STR_TAG = "tag:yaml.org,2002:str"
TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_MERGE = "tag:yaml.org,2002:merge"


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
    problem = " ".join(str(problem).split()) + _quote_hint(err, text)
    if "maximum nesting depth" in problem:
        return f"nesting deeper than {limits.MAX_DEPTH} levels", line
    if context:
        return f"invalid YAML: {' '.join(str(context).split())}: {problem}", line
    return f"invalid YAML: {problem}", line


def _quote_hint(err: yaml.YAMLError, text: str) -> str:
    """For a plain value starting with a reserved indicator ('@' or a backtick): say to quote it."""
    mark = getattr(err, "problem_mark", None)
    if mark is None or not isinstance(err, yaml.scanner.ScannerError):
        return ""
    lines = text.splitlines()
    source = lines[mark.line] if mark.line < len(lines) else ""
    char = source[mark.column:mark.column + 1]
    if char not in ("@", "`"):
        return ""
    value = source[mark.column:].split(" #", 1)[0].strip()
    return f" (a plain value cannot start with '{char}': quote it, e.g. \"{value}\")"


_RESOLVER = yaml.resolver.Resolver()
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_CONSTRUCT = {
    tag: _CONSTRUCTOR.yaml_constructors[tag]
    for tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool",
                "tag:yaml.org,2002:null")
}
_INT = "tag:yaml.org,2002:int"
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
    if tag in (STR_TAG, TIMESTAMP_TAG):  # dates stay ISO strings; schemas check them
        return event.value
    if tag == _MERGE:
        return _MERGE_KEY
    construct = _CONSTRUCT.get(tag)
    if construct is None:
        raise YamlError(f"unsupported tag {tag!r}", file, event.start_mark.line + 1)
    if tag == _INT and len(event.value) > limits.MAX_INT_DIGITS:
        raise YamlError(limits.int_message(event.value), file, event.start_mark.line + 1)
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


def load_yaml(text: str, file: str) -> tuple[Any, Lines]:
    """Parse one YAML document safely; returns (data, Lines). Raises YamlError.

    Built straight from the parser's events (libyaml when available) in one pass that
    rejects duplicate keys, unknown tags, recursive or undefined aliases, nesting past
    MAX_DEPTH and alias expansion past MAX_ALIAS_NODES (counted per anchor, so a
    billion-laughs document fails at its first big alias, long before anything expands)."""
    limits.check_size(text, file)
    max_depth, max_alias_nodes = limits.MAX_DEPTH, limits.MAX_ALIAS_NODES
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
                if alias_nodes > max_alias_nodes:
                    raise fail(f"alias expansion exceeds {max_alias_nodes} nodes", event)
                if len(stack) + height > max_depth:
                    raise fail(f"nesting deeper than {max_depth} levels", event)
            else:
                tag = event.tag
                expected = _SEQ if kind is seq_start else _MAP
                if tag is not None and tag != "!" and tag != expected:
                    raise fail(f"unsupported tag {tag!r}", event)
                if len(stack) >= max_depth:
                    raise fail(f"nesting deeper than {max_depth} levels", event)
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


def load_yaml_documents(text: str, file: str) -> list[tuple[Any, Lines]]:
    """Parse a multi-document YAML stream safely: each document through `load_yaml`, with
    its bounds and checks, and the line numbers of the whole stream. Raises YamlError."""
    limits.check_size(text, file)
    starts = [event.start_mark.line for event in _events(text, file)
              if isinstance(event, yaml.DocumentStartEvent)]
    rows = text.splitlines(keepends=True)
    documents = []
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(rows)
        # Blank lines in front keep the stream's line numbers in every message.
        documents.append(load_yaml("\n" * start + "".join(rows[start:end]), file))
    return documents
