"""Sample decisions for the reporter tests: a retail map, an impact reaching two value
streams, requirements in every outcome, and an impact whose ids and names are hostile."""

from __future__ import annotations

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


def hostile_impact() -> tuple[Impact, DepMap]:
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
