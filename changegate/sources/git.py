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
    proc = _run(repo, ["diff", "--raw", "-z", "--no-renames", "--no-ext-diff", "--no-textconv",
                       "--ignore-submodules=none", f"{base_sha}...{head_sha}", "--"])
    if proc.returncode != 0:
        raise GitError(f"git diff {base}...{head} failed (git: {_stderr(proc)})", str(repo))
    return dict(sorted(_raw_statuses(proc.stdout).items()))


def gitlinks(repo: Path, revs: tuple[str, ...], paths: list[str]) -> set[str]:
    """Which of `paths` is a submodule's gitlink at one of the commits `revs` (a path git
    cannot tell about counts as none)."""
    found: set[str] = set()
    for rev in revs:
        for start in range(0, len(paths), 1000):
            proc = _run(repo, ["ls-tree", "-z", "--full-tree", rev, "--", *paths[start:start + 1000]])
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
    head = _run(repo, ["rev-parse", "--verify", "-q", "HEAD^{commit}"])
    if head.returncode == 0:
        proc = _run(repo, ["diff", "--raw", "-z", "--no-renames", "--ignore-submodules=none", "HEAD"])
        if proc.returncode != 0:
            raise GitError(f"git diff HEAD failed (git: {_stderr(proc)})", str(repo))
        result.update(_raw_statuses(proc.stdout))
    proc = _run(repo, ["ls-files", "-z", "--others", "--exclude-standard"])
    if proc.returncode != 0:
        raise GitError(f"git ls-files failed (git: {_stderr(proc)})", str(repo))
    for path in _split_z(proc.stdout):
        result[path] = "?"
    return dict(sorted(result.items()))


def tracked_files(repo: Path) -> list[str]:
    """The files git tracks in `repo` (its index, as `git ls-files`), sorted; a submodule's
    gitlink as the directory entry `path/`."""
    _check_repo(repo)
    proc = _run(repo, ["ls-files", "-z", "--cached", "--full-name", "--stage"])
    if proc.returncode != 0:
        raise GitError(f"git ls-files failed (git: {_stderr(proc)})", str(repo))
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
    proc = _run(repo, ["cat-file", "-t", spec])
    if proc.returncode != 0 or proc.stdout.strip() != b"blob":
        return None
    size = _run(repo, ["cat-file", "-s", spec])
    if size.returncode == 0 and int(size.stdout.strip() or b"0") > limits.MAX_BYTES:
        raise YamlError(f"file is larger than the {size_text(limits.MAX_BYTES)} limit (at {rev[:12]})", path)
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


# --------------------------------------------------------------------------- commit history
# (approval integrity: what happened between an approved commit and the head)


def is_ancestor(repo: Path, ancestor: str, descendant: str) -> bool:
    """True when commit `ancestor` is reachable from commit `descendant` (both full shas)."""
    proc = _run(repo, ["merge-base", "--is-ancestor", ancestor, descendant])
    if proc.returncode not in (0, 1):
        raise GitError(f"git merge-base --is-ancestor {ancestor[:12]} {descendant[:12]} failed "
                       f"(git: {_stderr(proc)})", str(repo))
    return proc.returncode == 0


def commits_between(repo: Path, head: str, exclude: list[str]) -> list[str]:
    """The full shas of the commits reachable from `head` and from none of `exclude`, oldest
    first (parents before children). All arguments are full shas."""
    proc = _run(repo, ["rev-list", "--reverse", "--topo-order", head, *(f"^{sha}" for sha in exclude), "--"])
    if proc.returncode != 0:
        raise GitError(f"git rev-list {head[:12]} failed (git: {_stderr(proc)})", str(repo))
    return proc.stdout.decode("ascii").split()


def commit_headers(repo: Path, shas: list[str]) -> dict[str, tuple[tuple[str, ...], str, str, str]]:
    """For each commit (full shas): its parents, its tree, and its author's and committer's
    e-mails as recorded (no mailmap)."""
    if not shas:
        return {}
    proc = _run(repo, ["log", "--no-walk=unsorted", "--no-show-signature", "--no-decorate", "--no-color",
                       "-z", "--format=%H%x1f%P%x1f%T%x1f%ae%x1f%ce", *shas, "--"])
    if proc.returncode != 0:
        raise GitError(f"git log of {len(shas)} commits failed (git: {_stderr(proc)})", str(repo))
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
    proc = _run(repo, args)
    if proc.returncode != 0:
        raise GitError(f"git diff of commit {sha[:12]} failed (git: {_stderr(proc)})", str(repo))
    return sorted(set(_split_z(proc.stdout)))


def merged_tree(repo: Path, ours: str, theirs: str) -> str | None:
    """The tree git's merge of commits `ours` and `theirs` gives (`git merge-tree
    --write-tree`, git 2.38+); None when they conflict or this git cannot say."""
    proc = _run(repo, ["merge-tree", "--write-tree", "--no-messages", ours, theirs])
    if proc.returncode != 0:
        return None
    first = proc.stdout.decode("ascii", "replace").split("\n", 1)[0].strip()
    return first or None
# --------------------------------------------------------------------------- history and notes
# (the change record and board: `changegate record`, `changegate board`, pir-overdue)

NOTES_REF = "refs/notes/changegate"
# The identity a note is written as when the repository configures none (a fresh CI runner).
_NOTES_IDENTITY = ("-c", "user.name=changegate record", "-c", "user.email=changegate@localhost")


def _run_input(repo: Path, args: list[str], data: bytes,
               extra: tuple[str, ...] = ()) -> subprocess.CompletedProcess[bytes]:
    """`_run` with `data` on standard input (`extra`: options before the subcommand)."""
    try:
        return subprocess.run([*_GIT, *extra, "-C", str(repo), *args], input=data, capture_output=True,
                              env=_env(), check=False)
    except OSError as exc:
        raise GitError(f"cannot run git: {exc.strerror or exc}", str(repo)) from exc


def commit_parents(repo: Path, rev: str) -> tuple[str, tuple[str, ...]]:
    """The full sha of commit `rev` and of its parents (first parent first)."""
    sha = resolve(repo, rev)
    proc = _run(repo, ["rev-list", "--parents", "-n", "1", sha, "--"])
    if proc.returncode != 0:
        raise GitError(f"cannot read the parents of {rev!r} (git: {_stderr(proc)})", str(repo))
    ids = proc.stdout.decode("ascii").split()
    return sha, tuple(ids[1:])


def commit_message(repo: Path, sha: str) -> str:
    """The full message of commit `sha` (UTF-8, undecodable bytes replaced)."""
    proc = _run(repo, ["log", "-1", "--format=%B", resolve(repo, sha), "--"])
    if proc.returncode != 0:
        raise GitError(f"cannot read the message of {sha[:12]} (git: {_stderr(proc)})", str(repo))
    return proc.stdout.decode("utf-8", "replace")


def has_ref(repo: Path, ref: str) -> bool:
    """True when `ref` (a full ref name) exists in `repo`."""
    proc = _run(repo, ["rev-parse", "--verify", "--quiet", "--end-of-options", ref])
    return proc.returncode == 0


def note(repo: Path, sha: str, ref: str = NOTES_REF) -> bytes | None:
    """The note on commit `sha` under `ref`, or None when it has none."""
    if not has_ref(repo, ref):
        return None
    proc = _run(repo, ["notes", "--ref", ref, "show", sha])
    return proc.stdout if proc.returncode == 0 else None


def add_note(repo: Path, sha: str, text: str, *, append: bool, ref: str = NOTES_REF) -> None:
    """Write `text` as the note on `sha` (`append`: after the note it has, a blank line between).
    Never `--force`: an existing note is never replaced."""
    ident = _run(repo, ["var", "GIT_COMMITTER_IDENT"])
    extra = () if ident.returncode == 0 else _NOTES_IDENTITY
    proc = _run_input(repo, ["notes", "--ref", ref, "append" if append else "add", "--file=-", sha],
                      text.encode("utf-8"), extra)
    if proc.returncode != 0:
        raise GitError(f"cannot write the note on {sha[:12]} under {ref} (git: {_stderr(proc)})", str(repo))


def cat_blobs(repo: Path, shas: list[str]) -> dict[str, bytes]:
    """The contents of the blobs `shas`, all in one `git cat-file --batch` process."""
    if not shas:
        return {}
    proc = _run_input(repo, ["cat-file", "--batch"], "".join(f"{s}\n" for s in shas).encode("ascii"))
    if proc.returncode != 0:
        raise GitError(f"git cat-file --batch failed (git: {_stderr(proc)})", str(repo))
    out, pos, found = proc.stdout, 0, {}
    for sha in shas:
        end = out.index(b"\n", pos)
        header = out[pos:end].split(b" ")
        pos = end + 1
        if len(header) != 3 or header[1] != b"blob":
            continue  # "<sha> missing", or not a blob: nothing to read
        size = int(header[2])
        found[sha] = out[pos:pos + size]
        pos += size + 1
    return found


def notes(repo: Path, ref: str = NOTES_REF) -> dict[str, bytes]:
    """Every note under `ref`: annotated commit sha -> note bytes (two git processes in all)."""
    if not has_ref(repo, ref):
        return {}
    proc = _run(repo, ["notes", "--ref", ref, "list"])
    if proc.returncode != 0:
        raise GitError(f"cannot list the notes under {ref} (git: {_stderr(proc)})", str(repo))
    pairs = [line.split() for line in proc.stdout.decode("ascii", "replace").splitlines() if line.strip()]
    blobs = cat_blobs(repo, [p[0] for p in pairs if len(p) == 2])
    return {commit: blobs[blob] for blob, commit in (p for p in pairs if len(p) == 2) if blob in blobs}


def history(repo: Path, rev: str) -> list[tuple[str, tuple[str, ...], int, str]]:
    """The commits reachable from `rev`, newest first: (sha, parents, committer time as a Unix
    timestamp, message), in one `git log` pass."""
    sha = resolve(repo, rev)
    proc = _run(repo, ["log", "-z", "--format=%H%x1f%P%x1f%ct%x1f%B", sha, "--"])
    if proc.returncode != 0:
        raise GitError(f"git log {rev} failed (git: {_stderr(proc)})", str(repo))
    commits = []
    for entry in proc.stdout.split(b"\x00"):
        fields = entry.split(b"\x1f", 3)
        if len(fields) != 4:
            continue
        commits.append((fields[0].decode("ascii"), tuple(fields[1].decode("ascii").split()),
                        int(fields[2] or 0), fields[3].decode("utf-8", "replace")))
    return commits


def tree_blobs(repo: Path, rev: str, path: str) -> dict[str, str]:
    """Every file under directory `path` at `rev` (recursively): repository path -> blob sha."""
    sha = resolve(repo, rev)
    proc = _run(repo, ["ls-tree", "-r", "-z", "--full-tree", sha, "--", path.strip("/") or "."])
    if proc.returncode != 0:
        raise GitError(f"cannot list {path!r} at {rev!r} (git: {_stderr(proc)})", str(repo))
    found: dict[str, str] = {}
    for entry in proc.stdout.split(b"\x00"):
        meta, _, name = entry.partition(b"\t")
        parts = meta.split(b" ")
        if len(parts) == 3 and parts[0] in (b"100644", b"100755") and parts[1] == b"blob":
            found[os.fsdecode(name)] = parts[2].decode("ascii")
    return found
