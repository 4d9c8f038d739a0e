"""The one way changegate runs git (SPEC §8a): changed files, files at a revision, refs.

Every call runs `git` as a subprocess in a clean environment: of the caller's variables only
those that locate programs and the user's git config are kept, so no `GIT_*` variable can
point git at another repository, index or object store. Replace objects and grafts are
ignored (a repository's own refs cannot make one commit pass for another); no pager, no
prompt, no fsmonitor, no optional locks, no system config. Names are read with `-z`, so a
file name with spaces, newlines, unicode or a leading dash comes back exactly as it is.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from changegate.errors import GitError

_KEPT_ENV = ("PATH", "HOME", "XDG_CONFIG_HOME", "SYSTEMROOT", "TMPDIR", "TEMP", "TMP")
_GIT_ENV = {
    "GIT_NO_REPLACE_OBJECTS": "1",
    # A graft file that cannot exist: git then reads no grafts, and says nothing about it.
    "GIT_GRAFT_FILE": os.path.join(os.devnull, "no-grafts"),
    "GIT_OPTIONAL_LOCKS": "0",
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_PAGER": "cat",
    "PAGER": "cat",
    "GIT_ASKPASS": "",
    "SSH_ASKPASS": "",
    "GIT_CONFIG_NOSYSTEM": "1",
    "LC_ALL": "C",
}
_GIT = ("git", "--no-pager", "--no-replace-objects", "-c", "core.quotepath=false",
        "-c", "core.fsmonitor=false")


def _env() -> dict[str, str]:
    env = {name: os.environ[name] for name in _KEPT_ENV if name in os.environ}
    env.update(_GIT_ENV)
    return env


def _run(repo: Path, args: list[str]) -> subprocess.CompletedProcess[bytes]:
    """Run `git ARGS` in `repo` and return the finished process (whatever its exit code)."""
    try:
        return subprocess.run([*_GIT, "-C", str(repo), *args], stdin=subprocess.DEVNULL, capture_output=True,
                              env=_env(), check=False)
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


def commit_exists(repo: Path, rev: str) -> bool:
    """True when `rev` names a commit that is in `repo`."""
    try:
        resolve(repo, rev)
    except GitError:
        return False
    return True


def current_branch(repo: Path) -> str | None:
    """The name of the checked-out branch; None when HEAD is detached or has no commit yet."""
    proc = _run(repo, ["rev-parse", "--abbrev-ref", "HEAD"])
    name = proc.stdout.decode("utf-8", "replace").strip() if proc.returncode == 0 else ""
    return name if name and name != "HEAD" else None


def default_branch(repo: Path) -> str | None:
    """The branch a change most likely forks from: origin's default branch, else main or
    master (remote first); None when there is none."""
    for ref in ("origin/HEAD", "origin/main", "origin/master", "main", "master"):
        if commit_exists(repo, ref):
            return ref
    return None


def _split_z(data: bytes) -> list[str]:
    return [os.fsdecode(part) for part in data.split(b"\x00") if part]


def changed_files_with_status(repo: Path, base: str, head: str) -> dict[str, str]:
    """Paths changed between the merge base of `base` and `head`, and `head` (sorted) -> status
    letter (A added, M modified, D deleted, T type change). A rename is a deletion and an addition."""
    base_sha = resolve(repo, base)
    head_sha = resolve(repo, head)
    proc = _run(repo, ["diff", "--name-status", "-z", "--no-renames", "--no-ext-diff", "--no-textconv",
                       f"{base_sha}...{head_sha}", "--"])
    if proc.returncode != 0:
        raise GitError(f"git diff {base}...{head} failed (git: {_stderr(proc)})", str(repo))
    parts = _split_z(proc.stdout)
    return dict(sorted(zip(parts[1::2], (status[:1] for status in parts[0::2]), strict=False)))


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
        for status, path in zip(parts[0::2], parts[1::2], strict=False):
            result[path] = status[:1]
    proc = _run(repo, ["ls-files", "-z", "--others", "--exclude-standard"])
    if proc.returncode != 0:
        raise GitError(f"git ls-files failed (git: {_stderr(proc)})", str(repo))
    for path in _split_z(proc.stdout):
        result[path] = "?"
    return dict(sorted(result.items()))


def tracked_files(repo: Path) -> list[str]:
    """The files git tracks in `repo` (its index, as `git ls-files`), sorted."""
    _check_repo(repo)
    proc = _run(repo, ["ls-files", "-z", "--cached", "--full-name"])
    if proc.returncode != 0:
        raise GitError(f"git ls-files failed (git: {_stderr(proc)})", str(repo))
    return sorted(set(_split_z(proc.stdout)))


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


def tree_paths(repo: Path, rev: str) -> set[str]:
    """Every path (files, symlinks, gitlinks; repository-relative) in the tree of `rev`."""
    sha = resolve(repo, rev)
    proc = _run(repo, ["ls-tree", "-r", "-z", "--name-only", "--full-tree", sha])
    if proc.returncode != 0:
        raise GitError(f"cannot list the files of {rev!r} (git: {_stderr(proc)})", str(repo))
    return set(_split_z(proc.stdout))


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
