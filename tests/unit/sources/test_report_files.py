"""The evidence glob walk: symlinked directories are never entered by a wildcard, the walk is
bounded, and it matches what `glob` matched before for plain trees."""

from __future__ import annotations

import glob
import os
from pathlib import Path

import pytest

from changegate.errors import EvidenceError
from changegate.sources.report_files import MAX_DEPTH, matches


def names(globs: list[str], root: Path) -> list[str]:
    return [name for name, _ in matches(globs, root)]


def test_a_symlink_loop_is_walked_once(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "x.xml").write_text("<testsuite/>", encoding="utf-8")
    os.symlink(".", reports / "a")
    os.symlink(".", reports / "b")
    os.symlink("..", reports / "up")
    assert names(["reports/**/*.xml", "**/*.xml", "reports/*/*.xml"], tmp_path) == ["reports/x.xml"]


def test_a_directory_named_literally_is_entered_and_must_stay_inside(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "x.xml").write_text("<testsuite/>", encoding="utf-8")
    os.symlink("real", tmp_path / "alias")
    assert names(["alias/*.xml"], tmp_path) == ["alias/x.xml"]
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    (outside / "y.xml").write_text("<testsuite/>", encoding="utf-8")
    os.symlink(outside, tmp_path / "out")
    assert names(["**/*.xml"], tmp_path) == ["real/x.xml"]  # a wildcard never enters 'out' (nor 'alias')
    with pytest.raises(EvidenceError, match="leads out of the repository"):
        matches(["out/*.xml"], tmp_path)


def test_a_walk_deeper_than_the_bound_is_refused(tmp_path: Path) -> None:
    deep = tmp_path.joinpath(*["d"] * (MAX_DEPTH + 2))
    deep.mkdir(parents=True)
    with pytest.raises(EvidenceError, match=f"deeper than {MAX_DEPTH} directories"):
        matches(["**/*.xml"], tmp_path)


def test_plain_trees_match_as_glob_did(tmp_path: Path) -> None:
    for rel in ("a.xml", "r/b.xml", "r/s/c.xml", "r/.hidden.xml", ".git/d.xml", "r/s/t/e.txt", "./f.xml"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x", encoding="utf-8")
    for pattern in ("**/*.xml", "r/**/*.xml", "r/*.xml", "*.xml", "./r/*.xml", "r/s/c.xml", "r/[bc].xml",
                    "r/?.xml", "r/**", "r/.*.xml"):
        expected = sorted(n for n in glob.glob(pattern, root_dir=tmp_path, recursive=True)
                          if (tmp_path / n).is_file())
        assert names([pattern], tmp_path) == expected, pattern


def test_an_absolute_glob_walks_the_same_way(tmp_path: Path) -> None:
    (tmp_path / "art" / "x").mkdir(parents=True)
    (tmp_path / "art" / "x" / "r.xml").write_text("x", encoding="utf-8")
    os.symlink("..", tmp_path / "art" / "x" / "loop")
    assert names([str(tmp_path / "art" / "**" / "*.xml")], tmp_path / "elsewhere") == [
        str(tmp_path / "art" / "x" / "r.xml")]


def test_a_symlink_under_an_absolute_glob_must_stay_where_the_glob_starts(tmp_path: Path) -> None:
    artifacts = tmp_path / "artifacts"
    (artifacts / "junit").mkdir(parents=True)
    (artifacts / "junit" / "real.xml").write_text("x", encoding="utf-8")
    os.symlink(artifacts / "junit" / "real.xml", artifacts / "junit" / "alias.xml")
    assert names([str(artifacts / "**" / "*.xml")], tmp_path) == [str(artifacts / "junit" / "alias.xml")]
    secret = tmp_path / "secret.xml"
    secret.write_text("x", encoding="utf-8")
    os.symlink(secret, artifacts / "junit" / "planted.xml")
    with pytest.raises(EvidenceError, match="leads out of the directory its glob starts in"):
        matches([str(artifacts / "**" / "*.xml")], tmp_path)
