"""The change schedule as the decision reports it (SPEC §10): each freeze open at `now`
that applies to the change, who can waive it, and when the change can next go in.

A freeze is any policy with `match.during`. It *applies* to the change when its other match
keys hold; it is *active* when, besides, one of its windows is open at `now` (so it
matched). The change can next go in when no window of a blocking freeze is open: one that
applies, has severity error and is not lifted by a waiver — a freeze that only requires
something is counted too, as the gate cannot know the requirement will be met then.
Overlapping and adjacent windows of all of them chain (`schedule.freeze_lifts`)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from changegate.core.matching import match_policy
from changegate.core.policy_context import PolicyContext
from changegate.core.schedule import freeze_lifts, open_windows, windows_between
from changegate.core.waivers import applicable_waiver
from changegate.model import ActiveFreeze, Policy, PolicyResult, Schedule, ScheduleStatus, UpcomingWindow

HORIZON_DAYS = 366  # how far ahead `next_allowed` is looked for


def schedule_status(policies: Sequence[Policy], results: Sequence[PolicyResult],
                    ctx: PolicyContext) -> ScheduleStatus | None:
    """The schedule part of the decision; None when no policy has a schedule or no clock
    was given."""
    now = ctx.evidence.now
    frozen = [(p, r) for p, r in zip(policies, results, strict=True) if p.match.during is not None]
    if not frozen or now is None:
        return None
    active: list[ActiveFreeze] = []
    blocking: list[Schedule] = []
    for policy, result in frozen:
        schedule = policy.match.during
        assert schedule is not None
        if result.matched:
            window = max(open_windows(schedule, now), key=lambda w: w.end)
            active.append(ActiveFreeze(
                policy=policy.id, layer=policy.layer, severity=policy.severity, timezone=schedule.timezone,
                window=window, waivable_by=policy.waivable_by, final=policy.final, waived=result.waived,
                deny=policy.deny))
            applies, waived = True, result.waived
        else:
            applies = match_policy(_unscheduled(policy), ctx)[0]
            waived = applies and applicable_waiver(policy, ctx)[0] is not None
        if applies and not waived and policy.severity == "error":
            blocking.append(schedule)
    blocked_now = any(not f.waived and f.severity == "error" for f in active)
    lifts = freeze_lifts(blocking, now, dt.timedelta(days=HORIZON_DAYS)) if blocked_now else now
    return ScheduleStatus(now=now, active_freezes=tuple(active), next_allowed=lifts, horizon_days=HORIZON_DAYS)


def upcoming_windows(policies: Sequence[Policy], low: dt.datetime, high: dt.datetime) -> list[UpcomingWindow]:
    """Every window of every scheduled policy that overlaps `[low, high)` (aware instants),
    once per value stream the policy matches on (or once under None: all), sorted by value
    stream (None last), start, end and policy."""
    found: list[UpcomingWindow] = []
    for policy in policies:
        schedule = policy.match.during
        if schedule is None:
            continue
        for window in windows_between(schedule, low, high):
            for stream in policy.match.value_streams or (None,):
                found.append(UpcomingWindow(
                    value_stream=stream, policy=policy.id, layer=policy.layer, severity=policy.severity,
                    timezone=schedule.timezone, window=window, change_types=policy.match.change_types,
                    waivable_by=policy.waivable_by, final=policy.final, deny=policy.deny))
    found.sort(key=lambda u: (u.value_stream is None, u.value_stream or "", u.window.start.astimezone(dt.UTC),
                              u.window.end.astimezone(dt.UTC), u.policy))
    return found


def _unscheduled(policy: Policy) -> Policy:
    return dataclasses.replace(policy, match=dataclasses.replace(policy.match, during=None))
