"""JSON gate files: plain data with the YAML loader's bounds, duplicate keys refused, and the
line of every key path found by a light token scan (`json_lines`) when a message needs one."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from changegate.errors import YamlError
from changegate.load import limits
from changegate.load.lines import Lines, PathKey

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
    """Parse a JSON document with the same bounds and shape as the YAML loader.

    Lines are computed lazily (only when a message needs one)."""
    limits.check_size(text, file)
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates(file), parse_int=limits.json_int)
    except json.JSONDecodeError as err:
        raise YamlError(f"invalid JSON: {err.msg}", file, err.lineno) from None
    except limits.IntegerTooLongError as err:
        raise YamlError(str(err), file, limits.token_line(text, err.token)) from None
    except RecursionError:
        raise YamlError(f"nesting deeper than {limits.MAX_DEPTH} levels", file) from None
    _check_depth(data, file)
    return data, Lines(compute=lambda: json_lines(text))


def _check_depth(data: Any, file: str) -> None:
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > limits.MAX_DEPTH:
            raise YamlError(f"nesting deeper than {limits.MAX_DEPTH} levels", file)
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
