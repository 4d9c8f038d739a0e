"""Reporters: each renders a `Decision` as text; none re-evaluates policy.

`REPORTERS` is the one registry of output formats; the CLI builds its `--format` choice
from its keys.
"""

from __future__ import annotations

from typing import Callable

from changegate.models import Decision
from changegate.report import json_report, markdown, text


def _text(decision: Decision) -> str:
    return text.render(decision)


def _markdown(decision: Decision) -> str:
    return markdown.render(decision)


REPORTERS: dict[str, Callable[[Decision], str]] = {
    "text": _text,
    "json": json_report.render,
    "markdown": _markdown,
}


def render(name: str, decision: Decision) -> str:
    """The decision in format `name`; an unknown name raises KeyError."""
    try:
        reporter = REPORTERS[name]
    except KeyError:
        raise KeyError(f"unknown format {name!r}; choose from {', '.join(REPORTERS)}") from None
    return reporter(decision)
