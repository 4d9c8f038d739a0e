"""The markdown summary (SPEC §7): checklist, approvers, graph, and nothing a pull request
writes is live in it (SPEC §6a), even through a user's own template."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from report_samples import EVIL_TITLE, make_decision, make_depmap, make_impact

from changegate.errors import InputError
from changegate.model import Team
from changegate.report import diagrams, markdown


def markdown_tokens(md_text: str) -> list[str]:
    """Every token type a CommonMark parser (with GFM tables) finds, inline ones included;
    our own HTML (the summary marker, the collapsible block of satisfied requirements) is left
    out."""
    markdown_it = pytest.importorskip("markdown_it")
    parser = markdown_it.MarkdownIt("commonmark").enable("table").enable("strikethrough")
    ours = re.compile(r"(<!-- changegate:summary -->|<details><summary>\d+ satisfied or waived</summary>|</details>)\n")
    types: list[str] = []
    for token in parser.parse(md_text):
        if token.type == "html_block" and ours.fullmatch(token.content):
            continue
        types.append(token.type)
        types += [child.type for child in token.children or []]
    return types


def test_markdown_starts_with_marker_and_decision() -> None:
    out = markdown.render(make_decision())
    lines = out.splitlines()
    assert lines[0] == "<!-- changegate:summary -->"
    assert lines[1] == "## ❌ changegate: FAIL — Upgrade CRM to 5.2"
    assert out.endswith("changegate: FAIL — 3 blocking requirements, 1 error finding, 2 warnings\n")


def test_markdown_shows_value_streams_table() -> None:
    out = markdown.render(make_decision())
    assert "| Value stream | Criticality | Owners | Via |" in out
    assert "| Finance settlement | critical | Finance owners | crm → crm-customer-api → finance-reporting |" in out


def test_markdown_has_mermaid_graph_of_impact() -> None:
    out = markdown.render(make_decision())
    graph = out[out.index("```mermaid\n") + len("```mermaid\n"):]
    graph = graph[:graph.index("```")]
    assert graph == diagrams.render_mermaid(make_impact(), make_depmap())
    assert "  c_crm --> i_crm_customer_api\n" in graph
    assert "  i_crm_customer_api --> c_finance_reporting\n" in graph
    assert "  c_finance_reporting --> v_finance_settlement\n" in graph
    assert "  class c_crm touched\n" in graph


def test_markdown_checklist_and_how_to_satisfy() -> None:
    out = markdown.render(make_decision())
    assert (
        "- [ ] **value\\_stream:finance-settlement** — missing · baseline-vs-owner-approval@org: "
        "No approval from Finance owners yet.\n"
        "  How to satisfy: Ask a member of finance-owners to approve the pull request.\n"
    ) in out
    assert "- [ ] **field:rollback.plan** — missing (warning) · rollback\\_plan@value-stream" not in out
    assert "- [ ] **field:rollback.plan** — missing (warning) · rollback-plan@value-stream" in out
    assert "- [x] **component:crm** — satisfied" in out
    assert "- [x] **suite:pos-contract** — waived" in out
    assert "  Waived until 2026-12-31: Consumer suite is being rewritten, manual test signed off in CRM-1050\n" in out
    checks = re.findall(r"^- \[( |x)\] \*\*", out, flags=re.M)
    assert checks.count(" ") == 4 and checks.count("x") == 4


def test_markdown_who_must_approve_consulted_and_informed() -> None:
    out = markdown.render(make_decision())
    assert "- [ ] owners of Finance settlement: Finance owners (1 approval): any of carol\n" in out
    assert "- [x] owners of CRM: CRM engineering (1 approval): approved by alice\n" in out
    assert "Consulted: @acme/finance-ops\n" in out
    assert "Informed: Store operations\n" in out
    assert "@acme/store-ops" not in out
    assert "@acme/finance-owners" not in out


def test_markdown_mentions_only_well_formed_team_slugs() -> None:
    decision = make_decision()
    teams = dict(decision.depmap.teams)
    teams["finance-ops"] = Team("finance-ops", ("erin",), "Ops [x](http://e)", "acme/ops) @everyone")
    decision = dataclasses.replace(decision, depmap=dataclasses.replace(decision.depmap, teams=teams))
    out = markdown.render(decision)
    assert "Consulted: Ops \\[x\\]\\(http:\u200b//e\\)\n" in out
    assert "@everyone" not in out


def test_markdown_makes_hostile_title_and_file_inert() -> None:
    decision = make_decision(
        title=EVIL_TITLE, file=".changegate/changes/<script>alert(1)</script>.yaml",
        summary="see www.evil.com or mail x@evil.com #123\n# Heading\n| a | b |", owner="@mallory",
    )
    out = markdown.render(decision)
    for live in ("](", "![", "<img", "<script", "@everyone", "@mallory", "http://", "www.evil", "x@evil",
                 "#123", "\n# Heading", "\n::error::"):
        assert live not in out, live
    types = markdown_tokens(out)
    for forbidden in ("link_open", "image", "html_inline", "html_block"):
        assert forbidden not in types, forbidden
    assert "\\[click\\]\\(http:\u200b//evil\\)" in out
    assert "&lt;img src=x onerror=alert\\(1\\)&gt;" in out
    assert "@\u200beveryone" in out


def test_markdown_table_cells_survive_pipes_and_newlines() -> None:
    out = markdown.render(make_decision(title="a | b\n| c |"))
    assert "| Title | a \\| b \\| c \\| |\n" in out
    types = markdown_tokens(out)
    assert types.count("th_open") == 2 + 4  # the change table and the value-stream table


def test_markdown_without_manifest() -> None:
    decision = make_decision(file=None, title=None, type=None, owner=None, summary=None)
    out = markdown.render(decision)
    assert out.splitlines()[1] == "## ❌ changegate: FAIL"
    assert "No change manifest is part of this change (12 changed files; risk critical).\n" in out


def test_markdown_user_template_is_escaped_even_without_filter(tmp_path: Path) -> None:
    template = tmp_path / "mine.md.j2"
    template.write_text("Title: {{ change.title }}\n{{ value_streams | length }} streams\n", encoding="utf-8")
    out = markdown.render(make_decision(title="[x](http://e) @all"), template=template)
    assert out == "<!-- changegate:summary -->\nTitle: \\[x\\]\\(http:\u200b//e\\) @\u200ball\n2 streams\n"


def test_markdown_broken_user_template_is_an_input_error(tmp_path: Path) -> None:
    template = tmp_path / "broken.md.j2"
    template.write_text("ok\n{% if %}\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        markdown.render(make_decision(), template=template)
    assert str(info.value) == (
        f"{template}:2: template syntax error: Expected an expression, got 'end of statement block'"
    )


def test_markdown_user_template_cannot_reach_python_internals(tmp_path: Path) -> None:
    template = tmp_path / "sneaky.md.j2"
    template.write_text("{{ decision.__class__.__mro__ }}\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        markdown.render(make_decision(), template=template)
    assert str(info.value).startswith(f"{template}: template failed to render: ")
