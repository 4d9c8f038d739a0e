"""CODEOWNERS patterns (GitHub's rules) and the map's `ownership_rules`. Pure: no I/O.

GitHub's CODEOWNERS patterns look like .gitignore lines but differ (so `wildmatch` is not
used): ``dir/*`` claims direct children only, brackets are literal characters, there is
no ``!`` negation and no ``\\#`` escape. A pattern with a ``/`` at its start or in its
middle is anchored at the repository root, else it matches at any depth; a trailing ``/``
matches a directory's contents; ``**`` spans directories when it is a whole segment.

`RuleIndex` answers, for a path, which entry of an ordered rule list claims it: the LAST
one whose pattern matches (CODEOWNERS' "last matching line wins"). The rules are compiled
into one regex of alternatives, last rule first, so one search per path finds the winner
whatever the number of rules (linear in the rules, not quadratic in negations)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from changegate.core.paths import PathIndex, normalize_path
from changegate.model import OwnershipRule


def codeowners_regex(pattern: str) -> str:
    """The regex (for `re.match` on a repository-relative path) of one CODEOWNERS pattern."""
    slash = pattern.find("/")
    anchored = slash > -1 and slash != len(pattern) - 1
    out = ["" if anchored else "(?:.*/)?"]
    text = pattern.strip("/")
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "*":
            if text[i + 1:i + 2] == "*" and (i == 0 or text[i - 1] == "/"):
                if i + 2 == len(text):  # "a/**" or "**": anything (below)
                    out.append(".*")
                    i += 2
                    continue
                if text[i + 2] == "/":  # "**/" : zero or more directories
                    out.append("(?:.*/)?")
                    i += 3
                    continue
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch == "\\" and i + 1 < len(text):  # an escaped character is itself
            i += 1
            out.append(re.escape(text[i]))
        else:  # brackets included: GitHub matches them literally
            out.append(re.escape(ch))
        i += 1
    if pattern.endswith("/"):
        if out[-1] != ".*":  # "a/**/" claims what "a/**" does
            out.append("/.*")
    elif pattern.endswith("/*"):
        out.append(r"\Z")
    else:
        out.append(r"(?:/.*)?\Z")
    return "".join(out)


class RuleIndex:
    """Ordered rules -> for a path, the position of the last rule whose pattern matches."""

    def __init__(self, patterns: Sequence[str]) -> None:
        self._count = len(patterns)
        alternatives = (f"({codeowners_regex(p)})" for p in reversed(patterns))
        self._regex = re.compile("|".join(alternatives), re.DOTALL) if patterns else None

    def winner(self, path: str) -> int | None:
        """The position of the last rule matching `path`, or None."""
        if self._regex is None:
            return None
        found = self._regex.match(normalize_path(path))
        if found is None or found.lastindex is None:
            return None
        return self._count - found.lastindex


class RuledIndex(PathIndex):
    """A `PathIndex` (components' and interfaces' `paths`) plus the map's ownership rules:
    a path the winning rule gives to a component is claimed by that component too."""

    def __init__(self, owners: Mapping[str, Sequence[str]], rules: Sequence[OwnershipRule],
                 prefix: str) -> None:
        super().__init__(owners)
        self._rules = tuple(rules)
        self._rule_index = RuleIndex([rule.pattern for rule in rules])
        self._prefix = prefix

    def _rule_claim(self, path: str) -> tuple[str, int, str] | None:
        """(owner id, rule position, pattern) of the rule claiming `path`, if any."""
        position = self._rule_index.winner(path)
        if position is None:
            return None
        rule = self._rules[position]
        if rule.component is None:
            return None
        return self._prefix + rule.component, position, rule.pattern

    def match(self, path: str) -> tuple[str, ...]:
        found = super().match(path)
        claim = self._rule_claim(path)
        if claim is None or claim[0] in found:
            return found
        return tuple(sorted((*found, claim[0])))

    def claims(self, path: str) -> dict[str, tuple[int, str]]:
        """`PathIndex.claims`, plus the winning rule's claim, its position given as
        ``-1 - index`` in `ownership_rules` (negative: not a position in `paths`)."""
        found = super().claims(path)
        claim = self._rule_claim(path)
        if claim is None or claim[0] in found:
            return found
        found[claim[0]] = (-1 - claim[1], claim[2])
        return dict(sorted(found.items()))
