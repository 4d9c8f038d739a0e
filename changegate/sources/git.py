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
from dataclasses import dataclass
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
REPLACE_REFS = "refs/replace/"
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
    """`repo` is a git repository without replace refs. One git call answers both: listing
    refs fails outside a repository."""
    proc = _run(repo, ["for-each-ref", "--count=1", "--format=%(refname)", REPLACE_REFS])
    if proc.returncode != 0:
        raise GitError(f"not a git repository (git: {_stderr(proc)})", str(repo))
    found = proc.stdout.decode("utf-8", "replace").strip()
    if found:
        # Replace objects are ignored, but their presence means something in this job
        # (often the pull request's own code, run before the gate) tried to make one commit
        # pass for another: refuse rather than guess what else it changed.
        raise GitError(
            f"the repository has a replace ref ({found}): something rewrote what a commit means; "
            "changegate refuses to run on it. Run the gate in a job where no code of the change "
            "runs before it (see docs/security.md), or delete refs/replace/ if you made it on purpose",
            str(repo))


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


def commits_between(repo: Path, base: str, head: str) -> list[str]:
    """The full SHAs of the commits reachable from `head` but not from `base` (the commits a
    pull request adds), newest first."""
    base_sha = resolve(repo, base)
    head_sha = resolve(repo, head)
    proc = _run(repo, ["rev-list", head_sha, f"^{base_sha}", "--"])
    if proc.returncode != 0:
        raise GitError(f"git rev-list {base}..{head} failed (git: {_stderr(proc)})", str(repo))
    return proc.stdout.decode("ascii").split()


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


@dataclass(frozen=True)
class TreeEntry:
    """One entry of a commit's tree: `mode` (100644, 100755, 120000 symlink, 160000 gitlink,
    040000 tree), `kind` (blob, tree, commit) and the repository-relative `path`."""

    mode: str
    kind: str
    path: str

    @property
    def is_link(self) -> bool:
        """A symbolic link or a submodule (gitlink): neither is a file git has in this tree."""
        return self.mode in (SYMLINK, GITLINK)


SYMLINK = "120000"  # the mode of a symbolic link's entry
GITLINK = "160000"  # the mode of a submodule's entry: a commit, not a file


def tree_entries(repo: Path, rev: str, path: str) -> list[TreeEntry]:
    """The entries of `rev`'s tree along and under `path`: the directories on the way to it,
    itself, and (recursively) what it holds; sorted by path. When a directory on the way is
    a symlink or a submodule, that entry is the last one. Empty when nothing is there."""
    sha = resolve(repo, rev)
    path = path.strip("/")
    entries = _ls_tree(repo, rev, sha, path or ".")
    seen = {entry.path for entry in entries}
    if path and path not in seen:
        # git does not descend into a symlink or a gitlink on the way; name the first part
        # of the path it did not show, which is that link when there is one.
        parts = path.split("/")
        first_unseen = next(("/".join(parts[:i]) for i in range(1, len(parts))
                             if "/".join(parts[:i]) not in seen), None)
        if first_unseen is not None:
            entries += [e for e in _ls_tree(repo, rev, sha, first_unseen) if e.path == first_unseen]
    return sorted(entries, key=lambda e: e.path)


def _ls_tree(repo: Path, rev: str, sha: str, path: str) -> list[TreeEntry]:
    proc = _run(repo, ["ls-tree", "-r", "-t", "-z", "--full-tree", sha, "--", path])
    if proc.returncode != 0:
        raise GitError(f"cannot list {path!r} at {rev!r} (git: {_stderr(proc)})", str(repo))
    entries: list[TreeEntry] = []
    for entry in proc.stdout.split(b"\x00"):
        if not entry:
            continue
        meta, _, name = entry.partition(b"\t")
        mode, kind = ([*meta.split(b" "), b"", b""])[:2]
        entries.append(TreeEntry(mode.decode("ascii"), kind.decode("ascii"), os.fsdecode(name)))
    return entries
