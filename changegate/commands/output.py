"""Where a command's output goes: standard output alone, or the file --output names."""

from __future__ import annotations

import sys
from pathlib import Path

from changegate.errors import InputError
from changegate.report.escape import undecodable


def write_output(text: str, output: str | None) -> None:
    """Write `text` to the file `output` (its missing directories made), or to stdout when
    there is none (or it is '-').
    Always UTF-8: an undecodable file-name byte a renderer left is written as `\\xNN`."""
    text = undecodable(text)
    if output and output != "-":
        try:
            target = Path(output)
            target.parent.mkdir(parents=True, exist_ok=True)  # e.g. reports/changegate/decision.json
            target.write_text(text, encoding="utf-8")
        except (FileExistsError, NotADirectoryError):
            raise InputError("cannot write output: a directory on its path is a file", output) from None
        except OSError as exc:
            raise InputError(f"cannot write output: {exc.strerror}", output) from None
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
