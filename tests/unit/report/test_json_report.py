"""The decision as JSON (SPEC §6): valid against its schema, every field, a stable layout."""

from __future__ import annotations

import json

import jsonschema
from conftest import PROJECT
from report_samples import make_decision

from changegate.report import json_report

SCHEMA = PROJECT / "schemas" / "decision.schema.json"


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


def test_json_puts_each_requirement_on_its_own_line_and_round_trips() -> None:
    decision = make_decision()
    text = json_report.render(decision)
    assert json.loads(text) == json_report.to_dict(decision)
    lines = text.splitlines()
    for req in json_report.to_dict(decision)["requirements"]:
        assert "    " + json.dumps(req, ensure_ascii=False) in [line.rstrip(",") for line in lines]
