"""`changegate new`: a manifest for the current diff, pre-filled from the map, with TODOs."""

from __future__ import annotations

import datetime as dt
import re
import sys
from dataclasses import dataclass, replace
from pathlib import Path

from changegate import model as models
from changegate.commands.output import write_output
from changegate.errors import GitError, InputError
from changegate.load.gate import GateFiles
from changegate.sources import git
from changegate.sources.change import Change
from changegate.sources.local import DiffOptions, LocalSource


@dataclass(frozen=True)
class NewOptions(DiffOptions):
    """The options of `changegate new`."""

    title: str | None = None
    change_type: str = "normal"
    output: str | None = None
    force: bool = False


def new(options: NewOptions) -> int:
    """Write a manifest for the change (to --output, '-' for stdout, or the changes folder); 0."""
    from changegate.core import impact as core

    source = LocalSource(options, with_policies=False)
    gate = source.load_gate()
    change = source.change(gate)
    if not change.files and not (options.base or options.changed_files):
        change = _branch_change(options, gate)
    elif not change.files:
        raise InputError("no changed files in the change given: nothing to scaffold", "command line")
    title = options.title or title_from_branch(options.root)
    default = options.root / gate.config.changes / f"{slug(title)}.yaml"
    target = Path(options.output) if options.output and options.output != "-" else default
    # The manifest is part of the change it describes: whatever claims its path (a CODEOWNERS
    # `*` rule, say) is touched too, so it is declared now rather than found undeclared later.
    files = (*change.files, _inside(options.root, target) or _inside(options.root, default))
    result = core.resolve_impact(gate.depmap, gate.adjacency, tuple(dict.fromkeys(f for f in files if f)), None,
                                 gate.config, gate.path_index)
    text = manifest_yaml(title, options.change_type, result, gate.depmap)
    if options.output == "-":
        write_output(text, None)
        return 0
    if target.exists() and not options.force:
        raise InputError("already exists; use --force to overwrite, or --output for another name", str(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    print(f"changegate: wrote {target}; review the TODOs, then commit it with your change", file=sys.stderr)
    return 0


def _inside(root: Path, path: Path) -> str | None:
    """`path` relative to `root` (posix), or None when it lies outside."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None


def _branch_change(options: NewOptions, gate: GateFiles) -> Change:
    """With nothing uncommitted: the commits since the merge base with the default branch;
    an error (never an empty manifest) when there are none either."""
    base = git.default_branch(options.root)
    change = LocalSource(replace(options, base=base), with_policies=False).change(gate) if base else None
    if change is None or not change.files:
        since = f"HEAD has no commits since {base}" if base else "there is no main or master branch to compare with"
        raise InputError(f"no changed files: the working tree has no uncommitted changes and {since}; "
                         "commit your change on a branch, or give --base REF (or --changed-files FILE)",
                         "command line")
    print(f"changegate: no uncommitted changes: scaffolding the commits since the merge base with {base} "
          "(give --base to choose another base)", file=sys.stderr)
    return change


def slug(title: str) -> str:
    """A file-name slug of a title: lower-case words joined by '-' (at most 60 characters)."""
    words = re.findall(r"[a-z0-9]+", title.lower())
    return "-".join(words)[:60].strip("-") or "change"


def title_from_branch(root: Path) -> str:
    """A title guessed from the current git branch, e.g. 'feature/crm-5.2' -> 'Crm 5 2'."""
    try:
        branch = git.current_branch(root) or ""
    except GitError:  # git is not installed: no guess
        branch = ""
    words = re.findall(r"[A-Za-z0-9]+", branch.rsplit("/", 1)[-1])
    return " ".join(words).capitalize() if words else "Describe the change"


def _q(text: str) -> str:
    """A YAML double-quoted scalar."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in escaped)
    return f'"{escaped}"'


def _flow(items: tuple[str, ...] | list[str]) -> str:
    return "[" + ", ".join(items) + "]"


def _owner_line(owners: list[str]) -> str:
    """The `owner:` line: the first owner team of the touched components, else a login to fill
    (quoted: a plain YAML value cannot start with '@')."""
    if not owners:
        return 'owner: "@your-login"  # TODO: your GitHub login, or a team id of the map'
    others = f"              # other owners of touched components: {', '.join(owners[1:])}"
    return f"owner: {owners[0]}" + (others if len(owners) > 1 else "")


PIR_DAYS = 7  # an emergency change's review is due a week after it is written


def manifest_yaml(title: str, change_type: str, impact: models.Impact, depmap: models.DepMap) -> str:
    """A manifest pre-filled from the impact of the current diff, with TODOs to complete."""
    touched = impact.touched_components
    owners: list[str] = []
    for cid in touched:
        for team in depmap.components[cid].owners:
            if team not in owners:
                owners.append(team)
    tests: list[str] = []
    for cid in touched:
        for suite in depmap.components[cid].tests:
            if suite not in tests:
                tests.append(suite)
    streams = ", ".join(f"{v.id} ({v.criticality})" for v in impact.value_streams) or "none"
    lines = [
        "# Change manifest: one file per change. See `changegate check` for what is still missing.",
        f"# Affected value streams: {streams}",
        f"# Computed risk: {impact.risk.computed} — " + "; ".join(impact.risk.factors),
        "version: 1",
        f"title: {_q(title)}",
        f"type: {change_type}                # standard | normal | emergency",
        _owner_line(owners),
        f'summary: "{models.PLACEHOLDER_PREFIX} what changes and why"',
        f"components: {_flow(touched)}",
    ]
    if impact.changed_interfaces:
        lines.append(f"interfaces_changed: {_flow(impact.changed_interfaces)}")
        lines.append("breaking: false                # true when consumers must change too")
    lines += [
        f"risk: {impact.risk.computed}",
        "tickets: []                    # e.g. [CRM-1042]",
        "rollback:",
        f'  plan: "{models.PLACEHOLDER_PREFIX} how to undo this change"',
        "  tested: false",
        f"tests: {_flow(tests)}",
    ]
    if change_type == "emergency":  # builtin:baseline asks an emergency change for its review
        due = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=PIR_DAYS)
        lines += [
            "pir:                           # post-implementation review: set done: true once held",
            f"  due: {due.isoformat()}",
            f'  ticket: "{models.PLACEHOLDER_PREFIX} where the review is tracked"',
            "  done: false",
        ]
    if impact.unmapped_files:
        lines.insert(3, f"# Files no component claims: {', '.join(impact.unmapped_files[:10])}")
    return "\n".join(lines) + "\n"
