"""GitHub mode's publisher: the decision reported back to the workflow run and the pull request.

Annotations and an explanation group in the log, the job summary, the step's outputs, the
summary as a file, and the sticky comment. Only the comment may fail, and its failure is a
notice, never an error.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO

from changegate import model as models
from changegate.errors import SourceError
from changegate.report.github import comment as sticky
from changegate.report.github import explain, workflow

SUMMARY_FILE = "changegate-summary.md"
OUTPUT_NAMES = ("decision", "risk", "value-streams", "summary-path")  # action.yml declares these


def summary_url(env: Mapping[str, str]) -> str | None:
    """Link to this run's page, where the job summary is shown."""
    server, repo, run_id = (env.get(k, "").strip() for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID"))
    if not (server and repo and run_id.isdigit()):
        return None
    return f"{server.rstrip('/')}/{repo}/actions/runs/{run_id}"


def publish(
    decision: models.Decision,
    markdown: str,
    *,
    repository: str,
    pull_request: int | None,
    comments: sticky.CommentApi | None,
    comment_author: Callable[[], str],
    env: Mapping[str, str] = os.environ,
    stream: IO[str] = sys.stderr,
) -> None:
    """Report the decision: annotations, an explanation group, the job summary, step outputs
    and the sticky comment on `repository`'s `pull_request` (none on a merge queue), made
    with `comments` (None: no comment) and edited only when `comment_author()` (the token's
    login) wrote it."""
    for line in explain.annotation_lines(decision):
        workflow.emit(stream, line)
    why = workflow.group("changegate: why the decision is " + decision.decision, explain.explanation(decision))
    workflow.emit(stream, why)

    full = sticky.with_marker(markdown)
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
    if comments is None:
        return
    if pull_request is None:
        workflow.emit(stream, "changegate: no pull request comment on a merge_group run "
                              "(the summary is in the job summary)")
        return
    try:
        result = sticky.upsert(comments, repository, pull_request, sticky.truncate(full, summary_url(env)),
                               comment_author())
    except SourceError as err:
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
    """The summary as a file of its own: created new (O_EXCL, mode 0600, `mkstemp`), so a
    file or symlink planted under that name is never written through. In the runner's
    RUNNER_TEMP it is then renamed to SUMMARY_FILE (a rename replaces a planted symlink
    itself, never its target); in a shared temporary directory it keeps its unique name."""
    runner_temp = env.get("RUNNER_TEMP", "").strip()
    directory = Path(runner_temp or tempfile.gettempdir())
    directory.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix="changegate-summary-", suffix=".md", dir=directory)
    with open(fd, "w", encoding="utf-8") as handle:
        handle.write(markdown)
    if not runner_temp:
        return Path(name)
    path = directory / SUMMARY_FILE
    os.replace(name, path)
    return path
