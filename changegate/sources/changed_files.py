"""Changed files: the one canonical form every source's paths are held to, the bound on
their number, and the list file (`--changed-files FILE`, `-` for standard input).

A changed path is canonical when it is what git itself prints with `-z`: relative to the
repository root, `/`-separated, no empty, `.` or `..` segment, no NUL. A directory entry
(a submodule's gitlink, or a directory named in a list) ends in one `/`: `vendor/sdk/`,
so that the patterns claiming that directory (`vendor/sdk/**`, `vendor/sdk/`) claim it.
Anything else is refused (exit 2) rather than normalised: a path git would never print is
a path whose owner would be guessed.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from changegate.errors import EvidenceError
from changegate.load.files import read_bounded

MAX_BYTES = 64 * 1024 * 1024


def path_problem(path: str) -> str | None:
    """Why `path` is not a canonical changed path (see the module), or None when it is."""
    if "\x00" in path:
        return "a NUL byte in a path"
    if path.startswith("/"):
        return "an absolute path; changed paths are relative to the repository root"
    body = path[:-1] if path.endswith("/") else path
    segments = body.split("/")
    if "" in segments:
        return "an empty path segment ('//')"
    if "." in segments:
        return "a '.' segment ('./'); write the path as git prints it"
    if ".." in segments:
        return "a '..' segment; changed paths stay inside the repository"
    return None


def checked(paths: Iterable[str], source: str, limit: int, lines: Iterable[int] | None = None) -> tuple[str, ...]:
    """`paths` sorted and deduplicated, each canonical, at most `limit` of them; otherwise
    EvidenceError naming `source` (and the path's line in it, when `lines` are given)."""
    found: set[str] = set()
    numbers = iter(lines) if lines is not None else None
    for path in paths:
        line = next(numbers) if numbers is not None else 0
        problem = path_problem(path)
        if problem is not None:
            raise EvidenceError(f"{problem}: {path!r}", source, line)
        found.add(path)
        if len(found) > limit:
            raise EvidenceError(
                f"more than {limit} changed files (limits.changed_files in the config; "
                "raise it, or gate the change in parts)", source, line)
    return tuple(sorted(found))


def mark_directories(paths: Iterable[str], root: Path) -> tuple[str, ...]:
    """Paths of a list, a directory of the working tree at `root` (not followed through a
    symlink) marked as a directory entry with a trailing `/`; sorted, deduplicated."""
    out: set[str] = set()
    for path in paths:
        if not path.endswith("/") and _is_real_directory(root / path):
            path += "/"
        out.add(path)
    return tuple(sorted(out))


def _is_real_directory(path: Path) -> bool:
    """A directory, not a symlink to one; False for what cannot be looked at (a name too
    long for the file system is a changed path like any other, found by fuzzing)."""
    try:
        return path.is_dir() and not path.is_symlink()
    except OSError:
        return False


def parse(data: bytes, source: str, limit: int) -> tuple[str, ...]:
    """Paths from `data`: one a line, blank lines skipped, a trailing CR removed; each
    canonical (`checked`); sorted and deduplicated."""
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise EvidenceError("a NUL byte: a changed-files list is text, one path a line",
                            source, line)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise EvidenceError("not UTF-8 text: a changed-files list is text, one path a line",
                            source, line) from exc
    numbered = [(number, raw[:-1] if raw.endswith("\r") else raw)
                for number, raw in enumerate(text.split("\n"), start=1)]
    kept = [(number, path) for number, path in numbered if path.strip()]
    return checked((path for _, path in kept), source, limit, (number for number, _ in kept))


def normalize(raw: Iterable[str]) -> tuple[str, ...]:
    """Paths given on a command line to query (`changegate owners`): a leading "./"
    removed, blank ones skipped; sorted and deduplicated. Not for a change's paths."""
    paths: set[str] = set()
    for path in raw:
        while path.startswith("./"):
            path = path[2:]
        if path.strip():
            paths.add(path)
    return tuple(sorted(paths))


def load(path: str, stdin: BinaryIO | None = None, *, limit: int = sys.maxsize) -> tuple[str, ...]:
    """Read the changed-files list at `path` ("-" reads `stdin`, default sys.stdin)."""
    if path == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        data = read_bounded("<stdin>", "standard input", MAX_BYTES, stream=stream)
        return parse(data, "<stdin>", limit)
    data = read_bounded(path, "the changed-files list", MAX_BYTES)
    return parse(data, path, limit)
