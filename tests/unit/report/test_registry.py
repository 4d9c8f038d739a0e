"""The one registry of output formats: every format renders, an unknown name is an error,
and the CLI offers exactly the registered names."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from report_samples import make_decision, make_depmap, make_impact

from changegate.cli import cli
from changegate.report import (
    DECISION_FORMATS,
    IMPACT_FORMATS,
    UnknownFormatError,
    diagrams,
    json_report,
    markdown,
    render,
    render_impact,
    text,
)


@pytest.mark.parametrize("fmt", list(DECISION_FORMATS))
def test_every_decision_format_renders_a_decision(fmt: str) -> None:
    out = render(fmt, make_decision())
    assert out.endswith("\n")
    assert "finance-settlement" in out


@pytest.mark.parametrize("fmt", list(IMPACT_FORMATS))
def test_every_impact_format_renders_an_impact(fmt: str) -> None:
    out = render_impact(fmt, make_impact(), make_depmap())
    assert out.endswith("\n")
    assert "finance" in out


def test_the_registry_calls_each_format_module() -> None:
    decision, impact, depmap = make_decision(), make_impact(), make_depmap()
    assert render("text", decision) == text.render(decision)
    assert render("json", decision) == json_report.render(decision)
    assert render("markdown", decision) == markdown.render(decision)
    assert render_impact("text", impact, depmap) == text.render_impact(impact, depmap)
    assert render_impact("json", impact, depmap) == json_report.dumps(json_report.impact_to_dict(impact, depmap))
    assert render_impact("mermaid", impact, depmap) == diagrams.render_mermaid(impact, depmap)
    assert render_impact("dot", impact, depmap) == diagrams.render_dot(impact, depmap)


def test_the_registry_hands_the_template_to_markdown(tmp_path: Path) -> None:
    template = tmp_path / "mine.md.j2"
    template.write_text("{{ verdict }}\n", encoding="utf-8")
    assert render("markdown", make_decision(), template=template) == "<!-- changegate:summary -->\nFAIL\n"


def test_an_unknown_decision_format_is_an_error() -> None:
    with pytest.raises(UnknownFormatError) as info:
        render("yaml", make_decision())
    assert str(info.value) == "unknown decision format 'yaml'; choose from text, json, markdown"


def test_an_unknown_impact_format_is_an_error() -> None:
    with pytest.raises(UnknownFormatError) as info:
        render_impact("markdown", make_impact(), make_depmap())
    assert str(info.value) == "unknown impact format 'markdown'; choose from text, json, mermaid, dot"


@pytest.mark.parametrize(("command", "formats"), [("check", DECISION_FORMATS), ("impact", IMPACT_FORMATS)])
def test_the_cli_format_choices_are_the_registry_names(command: str, formats: dict[str, str]) -> None:
    option = next(p for p in cli.commands[command].params if p.name == "fmt")  # type: ignore[attr-defined]
    assert isinstance(option.type, click.Choice)
    assert list(option.type.choices) == list(formats)
