"""Changed files from a list (`--changed-files FILE`, `-` for standard input)."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import BinaryIO

from changegate.errors import EvidenceError
from changegate.load.files import read_bounded

MAX_BYTES = 64 * 1024 * 1024


def parse(data: bytes, source: str) -> tuple[str, ...]:
    """Paths from `data`: one a line, blank lines skipped, a trailing CR and a leading
    "./" removed; sorted and deduplicated."""
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
    return normalize(raw[:-1] if raw.endswith("\r") else raw for raw in text.split("\n"))


def normalize(raw: Iterable[str]) -> tuple[str, ...]:
    """Paths as every changed-files list gives them: a leading "./" removed, blank ones
    skipped; sorted and deduplicated (also for paths given on the command line)."""
    paths: set[str] = set()
    for path in raw:
        while path.startswith("./"):
            path = path[2:]
        if path.strip():
            paths.add(path)
    return tuple(sorted(paths))


def load(path: str, stdin: BinaryIO | None = None) -> tuple[str, ...]:
    """Read the changed-files list at `path` ("-" reads `stdin`, default sys.stdin)."""
    if path == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        data = read_bounded("<stdin>", "standard input", MAX_BYTES, stream=stream)
        return parse(data, "<stdin>")
    data = read_bounded(path, "the changed-files list", MAX_BYTES)
    return parse(data, path)
