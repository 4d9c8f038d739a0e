"""Reporters: each renders a `Decision` as text; none re-evaluates policy.

`REPORTERS` is the one registry of output formats: name -> "module:function", imported
only when that format is used (markdown's Jinja2 costs ~30 ms that `--format json` should
not pay). The CLI builds its `--format` choice from its keys.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from changegate.model import Decision

REPORTERS: dict[str, str] = {
    "text": "changegate.report.text:render",
    "json": "changegate.report.json_report:render",
    "markdown": "changegate.report.markdown:render",
}


def reporter(name: str) -> Callable[[Decision], str]:
    """The render function of format `name`; an unknown name raises KeyError."""
    try:
        target = REPORTERS[name]
    except KeyError:
        raise KeyError(f"unknown format {name!r}; choose from {', '.join(REPORTERS)}") from None
    module, _, function = target.partition(":")
    return getattr(import_module(module), function)  # type: ignore[no-any-return]


def render(name: str, decision: Decision) -> str:
    """The decision in format `name`; an unknown name raises KeyError."""
    return reporter(name)(decision)
