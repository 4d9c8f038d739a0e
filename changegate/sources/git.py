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

from changegate.errors import GitError, YamlError
from changegate.load import limits
from changegate.load.files import size_text

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


def run(repo: Path, args: list[str], data: bytes | None = None,
        options: tuple[str, ...] = ()) -> subprocess.CompletedProcess[bytes]:
    """Run `git [OPTIONS] ARGS` in `repo` the one hardened way (see the module docstring)
    and return the finished process, whatever its exit code; `data` goes to its stdin."""
    stdin = subprocess.DEVNULL if data is None else None
    try:
        return subprocess.run([*_GIT, *options, "-C", str(repo), *args], stdin=stdin, input=data,
                              capture_output=True, env=_env(), check=False)
    except FileNotFoundError as exc:
        raise GitError("git is not installed or not on PATH", str(repo)) from exc
    except OSError as exc:
        raise GitError(f"cannot run git: {exc.strerror or exc}", str(repo)) from exc


def stderr_text(proc: subprocess.CompletedProcess[bytes]) -> str:
    text = proc.stderr.decode("utf-8", "replace").strip()
    return " ".join(text.split()) or f"exit code {proc.returncode}"


def _check_repo(repo: Path) -> None:
    """`repo` is a git repository without replace refs. One git call answers both: listing
    refs fails outside a repository."""
    proc = run(repo, ["for-each-ref", "--count=1", "--format=%(refname)", REPLACE_REFS])
    if proc.returncode != 0:
        raise GitError(f"not a git repository (git: {stderr_text(proc)})", str(repo))
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
    proc = run(repo, ["rev-parse", "--verify", "--quiet", "--end-of-options",
                       f"{ref}^{{commit}}"])
    if proc.returncode != 0:
        detail = stderr_text(proc) if proc.stderr.strip() else "not a valid revision"
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
    proc = run(repo, ["rev-parse", "--abbrev-ref", "HEAD"])
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


GITLINK = "160000"  # the mode of a submodule's entry: a commit, not a file


def _raw_statuses(data: bytes) -> dict[str, str]:
    """`git diff --raw -z` output -> path -> status letter, a gitlink (a submodule, on
    either side) as a directory entry `path/` (see sources/changed_files.py)."""
    parts = _split_z(data)
    out: dict[str, str] = {}
    for meta, path in zip(parts[0::2], parts[1::2], strict=False):
        fields = meta.lstrip(":").split()
        if GITLINK in fields[:2]:
            path += "/"
        out[path] = fields[-1][:1] if fields else "M"
    return out


def changed_files_with_status(repo: Path, base: str, head: str) -> dict[str, str]:
    """Paths changed between the merge base of `base` and `head`, and `head` (sorted) -> status
    letter (A added, M modified, D deleted, T type change). A rename is a deletion and an
    addition; a submodule's gitlink is the directory entry `path/`."""
    base_sha = resolve(repo, base)
    head_sha = resolve(repo, head)
    proc = run(repo, ["diff", "--raw", "-z", "--no-renames", "--no-ext-diff", "--no-textconv",
                       "--ignore-submodules=none", f"{base_sha}...{head_sha}", "--"])
    if proc.returncode != 0:
        raise GitError(f"git diff {base}...{head} failed (git: {stderr_text(proc)})", str(repo))
    return dict(sorted(_raw_statuses(proc.stdout).items()))


def gitlinks(repo: Path, revs: tuple[str, ...], paths: list[str]) -> set[str]:
    """Which of `paths` is a submodule's gitlink at one of the commits `revs` (a path git
    cannot tell about counts as none)."""
    found: set[str] = set()
    for rev in revs:
        for start in range(0, len(paths), 1000):
            proc = run(repo, ["ls-tree", "-z", "--full-tree", rev, "--", *paths[start:start + 1000]])
            if proc.returncode != 0:
                break
            for entry in proc.stdout.split(b"\x00"):
                meta, _, name = entry.partition(b"\t")
                if meta.startswith(GITLINK.encode()):
                    found.add(os.fsdecode(name))
    return found


def working_tree_changes(repo: Path) -> dict[str, str]:
    """Uncommitted changes: path -> status letter for the working tree against HEAD
    (A, M, D, T), plus untracked files that are not ignored ("?")."""
    _check_repo(repo)
    result: dict[str, str] = {}
    head = run(repo, ["rev-parse", "--verify", "-q", "HEAD^{commit}"])
    if head.returncode == 0:
        proc = run(repo, ["diff", "--raw", "-z", "--no-renames", "--ignore-submodules=none", "HEAD"])
        if proc.returncode != 0:
            raise GitError(f"git diff HEAD failed (git: {stderr_text(proc)})", str(repo))
        result.update(_raw_statuses(proc.stdout))
    proc = run(repo, ["ls-files", "-z", "--others", "--exclude-standard"])
    if proc.returncode != 0:
        raise GitError(f"git ls-files failed (git: {stderr_text(proc)})", str(repo))
    for path in _split_z(proc.stdout):
        result[path] = "?"
    return dict(sorted(result.items()))


def tracked_files(repo: Path) -> list[str]:
    """The files git tracks in `repo` (its index, as `git ls-files`), sorted; a submodule's
    gitlink as the directory entry `path/`."""
    _check_repo(repo)
    proc = run(repo, ["ls-files", "-z", "--cached", "--full-name", "--stage"])
    if proc.returncode != 0:
        raise GitError(f"git ls-files failed (git: {stderr_text(proc)})", str(repo))
    names = set()
    for entry in _split_z(proc.stdout):  # "<mode> <object> <stage>\t<path>"
        meta, _, path = entry.partition("\t")
        names.add(path + "/" if meta.startswith(GITLINK) else path)  # a submodule: a directory entry
    return sorted(names)


def show(repo: Path, rev: str, path: str) -> bytes | None:
    """The contents of `path` at `rev`, or None when it does not exist there (or is not a file).
    A blob past the gate files' size limit is refused before it is read (YamlError)."""
    sha = resolve(repo, rev)
    spec = f"{sha}:{path}"
    proc = run(repo, ["cat-file", "-t", spec])
    if proc.returncode != 0 or proc.stdout.strip() != b"blob":
        return None
    size = run(repo, ["cat-file", "-s", spec])
    if size.returncode == 0 and int(size.stdout.strip() or b"0") > limits.MAX_BYTES:
        raise YamlError(f"file is larger than the {size_text(limits.MAX_BYTES)} limit (at {rev[:12]})", path)
    proc = run(repo, ["cat-file", "blob", spec])
    if proc.returncode != 0:
        raise GitError(f"cannot read {path!r} at {rev!r} (git: {stderr_text(proc)})", str(repo))
    return proc.stdout


def is_symlink(repo: Path, rev: str, path: str) -> bool:
    """True when `path` at `rev` is a symbolic link (git mode 120000)."""
    sha = resolve(repo, rev)
    proc = run(repo, ["ls-tree", "-z", sha, "--", path])
    if proc.returncode != 0:
        raise GitError(f"cannot list {path!r} at {rev!r} (git: {stderr_text(proc)})", str(repo))
    return proc.stdout.startswith(b"120000 ")


def tree_paths(repo: Path, rev: str) -> set[str]:
    """Every path (files, symlinks, gitlinks; repository-relative) in the tree of `rev`."""
    sha = resolve(repo, rev)
    proc = run(repo, ["ls-tree", "-r", "-z", "--name-only", "--full-tree", sha])
    if proc.returncode != 0:
        raise GitError(f"cannot list the files of {rev!r} (git: {stderr_text(proc)})", str(repo))
    return set(_split_z(proc.stdout))


def list_tree(repo: Path, rev: str, path: str) -> list[str]:
    """Paths (repository-relative, sorted) of the files directly inside directory `path`
    at `rev`; empty when the directory does not exist there."""
    sha = resolve(repo, rev)
    prefix = path.strip("/")
    spec = f"{sha}:{prefix}" if prefix else f"{sha}^{{tree}}"
    proc = run(repo, ["cat-file", "-t", spec])
    if proc.returncode != 0 or proc.stdout.strip() != b"tree":
        return []
    proc = run(repo, ["ls-tree", "-z", "--full-tree", spec])
    if proc.returncode != 0:
        raise GitError(f"cannot list {path!r} at {rev!r} (git: {stderr_text(proc)})", str(repo))
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


# --------------------------------------------------------------------------- commit history
# (approval integrity: what happened between an approved commit and the head)


def is_ancestor(repo: Path, ancestor: str, descendant: str) -> bool:
    """True when commit `ancestor` is reachable from commit `descendant` (both full shas)."""
    proc = run(repo, ["merge-base", "--is-ancestor", ancestor, descendant])
    if proc.returncode not in (0, 1):
        raise GitError(f"git merge-base --is-ancestor {ancestor[:12]} {descendant[:12]} failed "
                       f"(git: {stderr_text(proc)})", str(repo))
    return proc.returncode == 0


def commits_between(repo: Path, head: str, exclude: list[str]) -> list[str]:
    """The full shas of the commits reachable from `head` and from none of `exclude`, oldest
    first (parents before children). All arguments are full shas."""
    proc = run(repo, ["rev-list", "--reverse", "--topo-order", head, *(f"^{sha}" for sha in exclude), "--"])
    if proc.returncode != 0:
        raise GitError(f"git rev-list {head[:12]} failed (git: {stderr_text(proc)})", str(repo))
    return proc.stdout.decode("ascii").split()


def commit_headers(repo: Path, shas: list[str]) -> dict[str, tuple[tuple[str, ...], str, str, str]]:
    """For each commit (full shas): its parents, its tree, and its author's and committer's
    e-mails as recorded (no mailmap)."""
    if not shas:
        return {}
    proc = run(repo, ["log", "--no-walk=unsorted", "--no-show-signature", "--no-decorate", "--no-color",
                       "-z", "--format=%H%x1f%P%x1f%T%x1f%ae%x1f%ce", *shas, "--"])
    if proc.returncode != 0:
        raise GitError(f"git log of {len(shas)} commits failed (git: {stderr_text(proc)})", str(repo))
    out: dict[str, tuple[tuple[str, ...], str, str, str]] = {}
    for record in proc.stdout.split(b"\x00"):
        fields = record.decode("utf-8", "replace").strip("\n").split("\x1f")
        if len(fields) == 5:
            sha, parents, tree, author, committer = fields
            out[sha] = (tuple(parents.split()), tree, author, committer)
    return out


def commit_paths(repo: Path, sha: str, parent: str | None) -> list[str]:
    """The paths commit `sha` changed against `parent` (None: against nothing, a root commit)."""
    args = (["diff", "--name-only", "-z", "--no-renames", "--no-ext-diff", "--no-textconv", parent, sha, "--"]
            if parent else ["diff-tree", "--root", "-r", "--no-commit-id", "--name-only", "-z", "--no-renames", sha])
    proc = run(repo, args)
    if proc.returncode != 0:
        raise GitError(f"git diff of commit {sha[:12]} failed (git: {stderr_text(proc)})", str(repo))
    return sorted(set(_split_z(proc.stdout)))


def merged_tree(repo: Path, ours: str, theirs: str) -> str | None:
    """The tree git's merge of commits `ours` and `theirs` gives (`git merge-tree
    --write-tree`, git 2.38+); None when they conflict or this git cannot say."""
    proc = run(repo, ["merge-tree", "--write-tree", "--no-messages", ours, theirs])
    if proc.returncode != 0:
        return None
    first = proc.stdout.decode("ascii", "replace").split("\n", 1)[0].strip()
    return first or None


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
    proc = run(repo, ["ls-tree", "-r", "-t", "-z", "--full-tree", sha, "--", path])
    if proc.returncode != 0:
        raise GitError(f"cannot list {path!r} at {rev!r} (git: {stderr_text(proc)})", str(repo))
    entries: list[TreeEntry] = []
    for entry in proc.stdout.split(b"\x00"):
        if not entry:
            continue
        meta, _, name = entry.partition(b"\t")
        mode, kind = ([*meta.split(b" "), b"", b""])[:2]
        entries.append(TreeEntry(mode.decode("ascii"), kind.decode("ascii"), os.fsdecode(name)))
    return entries
