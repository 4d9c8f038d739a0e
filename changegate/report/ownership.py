"""Ownership reports (SPEC §9): `changegate owners` and `changegate map coverage`, as
text or JSON (schemas/owners.schema.json, schemas/coverage.schema.json)."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from changegate.model import Claim, Coverage, PathOwners
from changegate.report.escape import terminal
from changegate.report.json_report import dumps

# The text headings of the coverage lists, in the order of `Coverage`'s fields.
COVERAGE_HEADINGS: dict[str, str] = {
    "unclaimed_files": "tracked files no component or interface claims",
    "components_without_files": "components whose paths claim no tracked file",
    "teams_without_identity": "teams with neither members nor github_team",
    "value_streams_unserved": "value streams no component serves",
    "interfaces_unprovided": "interfaces no component provides",
    "interfaces_unconsumed": "interfaces no other component consumes",
}


def _claim(claim: Claim) -> dict[str, Any]:
    return {"kind": claim.kind, "id": claim.id, "pattern": claim.pattern,
            "file": claim.loc.file if claim.loc else None, "line": claim.loc.line if claim.loc else 0}


def owners_to_dict(files: tuple[PathOwners, ...]) -> dict[str, Any]:
    """SPEC §9's `{"files": [...]}`, each file with its `claims` besides."""
    return {"files": [{"path": f.path, "components": list(f.components), "owners": list(f.owners),
                       "github": list(f.github), "claims": [_claim(c) for c in f.claims]} for f in files]}


def render_owners_json(files: tuple[PathOwners, ...]) -> str:
    """The owners of each path as JSON text."""
    return dumps(owners_to_dict(files))


def render_owners_text(files: tuple[PathOwners, ...]) -> str:
    """The owners of each path: a line per path, then one per claim, like `git check-ignore
    -v` (file:line:pattern)."""
    lines: list[str] = []
    for f in files:
        if not f.claims:
            lines.append(f"{terminal(f.path)}: not claimed by any component or interface")
            continue
        lines.append(f"{terminal(f.path)}: components {', '.join(map(terminal, f.components)) or '—'}; "
                     f"owners {', '.join(map(terminal, f.owners)) or '—'}; "
                     f"github {' '.join(map(terminal, f.github)) or '—'}")
        for c in f.claims:
            where = f"{terminal(c.loc)}:" if c.loc else ""
            lines.append(f"  {where}{terminal(c.pattern)}\t{c.kind} {terminal(c.id)}")
    return "".join(line + "\n" for line in lines)


def coverage_to_dict(coverage: Coverage) -> dict[str, list[str]]:
    """One list per finding kind, keyed by `Coverage`'s field names."""
    return {field.name: list(getattr(coverage, field.name)) for field in fields(coverage)}


def render_coverage_json(coverage: Coverage) -> str:
    """The map's coverage as JSON text."""
    return dumps(coverage_to_dict(coverage))


def render_coverage_text(coverage: Coverage) -> str:
    """The map's coverage: each non-empty list under its heading, or one line saying the
    map covers everything."""
    lines: list[str] = []
    for name, items in coverage_to_dict(coverage).items():
        if items:
            lines.append(f"{COVERAGE_HEADINGS[name]} ({len(items)}):")
            lines.extend(f"  {terminal(item)}" for item in items)
    if not lines:
        lines.append("coverage: every tracked file is claimed and every map entry is used")
    return "".join(line + "\n" for line in lines)
