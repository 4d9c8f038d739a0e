"""Path matching with .gitignore / CODEOWNERS (gitwildmatch) semantics, indexed for speed.

Each owner (a component, an interface, …) has an ordered list of patterns. A file belongs
to an owner when the *last* of that owner's patterns that matches the file is not a
negation (``!x``). The glob semantics are pathspec's (each pattern is translated to a
regular expression by ``pathspec``); this module only decides which patterns to try.

`PathIndex` avoids the linear scan "every file against every pattern": it files each
pattern, once, under one literal anchor it has —

* an anchored pattern with literal leading directories (``services/crm/**``, ``/README.md``)
  under that prefix; a file tries it only when one of its own path prefixes is that prefix;
* otherwise a pattern with a fully literal segment (``**/node_modules/**``, ``Makefile``)
  under that segment name; a file tries it only when one of its segments has that name;
* otherwise a pattern with a literal extension (``*.py``, ``**/*.tar.gz``) under the
  extension; a file tries it only when one of its segments ends in that extension;
* the rest (``*``, ``**/``, ``[ab]*/x?``) in a small residual list every file tries.

When a pattern has several anchors it goes under the one fewest patterns share.

Each anchor is a necessary condition for a match, so the candidates are a superset of the
matching patterns and the answers are exactly those of a full scan. Patterns are translated
and compiled lazily, the first time a file selects them, so building the index is cheap;
the commonest shapes (``a/b``, ``a/b/``, ``a/b/**``, ``name``, ``*.ext``, ``**/*.ext``) need
no regex at all once their anchor selected the file.

A pattern pathspec rejects (``!`` alone, a trailing backslash) raises InputError when first
used; loaders should check each pattern with `pattern_error` to report its file and line.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from itertools import chain

from changegate.errors import InputError

_GLOB = re.compile(r"[*?\[\]\\]")

# What a compiled pattern is: (regex or None for a no-op pattern, include).
_Compiled = tuple["re.Pattern[str] | None", bool]


def normalize_path(path: str) -> str:
    """A repository-relative POSIX path as pathspec sees it (no leading ``/`` or ``./``)."""
    if path.startswith("/"):
        return path[1:]
    if path.startswith("./"):
        return path[2:]
    return path


@lru_cache(maxsize=65536)
def _compile(pattern: str) -> _Compiled:
    """Translate one gitwildmatch pattern with pathspec; raise InputError when invalid."""
    try:  # lazy: pathspec costs ~20 ms to import, and most commands match few patterns
        from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern as Pattern
    except ImportError:  # pragma: no cover - pathspec 0.12
        from pathspec.patterns.gitwildmatch import (  # type: ignore[no-redef]
            GitWildMatchPattern as Pattern,
        )
    try:
        regex, include = Pattern.pattern_to_regex(pattern)
    except ValueError as exc:  # pathspec's GitIgnorePatternError is a ValueError
        raise InputError(f"invalid path pattern {pattern!r}: {exc}") from None
    if regex is None or include is None:  # blank, comment, "/", bad range: matches nothing
        return (None, True)
    return (re.compile(regex), include)


def pattern_error(pattern: str) -> str | None:
    """Why `pattern` is not a valid gitwildmatch pattern, or None when it is (for loaders)."""
    try:
        _compile(pattern)
    except InputError as exc:
        return exc.message
    return None


def matches_any(patterns: Sequence[str], path: str) -> bool:
    """Whether `path` matches the pattern list: the last pattern matching it is not a
    negation (so ``["docs/**", "!docs/internal/**"]`` works as in .gitignore)."""
    path = normalize_path(path)
    for pattern in reversed(patterns):
        regex, include = _compile(pattern)
        if regex is not None and regex.search(path) is not None:
            return include
    return False


PREFIX, NAME, EXT = 0, 1, 2  # anchor kinds, in order of preference on a tie
# Shortcuts for the commonest shapes, valid once the pattern's only anchor selected the path:
REGEX, ALWAYS, LONGER = 0, 1, 2  # run the regex | it matches | it matches when len(path) > len(key)

Anchor = tuple[int, str]
# (anchors, shortcut, include); None for a blank line or comment.
Shape = tuple[list[Anchor], int, bool]


def _shape(pattern: str) -> Shape | None:
    """Every literal anchor of `pattern`, each a necessary condition for a match:
    (PREFIX, leading literal directories) for an anchored pattern, (NAME, segment) for each
    other fully literal segment, (EXT, extension) for each segment ending in a literal
    extension; plus a shortcut when the pattern's only anchor decides the match. Mirrors
    pathspec's normalisation; a segment with any glob syntax or escape counts as
    non-literal, which only ever makes the anchors fewer, never wrong."""
    text = pattern if pattern.endswith("\\ ") else pattern.rstrip()
    if not text or text[0] == "#" or text == "/":
        return None
    include = text[0] != "!"
    if not include:
        text = text[1:]
    if text[:1] == "/":
        text = text[1:]
        anchored = True
    else:
        # One segment (optionally with a trailing slash) matches at any depth.
        slash = text.find("/")
        anchored = 0 <= slash < len(text) - 1
    glob = _GLOB.search(text)
    if glob is None:  # a literal path or name: nothing is more selective
        literal = text.rstrip("/")
        if not literal:
            return ([], REGEX, include)
        if literal == text:  # "a/b" and "name" match the path or anything under it
            return ([(PREFIX if anchored else NAME, literal)], ALWAYS, include)
        if anchored:  # "a/b/" matches only what is under it
            return ([(PREFIX, literal)], LONGER, include)
        return ([(NAME, literal)], REGEX, include)
    out: list[Anchor] = []
    start = 0
    shortcut = REGEX
    if anchored:
        cut = text.rfind("/", 0, glob.start())
        if cut > 0:
            # The prefix implies its own segments, so only later segments add anchors.
            out.append((PREFIX, text[:cut]))
            start = cut + 1
            if text[start:] == "**":  # "a/b/**"
                shortcut = LONGER
    for segment in text[start:].split("/"):
        if not segment or segment == "**":
            continue
        if _GLOB.search(segment) is None:
            out.append((NAME, segment))
            continue
        dot = segment.rfind(".")
        if dot >= 0:
            ext = segment[dot + 1 :]
            if ext and _GLOB.search(ext) is None:
                out.append((EXT, ext))
                if segment == "*." + ext and (text == "**/" + segment or text == segment and not anchored):
                    shortcut = ALWAYS  # "*.py" or "**/*.py": some segment ends in ".py"
    return (out, shortcut if len(out) == 1 else REGEX, include)


def _rarest(found: list[Anchor], popularity: Counter[Anchor]) -> Anchor:
    return min(found, key=lambda a: (popularity[a], a[0], -len(a[1]), a[1]))


class PathIndex:
    """Owner id -> gitwildmatch patterns, indexed once; `match` answers which owners
    claim a path, exactly as a full per-owner last-match-wins scan would."""

    def __init__(self, owners: Mapping[str, Sequence[str]]) -> None:
        # Per distinct pattern text: (pattern, shortcut, length of its anchor key, include).
        self._patterns: list[tuple[str, int, int, bool]] = []
        # Per pattern occurrence ("entry"), as parallel lists: owner, position in the
        # owner's list, distinct-pattern number. Few objects: building stays cheap.
        self._owner: list[str] = []
        self._position: list[int] = []
        self._pattern: list[int] = []
        self._by_prefix: dict[str, list[int]] = {}
        self._by_name: dict[str, list[int]] = {}
        self._by_ext: dict[str, list[int]] = {}
        self._residual: list[int] = []
        number: dict[str, int] = {}
        shapes: list[Shape | None] = []
        for owner in sorted(owners):
            for position, pattern in enumerate(owners[owner]):
                pid = number.get(pattern)
                if pid is None:
                    pid = number[pattern] = len(shapes)
                    shapes.append(_shape(pattern))
                self._owner.append(owner)
                self._position.append(position)
                self._pattern.append(pid)
        popularity = Counter(chain.from_iterable(shape[0] for shape in shapes if shape is not None))
        # Where each distinct pattern goes: (table, key), None = residual, False = nowhere.
        tables = (self._by_prefix, self._by_name, self._by_ext)
        places: list[tuple[dict[str, list[int]], str] | bool | None] = []
        for pattern, shape in zip(number, shapes):
            if shape is None:  # blank line or comment: matches nothing
                places.append(False)
                self._patterns.append((pattern, REGEX, 0, True))
                continue
            found, shortcut, include = shape
            if not found:
                places.append(None)
                self._patterns.append((pattern, REGEX, 0, include))
                continue
            # The rarest anchor: the fewest other patterns share that bucket.
            kind, key = found[0] if len(found) == 1 else _rarest(found, popularity)
            places.append((tables[kind], key))
            self._patterns.append((pattern, shortcut, len(key), include))
        residual = self._residual
        for entry, pid in enumerate(self._pattern):
            place = places[pid]
            if place is None:
                residual.append(entry)
            elif place is not False:
                table, key = place  # type: ignore[misc]
                bucket = table.get(key)
                if bucket is None:
                    table[key] = [entry]
                else:
                    bucket.append(entry)

    def __len__(self) -> int:
        return len(self._owner)

    def _candidates(self, path: str) -> set[int]:
        found: set[int] = set(self._residual)
        by_prefix, by_name, by_ext = self._by_prefix, self._by_name, self._by_ext
        end = -1
        for segment in path.split("/"):
            end += len(segment) + 1
            hit = by_prefix.get(path[:end])
            if hit:
                found.update(hit)
            hit = by_name.get(segment)
            if hit:
                found.update(hit)
            dot = segment.rfind(".")
            if dot >= 0:
                hit = by_ext.get(segment[dot + 1 :])
                if hit:
                    found.update(hit)
        return found

    def match(self, path: str) -> tuple[str, ...]:
        """The owner ids (sorted) whose pattern lists claim `path`."""
        path = normalize_path(path)
        decided: dict[str, tuple[int, bool]] = {}
        owners, positions, numbers, patterns = self._owner, self._position, self._pattern, self._patterns
        for entry in self._candidates(path):
            owner, position = owners[entry], positions[entry]
            best = decided.get(owner)
            if best is not None and best[0] > position:
                continue
            pattern, shortcut, key_len, include = patterns[numbers[entry]]
            if shortcut == ALWAYS:
                hit = True
            elif shortcut == LONGER:
                hit = len(path) > key_len
            else:
                regex, include = _compile(pattern)
                hit = regex is not None and regex.search(path) is not None
            if hit:
                decided[owner] = (position, include)
        return tuple(sorted(owner for owner, (_, include) in decided.items() if include))

    def match_all(self, files: Iterable[str]) -> dict[str, tuple[str, ...]]:
        """`match` for every file: file -> owner ids (sorted; empty when none)."""
        return {file: self.match(file) for file in files}
