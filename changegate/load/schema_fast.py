"""The fast schema check: a predicate compiled from a JSON Schema that answers True only for
documents valid against it, so jsonschema (thorough, slow, ~60 ms to import) only runs to
explain a document that fails. It knows the keywords our schemas use; anything else, or any
doubt, answers False and jsonschema decides, so messages always come from jsonschema.

The predicate is Python source generated from the schema and exec'd once per process: inline
type tests, precompiled regexes, plain `for` loops, `return False` at the first failure — no
call or generator frame per keyword per value. `check_source` shows the code;
docs/performance.md has the measurements that keep it.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Callable
from typing import Any

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
_DEFS = "#/$defs/"
_INLINE_WEIGHT = 200  # a $ref to a def bigger than this (refs expanded; recursive = ∞) is a call
MAX_INDENT = 12  # sub-schemas nested deeper than this become functions of their own
CHAIN_MAX = 16  # up to this many properties: an if/elif chain on the key; more: a dict lookup
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def is_date(value: str) -> bool:
    """Whether `value` is a real date written YYYY-MM-DD (JSON Schema's `format: date`)."""
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
        if ((keyword in ("minLength", "minItems") and type(arg) is not int)
                or (keyword == "minimum" and type(arg) not in (int, float))
                or (keyword == "format" and arg != "date")
                or (keyword == "properties" and not isinstance(arg, dict))):
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


def _fail_if(pad: str, condition: str) -> list[str]:
    return [f"{pad}if {condition}:", f"{pad}    return False"]


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
        self.namespace: dict[str, Any] = {"is_date": is_date, "_enum_match": _enum_match}
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

    def check(self, schema: Any, var: str, indent: int) -> list[str]:
        """Statements that return False unless `var` is valid against `schema`."""
        pad = "    " * indent
        if schema is True:
            return []
        if not isinstance(schema, dict) or not _understood(schema):
            return [pad + "return False"]
        lines: list[str] = []
        known: frozenset[type] | None = None  # the Python types `var` can have past `type`
        if "type" in schema:
            names = [schema["type"]] if isinstance(schema["type"], str) else schema["type"]
            known = frozenset(t for n in names for t in _PY_TYPES[n])
            if not known:
                return [pad + "return False"]
            lines += _fail_if(pad, _type_test(var, known, negate=True))
        if "enum" in schema:
            lines += _fail_if(pad, f"not ({self.enum_test(var, schema['enum'])})")
        if "$ref" in schema:
            lines += self.ref(schema["$ref"][len(_DEFS):], var, indent)
        if "anyOf" in schema:
            calls = [f"{self.helper(s)}({var})" for s in schema["anyOf"]]
            lines += _fail_if(pad, f"not ({' or '.join(calls)})" if calls else "True")
        if "oneOf" in schema:
            # Exactly one branch passing is only proof when the others really fail; the oneOf
            # branches of our schemas are exclusive by type or by required key, so they do.
            calls = [f"{self.helper(s)}({var})" for s in schema["oneOf"]]
            lines += _fail_if(pad, " + ".join(calls) + " != 1" if calls else "True")
        for kind, part in (("string", self.string_part), ("number", self.number_part),
                           ("array", self.array_part), ("object", self.object_part)):
            types = _PY_TYPES[kind]
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
        if indent <= MAX_INDENT:
            return self.check(schema, var, indent)
        return _fail_if("    " * indent, f"not {self.helper(schema)}({var})")

    def ref(self, name: str, var: str, indent: int) -> list[str]:
        pad = "    " * indent
        if name not in self.defs:
            return [pad + "return False"]
        if indent <= MAX_INDENT and self.def_weight(name) <= _INLINE_WEIGHT:
            return self.check(self.defs[name], var, indent)
        return _fail_if(pad, f"not {self.def_function(name)}({var})")

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
            conditions.append(f"not is_date({var})")
        return [line for c in conditions for line in _fail_if(pad, c)]

    def number_part(self, schema: dict[str, Any], var: str, indent: int) -> list[str]:
        if "minimum" not in schema:
            return []
        pad = "    " * indent
        minimum = schema["minimum"]
        bound = (repr(minimum) if type(minimum) is int or math.isfinite(minimum)
                 else self.const("minimum", repr(minimum), minimum))
        return _fail_if(pad, f"not {var} >= {bound}")  # NaN fails too

    def array_part(self, schema: dict[str, Any], var: str, indent: int) -> list[str]:
        pad = "    " * indent
        lines: list[str] = []
        min_items = schema.get("minItems", 0)
        if min_items >= 1:
            condition = f"not {var}" if min_items == 1 else f"len({var}) < {min_items}"
            lines += _fail_if(pad, condition)
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
            lines += _fail_if(pad, f"len(set({var})) != len({var})")
        return lines

    def object_part(self, schema: dict[str, Any], var: str, indent: int) -> list[str]:
        pad = "    " * indent
        lines: list[str] = []
        if schema.get("required"):
            missing = " or ".join(f"{k!r} not in {var}" for k in dict.fromkeys(schema["required"]))
            lines += _fail_if(pad, missing)
        props: dict[str, Any] = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)  # for keys `properties` does not name
        names = schema.get("propertyNames", True)
        n = self._fresh()
        key, value = f"k{n}", f"v{n}"
        if _trivial(extra) and _trivial(names) and len(props) <= CHAIN_MAX:
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
        elif len(props) <= CHAIN_MAX:  # an if/elif chain on the key
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
                body += [f"{inner}if {function} is None:", *otherwise, f"{inner}elif not {function}({value}):",
                         f"{inner}    return False"]
            else:
                body += _fail_if(inner, f"{function} is not None and not {function}({value})")
        if body:
            lines += [f"{pad}for {key}, {value} in {var}.items():"] + body
        return lines


def compile_check(schema: Any, filename: str = "<fast check>") -> Check:
    """The fast check of a whole schema document, compiled from generated source."""
    generator = _SchemaSource(schema)
    exec(compile(generator.source(), filename, "exec"), generator.namespace)
    return generator.namespace["check"]  # type: ignore[no-any-return]


def check_source(schema: Any) -> str:
    """The generated Python source of `compile_check(schema)`, for reading and debugging."""
    return _SchemaSource(schema).source()
