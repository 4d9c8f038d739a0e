"""The change records in git: notes under refs/notes/changegate, the default branch's
history (for reverts and merge times), and the manifests as they stand at its tip (a
`pir` marked done, a `fixes:` added later). Few git processes whatever the history's size:
one to list the notes, one `cat-file --batch` for their contents, one `git log`, one
`ls-tree`, one more `cat-file --batch` for the manifests edited after they were recorded."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field, replace
from pathlib import Path

from changegate import model as models
from changegate.errors import ChangegateError, GitError
from changegate.load import records as parse
from changegate.sources import git, notes


@dataclass(frozen=True)
class History:
    """What git holds about merged changes, as of the tip `rev`."""

    records: tuple[models.ChangeRecord, ...]
    commits: tuple[models.HistoryCommit, ...]  # the tip's history, newest first
    extra_fixes: tuple[str, ...] = ()  # `fixes:` of manifests at the tip that have no record
    problems: tuple[str, ...] = field(default_factory=tuple)  # notes or manifests not read, why


def read_history(root: Path, rev: str, changes_dir: str, *, with_commits: bool = True) -> History:
    """Every recorded change (its latest record), with `pir` and `fixes` as the manifests at
    `rev` have them now. `with_commits` False skips `git log` (no reverts, no merge times)."""
    recorded = notes.notes(root)
    commits = _commits(root, rev) if with_commits else ()
    times = {c.sha: c.committed_at for c in commits}
    problems: list[str] = []
    records: list[models.ChangeRecord] = []
    for commit in sorted(recorded):
        if not parse.is_sha(commit):
            continue
        try:
            record = parse.latest_record(commit, recorded[commit], times.get(commit))
        except parse.RecordProblem as exc:
            problems.append(f"the note on {commit[:12]} is not a usable change record: {exc}")
            continue
        records.append(record)
    current, extra, manifest_problems = _tip_manifests(root, rev, changes_dir, records)
    return History(tuple(current), commits, extra, (*problems, *manifest_problems))


def open_reviews(root: Path, rev: str, changes_dir: str) -> tuple[tuple[models.OpenReview, ...], tuple[str, ...]]:
    """Emergency changes whose review is not done (as the manifests at `rev` say), for
    `pir-overdue`. Nothing (and no error) when `root` is no git repository or has no records."""
    try:
        if not notes.has_ref(root, notes.NOTES_REF):
            return (), ()
        history = read_history(root, rev, changes_dir, with_commits=False)
        reviews = tuple(models.OpenReview(r.commit, r.title, r.file, r.touched, r.pir)
                        for r in history.records if r.type == "emergency" and r.pir is not None and not r.pir.done
                        and git.is_ancestor(root, r.commit, rev))  # merged before the change's base
    except GitError:
        return (), ()
    return reviews, history.problems


def _commits(root: Path, rev: str) -> tuple[models.HistoryCommit, ...]:
    return tuple(models.HistoryCommit(sha, parents, _dt.datetime.fromtimestamp(ts, _dt.UTC), message)
                 for sha, parents, ts, message in notes.history(root, rev))


def _tip_manifests(root: Path, rev: str, changes_dir: str, records: list[models.ChangeRecord]
                   ) -> tuple[list[models.ChangeRecord], tuple[str, ...], list[str]]:
    """Records with `pir`/`fixes` from the manifests at `rev` where those were edited after
    the record; and the `fixes` of manifests at `rev` that no record holds."""
    tip = notes.tree_blobs(root, rev, changes_dir)
    by_file = {r.file: r for r in records if r.file}
    known = {r.manifest_blob for r in records}
    wanted = {path: blob for path, blob in tip.items()
              if path.endswith((".yaml", ".yml")) and blob not in known}
    contents = notes.cat_blobs(root, sorted(set(wanted.values())))
    problems: list[str] = []
    edited: dict[str, tuple[models.Pir | None, tuple[str, ...]]] = {}
    extra: list[str] = []
    for path, blob in sorted(wanted.items()):
        try:
            pir, fixes = _pir_and_fixes(contents.get(blob, b""), path)
        except (ChangegateError, parse.RecordProblem) as exc:
            problems.append(f"{path} at {rev}: not read ({exc})")
            continue
        if path in by_file:
            edited[path] = (pir, fixes)
        else:
            extra.extend(fixes)
    current = [replace(r, pir=edited[r.file][0], fixes=edited[r.file][1]) if r.file in edited else r
               for r in records]
    return current, tuple(extra), problems


def _pir_and_fixes(data: bytes, path: str) -> tuple[models.Pir | None, tuple[str, ...]]:
    from changegate.load.manifest import load_manifest
    from changegate.load.parse import decode

    manifest = load_manifest(decode(data, path), path, None)
    fixes = manifest.data.get("fixes", ())
    return parse.pir_of(manifest.data.get("pir")), tuple(str(f) for f in fixes)
