"""JSON Schema validation of gate files, with short messages that name file, line and key.

`validate(data, "map", file, lines)` reports every problem in the document at once, each as
`file:line: components.crm: unknown key 'owner' (allowed: owners, paths, ...)`. Valid
documents (the common case) are answered by the fast check (`schema_fast`); jsonschema only
runs to explain a document that fails it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from changegate.errors import InputErrors, SchemaError
from changegate.load.lines import Lines, PathKey
from changegate.load.resources import schema_path
from changegate.load.schema_fast import Check, compile_check

if TYPE_CHECKING:  # jsonschema costs ~60 ms to import: only documents that fail the fast
    # check (or the tests) load it, to explain what is wrong.
    from jsonschema import Draft202012Validator, ValidationError

ID_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._-]*$"

# What a pattern means, in words, for messages.
_PATTERN_WORDS = {
    ID_PATTERN: "a valid id (letters, digits, '.', '_' or '-', starting with a letter or digit)",
    "^[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9][A-Za-z0-9._-]*$": "a GitHub team as org/slug",
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}$": "a date as YYYY-MM-DD",
    "^@?[A-Za-z0-9][A-Za-z0-9_.\\[\\]-]*$": "a GitHub login",
    "^(@[A-Za-z0-9][A-Za-z0-9_.\\[\\]-]*|[A-Za-z0-9][A-Za-z0-9._-]*)$": "a team id or @login",
    "^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z0-9_]+)*$": "a dotted field path like rollback.plan",
}

_TYPE_WORDS = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean",
    "object": "a mapping",
    "array": "a list",
    "null": "null",
}


@cache
def schema_document(name: str) -> dict[str, Any]:
    """schemas/NAME.schema.json, parsed (cached: callers must not change it)."""
    return json.loads(schema_path(name).read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@cache
def validator_for(name: str) -> Draft202012Validator:
    """The compiled validator of schemas/NAME.schema.json (cached)."""
    from jsonschema import Draft202012Validator

    return Draft202012Validator(schema_document(name), format_checker=Draft202012Validator.FORMAT_CHECKER)


@cache
def fast_check(name: str) -> Check:
    """A predicate that is True only for documents valid against schemas/NAME.schema.json."""
    return compile_check(schema_document(name), f"<fast check: {name}>")


def dotted(path: Iterable[str | int]) -> str:
    """("components", "crm", "paths", 0) -> "components.crm.paths.0"."""
    return ".".join(str(p) for p in path)


def show(value: Any) -> str:
    """A value as a message shows it: strings quoted, YAML spelling for the rest."""
    if isinstance(value, str):
        text = repr(value)
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif value is None:
        text = "null"
    elif isinstance(value, dict):
        text = "a mapping"
    elif isinstance(value, list):
        text = "a list"
    else:
        text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."


# What a value is, in words; bool before int, since True is an int too.
_KIND_WORDS = ((bool, "a boolean"), (int, "an integer"), (float, "a number"), (str, "a string"),
               (list, "a list"), (dict, "a mapping"))


def _kind(value: Any) -> str:
    if value is None:
        return "an empty value"
    return next((word for kind, word in _KIND_WORDS if isinstance(value, kind)), type(value).__name__)


def _types(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _expected(types: Sequence[str]) -> str:
    words = [_TYPE_WORDS.get(t, t) for t in types]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


class _Problem:
    __slots__ = ("line", "message", "path")

    def __init__(self, path: PathKey, message: str, line: int) -> None:
        self.path = path
        self.message = message
        self.line = line


def _branch_choice(error: ValidationError) -> list[ValidationError] | None:
    """For a failed oneOf/anyOf, the errors of the branch the author most likely meant;
    None when every branch failed on the instance's type."""
    branches: dict[int, list[ValidationError]] = {}
    for sub in error.context or ():
        branches.setdefault(int(sub.relative_schema_path[0]), []).append(sub)
    candidates = [
        errs
        for errs in branches.values()
        if not any(e.validator == "type" and not e.relative_path for e in errs)
    ]
    if not candidates:
        return None
    candidates.sort(key=lambda errs: (any(e.validator == "required" for e in errs), len(errs)))
    return candidates[0]


def _problems(error: ValidationError, lines: Lines) -> list[_Problem]:
    path: PathKey = tuple(error.absolute_path)
    kind = error.validator
    value = error.validator_value
    instance = error.instance

    def one(message: str, at: PathKey = path) -> list[_Problem]:
        return [_Problem(at, message, lines.line(at))]

    if "propertyNames" in error.schema_path:
        at = path + (instance,)
        return one(f"{show(instance)} is not {_PATTERN_WORDS.get(ID_PATTERN)}", at)
    if kind == "additionalProperties" and value is False:
        allowed = sorted((error.schema.get("properties") or {}).keys())
        out: list[_Problem] = []
        for key in instance:
            if key not in allowed:
                out += one(f"unknown key {key!r} (allowed: {', '.join(allowed)})", path)
                out[-1].line = lines.line(path + (key,))
        return out
    if kind == "required":
        return [
            _Problem(path + (key,), "required key missing", lines.line(path))
            for key in value
            if key not in instance
        ]
    if kind == "type":
        return one(f"expected {_expected(_types(value))}, got {_kind(instance)}")
    if kind == "enum":
        return one(f"{show(instance)} is not one of {', '.join(show(v).strip(chr(39)) for v in value)}")
    if kind == "pattern":
        words = _PATTERN_WORDS.get(value, f"matching {value}")
        return one(f"{show(instance)} is not {words}")
    if kind == "format":
        pattern = error.schema.get("pattern") if isinstance(error.schema, dict) else None
        if pattern and isinstance(instance, str) and not re.search(pattern, instance):
            return []  # the pattern error already says it
        return one(f"{show(instance)} is not a valid {value}")
    if kind in ("minItems", "minLength") and value == 1:
        return one("must not be empty")
    if kind == "minimum":
        return one(f"must be at least {value}")
    if kind == "uniqueItems":
        seen: set[str] = set()
        for index, item in enumerate(instance):
            marker = json.dumps(item, sort_keys=True, default=str)
            if marker in seen:
                return one(f"{show(item)} is listed twice", path + (index,))
            seen.add(marker)
        return one("has duplicate items")
    if kind in ("oneOf", "anyOf"):
        chosen = _branch_choice(error)
        if chosen is None:
            types = [t for sub in error.context or () if sub.validator == "type" and not sub.relative_path
                     for t in _types(sub.validator_value)]
            return one(f"expected {_expected(list(dict.fromkeys(types)))}, got {_kind(instance)}")
        if not error.context:
            return one("matches more than one allowed form")
        return [p for sub in chosen for p in _problems(sub, lines)]
    return one(str(error.message).splitlines()[0])


def validate(data: Any, name: str, file: str, lines: Lines) -> None:
    """Validate `data` against schemas/NAME.schema.json; raise InputErrors with every problem."""
    if fast_check(name)(data):
        return
    problems: list[_Problem] = []
    for error in validator_for(name).iter_errors(data):
        problems.extend(_problems(error, lines))
    if not problems:
        return
    seen: set[tuple[int, str]] = set()
    errors: list[SchemaError] = []
    for problem in sorted(problems, key=lambda p: (p.line, dotted(p.path), p.message)):
        text = f"{dotted(problem.path)}: {problem.message}" if problem.path else problem.message
        if (problem.line, text) in seen:
            continue
        seen.add((problem.line, text))
        errors.append(SchemaError(text, file, problem.line))
    raise InputErrors(list(errors))
