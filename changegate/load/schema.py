"""JSON Schema validation of gate files, with short messages that name file, line and key.

`validate(data, "map", file, lines)` reports every problem in the document at once, each as
`file:line: components.crm: unknown key 'owner' (allowed: owners, paths, ...)`.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import re
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from changegate.errors import InputErrors, SchemaError
from changegate.load.resources import schema_path
from changegate.load.yamlio import Lines, PathKey

if TYPE_CHECKING:  # jsonschema costs ~60 ms to import: only documents that fail the fast
    # check below (or the tests) load it, to explain what is wrong.
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
def _schema(name: str) -> dict[str, Any]:
    return json.loads(schema_path(name).read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@cache
def validator_for(name: str) -> Draft202012Validator:
    """The compiled validator of schemas/NAME.schema.json (cached)."""
    from jsonschema import Draft202012Validator

    return Draft202012Validator(_schema(name), format_checker=Draft202012Validator.FORMAT_CHECKER)


# --------------------------------------------------------------------------- fast path
#
# jsonschema is thorough but slow on a 20,000-component map (seconds). Valid documents are
# the common case, so each schema is also compiled into a plain Python predicate for the
# keywords our schemas use. A predicate only ever answers True when the document is valid;
# anything it does not know, or any doubt, answers False and jsonschema decides (and
# explains). So messages always come from jsonschema and correctness never depends on
# this code being complete.
#
# The predicate is generated Python source, exec'd once per schema (as the fastjsonschema
# package does), not a tree of closures: closures cost a Python call, plus an all()/any()
# generator frame, per keyword per value — ~1.6 M frames and 0.65 s on a 20,000-component
# map. Generated code tests inline (`type(v) is str`, a precompiled regex's search, a
# frozenset), loops with plain `for` and returns False at the first failure. It calls a
# function only for a oneOf/anyOf branch, a recursive or big `$ref`, a large property set
# and a sub-schema nested too deep to inline. `_SchemaSource` writes the source;
# `fast_check_source(name)` shows it.

Check = Callable[[Any], bool]
_ANNOTATIONS = frozenset({"$schema", "$id", "$defs", "title", "description", "default",
                          "examples", "$comment"})
_KEYWORDS = frozenset({"$ref", "type", "enum", "pattern", "minLength", "minItems", "minimum",
                       "uniqueItems", "format", "required", "items", "propertyNames",
                       "properties", "additionalProperties", "oneOf", "anyOf"})
_NONE = type(None)
_PY_TYPES: dict[str, frozenset[type]] = {
    "string": frozenset({str}),
    "integer": frozenset({int}),  # type(True) is bool, not int: booleans are no integers
    "number": frozenset({int, float}),
    "boolean": frozenset({bool}),
    "object": frozenset({dict}),
    "array": frozenset({list}),
    "null": frozenset({_NONE}),
}
_TYPE_ORDER = (str, int, float, bool, dict, list, _NONE)  # a stable order for the source
_STRING = frozenset({str})
_NUMBER = frozenset({int, float})
_ARRAY = frozenset({list})
_OBJECT = frozenset({dict})
_DEFS = "#/$defs/"
_INLINE_WEIGHT = 200  # a $ref to a def bigger than this (refs expanded; recursive = ∞) is a call
_MAX_INDENT = 12  # sub-schemas nested deeper than this become functions of their own
_CHAIN_MAX = 16  # up to this many properties: an if/elif chain on the key; more: a dict lookup

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _is_date(value: str) -> bool:
    if not _DATE.fullmatch(value):
        return False
    try:
        _dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _enum_match(value: Any, allowed: tuple[Any, ...]) -> bool:
    """`enum` for values that are no str/int/bool/None: equal and of the very same type."""
    return any(type(value) is type(a) and value == a for a in allowed)


def _understood(schema: dict[str, Any]) -> bool:
    """Whether every keyword of this schema object (not its sub-schemas) is handled here."""
    for keyword, arg in schema.items():
        if keyword in _ANNOTATIONS:
            continue
        if keyword not in _KEYWORDS:
            return False
        if keyword == "$ref" and not (isinstance(arg, str) and arg.startswith(_DEFS)):
            return False
        if keyword == "type":
            names = [arg] if isinstance(arg, str) else arg
            if not isinstance(names, list) or not all(n in _PY_TYPES for n in names):
                return False
        if keyword in ("enum", "required", "oneOf", "anyOf") and not isinstance(arg, list):
            return False
        if keyword == "required" and not all(isinstance(k, str) for k in arg):
            return False
        if keyword in ("minLength", "minItems") and type(arg) is not int:
            return False
        if keyword == "minimum" and type(arg) not in (int, float):
            return False
        if keyword == "format" and arg != "date":
            return False
        if keyword == "properties" and not isinstance(arg, dict):
            return False
        if keyword == "pattern":
            try:
                re.compile(arg)
            except (re.error, TypeError):
                return False
    # additionalProperties next to patternProperties would need the patterns: never here
    # (patternProperties is not handled at all anyway).
    return "patternProperties" not in schema


def _trivial(schema: Any) -> bool:
    """Whether `schema` (understood or not) surely accepts everything: True, or annotations only."""
    return schema is True or (isinstance(schema, dict) and all(k in _ANNOTATIONS for k in schema))


def _subschemas(schema: dict[str, Any]) -> list[Any]:
    subs = [schema[k] for k in ("items", "propertyNames", "additionalProperties") if k in schema]
    props = schema.get("properties")
    if isinstance(props, dict):
        subs += props.values()
    for keyword in ("oneOf", "anyOf"):
        if isinstance(schema.get(keyword), list):
            subs += schema[keyword]
    return subs


def _type_test(var: str, types: frozenset[type], negate: bool = False) -> str:
    """`type(var) is str or var is None`; negated `type(var) is not str and var is not None`."""
    parts = []
    for t in sorted(types, key=_TYPE_ORDER.index):
        if t is _NONE:
            parts.append(f"{var} is {'not ' if negate else ''}None")
        else:
            parts.append(f"type({var}) is {'not ' if negate else ''}{t.__name__}")
    return (" and " if negate else " or ").join(parts)


class _SchemaSource:
    """Writes the Python source of the fast check of one schema document.

    `check(schema, var, indent)` gives statements that `return False` unless the value in
    `var` is valid against `schema`, and fall through when it is. Every sub-schema inlined
    is checked with variables of its own (`v3`, `k3`, ...). Constants (regexes, enum sets,
    dispatch dicts) are globals of the generated module, kept in `namespace`."""

    def __init__(self, root: Any) -> None:
        self.root = root
        defs = root.get("$defs") if isinstance(root, dict) else None
        self.defs: dict[str, Any] = defs if isinstance(defs, dict) else {}
        self.namespace: dict[str, Any] = {"_is_date": _is_date, "_enum_match": _enum_match}
        self.functions: list[list[str]] = []
        self.tail: list[str] = []  # module statements after the functions (dispatch dicts)
        self._consts: dict[tuple[str, str], str] = {}
        self._helpers: dict[int, str] = {}
        self._def_functions: dict[str, str] = {}
        self._weights: dict[str, float] = {}
        self._count = 0

    def source(self) -> str:
        """The whole module: its entry point is `check(v) -> bool`."""
        self.function("check", self.root)
        return "\n\n\n".join("\n".join(f) for f in self.functions) + "\n\n\n" + "\n".join(self.tail)

    # -- names

    def _fresh(self) -> int:
        self._count += 1
        return self._count

    def const(self, prefix: str, key: str, value: Any) -> str:
        """A global of the generated module holding `value` (one per prefix and key)."""
        name = self._consts.get((prefix, key))
        if name is None:
            name = self._consts[(prefix, key)] = f"_{prefix}{len(self._consts) + 1}"
            self.namespace[name] = value
        return name

    def function(self, name: str, schema: Any) -> str:
        """Define `name(v) -> bool` checking `schema`."""
        lines = [f"def {name}(v):"]
        self.functions.append(lines)  # placed first, so the source reads top-down
        lines += self.check(schema, "v", 1) + ["    return True"]
        return name

    def helper(self, schema: Any) -> str:
        """A function of its own for a sub-schema (one per schema object)."""
        name = self._helpers.get(id(schema))
        if name is None:
            name = self._helpers[id(schema)] = f"_sub{self._fresh()}"
            self.function(name, schema)
        return name

    def def_function(self, name: str) -> str:
        """The function of `$defs/name`, generated on first use."""
        fname = self._def_functions.get(name)
        if fname is None:
            slug = re.sub(r"[^A-Za-z0-9_]", "_", name)
            fname = self._def_functions[name] = f"_def_{slug}_{self._fresh()}"
            self.function(fname, self.defs[name])
        return fname

    # -- sizes

    def weight(self, schema: Any) -> float:
        """How much code inlining `schema` writes: its schema objects and keywords, with
        `$ref`s expanded; infinite when a `$ref` leads back to a def being expanded."""
        if not isinstance(schema, dict):
            return 1
        ref = schema.get("$ref")
        total: float = 1 + len(schema)
        if isinstance(ref, str) and ref.startswith(_DEFS):
            total += self.def_weight(ref[len(_DEFS):])
        return total + sum(self.weight(sub) for sub in _subschemas(schema))

    def def_weight(self, name: str) -> float:
        if name not in self._weights:
            self._weights[name] = float("inf")  # while expanding: a cycle comes back to ∞
            self._weights[name] = self.weight(self.defs.get(name))
        return self._weights[name]

    def asserts_string(self, schema: Any, seen: frozenset[str] = frozenset()) -> bool:
        """Whether `schema` only passes strings (so uniqueItems after it needs no type test)."""
        if not isinstance(schema, dict) or not _understood(schema):
            return False
        if schema.get("type") in ("string", ["string"]):
            return True
        if isinstance(schema.get("enum"), list) and all(type(a) is str for a in schema["enum"]):
            return True
        ref = schema.get("$ref")
        if ref is None:
            return False
        name = ref[len(_DEFS):]
        return name not in seen and self.asserts_string(self.defs.get(name), seen | {name})

    # -- statements

    def check(self, schema: Any, var: str, indent: int) -> list[str]:
        """Statements that return False unless `var` is valid against `schema`."""
        pad = "    " * indent
        if schema is True:
            return []
        if not isinstance(schema, dict) or not _understood(schema):
            return [pad + "return False"]
        lines: list[str] = []

        def fail_if(condition: str) -> None:
            lines.extend([f"{pad}if {condition}:", f"{pad}    return False"])

        known: frozenset[type] | None = None  # the Python types `var` can have past `type`
        if "type" in schema:
            names = [schema["type"]] if isinstance(schema["type"], str) else schema["type"]
            known = frozenset(t for n in names for t in _PY_TYPES[n])
            if not known:
                return [pad + "return False"]
            fail_if(_type_test(var, known, negate=True))
        if "enum" in schema:
            fail_if(f"not ({self.enum_test(var, schema['enum'])})")
        if "$ref" in schema:
            lines += self.ref(schema["$ref"][len(_DEFS):], var, indent)
        if "anyOf" in schema:
            calls = [f"{self.helper(s)}({var})" for s in schema["anyOf"]]
            fail_if(f"not ({' or '.join(calls)})" if calls else "True")
        if "oneOf" in schema:
            # Exactly one branch passing is only proof when the others really fail; the oneOf
            # branches of our schemas are exclusive by type or by required key, so they do.
            calls = [f"{self.helper(s)}({var})" for s in schema["oneOf"]]
            fail_if(" + ".join(calls) + " != 1" if calls else "True")
        for types, part in ((_STRING, self.string_part), (_NUMBER, self.number_part),
                            (_ARRAY, self.array_part), (_OBJECT, self.object_part)):
            applies = types if known is None else known & types
            if not applies:
                continue  # `type` already excludes what these keywords look at
            guarded = known is None or not known <= types
            body = part(schema, var, indent + guarded)
            if body and guarded:
                lines += [f"{pad}if {_type_test(var, applies)}:"] + body
            else:
                lines += body
        return lines

    def sub(self, schema: Any, var: str, indent: int) -> list[str]:
        """`check` for a nested sub-schema: inline, or a call when nested too deep."""
        if indent <= _MAX_INDENT:
            return self.check(schema, var, indent)
        return ["    " * indent + f"if not {self.helper(schema)}({var}):",
                "    " * indent + "    return False"]

    def ref(self, name: str, var: str, indent: int) -> list[str]:
        pad = "    " * indent
        if name not in self.defs:
            return [pad + "return False"]
        if indent <= _MAX_INDENT and self.def_weight(name) <= _INLINE_WEIGHT:
            return self.check(self.defs[name], var, indent)
        return [f"{pad}if not {self.def_function(name)}({var}):", f"{pad}    return False"]

    def enum_test(self, var: str, allowed: list[Any]) -> str:
        """True when `var` equals an allowed value of the same type (so True is not 1)."""
        by_type: dict[type, list[Any]] = {}
        for value in allowed:
            by_type.setdefault(type(value), []).append(value)
        tests = []
        for t, values in by_type.items():
            if t is _NONE:
                tests.append(f"{var} is None")
            elif t is bool:
                tests += [f"{var} is {v!r}" for v in dict.fromkeys(values)]
            elif t in (str, int) and len(values) == 1:
                tests.append(f"type({var}) is {t.__name__} and {var} == {values[0]!r}")
            elif t in (str, int):
                name = self.const("enum", f"{t.__name__}:{sorted(values)!r}", frozenset(values))
                tests.append(f"type({var}) is {t.__name__} and {var} in {name}")
            else:  # floats, lists, mappings: compared one by one
                name = self.const("enum", f"any:{values!r}", tuple(values))
                tests.append(f"_enum_match({var}, {name})")
        if len(tests) > 1:
            tests = [f"({t})" if " and " in t else t for t in tests]
        return " or ".join(tests) or "False"

    def string_part(self, schema: dict[str, Any], var: str, indent: int) -> list[str]:
        pad = "    " * indent
        conditions = []
        min_length = schema.get("minLength", 0)
        if min_length == 1:
            conditions.append(f"not {var}")
        elif min_length > 1:
            conditions.append(f"len({var}) < {min_length}")
        if "pattern" in schema:
            search = self.const("re", schema["pattern"], re.compile(schema["pattern"]).search)
            conditions.append(f"{search}({var}) is None")
        if "format" in schema:  # only "date" is understood
            conditions.append(f"not _is_date({var})")
        return [line for c in conditions for line in (f"{pad}if {c}:", f"{pad}    return False")]

    def number_part(self, schema: dict[str, Any], var: str, indent: int) -> list[str]:
        if "minimum" not in schema:
            return []
        pad = "    " * indent
        minimum = schema["minimum"]
        bound = (repr(minimum) if type(minimum) is int or math.isfinite(minimum)
                 else self.const("minimum", repr(minimum), minimum))
        return [f"{pad}if not {var} >= {bound}:", f"{pad}    return False"]  # NaN fails too

    def array_part(self, schema: dict[str, Any], var: str, indent: int) -> list[str]:
        pad = "    " * indent
        lines: list[str] = []
        min_items = schema.get("minItems", 0)
        if min_items >= 1:
            condition = f"not {var}" if min_items == 1 else f"len({var}) < {min_items}"
            lines += [f"{pad}if {condition}:", f"{pad}    return False"]
        if "items" in schema:
            item = f"i{self._fresh()}"
            body = self.sub(schema["items"], item, indent + 1)
            if body:
                lines += [f"{pad}for {item} in {var}:"] + body
        if schema.get("uniqueItems"):  # only lists of strings are understood
            if not self.asserts_string(schema.get("items")):
                item = f"u{self._fresh()}"
                lines += [f"{pad}for {item} in {var}:", f"{pad}    if type({item}) is not str:",
                          f"{pad}        return False"]
            lines += [f"{pad}if len(set({var})) != len({var}):", f"{pad}    return False"]
        return lines

    def object_part(self, schema: dict[str, Any], var: str, indent: int) -> list[str]:
        pad = "    " * indent
        lines: list[str] = []
        if schema.get("required"):
            missing = " or ".join(f"{k!r} not in {var}" for k in dict.fromkeys(schema["required"]))
            lines += [f"{pad}if {missing}:", f"{pad}    return False"]
        props: dict[str, Any] = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)  # for keys `properties` does not name
        names = schema.get("propertyNames", True)
        n = self._fresh()
        key, value = f"k{n}", f"v{n}"
        if _trivial(extra) and _trivial(names) and len(props) <= _CHAIN_MAX:
            # Only named properties matter: look each up rather than walk every key.
            for k, sub in props.items():
                body = self.sub(sub, value, indent + 1)
                if body:
                    lines += [f"{pad}if {k!r} in {var}:", f"{pad}    {value} = {var}[{k!r}]"] + body
            return lines
        inner = pad + "    "
        body = self.sub(names, key, indent + 1)
        if not props:
            body += self.sub(extra, value, indent + 1)
        elif len(props) <= _CHAIN_MAX:  # an if/elif chain on the key
            chain: list[str] = []
            checked = False
            for k, sub in props.items():
                test = self.sub(sub, value, indent + 2)
                checked = checked or bool(test)
                chain += [f"{inner}{'elif' if chain else 'if'} {key} == {k!r}:"]
                chain += test or [inner + "    pass"]
            otherwise = self.sub(extra, value, indent + 2)
            if otherwise:
                body += chain + [inner + "else:"] + otherwise
            elif checked:
                body += chain
        else:  # many properties: a dict from key to the function checking its value
            table, function = f"_props{n}", f"f{n}"
            entries = ", ".join(f"{k!r}: {self.helper(sub)}" for k, sub in props.items())
            self.tail.append(f"{table} = {{{entries}}}")
            body += [f"{inner}{function} = {table}.get({key})"]
            otherwise = self.sub(extra, value, indent + 2)
            if otherwise:
                body += [f"{inner}if {function} is None:"] + otherwise + [
                    f"{inner}elif not {function}({value}):", f"{inner}    return False"]
            else:
                body += [f"{inner}if {function} is not None and not {function}({value}):",
                         f"{inner}    return False"]
        if body:
            lines += [f"{pad}for {key}, {value} in {var}.items():"] + body
        return lines


def _build(schema: Any, filename: str = "<fast check>") -> Check:
    """The fast check of a whole schema document, compiled from generated source."""
    generator = _SchemaSource(schema)
    source = generator.source()
    namespace = generator.namespace
    exec(compile(source, filename, "exec"), namespace)
    return namespace["check"]  # type: ignore[no-any-return]


def fast_check_source(name: str) -> str:
    """The generated Python source of `fast_check(name)`, for reading and debugging."""
    return _SchemaSource(_schema(name)).source()


@cache
def fast_check(name: str) -> Check:
    """A predicate that is True only for documents valid against schemas/NAME.schema.json."""
    return _build(_schema(name), f"<fast check: {name}>")


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


def _kind(value: Any) -> str:
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


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
