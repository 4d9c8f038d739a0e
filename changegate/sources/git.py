"""Evidence from git: changed files, file contents at a revision, commit authors.

Every call runs `git` as a subprocess with no pager, no prompt, no optional locks and
`core.quotepath=false`; names are read with `-z`, so a file name with spaces, newlines,
unicode or a leading dash comes back exactly as it is.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from changegate.errors import GitError

_GIT_ENV = {
    "GIT_OPTIONAL_LOCKS": "0",
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_PAGER": "cat",
    "PAGER": "cat",
    "GIT_ASKPASS": "",
    "SSH_ASKPASS": "",
    "GIT_CONFIG_NOSYSTEM": "1",
    "LC_ALL": "C",
}


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(_GIT_ENV)
    return env


def _run(repo: Path, args: list[str]) -> subprocess.CompletedProcess[bytes]:
    """Run `git ARGS` in `repo` and return the finished process (whatever its exit code)."""
    cmd = ["git", "--no-pager", "-c", "core.quotepath=false", "-c", "core.fsmonitor=false",
           "-C", str(repo), *args]
    try:
        return subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, env=_env(), check=False)
    except FileNotFoundError as exc:
        raise GitError("git is not installed or not on PATH", str(repo)) from exc
    except OSError as exc:
        raise GitError(f"cannot run git: {exc.strerror or exc}", str(repo)) from exc


def _stderr(proc: subprocess.CompletedProcess[bytes]) -> str:
    text = proc.stderr.decode("utf-8", "replace").strip()
    return " ".join(text.split()) or f"exit code {proc.returncode}"


def _check_repo(repo: Path) -> None:
    proc = _run(repo, ["rev-parse", "--git-dir"])
    if proc.returncode != 0:
        raise GitError(f"not a git repository (git: {_stderr(proc)})", str(repo))


def resolve(repo: Path, ref: str) -> str:
    """The full commit sha that `ref` names in `repo`; GitError for an unknown ref."""
    _check_repo(repo)
    if not ref or ref.startswith("-") or "\x00" in ref:
        raise GitError(f"unknown git ref {ref!r} (git: not a valid revision)", str(repo))
    proc = _run(repo, ["rev-parse", "--verify", "--quiet", "--end-of-options",
                       f"{ref}^{{commit}}"])
    if proc.returncode != 0:
        detail = _stderr(proc) if proc.stderr.strip() else "not a valid revision"
        raise GitError(f"unknown git ref {ref!r} (git: {detail})", str(repo))
    return proc.stdout.decode("ascii").strip()


def _split_z(data: bytes) -> list[str]:
    return [os.fsdecode(part) for part in data.split(b"\x00") if part]


def _diff(repo: Path, base: str, head: str, fmt: str) -> bytes:
    base_sha = resolve(repo, base)
    head_sha = resolve(repo, head)
    proc = _run(repo, ["diff", fmt, "-z", "--no-renames", "--no-ext-diff", "--no-textconv",
                       f"{base_sha}...{head_sha}", "--"])
    if proc.returncode != 0:
        raise GitError(f"git diff {base}...{head} failed (git: {_stderr(proc)})", str(repo))
    return proc.stdout


def changed_files(repo: Path, base: str, head: str) -> tuple[str, ...]:
    """Paths changed between the merge base of `base` and `head`, and `head` (sorted)."""
    return tuple(sorted(set(_split_z(_diff(repo, base, head, "--name-only")))))


def changed_files_with_status(repo: Path, base: str, head: str) -> dict[str, str]:
    """Changed path -> status letter (A added, M modified, D deleted, T type change)."""
    parts = _split_z(_diff(repo, base, head, "--name-status"))
    result: dict[str, str] = {}
    for status, path in zip(parts[0::2], parts[1::2]):
        result[path] = status[:1]
    return dict(sorted(result.items()))


def working_tree_changes(repo: Path) -> dict[str, str]:
    """Uncommitted changes: path -> status letter for the working tree against HEAD
    (A, M, D, T), plus untracked files that are not ignored ("?")."""
    _check_repo(repo)
    result: dict[str, str] = {}
    head = _run(repo, ["rev-parse", "--verify", "-q", "HEAD^{commit}"])
    if head.returncode == 0:
        proc = _run(repo, ["diff", "--name-status", "-z", "--no-renames", "HEAD"])
        if proc.returncode != 0:
            raise GitError(f"git diff HEAD failed (git: {_stderr(proc)})", str(repo))
        parts = _split_z(proc.stdout)
        for status, path in zip(parts[0::2], parts[1::2]):
            result[path] = status[:1]
    proc = _run(repo, ["ls-files", "-z", "--others", "--exclude-standard"])
    if proc.returncode != 0:
        raise GitError(f"git ls-files failed (git: {_stderr(proc)})", str(repo))
    for path in _split_z(proc.stdout):
        result[path] = "?"
    return dict(sorted(result.items()))


def show(repo: Path, rev: str, path: str) -> bytes | None:
    """The contents of `path` at `rev`, or None when it does not exist there (or is not a file)."""
    sha = resolve(repo, rev)
    spec = f"{sha}:{path}"
    proc = _run(repo, ["cat-file", "-t", spec])
    if proc.returncode != 0 or proc.stdout.strip() != b"blob":
        return None
    proc = _run(repo, ["cat-file", "blob", spec])
    if proc.returncode != 0:
        raise GitError(f"cannot read {path!r} at {rev!r} (git: {_stderr(proc)})", str(repo))
    return proc.stdout


def is_symlink(repo: Path, rev: str, path: str) -> bool:
    """True when `path` at `rev` is a symbolic link (git mode 120000)."""
    sha = resolve(repo, rev)
    proc = _run(repo, ["ls-tree", "-z", sha, "--", path])
    if proc.returncode != 0:
        raise GitError(f"cannot list {path!r} at {rev!r} (git: {_stderr(proc)})", str(repo))
    return proc.stdout.startswith(b"120000 ")


def list_tree(repo: Path, rev: str, path: str) -> list[str]:
    """Paths (repository-relative, sorted) of the files directly inside directory `path`
    at `rev`; empty when the directory does not exist there."""
    sha = resolve(repo, rev)
    prefix = path.strip("/")
    spec = f"{sha}:{prefix}" if prefix else f"{sha}^{{tree}}"
    proc = _run(repo, ["cat-file", "-t", spec])
    if proc.returncode != 0 or proc.stdout.strip() != b"tree":
        return []
    proc = _run(repo, ["ls-tree", "-z", "--full-tree", spec])
    if proc.returncode != 0:
        raise GitError(f"cannot list {path!r} at {rev!r} (git: {_stderr(proc)})", str(repo))
    names: list[str] = []
    for entry in proc.stdout.split(b"\x00"):
        if not entry:
            continue
        meta, _, name = entry.partition(b"\t")
        if meta.split(b" ")[1:2] != [b"blob"]:
            continue
        rel = os.fsdecode(name)
        names.append(f"{prefix}/{rel}" if prefix else rel)
    return sorted(names)


def commit_authors(repo: Path, base: str, head: str) -> tuple[str, ...]:
    """Author and committer names and emails (lower-cased, sorted, deduplicated) of the
    commits in `base..head`."""
    base_sha = resolve(repo, base)
    head_sha = resolve(repo, head)
    proc = _run(repo, ["log", "-z", "--format=%an%x00%ae%x00%cn%x00%ce",
                       f"{base_sha}..{head_sha}", "--"])
    if proc.returncode != 0:
        raise GitError(f"git log {base}..{head} failed (git: {_stderr(proc)})", str(repo))
    people = {part.strip().lower() for part in proc.stdout.decode("utf-8", "replace").split("\x00")}
    return tuple(sorted(p for p in people if p))
