"""Reading files with a size bound: one reader (`read_at_most`) and the wording of its
failures for each kind of file (evidence, gate files, manifests in the repository)."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from changegate.errors import EvidenceError, InputError, YamlError
from changegate.load import limits
from changegate.load.parse import decode


def size_text(n: int) -> str:
    """A byte count as people write bounds: '50 MiB', or '64 bytes' when not whole MiB."""
    return f"{n // (1024 * 1024)} MiB" if n % (1024 * 1024) == 0 else f"{n} bytes"


class NotRegularFileError(OSError):
    """A gate file that is a device, a pipe or a socket (reading it could block or never end)."""


def read_at_most(max_bytes: int, path: Path | str | None = None,
                 stream: BinaryIO | None = None, *, regular_only: bool = False) -> bytes | None:
    """The bytes of `path` (or `stream`), or None when it holds more than `max_bytes`.

    A regular file is refused by its size, before reading; anything else (a pipe, a
    device) by reading at most one byte past the bound, or, with `regular_only`, refused
    before reading (NotRegularFileError). Raises OSError."""
    if stream is not None:
        data = stream.read(max_bytes + 1)
    else:
        assert path is not None
        # O_NONBLOCK: opening a FIFO must not wait for a writer; a regular file ignores it.
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
        fd = os.open(path, flags)
        with open(fd, "rb") as handle:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                if regular_only or stat.S_ISDIR(info.st_mode):
                    raise (IsADirectoryError if stat.S_ISDIR(info.st_mode) else NotRegularFileError)(
                        "not a regular file")
                os.set_blocking(fd, True)
            elif info.st_size > max_bytes:
                return None
            data = handle.read(max_bytes + 1)
    return None if len(data) > max_bytes else data


def read_bounded(source: str, what: str, max_bytes: int, path: Path | None = None,
                 stream: BinaryIO | None = None) -> bytes:
    """The bytes of an evidence file `path` (or `stream`), refusing more than `max_bytes`.

    `what` names the file in messages ("the approvals file"); errors name `source`."""
    try:
        data = read_at_most(max_bytes, path or source, stream)
    except OSError as exc:
        raise EvidenceError(f"cannot read {what}: {exc.strerror or exc}", source) from exc
    if data is None:
        raise EvidenceError(f"larger than {size_text(max_bytes)}, the bound for {what}", source)
    return data


def read_gate_file(path: Path, display: str) -> str:
    """Read a gate file as UTF-8 text, refusing files past the size limit."""
    try:
        data = read_at_most(limits.MAX_BYTES, path, regular_only=True)
    except FileNotFoundError:
        raise InputError("no such file", display) from None
    except IsADirectoryError:
        raise InputError("is a directory, expected a file", display) from None
    except NotRegularFileError:
        raise InputError("is not a regular file (a device, pipe or socket); refusing to read it",
                         display) from None
    except OSError as err:
        raise InputError(f"cannot read: {err.strerror or err}", display) from None
    if data is None:
        raise _too_large(display)
    return decode(data, display)


def leaves_root(rel: str) -> bool:
    """Whether a path (or glob) written relative to the repository root is absolute, or
    climbs out of the root with `..`."""
    if rel.startswith(("/", "\\")) or os.path.isabs(rel) or rel[1:2] == ":":
        return True
    return ".." in rel.replace("\\", "/").split("/")


def escapes(root: Path, rel: str) -> bool:
    """Whether `rel` (relative to the repository `root`) leaves it: absolute, with `..`, or
    reached through a symlink whose target lies outside (a missing path does not escape)."""
    if leaves_root(rel):
        return True
    try:
        real = (root / rel).resolve(strict=False)
    except (OSError, RuntimeError):  # a symlink loop
        return True
    return not real.is_relative_to(root.resolve())


def read_inside(root: Path, rel: str) -> bytes:
    """Read a file of the repository at `root`, refusing symlinks that lead out of it and
    files past the gate files' size limit."""
    try:
        real = (root / rel).resolve(strict=True)
    except (FileNotFoundError, RuntimeError):
        raise InputError("file not found", rel) from None
    if not real.is_relative_to(root.resolve()):
        raise InputError("is a symlink that leads out of the repository; refusing to read it", rel)
    try:
        data = read_at_most(limits.MAX_BYTES, real, regular_only=True)
    except NotRegularFileError:
        raise InputError("is not a regular file; refusing to read it", rel) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", rel) from None
    if data is None:
        raise _too_large(rel)
    return data


def _too_large(display: str) -> YamlError:
    # The wording the YAML loader uses for text past the same bound.
    return YamlError(f"file is larger than the {limits.MAX_BYTES // (1024 * 1024)} MiB limit", display)
