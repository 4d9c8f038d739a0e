"""Reporters: each renders a `Decision` (or an impact alone) as text; none re-evaluates policy.

The one registry of output formats. `DECISION_FORMATS` (for `check`), `IMPACT_FORMATS`
(for `impact`), `OWNERS_FORMATS` (for `owners`) and `COVERAGE_FORMATS` (for `map coverage`)
and `SCHEDULE_FORMATS` (for `schedule`)
map each format's name to "module:function", imported only when that format
is used: markdown's Jinja2 costs ~30 ms that `--format json` should not pay, and the CLI
imports this module at start-up to build its `--format` choices from the keys.

Every decision reporter is called as `function(decision, template=...)` (the options any
format may use; only markdown has a template), every impact reporter as
`function(impact, depmap)`, an owners reporter as `function(files)` and a coverage
reporter as `function(coverage)`, a schedule reporter as
`function(windows, depmap, low, high)`. All return the whole text, ending with a line break.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Sequence
    from pathlib import Path

    from changegate.model import Coverage, Decision, DepMap, Impact, PathOwners, UpcomingWindow

DECISION_FORMATS: dict[str, str] = {
    "text": "changegate.report.text:render",
    "json": "changegate.report.json_report:render",
    "markdown": "changegate.report.markdown:render",
}
IMPACT_FORMATS: dict[str, str] = {
    "text": "changegate.report.text:render_impact",
    "json": "changegate.report.json_report:render_impact",
    "mermaid": "changegate.report.diagrams:render_mermaid",
    "dot": "changegate.report.diagrams:render_dot",
}
OWNERS_FORMATS: dict[str, str] = {
    "text": "changegate.report.ownership:render_owners_text",
    "json": "changegate.report.ownership:render_owners_json",
}
COVERAGE_FORMATS: dict[str, str] = {
    "text": "changegate.report.ownership:render_coverage_text",
    "json": "changegate.report.ownership:render_coverage_json",
}


SCHEDULE_FORMATS: dict[str, str] = {
    "text": "changegate.report.schedule:render_text",
    "json": "changegate.report.schedule:render_json",
}


class UnknownFormatError(ValueError):
    """A format name the registry does not hold (never a silent fallback to another)."""


class DecisionReporter(Protocol):
    """What `DECISION_FORMATS` names: a decision in, its whole text out."""

    def __call__(self, decision: Decision, *, template: Path | None = None) -> str: ...


class ImpactReporter(Protocol):
    """What `IMPACT_FORMATS` names: an impact and its map in, the whole text out."""

    def __call__(self, impact: Impact, depmap: DepMap) -> str: ...


def _function(formats: Mapping[str, str], name: str, what: str) -> Any:
    try:
        target = formats[name]
    except KeyError:
        raise UnknownFormatError(f"unknown {what} format {name!r}; choose from {', '.join(formats)}") from None
    module, _, function = target.partition(":")
    return getattr(import_module(module), function)


def render(fmt: str, decision: Decision, *, template: Path | None = None) -> str:
    """The decision in format `fmt` (`template`: a Jinja2 file for markdown); an unknown
    format raises UnknownFormatError."""
    reporter: DecisionReporter = _function(DECISION_FORMATS, fmt, "decision")
    return reporter(decision, template=template)


def render_impact(fmt: str, impact: Impact, depmap: DepMap) -> str:
    """An impact alone (no policies) in format `fmt`; an unknown format raises
    UnknownFormatError."""
    reporter: ImpactReporter = _function(IMPACT_FORMATS, fmt, "impact")
    return reporter(impact, depmap)


def render_owners(fmt: str, files: tuple[PathOwners, ...]) -> str:
    """Who claims each path (`changegate owners`) in format `fmt`."""
    reporter: Callable[[tuple[PathOwners, ...]], str] = _function(OWNERS_FORMATS, fmt, "owners")
    return reporter(files)


def render_coverage(fmt: str, coverage: Coverage) -> str:
    """What the map leaves uncovered (`changegate map coverage`) in format `fmt`."""
    reporter: Callable[[Coverage], str] = _function(COVERAGE_FORMATS, fmt, "coverage")
    return reporter(coverage)


def render_schedule(fmt: str, windows: Sequence[UpcomingWindow], depmap: DepMap, low: dt.datetime,
                    high: dt.datetime) -> str:
    """The freeze windows of a span (`changegate schedule`) in format `fmt`."""
    reporter: Callable[..., str] = _function(SCHEDULE_FORMATS, fmt, "schedule")
    return reporter(windows, depmap, low, high)
