"""Change manifests: schema, references and waivers, every problem named with file and line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from gate_samples import MANIFEST, MAP, MAP_FILE, messages, write

from changegate.load.depmap import load_map
from changegate.load.manifest import load_manifest
from changegate.model import Config, DepMap


@pytest.fixture
def depmap(tmp_path: Path) -> DepMap:
    root = write(tmp_path / "m", {MAP_FILE: MAP})
    return load_map(root, Config())


MANIFEST_CASES = [
    pytest.param(
        "title: Upgrade CRM to 5.2\n", "",
        ["change.yaml:1: title: required key missing"],
        id="missing-title",
    ),
    pytest.param(
        "type: normal", "type: urgent",
        ["change.yaml:3: type: 'urgent' is not one of standard, normal, emergency"],
        id="wrong-type-enum",
    ),
    pytest.param(
        "components: [crm]", "components: [crm, erp]",
        ["change.yaml:5: components.1: unknown component 'erp' (known: crm, ledger)"],
        id="unknown-component",
    ),
    pytest.param(
        "interfaces_changed: [crm-customer-api]", "interfaces_changed: [crm-api]",
        ["change.yaml:6: interfaces_changed.0: unknown interface 'crm-api' (did you mean 'crm-customer-api'?)"],
        id="unknown-interface",
    ),
    pytest.param(
        "expires: 2026-12-31", "expires: 2026-02-30",
        ["change.yaml:12: waivers.0.expires: '2026-02-30' is not a valid date"],
        id="impossible-waiver-date",
    ),
    pytest.param(
        "expires: 2026-12-31", "expires: next week",
        ["change.yaml:12: waivers.0.expires: 'next week' is not a date as YYYY-MM-DD"],
        id="waiver-date-not-a-date",
    ),
    pytest.param(
        "    reason: Consumer suite being rewritten\n", "",
        ["change.yaml:10: waivers.0.reason: required key missing"],
        id="waiver-without-reason",
    ),
    pytest.param(
        "tested: true}", "tested: true, by: me}",
        ["change.yaml:8: rollback: unknown key 'by' (allowed: plan, tested)"],
        id="unknown-key-in-rollback",
    ),
    pytest.param(
        "owner: crm-team", "owner: the crm team",
        ["change.yaml:4: owner: 'the crm team' is not a team id or @login"],
        id="bad-owner",
    ),
    pytest.param(
        "risk: medium", "risk: medium\nbreaking: yes please",
        ["change.yaml:8: breaking: expected a boolean, got a string"],
        id="breaking-not-boolean",
    ),
]


@pytest.mark.parametrize(("old", "new", "expected"), MANIFEST_CASES)
def test_bad_manifest_names_file_line_and_key(depmap: DepMap, old: str, new: str, expected: list[str]) -> None:
    assert old in MANIFEST
    text = MANIFEST.replace(old, new, 1)
    assert messages(lambda: load_manifest(text, "change.yaml", depmap)) == expected


def test_waiver_for_an_unknown_policy_is_an_error_when_policies_are_known(depmap: DepMap) -> None:
    assert messages(lambda: load_manifest(MANIFEST, "change.yaml", depmap, policy_ids={"finance-sign-off"})) == [
        "change.yaml:10: waivers.0.policy: unknown policy 'finance-signoff' (did you mean 'finance-sign-off'?)"
    ]


def test_manifest_is_loaded_with_lines_and_waivers(depmap: DepMap) -> None:
    manifest = load_manifest(MANIFEST, "change.yaml", depmap, policy_ids={"finance-signoff"})
    assert (manifest.title, manifest.type, manifest.owner, manifest.risk) == (
        "Upgrade CRM to 5.2", "normal", "crm-team", "medium")
    assert manifest.components == ("crm",)
    assert manifest.interfaces_changed == ("crm-customer-api",)
    assert manifest.breaking is False
    assert manifest.waivers[0].expires == dt.date(2026, 12, 31)
    assert manifest.waivers[0].policy == "finance-signoff"
    assert str(manifest.waivers[0].loc) == "change.yaml:10"
    assert manifest.data["waivers"][0]["expires"] == "2026-12-31"
    assert manifest.data["rollback"] == {"plan": "Redeploy 5.1", "tested": True}
    assert {k: manifest.lines[k] for k in ("title", "risk", "rollback.plan", "components.0", "waivers.0")} == {
        "title": 2, "risk": 7, "rollback.plan": 8, "components.0": 5, "waivers.0": 10}


def test_manifest_owner_may_be_a_login_that_is_kept_as_written(depmap: DepMap) -> None:
    manifest = load_manifest(MANIFEST.replace("owner: crm-team", "owner: '@Alice'"), "c.yaml", depmap)
    assert manifest.owner == "@Alice"
