"""The variables a policy's CEL `when` sees (SPEC §4): the manifest as `change`, the
resolved `impact`, the changed `files`, the `author` and the pull request's `labels`."""

from __future__ import annotations

from typing import Any

from changegate.model import Evidence, Impact, Manifest

# Keys `change` always has, so `change.type == "emergency"` is simply false (not an error)
# when there is no manifest or the manifest leaves an optional key out.
CHANGE_DEFAULTS: dict[str, Any] = {
    "title": "", "type": "", "owner": "", "summary": "", "components": [],
    "interfaces_changed": [], "breaking": False, "tickets": [], "tests": [], "waivers": [],
}


def cel_context(manifest: Manifest | None, impact: Impact, evidence: Evidence) -> dict[str, Any]:
    """The variables a `when` expression sees. Dates become ISO strings; `change` has
    CHANGE_DEFAULTS for the keys the manifest leaves out (all of them without one)."""
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
    """The manifest's YAML values as CEL sees them: dates and times as ISO strings."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
