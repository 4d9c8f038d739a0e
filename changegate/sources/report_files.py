"""Which report files an evidence glob names: deduplicated, bounded, and, for a glob relative
to the repository, never a file that a symlink leads out of the repository.

The walk is our own, not `glob`: a wildcard (`*`, `?`, `[...]`, `**`) never enters a
directory reached through a symlink, so a symlink loop (`reports/a -> .`) cannot make it
repeat, and every directory entry it looks at counts against a bound. A directory named
literally in the glob is entered as the operating system resolves it. Like `glob`, a
wildcard does not match names that start with a dot unless the pattern does.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from changegate.errors import EvidenceError
from changegate.load.files import leaves_root

#: The most paths the evidence globs may match together; past it the gate fails closed
#: rather than decide on part of the reports.
MAX_MATCHES = 10_000
#: The most directory entries the evidence globs may look at together.
MAX_ENTRIES = 200_000
#: The deepest a `**` walk goes below where it starts.
MAX_DEPTH = 64
_MAGIC = frozenset("*?[")


class _Budget:
    """Counts directory entries looked at, for one call of `matches`."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.entries = 0

    def listing(self, directory: str) -> list[os.DirEntry[str]]:
        try:
            with os.scandir(directory) as found:
                entries = list(found)
        except OSError:
            return []  # not a directory, gone, or unreadable: it matches nothing, as with glob
        self.entries += len(entries)
        if self.entries > MAX_ENTRIES:
            raise EvidenceError(f"the evidence globs look at more than {MAX_ENTRIES} directory entries, "
                                "the bound; narrow them", self.pattern)
        return sorted(entries, key=lambda entry: entry.name)


def _join(shown: str, name: str) -> str:
    return name if not shown else (shown + name if shown.endswith("/") else f"{shown}/{name}")


def _hidden(name: str, pattern: str) -> bool:
    return name.startswith(".") and not pattern.startswith(".")


def _walk(directory: str, parts: list[str], shown: str, budget: _Budget, depth: int) -> Iterator[tuple[str, str]]:
    """(shown name, path) of every entry under `directory` that `parts` match."""
    if not parts:
        yield shown, directory
        return
    head, rest = parts[0], parts[1:]
    if head == "**":
        if depth > MAX_DEPTH:
            raise EvidenceError(f"the evidence glob reaches deeper than {MAX_DEPTH} directories below "
                                "its '**', the bound; narrow it", budget.pattern)
        yield from _walk(directory, rest, shown, budget, depth)
        for entry in budget.listing(directory):
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                yield from _walk(entry.path, parts, _join(shown, entry.name), budget, depth + 1)
            elif not rest:  # a trailing '**' matches every file below it too
                yield _join(shown, entry.name), entry.path
        return
    if not _MAGIC.intersection(head):
        path = os.path.join(directory, head)
        if (os.path.isdir(path) if rest else os.path.lexists(path)):
            yield from _walk(path, rest, _join(shown, head), budget, depth)
        return
    for entry in budget.listing(directory):
        if _hidden(entry.name, head) or not fnmatch.fnmatch(entry.name, head):
            continue
        if not rest:
            yield _join(shown, entry.name), entry.path
        elif entry.is_dir(follow_symlinks=False):
            yield from _walk(entry.path, rest, _join(shown, entry.name), budget, depth)


def expand(pattern: str, root: Path) -> Iterator[tuple[str, Path]]:
    """(name for messages, path) of every path `pattern` matches: relative to `root`, or
    absolute. Symlinked directories are never entered by a wildcard; bounded."""
    budget = _Budget(pattern)
    text = pattern.replace(os.sep, "/") if os.sep != "/" else pattern
    if os.path.isabs(pattern):
        drive, rest = os.path.splitdrive(text)
        start = drive + "/"
        parts = [p for p in rest.split("/") if p]
        for name, path in _walk(start, parts, start, budget, 0):
            yield name, Path(path)
        return
    parts = [p for p in text.split("/") if p]
    for name, path in _walk(str(root), parts, "", budget, 0):
        yield name, Path(path)


def literal_base(pattern: str) -> str:
    """The directory an absolute glob starts in: its path up to the first wildcard."""
    parts = pattern.replace(os.sep, "/").split("/")
    fixed = []
    for part in parts[:-1]:
        if _MAGIC.intersection(part):
            break
        fixed.append(part)
    return "/".join(fixed) or "/"


def matches(globs: Iterable[str], root: Path, *, inside_only: bool = False) -> list[tuple[str, Path]]:
    """(name for messages, path) of every regular file the globs match (relative to `root`,
    or absolute unless `inside_only`; `**` recursive), deduplicated, sorted by name.

    A file matched through a relative glob must really be inside `root`, and one matched
    through an absolute glob inside the directory the glob starts in (a downloaded artifact
    cannot point elsewhere): one reached through a symlink that leads out is refused
    (EvidenceError), as is a relative glob with `..`, and an absolute glob when `inside_only`."""
    real_root = os.path.realpath(root)
    seen: dict[str, tuple[str, Path]] = {}
    count = 0
    for pattern in globs:
        absolute = os.path.isabs(pattern)
        if (absolute and inside_only) or (not absolute and leaves_root(pattern)):
            raise EvidenceError(f"the evidence glob {pattern!r} leads out of the repository; "
                                "give a glob relative to the repository root", pattern)
        real_base = os.path.realpath(literal_base(pattern)) if absolute else real_root
        for name, path in expand(pattern, root):
            count += 1
            if count > MAX_MATCHES:
                raise EvidenceError(f"the evidence globs match more than {MAX_MATCHES} paths, the bound; "
                                    "narrow them", pattern)
            if not path.is_file():
                continue
            real = os.path.realpath(path)
            if os.path.commonpath([real_base, real]) != real_base:
                where = "the directory its glob starts in" if absolute else "the repository"
                raise EvidenceError(f"is a symlink that leads out of {where}; refusing to read it", name)
            seen.setdefault(real, (name, path))
    return sorted(seen.values(), key=lambda item: item[0])
