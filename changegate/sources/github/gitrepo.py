"""The few git reads GitHub mode needs: the diff past the API's file cap, and the gate's
own files as the base commit has them."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

from changegate.errors import GitError

FETCH_HINT = "check out with actions/checkout and fetch-depth: 0 so both commits are present"


def _git(repo_root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ["git", "-C", str(repo_root), *args], capture_output=True, check=False, stdin=subprocess.DEVNULL
        )
    except OSError as err:
        raise GitError(f"cannot run git: {err.strerror or err}", str(repo_root)) from None


def _stderr(proc: subprocess.CompletedProcess[bytes]) -> str:
    return proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:][0] if proc.stderr.strip() else ""


def commit_exists(repo_root: Path, sha: str) -> bool:
    return _git(repo_root, "cat-file", "-e", f"{sha}^{{commit}}").returncode == 0


def require_commit(repo_root: Path, sha: str, role: str) -> None:
    """Raise `GitError` unless `sha` is a commit in the repository."""
    if not commit_exists(repo_root, sha):
        raise GitError(f"the {role} commit {sha} is not in the repository; {FETCH_HINT}", str(repo_root))


def diff_names(repo_root: Path, base: str, head: str) -> tuple[str, ...]:
    """`git diff --name-only -z --no-renames BASE...HEAD`: every changed path, a renamed
    file under both names, names exactly as git stores them."""
    require_commit(repo_root, base, "base")
    require_commit(repo_root, head, "head")
    proc = _git(repo_root, "diff", "--name-only", "-z", "--no-renames", f"{base}...{head}", "--")
    if proc.returncode != 0:
        raise GitError(f"git diff {base}...{head} failed: {_stderr(proc)}; {FETCH_HINT}", str(repo_root))
    names = proc.stdout.decode("utf-8", "surrogateescape").split("\0")
    return tuple(name for name in names if name)


def show(repo_root: Path, rev: str, path: str) -> bytes | None:
    """The bytes of `path` at `rev` (`git show REV:path`), or None when `rev` has no such
    file. Raises `GitError` when `rev` is not a commit in the repository."""
    path = path.replace("\\", "/").lstrip("/")
    while path.startswith("./"):
        path = path[2:]
    kind = _git(repo_root, "cat-file", "-t", f"{rev}:{path}")
    if kind.returncode != 0:
        if not commit_exists(repo_root, rev):
            raise GitError(f"the commit {rev} is not in the repository; {FETCH_HINT}", str(repo_root))
        return None
    if kind.stdout.strip() != b"blob":
        return None
    proc = _git(repo_root, "show", f"{rev}:{path}")
    if proc.returncode != 0:
        raise GitError(f"git show {rev}:{path} failed: {_stderr(proc)}", str(repo_root))
    return proc.stdout


def list_files(repo_root: Path, rev: str, directory: str) -> tuple[str, ...]:
    """Paths of the files under `directory` at `rev` (recursive, sorted; empty when the
    directory is not there)."""
    directory = directory.replace("\\", "/").strip("/")
    require_commit(repo_root, rev, "base")
    proc = _git(repo_root, "ls-tree", "-r", "-z", "--name-only", rev, "--", directory + "/")
    if proc.returncode != 0:
        raise GitError(f"git ls-tree {rev} {directory} failed: {_stderr(proc)}", str(repo_root))
    return tuple(sorted(name for name in proc.stdout.decode("utf-8", "surrogateescape").split("\0") if name))


def file_reader(repo_root: Path, rev: str) -> Callable[[str], bytes | None]:
    """A reader of files at `rev`: path -> bytes, or None when absent."""
    require_commit(repo_root, rev, "base")

    def read(path: str) -> bytes | None:
        return show(repo_root, rev, path)

    return read
