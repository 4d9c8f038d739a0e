"""CEL `when` expressions of policy matches: compile with bounds, evaluate failing closed.

The engine is the `common-expression-language` package (Rust `cel` crate behind PyO3);
docs/cel.md says why. It is loaded on first use, so a run whose policies have no `when`
never loads it; the edge may hand over a cheaper-to-import copy (`use_engine`). Each
expression is compiled once per process, however often it is checked and evaluated.

Bounds (SPEC §6a), all checked before anything runs:
- an expression is at most MAX_CHARS characters and nests brackets at most MAX_DEPTH deep;
- comprehension macros (all, exists, exists_one, map, filter) nest at most MAX_MACRO_DEPTH;
- at evaluation, the worst-case iteration count (largest list in the context + 1) to the
  power of the macro nesting, times the number of macros, is at most MAX_COST.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from types import ModuleType
from typing import Any

from changegate.errors import CelError

MAX_CHARS = 2000
MAX_DEPTH = 32
MAX_MACRO_DEPTH = 2
MAX_COST = 5_000_000
MACROS = frozenset({"all", "exists", "exists_one", "map", "filter"})

NO_ENGINE = ("CEL `when` expressions need the 'common-expression-language' package "
             "(pip install common-expression-language)")

_engine: ModuleType | None = None


def use_engine(engine: ModuleType) -> None:
    """Compile and evaluate with `engine` (the extension module, with `compile` and
    `Context`) from now on. The edge hands over the bare extension (load/cel_engine.py):
    `import cel` also imports the package's command-line tool, ~200 ms. A process has one
    engine: the extension cannot be initialised twice."""
    global _engine
    if engine is not _engine:
        _engine = engine
        _program.cache_clear()


def _get_engine() -> ModuleType:
    """The engine given to `use_engine`, else the `cel` package as published."""
    if _engine is None:
        try:
            import cel
        except ImportError:
            raise CelError(NO_ENGINE) from None
        use_engine(cel)
    assert _engine is not None
    return _engine


@lru_cache(maxsize=4096)
def _program(expr: str) -> Any:
    """The engine's program for `expr`, compiled once per process: the loader checks every
    `when` and evaluation reuses the program. Errors are not cached (they are rare)."""
    return _get_engine().compile(expr)


# --------------------------------------------------------------------------- string helpers
# The engine's native library has contains/startsWith/endsWith/matches/size; these add the
# common cel-go `strings` extension functions users reach for.


def _str(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name}() expects a string, got {type(value).__name__}")
    return value


def _split(s: Any, sep: Any) -> list[str]:
    return _str(s, "split").split(_str(sep, "split")) if sep != "" else list(_str(s, "split"))


def _join(items: Any, sep: Any = "") -> str:
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise TypeError("join() expects a list of strings")
    return _str(sep, "join").join(items)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "lowerAscii": lambda s: "".join(c.lower() if c.isascii() else c for c in _str(s, "lowerAscii")),
    "upperAscii": lambda s: "".join(c.upper() if c.isascii() else c for c in _str(s, "upperAscii")),
    "trim": lambda s: _str(s, "trim").strip(),
    "split": _split,
    "join": _join,
    "replace": lambda s, old, new: _str(s, "replace").replace(_str(old, "replace"),
                                                              _str(new, "replace")),
}


# --------------------------------------------------------------------------- compile


@dataclass(frozen=True)
class CompiledWhen:
    """A compiled `when` expression and where it was written."""

    expr: str
    file: str
    line: int
    macro_depth: int
    macros: int
    program: Any = field(compare=False, repr=False)
    key: str = "when"  # the key path shown in messages, e.g. policies.0.match.when


def _shown(expr: str) -> str:
    flat = " ".join(expr.split())
    return repr(flat if len(flat) <= 120 else flat[:117] + "...")


def _called_method(expr: str, paren: int) -> str:
    """The name `x.NAME (` before the "(" at `paren`, or "" when it is no method call."""
    j = paren - 1
    while j >= 0 and expr[j].isspace():
        j -= 1
    end = j + 1
    while j >= 0 and (expr[j].isalnum() or expr[j] == "_"):
        j -= 1
    name = expr[j + 1:end]
    while j >= 0 and expr[j].isspace():
        j -= 1
    return name if name and j >= 0 and expr[j] == "." else ""


@lru_cache(maxsize=4096)
def _scan(expr: str) -> tuple[int, int, int]:
    """(bracket depth, macro nesting depth, macro count) of `expr`, skipping string literals."""
    depth = max_depth = macro_depth = max_macro = macros = 0
    stack: list[bool] = []  # one entry per open bracket: is it a macro call's "("?
    i, n = 0, len(expr)
    while i < n:
        ch = expr[i]
        if ch in "\"'":
            raw = i > 0 and expr[i - 1] in "rR"
            quote = expr[i:i + 3] if expr[i:i + 3] == ch * 3 else ch
            i += len(quote)
            while i < n and not expr.startswith(quote, i):
                i += 2 if expr[i] == "\\" and not raw else 1
            i += len(quote)
            continue
        if ch in "([{":
            is_macro = False
            if ch == "(":
                is_macro = _called_method(expr, i) in MACROS
            stack.append(is_macro)
            depth += 1
            max_depth = max(max_depth, depth)
            if is_macro:
                macros += 1
                macro_depth += 1
                max_macro = max(max_macro, macro_depth)
        elif ch in ")]}" and stack:
            if stack.pop():
                macro_depth -= 1
            depth -= 1
        i += 1
    return max_depth, max_macro, macros


def _syntax_detail(message: str) -> str:
    found = re.search(r"ERROR: <input>:(\d+):(\d+): (?:Syntax error: )?([^\n]*)", message)
    if not found:
        return " ".join(message.split())
    row, col, what = found.groups()
    where = f"column {col}" if row == "1" else f"line {row} column {col} of the expression"
    return f"{what} at {where}"


def compile_when(expr: str, file: str, line: int, key: str = "when") -> CompiledWhen:
    """Compile a policy's `when`; CelError (at file:line) when it is too large or invalid."""
    if not isinstance(expr, str) or not expr.strip():
        raise CelError(f"{key}: an empty CEL expression", file, line)
    if len(expr) > MAX_CHARS:
        raise CelError(f"{key}: the CEL expression is {len(expr)} characters long; the bound "
                       f"is {MAX_CHARS}", file, line)
    depth, macro_depth, macros = _scan(expr)
    if depth > MAX_DEPTH:
        raise CelError(f"{key}: brackets nest {depth} deep in {_shown(expr)}; the bound is "
                       f"{MAX_DEPTH}", file, line)
    if macro_depth > MAX_MACRO_DEPTH:
        raise CelError(f"{key}: macros (all, exists, exists_one, map, filter) nest "
                       f"{macro_depth} deep in {_shown(expr)}; the bound is {MAX_MACRO_DEPTH}",
                       file, line)
    try:
        program = _program(expr)
    except CelError:
        raise
    except Exception as exc:  # the engine raises ValueError; anything else is no better
        raise CelError(f"{key}: invalid CEL {_shown(expr)}: {_syntax_detail(str(exc))}",
                       file, line) from None
    return CompiledWhen(expr=expr, file=file, line=line, macro_depth=macro_depth,
                        macros=macros, program=program, key=key)


# --------------------------------------------------------------------------- evaluate


def _plain(value: Any) -> Any:
    """`value` as the engine takes it: lists for tuples and sets, ISO strings for dates."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return [_plain(v) for v in sorted(value, key=str)]
    if isinstance(value, _dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=_dt.UTC)
    if isinstance(value, _dt.date):
        return value.isoformat()
    if value is None or isinstance(value, (bool, int, float, str, bytes)):
        return value
    return str(value)


def _largest_collection(value: Any) -> int:
    largest = 0
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            largest = max(largest, len(item))
            pending.extend(item.values())
        elif isinstance(item, list):
            largest = max(largest, len(item))
            pending.extend(item)
    return largest


def _runtime_detail(exc: BaseException) -> str:
    if isinstance(exc, KeyError):
        return f"no such key: {exc.args[0] if exc.args else ''}"
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text.split(". Check that")[0]


class Variables:
    """A `when` context converted for the engine once, to evaluate many expressions against:
    the plain values, their largest collection (for the cost bound) and the engine's own
    context are each built on first use and then reused."""

    def __init__(self, context: dict[str, Any]) -> None:
        self.plain: dict[str, Any] = _plain(context)
        self._largest: int | None = None
        self._engine_context: Any = None

    def largest_collection(self) -> int:
        """The size of the largest list or map anywhere in the variables."""
        if self._largest is None:
            self._largest = _largest_collection(self.plain)
        return self._largest

    def engine_context(self) -> Any:
        """The engine's Context; it converts the variables on its first evaluation and keeps
        them for the next ones (nothing here modifies it afterwards)."""
        if self._engine_context is None:
            self._engine_context = _get_engine().Context(variables=self.plain,
                                                          functions=FUNCTIONS)
        return self._engine_context


def evaluate(compiled: CompiledWhen, context: dict[str, Any] | Variables) -> bool:
    """True or False for `context` (a dict of variables, or `Variables` prepared once for
    many expressions); CelError (naming file:line and the expression) when the result is not
    a bool, the evaluation fails, or its cost bound is exceeded."""
    where = f"{compiled.key}: {_shown(compiled.expr)}"
    variables = context if isinstance(context, Variables) else Variables(context)
    if compiled.macro_depth:
        cost = (variables.largest_collection() + 1) ** compiled.macro_depth * compiled.macros
        if cost > MAX_COST:
            raise CelError(f"{where}: evaluation could take {cost} steps on this change; the "
                           f"bound is {MAX_COST}", compiled.file, compiled.line)
    try:
        result = compiled.program.execute(variables.engine_context())
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:
        raise CelError(f"{where} cannot be evaluated: {_runtime_detail(exc)}",
                       compiled.file, compiled.line) from None
    if not isinstance(result, bool):
        raise CelError(f"{where} gave {type(result).__name__} {result!r:.80}, not true or false",
                       compiled.file, compiled.line)
    return result
