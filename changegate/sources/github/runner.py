"""GitHub mode at the edges: gather the evidence of a workflow run (`prepare`) and report
a decision back to GitHub (`publish`). The core never sees GitHub; it sees a `GithubRun`.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from changegate import model as models
from changegate.report.escape import md
from changegate.report.github import comment as sticky
from changegate.report.github import explain, workflow
from changegate.sources.github import gitrepo, pulls, teams
from changegate.sources.github.api import DEFAULT_API_URL, ApiError, Client, GithubInputError
from changegate.sources.github.event import Event
from changegate.sources.github.event import load as load_event

TOKEN_VARIABLES = ("CHANGEGATE_TOKEN", "INPUT_TOKEN", "GITHUB_TOKEN")
SUMMARY_FILE = "changegate-summary.md"
OUTPUT_NAMES = ("decision", "risk", "value-streams", "summary-path")  # action.yml declares these


@dataclass(frozen=True)
class GithubRun:
    """Everything GitHub told us about the change under check."""

    repo_root: Path
    base_sha: str
    head_sha: str
    pr_number: int | None  # None on merge_group
    event_name: str  # pull_request | pull_request_target | pull_request_review | merge_group
    changed_files: tuple[str, ...]
    approvals: models.Approvals
    team_members: dict[str, frozenset[str]]  # team id -> live members; absent when refused
    notices: tuple[str, ...]
    draft: bool
    repository: str = ""  # owner/name


def _require(env: Mapping[str, str], name: str, why: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise GithubInputError(f"{name} is not set: {why}", "GitHub mode")
    return value


def client_from_env(env: Mapping[str, str]) -> Client:
    """A REST client from the workflow's environment (token, API URL, retry cap)."""
    token = next((env[name].strip() for name in TOKEN_VARIABLES if env.get(name, "").strip()), "")
    if not token:
        raise GithubInputError(
            "no GitHub token: set the action's `token` input (it defaults to github.token), "
            "or CHANGEGATE_TOKEN or GITHUB_TOKEN in the step's env",
            "GitHub mode",
        )
    max_sleep = 60.0
    raw = env.get("CHANGEGATE_API_MAX_SLEEP", "").strip()
    if raw:
        try:
            max_sleep = max(0.0, float(raw))
        except ValueError:
            raise GithubInputError(f"CHANGEGATE_API_MAX_SLEEP must be a number of seconds, not {raw!r}", "GitHub mode") from None
    return Client(token, env.get("GITHUB_API_URL", "").strip() or DEFAULT_API_URL, max_sleep=max_sleep)


def prepare(
    repo_root: Path, depmap_teams: Mapping[str, models.Team], env: Mapping[str, str] = os.environ
) -> GithubRun:
    """Read the event and ask the REST API for files, reviews, commit authors and team
    members. Raises `InputError` subclasses (exit 2) with a clear message."""
    event = load_event(env)
    client = client_from_env(env)
    notices: list[str] = []

    if event.pr_number is not None:
        changed = _pr_files(client, repo_root, event, notices)
        approvals = _approvals(client, event.repository, event.pr_number, event.author, event.head_sha, event.labels)
    else:
        changed = gitrepo.diff_names(repo_root, event.base_sha, event.head_sha)
        approvals = _queue_approvals(client, event, notices)

    members, team_notices = teams.members(client, depmap_teams)
    notices.extend(team_notices)
    return GithubRun(
        repo_root=repo_root,
        base_sha=event.base_sha,
        head_sha=event.head_sha,
        pr_number=event.pr_number,
        event_name=event.name,
        changed_files=tuple(dict.fromkeys(changed)),
        approvals=approvals,
        team_members=members,
        notices=tuple(notices),
        draft=event.draft,
        repository=event.repository,
    )


def _pr_files(client: Client, repo_root: Path, event: Event, notices: list[str]) -> tuple[str, ...]:
    """The PR's files from the API, or from `git diff` when the API cannot list them all."""
    assert event.pr_number is not None
    count = event.changed_files
    if count is None:
        count = pulls.pull(client, event.repository, event.pr_number).get("changed_files")
    if isinstance(count, int) and count > pulls.FILES_API_CAP:
        notices.append(
            f"this pull request changes {count} files, more than the {pulls.FILES_API_CAP} the GitHub API lists; "
            "changed files were taken from git diff of base...head instead"
        )
        return gitrepo.diff_names(repo_root, event.base_sha, event.head_sha)
    names, listed = pulls.files(client, event.repository, event.pr_number)
    if isinstance(count, int) and listed < count:
        notices.append(
            f"the GitHub API listed {listed} of this pull request's {count} files; "
            "changed files were taken from git diff of base...head instead"
        )
        return gitrepo.diff_names(repo_root, event.base_sha, event.head_sha)
    return tuple(names)


def _approvals(
    client: Client, repo: str, number: int, author: str | None, head_sha: str, labels: tuple[str, ...]
) -> models.Approvals:
    return models.Approvals(
        author=author,
        head_sha=head_sha,
        labels=labels,
        reviews=pulls.reviews(client, repo, number),
        committers=pulls.committers(client, repo, number),
        source=f"GitHub API: {repo}#{number}",
    )


def _queue_approvals(client: Client, event: Event, notices: list[str]) -> models.Approvals:
    """On merge_group: the approvals of the pull request the queue branch names, checked
    against that pull request's head commit."""
    if event.queued_pr is None:
        notices.append(
            "merge queue: the queue branch names no pull request, so no approvals were read; "
            "approval requirements stay missing"
        )
        return models.Approvals(source="merge_group")
    number = event.queued_pr
    data = pulls.pull(client, event.repository, number)
    author = (data.get("user") or {}).get("login")
    head = (data.get("head") or {}).get("sha")
    labels = tuple(
        label["name"] for label in data.get("labels") or () if isinstance(label, dict) and isinstance(label.get("name"), str)
    )
    notices.append(f"merge queue: approvals are those of pull request #{number}, on its head commit")
    return _approvals(
        client,
        event.repository,
        number,
        author.lower() if isinstance(author, str) else None,
        head if isinstance(head, str) else event.head_sha,
        labels,
    )


def base_file_reader(repo_root: Path, base_sha: str) -> Callable[[str], bytes | None]:
    """Read gate files as the base commit has them (`git show BASE:path`); None when
    the base has no such file."""
    return gitrepo.file_reader(repo_root, base_sha)


def base_file_lister(repo_root: Path, base_sha: str) -> Callable[[str], tuple[str, ...]]:
    """List the files under a directory in the base commit (for a map or policies
    directory); empty when the base has no such directory."""
    gitrepo.require_commit(repo_root, base_sha, "base")
    return lambda directory: gitrepo.list_files(repo_root, base_sha, directory)


# ---------------------------------------------------------------------------- publish


def with_notices(markdown: str, notices: tuple[str, ...]) -> str:
    """`markdown` with the run's notices appended as a note (nothing when there are none)."""
    if not notices:
        return markdown
    body = "\n".join(f"> - {md(n)}" for n in notices)
    return f"{markdown.rstrip()}\n\n> [!NOTE]\n> **How this check read GitHub**\n{body}\n"


def summary_url(env: Mapping[str, str]) -> str | None:
    """Link to this run's page, where the job summary is shown."""
    server, repo, run_id = (env.get(k, "").strip() for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID"))
    if not (server and repo and run_id.isdigit()):
        return None
    return f"{server.rstrip('/')}/{repo}/actions/runs/{run_id}"


def publish(
    decision: models.Decision,
    markdown: str,
    run: GithubRun,
    *,
    comment: bool,
    env: Mapping[str, str] = os.environ,
    stream: IO[str] = sys.stderr,
) -> None:
    """Report the decision: notices and annotations, an explanation group, the job
    summary, step outputs and the sticky comment. Only the comment may fail, and its
    failure is a notice, never an error."""
    # Notices the caller already turned into findings are reported once, as findings.
    reported = {finding.message for finding in decision.findings}
    notices = tuple(n for n in run.notices if n not in reported)
    for notice in notices:
        workflow.emit(stream, workflow.annotation("notice", notice, title="changegate"))
    for line in explain.annotation_lines(decision):
        workflow.emit(stream, line)
    workflow.emit(stream, workflow.group("changegate: why the decision is " + decision.decision, explain.explanation(decision)))

    full = sticky.with_marker(with_notices(markdown, notices))
    summary_path = _write_summary_file(full, env)
    if env.get("GITHUB_STEP_SUMMARY", "").strip():
        workflow.append_summary(env["GITHUB_STEP_SUMMARY"], full)
    if env.get("GITHUB_OUTPUT", "").strip():
        workflow.write_outputs(
            env["GITHUB_OUTPUT"],
            {
                "decision": decision.decision,
                "risk": decision.impact.risk.level,
                "value-streams": ",".join(v.id for v in decision.impact.value_streams),
                "summary-path": str(summary_path),
            },
        )
    if not comment:
        return
    if run.pr_number is None:
        workflow.emit(stream, "changegate: no pull request comment on a merge_group run (the summary is in the job summary)")
        return
    try:
        body = sticky.truncate(full, summary_url(env))
        result = sticky.upsert(client_from_env(env), run.repository or _require(env, "GITHUB_REPOSITORY", "needed for the comment"), run.pr_number, body)
    except (ApiError, GithubInputError) as err:
        workflow.emit(
            stream,
            workflow.annotation(
                "notice",
                f"the pull request comment was skipped: {err.message}. The decision stands and is in the job summary.",
                title="changegate",
            ),
        )
        return
    workflow.emit(stream, f"changegate: pull request comment {result}")


def _write_summary_file(markdown: str, env: Mapping[str, str]) -> Path:
    directory = Path(env.get("RUNNER_TEMP", "").strip() or tempfile.gettempdir())
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / SUMMARY_FILE
    path.write_text(markdown, encoding="utf-8")
    return path
