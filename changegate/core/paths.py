"""Path matching with .gitignore semantics (as git itself matches), indexed for speed.

Each owner (a component, an interface, …) has an ordered list of patterns. A file belongs
to an owner when the *last* of that owner's patterns that matches the file is not a
negation (``!x``). What one pattern means is `wildmatch`'s (git's rules, translated to a
regular expression); this module only decides which patterns to try.

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
matching patterns and the answers are exactly those of a full scan. Regexes are compiled
lazily, the first time a file selects them, so building the index is cheap; the commonest
shapes (``a/b``, ``a/b/``, ``a/b/**``, ``name``, ``*.ext``, ``**/*.ext``) need no regex at
all once their anchor selected the file. A pattern filed under its literal prefix ``P``
runs only the regex of what follows ``P`` (the regex for ``X<tail>`` minus ``^X``),
from the end of ``P``: ``a/*.py`` and ``b/c/*.py`` share one compiled regex, so 40,000
patterns of a few shapes compile a handful of regexes, not 40,000.

A pattern `wildmatch` rejects (one git would never match: ``!`` alone, a trailing
backslash, an unclosed ``[``, an unknown ``[:class:]``) raises InputError when first used;
loaders check each pattern with `pattern_error` to report its file and line. Paths and
patterns are compared as git compares them, byte for byte (`git_text`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from functools import lru_cache
from itertools import chain

from changegate.core.wildmatch import git_text, odd_double_star, pattern_regex, trim
from changegate.errors import InputError

_GLOB = re.compile(r"[*?\[\]\\]")

# What a compiled pattern is: (regex or None for a no-op pattern, include).
_Compiled = tuple["re.Pattern[str] | None", bool]


#: What a directory entry ``D/`` (a submodule's gitlink) is matched as: ``D/`` and a name
#: no real path has (git paths hold no NUL). A pattern claims it when it claims the directory
#: ``D`` itself (``D``, ``D/``) or every name directly in it (``D/**``, ``D/*``), never
#: for one file's name (``D/README``, ``*.c``); last match wins as for a file.
DIRECTORY_PROBE = "\x00"


def normalize_path(path: str) -> str:
    """A repository-relative POSIX path (no leading ``/`` or ``./``); a directory entry
    ``D/`` becomes the path it is matched as (`DIRECTORY_PROBE`)."""
    if path.startswith("/"):
        path = path[1:]
    elif path.startswith("./"):
        path = path[2:]
    if path.endswith("/") and len(path) > 1:
        return path + DIRECTORY_PROBE
    return path


@lru_cache(maxsize=65536)
def _compile(pattern: str) -> _Compiled:
    """git's meaning of one pattern (`wildmatch`); raise InputError when it is rejected."""
    try:
        regex, include = pattern_regex(git_text(pattern))
    except ValueError as exc:
        raise InputError(f"invalid path pattern {pattern!r}: {exc}") from None
    if regex is None:  # blank, comment, "/": matches nothing
        return (None, True)
    return (re.compile(regex), include)


def pattern_error(pattern: str) -> str | None:
    """Why `pattern` is not a pattern git can match, or None when it is (for loaders)."""
    try:
        _compile(pattern)
    except InputError as exc:
        return exc.message
    return None


def matches_any(patterns: Sequence[str], path: str) -> bool:
    """Whether `path` matches the pattern list: the last pattern matching it is not a
    negation (so ``["docs/**", "!docs/internal/**"]`` works as in .gitignore)."""
    path = git_text(normalize_path(path))
    for pattern in reversed(patterns):
        regex, include = _compile(pattern)
        if regex is not None and regex.search(path) is not None:
            return include
    return False


PREFIX, NAME, EXT = 0, 1, 2  # anchor kinds, in order of preference on a tie
# How an entry decides once its anchor selected the path:
ALWAYS, LONGER, TAIL, REGEX = 0, 1, 2, 3
# ALWAYS: it matches | LONGER: it matches when len(path) > len(anchor key) | TAIL: the
# regex of the text after a literal prefix (one per distinct tail), run from the end of
# the prefix | REGEX: the whole pattern's regex, searched.

Anchor = tuple[int, str]
# (anchors, how, its text, include): (how, text) is how the pattern decides when it is
# filed under its first anchor; under any other it runs its whole regex.
Shape = tuple[list[Anchor], int, str, bool]


def _body(pattern: str) -> tuple[str, bool, bool] | None:
    """The pattern text git matches (trailing spaces, ``!`` and a leading ``/``
    removed), whether it includes and whether it had that ``/``; None for a blank line,
    comment or lone ``/``."""
    text = trim(pattern)
    if not text or text[0] == "#" or text == "/":
        return None
    include = text[0] != "!"
    if not include:
        text = text[1:]
    if text[:1] == "/":
        return text[1:], include, True
    return text, include, False


def _after_prefix(prefix: str, tail: str, pattern: str) -> tuple[int, str]:
    """How a pattern ``prefix + tail`` decides a path that starts with `prefix`."""
    if not tail:  # "a/b": the path or anything under it
        return (ALWAYS, "")
    if "//" in prefix or prefix[:1] == "/":  # an empty directory name: leave it to the regex
        return (REGEX, pattern)
    if tail == "/" or tail == "/**":  # "a/b/", "a/b/**": anything under it
        return (LONGER, "")
    return (TAIL, tail)


def _shape(pattern: str) -> Shape | None:
    """Every literal anchor of `pattern`, each a necessary condition for a match:
    (PREFIX, leading literal directories) for an anchored pattern, (NAME, segment) for each
    other fully literal segment, (EXT, extension) for each segment ending in a literal
    extension; and how the pattern decides under its first anchor. Mirrors git's
    normalisation (`wildmatch.pattern_regex`); a segment with any glob syntax or escape counts as non-literal, which
    only ever makes the anchors fewer, never wrong."""
    if "[" in pattern and _slash_in_brackets(pattern):
        # "[x/abc/y]" is one character: its "/" separates no segments, so "abc" is no anchor
        # (found by the fuzz target: the index missed what git and the reference match)
        body = _body(pattern)
        return None if body is None else ([], REGEX, pattern, body[1])
    if pattern[:1] not in ("!", "/", "#", "") and not pattern[-1].isspace():
        # Fast paths for the commonest shapes, "a/b/**" and "a/b/*.ext".
        glob = _GLOB.search(pattern)
        if glob is None:  # a literal path or name (as below, without `_body`'s work)
            literal = pattern.rstrip("/")
            slash = pattern.find("/")
            if 0 <= slash < len(pattern) - 1:  # anchored
                return ([(PREFIX, literal)], *_after_prefix(literal, pattern[len(literal) :], pattern), True)
            if literal == pattern:
                return ([(NAME, literal)], ALWAYS, "", True)
            return ([(NAME, literal)], REGEX, pattern, True)
        else:
            start = glob.start()
            if start > 1 and pattern[start - 1] == "/" and "//" not in pattern:
                anchors, how, arg = _rest_shape(pattern[start:])
                return ([(PREFIX, pattern[: start - 1]), *anchors], how, arg, True)
    body = _body(pattern)
    if body is None:
        return None
    text, include, anchored = body
    if not anchored:
        # One segment (optionally with a trailing slash) matches at any depth.
        slash = text.find("/")
        anchored = 0 <= slash < len(text) - 1
    if anchored and odd_double_star(text):  # "ab**/c" also matches "abc": no anchor holds
        return ([], REGEX, pattern, include)
    glob = _GLOB.search(text)
    if glob is None:  # a literal path or name: nothing is more selective
        literal = text.rstrip("/")
        if not literal:
            return ([], REGEX, pattern, include)
        if anchored:  # "a/b" matches it and what is under it, "a/b/" only what is under
            return ([(PREFIX, literal)], *_after_prefix(literal, text[len(literal) :], pattern), include)
        if literal == text:  # "name" matches any segment so named, and what is under it
            return ([(NAME, literal)], ALWAYS, "", include)
        return ([(NAME, literal)], REGEX, pattern, include)
    out: list[Anchor] = []
    start = 0
    how, arg = REGEX, pattern
    if anchored:
        cut = text.rfind("/", 0, glob.start())
        if cut > 0:
            # The prefix implies its own segments, so only later segments add anchors.
            out.append((PREFIX, text[:cut]))
            how, arg = _after_prefix(text[:cut], text[cut:], pattern)
            start = cut + 1
    _segment_anchors(text[start:], out)
    if len(out) == 1 and not start and out[0][0] == EXT:
        ext = out[0][1]
        if (text == "*." + ext and not anchored) or text == "**/*." + ext:
            how, arg = ALWAYS, ""  # "*.py" or "**/*.py": some segment ends in ".py"
    if len(out) > 1 and out[0][0] != PREFIX:
        how, arg = REGEX, pattern
    return (out, how, arg, include)


def _slash_in_brackets(text: str) -> bool:
    """Whether a bracket expression of `text` may hold a "/": some segment's last "[" has no
    "]" after it that could close it (a "]" right after "[", "[!" or "[^" is literal). An
    escaped "[" counts too, which only ever costs the index an anchor."""
    for segment in text.split("/")[:-1]:
        start = segment.rfind("[")
        if start < 0:
            continue
        first = start + (2 if segment[start + 1 : start + 2] in ("!", "^") else 1)
        if segment.find("]", first + 1) < 0:
            return True
    return False


def _segment_anchors(text: str, out: list[Anchor]) -> list[Anchor]:
    """`out` with a NAME anchor for each literal segment of `text` and an EXT anchor for
    each other segment ending in a literal extension."""
    for segment in text.split("/"):
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
    return out


@lru_cache(maxsize=4096)
def _rest_shape(rest: str) -> tuple[tuple[Anchor, ...], int, str]:
    """For `_shape`'s fast path: the anchors after the literal prefix of a pattern
    ``prefix/<rest>`` (`rest` starting at its first glob character) and how it decides.
    Many patterns share their rest (``**``, ``*.yaml``, ``**/*.tsx``), so it is cached."""
    if rest == "**":  # "a/b/**"
        return ((), LONGER, "")
    if rest[:2] == "*." and "/" not in rest and _GLOB.search(rest, 1) is None:
        ext = rest[rest.rfind(".") + 1 :]
        if ext:  # "a/b/*.ext"
            return (((EXT, ext),), TAIL, "/" + rest)
    return (tuple(_segment_anchors(rest, [])), TAIL, "/" + rest)


@lru_cache(maxsize=4096)
def _tail(tail: str) -> re.Pattern[str] | None:
    """The regex for what follows a literal prefix ``P`` in a pattern ``P<tail>``, to run
    from the end of ``P``: the regex for ``X<tail>`` without its ``^X``, so one regex
    serves every prefix with that tail. None when it is rejected or it is not of that
    form (the caller then uses the whole pattern's regex)."""
    try:
        regex, _ = pattern_regex("X" + tail)
    except ValueError:
        return None
    if regex is None or not regex.startswith("^X"):
        return None
    return re.compile(regex[2:])


# One pattern occurrence: (owner, position in the owner's list, how, anchor key length,
# text for `how`, pattern, include).
_Entry = tuple[str, int, int, int, str, str, bool]


class PathIndex:
    """Owner id -> .gitignore patterns, indexed once; `match` answers which owners
    claim a path, exactly as a full per-owner last-match-wins scan would."""

    def __init__(self, owners: Mapping[str, Sequence[str]]) -> None:
        self._by_prefix: dict[str, list[_Entry]] = {}
        self._by_name: dict[str, list[_Entry]] = {}
        self._by_ext: dict[str, list[_Entry]] = {}
        self._residual: list[_Entry] = []
        order = sorted(owners)
        self._size = sum(len(owners[owner]) for owner in order)
        self._build(owners, order)

    def _build(self, owners: Mapping[str, Sequence[str]], order: list[str]) -> None:
        shapes = {pattern: _shape(git_text(pattern)) for owner in order for pattern in owners[owner]}
        popularity = Counter(chain.from_iterable(shape[0] for shape in shapes.values() if shape))
        count = popularity.__getitem__
        tables = (self._by_prefix, self._by_name, self._by_ext)
        residual = self._residual
        for owner in order:
            for position, pattern in enumerate(owners[owner]):
                shape = shapes[pattern]
                if shape is None:  # blank line or comment: matches nothing
                    continue
                found, how, arg, include = shape
                if not found:
                    residual.append((owner, position, REGEX, 0, pattern, pattern, include))
                    continue
                anchor = found[0]
                # the rarest anchor: the fewest other patterns share it (a PREFIX anchor that
                # only this pattern has cannot be beaten: no count is lower, and PREFIX wins ties)
                if len(found) > 1 and ((least := count(anchor)) > 1 or anchor[0] != PREFIX):
                    for other in found[1:]:
                        seen = count(other)
                        if seen < least or (seen == least and (other[0], -len(other[1]), other[1]) < (
                            anchor[0], -len(anchor[1]), anchor[1]
                        )):
                            anchor, least = other, seen
                    if anchor is not found[0]:
                        how, arg = REGEX, pattern
                kind, key = anchor
                table = tables[kind]
                bucket = table.get(key)
                if bucket is None:
                    bucket = table[key] = []
                bucket.append((owner, position, how, len(key), arg, pattern, include))

    def __len__(self) -> int:
        return self._size

    def _buckets(self, path: str) -> list[list[_Entry]]:
        """The buckets whose anchor `path` has (each a superset of what can match)."""
        found = [self._residual]
        by_prefix, by_name, by_ext = self._by_prefix, self._by_name, self._by_ext
        end = -1
        for segment in path.split("/"):
            end += len(segment) + 1
            hit = by_prefix.get(path[:end])
            if hit:
                found.append(hit)
            hit = by_name.get(segment)
            if hit:  # a name twice in the path selects its bucket twice: harmless
                found.append(hit)
            dot = segment.rfind(".")
            if dot >= 0:
                hit = by_ext.get(segment[dot + 1 :])
                if hit:
                    found.append(hit)
        return found

    def match(self, path: str) -> tuple[str, ...]:
        """The owner ids (sorted) whose pattern lists claim `path`."""
        decided = self._decide(git_text(normalize_path(path)))
        return tuple(sorted(owner for owner, (_, include, _) in decided.items() if include))

    def claims(self, path: str) -> dict[str, tuple[int, str]]:
        """Owner id (sorted) -> (position, pattern) of the pattern that claims `path` for it:
        the last of the owner's patterns that matches, when it is not a negation (`match`'s
        answer, with the reason; `changegate owners` shows it like `git check-ignore -v`)."""
        decided = self._decide(git_text(normalize_path(path)))
        return {owner: (position, pattern) for owner, (position, include, pattern) in sorted(decided.items())
                if include}

    def _decide(self, path: str) -> dict[str, tuple[int, bool, str]]:
        """Owner id -> (position, include, pattern) of its last pattern matching `path`."""
        decided: dict[str, tuple[int, bool, str]] = {}
        for bucket in self._buckets(path):
            for owner, position, how, size, text, pattern, include in bucket:
                best = decided.get(owner)
                if best is not None and best[0] > position:
                    continue
                if how == LONGER:
                    if len(path) <= size:
                        continue
                elif how == TAIL:
                    regex = _tail(text)
                    if regex is not None:
                        if regex.match(path, size) is None:
                            continue
                    else:
                        regex, include = _compile(pattern)
                        if regex is None or regex.search(path) is None:
                            continue
                elif how == REGEX:
                    regex, include = _compile(pattern)
                    if regex is None or regex.search(path) is None:
                        continue
                decided[owner] = (position, include, pattern)
        return decided
