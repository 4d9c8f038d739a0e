"""Gate documents as the loaders see them: the files an entry of the config names, each
read, parsed and checked against its schema, and every problem of a file set gathered so
that all of them are reported at once (`InputErrors`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from changegate.errors import InputError, InputErrors
from changegate.load.files import escapes, read_gate_file
from changegate.load.lines import Lines
from changegate.load.parse import load_text
from changegate.load.schema import validate

T = TypeVar("T")


def load_document(path: Path, display: str, schema: str) -> tuple[Any, Lines]:
    """The data and lines of a gate file, valid against the schema called `schema`."""
    data, lines = load_text(read_gate_file(path, display), display)
    validate(data, schema, display, lines)
    return data, lines


def collect(errors: list[InputError], fn: Callable[[], T]) -> T | None:
    """Run `fn`, adding any input errors it raises to `errors` (None then)."""
    try:
        return fn()
    except InputErrors as err:
        errors.extend(err.errors)
    except InputError as err:
        errors.append(err)
    return None


def raise_all(errors: list[InputError]) -> None:
    """Raise the errors gathered so far, if any, as one `InputErrors`."""
    if errors:
        raise InputErrors(errors)


class OutsideError(InputError):
    """A config entry (or a file in its directory) that leads out of the repository."""


def entry_files(root: Path, entry: str, suffixes: tuple[str, ...]) -> list[str] | None:
    """The files a config entry names: itself, or its directory's files ending in one of
    `suffixes` (sorted by name). None when the entry does not exist. OutsideError (naming
    the entry or the file) when it, or a file in it, leads out of the repository: nothing
    outside is listed or read."""
    if escapes(root, entry):
        raise OutsideError(f"{entry!r} leads out of the repository (absolute, '..' or a symlink "
                           "whose target is outside); gate files are read from inside it only", entry)
    path = root / entry
    try:
        if path.is_dir():
            files = []
            for child in sorted(path.iterdir(), key=lambda p: p.name):
                if not child.name.endswith(suffixes):
                    continue
                rel = f"{entry.rstrip('/')}/{child.name}"
                if escapes(root, rel):
                    raise OutsideError("is a symlink that leads out of the repository; refusing to read it", rel)
                if child.is_file():
                    files.append(rel)
            return files
        if path.exists() or path.is_symlink():
            return [entry]
    except (OSError, ValueError) as exc:  # a name too long, a NUL byte (found by fuzzing)
        raise InputError(f"cannot read {entry!r}: {getattr(exc, 'strerror', None) or exc}", entry) from None
    return None
