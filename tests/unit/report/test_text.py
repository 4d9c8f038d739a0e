"""The decision for a terminal: grouped by value stream and outcome, one closing line, and
nothing a pull request writes can move the cursor or hide text."""

from __future__ import annotations

import dataclasses
import re

from report_samples import make_decision, make_depmap, make_impact, make_requirements

from changegate.report import text


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
