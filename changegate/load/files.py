"""Reading evidence files with a size bound."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from changegate.errors import EvidenceError


def size_text(n: int) -> str:
    """A byte count as people write bounds: '50 MiB', or '64 bytes' when not whole MiB."""
    return f"{n // (1024 * 1024)} MiB" if n % (1024 * 1024) == 0 else f"{n} bytes"


def read_bounded(source: str, what: str, max_bytes: int, path: Path | None = None,
                 stream: BinaryIO | None = None) -> bytes:
    """The bytes of `path` (or `stream`), refusing more than `max_bytes`.

    `what` names the file in messages ("the approvals file"); errors name `source`."""
    try:
        if stream is not None:
            data = stream.read(max_bytes + 1)
        else:
            with open(path or source, "rb") as handle:
                data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise EvidenceError(f"cannot read {what}: {exc.strerror or exc}", source) from exc
    if len(data) > max_bytes:
        raise EvidenceError(f"larger than {size_text(max_bytes)}, the bound for {what}", source)
    return data
