"""The impact as Mermaid and Graphviz DOT: safe ids, escaped labels, the cap on Mermaid."""

from __future__ import annotations

import dataclasses
import re

from report_samples import hostile_impact, make_depmap, make_impact

from changegate.model import ImpactedComponent
from changegate.report import diagrams


def test_mermaid_ids_are_sanitised_and_labels_escaped() -> None:
    impact, depmap = hostile_impact()
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
    impact, depmap = hostile_impact()
    out = diagrams.render_dot(impact, depmap)
    assert out.startswith("digraph impact {\n")
    assert out.endswith("}\n")
    assert '  "component:we\\"ird id" [label="we\\"ird id", fillcolor="#fde2e1", penwidth=2];\n' in out
    assert '  "component:we\\"ird id" -> "component:end";\n' in out
    assert '  "component:we\\"ird id" -> "value_stream:v s";\n' in out
    # every quoted string is closed on its line: an even number of unescaped quotes
    for line in out.splitlines():
        assert len(re.findall(r'(?<!\\)"', line)) % 2 == 0, line


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
