"""The decision (SPEC §6): pass/fail rules, requirement order, change info, and the
shipped baseline applied to constructed impacts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from changegate.core.decide import change_info, decide, decide_impact, sort_requirements
from changegate.load.policies import load_policies
from changegate.model import (
    AffectedValueStream,
    ApprovalRule,
    Approvals,
    ChangeInfo,
    Component,
    Config,
    DepMap,
    Evidence,
    Finding,
    Impact,
    ImpactedComponent,
    Interface,
    Manifest,
    Match,
    Policy,
    Require,
    Requirement,
    Review,
    Risk,
    Team,
    ValueStream,
)
from changegate.model import TestRule as SuiteRule  # "Test*" names would be collected

HEAD = "abc123"
TODAY = dt.date(2026, 11, 27)

MAP = DepMap(
    teams={"crm-team": Team("crm-team", ("alice", "bob")),
           "finance-owners": Team("finance-owners", ("erin",))},
    value_streams={"finance-settlement": ValueStream("finance-settlement", ("finance-owners",),
                                                     "critical"),
                   "customer-service": ValueStream("customer-service", ("crm-team",), "low")},
    components={
        "crm": Component("crm", ("crm-team",), ("services/crm/**",),
                         value_streams=("customer-service",), provides=("crm-customer-api",),
                         tests=("crm-unit",)),
        "ledger": Component("ledger", ("finance-owners",), ("services/ledger/**",),
                            value_streams=("finance-settlement",), consumes=("crm-customer-api",),
                            contract_tests=("ledger-contract",)),
    },
    interfaces={"crm-customer-api": Interface("crm-customer-api", ("services/crm/api/**",),
                                              provider="crm")},
)


def impact(touched: tuple[str, ...] = ("crm",), impacted: tuple[str, ...] = (),
           interfaces: tuple[str, ...] = (), streams: tuple[str, ...] = ("customer-service",),
           risk: str = "low", findings: tuple[Finding, ...] = ()) -> Impact:
    comps = tuple(ImpactedComponent(c, (c,), True, 0) for c in touched) + tuple(
        ImpactedComponent(c, (*touched[:1], c), False, 1) for c in impacted)
    vss = tuple(AffectedValueStream(v, MAP.value_streams[v].criticality,
                                    MAP.value_streams[v].owners, (v,)) for v in streams)
    return Impact(touched, interfaces, comps, vss, (), Risk(risk, None, risk, ()), findings)


def manifest(**data: Any) -> Manifest:
    base: dict[str, Any] = {"version": 1, "title": "Upgrade CRM", "type": "normal",
                            "owner": "crm-team", "summary": "Moves CRM to 5.2",
                            "components": ["crm"]}
    base.update(data)
    return Manifest(file=".changegate/changes/crm.yaml", title=base["title"], type=base["type"],
                    owner=base["owner"], data=base, components=tuple(base["components"]))


def evidence(*approvers: str, files: tuple[str, ...] = ("services/crm/app.py",)) -> Evidence:
    reviews = tuple(Review(u, "APPROVED", HEAD, "2026-11-27T10:00:00Z") for u in approvers)
    return Evidence(changed_files=files,
                    approvals=Approvals(author="dave", head_sha=HEAD, reviews=reviews),
                    today=TODAY, base="main", head=HEAD)


def policy(pid: str, *, severity: str = "error", **kw: Any) -> Policy:
    return Policy(pid, "org", severity=severity, **kw)  # type: ignore[arg-type]


CRM_APPROVAL = policy("crm-approval", require=Require(approvals=(ApprovalRule(team="crm-team"),)))


def run(policies: list[Policy], man: Manifest | None = None, imp: Impact | None = None,
        ev: Evidence | None = None, extra: tuple[Finding, ...] = ()) -> Any:
    return decide_impact(man, MAP, imp or impact(), policies, ev or evidence(), Config(), extra)


def test_all_satisfied_passes() -> None:
    got = run([CRM_APPROVAL], manifest(), ev=evidence("alice"))
    assert got.decision == "pass"


def test_missing_error_requirement_fails() -> None:
    got = run([CRM_APPROVAL], manifest())
    assert got.decision == "fail"


def test_missing_warning_requirement_passes() -> None:
    warn = policy("crm-approval", severity="warning",
                  require=Require(approvals=(ApprovalRule(team="crm-team"),)))
    assert run([warn], manifest()).decision == "pass"


def test_failed_test_suite_fails() -> None:
    from changegate.model import SuiteResult

    suites = {"crm-unit": SuiteResult("crm-unit", 2, 1, 0, 0)}
    ev = Evidence(changed_files=("services/crm/app.py",), today=TODAY, suites=suites)
    p = policy("unit", require=Require(tests=(SuiteRule(suite="crm-unit"),)))
    got = run([p], manifest(), ev=ev)
    assert (got.decision, got.requirements[0].status) == ("fail", "failed")


def test_error_deny_blocks_and_warning_deny_does_not() -> None:
    assert run([policy("freeze", deny="Release freeze")], manifest()).decision == "fail"
    assert run([policy("freeze", severity="warning", deny="Release freeze")],
               manifest()).decision == "pass"


def test_unmatched_deny_does_not_block() -> None:
    deny = policy("no-ledger", match=Match(touched_components=("ledger",)), deny="No ledger")
    got = run([deny], manifest())
    assert (got.decision, got.requirements, got.policies[0].matched) == ("pass", (), False)


def test_error_finding_fails_even_when_requirements_pass() -> None:
    err = Finding("error", "undeclared-component", "crm is touched but not declared")
    assert run([], manifest(), impact(findings=(err,))).decision == "fail"
    assert run([], manifest(), extra=(err,)).decision == "fail"
    warn = Finding("warning", "unmapped-file", "README.md is claimed by no component")
    assert run([], manifest(), extra=(warn,)).decision == "pass"


def test_findings_merge_impact_policy_and_extra_in_that_order() -> None:
    from_impact = Finding("warning", "risk-under-declared", "declared low, computed high")
    extra = Finding("error", "multiple-manifests", "two manifests")
    got = run([CRM_APPROVAL], manifest(), impact(findings=(from_impact,)),
              Evidence(changed_files=(), today=TODAY, approvals=Approvals(
                  author="dave", head_sha=HEAD,
                  reviews=(Review("dave", "APPROVED", HEAD, "2026-11-27T10:00:00Z"),))),
              (extra,))
    assert [f.code for f in got.findings] == ["risk-under-declared", "approval-ignored",
                                              "multiple-manifests"]


def test_change_info_comes_from_the_manifest() -> None:
    assert change_info(manifest()) == ChangeInfo(".changegate/changes/crm.yaml", "Upgrade CRM",
                                                 "normal", "crm-team", "Moves CRM to 5.2")
    assert change_info(None) == ChangeInfo(None, None, None)


def test_decision_carries_diff_and_impact() -> None:
    imp = impact()
    got = run([], manifest(), imp)
    assert (got.base, got.head, got.files, got.impact, got.depmap) == ("main", HEAD, 1, imp, MAP)


def requirement(kind: str, target: str, status: str, severity: str = "error") -> Requirement:
    return Requirement(kind, target, "p", "org", severity, status, "", "")  # type: ignore[arg-type]


def test_requirements_sort_blocking_first_then_kind_then_target() -> None:
    reqs = [
        requirement("approval", "team:b", "satisfied"),
        requirement("test", "suite:x", "missing", "warning"),
        requirement("deny", "policy:freeze", "failed"),
        requirement("approval", "team:a", "missing"),
        requirement("manifest", "manifest", "satisfied"),
        requirement("owner", "component:crm", "waived"),
        requirement("field", "field:rollback.plan", "missing"),
    ]
    assert [(r.kind, r.target) for r in sort_requirements(reqs)] == [
        ("field", "field:rollback.plan"), ("approval", "team:a"), ("deny", "policy:freeze"),
        ("manifest", "manifest"), ("owner", "component:crm"), ("approval", "team:b"),
        ("test", "suite:x")]


# --------------------------------------------------------------------------- the baseline


def baseline() -> list[Policy]:
    """builtin:baseline through the real loader (it reads only the shipped file)."""
    return load_policies(Path("."), Config(policies=("builtin:baseline",)), MAP)


def test_baseline_ids_layer_and_no_waivers() -> None:
    policies = baseline()
    assert [p.id for p in policies] == [
        "baseline-manifest", "baseline-owners", "baseline-component-owner-approval",
        "baseline-vs-owner-approval", "baseline-contract-tests", "baseline-rollback-plan",
        "baseline-emergency-pir"]
    assert all(p.layer == "org" and p.description and not p.waivable_by for p in policies)
    assert not [p.id for p in policies if p.match.when is not None]  # runs without CEL


def test_baseline_low_risk_change_needs_manifest_owners_and_component_approval() -> None:
    got = run(baseline(), None)
    assert [(r.kind, r.target, r.status) for r in got.requirements] == [
        ("manifest", "manifest", "missing"),
        ("approval", "component:crm", "missing"),
        ("owner", "component:crm", "satisfied"),
        ("owner", "value_stream:customer-service", "satisfied"),
    ]
    assert got.decision == "fail"
    got = run(baseline(), manifest(), ev=evidence("alice"))
    assert got.decision == "pass"
    assert [p.id for p in got.policies if p.matched] == [
        "baseline-manifest", "baseline-owners", "baseline-component-owner-approval"]


def test_baseline_high_risk_interface_change_asks_for_the_rest() -> None:
    imp = impact(impacted=("ledger",), interfaces=("crm-customer-api",),
                 streams=("customer-service", "finance-settlement"), risk="critical")
    got = run(baseline(), manifest(), imp, evidence("alice"))
    blocking = [(r.kind, r.target, r.policy) for r in got.requirements
                if r.status in ("missing", "failed")]
    assert blocking == [
        ("field", "field:rollback.plan", "baseline-rollback-plan"),
        ("approval", "value_stream:finance-settlement", "baseline-vs-owner-approval"),
        ("test", "suite:ledger-contract", "baseline-contract-tests"),
    ]
    assert got.decision == "fail"


def test_baseline_change_without_changed_files_needs_no_manifest() -> None:
    got = run(baseline(), None, impact(touched=(), streams=()), evidence(files=()))
    assert (got.decision, got.requirements) == ("pass", ())


def test_decide_resolves_the_impact_itself() -> None:
    got = decide(manifest(), MAP, None, [CRM_APPROVAL], evidence("bob"), Config())
    assert (got.decision, got.impact.touched_components) == ("pass", ("crm",))
