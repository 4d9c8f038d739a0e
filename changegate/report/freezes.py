"""The change schedule part of a decision (SPEC §10) for every format: the `schedule`
object of the decision JSON, and the plain phrases the text and markdown summaries show —
each active freeze, its window, who can waive it, and when the change can next go in."""

from __future__ import annotations

import datetime as dt
from typing import Any

from changegate.model import ActiveFreeze, ScheduleStatus


def instant(value: dt.datetime) -> str:
    """An aware instant as ISO 8601 with its offset, to the second."""
    return value.isoformat(timespec="seconds")


def wall(value: dt.datetime) -> str:
    """An aware instant as the local wall-clock time and offset people read, e.g.
    `2026-11-30 00:00 +01:00`."""
    offset = value.strftime("%z")
    return f"{value:%Y-%m-%d %H:%M} {offset[:3]}:{offset[3:]}"


def schedule_dict(status: ScheduleStatus) -> dict[str, Any]:
    """The `schedule` object of the decision JSON."""
    return {
        "now": instant(status.now),
        "active_freezes": [_freeze_dict(f) for f in status.active_freezes],
        "next_allowed": instant(status.next_allowed) if status.next_allowed is not None else None,
        "horizon_days": status.horizon_days,
    }


def _freeze_dict(freeze: ActiveFreeze) -> dict[str, Any]:
    return {
        "policy": freeze.policy,
        "layer": freeze.layer,
        "severity": freeze.severity,
        "timezone": freeze.timezone,
        "start": instant(freeze.window.start),
        "end": instant(freeze.window.end),
        "deny": freeze.deny,
        "waivable_by": list(freeze.waivable_by),
        "final": freeze.final,
        "waived": freeze.waived,
    }


def way_through(freeze: ActiveFreeze) -> str:
    """How a change gets through this freeze before its window ends."""
    if freeze.waived:
        return "waived by the manifest's approved waiver"
    if freeze.severity == "warning":
        return "a warning only: it does not block"
    if freeze.final:
        return "final: no waiver lifts it"
    if not freeze.waivable_by:
        return "no waiver lifts it (the policy has no waivable_by)"
    return (f"a manifest waiver naming {freeze.policy}, approved by a member of "
            f"{', '.join(freeze.waivable_by)}")


def next_allowed(status: ScheduleStatus) -> str:
    """When the change can next go in, as a phrase."""
    if status.next_allowed is None:
        return f"not within {status.horizon_days} days: the freezes chain beyond that"
    if status.next_allowed == status.now:
        return "now: no blocking freeze is open"
    zones = {f.timezone: f.window.end.tzinfo for f in status.active_freezes}
    local = [f"{wall(status.next_allowed.astimezone(tz))} {name}" for name, tz in zones.items() if tz is not None]
    return f"{'; '.join(local)} ({instant(status.next_allowed.astimezone(dt.UTC))})"
