"""Path patterns mean what git means: each pattern of the table is put alone in a
.gitignore and `git check-ignore` (the real git, in a temporary repository) is asked about
every path; the matcher must give the same answer for every pair.

What is compared: git answers "ignored" for a path the pattern matches, or one of whose
leading directories it matches (a directory-only pattern ``x/`` never matches the path
itself: the paths do not exist, so git takes them for files). That is exactly what
ownership means for a changed *file*: a pattern claims the file when it claims the file
or a directory holding it. A negated pattern alone claims nothing, and git ignores nothing
for it; the table holds negations too. Patterns git would accept but can never match (an
unclosed ``[``, an unknown ``[:class:]``, a trailing backslash, a lone ``!``) are rejected
by the loader with a clear error instead; REJECTED lists them, and the test shows git
matches none of the paths with them.

Paths are files in canonical form: never ``.``, a trailing ``/``, an empty segment (git
collapses ``a//b``) or ``.git``.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import GIT_ENV

from changegate.core.paths import PathIndex, matches_any, pattern_error

# Every pattern is checked against every one of these paths, and against its own extras.
COMMON = [
    "foo", "bar", "foo/bar", "bar/foo", "foo/bar/baz", "a/foo/b", "foobar", "foo.txt",
    "docs/README.md", "docs/a/b.md", "docs", "x/docs/y.md", "src/lib/util.c", "src/lib/util.h",
    "README.md", "a/b", "a/x/b", "a/x/y/b", "a/b/c", "x/a/b", "ab/file", "abXfile", "ab-file",
    ".hidden", "a/.hidden/x", "dir.d/file", "a.tar.gz", "deep/a.tar.gz", "Makefile", "A/B",
    "a b", "a\\b", "[ab]", "a]b", "a-b", "#hash", "!bang", "star*name", "q?x", "caf\u00e9",
    "\u00e9t\u00e9/x", "t\u00e9st",
]

# (pattern, extra paths): the wildmatch test table (git's t/t3070-wildmatch.sh) where it
# applies to paths, and the .gitignore rules around it.
TABLE: list[tuple[str, list[str]]] = [
    # literals, anchoring, directories
    ("foo", ["x/y/foo", "x/foo/y", "foox", "xfoo"]),
    ("/foo", ["x/foo"]),
    ("foo/", ["x/foo/y", "x/foo"]),
    ("/foo/", ["x/foo/y"]),
    ("foo/bar", ["x/foo/bar", "foo/bar/x"]),
    ("/foo/bar/", ["foo/bar/x"]),
    ("foo//", []),
    ("/", []),
    ("", []),
    ("#hash", []),
    ("\\#hash", []),
    ("\\!bang", []),
    ("!foo", []),
    ("!docs/", []),
    ("a\\ ", ["a ", "a  "]),
    ("a   ", ["a ", "a"]),
    ("a\t", ["a\t", "a"]),
    ("a b", []),
    ("docs", ["docs/x", "x/docs"]),
    ("docs/", ["docs/x", "x/docs/y/z"]),
    ("/docs/", ["docs/x/y"]),
    ("README.md", ["x/README.md", "README.mdx"]),
    ("/README.md", ["x/README.md"]),
    # single star
    ("*", ["x/y/z"]),
    ("*/", ["x/y", "x"]),
    ("f*", ["ff", "x/foo"]),
    ("*f", ["xf", "f"]),
    ("*foo*", ["xfoox"]),
    ("*ob*a*r*", ["foobar", "xobyazr"]),
    ("*ab", ["aaaaaaabababab"]),
    ("foo*bar", ["foo/baz/bar", "foobazbar"]),
    ("*/foo", ["bar/baz/foo", "x/foo"]),
    ("*/bar/**", ["foo/bar/baz/x", "deep/foo/bar/baz/x"]),
    ("*/*/*", ["foo/bba/arr", "foo/bb/aa/rr"]),
    ("*X*i", ["abcXdefXghi", "ab/cXd/efXg/hi"]),
    ("*/*X*/*/*i", ["ab/cXd/efXg/hi"]),
    ("*.py", ["x/y.py", "y.py/z", ".py", "x.pyc"]),
    ("/*.py", ["y.py", "x/y.py"]),
    ("docs/*", ["docs/x", "docs/x/y"]),
    ("docs/*.md", ["docs/x.md", "docs/x/y.md"]),
    ("b*a", ["aaabbb", "ba"]),
    ("*ba*", ["aabcaa", "aba"]),
    # question mark
    ("???", ["abc", "x/abc", "ab"]),
    ("??", ["ab"]),
    ("foo?bar", ["foo/bar", "foo-bar"]),
    ("caf?", ["cafe"]),
    ("caf??", []),
    ("t?st", ["test"]),
    ("t??st", []),
    ("\\??\\?b", ["?a?b", "xa?b"]),
    # double star
    ("**", ["x/y/z"]),
    ("**/", ["x/y"]),
    ("**/foo", ["XXX/foo", "bar/baz/foo", "foo/x"]),
    ("**/foo/**", ["x/foo/y", "foo/y"]),
    ("**/bar*", ["foo/bar/baz", "x/barx"]),
    ("**/bar/*", ["deep/foo/bar/baz", "deep/foo/bar", "deep/foo/bar/baz/x"]),
    ("**/bar/**", ["deep/foo/bar/baz/x"]),
    ("**/bar**", ["foo/bar/baz", "foo/barx/y"]),
    ("**/bar/*/*", ["deep/foo/bar/baz/x"]),
    ("**/t[o]", ["foo/bar/baz/to"]),
    ("**/*a*b*g*n*t", ["abcd/abcdefg/abcdefghijk/abcdefghijklmnop.txt",
                       "abcd/abcdefg/abcdefghijk/abcdefghijklmnop.txtz"]),
    ("**/**/**", ["foo/bb/aa/rr"]),
    ("**/*X*/**/*i", ["ab/cXd/efXg/hi"]),
    ("foo**bar", ["foo/baz/bar", "foobazbar"]),
    ("foo/**/bar", ["foo/baz/bar", "foo/b/a/z/bar", "foo/bar", "foo/barx"]),
    ("foo/**/**/bar", ["foo/baz/bar", "foo/b/a/z/bar", "foo/bar"]),
    ("docs/**", ["docs/x", "docs/x/y"]),
    ("docs/**/", ["docs/x", "docs/x/y", "docs/x/y/z"]),
    ("/docs/**/*.md", ["docs/x.md", "docs/x/y.md", "docs/x/y.mdx"]),
    ("docs/**/x", ["docs/x", "docs/a/x", "docs/a/x/y"]),
    ("a/**/b", ["a/b/b"]),
    ("ab**/c", ["ab/c", "abx/c", "ab/x/c", "abc", "abxc", "x/ab/c"]),
    ("a/ab**/c/d", ["a/abc/d", "a/ab/x/c/d", "a/abx/c/d"]),
    ("ab**\\/c", ["ab/c", "abx/y/c"]),
    ("**a/b", ["xa/b", "x/a/b"]),
    ("a/b**", ["a/bx", "a/b/x"]),
    ("a/**b", ["a/xb", "a/x/b"]),
    ("***/b", ["x/y/b"]),
    ("a/**\\/b", ["a/x/b"]),
    # bracket expressions
    ("[ab]", ["a", "b", "c", "x/a"]),
    ("[ten]", ["ten", "t"]),
    ("**[!te]", ["ten", "x"]),
    ("**[!ten]", ["ten"]),
    ("t[a-g]n", ["ten", "tan", "ton"]),
    ("t[!a-g]n", ["ten", "ton", "t/n"]),
    ("t[^a-g]n", ["ton"]),
    ("a[]]b", []),
    ("a[]-]b", ["aab"]),
    ("a[]a-]b", ["aab"]),
    ("]", ["]"]),
    ("foo[/]bar", []),
    ("foo[^a-z]bar", ["foo-bar"]),
    ("f[^eiu][^eiu][^eiu][^eiu][^eiu]r", ["foo-bar"]),
    ("ab[!a-z]file", ["ab-file", "abXfile"]),
    ("ab[!-]file", ["abXfile"]),
    ("a[!x]b", ["a/b"]),
    ("a[+-0]b", ["a/b", "a.b", "a,b"]),
    ("a[c-c]st", ["acrt"]),
    ("a[c-c]rt", ["acrt"]),
    ("[!]-]", ["]", "a"]),
    ("[z-a]", ["z", "a", "m"]),
    ("x[z-a]y", ["xzy", "xay"]),
    ("\\[ab]", []),
    ("[[]ab]", []),
    ("[[:]ab]", []),
    ("[[:digit]ab]", []),
    ("[\\[:]ab]", []),
    ("[\\\\-^]", ["]", "["]),
    ("[\\-_]", ["-", "_"]),
    ("[\\]]", ["]", "\\]", "\\", "x/]"]),
    ("[-]", ["-"]),
    ("[--A]", ["-", "5"]),
    ("[ --]", [" ", "$", "-", "0"]),
    ("[---]", ["-"]),
    ("[------]", ["-"]),
    ("[a-e-n]", ["j", "-"]),
    ("[!------]", ["a"]),
    ("[]-a]", ["[", "^"]),
    ("[!]-a]", ["^", "["]),
    ("[a^bc]", ["^"]),
    ("[a-]b]", ["-b]"]),
    ("[\\\\]", ["\\"]),
    ("[!\\\\]", ["\\"]),
    ("[A-\\\\]", ["G"]),
    ("[,]", [","]),
    ("[\\\\,]", [",", "\\"]),
    ("[,-.]", ["-", "+", "-.]"]),
    ("[\\1-\\3]", ["2", "3", "4"]),
    ("[[-\\]]", ["\\", "[", "]", "-"]),
    ("*[al]?", ["ball"]),
    ("src/lib/util.[ch]", ["src/lib/util.o"]),
    ("src/lib/util.[!ch]", ["src/lib/util.o"]),
    ("caf[\u00e9]", []),
    ("caf[!a]?", []),
    # POSIX classes
    ("[[:alpha:]][[:digit:]][[:upper:]]", ["a1B", "a1b"]),
    ("[[:digit:][:upper:][:space:]]", ["a", "A", "1", " ", ",", "\t"]),
    ("[[:digit:][:punct:][:space:]]", [",", "x"]),
    ("[[:xdigit:]]", ["5", "f", "D", "g"]),
    ("[[:alnum:][:alpha:][:blank:][:cntrl:][:digit:][:graph:][:lower:][:print:][:punct:][:space:][:upper:][:xdigit:]]",
     ["_", "\x7f", "\x01"]),
    ("[^[:alnum:][:alpha:][:blank:][:cntrl:][:digit:][:lower:][:space:][:upper:][:xdigit:]]",
     [",", "\x0b", "\x0c", "\x7f"]),
    ("[a-c[:digit:]x-z]", ["5", "b", "y", "q"]),
    ("[[:upper:]]*", ["Makefile", "makefile"]),
    ("x[[:punct:]]y", ["x.y", "x!y", "x~y", "x_y", "x`y", "x{y", "x/y", "xay"]),
    ("x[[:graph:]]y", ["x!y", "x y", "x/y"]),
    ("x[[:print:]]y", ["x y", "x/y"]),
    ("x[[:blank:]]y", ["x y", "x\ty", "x\ny"]),
    ("x[[:space:]]y", ["x y", "x\ty", "x\ny", "x\ry", "x\x0by", "x\x0cy"]),
    ("x[[:cntrl:]]y", ["x\ty", "x\x7fy", "x y"]),
    ("x[[:lower:]]y", ["xay", "xAy"]),
    ("x[![:alpha:]]y", ["x1y", "x/y", "xay"]),
    # escapes
    ("foo\\*", ["foo*"]),
    ("foo\\*bar", ["foobar", "foo*bar"]),
    ("f\\\\oo", ["f\\oo"]),
    ("star\\*name", []),
    ("\\a\\b\\c", ["abc"]),
    ("*/\\\\", ["XXX/\\"]),
    ("@foo", ["@foo"]),
    # dots and hidden names
    (".*", [".git-keep", "x/.y"]),
    ("*.tar.gz", []),
    ("dir.d/", []),
    ("-*-*-*-*-*-*-12-*-*-*-m-*-*-*", ["-adobe-courier-bold-o-normal--12-120-75-75-m-70-iso8859-1",
                                          "-adobe-courier-bold-o-normal--12-120-75-75-X-70-iso8859-1"]),
    ("XXX/*/*/*/*/*/*/12/*/*/*/m/*/*/*", ["XXX/adobe/courier/bold/o/normal/x/12/120/75/75/m/70/iso8859/1"]),
]

# Git accepts these but matches nothing with them; the loader rejects them instead.
REJECTED = [
    "ab[", "a[]b", "[!", "[-", "[a-", "[!a-", "[\\]", "[[:digit:][:upper:][:spaci:]]",
    "[[::]ab]", "[[:foo:]]", "\\", "*/\\", "foo\\", "!", "x[\\",
]


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("wildmatch")
    subprocess.run(["git", "init", "-q", str(root)], check=True, env=_env(root))
    yield root


def _env(root: Path) -> dict[str, str]:
    return {"PATH": os.environ["PATH"], "HOME": str(root), "GIT_CONFIG_NOSYSTEM": "1", "LC_ALL": "C",
            **GIT_ENV}


def git_claims(root: Path, pattern: str, paths: list[str]) -> set[str]:
    """The paths git check-ignore says the single pattern ignores."""
    (root / ".gitignore").write_bytes(pattern.encode("utf-8") + b"\n")
    proc = subprocess.run(
        ["git", "-c", "core.excludesFile=/dev/null", "-c", "core.ignoreCase=false",
         "check-ignore", "--no-index", "--stdin", "-z", "-v", "-n"],
        cwd=root, env=_env(root), input=b"".join(p.encode("utf-8") + b"\0" for p in paths),
        capture_output=True, check=False,
    )
    assert proc.returncode in (0, 1), proc.stderr
    fields = proc.stdout.split(b"\0")[:-1]
    claimed = set()
    for at in range(0, len(fields), 4):
        source, _, matched, path = fields[at : at + 4]
        if source and not matched.startswith(b"!"):
            claimed.add(path.decode("utf-8"))
    return claimed


def pairs() -> list[tuple[str, list[str]]]:
    return [(pattern, list(dict.fromkeys(COMMON + extra))) for pattern, extra in TABLE]


def test_the_table_is_big_enough() -> None:
    assert sum(len(paths) for _, paths in pairs()) >= 200
    assert len(TABLE) >= 150


def test_every_pattern_claims_exactly_what_git_ignores(repository: Path) -> None:
    differences = []
    for pattern, paths in pairs():
        assert pattern_error(pattern) is None, pattern
        expected = git_claims(repository, pattern, paths)
        index = PathIndex({"o": [pattern]})
        for path in paths:
            ours = {"index": bool(index.match(path)), "scan": matches_any([pattern], path)}
            for how, claimed in ours.items():
                if claimed != (path in expected):
                    differences.append((pattern, path, how, path in expected))
    assert differences == [], "\n".join(map(repr, differences))


@pytest.mark.parametrize("pattern", REJECTED)
def test_patterns_git_cannot_match_are_rejected_with_a_reason(repository: Path, pattern: str) -> None:
    message = pattern_error(pattern)
    assert message is not None and message.startswith(f"invalid path pattern {pattern!r}: ")
    assert "git matches nothing" in message or "negates nothing" in message
    extra = [pattern, pattern.strip("!\\"), "ab[", "a[]b", "x[\\"]
    paths = [path for path in COMMON + extra if path]
    assert git_claims(repository, pattern, paths) == set()
