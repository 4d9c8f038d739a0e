"""One .gitignore line as git means it, translated to a regular expression.

The translation follows git's own code (``dir.c``: ``parse_path_pattern``,
``match_basename``, ``match_pathname``; ``wildmatch.c`` with ``WM_PATHNAME``), not a
re-reading of its documentation:

* trailing spaces are dropped unless escaped (``a\\ ``), tabs are kept; ``#`` starts a
  comment; ``!`` negates; ``\\`` makes the next character literal, inside brackets too;
* one trailing ``/`` makes the pattern directory-only; a pattern with no other ``/``
  matches a path segment at any depth, otherwise it is anchored at the root (one leading
  ``/`` is dropped);
* ``*`` and ``?`` never match ``/``, nor does a bracket expression, negated or not;
  ``**`` spans directories only as a whole segment (``**/x``, ``x/**/y``, ``x/**``),
  elsewhere it is ``*``;
* brackets: ``[!...]`` or ``[^...]`` negate, a ``]`` first is literal, ``a-z`` ranges (an
  empty one when reversed), POSIX classes ``[:alpha:]`` and the like, in ASCII.

A pattern claims a *file* when it matches the file itself (unless directory-only) or one of
its leading directories, which is what ``git check-ignore`` answers for a single pattern.
Paths and patterns are compared as the bytes git compares: callers pass both through
`git_text` first, so ``?`` or a negated bracket matches one byte of a non-ASCII name.

A line git can never match but would accept silently (an unclosed ``[``, an unknown
``[:class:]``, a trailing ``\\``, a lone ``!``) raises ValueError with the reason, so that
a map cannot hold a pattern that quietly claims nothing.
"""

from __future__ import annotations

import re

_SPECIAL = re.compile(r"[*?\[\\]")  # git's is_glob_special

# POSIX classes as git's own ctype (sane_ctype.h) defines them: ASCII only.
_CLASSES = {
    "alnum": "0-9A-Za-z",
    "alpha": "A-Za-z",
    "blank": " \\t",
    "cntrl": "\\x00-\\x1f\\x7f",
    "digit": "0-9",
    "graph": "!-~",
    "lower": "a-z",
    "print": " -~",
    "punct": "!-/:-@\\[-`{-~",
    "space": "\\t\\n\\r ",
    "upper": "A-Z",
    "xdigit": "0-9A-Fa-f",
}


def git_text(text: str) -> str:
    """`text` as git sees it: one character per UTF-8 byte (unchanged when ASCII)."""
    if text.isascii():
        return text
    return text.encode("utf-8", "surrogateescape").decode("latin-1")


def trim(line: str) -> str:
    """The line without its trailing spaces, except an escaped one (git's
    ``trim_trailing_spaces``: spaces only, not tabs)."""
    end = len(line)
    while end and line[end - 1] == " ":
        backslashes = 0
        while backslashes < end - 1 and line[end - 2 - backslashes] == "\\":
            backslashes += 1
        if backslashes % 2:
            break
        end -= 1
    return line[:end]


def pattern_regex(line: str) -> tuple[str | None, bool]:
    """(regex over a repository path, include) for one .gitignore line; the regex is None
    for a line that matches nothing (blank, comment, ``/``). ValueError for a line git
    cannot match."""
    text = trim(line)
    if not text or text[0] == "#":
        return None, True
    include = text[0] != "!"
    if not include:
        text = text[1:]
        if not text:
            raise ValueError("a lone '!' negates nothing")
    directory_only = text.endswith("/")
    if directory_only:
        text = text[:-1]
    if "/" not in text:
        if not text:
            return None, True
        head = "(?:.+/)?"  # one segment, at any depth
        start = 0
    else:
        text = text[1:] if text[0] == "/" else text
        if not text:
            return None, True
        head = ""
        start = literal_length(text)
    below = "/.*" if directory_only else "(?:/.*)?"  # the path is under what matched
    return "^" + head + glob_regex(text, start) + below + "$", include


def literal_length(text: str) -> int:
    """How many characters `text` starts with before its first glob character."""
    special = _SPECIAL.search(text)
    return len(text) if special is None else special.start()


def odd_double_star(text: str) -> bool:
    """Whether anchored pattern `text` has a ``**`` that git takes as a whole segment though
    it follows a literal inside one (``ab**/c``): git compares the literal start of a
    pattern first and then matches the rest as if it began there."""
    start = literal_length(text)
    if start == 0 or text[start - 1] == "/" or text[start : start + 2] != "**":
        return False
    rest = text[start:].lstrip("*")
    return not rest or rest[0] == "/" or rest[:2] == "\\/"


def glob_regex(text: str, start: int = 0) -> str:
    """The regex of wildmatch with ``WM_PATHNAME`` for `text` (whole match, no anchors);
    `start`: where git starts wildmatch after comparing the literal start itself."""
    out: list[str] = []
    i, size = 0, len(text)
    while i < size:
        char = text[i]
        if char == "*":
            end = i
            while end < size and text[end] == "*":
                end += 1
            after = text[end : end + 2]
            whole = (i == start or text[i - 1] == "/") and (end == size or after[:1] == "/" or after == "\\/")
            if end - i > 1 and whole:
                if after[:1] == "/":  # "**/": zero or more directories
                    out.append("(?:.*/)?")
                    end += 1
                else:
                    out.append(".*")
            else:
                out.append("[^/]*")
            i = end
        elif char == "?":
            out.append("[^/]")
            i += 1
        elif char == "[":
            regex, i = _bracket(text, i)
            out.append(regex)
        elif char == "\\":
            if i + 1 == size:
                raise ValueError("a trailing backslash escapes nothing (git matches nothing with it)")
            out.append(re.escape(text[i + 1]))
            i += 2
        else:
            out.append(re.escape(char))
            i += 1
    return "".join(out)


def _bracket(text: str, start: int) -> tuple[str, int]:
    """The regex of the bracket expression at `start` and the index after it (wildmatch's
    ``case '['``, item for item)."""
    i = start + 1
    negated = text[i : i + 1] in ("!", "^")
    if negated:
        i += 1
    items: list[str] = []
    previous: str | None = None  # the last single character, the low end of a range
    first = True
    while True:
        if i >= len(text):
            raise ValueError("a '[' is not closed by ']' (git matches nothing with it)")
        char = text[i]
        if char == "]" and not first:
            break
        first = False
        if char == "\\":
            i += 1
            if i >= len(text):
                raise ValueError("a '[' is not closed by ']' (git matches nothing with it)")
            char = text[i]
        elif char == "-" and previous is not None and i + 1 < len(text) and text[i + 1] != "]":
            i += 1
            high = text[i]
            if high == "\\":
                i += 1
                if i >= len(text):
                    raise ValueError("a '[' is not closed by ']' (git matches nothing with it)")
                high = text[i]
            if previous <= high:  # a reversed range is empty (its low end stays a member)
                items.append(_escape(previous) + "-" + _escape(high))
            previous = None
            i += 1
            continue
        elif char == "[" and text[i + 1 : i + 2] == ":":
            close = text.find("]", i + 2)
            if close < 0:
                raise ValueError("a '[' is not closed by ']' (git matches nothing with it)")
            if close - (i + 2) >= 1 and text[close - 1] == ":":
                name = text[i + 2 : close - 1]
                if name not in _CLASSES:
                    raise ValueError(f"unknown character class '[:{name}:]' (git matches nothing with it)")
                items.append(_CLASSES[name])
                previous = None
                i = close + 1
                continue
            # no ":]": the "[" is an ordinary member, and so is what follows
        items.append(_escape(char))
        previous = char
        i += 1
    members = "".join(items)
    if negated:
        return "[^/" + members + "]", i + 1
    if not members:
        return "(?!)", i + 1
    regex = "[" + members + "]"
    if re.fullmatch(regex, "/"):  # git's bracket never matches "/" (WM_PATHNAME)
        regex = "(?!/)" + regex
    return regex, i + 1


def _escape(char: str) -> str:
    """`char` as a literal member of a regex character class."""
    return "\\" + char if char in "\\]^-[&~|" else char
