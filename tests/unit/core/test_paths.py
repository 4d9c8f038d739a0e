"""The path index: exactly the answers of the per-owner scan (last matching pattern wins).
What a single pattern means is checked against git itself in test_paths_git.py."""

from __future__ import annotations

import random

import pytest

from changegate.core.paths import PathIndex, matches_any, pattern_error
from changegate.errors import InputError

FILES = [
    "README.md",
    "docs/README.md",
    "docs/guide/intro.md",
    "docs/internal/secret.md",
    "docs",
    "src/app/main.py",
    "src/app/api/v1/handlers.py",
    "src/lib/util.c",
    "src/lib/util.h",
    "src/lib/util.o",
    "build/out/app.bin",
    "a/b",
    "a/x/b",
    "a/x/y/b",
    "a/b/c",
    "x/a/b",
    "ab",
    "file.py/inner.txt",
    "archive.tar.gz",
    "deep/archive.tar.gz",
    "foo",
    "foo/bar",
    "sub/foo",
    "sub/foo/bar",
    "#hash",
    "!bang",
    "a b",
    "a ",
    "star*name",
    "q/Makefile",
    "Makefile",
    "node_modules/pkg/index.js",
    "web/node_modules/pkg/index.js",
]

# (pattern list, description): every file in FILES, the index against the plain scan.
PATTERN_TABLE = [
    (["/README.md"], "anchored at the root"),
    (["README.md"], "basename at any depth"),
    (["docs/"], "directory at any depth"),
    (["/docs/"], "anchored directory"),
    (["docs/**"], "everything under a directory"),
    (["**/README.md"], "leading double star"),
    (["a/**/b"], "inner double star matches zero or more directories"),
    (["*.py"], "extension at any depth, also as a directory name"),
    (["**/*.py"], "extension with explicit leading double star"),
    (["/*.py"], "extension anchored at the root"),
    (["/src/**"], "anchored directory contents"),
    (["src/lib/"], "anchored literal directory"),
    (["src/**/*.py"], "extension under a directory"),
    (["*.tar.gz"], "multi-dot extension"),
    (["src/lib/util.[ch]"], "character class"),
    (["src/lib/util.[!ch]"], "negated character class"),
    (["src/*/util.?"], "single-character wildcard"),
    (["*"], "everything"),
    (["**"], "everything, double star"),
    (["*/"], "everything not at the root"),
    (["**/"], "everything inside a directory"),
    (["docs/**", "!docs/internal/**"], "negation after inclusion excludes"),
    (["!docs/internal/**", "docs/**"], "negation before inclusion has no effect"),
    (["docs/**", "!docs/internal/**", "docs/internal/secret.md"], "re-inclusion"),
    (["!README.md"], "negation alone matches nothing"),
    (["\\#hash"], "escaped hash"),
    (["#hash"], "comment"),
    (["\\!bang"], "escaped bang"),
    (["star\\*name"], "escaped star"),
    (["a\\ "], "escaped trailing space"),
    (["a   "], "unescaped trailing spaces are stripped"),
    (["a b"], "inner space"),
    ([""], "blank line"),
    (["/"], "lone slash"),
    (["foo"], "name matches file and directory"),
    (["/foo"], "anchored name"),
    (["foo/"], "directory only"),
    (["sub/foo/"], "anchored directory path"),
    (["**/foo/**"], "directory anywhere, double stars both sides"),
    (["Makefile", "!q/Makefile"], "name with a negated path"),
    (["node_modules/"], "vendored directory at any depth"),
    (["src/app/**", "!*.py"], "negated extension inside an included tree"),
    (["[a-c]*"], "leading character class"),
    (["a/b//"], "doubled trailing slash needs an empty directory name"),
    (["src//lib/*"], "empty directory name inside the prefix"),
    (["src/lib/**/"], "directory contents under a prefix, directory only"),
    (["docs/**/*.md", "!docs/internal/*"], "tail globs after prefixes, with negation"),
]


@pytest.mark.parametrize("patterns, description", PATTERN_TABLE, ids=[d for _, d in PATTERN_TABLE])
def test_index_agrees_with_the_scan_on_pattern_table(patterns: list[str], description: str) -> None:
    index = PathIndex({"owner": patterns})
    for path in FILES:
        expected = ("owner",) if matches_any(patterns, path) else ()
        assert index.match(path) == expected, (patterns, path)


def test_last_matching_pattern_decides_per_owner() -> None:
    index = PathIndex(
        {
            "docs-team": ["docs/**", "!docs/internal/**"],
            "security": ["docs/internal/**"],
            "everyone": ["*"],
        }
    )
    assert index.match("docs/internal/secret.md") == ("everyone", "security")
    assert index.match("docs/guide/intro.md") == ("docs-team", "everyone")


def test_negation_in_one_owner_does_not_affect_another() -> None:
    index = PathIndex({"a": ["src/**"], "b": ["src/**", "!src/app/**"]})
    assert index.match("src/app/main.py") == ("a",)


def test_owner_ids_are_sorted() -> None:
    index = PathIndex({"zeta": ["*.py"], "alpha": ["src/**"], "mid": ["**/main.py"]})
    assert index.match("src/app/main.py") == ("alpha", "mid", "zeta")


def test_leading_slash_and_dot_slash_in_paths_are_normalised() -> None:
    index = PathIndex({"o": ["/README.md"]})
    assert index.match("./README.md") == ("o",)
    assert index.match("/README.md") == ("o",)


def test_pattern_error_names_the_pattern() -> None:
    assert pattern_error("services/**") is None
    message = pattern_error("!")
    assert message is not None and message.startswith("invalid path pattern '!': ")


def test_invalid_pattern_raises_input_error_when_matched() -> None:
    index = PathIndex({"o": ["bad\\"]})
    with pytest.raises(InputError) as info:
        index.match("anything")
    assert info.value.message.startswith("invalid path pattern 'bad\\\\': ")


def test_invalid_pattern_after_a_literal_prefix_names_the_whole_pattern() -> None:
    index = PathIndex({"o": ["src/lib/\\"]})
    with pytest.raises(InputError) as info:
        index.match("src/lib/x")
    assert info.value.message == (
        "invalid path pattern 'src/lib/\\\\': a trailing backslash escapes nothing (git matches nothing with it)"
    )


def test_a_directory_only_double_star_claims_only_files_in_subdirectories() -> None:
    index = PathIndex({"o": ["docs/**/"]})
    assert index.match("docs/a/b.md") == ("o",)
    assert index.match("docs/b.md") == ()
    assert not matches_any(["docs/**/"], "docs/b.md")


def test_a_bracket_never_matches_a_slash() -> None:
    assert not matches_any(["ab[!a-z]file"], "ab/file")
    assert PathIndex({"o": ["ab[!a-z]file"]}).match("ab/file") == ()
    assert matches_any(["ab[!a-z]file"], "ab-file")


def test_posix_classes_and_escapes_in_brackets_work_and_warn_nothing() -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert matches_any(["[[:upper:]]*.md"], "README.md")
        assert not matches_any(["[[:upper:]]*.md"], "readme.md")
        assert matches_any(["x[\\]]"], "x]")
        assert not matches_any(["x[\\]]"], "x\\")


def test_an_unclosed_bracket_or_unknown_class_is_rejected() -> None:
    assert pattern_error("src/[lib") == (
        "invalid path pattern 'src/[lib': a '[' is not closed by ']' (git matches nothing with it)"
    )
    assert pattern_error("[[:Upper:]]") == (
        "invalid path pattern '[[:Upper:]]': unknown character class '[:Upper:]' (git matches nothing with it)"
    )


def test_patterns_sharing_a_tail_after_different_prefixes_match_under_their_own_prefix() -> None:
    index = PathIndex({"api": ["svc/api/**/v1/*.proto"], "web": ["web/**/v1/*.proto"]})
    assert index.match("svc/api/v1/a.proto") == ("api",)
    assert index.match("svc/api/x/y/v1/a.proto") == ("api",)
    assert index.match("web/v1/a.proto") == ("web",)
    assert index.match("svc/v1/a.proto") == ()
    assert index.match("svc/apiv1/a.proto") == ()


def test_empty_index_matches_nothing() -> None:
    assert PathIndex({}).match("a/b") == ()
    assert len(PathIndex({"o": ["a", "#comment"]})) == 2


# ----------------------------------------------------------------------------- randomized

SEGMENTS = ["src", "lib", "docs", "a", "b", "api", "v1", "test", "node_modules", "x.y"]
NAMES = ["main.py", "util.c", "util.h", "README.md", "a.tar.gz", "b", "data.json", "x.py"]


def random_path(rng: random.Random) -> str:
    depth = rng.randint(0, 4)
    return "/".join([rng.choice(SEGMENTS) for _ in range(depth)] + [rng.choice(NAMES)])


def random_segment(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.35:
        return rng.choice(SEGMENTS + NAMES)
    if roll < 0.5:
        return "**"
    if roll < 0.65:
        return "*." + rng.choice(["py", "c", "h", "md", "gz", "json", "y"])
    if roll < 0.75:
        return "*"
    if roll < 0.85:
        word = rng.choice(SEGMENTS + NAMES)
        cut = rng.randrange(len(word))
        return word[:cut] + rng.choice(["*", "?", "[a-z]", "[!a]"]) + word[cut + 1 :]
    return rng.choice(["util.[ch]", "[ab]", "v?", "*test*", "x.*", "\\*"])


def random_pattern(rng: random.Random) -> str:
    pattern = "/".join(random_segment(rng) for _ in range(rng.randint(1, 3)))
    if rng.random() < 0.3:  # a literal directory prefix, the commonest real shape
        prefix = "/".join(rng.choice(SEGMENTS) for _ in range(rng.randint(1, 3)))
        pattern = prefix + "/" + pattern
    if rng.random() < 0.2:
        pattern = "/" + pattern
    if rng.random() < 0.2:
        pattern += "/"
    if rng.random() < 0.15:
        pattern = "!" + pattern
    return pattern


def test_index_gives_exactly_the_naive_scan_answers_on_random_patterns() -> None:
    rng = random.Random(20261128)
    owners: dict[str, list[str]] = {
        f"owner-{i}": [random_pattern(rng) for _ in range(rng.randint(1, 4))] for i in range(600)
    }
    index = PathIndex(owners)
    paths = sorted({random_path(rng) for _ in range(1500)})
    for path in paths:
        expected = tuple(sorted(o for o, pats in owners.items() if matches_any(pats, path)))
        assert index.match(path) == expected, path
    for path in paths[:300]:  # `claims` gives the same owners, each with its last matching pattern
        claims = index.claims(path)
        assert tuple(claims) == index.match(path), path
        for owner, (position, pattern) in claims.items():
            assert owners[owner][position] == pattern
            assert not any(matches_any([later], path) for later in owners[owner][position + 1:]
                           if not later.startswith("!")), (path, owner)


def test_claims_name_the_last_matching_pattern_and_skip_a_negated_owner() -> None:
    index = PathIndex({"a": ["src/**", "*.py"], "b": ["src/**", "!src/app/**"]})
    assert index.claims("src/app/x.py") == {"a": (1, "*.py")}
    assert index.claims("./src/lib/x.txt") == {"a": (0, "src/**"), "b": (0, "src/**")}
    assert index.claims("other") == {}


@pytest.mark.parametrize(("patterns", "claimed"), [
    (["vendor/sdk/**"], True),
    (["vendor/sdk/"], True),
    (["vendor/sdk"], True),
    (["vendor/**"], True),
    (["vendor/sdk/*"], True),
    (["sdk"], True),
    (["vendor/sdk/README"], False),
    (["*.c"], False),
    (["vendor/sdk/**", "!vendor/sdk/"], False),
    (["vendor/other/**"], False),
])
def test_a_directory_entry_is_claimed_by_the_patterns_claiming_the_directory(
        patterns: list[str], claimed: bool) -> None:
    # Issue 10: a submodule bump changes the single path vendor/sdk, given as "vendor/sdk/".
    assert PathIndex({"sdk": patterns}).match("vendor/sdk/") == (("sdk",) if claimed else ())
    assert matches_any(patterns, "vendor/sdk/") is claimed
@pytest.mark.parametrize(("pattern", "claimed", "not_claimed"), [
    ("[x/abc/y]", ["x/z", "b", "a", "c/d"], ["abc/z", "xy"]),
    ("src/[a/lib/b]/*.py", ["src/a/m.py", "src/l/m.py"], ["src/lib/m.py", "src/a/lib/b/m.py"]),
    ("[]/abc/]", ["b", "]"], ["abc"]),
])
def test_a_bracket_holding_a_slash_is_one_character_for_the_index_too(
        pattern: str, claimed: list[str], not_claimed: list[str]) -> None:
    """git (check-ignore agrees) reads "[x/abc/y]" as one character of x, /, a, b, c, y; the
    index once took "abc" for a segment to file the pattern under, and missed every path
    without one (found by the fuzz target; tests/fixtures/fuzz-crashes/patterns--*)."""
    index = PathIndex({"o": ["unrelated/**", pattern], "other": ["abc/**", "*.py"]})
    for path in claimed:
        assert matches_any([pattern], path), path
        assert "o" in index.match(path), path
    for path in not_claimed:
        assert "o" not in index.match(path), path
