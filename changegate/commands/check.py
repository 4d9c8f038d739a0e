"""`changegate check`: one pipeline, two sources.

Pick the source (the command line, or a GitHub workflow run) → load the gate → the change
and its evidence → the core decides → the reporters write → one exit code: 0 pass,
1 blocked (errors from a source or an input exit 2 through the CLI's handler).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from changegate import model as models
from changegate.commands.output import write_output
from changegate.errors import ChangegateError, InputError
from changegate.load.gate import GateFiles
from changegate.sources.change import Change, ChangeSource, SourceEvidence
from changegate.sources.local import DiffOptions, LocalSource
from changegate.sources.manifests import read_manifests

if TYPE_CHECKING:
    from changegate.sources.github.source import GithubSource


@dataclass(frozen=True)
class CheckOptions(DiffOptions):
    """The options of `changegate check`."""

    manifests: tuple[str, ...] = ()
    approvals: str | None = None
    junit: tuple[str, ...] = ()
    fmt: str = "text"
    output: str | None = None
    template: str | None = None
    fail_on: str = "error"
    github: bool | None = None  # None: on when GITHUB_ACTIONS=true
    comment: bool = True
    status_context: str | None = None  # GitHub mode: write the verdict as this commit status
    resolve_teams: bool = False  # ask GitHub for the members of teams with a github_team
    today: str | None = None
    now: str | None = None  # ISO 8601 with an offset: the instant freeze windows are judged at


def check(options: CheckOptions) -> int:
    """Gate the change; 0 when it passes, 1 when it is blocked."""
    github = options.github if options.github is not None else os.environ.get("GITHUB_ACTIONS") == "true"
    if github:
        from changegate.report.github import workflow
        from changegate.sources.github.rerun import Outdated
        from changegate.sources.github.source import GithubSource

        try:
            source = GithubSource(options.root, options.config, os.environ, junit=options.junit,
                                  no_cache=options.no_cache)
        except Outdated as moved_on:
            workflow.emit(sys.stderr, workflow.annotation("notice", str(moved_on), title="changegate"))
            return 0
        return _check_on_github(options, source)
    if options.status_context:
        raise InputError("--status-context writes a commit status in GitHub mode only (--github)", "command line")
    decision = gate_change(options, LocalSource(options, approvals=options.approvals, junit=options.junit,
                                                    manifests=options.manifests,
                                                    teams_env=os.environ if options.resolve_teams else None))
    write_output(render(options, decision), options.output)
    return exit_code(decision, options.fail_on)


def _check_on_github(options: CheckOptions, source: GithubSource) -> int:
    """Gate the change of this workflow run; with --status-context, the verdict goes to the
    head commit as a commit status: pending first, then the outcome (error when the gate
    could not decide, so a status from an earlier run can never stand)."""
    from changegate.report.github import publish, verdict

    status = None
    if options.status_context:
        status = verdict.Verdict(source.client, source.event.repository, source.event.head_sha,
                                 options.status_context, publish.summary_url(os.environ))
        status.post("pending", "checking the change")
    try:
        decision = gate_change(options, source)
        _report_to_github(options, source, decision)
    except ChangegateError as err:
        if status is not None:
            status.post("error", f"could not decide ({err.title}); see the run's log")
        raise
    code = exit_code(decision, options.fail_on)
    if status is not None:
        blocking = sum(1 for r in decision.requirements if r.status in ("missing", "failed") and
                       (r.severity == "error" or options.fail_on == "warning"))
        blocking += sum(1 for f in decision.findings if f.level == "error" or
                        (f.level == "warning" and options.fail_on == "warning"))
        status.post("success" if code == 0 else "failure",
                    verdict.description("pass" if code == 0 else "fail", 0 if code == 0 else max(blocking, 1)))
    return code


def gate_change(options: CheckOptions, source: ChangeSource) -> models.Decision:
    """Load the gate, get the change, its manifest and its evidence from `source`, and decide."""
    gate = source.load_gate()
    change = source.change(gate)
    manifests = read_manifests(options.root, options.manifests or change.manifest_candidates,
                               change.manifests_at, gate.depmap, [p.id for p in gate.policies])
    evidence = source.evidence(gate, change)
    reviews, problems = open_reviews(options.root, change, gate.config)
    found = dataclasses.replace(evidence, findings=(*evidence.findings, *problems))
    now = parse_now(options.now)
    today = _today(options.today) if options.today or options.now is None else now.astimezone(dt.UTC).date()
    return decide(gate, change, manifests, found, today, now, open_reviews=reviews)


def open_reviews(root: Path, change: Change, config: models.Config
                 ) -> tuple[tuple[models.OpenReview, ...], tuple[models.Finding, ...]]:
    """Emergency changes with a review not done, from the change records in git as of the
    change's base (else HEAD), for `pir-overdue`; a notice for each record not read."""
    from changegate.sources.records import open_reviews as read

    reviews, problems = read(root, change.base or "HEAD", config.changes)
    return reviews, tuple(models.Finding("notice", "record-unreadable", p) for p in problems)


def decide(gate: GateFiles, change: Change, manifests: Sequence[models.Manifest], found: SourceEvidence,
           today: dt.date, now: dt.datetime | None = None, *, open_reviews: tuple[models.OpenReview, ...] = (),
           reviewed_head: str | None = None) -> models.Decision:
    """Run the pure core on the change, its manifest and its evidence. `reviewed_head`: the
    commit approvals must be on, when it is not the change's head (a squash merge's record)."""
    from changegate.core import decide as core

    findings = list(found.findings)
    if len(manifests) > 1:
        names = ", ".join(m.file for m in manifests)
        findings.append(models.Finding(
            "error", "multiple-manifests",
            f"the change has {len(manifests)} manifests ({names}); one pull request is one change: "
            "keep one, or name it with --manifest", manifests[1].file, 1))
    approvals = found.approvals
    if reviewed_head:
        approvals = dataclasses.replace(approvals, head_sha=reviewed_head)
    elif change.head and approvals.head_sha != change.head:
        # The commit being gated is the head git resolved; approvals must be on it.
        if approvals.head_sha and not change.head.startswith(approvals.head_sha):
            findings.append(models.Finding(
                "warning", "approvals-head-mismatch",
                f"the approvals file names head {approvals.head_sha[:12]}, but the change's head is "
                f"{change.head[:12]}; approvals are checked against {change.head[:12]}",
                approvals.source))
        approvals = dataclasses.replace(approvals, head_sha=change.head)
    evidence = models.Evidence(changed_files=change.files, approvals=approvals, suites=found.suites,
                               team_members=found.team_members, today=today, base=change.base, head=change.head,
                               now=now, open_reviews=open_reviews)
    return core.decide(manifests[0] if manifests else None, gate.depmap, gate.adjacency, gate.policies, evidence,
                       gate.config, findings, path_index=gate.path_index)


def render(options: CheckOptions, decision: models.Decision) -> str:
    """The decision in the chosen format (markdown with the chosen template)."""
    from changegate import report

    return report.render(options.fmt, decision, template=Path(options.template) if options.template else None)


def _report_to_github(options: CheckOptions, source: GithubSource, decision: models.Decision) -> None:
    """The summary, annotations, outputs and comment; the chosen format only when asked for
    (a machine format, or --output), since the log carries the rest."""
    from changegate.report.github import publish

    summary = render(dataclasses.replace(options, fmt="markdown"), decision)
    if options.fmt != "text" or options.output:
        write_output(summary if options.fmt == "markdown" else render(options, decision), options.output)
    publish.publish(decision, summary, repository=source.event.repository, pull_request=source.event.pr_number,
                    comments=source.client if options.comment else None, comment_author=source.comment_author,
                    env=os.environ)


def exit_code(decision: models.Decision, fail_on: str) -> int:
    """0 pass, 1 blocked; with fail_on=warning, warnings block too."""
    if decision.decision == "fail":
        return 1
    if fail_on == "warning":
        if any(r.status in ("missing", "failed") for r in decision.requirements):
            return 1
        if any(f.level == "warning" for f in decision.findings):
            return 1
    return 0


def _today(value: str | None) -> dt.date:
    if value:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise InputError(f"--today: {value!r} is not a YYYY-MM-DD date", "command line") from None
    return dt.datetime.now(dt.UTC).date()


def parse_now(value: str | None) -> dt.datetime:
    """The instant freeze windows are judged at: `--now`, or the clock, read here at the
    edge and nowhere else."""
    return dt.datetime.now(dt.UTC) if value is None else parse_instant(value, "--now")


def parse_instant(value: str, option: str) -> dt.datetime:
    """An ISO 8601 date-time with an offset (or Z) given to `option`, in the years schedules
    are computed in (load/schedule.py); an input error otherwise."""
    try:
        parsed: dt.datetime | None = dt.datetime.fromisoformat(value)
    except ValueError:
        parsed = None
    if parsed is None or parsed.utcoffset() is None:
        raise InputError(f"{option}: {value!r} is not an ISO 8601 date-time with an offset "
                         "(e.g. 2026-11-30T10:00:00+01:00 or 2026-11-30T09:00:00Z)", "command line")
    if not 1900 <= parsed.year <= 9000:
        raise InputError(f"{option}: {value!r} is outside the years 1900–9000", "command line")
    return parsed
