"""Whether a policy's `match` holds for a change (SPEC §4), and a reason naming each key."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from changegate.core import cel
from changegate.core.policy_context import PolicyContext
from changegate.core.schedule import open_windows
from changegate.model import Policy, Schedule, risk_index


def match_policy(policy: Policy, ctx: PolicyContext) -> tuple[bool, str]:
    """Whether every match key of `policy` holds, and a reason naming each key."""
    m = policy.match
    checks: list[tuple[str, Callable[[], tuple[bool, str]]]] = []
    if m.value_streams is not None:
        checks.append(("value_streams", lambda: _any_of(m.value_streams or (), ctx, "affected")))
    touched = m.touched_components
    if isinstance(touched, bool):  # an extension of SPEC §4: any / no component
        checks.append(("touched_components", lambda: _any_touched(ctx, touched)))
    elif touched is not None:
        checks.append(("touched_components", lambda: _any_of(touched, ctx, "touched")))
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
    if m.during is not None:
        checks.append(("during", lambda: _during(m.during, ctx)))
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


def _any_of(wanted: Sequence[str], ctx: PolicyContext, verb: str) -> tuple[bool, str]:
    present = ctx.present[verb]  # a set: `impacted` can hold thousands of components
    hits = [x for x in wanted if x in present]
    if hits:
        return True, f"{', '.join(hits)} {verb}"
    return False, f"none of {', '.join(wanted)} {verb}"


def _any_touched(ctx: PolicyContext, wanted: bool) -> tuple[bool, str]:
    touched = ctx.touched
    reason = f"{', '.join(touched)} touched" if touched else "no component touched"
    return bool(touched) == wanted, reason


def _change_type(types: Sequence[str], ctx: PolicyContext) -> tuple[bool, str]:
    if ctx.manifest is None:
        return False, "no manifest"
    return ctx.manifest.type in types, f"change is {ctx.manifest.type}"


def _risk_at_least(level: str, ctx: PolicyContext) -> tuple[bool, str]:
    actual = ctx.impact.risk.level
    return risk_index(actual) >= risk_index(level), f"risk is {actual}"


def _paths(patterns: Sequence[str], ctx: PolicyContext) -> tuple[bool, str]:
    hits = ctx.path_hits(patterns)
    if not hits:
        return False, "no changed file matches"
    more = f" and {len(hits) - 1} more" if len(hits) > 1 else ""
    return True, f"{hits[0]}{more} match"


def _breaking(wanted: bool, ctx: PolicyContext) -> tuple[bool, str]:
    actual = ctx.manifest.breaking if ctx.manifest is not None else False
    return actual == wanted, "change is breaking" if actual else "change is not breaking"


def _interfaces(wanted: bool | tuple[str, ...] | None, ctx: PolicyContext) -> tuple[bool, str]:
    changed = ctx.impact.changed_interfaces
    if wanted is True:
        return (True, f"{', '.join(changed)} changed") if changed else (False, "no interface changed")
    if wanted is False:
        return (False, f"{', '.join(changed)} changed") if changed else (True, "no interface changed")
    return _any_of(wanted or (), ctx, "changed")


def _when(policy: Policy, ctx: PolicyContext) -> tuple[bool, str]:
    loc = policy.loc
    program = cel.compile_when(policy.match.when or "", loc.file if loc else "",
                               policy.match.when_line or (loc.line if loc else 0), policy.match.when_key)
    result = cel.evaluate(program, ctx.cel_variables())
    return result, "expression is true" if result else "expression is false"


def _during(schedule: Schedule | None, ctx: PolicyContext) -> tuple[bool, str]:
    now = ctx.evidence.now
    if schedule is None or now is None:
        return True, "no clock given: treated as inside a window"
    opened = open_windows(schedule, now)
    if not opened:
        return False, f"no window open at {now.astimezone(schedule.tz).isoformat()} {schedule.timezone}"
    window = max(opened, key=lambda w: w.end)
    return True, (f"window {window.start.isoformat()} to {window.end.isoformat()} {schedule.timezone} "
                  "is open")
