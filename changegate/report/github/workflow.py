"""GitHub Actions workflow commands, step outputs and the job summary.

Every string that reaches a workflow command is escaped the way the runner expects
(`escape.workflow_data` / `escape.workflow_property`), so a title such as "x\\n::error::y"
stays one line of text and never starts a command.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO

from changegate.report import escape

STEP_SUMMARY_LIMIT = 1024 * 1024  # GitHub refuses a step summary past 1 MiB


def command(name: str, message: object = "", **properties: object) -> str:
    """One workflow command line, e.g. `::error file=a.yaml,line=3::message`.

    Properties whose value is None or "" are left out; the others are escaped.
    """
    props = ",".join(
        f"{key}={escape.workflow_property(value)}" for key, value in properties.items() if value not in (None, "")
    )
    head = f"::{name} {props}" if props else f"::{name}"
    return f"{head}::{escape.workflow_data(message)}"


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
    body = [escape.strip_controls(line) for line in lines]
    out = [command("group", escape.terminal(title)), f"::stop-commands::{token}", *body, f"::{token}::", "::endgroup::"]
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
