"""Starter files: `changegate init`'s .changegate/ and `changegate new`'s manifest."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from changegate import model as models
from changegate.errors import InputError

_STARTER = Path(__file__).resolve().parent.parent / "templates" / "init"


def slug(title: str) -> str:
    """A file-name slug of a title: lower-case words joined by '-' (at most 60 characters)."""
    words = re.findall(r"[a-z0-9]+", title.lower())
    return "-".join(words)[:60].strip("-") or "change"


def title_from_branch(root: Path) -> str:
    """A title guessed from the current git branch, e.g. 'feature/crm-5.2' -> 'Crm 5 2'."""
    try:
        out = subprocess.run(["git", "rev-parse", "--abbrev-ref", "HEAD"], cwd=root, capture_output=True,
                             text=True, timeout=30, check=False).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        out = ""
    name = out.rsplit("/", 1)[-1] if out and out != "HEAD" else ""
    words = re.findall(r"[A-Za-z0-9]+", name)
    return " ".join(words).capitalize() if words else "Describe the change"


def _q(text: str) -> str:
    """A YAML double-quoted scalar."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in escaped)
    return f'"{escaped}"'


def _flow(items: tuple[str, ...] | list[str]) -> str:
    return "[" + ", ".join(items) + "]"


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
        f"owner: {owners[0] if owners else '@your-login'}"
        + ("" if len(owners) <= 1 else f"              # other owners of touched components: {', '.join(owners[1:])}"),
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
    if impact.unmapped_files:
        lines.insert(3, f"# Files no component claims: {', '.join(impact.unmapped_files[:10])}")
    return "\n".join(lines) + "\n"


def write_starter(directory: Path, force: bool) -> list[Path]:
    """Copy the starter .changegate/ into `directory`; refuse to overwrite unless `force`."""
    if not directory.is_dir():
        raise InputError("is not a directory", str(directory))
    target_root = directory / ".changegate"
    sources = sorted(p for p in _STARTER.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    targets = [(src, target_root / src.relative_to(_STARTER)) for src in sources]
    existing = [t for _, t in targets if t.exists()]
    if existing and not force:
        raise InputError("already exists; use --force to overwrite the starter files", str(existing[0]))
    written = []
    for src, dst in targets:
        dst.parent.mkdir(parents=True, exist_ok=True)
        dst.write_bytes(src.read_bytes())
        written.append(dst)
    return written
