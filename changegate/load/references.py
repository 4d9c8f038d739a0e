"""Checking what a gate file refers to: ids that must be defined elsewhere (with a "did you
mean" hint when one is close) and path patterns that must compile."""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable

from changegate.errors import BrokenReferenceError, InputError
from changegate.load.lines import Lines, PathKey
from changegate.load.schema import dotted


def _hint(value: str, known: Collection[str], what: str) -> str:
    """A hint for an unknown `value`: the closest known one, the few known ones, or none."""
    if not known:
        return f" (the map defines no {what}s)"
    close = difflib.get_close_matches(value, list(known), n=1)
    if close:
        return f" (did you mean {close[0]!r}?)"
    if len(known) <= 8:
        return f" (known: {', '.join(sorted(known))})"
    return ""


def check_ref(
    errors: list[InputError], value: str, known: Collection[str], what: str, file: str,
    lines: Lines, at: PathKey, note: str = "",
) -> None:
    """Add an error when `value` (at `at`) is not one of `known` (`note` ends the message)."""
    if value not in known:
        errors.append(BrokenReferenceError(
            f"{dotted(at)}: unknown {what} {value!r}{_hint(value, known, what)}{note}", file, lines.line(at)))


def check_refs(
    errors: list[InputError], values: Iterable[str], known: Collection[str], what: str,
    file: str, lines: Lines, path: PathKey,
) -> None:
    """`check_ref` for each item of the list at `path`."""
    for index, value in enumerate(values):
        check_ref(errors, value, known, what, file, lines, path + (index,))


def check_patterns(
    errors: list[InputError], patterns: Iterable[str], file: str, lines: Lines, path: PathKey
) -> None:
    """Add an error for each path pattern of the list at `path` that does not compile."""
    from changegate.core.paths import pattern_error

    for index, pattern in enumerate(patterns):
        problem = pattern_error(pattern)
        if problem:
            at = path + (index,)
            errors.append(InputError(f"{dotted(at)}: {problem}", file, lines.line(at)))
