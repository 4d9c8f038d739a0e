"""The path index (core/paths.py) answers exactly what the per-pattern reference answers:
each owner's patterns tried one by one with git's meaning of a single pattern
(core/wildmatch.py), the last one that matches deciding."""

from __future__ import annotations

import re

from gate_strategies import paths, patterns, raw_patterns
from hypothesis import given
from hypothesis import strategies as st

from changegate.core.paths import PathIndex, matches_any, pattern_error
from changegate.core.wildmatch import git_text, pattern_regex

Owners = dict[str, list[str]]


def reference(owners: Owners, path: str) -> dict[str, tuple[int, str]]:
    """Owner -> (position, pattern) of the last of its patterns matching `path`, for the
    owners whose deciding pattern is not a negation."""
    text = git_text(path)
    claims: dict[str, tuple[int, str]] = {}
    for owner, owner_patterns in owners.items():
        decided: tuple[int, str, bool] | None = None
        for position, pattern in enumerate(owner_patterns):
            regex, include = pattern_regex(git_text(pattern))
            if regex is not None and re.search(regex, text):
                decided = (position, pattern, include)
        if decided is not None and decided[2]:
            claims[owner] = decided[:2]
    return dict(sorted(claims.items()))


def canonical(path: str) -> bool:
    return all(segment not in ("", ".", "..") for segment in path.split("/"))


owner_maps = st.dictionaries(st.sampled_from(["o1", "o2", "o3", "o4", "o5"]),
                             st.lists(patterns(), min_size=1, max_size=4), min_size=1)


@given(owner_maps, st.lists(paths(), min_size=1, max_size=10))
def test_the_index_answers_as_the_per_pattern_reference(owners: Owners, files: list[str]) -> None:
    index = PathIndex(owners)
    for path in files:
        expected = reference(owners, path)
        assert index.claims(path) == expected, path
        assert index.match(path) == tuple(expected)
        for owner, owner_patterns in owners.items():
            assert matches_any(owner_patterns, path) == (owner in expected)


@given(owner_maps, st.lists(patterns(), min_size=1, max_size=3), st.lists(paths(), min_size=1, max_size=5))
def test_paths_that_look_like_patterns_match_as_the_reference(owners: Owners, as_paths: list[str],
                                                              files: list[str]) -> None:
    """Paths with glob characters, and the patterns themselves taken as paths."""
    index = PathIndex(owners)
    for path in [*files, *(p.strip("/") for p in as_paths if canonical(p.strip("/")))]:
        assert index.claims(path) == reference(owners, path), path


@given(raw_patterns())
def test_a_pattern_is_either_matchable_or_rejected_with_a_reason(pattern: str) -> None:
    reason = pattern_error(pattern)
    if reason is None:
        pattern_regex(git_text(pattern))  # no ValueError: the index can match it
        PathIndex({"o": [pattern]}).match("a/b")
    else:
        assert pattern in reason or reason.strip()
