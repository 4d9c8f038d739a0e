"""Policy evaluation: which policies match a change, what they require, and whether the
evidence satisfies it (SPEC §4 and §6).

Pure: takes the loaded map, the resolved impact, the manifest and the gathered evidence,
and returns data. Each matching policy contributes atomic requirements keyed by
(kind, target); contributions for the same key are merged so that the strictest one that
is not waived is reported and the others are listed in `also_required_by`. What a policy
asks depends only on the change, so each list of asks is built once per evaluation and
shared by every policy asking it, and merged once per list (enterprise changes make
~200,000 policy-ask pairs).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from changegate.core.paths import PathIndex, matches_any
from changegate.model import (
    PLACEHOLDER_PREFIX,
    Config,
    DepMap,
    Evidence,
    Finding,
    Impact,
    Manifest,
    Policy,
    PolicyResult,
    Requirement,
    Waiver,
    WaiverUse,
    risk_index,
)
from changegate.sources.approvals import effective_approvers

KIND_ORDER: tuple[str, ...] = ("manifest", "field", "owner", "approval", "test", "deny")


# --------------------------------------------------------------------------- entry point


def evaluate_policies(
    policies: Sequence[Policy],
    depmap: DepMap,
    impact: Impact,
    manifest: Manifest | None,
    evidence: Evidence,
    config: Config,
) -> tuple[tuple[PolicyResult, ...], tuple[Requirement, ...], tuple[Finding, ...]]:
    """Match every policy against the change, collect and merge what the matching ones
    require, and apply the manifest's waivers. `policies` come sorted by layer."""
    ctx = _Context(depmap, impact, manifest, evidence, config)
    ctx.expect_paths(p.match.paths for p in policies)
    results: list[PolicyResult] = []
    asked: list[_Asked] = []
    findings: list[Finding] = list(ctx.approval_findings())
    for policy in policies:
        matched, reason = match_policy(policy, ctx)
        waiver: WaiverUse | None = None
        if matched:
            waiver, waiver_findings = _applicable_waiver(policy, ctx)
            findings.extend(waiver_findings)
            asked.append((policy, waiver, _asks(policy, reason, ctx)))
        results.append(PolicyResult(
            id=policy.id, layer=policy.layer, matched=matched, severity=policy.severity,
            description=policy.description, reason=reason, waived=waiver is not None,
        ))
    return tuple(results), _merge(asked), tuple(findings)


# --------------------------------------------------------------------------- context


class _Context:
    """The change as policies see it, derived once per evaluation: what a policy asks
    depends only on this, so each ask (and each list of asks) is built once and shared by
    every policy asking it."""

    def __init__(self, depmap: DepMap, impact: Impact, manifest: Manifest | None,
                 evidence: Evidence, config: Config) -> None:
        self.depmap = depmap
        self.impact = impact
        self.manifest = manifest
        self.evidence = evidence
        self.config = config
        approvals = evidence.approvals
        approvers, notes = effective_approvers(
            approvals,
            allow_stale=config.approvals.allow_stale,
            exclude_committers=config.approvals.exclude_committers,
            head_sha=approvals.head_sha,
        )
        excluded = {approvals.author.lower()} if approvals.author else set()
        if config.approvals.exclude_committers:
            excluded.update(c.lower() for c in approvals.committers)
        # effective approvers (latest review, at head, not excluded)
        self.approvers = frozenset(a.lower() for a in approvers)
        self.excluded = frozenset(excluded)  # who can never approve this change
        self.approval_notes = tuple(notes)
        self.touched = impact.touched_components
        self.impacted = impact.impacted_ids()
        self.value_streams = tuple(v.id for v in impact.value_streams)
        self.present: dict[str, frozenset[str]] = {
            "touched": frozenset(self.touched), "impacted": frozenset(self.impacted),
            "affected": frozenset(self.value_streams),
            "changed": frozenset(impact.changed_interfaces),
        }
        self._members: dict[str, frozenset[str]] = {}
        self._listings: dict[str, str] = {}
        self._asks: dict[tuple[str, ...], tuple[_Ask, ...]] = {}
        self._cel_variables: Any = None
        self._path_lists: dict[tuple[str, ...], None] = {}  # an ordered set
        self._path_hits: dict[tuple[str, ...], list[str]] | None = None

    def expect_paths(self, lists: Iterable[Sequence[str] | None]) -> None:
        """Announce the `paths` pattern lists policies will match, so that `path_hits`
        matches the changed files against all of them in one indexed pass."""
        for patterns in lists:
            if patterns:
                self._path_lists.setdefault(tuple(patterns))
        self._path_hits = None

    def path_hits(self, patterns: Sequence[str]) -> list[str]:
        """The changed files that `patterns` match, in order."""
        key = tuple(patterns)
        if key not in self._path_lists:
            return [f for f in self.evidence.changed_files if matches_any(patterns, f)]
        if self._path_hits is None:
            names = {str(n): key for n, key in enumerate(self._path_lists)}
            index = PathIndex(names)
            hits: dict[tuple[str, ...], list[str]] = {key: [] for key in self._path_lists}
            for file in self.evidence.changed_files:
                for name in index.match(file):
                    hits[names[name]].append(file)
            self._path_hits = hits
        return self._path_hits[key]

    def members(self, team: str) -> frozenset[str]:
        """A team's members: from the evidence (GitHub) when given, else from the map."""
        found = self._members.get(team)
        if found is None:
            if team in self.evidence.team_members:
                found = frozenset(m.lower() for m in self.evidence.team_members[team])
            else:
                in_map = self.depmap.teams.get(team)
                found = frozenset(m.lower() for m in in_map.members) if in_map else frozenset()
            self._members[team] = found
        return found

    def listing(self, team: str) -> str:
        """`_names` of a team's members."""
        found = self._listings.get(team)
        if found is None:
            found = self._listings[team] = _names(self.members(team))
        return found

    def asks(self, key: tuple[str, ...], build: Callable[[], Iterable[_Ask]]) -> tuple[_Ask, ...]:
        """The asks named `key`, built on first use; the same tuple for every policy."""
        found = self._asks.get(key)
        if found is None:
            found = self._asks[key] = tuple(build())
        return found

    def cel_variables(self) -> Any:
        """The `when` variables, converted once for every expression (a `cel.Variables`)."""
        if self._cel_variables is None:
            from changegate.core import cel

            self._cel_variables = cel.Variables(
                cel_context(self.manifest, self.impact, self.evidence))
        return self._cel_variables

    def approval_findings(self) -> Iterable[Finding]:
        source = self.evidence.approvals.source
        for note in self.approval_notes:
            yield Finding("notice", "approval-ignored", note, source)

    def map_file(self) -> str:
        return self.depmap.files[0] if self.depmap.files else ".changegate/map.yaml"


# --------------------------------------------------------------------------- match


def match_policy(policy: Policy, ctx: _Context) -> tuple[bool, str]:
    """Whether every match key of `policy` holds, and a reason naming each key."""
    m = policy.match
    checks: list[tuple[str, Callable[[], tuple[bool, str]]]] = []
    if m.value_streams is not None:
        checks.append(("value_streams", lambda: _any_of(m.value_streams or (), ctx, "affected")))
    if isinstance(m.touched_components, bool):  # an extension of SPEC §4: any / no component
        wanted = m.touched_components
        checks.append(("touched_components", lambda: _any_touched(ctx, wanted)))
    elif m.touched_components is not None:
        checks.append(("touched_components", lambda: _any_of(m.touched_components or (), ctx,
                                                             "touched")))
    if m.impacted_components is not None:
        checks.append(("impacted_components", lambda: _any_of(m.impacted_components or (), ctx,
                                                              "impacted")))
    if m.change_types is not None:
        checks.append(("change_types", lambda: _change_type(m.change_types or (), ctx)))
    if m.risk_at_least is not None:
        checks.append((f"risk_at_least {m.risk_at_least}",
                       lambda: _risk_at_least(m.risk_at_least or "low", ctx)))
    if m.paths is not None:
        checks.append(("paths", lambda: _paths(m.paths or (), ctx)))
    if m.breaking is not None:
        checks.append((f"breaking {str(m.breaking).lower()}", lambda: _breaking(bool(m.breaking), ctx)))
    if m.interfaces_changed is not None:
        checks.append(("interfaces_changed", lambda: _interfaces(m.interfaces_changed, ctx)))
    if m.when is not None:  # last: only evaluated when the cheap keys all hold
        checks.append(("when", lambda: _when(policy, ctx)))
    if not checks:
        return True, "matched: no match keys (always applies)"
    held: list[str] = []
    failed: list[str] = []
    for name, check in checks:
        if name == "when" and failed:
            break
        ok, why = check()
        (held if ok else failed).append(f"{name} ({why})")
    if failed:
        return False, "not matched: " + "; ".join(failed)
    return True, "matched: " + "; ".join(held)


def _any_of(wanted: Sequence[str], ctx: _Context, verb: str) -> tuple[bool, str]:
    present = ctx.present[verb]  # a set: `impacted` can hold thousands of components
    hits = [x for x in wanted if x in present]
    if hits:
        return True, f"{', '.join(hits)} {verb}"
    return False, f"none of {', '.join(wanted)} {verb}"


def _any_touched(ctx: _Context, wanted: bool) -> tuple[bool, str]:
    touched = ctx.touched
    reason = f"{', '.join(touched)} touched" if touched else "no component touched"
    return bool(touched) == wanted, reason


def _change_type(types: Sequence[str], ctx: _Context) -> tuple[bool, str]:
    if ctx.manifest is None:
        return False, "no manifest"
    return ctx.manifest.type in types, f"change is {ctx.manifest.type}"


def _risk_at_least(level: str, ctx: _Context) -> tuple[bool, str]:
    actual = ctx.impact.risk.level
    return risk_index(actual) >= risk_index(level), f"risk is {actual}"


def _paths(patterns: Sequence[str], ctx: _Context) -> tuple[bool, str]:
    hits = ctx.path_hits(patterns)
    if not hits:
        return False, "no changed file matches"
    more = f" and {len(hits) - 1} more" if len(hits) > 1 else ""
    return True, f"{hits[0]}{more} match"


def _breaking(wanted: bool, ctx: _Context) -> tuple[bool, str]:
    actual = ctx.manifest.breaking if ctx.manifest is not None else False
    return actual == wanted, "change is breaking" if actual else "change is not breaking"


def _interfaces(wanted: bool | tuple[str, ...] | None, ctx: _Context) -> tuple[bool, str]:
    changed = ctx.impact.changed_interfaces
    if wanted is True:
        return (True, f"{', '.join(changed)} changed") if changed else (False, "no interface changed")
    if wanted is False:
        return (False, f"{', '.join(changed)} changed") if changed else (True, "no interface changed")
    return _any_of(wanted or (), ctx, "changed")


def _when(policy: Policy, ctx: _Context) -> tuple[bool, str]:
    from changegate.core import cel

    loc = policy.loc
    program = cel.compile_when(policy.match.when or "", loc.file if loc else "",
                               policy.match.when_line or (loc.line if loc else 0), policy.match.when_key)
    result = cel.evaluate(program, ctx.cel_variables())
    return result, "expression is true" if result else "expression is false"


# Keys `change` always has, so `change.type == "emergency"` is simply false (not an error)
# when there is no manifest or the manifest leaves an optional key out.
CHANGE_DEFAULTS: dict[str, Any] = {
    "title": "", "type": "", "owner": "", "summary": "", "components": [],
    "interfaces_changed": [], "breaking": False, "tickets": [], "tests": [], "waivers": [],
}


def cel_context(manifest: Manifest | None, impact: Impact, evidence: Evidence) -> dict[str, Any]:
    """The variables a `when` expression sees (SPEC §4). Dates become ISO strings; `change`
    has CHANGE_DEFAULTS for the keys the manifest leaves out (all of them without one)."""
    change = {**CHANGE_DEFAULTS, **(manifest.data if manifest is not None else {})}
    return {
        "change": _plain(change),
        "impact": {
            "touched_components": list(impact.touched_components),
            "impacted_components": list(impact.impacted_ids()),
            "changed_interfaces": list(impact.changed_interfaces),
            "value_streams": [v.id for v in impact.value_streams],
            "risk": impact.risk.level,
            "unmapped_files": list(impact.unmapped_files),
        },
        "files": list(evidence.changed_files),
        "author": evidence.approvals.author or "",
        "labels": list(evidence.approvals.labels),
    }


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


# --------------------------------------------------------------------------- waivers


def _applicable_waiver(policy: Policy, ctx: _Context) -> tuple[WaiverUse | None, list[Finding]]:
    """The manifest waiver that lifts `policy`, if any, and a warning for each waiver of
    `policy` that does not (when none does)."""
    if ctx.manifest is None:
        return None, []
    manifest = ctx.manifest
    findings: list[Finding] = []
    for index, waiver in enumerate(manifest.waivers):
        if waiver.policy != policy.id:
            continue
        problem = _waiver_problem(policy, waiver, ctx)
        if problem is None:
            return WaiverUse(waiver.reason, waiver.expires.isoformat()), []
        code, message = problem
        line = waiver.loc.line if waiver.loc and waiver.loc.line else manifest.line_of(f"waivers.{index}")
        findings.append(Finding("warning", code, message, manifest.file, line))
    return None, findings


def _waiver_problem(policy: Policy, waiver: Waiver, ctx: _Context) -> tuple[str, str] | None:
    head = f"waiver for policy {policy.id} does not apply"
    if policy.final:
        return "waiver-final", f"{head}: the policy is final and cannot be waived"
    if not policy.waivable_by:
        return ("waiver-not-waivable",
                f"{head}: the policy has no waivable_by teams, so it cannot be waived")
    if waiver.expires < ctx.evidence.today:
        return "waiver-expired", f"{head}: it expired on {waiver.expires.isoformat()}"
    eligible = frozenset().union(*(ctx.members(t) for t in policy.waivable_by))
    if ctx.approvers & eligible:
        return None
    teams = ", ".join(policy.waivable_by)
    return ("waiver-unapproved",
            f"{head}: it needs an approval from a member of {teams} "
            f"({_names(eligible - ctx.excluded)}) at the head commit; approved so far: "
            f"{_names(ctx.approvers, 'none')}")


# --------------------------------------------------------------------------- requirements


@dataclass(frozen=True)
class _Ask:
    """What one policy asks for one (kind, target), before merging."""

    kind: str
    target: str
    status: str
    detail: str
    fix: str
    count: int = 1
    approvers: tuple[str, ...] = ()
    eligible: tuple[str, ...] = ()


# A matching policy, its waiver, and what it asks as a list of ask tuples; each tuple comes
# from _Context.asks and is shared by every policy asking the same (a deny is its own).
_Asked = tuple[Policy, WaiverUse | None, list[tuple[_Ask, ...]]]


def _asks(policy: Policy, reason: str, ctx: _Context) -> list[tuple[_Ask, ...]]:
    asks: list[tuple[_Ask, ...]] = []
    req = policy.require
    if req.manifest:
        asks.append(ctx.asks(("manifest",), lambda: (_manifest_ask(ctx),)))
    for name in req.fields:
        asks.append(ctx.asks(("field", name), lambda name=name: (_field_ask(name, ctx),)))
    if req.owners:
        asks.append(ctx.asks(("owners",), lambda: _owner_asks(ctx)))
    for rule in req.approvals:
        if rule.team is not None:
            team, count = rule.team, rule.count
            asks.append(ctx.asks(("team", team, str(count)),
                                 lambda: (_team_approval_ask(team, count, ctx),)))
        elif rule.owners_of is not None:
            which = rule.owners_of
            asks.append(ctx.asks(("owners_of", which), lambda: _owners_of_asks(which, ctx)))
    for test in req.tests:
        if test.suite is not None:
            suite = test.suite
            asks.append(ctx.asks(("suite", suite), lambda: (_suite_ask(suite, "", ctx),)))
        elif test.from_ == "touched_components":
            asks.append(ctx.asks(("tests", "touched_components"), lambda: _touched_suite_asks(ctx)))
        elif test.from_ == "impacted_consumers":
            asks.append(ctx.asks(("tests", "impacted_consumers"),
                                 lambda: _consumer_suite_asks(ctx)))
    if policy.deny is not None:
        asks.append((_deny_ask(policy, reason),))
    return asks


def _touched_suite_asks(ctx: _Context) -> Iterable[_Ask]:
    for cid in ctx.touched:
        for suite in _component(ctx, cid, "tests"):
            yield _suite_ask(suite, f"a test suite of touched component {cid}", ctx)


def _consumer_suite_asks(ctx: _Context) -> Iterable[_Ask]:
    touched = ctx.present["touched"]
    for cid in ctx.impacted:
        if cid in touched:
            continue
        for suite in _component(ctx, cid, "contract_tests"):
            yield _suite_ask(suite, f"a contract test suite of impacted component {cid}", ctx)


def _component(ctx: _Context, cid: str, attr: str) -> tuple[str, ...]:
    component = ctx.depmap.components.get(cid)
    return tuple(getattr(component, attr)) if component is not None else ()


def _manifest_ask(ctx: _Context) -> _Ask:
    if ctx.manifest is not None:
        return _Ask("manifest", "manifest", "satisfied", f"manifest {ctx.manifest.file}", "")
    return _Ask("manifest", "manifest", "missing", "no change manifest is part of this change",
                f"Add a change manifest under {ctx.config.changes}/ "
                "(`changegate new` scaffolds one from the diff)")


def _field_ask(name: str, ctx: _Context) -> _Ask:
    target = f"field:{name}"
    manifest = ctx.manifest
    if manifest is None:
        return _Ask("field", target, "missing",
                    f"`{name}` is required, but no change manifest is part of this change",
                    f"Add a change manifest under {ctx.config.changes}/ with `{name}`")
    value = _lookup(manifest.data, name)
    line = manifest.line_of(name)
    where = f"{manifest.file}:{line}" if line else manifest.file
    if _is_empty(value):
        state = "empty" if value is not _ABSENT else "missing"
        return _Ask("field", target, "missing", f"`{name}` is {state} in {where}",
                    f"Add `{name}` to {manifest.file}")
    if isinstance(value, str) and value.strip().startswith(PLACEHOLDER_PREFIX):
        return _Ask("field", target, "missing",
                    f"`{name}` still holds the placeholder `changegate new` wrote in {where}",
                    f"Replace the {PLACEHOLDER_PREFIX} text of `{name}` in {manifest.file}")
    return _Ask("field", target, "satisfied", f"`{name}` is set in {where}", "")


_ABSENT = object()


def _lookup(data: Any, dotted: str) -> Any:
    value = data
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            return _ABSENT
        value = value[part]
    return value


def _is_empty(value: Any) -> bool:
    if value is _ABSENT or value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple, dict, set)):
        return len(value) == 0
    return False


def _owner_asks(ctx: _Context) -> list[_Ask]:
    asks: list[_Ask] = []
    for cid in _unique((*ctx.touched, *ctx.impacted)):
        component = ctx.depmap.components.get(cid)
        owners = component.owners if component else ()
        loc = component.loc if component and component.loc else None
        asks.append(_owned_ask(f"component:{cid}", f"component {cid}", owners,
                               str(loc) if loc else ctx.map_file(), ctx))
    for stream in ctx.impact.value_streams:
        vs = ctx.depmap.value_streams.get(stream.id)
        owners = vs.owners if vs else stream.owners
        loc = vs.loc if vs and vs.loc else None
        asks.append(_owned_ask(f"value_stream:{stream.id}", f"value stream {stream.id}", owners,
                               str(loc) if loc else ctx.map_file(), ctx))
    if ctx.manifest is not None:  # with no manifest, the `manifest` requirement says so
        asks.append(_manifest_owner_ask(ctx.manifest, ctx))
    return asks


def _owned_ask(target: str, what: str, owners: Sequence[str], where: str, ctx: _Context) -> _Ask:
    staffed = [t for t in owners if ctx.members(t)]
    if staffed:
        listing = "; ".join(f"{t}: {ctx.listing(t)}" for t in staffed)
        return _Ask("owner", target, "satisfied", f"{what} is owned by {listing}", "")
    if owners:
        detail = f"{what} has no owner team with members ({', '.join(owners)} has no members)"
    else:
        detail = f"{what} has no owner team"
    return _Ask("owner", target, "missing", detail,
                f"Give {what} an owner team with members in the map ({where})")


def _manifest_owner_ask(manifest: Manifest, ctx: _Context) -> _Ask:
    owner = manifest.owner
    line = manifest.line_of("owner")
    where = f"{manifest.file}:{line}" if line else manifest.file
    if owner.startswith("@") and len(owner) > 1:
        return _Ask("owner", "manifest-owner", "satisfied", f"the change is owned by {owner}", "")
    if owner in ctx.depmap.teams:
        return _Ask("owner", "manifest-owner", "satisfied",
                    f"the change is owned by team {owner}", "")
    return _Ask("owner", "manifest-owner", "missing",
                f"the manifest owner {owner!r} ({where}) is neither a team of the map nor an @login",
                f"Set `owner` in {manifest.file} to a team id of the map or to @login")


def _team_approval_ask(team: str, count: int, ctx: _Context) -> _Ask:
    members = ctx.members(team)
    who = f"a member of {team}" if count == 1 else f"distinct members of {team}"
    return _approval_ask(f"team:{team}", count, {team: members}, who, ctx)


def _owners_of_asks(which: str, ctx: _Context) -> list[_Ask]:
    asks: list[_Ask] = []
    if which == "value_streams":
        for stream in ctx.impact.value_streams:
            vs = ctx.depmap.value_streams.get(stream.id)
            owners = vs.owners if vs else stream.owners
            teams = {t: ctx.members(t) for t in owners}
            asks.append(_approval_ask(f"value_stream:{stream.id}", 1, teams,
                                      f"an owner of value stream {stream.id}", ctx))
        return asks
    ids = ctx.touched if which == "touched_components" else ctx.impacted
    for cid in ids:
        component = ctx.depmap.components.get(cid)
        teams = {t: ctx.members(t) for t in (component.owners if component else ())}
        asks.append(_approval_ask(f"component:{cid}", 1, teams,
                                  f"an owner of component {cid}", ctx))
    return asks


def _approval_ask(target: str, count: int, teams: dict[str, frozenset[str]], who: str,
                  ctx: _Context) -> _Ask:
    members = frozenset().union(*teams.values()) if teams else frozenset()
    approved = tuple(sorted(ctx.approvers & members))
    eligible = tuple(sorted(members - ctx.excluded))
    plural = "approval" if count == 1 else "approvals"
    if target.startswith("team:"):
        listing = _names(members)
    else:
        listing = "; ".join(f"{t}: {ctx.listing(t)}" for t in teams) or "no owner team"
    detail = (f"needs {count} {plural} from {who} ({listing}); "
              f"approved so far: {_names(approved, 'none')}")
    if len(approved) >= count:
        return _Ask("approval", target, "satisfied", detail, "", count, approved, eligible)
    still = count - len(approved)
    askable = [m for m in eligible if m not in approved]
    team_names = ", ".join(teams) or "no team"
    if len(askable) == still:  # no choice left: name them
        fix = (f"Ask {' and '.join(askable)} ({team_names}) to approve the pull request at its "
               "head commit")
    elif len(askable) > still:
        quantity = "one" if still == 1 else str(still)
        more = " more" if approved else ""
        fix = (f"Ask {quantity}{more} of {', '.join(askable)} ({team_names}) to approve the pull "
               "request at its head commit")
    else:
        fix = (f"Add members to {team_names} in the map ({ctx.map_file()}): only "
               f"{len(askable)} more can approve this change (the author"
               f"{' and committers' if ctx.config.approvals.exclude_committers else ''} cannot) "
               f"and {still} more are needed")
    return _Ask("approval", target, "missing", detail, fix, count, approved, eligible)


def _suite_ask(suite: str, why: str, ctx: _Context) -> _Ask:
    target = f"suite:{suite}"
    label = f"suite {suite}" + (f" ({why})" if why else "")
    result = ctx.evidence.suites.get(suite)
    if result is None:
        globs = ", ".join(ctx.config.junit)
        source = (f"evidence globs: {globs}" if globs
                  else "no evidence globs configured: set evidence.junit or pass --junit")
        return _Ask("test", target, "missing", f"{label}: no JUnit result found",
                    f"Run suite {suite} and publish its JUnit XML ({source})")
    files = f" in {', '.join(result.files)}" if result.files else ""
    if result.passed:
        return _Ask("test", target, "satisfied",
                    f"{label}: passed, {result.ran} of {result.tests} tests ran{files}", "")
    if result.failures or result.errors:
        detail = (f"{label}: failed, {result.failures} failures and {result.errors} errors "
                  f"in {result.tests} tests{files}")
        fix = f"Fix the failing tests of suite {suite} and publish its JUnit XML again"
    else:
        detail = (f"{label}: ran no test ({result.tests} tests, {result.skipped} skipped){files}")
        fix = f"Make suite {suite} run at least one test and publish its JUnit XML again"
    return _Ask("test", target, "failed", detail, fix)


def _deny_ask(policy: Policy, reason: str) -> _Ask:
    why = reason.removeprefix("matched: ")
    fix = f"Change the pull request so that policy {policy.id} no longer matches ({why})"
    if policy.waivable_by and not policy.final:
        fix += (f", or add a waiver for {policy.id} to the manifest and have a member of "
                f"{', '.join(policy.waivable_by)} approve it")
    return _Ask("deny", f"policy:{policy.id}", "failed", policy.deny or "", fix)


# --------------------------------------------------------------------------- merge


# The merge never looks at the ~200,000 individual (policy, ask) pairs of an enterprise
# change: what policies ask comes in shared tuples, and for one tuple the strictest
# contribution to a (kind, target) it holds depends only on the askers' severities and
# waivers, so it is found once per tuple (`_Uses`) and combined per (kind, target).

_Pos = tuple[int, int, int]  # (policy, ask tuple within the policy, ask within the tuple)
_Pick = tuple[tuple[int, int], Policy, WaiverUse | None]  # (policy, tuple) position, asker


class _Uses:
    """The policies asking one tuple of asks, in order: the first of them, the first with
    severity error, each also among those not waived, and where each policy id first asks."""

    def __init__(self, asks: tuple[_Ask, ...]) -> None:
        self.asks = asks
        self.first: _Pick | None = None
        self.first_error: _Pick | None = None
        self.first_live: _Pick | None = None
        self.first_live_error: _Pick | None = None
        self.policy_ids: dict[str, tuple[int, int]] = {}
        self._others: dict[str, tuple[str, ...]] = {}

    def add(self, pick: _Pick) -> None:
        _, policy, waiver = pick
        error = policy.severity == "error"
        if self.first is None:
            self.first = pick
        if error and self.first_error is None:
            self.first_error = pick
        if waiver is None:
            if self.first_live is None:
                self.first_live = pick
            if error and self.first_live_error is None:
                self.first_live_error = pick
        self.policy_ids.setdefault(policy.id, pick[0])

    def best(self, live: bool) -> _Pick | None:
        """The strictest asker (among those not waived when `live`): ties keep the earliest."""
        if live:
            return self.first_live_error or self.first_live
        return self.first_error or self.first

    def others(self, winner: str) -> tuple[str, ...]:
        found = self._others.get(winner)
        if found is None:
            found = self._others[winner] = tuple(p for p in self.policy_ids if p != winner)
        return found


def _merge(asked: Sequence[_Asked]) -> tuple[Requirement, ...]:
    """One requirement per (kind, target): the strictest contribution that is not waived
    wins; when all are waived, the strictest waived one is shown as `waived`. Strictest is
    error before warning, then the larger count, then not satisfied; ties keep the earliest
    (outermost layer). Requirements come in the order their (kind, target) was first asked."""
    uses: dict[int, _Uses] = {}  # by id() of the shared tuple
    for i, (policy, waiver, tuples) in enumerate(asked):
        for j, asks in enumerate(tuples):
            found = uses.get(id(asks))
            if found is None:
                found = uses[id(asks)] = _Uses(asks)
            found.add(((i, j), policy, waiver))
    # Each (kind, target)'s occurrences; tuples in order of first use give first-ask order.
    occurrences: dict[tuple[str, str], list[tuple[_Uses, int]]] = {}
    for found in uses.values():
        for k, ask in enumerate(found.asks):
            key = (ask.kind, ask.target)
            listed = occurrences.get(key)
            if listed is None:
                occurrences[key] = [(found, k)]
            else:
                listed.append((found, k))
    merged: list[Requirement] = []
    for listed in occurrences.values():
        if len(listed) == 1:
            found, k = listed[0]
            ask = found.asks[k]
            live = found.first_live is not None
            pick = found.best(live)
            assert pick is not None
            policy, waiver = pick[1], pick[2]
            others = found.others(policy.id)
        else:
            ask, policy, waiver, live, others = _merge_occurrences(listed)
        status, fix = ask.status, ask.fix
        shown_waiver: WaiverUse | None = None
        if not live and status != "satisfied":
            shown_waiver, status, fix = waiver, "waived", ""
        merged.append(Requirement(
            kind=ask.kind,  # type: ignore[arg-type]
            target=ask.target, policy=policy.id, layer=policy.layer,
            severity=policy.severity, status=status,  # type: ignore[arg-type]
            detail=ask.detail, fix=fix, count=ask.count, approvers=ask.approvers,
            eligible=ask.eligible, also_required_by=others, waiver=shown_waiver,
        ))
    return tuple(merged)


def _merge_occurrences(
    listed: Sequence[tuple[_Uses, int]],
) -> tuple[_Ask, Policy, WaiverUse | None, bool, tuple[str, ...]]:
    """The winning ask, its policy and waiver, whether any asker is not waived, and the
    other policy ids in order, for a (kind, target) asked in several places."""
    live = any(found.first_live is not None for found, _ in listed)
    best: tuple[tuple[int, int, int], _Pos, _Ask, _Pick] | None = None
    for found, k in listed:
        pick = found.best(live)
        if pick is None:
            continue
        ask = found.asks[k]
        rank = (1 if pick[1].severity == "error" else 0, ask.count,
                0 if ask.status == "satisfied" else 1)
        pos = (*pick[0], k)
        if best is None or rank > best[0] or (rank == best[0] and pos < best[1]):
            best = (rank, pos, ask, pick)
    assert best is not None
    _, _, ask, (_, policy, waiver) = best
    first: dict[str, _Pos] = {}
    for found, k in listed:
        for pid, (i, j) in found.policy_ids.items():
            pos = (i, j, k)
            if pid not in first or pos < first[pid]:
                first[pid] = pos
    others = tuple(sorted((p for p in first if p != policy.id), key=first.__getitem__))
    return ask, policy, waiver, live, others


# --------------------------------------------------------------------------- helpers


def _names(names: Iterable[str], empty: str = "no members") -> str:
    listed = sorted(names)
    return ", ".join(listed) if listed else empty


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))
