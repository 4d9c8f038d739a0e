"""Policy evaluation (SPEC §4, §6): matching, requirements, approvals, layers, waivers."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from changegate.core.cel_context import cel_context
from changegate.core.decide import evaluate_policies
from changegate.errors import CelError
from changegate.model import (
    AffectedValueStream,
    ApprovalRule,
    Approvals,
    ApprovalSettings,
    Component,
    Config,
    DepMap,
    Evidence,
    Finding,
    Impact,
    ImpactedComponent,
    Interface,
    Location,
    Manifest,
    Match,
    Policy,
    Require,
    Requirement,
    Review,
    Risk,
    SuiteResult,
    Team,
    ValueStream,
    Waiver,
    WaiverUse,
)
from changegate.model import TestRule as SuiteRule  # "Test*" names would be collected

HEAD = "abc123"
TODAY = dt.date(2026, 11, 27)
MANIFEST_FILE = ".changegate/changes/crm-5-2.yaml"


def depmap(**team_members: tuple[str, ...]) -> DepMap:
    teams = {
        "crm-team": ("alice", "bob"),
        "finance-owners": ("erin", "frank"),
        "ledger-team": ("gina",),
        "change-enablement": ("carol",),
        "ghost-team": (),
    }
    teams.update(team_members)
    return DepMap(
        teams={t: Team(t, m) for t, m in teams.items()},
        value_streams={
            "finance-settlement": ValueStream("finance-settlement", ("finance-owners",), "critical"),
            "customer-service": ValueStream("customer-service", ("crm-team",), "medium"),
            "archive": ValueStream("archive", ("ghost-team",), "low",
                                   loc=Location(".changegate/map.yaml", 30)),
        },
        components={
            "crm": Component("crm", ("crm-team",), ("services/crm/**",),
                             value_streams=("customer-service",), provides=("crm-customer-api",),
                             tests=("crm-unit",), contract_tests=("crm-contract",)),
            "ledger": Component("ledger", ("ledger-team",), ("services/ledger/**",),
                                value_streams=("finance-settlement",),
                                consumes=("crm-customer-api",), tests=("ledger-unit",),
                                contract_tests=("ledger-contract",)),
            "attic": Component("attic", ("ghost-team",), ("attic/**",),
                               loc=Location(".changegate/map.yaml", 40)),
        },
        interfaces={"crm-customer-api": Interface("crm-customer-api", ("services/crm/api/**",),
                                                  provider="crm")},
        files=(".changegate/map.yaml",),
    )


MAP = depmap()


def impact(touched: tuple[str, ...] = ("crm",), impacted: tuple[str, ...] = ("ledger",),
           interfaces: tuple[str, ...] = ("crm-customer-api",),
           streams: tuple[str, ...] = ("customer-service", "finance-settlement"),
           risk: str = "critical") -> Impact:
    comps = tuple(ImpactedComponent(c, (c,), True, 0) for c in touched) + tuple(
        ImpactedComponent(c, (touched[0], c), False, 1) for c in impacted)
    vss = tuple(AffectedValueStream(v, MAP.value_streams[v].criticality,
                                    MAP.value_streams[v].owners, (v,)) for v in streams)
    return Impact(touched, interfaces, comps, vss, (), Risk(risk, None, risk, ()))


def manifest(**data: Any) -> Manifest:
    base: dict[str, Any] = {"version": 1, "title": "Upgrade CRM", "type": "normal",
                            "owner": "crm-team", "components": ["crm"]}
    base.update(data)
    waivers = tuple(
        Waiver(w["policy"], w["reason"], w["expires"]) for w in base.get("waivers", ()))
    return Manifest(
        file=MANIFEST_FILE, title=base["title"], type=base["type"], owner=base["owner"],
        data=base, components=tuple(base["components"]), breaking=base.get("breaking", False),
        waivers=waivers, lines={"owner": 4, "waivers.0": 20, "waivers.1": 23, "rollback.plan": 12},
    )


def review(user: str, state: str = "APPROVED", commit: str = HEAD,
           at: str = "2026-11-27T10:00:00Z") -> Review:
    return Review(user, state, commit, at)


def evidence(*reviews: Review, suites: dict[str, SuiteResult] | None = None,
             files: tuple[str, ...] = ("services/crm/app.py",), author: str = "dave",
             committers: tuple[str, ...] = (), team_members: dict[str, frozenset[str]] | None = None,
             labels: tuple[str, ...] = ()) -> Evidence:
    return Evidence(
        changed_files=files,
        approvals=Approvals(author=author, head_sha=HEAD, labels=labels, reviews=reviews,
                            committers=committers, source="approvals.json"),
        suites=suites or {}, team_members=team_members or {}, today=TODAY,
    )


CONFIG = Config(junit=("reports/**/*.xml",))


def policy(pid: str = "p", layer: str = "org", *, match: Match | None = None,
           require: Require | None = None, **kw: Any) -> Policy:
    return Policy(pid, layer, match=match or Match(), require=require or Require(), **kw)


def run(policies: list[Policy], man: Manifest | None = None, imp: Impact | None = None,
        ev: Evidence | None = None, config: Config = CONFIG, dmap: DepMap = MAP) -> Any:
    return evaluate_policies(policies, dmap, imp or impact(), man, ev or evidence(), config)


def requirements(*args: Any, **kw: Any) -> dict[str, Requirement]:
    _, reqs, _ = run(*args, **kw)
    return {f"{r.kind} {r.target}": r for r in reqs}


def one(*args: Any, **kw: Any) -> Requirement:
    reqs = list(requirements(*args, **kw).values())
    assert len(reqs) == 1, reqs
    return reqs[0]


def reason(match: Match, man: Manifest | None = None, imp: Impact | None = None,
           ev: Evidence | None = None) -> tuple[bool, str]:
    results, _, _ = run([policy(match=match, require=Require(manifest=True))], man, imp, ev)
    return results[0].matched, results[0].reason


# --------------------------------------------------------------------------- match


def test_policy_without_match_always_applies() -> None:
    assert reason(Match()) == (True, "matched: no match keys (always applies)")


def test_value_streams_match_when_any_is_affected() -> None:
    assert reason(Match(value_streams=("finance-settlement", "archive"))) == (
        True, "matched: value_streams (finance-settlement affected)")
    assert reason(Match(value_streams=("archive",))) == (
        False, "not matched: value_streams (none of archive affected)")


def test_touched_components_match_when_any_is_touched() -> None:
    assert reason(Match(touched_components=("crm",))) == (
        True, "matched: touched_components (crm touched)")
    assert reason(Match(touched_components=("ledger",))) == (
        False, "not matched: touched_components (none of ledger touched)")


def test_impacted_components_include_touched_ones() -> None:
    assert reason(Match(impacted_components=("ledger", "crm"))) == (
        True, "matched: impacted_components (ledger, crm impacted)")
    assert reason(Match(impacted_components=("attic",))) == (
        False, "not matched: impacted_components (none of attic impacted)")


def test_change_types_match_the_manifest_type() -> None:
    types = Match(change_types=("normal", "emergency"))
    assert reason(types, manifest()) == (True, "matched: change_types (change is normal)")
    assert reason(types, manifest(type="standard")) == (
        False, "not matched: change_types (change is standard)")


def test_change_types_never_hold_without_a_manifest() -> None:
    assert reason(Match(change_types=("normal",))) == (
        False, "not matched: change_types (no manifest)")


def test_risk_at_least_compares_the_effective_risk() -> None:
    assert reason(Match(risk_at_least="high")) == (
        True, "matched: risk_at_least high (risk is critical)")
    assert reason(Match(risk_at_least="high"), imp=impact(risk="medium")) == (
        False, "not matched: risk_at_least high (risk is medium)")


def test_paths_match_when_any_changed_file_matches() -> None:
    ev = evidence(files=("README.md", "db/migrations/001.sql", "db/migrations/002.sql"))
    assert reason(Match(paths=("db/migrations/**",)), ev=ev) == (
        True, "matched: paths (db/migrations/001.sql and 1 more match)")
    assert reason(Match(paths=("db/**", "!db/migrations/**")), ev=evidence(
        files=("db/migrations/001.sql",))) == (False, "not matched: paths (no changed file matches)")


def test_breaking_defaults_to_false() -> None:
    assert reason(Match(breaking=True), manifest(breaking=True)) == (
        True, "matched: breaking true (change is breaking)")
    assert reason(Match(breaking=True), manifest()) == (
        False, "not matched: breaking true (change is not breaking)")
    assert reason(Match(breaking=False)) == (True, "matched: breaking false (change is not breaking)")


def test_interfaces_changed_true_false_and_list() -> None:
    assert reason(Match(interfaces_changed=True)) == (
        True, "matched: interfaces_changed (crm-customer-api changed)")
    assert reason(Match(interfaces_changed=True), imp=impact(interfaces=())) == (
        False, "not matched: interfaces_changed (no interface changed)")
    assert reason(Match(interfaces_changed=False), imp=impact(interfaces=())) == (
        True, "matched: interfaces_changed (no interface changed)")
    assert reason(Match(interfaces_changed=False)) == (
        False, "not matched: interfaces_changed (crm-customer-api changed)")
    assert reason(Match(interfaces_changed=("crm-customer-api",))) == (
        True, "matched: interfaces_changed (crm-customer-api changed)")
    assert reason(Match(interfaces_changed=("other-api",))) == (
        False, "not matched: interfaces_changed (none of other-api changed)")


def test_every_match_key_must_hold_and_each_failing_one_is_named() -> None:
    m = Match(value_streams=("finance-settlement",), risk_at_least="high",
              change_types=("emergency",), breaking=True)
    assert reason(m, manifest()) == (
        False, "not matched: change_types (change is normal); breaking true (change is not breaking)")
    m = Match(value_streams=("finance-settlement",), risk_at_least="high")
    assert reason(m) == (
        True, "matched: value_streams (finance-settlement affected); risk_at_least high (risk is critical)")


def test_when_expression_decides_the_match() -> None:
    m = Match(when='change.type == "emergency" && size(impact.value_streams) > 1')
    assert reason(m, manifest(type="emergency")) == (True, "matched: when (expression is true)")
    assert reason(m, manifest()) == (False, "not matched: when (expression is false)")
    assert reason(m, None) == (False, "not matched: when (expression is false)")


def test_when_is_not_evaluated_once_another_key_fails() -> None:
    m = Match(touched_components=("ledger",), when="1 / 0 == 1")
    assert reason(m) == (False, "not matched: touched_components (none of ledger touched)")


def test_when_that_fails_to_evaluate_is_an_input_error() -> None:
    p = Policy("broken", "org", match=Match(when="change.nope == 1"),
               require=Require(manifest=True), loc=Location("policies/x.yaml", 7))
    with pytest.raises(CelError) as info:
        run([p], manifest())
    assert str(info.value) == (
        "policies/x.yaml:7: when: 'change.nope == 1' cannot be evaluated: no such key: nope")


def test_cel_context_has_change_impact_files_author_and_labels() -> None:
    man = manifest(waivers=[{"policy": "p", "reason": "r", "expires": dt.date(2026, 12, 31)}])
    ctx = cel_context(man, impact(), evidence(labels=("release",)))
    assert ctx["change"]["waivers"] == [{"policy": "p", "reason": "r", "expires": "2026-12-31"}]
    assert ctx["impact"] == {
        "touched_components": ["crm"], "impacted_components": ["crm", "ledger"],
        "changed_interfaces": ["crm-customer-api"],
        "value_streams": ["customer-service", "finance-settlement"], "risk": "critical",
        "unmapped_files": []}
    assert (ctx["files"], ctx["author"], ctx["labels"]) == (
        ["services/crm/app.py"], "dave", ["release"])
    assert cel_context(None, impact(), evidence())["change"] == {
        "title": "", "type": "", "owner": "", "summary": "", "components": [],
        "interfaces_changed": [], "breaking": False, "tickets": [], "tests": [], "waivers": []}
    assert cel_context(manifest(), impact(), evidence())["change"]["breaking"] is False


def test_unmatched_policy_requires_nothing() -> None:
    results, reqs, findings = run([policy(match=Match(touched_components=("ledger",)),
                                          require=Require(manifest=True))])
    assert results[0].matched is False
    assert (reqs, findings) == ((), ())


# --------------------------------------------------------------------------- manifest and fields


def test_manifest_requirement() -> None:
    p = policy(require=Require(manifest=True))
    got = one([p], manifest())
    assert (got.target, got.status, got.detail) == ("manifest", "satisfied", f"manifest {MANIFEST_FILE}")
    got = one([p], None)
    assert (got.status, got.detail, got.fix) == (
        "missing", "no change manifest is part of this change",
        "Add a change manifest under .changegate/changes/ (`changegate new` scaffolds one from the diff)")


def test_fields_are_walked_by_dotted_path() -> None:
    p = policy(require=Require(fields=("rollback.plan", "tickets")))
    reqs = requirements([p], manifest(rollback={"plan": "redeploy 5.1"}, tickets=["CRM-1"]))
    assert reqs["field field:rollback.plan"].status == "satisfied"
    assert reqs["field field:rollback.plan"].detail == f"`rollback.plan` is set in {MANIFEST_FILE}:12"
    assert reqs["field field:tickets"].status == "satisfied"


def test_empty_fields_are_missing() -> None:
    p = policy(require=Require(fields=("rollback.plan", "tickets", "summary")))
    reqs = requirements([p], manifest(rollback={"plan": "  "}, tickets=[]))
    plan = reqs["field field:rollback.plan"]
    assert (plan.status, plan.detail, plan.fix) == (
        "missing", f"`rollback.plan` is empty in {MANIFEST_FILE}:12",
        f"Add `rollback.plan` to {MANIFEST_FILE}")
    assert reqs["field field:tickets"].detail == f"`tickets` is empty in {MANIFEST_FILE}"
    assert reqs["field field:summary"].detail == f"`summary` is missing in {MANIFEST_FILE}"


def test_a_field_still_holding_the_scaffold_placeholder_is_missing() -> None:
    p = policy(require=Require(fields=("rollback.plan", "summary")))
    reqs = requirements([p], manifest(rollback={"plan": " TODO: how to undo this change"},
                                      summary="Remove the TODO: markers from the API"))
    plan = reqs["field field:rollback.plan"]
    assert (plan.status, plan.detail, plan.fix) == (
        "missing",
        f"`rollback.plan` still holds the placeholder `changegate new` wrote in {MANIFEST_FILE}:12",
        f"Replace the TODO: text of `rollback.plan` in {MANIFEST_FILE}")
    assert reqs["field field:summary"].status == "satisfied"  # only a leading marker counts


def test_fields_without_a_manifest_are_missing() -> None:
    got = one([policy(require=Require(fields=("rollback.plan",)))], None)
    assert (got.status, got.detail, got.fix) == (
        "missing", "`rollback.plan` is required, but no change manifest is part of this change",
        "Add a change manifest under .changegate/changes/ with `rollback.plan`")


# --------------------------------------------------------------------------- owners


def test_owners_cover_components_value_streams_and_manifest_owner() -> None:
    reqs = requirements([policy(require=Require(owners=True))], manifest())
    assert {k: r.status for k, r in reqs.items()} == {
        "owner component:crm": "satisfied", "owner component:ledger": "satisfied",
        "owner value_stream:customer-service": "satisfied",
        "owner value_stream:finance-settlement": "satisfied",
        "owner manifest-owner": "satisfied"}
    assert reqs["owner component:crm"].detail == "component crm is owned by crm-team: alice, bob"


def test_owner_team_without_members_is_missing() -> None:
    imp = impact(touched=("attic",), impacted=(), streams=("archive",))
    reqs = requirements([policy(require=Require(owners=True))], None, imp)
    attic = reqs["owner component:attic"]
    assert (attic.status, attic.detail, attic.fix) == (
        "missing", "component attic has no owner team with members (ghost-team has no members)",
        "Give component attic an owner team with members in the map (.changegate/map.yaml:40)")
    assert reqs["owner value_stream:archive"].fix == (
        "Give value stream archive an owner team with members in the map (.changegate/map.yaml:30)")
    assert "owner manifest-owner" not in reqs  # no manifest: the manifest requirement says so


def test_team_membership_from_evidence_overrides_the_map() -> None:
    imp = impact(touched=("attic",), impacted=(), streams=())
    ev = evidence(team_members={"ghost-team": frozenset({"zed"}), "crm-team": frozenset()})
    reqs = requirements([policy(require=Require(owners=True))], None, imp, ev)
    assert reqs["owner component:attic"].status == "satisfied"
    reqs = requirements([policy(require=Require(owners=True))], None, impact(impacted=(), streams=()), ev)
    assert reqs["owner component:crm"].status == "missing"


def test_manifest_owner_may_be_a_login_but_not_an_unknown_team() -> None:
    p = policy(require=Require(owners=True))
    imp = impact(touched=(), impacted=(), streams=())
    assert one([p], manifest(owner="@dave"), imp).status == "satisfied"
    got = one([p], manifest(owner="ops"), imp)
    assert (got.target, got.status, got.detail, got.fix) == (
        "manifest-owner", "missing",
        f"the manifest owner 'ops' ({MANIFEST_FILE}:4) is neither a team of the map nor an @login",
        f"Set `owner` in {MANIFEST_FILE} to a team id of the map or to @login")


# --------------------------------------------------------------------------- approvals

FINANCE = policy(require=Require(approvals=(ApprovalRule(team="finance-owners"),)))


def test_team_approval_missing_says_who_can_approve() -> None:
    got = one([FINANCE])
    assert (got.kind, got.target, got.status, got.count, got.approvers, got.eligible) == (
        "approval", "team:finance-owners", "missing", 1, (), ("erin", "frank"))
    assert got.detail == ("needs 1 approval from a member of finance-owners (erin, frank); "
                          "approved so far: none")
    assert got.fix == ("Ask one of erin, frank (finance-owners) to approve the pull request at "
                       "its head commit")


def test_team_approval_by_a_member_at_head_is_satisfied() -> None:
    got = one([FINANCE], ev=evidence(review("erin")))
    assert (got.status, got.approvers, got.fix) == ("satisfied", ("erin",), "")
    assert got.detail == ("needs 1 approval from a member of finance-owners (erin, frank); "
                          "approved so far: erin")


def test_stale_approval_does_not_count_unless_allowed() -> None:
    ev = evidence(review("erin", commit="old999"))
    assert one([FINANCE], ev=ev).status == "missing"
    stale_ok = Config(approvals=ApprovalSettings(allow_stale=True))
    assert one([FINANCE], ev=ev, config=stale_ok).status == "satisfied"


def test_own_approval_never_counts() -> None:
    ev = evidence(review("erin"), author="erin")
    got = one([FINANCE], ev=ev)
    assert (got.status, got.eligible) == ("missing", ("frank",))
    assert got.fix == "Ask frank (finance-owners) to approve the pull request at its head commit"


def test_committer_approval_counts_only_when_committers_are_not_excluded() -> None:
    ev = evidence(review("erin"), committers=("erin",))
    assert one([FINANCE], ev=ev).status == "missing"
    keep = Config(approvals=ApprovalSettings(exclude_committers=False))
    assert one([FINANCE], ev=ev, config=keep).status == "satisfied"


def test_approval_by_a_non_member_does_not_count() -> None:
    assert one([FINANCE], ev=evidence(review("alice"))).status == "missing"


def test_latest_review_of_each_user_wins() -> None:
    withdrawn = evidence(review("erin", at="2026-11-27T10:00:00Z"),
                         review("erin", "CHANGES_REQUESTED", at="2026-11-27T11:00:00Z"))
    assert one([FINANCE], ev=withdrawn).status == "missing"
    given = evidence(review("erin", "CHANGES_REQUESTED", at="2026-11-27T10:00:00Z"),
                     review("erin", at="2026-11-27T11:00:00Z"))
    assert one([FINANCE], ev=given).status == "satisfied"


def test_team_approval_count_needs_distinct_approvers() -> None:
    two = policy(require=Require(approvals=(ApprovalRule(team="finance-owners", count=2),)))
    got = one([two], ev=evidence(review("erin"), review("erin", at="2026-11-27T12:00:00Z")))
    assert (got.status, got.count, got.approvers) == ("missing", 2, ("erin",))
    assert got.detail == ("needs 2 approvals from distinct members of finance-owners (erin, frank); "
                          "approved so far: erin")
    assert got.fix == "Ask frank (finance-owners) to approve the pull request at its head commit"
    both = policy(require=Require(approvals=(ApprovalRule(team="finance-owners", count=2),)))
    assert one([both], ev=evidence(review("alice"))).fix == (
        "Ask erin and frank (finance-owners) to approve the pull request at its head commit")
    assert one([two], ev=evidence(review("erin"), review("frank"))).status == "satisfied"


def test_team_too_small_for_the_count_says_to_add_members() -> None:
    three = policy(require=Require(approvals=(ApprovalRule(team="finance-owners", count=3),)))
    assert one([three]).fix == (
        "Add members to finance-owners in the map (.changegate/map.yaml): only 2 more can approve "
        "this change (the author and committers cannot) and 3 more are needed")


def test_value_stream_owner_approval_is_one_per_affected_stream() -> None:
    p = policy(require=Require(approvals=(ApprovalRule(owners_of="value_streams"),)))
    reqs = requirements([p], ev=evidence(review("bob")))
    assert reqs["approval value_stream:customer-service"].status == "satisfied"
    fin = reqs["approval value_stream:finance-settlement"]
    assert (fin.status, fin.detail, fin.fix) == (
        "missing",
        "needs 1 approval from an owner of value stream finance-settlement (finance-owners: "
        "erin, frank); approved so far: none",
        "Ask one of erin, frank (finance-owners) to approve the pull request at its head commit")


def test_component_owner_approval_for_touched_or_impacted_components() -> None:
    touched = policy(require=Require(approvals=(ApprovalRule(owners_of="touched_components"),)))
    reqs = requirements([touched], ev=evidence(review("alice")))
    assert {k: r.status for k, r in reqs.items()} == {"approval component:crm": "satisfied"}
    impacted = policy(require=Require(approvals=(ApprovalRule(owners_of="impacted_components"),)))
    reqs = requirements([impacted], ev=evidence(review("alice")))
    assert {k: r.status for k, r in reqs.items()} == {
        "approval component:crm": "satisfied", "approval component:ledger": "missing"}


def test_ignored_approvals_are_reported_as_notices() -> None:
    _, _, findings = run([FINANCE], ev=evidence(review("erin", commit="old999"), review("dave")))
    assert [(f.level, f.code, f.file) for f in findings] == [
        ("notice", "approval-ignored", "approvals.json")] * 2


# --------------------------------------------------------------------------- tests


def suite(name: str, tests: int = 3, failures: int = 0, errors: int = 0, skipped: int = 0) -> SuiteResult:
    return SuiteResult(name, tests, failures, errors, skipped, (f"reports/{name}.xml",))


def test_named_suite_statuses() -> None:
    p = policy(require=Require(tests=(SuiteRule(suite="crm-unit"),)))
    got = one([p], ev=evidence(suites={"crm-unit": suite("crm-unit")}))
    assert (got.target, got.status, got.detail) == (
        "suite:crm-unit", "satisfied",
        "suite crm-unit: passed (3 tests, 0 failures, 0 errors, 0 skipped, 0 flaky; "
        "read 1 file: reports/crm-unit.xml)")
    failing = dataclasses.replace(suite("crm-unit", failures=2, errors=1), failing=("t.a", "t.b", "t.c"))
    got = one([p], ev=evidence(suites={"crm-unit": failing}))
    assert (got.status, got.detail, got.fix) == (
        "failed", "suite crm-unit: failed (3 tests, 2 failures, 1 errors, 0 skipped, 0 flaky; "
        "read 1 file: reports/crm-unit.xml); first failing: t.a, t.b, t.c",
        "Fix the failing tests of suite crm-unit and publish its JUnit XML again")
    got = one([p], ev=evidence(suites={"crm-unit": suite("crm-unit", skipped=3)}))
    assert (got.status, got.detail, got.fix) == (
        "failed", "suite crm-unit: ran no test (3 tests, 0 failures, 0 errors, 3 skipped, 0 flaky; "
        "read 1 file: reports/crm-unit.xml)",
        "Make suite crm-unit run at least one test and publish its JUnit XML again")
    got = one([p], ev=evidence(suites={"crm-unit": suite("crm-unit", tests=0)}))
    assert got.status == "failed"
    got = one([p])
    assert (got.status, got.detail, got.fix) == (
        "missing", "suite crm-unit: no JUnit result found",
        "Run suite crm-unit and publish its JUnit XML (evidence globs: reports/**/*.xml)")
    assert one([p], config=Config()).fix == (
        "Run suite crm-unit and publish its JUnit XML (no evidence globs configured: set "
        "evidence.junit or pass --junit)")


def test_a_suite_detail_names_its_files_and_counts_its_flaky_tests() -> None:
    p = policy(require=Require(tests=(SuiteRule(suite="crm-unit"),)))
    files = tuple(f"build/TEST-{i}.xml" for i in range(7))
    result = SuiteResult("crm-unit", 9, 0, 0, 1, files, flaky=2)
    got = one([p], ev=evidence(suites={"crm-unit": result}))
    assert (got.status, got.detail) == (
        "satisfied", "suite crm-unit: passed (9 tests, 0 failures, 0 errors, 1 skipped, 2 flaky; read 7 files: "
        "build/TEST-0.xml, build/TEST-1.xml, build/TEST-2.xml, build/TEST-3.xml, build/TEST-4.xml and 2 more)")


def test_a_mapped_suite_with_no_file_says_where_it_was_looked_for() -> None:
    p = policy(require=Require(tests=(SuiteRule(suite="crm-unit"),)))
    config = Config(suites=(("crm-unit", ("services/crm/build/test-results/test/*.xml",)),))
    got = one([p], config=config)
    assert (got.status, got.detail, got.fix) == (
        "missing",
        "suite crm-unit: no JUnit file matched services/crm/build/test-results/test/*.xml (evidence.suites)",
        "Run suite crm-unit and publish its JUnit XML where evidence.suites.crm-unit looks for it")


def test_suites_from_touched_components_and_impacted_consumers() -> None:
    p = policy(require=Require(tests=(SuiteRule(from_="touched_components"),
                                      SuiteRule(from_="impacted_consumers"))))
    reqs = requirements([p])
    assert sorted(reqs) == ["test suite:crm-unit", "test suite:ledger-contract"]
    assert reqs["test suite:ledger-contract"].detail == (
        "suite ledger-contract (a contract test suite of impacted component ledger): "
        "no JUnit result found")
    # a touched component's own contract tests are not asked for (it is not a consumer)
    reqs = requirements([p], imp=impact(touched=("crm", "ledger"), impacted=()))
    assert sorted(reqs) == ["test suite:crm-unit", "test suite:ledger-unit"]


# --------------------------------------------------------------------------- deny


def test_deny_fails_with_its_message() -> None:
    p = policy("no-ledger", match=Match(touched_components=("crm",)),
               deny="Emergency changes may not touch the ledger")
    got = one([p])
    assert (got.kind, got.target, got.status, got.detail, got.fix) == (
        "deny", "policy:no-ledger", "failed", "Emergency changes may not touch the ledger",
        "Change the pull request so that policy no-ledger no longer matches "
        "(touched_components (crm touched))")


# --------------------------------------------------------------------------- layers


def team_policy(pid: str, layer: str, count: int, severity: str = "error") -> Policy:
    return policy(pid, layer, severity=severity,
                  require=Require(approvals=(ApprovalRule(team="finance-owners", count=count),)))


def test_layers_keep_the_higher_approval_count() -> None:
    got = one([team_policy("org-fin", "org", 1), team_policy("vs-fin", "value-stream", 2)],
              ev=evidence(review("erin")))
    assert (got.policy, got.layer, got.count, got.status, got.also_required_by) == (
        "vs-fin", "value-stream", 2, "missing", ("org-fin",))


def test_a_later_lower_count_never_loosens() -> None:
    got = one([team_policy("org-fin", "org", 2), team_policy("team-fin", "component", 1)],
              ev=evidence(review("erin")))
    assert (got.policy, got.count, got.status, got.also_required_by) == (
        "org-fin", 2, "missing", ("team-fin",))


def test_error_beats_warning_across_layers() -> None:
    got = one([team_policy("warn", "org", 1, "warning"), team_policy("err", "change", 1)])
    assert (got.policy, got.severity, got.also_required_by) == ("err", "error", ("warn",))


def test_equal_contributions_keep_the_outermost_layer() -> None:
    got = one([team_policy("a", "org", 1), team_policy("b", "component", 1)])
    assert (got.policy, got.layer, got.also_required_by) == ("a", "org", ("b",))


# --------------------------------------------------------------------------- waivers

WAIVABLE = policy("contract-tests", require=Require(tests=(SuiteRule(suite="ledger-contract"),)),
                  waivable_by=("change-enablement",))
WAIVER = {"policy": "contract-tests", "reason": "Suite rewritten, manual sign-off in CRM-1050",
          "expires": dt.date(2026, 12, 31)}


def test_valid_waiver_lifts_the_requirement() -> None:
    results, reqs, findings = run([WAIVABLE], manifest(waivers=[WAIVER]),
                                  ev=evidence(review("carol")))
    assert results[0].waived is True
    assert (reqs[0].status, reqs[0].fix, reqs[0].waiver) == (
        "waived", "", WaiverUse("Suite rewritten, manual sign-off in CRM-1050", "2026-12-31"))
    assert reqs[0].detail == "suite ledger-contract: no JUnit result found"
    assert findings == ()


def test_waiver_expiring_today_still_applies() -> None:
    waiver = dict(WAIVER, expires=TODAY)
    _, reqs, _ = run([WAIVABLE], manifest(waivers=[waiver]), ev=evidence(review("carol")))
    assert reqs[0].status == "waived"


def test_expired_waiver_is_a_warning() -> None:
    waiver = dict(WAIVER, expires=dt.date(2026, 11, 26))
    results, reqs, findings = run([WAIVABLE], manifest(waivers=[waiver]),
                                  ev=evidence(review("carol")))
    assert (results[0].waived, reqs[0].status, reqs[0].waiver) == (False, "missing", None)
    assert findings == (Finding("warning", "waiver-expired",
                                "waiver for policy contract-tests does not apply: it expired on "
                                "2026-11-26", MANIFEST_FILE, 20),)


def test_unapproved_waiver_is_a_warning() -> None:
    _, reqs, findings = run([WAIVABLE], manifest(waivers=[{"policy": "x", "reason": "r",
                                                           "expires": TODAY}, WAIVER]),
                            ev=evidence(review("erin"), review("carol", commit="old999")))
    assert reqs[0].status == "missing"
    assert [f for f in findings if f.code.startswith("waiver")] == [
        Finding("warning", "waiver-unapproved",
                "waiver for policy contract-tests does not apply: it needs an approval from a "
                "member of change-enablement (carol) at the head commit; approved so far: erin",
                MANIFEST_FILE, 23)]


def test_final_policy_cannot_be_waived() -> None:
    final = policy("contract-tests", require=WAIVABLE.require, waivable_by=("change-enablement",),
                   final=True)
    _, reqs, findings = run([final], manifest(waivers=[WAIVER]), ev=evidence(review("carol")))
    assert reqs[0].status == "missing"
    assert findings == (Finding("warning", "waiver-final",
                                "waiver for policy contract-tests does not apply: the policy is "
                                "final and cannot be waived", MANIFEST_FILE, 20),)


def test_policy_without_waivable_by_cannot_be_waived() -> None:
    plain = policy("contract-tests", require=WAIVABLE.require)
    _, reqs, findings = run([plain], manifest(waivers=[WAIVER]), ev=evidence(review("carol")))
    assert reqs[0].status == "missing"
    assert findings == (Finding("warning", "waiver-not-waivable",
                                "waiver for policy contract-tests does not apply: the policy has "
                                "no waivable_by teams, so it cannot be waived", MANIFEST_FILE, 20),)


def test_requirement_stays_when_another_policy_still_asks_for_it() -> None:
    other = policy("ledger-tests", "component", require=WAIVABLE.require)
    _, reqs, _ = run([WAIVABLE, other], manifest(waivers=[WAIVER]), ev=evidence(review("carol")))
    assert (reqs[0].status, reqs[0].policy, reqs[0].also_required_by, reqs[0].waiver) == (
        "missing", "ledger-tests", ("contract-tests",), None)


def test_waiver_does_not_hide_a_satisfied_requirement() -> None:
    ev = evidence(review("carol"), suites={"ledger-contract": suite("ledger-contract")})
    _, reqs, _ = run([WAIVABLE], manifest(waivers=[WAIVER]), ev=ev)
    assert (reqs[0].status, reqs[0].waiver) == ("satisfied", None)


def test_waived_deny_is_waived() -> None:
    deny = policy("contract-tests", deny="No CRM changes this week", waivable_by=("change-enablement",))
    _, reqs, _ = run([deny], manifest(waivers=[WAIVER]), ev=evidence(review("carol")))
    assert (reqs[0].kind, reqs[0].status) == ("deny", "waived")


def test_waivable_deny_fix_mentions_the_waiver() -> None:
    deny = policy("freeze", deny="Release freeze", waivable_by=("change-enablement",))
    assert one([deny]).fix == (
        "Change the pull request so that policy freeze no longer matches (no match keys (always "
        "applies)), or add a waiver for freeze to the manifest and have a member of "
        "change-enablement approve it")


def test_touched_components_true_means_any_component_touched() -> None:
    # An extension of SPEC §4: builtin:baseline says "when a component is touched" without CEL.
    assert reason(Match(touched_components=True)) == (
        True, "matched: touched_components (crm touched)")
    assert reason(Match(touched_components=True), imp=impact(touched=(), impacted=())) == (
        False, "not matched: touched_components (no component touched)")


def test_touched_components_false_means_no_component_touched() -> None:
    assert reason(Match(touched_components=False)) == (
        False, "not matched: touched_components (crm touched)")
    assert reason(Match(touched_components=False), imp=impact(touched=(), impacted=())) == (
        True, "matched: touched_components (no component touched)")


# --------------------------------------------------------------------------- merging at scale
# Policies asking the same thing share one list of asks, merged once per list (for speed at
# enterprise scale); these check the result is what merging each policy's asks one by one gives.

def estate_policies() -> list[Policy]:
    """Policies over every layer that ask overlapping things: the same owners from several
    rules, one suite with and without a reason, counts and severities that compete, waived
    and unwaived askers, a deny, a `when` and a `paths` match."""
    owners = Require(owners=True, approvals=(ApprovalRule(owners_of="touched_components"),))
    everything = Require(
        manifest=True, fields=("tickets", "rollback.plan"), owners=True,
        approvals=(ApprovalRule(owners_of="impacted_components"),
                   ApprovalRule(owners_of="touched_components"),
                   ApprovalRule(owners_of="value_streams"),
                   ApprovalRule(team="finance-owners", count=2)),
        tests=(SuiteRule(from_="touched_components"), SuiteRule(from_="impacted_consumers"),
               SuiteRule(suite="crm-unit"), SuiteRule(suite="ledger-contract")))
    def ledger_team(count: int) -> Require:
        return Require(approvals=(ApprovalRule(team="ledger-team", count=count),))

    return [
        policy("org-owners", "org", severity="warning", require=owners),
        policy("org-unit-warn", "org", severity="warning",
               require=Require(tests=(SuiteRule(from_="touched_components"),))),
        policy("org-unit", "org", require=Require(tests=(SuiteRule(suite="crm-unit"),))),
        policy("org-ledger", "org", severity="warning", require=ledger_team(1),
               waivable_by=("change-enablement",)),
        policy("org-all", "org", require=everything, waivable_by=("change-enablement",)),
        team_policy("org-fin", "org", 1, "warning"),
        policy("vs-all", "value-stream", require=everything),
        policy("vs-when", "value-stream", match=Match(when='"crm" in impact.touched_components'),
               require=Require(tests=(SuiteRule(suite="crm-unit"),))),
        policy("vs-miss", "value-stream", match=Match(value_streams=("archive",)), require=owners),
        policy("comp-owners", "component", require=owners, waivable_by=("change-enablement",)),
        team_policy("comp-fin", "component", 2),
        policy("comp-ledger", "component", require=ledger_team(2), waivable_by=("change-enablement",)),
        policy("comp-paths", "component", severity="warning",
               match=Match(paths=("services/crm/**", "!services/crm/docs/**")),
               require=Require(approvals=(ApprovalRule(owners_of="impacted_components"),),
                               tests=(SuiteRule(from_="touched_components"),))),
        policy("change-freeze", "change", deny="Release freeze", waivable_by=("change-enablement",)),
        policy("change-owners", "change", require=owners),
    ]


def estate_inputs() -> dict[str, Any]:
    waivers = [dict(WAIVER, policy=p)
               for p in ("org-all", "org-ledger", "comp-owners", "comp-ledger", "change-freeze")]
    return {
        "man": manifest(waivers=waivers, tickets=["CRM-5"]),
        "ev": evidence(review("carol"), review("alice"), review("erin"),
                       suites={"crm-unit": suite("crm-unit"),
                               "ledger-contract": suite("ledger-contract", failures=1)},
                       files=("services/crm/app.py", "services/crm/docs/a.md", "README.md")),
    }


def merged_one_by_one(policies: list[Policy], **inputs: Any) -> list[Requirement]:
    """The requirements merged from each policy evaluated on its own: per (kind, target), the
    strictest asker not waived (error, then count, then not satisfied; ties: the earliest)."""
    asked: dict[tuple[str, str], list[tuple[Requirement, bool]]] = {}
    for p in policies:
        results, reqs, _ = run([p], **inputs)
        for r in reqs:
            asked.setdefault((r.kind, r.target), []).append((r, results[0].waived))
    merged = []
    for group in asked.values():
        live = [r for r, waived in group if not waived]
        candidates = live or [r for r, _ in group]
        winner = max(candidates, key=lambda r: (r.severity == "error", r.count,
                                                r.status != "satisfied"))  # max keeps the first
        others = tuple(dict.fromkeys(r.policy for r, _ in group if r.policy != winner.policy))
        if live and winner.status == "waived":  # cannot happen: live askers are not waived
            raise AssertionError(winner)
        merged.append(Requirement(**{**winner.__dict__, "also_required_by": others}))
    return merged


def test_evaluating_the_same_inputs_twice_gives_identical_results() -> None:
    policies, inputs = estate_policies(), estate_inputs()
    assert run(policies, **inputs) == run(policies, **inputs)


def test_one_call_merges_exactly_what_each_policy_asks_on_its_own() -> None:
    policies, inputs = estate_policies(), estate_inputs()
    _, reqs, _ = run(policies, **inputs)
    assert list(reqs) == merged_one_by_one(policies, **inputs)
    by_key = {(r.kind, r.target): r for r in reqs}
    # a requirement asked through several rules of several policies
    crm = by_key[("approval", "component:crm")]
    assert (crm.policy, crm.also_required_by) == (
        "vs-all", ("org-owners", "org-all", "comp-owners", "comp-paths", "change-owners"))
    # equally strict asks from different rules: the earliest policy's wins
    unit = by_key[("test", "suite:crm-unit")]
    assert (unit.policy, unit.detail) == (
        "org-unit", "suite crm-unit: passed (3 tests, 0 failures, 0 errors, 0 skipped, 0 flaky; "
        "read 1 file: reports/crm-unit.xml)")
    # one asked through different rules by waived policies only: the strictest shows waived
    ledger = by_key[("approval", "team:ledger-team")]
    assert (ledger.policy, ledger.count, ledger.status, ledger.also_required_by) == (
        "comp-ledger", 2, "waived", ("org-ledger",))


def test_one_call_asks_the_union_of_each_layer_evaluated_separately() -> None:
    policies, inputs = estate_policies(), estate_inputs()
    results, reqs, _ = run(policies, **inputs)
    layered_results: list[Any] = []
    askers: dict[tuple[str, str], set[str]] = {}
    for layer in ("org", "value-stream", "component", "change"):
        layer_results, layer_reqs, _ = run([p for p in policies if p.layer == layer], **inputs)
        layered_results.extend(layer_results)
        for r in layer_reqs:
            askers.setdefault((r.kind, r.target), set()).update((r.policy, *r.also_required_by))
    assert list(results) == layered_results
    assert {(r.kind, r.target): {r.policy, *r.also_required_by} for r in reqs} == askers
