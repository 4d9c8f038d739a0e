"""What a matching policy asks of a change (SPEC §4 `require` and `deny`), one `Ask` per
(kind, target), each saying whether the change already satisfies it and how to fix it.

Asks depend only on the change, so each list of them is built once per evaluation
(`PolicyContext.asks`) and shared by every policy asking it; `merge` then turns them into
requirements.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, ParamSpec

from changegate.core.policy_context import PolicyContext, names
from changegate.model import (
    PLACEHOLDER_PREFIX,
    Manifest,
    Policy,
    RequirementKind,
    Status,
    SuiteResult,
    WaiverUse,
)

_P = ParamSpec("_P")

KIND_ORDER: tuple[RequirementKind, ...] = ("manifest", "field", "owner", "approval", "test", "deny")


@dataclass(frozen=True)
class Ask:
    """What one policy asks for one (kind, target), before merging."""

    kind: RequirementKind
    target: str
    status: Status
    detail: str
    fix: str
    count: int = 1
    approvers: tuple[str, ...] = ()
    eligible: tuple[str, ...] = ()
    vetoed_by: tuple[str, ...] = ()


# A matching policy, its waiver, and what it asks as a list of ask tuples; each tuple comes
# from PolicyContext.asks and is shared by every policy asking the same (a deny is its own).
Asked = tuple[Policy, WaiverUse | None, list[tuple[Ask, ...]]]


def policy_asks(policy: Policy, reason: str, ctx: PolicyContext) -> list[tuple[Ask, ...]]:
    """What `policy` (matched for `reason`) asks, as tuples shared with every other policy
    asking the same; a deny is its own."""
    asks: list[tuple[Ask, ...]] = []
    req = policy.require
    if req.manifest:
        asks.append(ctx.asks(("manifest",), _single(_manifest_ask, ctx)))
    for name in req.fields:
        asks.append(ctx.asks(("field", name), _single(_field_ask, name, ctx)))
    if req.owners:
        asks.append(ctx.asks(("owners",), partial(_owner_asks, ctx)))
    for rule in req.approvals:
        veto = ("veto",) if rule.changes_requested_blocks else ()
        if rule.team is not None:
            asks.append(ctx.asks(("team", rule.team, str(rule.count), *veto),
                                 _single(_team_approval_ask, rule.team, rule.count, ctx, bool(veto))))
        elif rule.owners_of is not None:
            asks.append(ctx.asks(("owners_of", rule.owners_of, *veto),
                                 partial(_owners_of_asks, rule.owners_of, ctx, bool(veto))))
    for test in req.tests:
        if test.suite is not None:
            asks.append(ctx.asks(("suite", test.suite), _single(_suite_ask, test.suite, "", ctx)))
        elif test.from_ == "touched_components":
            asks.append(ctx.asks(("tests", "touched_components"), partial(_touched_suite_asks, ctx)))
        elif test.from_ == "impacted_consumers":
            asks.append(ctx.asks(("tests", "impacted_consumers"),
                                 partial(_consumer_suite_asks, ctx)))
    if policy.deny is not None:
        asks.append((_deny_ask(policy, reason),))
    return asks


def _single(make: Callable[_P, Ask], *args: _P.args, **kwargs: _P.kwargs) -> Callable[[], tuple[Ask]]:
    """A builder of the one-ask tuple `make(*args)` for `PolicyContext.asks`, its arguments
    bound now."""
    return lambda: (make(*args, **kwargs),)


def _touched_suite_asks(ctx: PolicyContext) -> Iterable[Ask]:
    for cid in ctx.touched:
        for suite in _component(ctx, cid, "tests"):
            yield _suite_ask(suite, f"a test suite of touched component {cid}", ctx)


def _consumer_suite_asks(ctx: PolicyContext) -> Iterable[Ask]:
    touched = ctx.present["touched"]
    for cid in ctx.impacted:
        if cid in touched:
            continue
        for suite in _component(ctx, cid, "contract_tests"):
            yield _suite_ask(suite, f"a contract test suite of impacted component {cid}", ctx)


def _component(ctx: PolicyContext, cid: str, attr: str) -> tuple[str, ...]:
    component = ctx.depmap.components.get(cid)
    return tuple(getattr(component, attr)) if component is not None else ()


def _manifest_ask(ctx: PolicyContext) -> Ask:
    if ctx.manifest is not None:
        return Ask("manifest", "manifest", "satisfied", f"manifest {ctx.manifest.file}", "")
    return Ask("manifest", "manifest", "missing", "no change manifest is part of this change",
                f"Add a change manifest under {ctx.config.changes}/ "
                "(`changegate new` scaffolds one from the diff)")


def _field_ask(name: str, ctx: PolicyContext) -> Ask:
    target = f"field:{name}"
    manifest = ctx.manifest
    if manifest is None:
        return Ask("field", target, "missing",
                    f"`{name}` is required, but no change manifest is part of this change",
                    f"Add a change manifest under {ctx.config.changes}/ with `{name}`")
    value = _lookup(manifest.data, name)
    line = manifest.line_of(name)
    where = f"{manifest.file}:{line}" if line else manifest.file
    if _is_empty(value):
        state = "empty" if value is not _ABSENT else "missing"
        return Ask("field", target, "missing", f"`{name}` is {state} in {where}",
                    f"Add `{name}` to {manifest.file}")
    if isinstance(value, str) and value.strip().startswith(PLACEHOLDER_PREFIX):
        return Ask("field", target, "missing",
                    f"`{name}` still holds the placeholder `changegate new` wrote in {where}",
                    f"Replace the {PLACEHOLDER_PREFIX} text of `{name}` in {manifest.file}")
    return Ask("field", target, "satisfied", f"`{name}` is set in {where}", "")


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


def _owner_asks(ctx: PolicyContext) -> list[Ask]:
    asks: list[Ask] = []
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


def _owned_ask(target: str, what: str, owners: Sequence[str], where: str, ctx: PolicyContext) -> Ask:
    staffed = [t for t in owners if ctx.members(t)]
    if staffed:
        listing = "; ".join(f"{t}: {ctx.listing(t)}" for t in staffed)
        return Ask("owner", target, "satisfied", f"{what} is owned by {listing}", "")
    if owners:
        detail = f"{what} has no owner team with members ({', '.join(owners)} has no members)"
    else:
        detail = f"{what} has no owner team"
    return Ask("owner", target, "missing", detail,
                f"Give {what} an owner team with members in the map ({where})")


def _manifest_owner_ask(manifest: Manifest, ctx: PolicyContext) -> Ask:
    owner = manifest.owner
    line = manifest.line_of("owner")
    where = f"{manifest.file}:{line}" if line else manifest.file
    if owner.startswith("@") and len(owner) > 1:
        return Ask("owner", "manifest-owner", "satisfied", f"the change is owned by {owner}", "")
    if owner in ctx.depmap.teams:
        return Ask("owner", "manifest-owner", "satisfied",
                    f"the change is owned by team {owner}", "")
    return Ask("owner", "manifest-owner", "missing",
                f"the manifest owner {owner!r} ({where}) is neither a team of the map nor an @login",
                f"Set `owner` in {manifest.file} to a team id of the map or to @login")


def _team_approval_ask(team: str, count: int, ctx: PolicyContext, veto: bool = False) -> Ask:
    members = ctx.members(team)
    who = f"a member of {team}" if count == 1 else f"distinct members of {team}"
    return _approval_ask(f"team:{team}", count, {team: members}, who, ctx, veto)


def _owners_of_asks(which: str, ctx: PolicyContext, veto: bool = False) -> list[Ask]:
    asks: list[Ask] = []
    if which == "value_streams":
        for stream in ctx.impact.value_streams:
            vs = ctx.depmap.value_streams.get(stream.id)
            owners = vs.owners if vs else stream.owners
            teams = {t: ctx.members(t) for t in owners}
            asks.append(_approval_ask(f"value_stream:{stream.id}", 1, teams,
                                      f"an owner of value stream {stream.id}", ctx, veto))
        return asks
    ids = ctx.touched if which == "touched_components" else ctx.impacted
    for cid in ids:
        component = ctx.depmap.components.get(cid)
        teams = {t: ctx.members(t) for t in (component.owners if component else ())}
        asks.append(_approval_ask(f"component:{cid}", 1, teams,
                                  f"an owner of component {cid}", ctx, veto))
    return asks


def _approval_ask(target: str, count: int, teams: dict[str, frozenset[str]], who: str,
                  ctx: PolicyContext, veto: bool = False) -> Ask:
    members = frozenset().union(*teams.values()) if teams else frozenset()
    approved = tuple(sorted(ctx.approvers_for(target) & members))
    eligible = tuple(sorted(members - ctx.excluded))
    plural = "approval" if count == 1 else "approvals"
    if target.startswith("team:"):
        listing = names(members)
    else:
        listing = "; ".join(f"{t}: {ctx.listing(t)}" for t in teams) or "no owner team"
    detail = (f"needs {count} {plural} from {who} ({listing}); "
              f"approved so far: {names(approved, 'none')}")
    vetoed_by = tuple(sorted(members.intersection(ctx.standing.vetoes))) if veto else ()
    if vetoed_by:
        return Ask("approval", target, "missing",
                   f"{detail}; changes requested by {names(vetoed_by)}, which blocks "
                   "(changes_requested_blocks)",
                   f"Address the changes {names(vetoed_by)} requested and ask them to approve at the "
                   "head commit, or have the review dismissed", count, approved, eligible, vetoed_by)
    if len(approved) >= count:
        return Ask("approval", target, "satisfied", detail, "", count, approved, eligible)
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
    return Ask("approval", target, "missing", detail, fix, count, approved, eligible)


def _suite_ask(suite: str, why: str, ctx: PolicyContext) -> Ask:
    target = f"suite:{suite}"
    label = f"suite {suite}" + (f" ({why})" if why else "")
    result = ctx.evidence.suites.get(suite)
    mapped = dict(ctx.config.suites).get(suite)
    if result is None:
        if mapped:
            return Ask("test", target, "missing",
                        f"{label}: no JUnit file matched {', '.join(mapped)} (evidence.suites)",
                        f"Run suite {suite} and publish its JUnit XML where evidence.suites.{suite} "
                        "looks for it")
        globs = ", ".join(ctx.config.junit)
        source = (f"evidence globs: {globs}" if globs
                  else "no evidence globs configured: set evidence.junit or pass --junit")
        return Ask("test", target, "missing", f"{label}: no JUnit result found",
                    f"Run suite {suite} and publish its JUnit XML ({source})")
    read = _read(result)
    if result.passed:
        return Ask("test", target, "satisfied", f"{label}: passed ({read})", "")
    if result.checks_failed and not (result.failures or result.errors):
        return Ask("test", target, "failed", f"{label}: failed ({read})",
                   f"Fix suite {suite} and run its check again on the head commit")
    if result.checks_pending and not (result.failures or result.errors):
        return Ask("test", target, "missing", f"{label}: not finished ({read})",
                   f"Wait for suite {suite} to finish on the head commit; the gate checks again when it does")
    if result.failures or result.errors:
        first = f"; first failing: {', '.join(result.failing)}" if result.failing else ""
        detail = f"{label}: failed ({read}){first}"
        fix = f"Fix the failing tests of suite {suite} and publish its JUnit XML again"
    else:
        detail = f"{label}: ran no test ({read})"
        fix = f"Make suite {suite} run at least one test and publish its JUnit XML again"
    return Ask("test", target, "failed", detail, fix)


_FILES_SHOWN = 5  # report files named in a detail; the rest are counted


def _read(result: SuiteResult) -> str:
    """What was read for a suite: JUnit counts and files, and the checks on the head commit."""
    parts = []
    if result.files or result.tests or not result.checks:
        parts.append(f"{_counts(result)}; read {_files(result.files)}")
    if result.checks:
        shown = ", ".join(result.checks[:_FILES_SHOWN])
        more = len(result.checks) - _FILES_SHOWN
        parts.append(shown + (f" and {more} more" if more > 0 else ""))
    return "; ".join(parts)


def _counts(result: SuiteResult) -> str:
    return (f"{result.tests} tests, {result.failures} failures, {result.errors} errors, "
            f"{result.skipped} skipped, {result.flaky} flaky")


def _files(files: Sequence[str]) -> str:
    if not files:
        return "no file"
    shown = ", ".join(files[:_FILES_SHOWN])
    more = len(files) - _FILES_SHOWN
    noun = "file" if len(files) == 1 else "files"
    return f"{len(files)} {noun}: {shown}" + (f" and {more} more" if more > 0 else "")


def _deny_ask(policy: Policy, reason: str) -> Ask:
    why = reason.removeprefix("matched: ")
    fix = f"Change the pull request so that policy {policy.id} no longer matches ({why})"
    if policy.match.during is not None:  # a freeze: waiting is the usual way through
        fix = "Wait until the freeze window closes (the change schedule says when), or c" + fix[1:]
    if policy.waivable_by and not policy.final:
        fix += (f", or add a waiver for {policy.id} to the manifest and have a member of "
                f"{', '.join(policy.waivable_by)} approve it")
    return Ask("deny", f"policy:{policy.id}", "failed", policy.deny or "", fix)


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))
