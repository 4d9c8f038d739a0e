"""Shared fixtures: real git repositories in temp dirs."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

PROJECT = Path(__file__).resolve().parents[1]  # the repository root
TESTS = PROJECT / "tests"
SCENARIOS = TESTS / "scenarios"

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test Author",
    "GIT_AUTHOR_EMAIL": "author@example.com",
    "GIT_COMMITTER_NAME": "Test Committer",
    "GIT_COMMITTER_EMAIL": "committer@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_SYSTEM": os.devnull,
}


class GitRepo:
    """A real git repository in a temp dir, with helpers to write files and commit."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str) -> str:
        env = {**os.environ, **GIT_ENV}
        proc = subprocess.run(["git", *args], cwd=self.root, env=env, capture_output=True, text=True,
                              check=True)
        return proc.stdout.strip()

    def write(self, rel: str, text: str) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def copy_tree(self, src: Path) -> None:
        """Copy the files under `src` into the work tree (overlaying what is there)."""
        for path in sorted(src.rglob("*")):
            if path.is_file():
                dst = self.root / path.relative_to(src)
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, dst)

    def delete(self, rel: str) -> None:
        (self.root / rel).unlink()

    def commit(self, message: str = "commit") -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD")


@pytest.fixture
def git_repo(tmp_path: Path) -> Iterator[GitRepo]:
    repo_dir = tmp_path / "repo"
    repo_dir.mkdir()
    yield GitRepo(repo_dir)


@pytest.fixture
def in_dir(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Change the working directory for the duration of a test: in_dir(path)."""

    def _chdir(path: Path) -> None:
        monkeypatch.chdir(path)

    return _chdir


@pytest.fixture(autouse=True)
def _private_cache_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets its own compiled-map cache directory, never the user's ~/.cache."""
    monkeypatch.setenv("CHANGEGATE_CACHE_DIR", str(tmp_path_factory.mktemp("changegate-cache")))
    monkeypatch.delenv("CHANGEGATE_NO_CACHE", raising=False)


# ---------------------------------------------------------------- hypothesis profiles (issue 10)
# "ci" (the default): a modest, deterministic search (same examples every run, no example
# database), so the property tests (tests/unit/properties/) take seconds and CI never flakes.
# "long": a real search, for a developer who has minutes:
#   .venv/bin/python -m pytest tests/unit/properties --hypothesis-profile=long
#   (or CHANGEGATE_HYPOTHESIS=long bash scripts/test.sh)
# Tests that set their own `max_examples` keep it under either profile.
_SLOW_IS_FINE = [HealthCheck.too_slow, HealthCheck.data_too_large]
settings.register_profile("ci", max_examples=50, deadline=None, database=None, derandomize=True,
                          suppress_health_check=_SLOW_IS_FINE)
settings.register_profile("long", max_examples=2000, deadline=None, database=None,
                          suppress_health_check=_SLOW_IS_FINE)
settings.load_profile(os.environ.get("CHANGEGATE_HYPOTHESIS", "ci"))
