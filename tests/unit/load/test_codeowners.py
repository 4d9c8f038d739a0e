"""`changegate map import codeowners`: after import, every path has the owners GitHub's
CODEOWNERS rules give it. Checked path by path against the `codeowners` package (a port of
hmarr/codeowners, brackets made literal as GitHub documents) over real repositories' trees,
and on a small hand-written file."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import PROJECT

from changegate.cli import cli
from changegate.core.codeowners import codeowners_regex
from changegate.core.impact import COMPONENT, build_path_index
from changegate.load.depmap import load_map
from changegate.model import Config, DepMap

REFERENCE = PROJECT.parent / "shared" / "reference-data" / "codeowners"
REPOS = ("loki", "opentelemetry-collector", "opentelemetry-go-contrib")


def _import(tmp_path: Path, codeowners: Path) -> tuple[DepMap, str]:
    """Import `codeowners` into a map in `tmp_path`; the loaded map and the notes printed."""
    out = tmp_path / ".changegate" / "map.yaml"
    out.parent.mkdir(parents=True, exist_ok=True)
    result = CliRunner().invoke(cli, ["map", "import", "codeowners", str(codeowners), "--output", str(out)])
    assert result.exit_code == 0, result.output
    return load_map(tmp_path, Config()), result.stderr


def _owners(depmap: DepMap, path: str, index: object) -> set[str]:
    """The CODEOWNERS owners the map gives `path`: "@org/team", "@login" or the email."""
    found: set[str] = set()
    for owner in index.match(path):  # type: ignore[attr-defined]
        for tid in depmap.components[owner[len(COMPONENT):]].owners:
            team = depmap.teams[tid]
            if team.github_team:
                found.add("@" + team.github_team.lower())
            elif team.members:
                found.update("@" + m for m in team.members)
            else:
                found.add((team.name or tid).lower())
    return found


def _oracle(text: str) -> object:
    codeowners = pytest.importorskip("codeowners", reason="the codeowners package (bench extra) is not installed")
    literal = "\n".join(re.sub(r"^(\S*)", lambda m: m.group(1).replace("[", "\\[").replace("]", "\\]"), line)
                        if not line.lstrip().startswith("[") else line for line in text.splitlines())
    return codeowners.CodeOwners(literal)


def _compare(tmp_path: Path, codeowners: Path, files: list[str]) -> None:
    oracle = _oracle(codeowners.read_text())
    depmap, _ = _import(tmp_path, codeowners)
    index = build_path_index(depmap)
    wrong = []
    for path in files:
        expected = {owner.lower() for _, owner in oracle.of(path)}  # type: ignore[attr-defined]
        got = _owners(depmap, path, index)
        if got != expected:
            wrong.append((path, sorted(expected), sorted(got)))
    assert not wrong, f"{len(wrong)} of {len(files)} paths differ, e.g. {wrong[:5]}"


@pytest.mark.parametrize("repo", REPOS)
def test_reference_trees_match_github_rules(tmp_path: Path, repo: str) -> None:
    if not REFERENCE.is_dir():
        pytest.skip(f"reference data absent: {REFERENCE}")
    folder = REFERENCE / repo
    files = (folder / "files.txt").read_text().split("\n")
    _compare(tmp_path, folder / "CODEOWNERS", [f for f in files if f])


def test_patterns_agree_with_hmarr_testdata() -> None:
    data = REFERENCE / "hmarr-patterns.json"
    if not data.is_file():
        pytest.skip(f"reference data absent: {data}")
    for case in json.loads(data.read_text()):
        if "[" in case["pattern"]:
            continue  # GitHub matches brackets literally; hmarr's cases take them as a class
        regex = re.compile(codeowners_regex(case["pattern"]), re.DOTALL)
        for path, expected in case["paths"].items():
            assert bool(regex.match(path)) is expected, (case["pattern"], path)


HAND_WRITTEN = """\
# a comment
*                       @acme/everyone
*.js                    @js-lover        # an inline comment
/build/logs/            @acme/builders
docs/*                  docs@example.com
apps/                   @octocat
/apps/github
/scripts/               @alice @acme/ops
**/logs                 @acme/logs
/web/app/[param]/       @bob
CHANGELOG.md
lib/**/deep.py          @carol
"""
FILES = [
    "README.md", "src/app.js", "build/logs/x.log", "sub/build/logs/x.log", "docs/a.md", "docs/sub/b.md",
    "apps/x.py", "nested/apps/y.py", "apps/github/z.py", "scripts/run.sh", "scripts/a/b.sh", "deep/logs/f",
    "web/app/[param]/page.tsx", "web/app/p/page.tsx", "CHANGELOG.md", "pkg/CHANGELOG.md", "lib/deep.py",
    "lib/a/b/deep.py", "lib/a/deep.pyc",
]


def test_hand_written_codeowners(tmp_path: Path) -> None:
    file = tmp_path / "CODEOWNERS"
    file.write_text(HAND_WRITTEN)
    _compare(tmp_path, file, FILES)
    depmap, notes = _import(tmp_path, file)
    assert depmap.teams["everyone"].github_team == "acme/everyone"
    assert depmap.teams["octocat"].members == ("octocat",)
    assert depmap.teams["docs-example.com"].members == ()
    assert "docs@example.com: an email does not resolve" in notes
    index = build_path_index(depmap)
    assert index.match("apps/github/z.py") == ()  # an ownerless line un-owns
    assert index.match("docs/sub/b.md") == ("component:everyone",)  # docs/* is direct children only


def test_gitlab_sections_are_reported(tmp_path: Path) -> None:
    file = tmp_path / "CODEOWNERS"
    file.write_text("[Docs] @acme/docs\ndocs/\n^[Optional][2]\n*.md @alice\n!x @bob\n")
    depmap, notes = _import(tmp_path, file)
    assert "GitLab section [Docs]" in notes and "GitLab section [Optional]" in notes
    assert "'!' negation" in notes
    assert build_path_index(depmap).match("docs/a.txt") == ("component:docs",)


def test_import_writes_the_documented_map(tmp_path: Path) -> None:
    file = tmp_path / "CODEOWNERS"
    file.write_text("* @acme/core\n/x/ @alice @acme/core\n")
    out = tmp_path / "map.yaml"
    CliRunner().invoke(cli, ["map", "import", "codeowners", str(file), "-o", str(out)])
    data = yaml.safe_load(out.read_text())
    assert data["ownership_rules"] == [{"pattern": "*", "component": "core"},
                                       {"pattern": "/x/", "component": "alice_core"}]
    assert data["components"]["alice_core"] == {"owners": ["alice", "core"], "paths": []}
