"""`changegate record`: after a merge, store the merged change's decision as a git note on
its merge commit (refs/notes/changegate), for the board and for `pir-overdue`.

Which change: the merge commit (default HEAD) with two parents is base = first parent,
head = second parent; a squash (or rebase) merge with one parent is base = parent, head =
the commit itself; `--base/--head` say it outright for other CI systems (the note then goes
on `--commit`, default the head). The gate is the base commit's, as it judged the pull request.

Append-only: a commit without a note gets one; a note whose latest record says the same
(its time aside) gets nothing (re-running is idempotent); a different decision is appended
as a new line (the latest counts, earlier ones stay); a note that is not changegate's is
never touched (exit 2). Pushing the notes ref is the workflow's job (docs/record-and-board.md).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from changegate import model as models
from changegate.commands.check import parse_now as check_now
from changegate.errors import InputError
from changegate.load import records as parse
from changegate.load.gate import find_root
from changegate.report.escape import terminal
from changegate.sources import git, notes

# GitHub's merge commit subject, and its squash-merge subject suffix.
_MERGE_PR = re.compile(r"^Merge pull request #([0-9]{1,9}) from ")
_SQUASH_PR = re.compile(r"\(#([0-9]{1,9})\)\s*$")


@dataclass(frozen=True)
class RecordOptions:
    """The options of `changegate record`."""

    config: str | None = None
    base: str | None = None
    head: str | None = None
    commit: str | None = None
    approvals: str | None = None
    junit: tuple[str, ...] = ()
    pr: int | None = None
    github: bool = False  # approvals of the pull request from the GitHub REST API
    now: str | None = None
    no_cache: bool = False
    root: Path = field(default_factory=lambda: find_root(Path.cwd()))


@dataclass(frozen=True)
class Merge:
    """The merged change: the commit the note goes on, and base/head of its diff."""

    commit: str
    base: str
    head: str


def record(options: RecordOptions) -> int:
    """Record the merged change; 0 when recorded or already recorded (exit 2 on bad input)."""
    now = parse_now(options.now)
    merge = find_merge(options.root, options)
    data = build_record(options, merge, now)
    outcome = write_note(options.root, merge.commit, data)
    title = terminal(data["change"]["title"] or f"{data['record']['subject']} (no manifest)")
    sys.stdout.write(f"changegate record: {outcome} {merge.commit[:12]}: {title} ({data['decision']}); "
                     f"push it with: git push origin {notes.NOTES_REF}\n")
    return 0


def parse_now(value: str | None) -> dt.datetime:
    """--now as check takes it (ISO 8601 with an offset), else the clock; whole seconds."""
    return check_now(value).replace(microsecond=0)


def find_merge(root: Path, options: RecordOptions) -> Merge:
    """The commit to record and the base/head of its change (see the module's docstring)."""
    if options.base:
        base = git.resolve(root, options.base)
        head = git.resolve(root, options.head or "HEAD")
        return Merge(git.resolve(root, options.commit) if options.commit else head, base, head)
    if options.head:
        raise InputError("--head needs --base (without them, the merge commit's parents say the change)",
                         "command line")
    sha, parents = notes.commit_parents(root, options.commit or "HEAD")
    if len(parents) == 2:
        return Merge(sha, parents[0], parents[1])
    if len(parents) == 1:
        return Merge(sha, parents[0], sha)
    what = "a root commit (no parent)" if not parents else f"an octopus merge ({len(parents)} parents)"
    raise InputError(f"{sha[:12]} is {what}: give the change with --base and --head", "command line")


def build_record(options: RecordOptions, merge: Merge, now: dt.datetime) -> dict[str, Any]:
    """The decision JSON of `check --format json` for the merged change, with `record` added."""
    from changegate.commands.check import decide
    from changegate.core.approvals import effective_approvers
    from changegate.report.json_report import to_dict
    from changegate.sources.github.base_gate import load_from_base
    from changegate.sources.local import DiffOptions, LocalSource, changes
    from changegate.sources.manifests import read_manifests

    root = options.root
    gate = load_from_base(root, merge.base, options.config, no_cache=options.no_cache)
    diff = DiffOptions(config=options.config, base=merge.base, head=merge.head, root=root, no_cache=options.no_cache)
    change = changes(diff, gate.config)
    manifests = read_manifests(root, change.manifest_candidates, merge.head, gate.depmap,
                               [p.id for p in gate.policies])
    subject = notes.commit_message(root, merge.commit).split("\n", 1)[0].strip()
    number = options.pr if options.pr is not None else pull_request(subject)
    source = LocalSource(diff, approvals=options.approvals, junit=options.junit,
                         manifests=change.manifest_candidates)
    evidence = source.evidence(gate, change)
    if options.github:
        evidence = dataclasses.replace(evidence, approvals=github_approvals(number))
    # Approvals are on the commit that was reviewed: a merge commit's second parent is it; a
    # squash commit is not, so the approvals' own head (the pull request's) is taken.
    reviewed = evidence.approvals.head_sha if merge.head == merge.commit and evidence.approvals.head_sha else None
    decision = decide(gate, change, manifests, evidence, now.astimezone(dt.UTC).date(), now,
                      reviewed_head=reviewed)
    approvers, _ = effective_approvers(evidence.approvals, allow_stale=gate.config.approvals.allow_stale,
                                       exclude_committers=gate.config.approvals.exclude_committers,
                                       head_sha=reviewed or merge.head)
    manifest = manifests[0] if manifests else None
    blob = notes.tree_blobs(root, merge.head, manifest.file).get(manifest.file) if manifest else None
    data = to_dict(decision)
    data["record"] = {
        "commit": merge.commit,
        "base": merge.base,
        "head": merge.head,
        "recorded_at": now.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "approvers": sorted(approvers),
        "subject": subject,
        "pull_request": number,
        "manifest_blob": blob,
        "pir": parse.pir_json(_pir(manifest)),
        "fixes": list(manifest.data.get("fixes", ())) if manifest else [],
    }
    return data


def github_approvals(number: int | None) -> models.Approvals:
    """The merged pull request's author, head, labels, reviews and committers from the GitHub
    REST API (GITHUB_REPOSITORY, a token in GITHUB_TOKEN or CHANGEGATE_TOKEN, GITHUB_API_URL)."""
    from changegate.sources.github import api, pulls
    from changegate.sources.github.event import label_names

    repository = os.environ.get("GITHUB_REPOSITORY", "")
    if number is None or not re.fullmatch(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+", repository):
        raise InputError("--github needs the pull request's number (--pr, or GitHub's merge subject) and "
                         "GITHUB_REPOSITORY (owner/name)", "command line")
    client = api.client_from_env(os.environ)
    pull = pulls.pull(client, repository, number)
    author = (pull.get("user") or {}).get("login")
    head = (pull.get("head") or {}).get("sha")
    return models.Approvals(author=author.lower() if isinstance(author, str) else None,
                            head_sha=head if isinstance(head, str) else None, labels=label_names(pull),
                            reviews=pulls.reviews(client, repository, number),
                            committers=pulls.committers(client, repository, number),
                            source=f"GitHub API: {repository}#{number}")


def _pir(manifest: models.Manifest | None) -> models.Pir | None:
    if manifest is None:
        return None
    try:
        return parse.pir_of(manifest.data.get("pir"))
    except parse.RecordProblem as exc:
        raise InputError(str(exc), manifest.file, manifest.line_of("pir")) from None


def pull_request(subject: str) -> int | None:
    """The pull request number GitHub wrote into a merge commit's subject, if any."""
    found = _MERGE_PR.match(subject) or _SQUASH_PR.search(subject)
    return int(found.group(1)) if found else None


def write_note(root: Path, commit: str, data: dict[str, Any]) -> str:
    """Add the record to the note on `commit`: "recorded", "appended to", or "already recorded"
    (the latest record says the same). A note that is not changegate's is refused."""
    line = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    existing = notes.note(root, commit)
    if existing is None:
        notes.add_note(root, commit, line + "\n", append=False)
        return "recorded"
    try:
        lines = parse.note_lines(existing)
        previous = [parse.parse_line(text) for text in lines]
    except parse.RecordProblem as exc:
        raise InputError(f"the note on {commit[:12]} under {notes.NOTES_REF} is not changegate's ({exc}); "
                         "it is left as it is and nothing was recorded", "command line") from None
    if previous and parse.same_record(previous[-1], data):
        return "already recorded"
    notes.add_note(root, commit, line + "\n", append=True)
    return "appended a new record to"
