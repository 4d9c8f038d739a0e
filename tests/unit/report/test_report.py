"""Reporters: JSON against its schema, text grouped by value stream, markdown summary,
graphs, and that nothing a pull request writes is live in any of them (SPEC §6, §6a, §7)."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import click
import jsonschema
import pytest
from conftest import PROJECT

from changegate.cli import cli
from changegate.errors import InputError
from changegate.model import (
    AffectedValueStream,
    ChangeInfo,
    Component,
    Decision,
    DepMap,
    Finding,
    Impact,
    ImpactedComponent,
    Interface,
    PolicyResult,
    Requirement,
    Risk,
    Team,
    ValueStream,
    WaiverUse,
)
from changegate.report import (
    DECISION_FORMATS,
    IMPACT_FORMATS,
    UnknownFormatError,
    diagrams,
    escape,
    json_report,
    markdown,
    render,
    render_impact,
    text,
)

SCHEMA = PROJECT / "schemas" / "decision.schema.json"

EVIL_TITLE = (
    "Fix [click](http://evil) ![x](http://e/i.png) <img src=x onerror=alert(1)> "
    "@everyone ::error::boom"
)


def make_depmap() -> DepMap:
    teams = {
        "crm-team": Team("crm-team", ("alice", "bob"), "CRM engineering", "acme/crm"),
        "finance-owners": Team("finance-owners", ("carol",), "Finance owners", "acme/finance-owners"),
        "finance-ops": Team("finance-ops", ("erin",), "Finance operations", "acme/finance-ops"),
        "store-ops": Team("store-ops", ("frank",), "Store operations", "acme/store-ops"),
        "service-owners": Team("service-owners", ("dan",), "Service desk"),
    }
    streams = {
        "finance-settlement": ValueStream(
            "finance-settlement", ("finance-owners",), "critical", "Finance settlement",
            consulted=("finance-ops",), informed=("store-ops",),
        ),
        "customer-service": ValueStream("customer-service", ("service-owners",), "high", "Customer service"),
    }
    components = {
        "crm": Component(
            "crm", ("crm-team",), ("services/crm/**",), "CRM", value_streams=("customer-service",),
            provides=("crm-customer-api",), tests=("crm-unit",),
        ),
        "finance-reporting": Component(
            "finance-reporting", ("finance-owners",), ("services/finance/**",),
            value_streams=("finance-settlement",), consumes=("crm-customer-api",),
            contract_tests=("finance-contract",),
        ),
        "pos-loyalty-sync": Component(
            "pos-loyalty-sync", ("crm-team",), ("services/pos/**",), depends_on=("crm",),
            contract_tests=("pos-contract",),
        ),
    }
    interfaces = {"crm-customer-api": Interface("crm-customer-api", ("services/crm/api/**",), provider="crm")}
    return DepMap(teams, streams, components, interfaces, (".changegate/map.yaml",))


def make_impact() -> Impact:
    return Impact(
        touched_components=("crm",),
        changed_interfaces=("crm-customer-api",),
        impacted_components=(
            ImpactedComponent("crm", ("crm",), True, 0),
            ImpactedComponent("finance-reporting", ("crm", "crm-customer-api", "finance-reporting"), False, 1),
            ImpactedComponent("pos-loyalty-sync", ("crm", "pos-loyalty-sync"), False, 1),
        ),
        value_streams=(
            AffectedValueStream("customer-service", "high", ("service-owners",), ("crm", "customer-service")),
            AffectedValueStream(
                "finance-settlement", "critical", ("finance-owners",),
                ("crm", "crm-customer-api", "finance-reporting", "finance-settlement"),
            ),
        ),
        unmapped_files=("README.md",),
        risk=Risk("critical", "medium", "critical", ("critical value stream finance-settlement affected",
                                                     "interface crm-customer-api changed with 1 impacted consumer")),
    )


def make_requirements() -> tuple[Requirement, ...]:
    return (
        Requirement("manifest", "manifest", "baseline-manifest", "org", "error", "satisfied",
                    "Manifest .changegate/changes/crm-5-2.yaml is part of the change.", "Add a manifest."),
        Requirement("approval", "value_stream:finance-settlement", "baseline-vs-owner-approval", "org", "error",
                    "missing", "No approval from Finance owners yet.",
                    "Ask a member of finance-owners to approve the pull request.",
                    count=1, eligible=("carol",), also_required_by=("finance-signoff",)),
        Requirement("approval", "component:crm", "baseline-owner-approval", "org", "error", "satisfied",
                    "Approved by alice.", "Ask a member of crm-team to approve.", approvers=("alice",),
                    eligible=("alice", "bob")),
        Requirement("test", "suite:finance-contract", "baseline-contract-tests", "org", "error", "failed",
                    "finance-contract ran 12 tests: 2 failures.", "Fix the failing tests and re-run the suite."),
        Requirement("test", "suite:pos-contract", "contract-tests", "component", "error", "waived",
                    "pos-contract has no JUnit report.", "Run pos-contract.",
                    waiver=WaiverUse("Consumer suite is being rewritten, manual test signed off in CRM-1050",
                                     "2026-12-31")),
        Requirement("field", "field:rollback.plan", "rollback-plan", "value-stream", "warning", "missing",
                    "The manifest has no rollback.plan.", "Add rollback.plan to the manifest."),
        Requirement("owner", "manifest-owner", "baseline-owners", "org", "error", "satisfied",
                    "crm-team has members.", "Set owner to a team of the map."),
        Requirement("deny", "policy:no-friday-deploys", "no-friday-deploys", "change", "error", "failed",
                    "No deploys on Friday.", "Wait until Monday or raise an emergency change."),
    )


def make_decision(**change: str | None) -> Decision:
    info = {
        "file": ".changegate/changes/crm-5-2.yaml",
        "title": "Upgrade CRM to 5.2",
        "type": "normal",
        "owner": "crm-team",
        "summary": "Moves CRM to 5.2; customer API v2 renames loyalty fields.",
    }
    info.update(change)
    return Decision(
        decision="fail",
        change=ChangeInfo(**info),
        base="a1b2c3",
        head="d4e5f6",
        files=12,
        impact=make_impact(),
        policies=(
            PolicyResult("baseline-vs-owner-approval", "org", True, "error", "Value-stream owners approve.",
                         "risk_at_least: critical >= high"),
            PolicyResult("contract-tests", "component", True, "error", "Consumer contract tests pass.",
                         "interfaces_changed: crm-customer-api", waived=True),
            PolicyResult("emergency-only", "change", False, "warning", "", "change_types: normal not in [emergency]"),
        ),
        requirements=make_requirements(),
        findings=(
            Finding("error", "undeclared-component", "Component crm is touched but not in components.",
                    ".changegate/changes/crm-5-2.yaml", 6),
            Finding("warning", "risk-under-declared", "Declared risk medium is below computed critical.",
                    ".changegate/changes/crm-5-2.yaml", 7),
        ),
        depmap=make_depmap(),
    )


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


# --------------------------------------------------------------------------- JSON


def test_json_validates_against_the_decision_schema() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    data = json.loads(json_report.render(make_decision()))
    errors = [e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(data)]
    assert errors == []


def test_json_schema_rejects_keys_it_does_not_declare() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    data = json_report.to_dict(make_decision())
    data["extra"] = 1
    data["requirements"][0]["note"] = "x"
    messages = sorted(e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(data))
    assert messages == [
        "Additional properties are not allowed ('extra' was unexpected)",
        "Additional properties are not allowed ('note' was unexpected)",
    ]


def test_json_round_trips_every_spec_field() -> None:
    data = json.loads(json_report.render(make_decision()))
    assert list(data) == ["version", "decision", "change", "diff", "impact", "policies", "requirements",
                          "findings", "summary"]
    assert data["version"] == 1
    assert data["decision"] == "fail"
    assert data["change"] == {
        "file": ".changegate/changes/crm-5-2.yaml", "title": "Upgrade CRM to 5.2", "type": "normal",
        "owner": "crm-team", "summary": "Moves CRM to 5.2; customer API v2 renames loyalty fields.",
    }
    assert data["diff"] == {"base": "a1b2c3", "head": "d4e5f6", "files": 12}
    impact = data["impact"]
    assert impact["touched_components"] == ["crm"]
    assert impact["changed_interfaces"] == ["crm-customer-api"]
    assert impact["impacted_components"][1] == {
        "id": "finance-reporting", "via": ["crm", "crm-customer-api", "finance-reporting"],
        "touched": False, "depth": 1,
    }
    assert impact["impacted_components"][0] == {"id": "crm", "via": ["crm"], "touched": True, "depth": 0}
    assert impact["value_streams"][1] == {
        "id": "finance-settlement", "name": "Finance settlement", "criticality": "critical",
        "owners": ["finance-owners"], "consulted": ["finance-ops"], "informed": ["store-ops"],
        "via": ["crm", "crm-customer-api", "finance-reporting", "finance-settlement"],
    }
    assert impact["unmapped_files"] == ["README.md"]
    assert impact["risk"] == {
        "computed": "critical", "declared": "medium", "level": "critical",
        "factors": ["critical value stream finance-settlement affected",
                    "interface crm-customer-api changed with 1 impacted consumer"],
    }
    assert data["policies"][1] == {
        "id": "contract-tests", "layer": "component", "matched": True, "severity": "error",
        "description": "Consumer contract tests pass.", "reason": "interfaces_changed: crm-customer-api",
        "waived": True,
    }
    reqs = {r["target"]: r for r in data["requirements"]}
    assert reqs["value_stream:finance-settlement"] == {
        "kind": "approval", "target": "value_stream:finance-settlement", "policy": "baseline-vs-owner-approval",
        "layer": "org", "severity": "error", "status": "missing", "detail": "No approval from Finance owners yet.",
        "fix": "Ask a member of finance-owners to approve the pull request.", "count": 1, "approvers": [],
        "eligible": ["carol"], "also_required_by": ["finance-signoff"],
    }
    assert reqs["suite:pos-contract"]["waiver"] == {
        "reason": "Consumer suite is being rewritten, manual test signed off in CRM-1050", "expires": "2026-12-31",
    }
    assert "count" not in reqs["manifest"]
    assert data["findings"][1] == {
        "level": "warning", "code": "risk-under-declared",
        "message": "Declared risk medium is below computed critical.",
        "file": ".changegate/changes/crm-5-2.yaml", "line": 7,
    }
    assert data["summary"] == {
        "blocking": 3,
        "requirements": {"satisfied": 3, "missing": 2, "failed": 2, "waived": 1},
        "findings": {"error": 1, "warning": 1, "notice": 0},
    }


def test_json_is_indented_by_two_and_ends_with_a_newline() -> None:
    out = json_report.render(make_decision())
    assert out.startswith('{\n  "version": 1,\n  "decision": "fail",\n')
    assert out.endswith("}\n")


def test_json_without_manifest_has_null_change_and_validates() -> None:
    decision = make_decision(file=None, title=None, type=None, owner=None, summary=None)
    data = json_report.to_dict(decision)
    assert data["change"] == {"file": None, "title": None, "type": None, "owner": None, "summary": None}
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(data)) == []


# --------------------------------------------------------------------------- text


def test_text_header_names_decision_and_change() -> None:
    first = text.render(make_decision()).splitlines()[0]
    assert first == "changegate: FAIL  Upgrade CRM to 5.2 (normal) — .changegate/changes/crm-5-2.yaml"


def test_text_groups_impact_by_value_stream_with_via_chain() -> None:
    out = text.render(make_decision())
    block = out[out.index("Value streams"):out.index("Blocking")]
    assert block.strip().splitlines() == [
        "Value streams  2 affected",
        "  Customer service [customer-service]  high",
        "    owners: service-owners",
        "    via: crm",
        "  Finance settlement [finance-settlement]  critical",
        "    owners: finance-owners   consulted: finance-ops   informed: store-ops",
        "    via: crm → crm-customer-api → finance-reporting",
    ]


def test_text_groups_requirements_by_outcome_with_fix() -> None:
    out = text.render(make_decision())
    headings = [line for line in out.splitlines() if re.match(r"^[A-Z][a-z]+ \(\d+\)$", line)]
    assert headings == ["Blocking (3)", "Warnings (1)", "Satisfied (3)", "Waived (1)", "Findings (2)"]
    blocking = out[out.index("Blocking (3)"):out.index("Warnings (1)")]
    assert (
        "  ✗ value_stream:finance-settlement  missing  baseline-vs-owner-approval@org\n"
        "      No approval from Finance owners yet.\n"
        "      fix: Ask a member of finance-owners to approve the pull request.\n"
        "      also required by: finance-signoff\n"
    ) in blocking
    waived = out[out.index("Waived (1)"):out.index("Findings (2)")]
    assert "waived until 2026-12-31: Consumer suite is being rewritten" in waived
    assert "  error undeclared-component: Component crm is touched but not in components. " \
           "(.changegate/changes/crm-5-2.yaml:6)" in out


def test_text_final_line_counts_what_blocks() -> None:
    out = text.render(make_decision())
    assert out.endswith("\nchangegate: FAIL — 3 blocking requirements, 1 error finding, 2 warnings\n")


def test_text_final_line_of_a_clean_pass() -> None:
    decision = dataclasses.replace(
        make_decision(), decision="pass", findings=(),
        requirements=tuple(r for r in make_requirements() if r.status in ("satisfied", "waived")),
    )
    assert text.render(decision).splitlines()[-1] == "changegate: PASS — 0 blocking requirements"


def test_text_strips_control_characters_from_user_strings() -> None:
    decision = make_decision(
        title="\x1b[31mred\x1b[0m title\rSPOOF", file="changes/\x07bell\x1b]0;pwn\x07.yaml",
        summary="line one\nline two\u202eevil", owner="\x00crm-team",
    )
    out = text.render(decision)
    assert "\x1b" not in out and "\r" not in out and "\x07" not in out and "\x00" not in out
    assert "\u202e" not in out
    assert out.splitlines()[0] == "changegate: FAIL  red title SPOOF (normal) — changes/bell.yaml"
    assert "  line one line twoevil\n" in out


def test_text_render_impact_alone() -> None:
    out = text.render_impact(make_impact(), make_depmap())
    assert out.splitlines()[:4] == [
        "Impact  risk critical (computed critical, declared medium)",
        "  · critical value stream finance-settlement affected",
        "  · interface crm-customer-api changed with 1 impacted consumer",
        "  touched components: crm",
    ]


# --------------------------------------------------------------------------- markdown


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


# --------------------------------------------------------------------------- graphs


def _hostile_impact() -> tuple[Impact, DepMap]:
    odd = 'we"ird id'
    depmap = DepMap(
        teams={"t": Team("t", ("x",))},
        value_streams={"v s": ValueStream("v s", ("t",), "low", 'Stream "quoted" <b>`x`</b> #1;')},
        components={
            odd: Component(odd, ("t",), ("a/**",), value_streams=("v s",)),
            "end": Component("end", ("t",), ("b/**",), depends_on=(odd,)),
            "a-b": Component("a-b", ("t",), ("c/**",)),
            "a_b": Component("a_b", ("t",), ("d/**",)),
        },
        interfaces={},
    )
    impact = Impact(
        touched_components=(odd, "a-b", "a_b"),
        changed_interfaces=(),
        impacted_components=(
            ImpactedComponent(odd, (odd,), True, 0),
            ImpactedComponent("a-b", ("a-b",), True, 0),
            ImpactedComponent("a_b", ("a_b",), True, 0),
            ImpactedComponent("end", (odd, "end"), False, 1),
        ),
        value_streams=(AffectedValueStream("v s", "low", ("t",), (odd, "v s")),),
        unmapped_files=(),
        risk=Risk("low", None, "low", ()),
    )
    return impact, depmap


def test_mermaid_ids_are_sanitised_and_labels_escaped() -> None:
    impact, depmap = _hostile_impact()
    out = diagrams.render_mermaid(impact, depmap)
    ids = re.findall(r"^  (\w+)[\[{(]", out, flags=re.M)
    assert ids == ["c_a_b", "c_a_b_2", "c_we_ird_id", "v_v_s", "c_end"]
    assert '  c_we_ird_id["we#quot;ird id"]\n' in out
    assert '  v_v_s(["Stream #quot;quoted#quot; #lt;b#gt;#96;x#96;#lt;/b#gt; #35;1; (low)"])\n' in out
    assert "  c_we_ird_id --> c_end\n" in out
    for line in out.splitlines()[1:]:
        label = re.search(r'"(.*)"', line)
        if label:
            assert '"' not in label.group(1) and "`" not in label.group(1) and "<" not in label.group(1)


def test_dot_quotes_and_escapes_ids_and_labels() -> None:
    impact, depmap = _hostile_impact()
    out = diagrams.render_dot(impact, depmap)
    assert out.startswith("digraph impact {\n")
    assert out.endswith("}\n")
    assert '  "component:we\\"ird id" [label="we\\"ird id", fillcolor="#fde2e1", penwidth=2];\n' in out
    assert '  "component:we\\"ird id" -> "component:end";\n' in out
    assert '  "component:we\\"ird id" -> "value_stream:v s";\n' in out
    # every quoted string is closed on its line: an even number of unescaped quotes
    for line in out.splitlines():
        assert len(re.findall(r'(?<!\\)"', line)) % 2 == 0, line


def test_dot_escapes_backslashes_and_newlines() -> None:
    assert escape.dot('a\\"b\nc') == '"a\\\\\\"b c"'


def test_mermaid_graph_is_capped_with_a_note() -> None:
    impact = make_impact()
    many = tuple(
        ImpactedComponent(f"dep-{i:03d}", ("crm", f"dep-{i:03d}"), False, 1) for i in range(100)
    )
    impact = dataclasses.replace(impact, impacted_components=impact.impacted_components + many)
    out = diagrams.render_mermaid(impact, make_depmap())
    nodes = re.findall(r"^  (\w+)[\[{(]", out, flags=re.M)
    assert len(nodes) == 61  # 60 of 106 and the note
    assert '  more["… 46 more not shown"]\n' in out
    assert "v_finance_settlement" in nodes  # value streams come before plain dependents
    assert "c_dep_000" in nodes and "c_dep_099" not in nodes


def test_dot_is_not_capped_by_default() -> None:
    impact = make_impact()
    many = tuple(ImpactedComponent(f"dep-{i}", ("crm", f"dep-{i}"), False, 1) for i in range(100))
    impact = dataclasses.replace(impact, impacted_components=impact.impacted_components + many)
    assert "more not shown" not in diagrams.render_dot(impact, make_depmap())


def test_graph_shows_changed_interface_without_consumers() -> None:
    impact = dataclasses.replace(
        make_impact(),
        impacted_components=(ImpactedComponent("crm", ("crm",), True, 0),),
        value_streams=(),
    )
    out = diagrams.render_mermaid(impact, make_depmap())
    assert '  i_crm_customer_api{{"crm-customer-api"}}\n' in out
    assert "  c_crm --> i_crm_customer_api\n" in out
    assert "  class i_crm_customer_api changed\n" in out


# --------------------------------------------------------------------------- escape


def test_md_escape_is_inert_for_every_syntax() -> None:
    assert escape.md("*b* _i_ ~s~ `c` | $x$ \\") == "\\*b\\* \\_i\\_ \\~s\\~ \\`c\\` \\| \\$x\\$ \\\\"
    assert escape.md("a@b #1 https://x www.y") == "a@\u200bb #\u200b1 https:\u200b//x www\u200b.y"
    assert escape.md("<a href='x'>&amp;") == "&lt;a href='x'&gt;&amp;amp;"
    assert escape.md("one\r\ntwo\x1b[1mthree") == "one twothree"


def test_md_escape_caps_length() -> None:
    assert escape.md("x" * 50, max_len=10) == "xxxxxxxxx…"


def test_terminal_strips_ansi_sequences_whole() -> None:
    assert escape.terminal("\x1b[31mred\x1b[0m\x1b]8;;http://e\x1b\\link\x1b]8;;\x1b\\ \x9b2J") == "redlink "


# --------------------------------------------------------------------------- registry


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


def test_json_puts_each_requirement_on_its_own_line_and_round_trips() -> None:
    decision = make_decision()
    text = json_report.render(decision)
    assert json.loads(text) == json_report.to_dict(decision)
    lines = text.splitlines()
    for req in json_report.to_dict(decision)["requirements"]:
        assert "    " + json.dumps(req, ensure_ascii=False) in [line.rstrip(",") for line in lines]
