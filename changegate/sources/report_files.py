"""Which report files an evidence glob names: deduplicated, bounded in number, and, for a
glob relative to the repository, never a file that a symlink leads out of the repository."""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable
from pathlib import Path

from changegate.errors import EvidenceError
from changegate.load.files import leaves_root

#: The most paths the evidence globs may match together (a symlink loop repeats paths);
#: past it the gate fails closed rather than decide on part of the reports.
MAX_MATCHES = 10_000


def matches(globs: Iterable[str], root: Path, *, inside_only: bool = False) -> list[tuple[str, Path]]:
    """(name for messages, path) of every regular file the globs match (relative to `root`,
    or absolute unless `inside_only`; `**` recursive), deduplicated, sorted by name.

    A file matched through a relative glob must really be inside `root`: one reached through
    a symlink that leads out of it is refused (EvidenceError), as is a relative glob with
    `..`, and an absolute glob when `inside_only`."""
    real_root = os.path.realpath(root)
    seen: dict[str, tuple[str, Path]] = {}
    count = 0
    for pattern in globs:
        absolute = os.path.isabs(pattern)
        if (absolute and inside_only) or (not absolute and leaves_root(pattern)):
            raise EvidenceError(f"the evidence glob {pattern!r} leads out of the repository; "
                                "give a glob relative to the repository root", pattern)
        found = (((name, Path(name)) for name in glob.iglob(pattern, recursive=True)) if absolute
                 else ((name, root / name) for name in glob.iglob(pattern, root_dir=root, recursive=True)))
        for name, path in found:
            count += 1
            if count > MAX_MATCHES:
                raise EvidenceError(f"the evidence globs match more than {MAX_MATCHES} paths, the bound; "
                                    "narrow them", pattern)
            if not path.is_file():
                continue
            real = os.path.realpath(path)
            if not absolute and os.path.commonpath([real_root, real]) != real_root:
                raise EvidenceError("is a symlink that leads out of the repository; refusing to read it",
                                    name)
            seen.setdefault(real, (name, path))
    return sorted(seen.values(), key=lambda item: item[0])
