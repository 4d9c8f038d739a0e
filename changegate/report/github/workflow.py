"""GitHub Actions workflow commands, step outputs and the job summary.

Every string that reaches a workflow command is escaped the way the runner expects
(actions/toolkit `command.ts`): in data `%`, CR and LF; in properties also `:` and `,`.
So a title such as "x\\n::error::y" stays one line of text and never starts a command.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO

from changegate.report.escape import clean

STEP_SUMMARY_LIMIT = 1024 * 1024  # GitHub refuses a step summary past 1 MiB
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def escape_data(text: object) -> str:
    """A workflow command's message: `%`, CR and LF percent-encoded."""
    return str(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: object) -> str:
    """A workflow command's property value: like data, plus `:` and `,`."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: object = "", **properties: object) -> str:
    """One workflow command line, e.g. `::error file=a.yaml,line=3::message`.

    Properties whose value is None or "" are left out; the others are escaped.
    """
    props = ",".join(
        f"{key}={escape_property(_CONTROLS.sub('', str(value)))}" for key, value in properties.items() if value not in (None, "")
    )
    head = f"::{name} {props}" if props else f"::{name}"
    return f"{head}::{escape_data(_CONTROLS.sub('', str(message)))}"


def annotation(
    level: str, message: str, *, file: str | None = None, line: int = 0, title: str | None = None
) -> str:
    """An `::error`/`::warning`/`::notice` annotation, on `file`:`line` when given."""
    if level not in ("error", "warning", "notice"):
        raise ValueError(f"unknown annotation level {level!r}")
    return command(level, message, file=file, line=line or None, title=title)


def group(title: str, lines: Iterable[str]) -> str:
    """A collapsed `::group::` block whose body cannot run workflow commands.

    The body sits between `::stop-commands::TOKEN` and `::TOKEN::`, with a fresh random
    token, so a body line that starts with `::` is shown, not obeyed. Control characters
    other than tab are stripped from each line.
    """
    token = f"changegate-{secrets.token_hex(16)}"
    body = [_CONTROLS.sub("", line) for line in lines]
    out = [command("group", clean(title)), f"::stop-commands::{token}", *body, f"::{token}::", "::endgroup::"]
    return "\n".join(out) + "\n"


def write_outputs(path: str | Path, outputs: Mapping[str, str]) -> None:
    """Append `outputs` to the $GITHUB_OUTPUT file, each as `name<<DELIM` … `DELIM`
    with a random delimiter, so any value (multi-line included) is safe."""
    chunks: list[str] = []
    for name, value in outputs.items():
        delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
        while delimiter in value:  # pragma: no cover - 128 random bits
            delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
        chunks.append(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
    with open(path, "a", encoding="utf-8") as handle:
        handle.write("".join(chunks))


def append_summary(path: str | Path, markdown: str) -> None:
    """Append `markdown` to the $GITHUB_STEP_SUMMARY file, cut to stay under 1 MiB."""
    text = markdown if markdown.endswith("\n") else markdown + "\n"
    data = text.encode("utf-8")
    if len(data) > STEP_SUMMARY_LIMIT:
        note = "\n\n_The summary was cut: it is longer than GitHub shows in a job summary._\n"
        keep = STEP_SUMMARY_LIMIT - len(note.encode()) - 1024
        text = data[:keep].decode("utf-8", "ignore").rsplit("\n", 1)[0] + note
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(text)


def emit(stream: IO[str], text: str) -> None:
    """Write workflow command text to `stream` (a line break is added when missing)."""
    stream.write(text if text.endswith("\n") else text + "\n")
    stream.flush()
