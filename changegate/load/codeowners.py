"""A CODEOWNERS file read, then translated to a map (SPEC §9); writes nothing.

Each rule line becomes one entry of the map's `ownership_rules`, in file order, so the map
keeps GitHub's meaning (the last matching line wins; a line without owners un-owns) with
one entry a line. Each distinct owner set becomes one component; each owner one team:
``@org/team`` -> `github_team: org/team`, ``@login`` -> `members: [login]`, an email ->
a team without members (reported: an email does not resolve to a login). GitLab section
headers (``[Section]``, ``^[Optional]``, ``[Section][2]``, with default owners) are
understood: a section's default owners go to its lines that name none; each is reported,
since GitLab combines the sections' owners where GitHub takes the last line."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from changegate.errors import InputError
from changegate.load import limits
from changegate.load.files import read_bounded

DEFAULT_FILES = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")  # GitHub's order
_SECTION = re.compile(r"^\^?\[([^\]]+)\](?:\[(\d+)\])?(?:\s+(.*))?$")
_TEAM = re.compile(r"^@([A-Za-z0-9][A-Za-z0-9-]*)/([A-Za-z0-9][A-Za-z0-9._-]*)$")
_USER = re.compile(r"^@([A-Za-z0-9][A-Za-z0-9-]*)$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
_ESCAPED_SPACE = "\0"


@dataclass(frozen=True)
class Rule:
    """One rule line: its pattern and owners (as written), its line number."""

    line: int
    pattern: str
    owners: tuple[str, ...]


def find_codeowners(given: str | None) -> str:
    """`given`, or the first of GitHub's CODEOWNERS locations that exists."""
    if given is not None:
        return given
    for candidate in DEFAULT_FILES:
        if Path(candidate).is_file():
            return candidate
    raise InputError(f"no CODEOWNERS file (looked for {', '.join(DEFAULT_FILES)}); give its path")


def read_codeowners(file: str) -> tuple[list[Rule], list[str]]:
    """The rule lines of CODEOWNERS `file` and notes on what was not taken as GitHub takes it."""
    if not Path(file).is_file():
        raise InputError("no such file", file)
    data = read_bounded(file, "the CODEOWNERS file", limits.MAX_BYTES, Path(file))
    text = data.decode("utf-8", errors="replace")
    rules: list[Rule] = []
    notes: list[str] = []
    defaults: tuple[str, ...] = ()
    for number, raw in enumerate(text.splitlines(), start=1):
        words = _words(raw)
        if not words:
            continue
        section = _SECTION.match(" ".join(words))
        if section is not None:
            defaults = tuple(_words(section.group(3) or ""))
            notes.append(f"line {number}: GitLab section [{section.group(1)}]: imported with GitHub's rule "
                         "(the last matching line of the whole file wins), not GitLab's per-section owners"
                         + (f"; its default owners {' '.join(defaults)} go to its lines without owners"
                            if defaults else ""))
            continue
        pattern, owners = words[0], tuple(words[1:])
        if pattern.startswith("!"):
            notes.append(f"line {number}: {pattern}: GitHub does not support '!' negation; line skipped")
            continue
        rules.append(Rule(number, pattern, owners or defaults))
    return rules, notes


def _words(line: str) -> list[str]:
    """The words of a line before its comment (``#`` at a word's start); ``\\ `` is a space."""
    words = []
    for word in line.replace("\\ ", _ESCAPED_SPACE).split():
        if word.startswith("#"):
            break
        words.append(word.replace(_ESCAPED_SPACE, "\\ "))
    return words


def translate(rules: list[Rule]) -> tuple[dict[str, Any], list[str]]:
    """The map (teams, components, ownership_rules) of `rules`, and notes on owners that do
    not resolve to a GitHub identity."""
    notes: list[str] = []
    teams: dict[str, dict[str, Any]] = {}
    team_of: dict[str, str] = {}
    slugs = {m.group(2).lower() for r in rules for o in r.owners if (m := _TEAM.match(o))}
    for rule in rules:
        for owner in rule.owners:
            if owner.lower() not in team_of:
                team_of[owner.lower()] = _team(owner, slugs, teams, notes, rule.line)
    components: dict[str, dict[str, Any]] = {}
    entries: list[dict[str, str]] = []
    for rule in rules:
        owner_ids = sorted({team_of[o.lower()] for o in rule.owners} - {""})
        if not owner_ids:
            entries.append({"pattern": rule.pattern})
            continue
        cid = "_".join(owner_ids)
        components.setdefault(cid, {"owners": owner_ids, "paths": []})
        entries.append({"pattern": rule.pattern, "component": cid})
    data = {"version": 1, "teams": dict(sorted(teams.items())), "components": dict(sorted(components.items())),
            "ownership_rules": entries}
    return data, notes


def _team(owner: str, slugs: set[str], teams: dict[str, dict[str, Any]], notes: list[str], line: int) -> str:
    """The team id for `owner` (added to `teams`), or "" when it is not an owner at all."""
    if (team := _TEAM.match(owner)) is not None:
        org, slug = team.group(1).lower(), team.group(2).lower()
        taken = teams.get(slug, {}).get("github_team", f"{org}/{slug}").lower() != f"{org}/{slug}"
        tid = f"{org}.{slug}" if taken else slug
        teams.setdefault(tid, {"members": [], "github_team": f"{team.group(1)}/{team.group(2)}"})
        return tid
    if (user := _USER.match(owner)) is not None:
        login = user.group(1).lower()
        tid = login if login not in slugs else f"user.{login}"
        teams.setdefault(tid, {"members": [login]})
        return tid
    if _EMAIL.match(owner):
        tid = re.sub(r"[^A-Za-z0-9._-]", "-", owner.lower())
        if tid not in teams:
            notes.append(f"line {line}: {owner}: an email does not resolve to a GitHub login; "
                         f"team {tid} has no members (add its login)")
        teams.setdefault(tid, {"members": [], "name": owner})
        return tid
    notes.append(f"line {line}: {owner}: not a team, user or email; ignored")
    return ""
