"""The change record's git plumbing (`changegate record`, `changegate board`, pir-overdue):
notes under refs/notes/changegate, commit parents and messages, history, blobs in bulk. Every
call goes through `git.run`, the one hardened git runner."""

from __future__ import annotations

import os
from pathlib import Path

from changegate.errors import GitError
from changegate.sources import git

NOTES_REF = "refs/notes/changegate"
# The identity a note is written as when the repository configures none (a fresh CI runner).
_NOTES_IDENTITY = ("-c", "user.name=changegate record", "-c", "user.email=changegate@localhost")


def commit_parents(repo: Path, rev: str) -> tuple[str, tuple[str, ...]]:
    """The full sha of commit `rev` and of its parents (first parent first)."""
    sha = git.resolve(repo, rev)
    proc = git.run(repo, ["rev-list", "--parents", "-n", "1", sha, "--"])
    if proc.returncode != 0:
        raise GitError(f"cannot read the parents of {rev!r} (git: {git.stderr_text(proc)})", str(repo))
    ids = proc.stdout.decode("ascii").split()
    return sha, tuple(ids[1:])


def commit_message(repo: Path, sha: str) -> str:
    """The full message of commit `sha` (UTF-8, undecodable bytes replaced)."""
    proc = git.run(repo, ["log", "-1", "--format=%B", git.resolve(repo, sha), "--"])
    if proc.returncode != 0:
        raise GitError(f"cannot read the message of {sha[:12]} (git: {git.stderr_text(proc)})", str(repo))
    return proc.stdout.decode("utf-8", "replace")


def has_ref(repo: Path, ref: str) -> bool:
    """True when `ref` (a full ref name) exists in `repo`."""
    proc = git.run(repo, ["rev-parse", "--verify", "--quiet", "--end-of-options", ref])
    return proc.returncode == 0


def note(repo: Path, sha: str, ref: str = NOTES_REF) -> bytes | None:
    """The note on commit `sha` under `ref`, or None when it has none."""
    if not has_ref(repo, ref):
        return None
    proc = git.run(repo, ["notes", "--ref", ref, "show", sha])
    return proc.stdout if proc.returncode == 0 else None


def add_note(repo: Path, sha: str, text: str, *, append: bool, ref: str = NOTES_REF) -> None:
    """Write `text` as the note on `sha` (`append`: after the note it has, a blank line between).
    Never `--force`: an existing note is never replaced."""
    ident = git.run(repo, ["var", "GIT_COMMITTER_IDENT"])
    extra = () if ident.returncode == 0 else _NOTES_IDENTITY
    proc = git.run(repo, ["notes", "--ref", ref, "append" if append else "add", "--file=-", sha],
                   text.encode("utf-8"), extra)
    if proc.returncode != 0:
        raise GitError(f"cannot write the note on {sha[:12]} under {ref} (git: {git.stderr_text(proc)})", str(repo))


def cat_blobs(repo: Path, shas: list[str]) -> dict[str, bytes]:
    """The contents of the blobs `shas`, all in one `git cat-file --batch` process."""
    if not shas:
        return {}
    proc = git.run(repo, ["cat-file", "--batch"], "".join(f"{s}\n" for s in shas).encode("ascii"))
    if proc.returncode != 0:
        raise GitError(f"git cat-file --batch failed (git: {git.stderr_text(proc)})", str(repo))
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
    proc = git.run(repo, ["notes", "--ref", ref, "list"])
    if proc.returncode != 0:
        raise GitError(f"cannot list the notes under {ref} (git: {git.stderr_text(proc)})", str(repo))
    pairs = [line.split() for line in proc.stdout.decode("ascii", "replace").splitlines() if line.strip()]
    blobs = cat_blobs(repo, [p[0] for p in pairs if len(p) == 2])
    return {commit: blobs[blob] for blob, commit in (p for p in pairs if len(p) == 2) if blob in blobs}


def history(repo: Path, rev: str) -> list[tuple[str, tuple[str, ...], int, str]]:
    """The commits reachable from `rev`, newest first: (sha, parents, committer time as a Unix
    timestamp, message), in one `git log` pass."""
    sha = git.resolve(repo, rev)
    proc = git.run(repo, ["log", "-z", "--format=%H%x1f%P%x1f%ct%x1f%B", sha, "--"])
    if proc.returncode != 0:
        raise GitError(f"git log {rev} failed (git: {git.stderr_text(proc)})", str(repo))
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
    sha = git.resolve(repo, rev)
    proc = git.run(repo, ["ls-tree", "-r", "-z", "--full-tree", sha, "--", path.strip("/") or "."])
    if proc.returncode != 0:
        raise GitError(f"cannot list {path!r} at {rev!r} (git: {git.stderr_text(proc)})", str(repo))
    found: dict[str, str] = {}
    for entry in proc.stdout.split(b"\x00"):
        meta, _, name = entry.partition(b"\t")
        parts = meta.split(b" ")
        if len(parts) == 3 and parts[0] in (b"100644", b"100755") and parts[1] == b"blob":
            found[os.fsdecode(name)] = parts[2].decode("ascii")
    return found
