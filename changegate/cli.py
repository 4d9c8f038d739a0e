"""The command line: click options are copied into a command's options and handed to the
command in `changegate.commands`; errors become exit codes. Nothing else happens here.

Only click and the format registry (`changegate.report`, a few dicts) are imported at
start-up, so `--help` and `--version` stay fast; everything else loads inside the command
that needs it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from changegate import __version__
from changegate.report import COVERAGE_FORMATS, DECISION_FORMATS, IMPACT_FORMATS, OWNERS_FORMATS, SCHEDULE_FORMATS


class _Group(click.Group):
    """Exit 2 for an error the user can act on (bad input, a failing source), 3 for anything
    unexpected, 130 on Ctrl-C."""

    def invoke(self, ctx: click.Context) -> Any:
        from changegate.errors import ChangegateError

        try:
            return super().invoke(ctx)
        except ChangegateError as exc:
            from changegate.commands import failures

            click.echo(failures.describe(exc, github_actions=os.environ.get("GITHUB_ACTIONS") == "true"),
                       err=True, nl=False)
            ctx.exit(2)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("changegate: interrupted", err=True)
            ctx.exit(130)
        except Exception as exc:  # fail closed, never a traceback unless asked
            if ctx.obj and ctx.obj.get("debug"):
                raise
            from changegate.commands import failures

            click.echo(failures.internal(exc), err=True, nl=False)
            ctx.exit(3)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="changegate")
@click.option("--debug", is_flag=True, help="Show a traceback for internal errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """changegate: which value streams does this change reach, and have the right owners,
    tests and approvals signed off?

    Exit codes: 0 pass, 1 blocked by policy, 2 invalid input or configuration, or a
    source that failed (the GitHub API), 3 internal error.
    """
    ctx.obj = {"debug": debug}


def _diff_options(f: Any) -> Any:
    f = click.option("--changed-files", "changed_files", metavar="FILE",
                     help="File listing changed paths, one a line ('-' for stdin). "
                          "Instead of --base/--head.")(f)
    f = click.option("--head", metavar="REF", help="Head revision of the change (default with --base: HEAD).")(f)
    f = click.option("--base", metavar="REF",
                     help="Base revision: changed files are `git diff BASE...HEAD`. Without --base "
                          "and --changed-files, the uncommitted changes (working tree vs HEAD, "
                          "untracked files included) are the change.")(f)
    f = click.option("--config", "config", metavar="FILE",
                     help="Config file (default .changegate/config.yaml; every key has a default).")(f)
    f = click.option("--no-cache", "no_cache", is_flag=True,
                     help="Do not read or write the compiled-map cache (also CHANGEGATE_NO_CACHE=1).")(f)
    return f


@cli.command()
@_diff_options
@click.option("--manifest", "manifests", multiple=True, metavar="FILE",
              help="The change manifest to evaluate (default: the manifests the change adds or edits "
                   "under the config's `changes` directory).")
@click.option("--approvals", metavar="FILE", help="Approvals JSON (author, head_sha, labels, reviews).")
@click.option("--junit", multiple=True, metavar="GLOB",
              help="JUnit XML files, a glob (repeatable; added to the config's evidence.junit).")
@click.option("--format", "fmt", type=click.Choice(list(DECISION_FORMATS)), default="text", show_default=True,
              help="Output format.")
@click.option("--output", "-o", metavar="FILE", help="Write the output to FILE instead of stdout.")
@click.option("--template", metavar="FILE", help="Jinja2 template for --format markdown.")
@click.option("--fail-on", type=click.Choice(("error", "warning")), default="error", show_default=True,
              help="`warning`: warning-severity requirements and warning findings block too.")
@click.option("--github/--no-github", "github", default=None,
              help="GitHub Action mode (default: on when GITHUB_ACTIONS=true): event, REST API, "
                   "gate files from the base commit, annotations, summary, sticky comment.")
@click.option("--comment/--no-comment", default=True, show_default=True,
              help="In GitHub mode, create or update the sticky pull-request comment.")
@click.option("--status-context", "status_context", metavar="NAME",
              help="In GitHub mode, write the verdict as commit status NAME on the head commit "
                   "(pending, then success, failure or error): the check branch protection requires "
                   "in the trusted setup. Needs statuses: write.")
@click.option("--resolve-teams", is_flag=True, envvar="CHANGEGATE_RESOLVE_TEAMS",
              help="Outside GitHub mode, ask the GitHub REST API (GITHUB_TOKEN, GITHUB_API_URL) for the "
                   "members of the map's teams that have a github_team (also CHANGEGATE_RESOLVE_TEAMS=1).")
@click.option("--today", metavar="YYYY-MM-DD",
              help="Judge waiver expiry as of this date instead of today (UTC), to reproduce an "
                   "earlier decision.")
@click.option("--now", metavar="ISO8601",
              help="Judge freeze windows (match.during) at this instant, an ISO 8601 date-time with an "
                   "offset (e.g. 2026-11-30T10:00:00+01:00), instead of the current time.")
def check(**options: Any) -> None:
    """Gate a change: impact, policies, evidence -> pass (0) or blocked (1)."""
    from changegate.commands import check as command

    sys.exit(command.check(command.CheckOptions.from_options(options)))


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--config", "config", metavar="FILE", help="Config file (default .changegate/config.yaml).")
def validate(paths: tuple[Path, ...], config: str | None) -> None:
    """Validate config, map, policies and manifests (all of them, or PATHs); exit 0 or 2."""
    from changegate.commands.validate import run

    sys.exit(run(list(paths), config))


@cli.command()
@_diff_options
@click.option("--manifest", "manifests", multiple=True, metavar="FILE",
              help="Manifest whose interfaces_changed/breaking to take into account.")
@click.option("--format", "fmt", type=click.Choice(list(IMPACT_FORMATS)), default="text", show_default=True,
              help="Output format.")
@click.option("--output", "-o", metavar="FILE", help="Write the output to FILE instead of stdout.")
def impact(**options: Any) -> None:
    """Show what a change reaches: touched and impacted components, value streams, risk."""
    from changegate.commands import impact as command

    sys.exit(command.impact(command.ImpactOptions.from_options(options)))


@cli.command()
@_diff_options
@click.option("--title", help="The change's title (default: from the branch name).")
@click.option("--type", "change_type", type=click.Choice(("standard", "normal", "emergency")),
              default="normal", show_default=True, help="ITIL change type.")
@click.option("--output", "-o", metavar="FILE",
              help="Where to write the manifest (default: <changes>/<slug of title>.yaml; '-' for stdout).")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def new(**options: Any) -> None:
    """Scaffold a manifest for the current diff, pre-filled from the map."""
    from changegate.commands import new as command

    sys.exit(command.new(command.NewOptions.from_options(options)))


@cli.command()
@click.option("--directory", "-C", "directory", type=click.Path(path_type=Path), default=None,
              help="Repository root to write .changegate/ into (default: the repository's top level).")
@click.option("--force", is_flag=True, help="Overwrite existing starter files.")
def init(directory: Path | None, force: bool) -> None:
    """Write a starter .changegate/ (config, a small map, a policy, a changes folder)."""
    from changegate.commands import init as command

    sys.exit(command.init(directory, force))


@cli.command()
@click.argument("paths", nargs=-1)
@click.option("--changed-files", "changed_files", metavar="FILE",
              help="File listing paths, one a line ('-' for stdin); added to the PATHs.")
@click.option("--format", "fmt", type=click.Choice(list(OWNERS_FORMATS)), default="text", show_default=True,
              help="Output format.")
@click.option("--config", "config", metavar="FILE", help="Config file (default .changegate/config.yaml).")
def owners(paths: tuple[str, ...], changed_files: str | None, fmt: str, config: str | None) -> None:
    """Show which components, owner teams and GitHub identities claim each path, and which
    pattern on which map line did."""
    from changegate.commands import owners as command

    sys.exit(command.owners(command.OwnersOptions(paths, changed_files, fmt, config)))


@cli.command()
@click.option("--from", "start", metavar="DATE",
              help="Start of the span: YYYY-MM-DD (00:00 UTC) or an ISO 8601 date-time with an offset "
                   "(default: now).")
@click.option("--days", type=int, default=30, show_default=True, help="Length of the span in days (1-366).")
@click.option("--format", "fmt", type=click.Choice(list(SCHEDULE_FORMATS)), default="text", show_default=True,
              help="Output format.")
@click.option("--config", "config", metavar="FILE", help="Config file (default .changegate/config.yaml).")
def schedule(start: str | None, days: int, fmt: str, config: str | None) -> None:
    """List the freeze windows (policies with match.during) of the coming days per value stream."""
    from changegate.commands import schedule as command

    sys.exit(command.schedule(command.ScheduleOptions(start, days, fmt, config)))


@cli.command()
@click.option("--base", metavar="REF", help="Base of the merged change (with --head; default: the merge commit's "
                                            "first parent, or a squash commit's parent).")
@click.option("--head", metavar="REF", help="Head of the merged change (with --base; default: the merge commit's "
                                            "second parent, or the squash commit itself).")
@click.option("--commit", metavar="REF", help="The commit the note goes on (default: HEAD; with --base/--head, "
                                              "the head).")
@click.option("--config", "config", metavar="FILE", help="Config file (default .changegate/config.yaml), "
                                                         "read at the base commit.")
@click.option("--approvals", metavar="FILE", help="Approvals JSON of the merged pull request (as for check).")
@click.option("--junit", multiple=True, metavar="GLOB", help="JUnit XML files, a glob (repeatable).")
@click.option("--pr", type=click.IntRange(1, 999_999_999), metavar="NUMBER",
              help="The pull request's number (default: from GitHub's merge or squash commit subject).")
@click.option("--github", is_flag=True,
              help="Read the pull request's approvals from the GitHub REST API (GITHUB_REPOSITORY, "
                   "GITHUB_TOKEN, GITHUB_API_URL) instead of --approvals.")
@click.option("--now", metavar="TIME", help="The record's time, ISO 8601 (default: now, UTC); its date judges "
                                            "waiver expiry.")
@click.option("--no-cache", "no_cache", is_flag=True, help="Do not read or write the compiled-map cache.")
def record(**options: Any) -> None:
    """After a merge: store the merged change's decision as a git note on its merge commit
    (refs/notes/changegate). Append-only; re-running is idempotent."""
    from changegate.commands import record as command

    values: dict[str, Any] = {k: (tuple(v) if isinstance(v, (list, tuple)) else v) for k, v in options.items()}
    sys.exit(command.record(command.RecordOptions(**values)))


@cli.command()
@click.option("--output", "-o", metavar="DIR", required=True, help="Directory to write the site into "
                                                                  "(created; its index.html and style.css replaced).")
@click.option("--since", metavar="YYYY-MM-DD", help="Only changes merged on or after this date (default: 12 "
                                                    "weeks before --today).")
@click.option("--today", metavar="YYYY-MM-DD", help="The date reviews are overdue against and weeks end on "
                                                    "(default: today, UTC).")
@click.option("--ref", metavar="REF", default="HEAD", show_default=True,
              help="The default branch's tip: its history (reverts) and manifests (pir, fixes).")
@click.option("--repository", metavar="OWNER/NAME", envvar="GITHUB_REPOSITORY",
              help="GitHub repository for pull-request links (default: GITHUB_REPOSITORY).")
@click.option("--config", "config", metavar="FILE", help="Config file (default .changegate/config.yaml).")
def board(**options: Any) -> None:
    """Build the change board: a static site (HTML + CSS, no JavaScript) from the change
    records and the manifests in git history."""
    from changegate.commands import board as command

    sys.exit(command.board(command.BoardOptions(**options)))


@cli.group(name="map")
def map_group() -> None:
    """Work on the dependency map: import it from what a team already has, measure its coverage."""


@map_group.command()
@click.option("--format", "fmt", type=click.Choice(list(COVERAGE_FORMATS)), default="text", show_default=True,
              help="Output format.")
@click.option("--strict", is_flag=True, help="Exit 1 when any finding list is non-empty.")
@click.option("--config", "config", metavar="FILE", help="Config file (default .changegate/config.yaml).")
def coverage(fmt: str, strict: bool, config: str | None) -> None:
    """List what the map leaves uncovered: unclaimed tracked files, components claiming no
    file, teams without identity, unserved value streams, unprovided or unconsumed interfaces."""
    from changegate.commands import coverage as command

    sys.exit(command.coverage(command.CoverageOptions(fmt, strict, config)))


@map_group.group("import")
def map_import() -> None:
    """Import a map from another source of ownership."""


@map_import.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--output", "-o", metavar="FILE", help="Write the map to FILE instead of stdout.")
def backstage(paths: tuple[str, ...], output: str | None) -> None:
    """Backstage catalog entity files, or directories of them, as a map file."""
    from changegate.commands.map_import import import_backstage

    sys.exit(import_backstage(list(paths), output))


@map_import.command()
@click.argument("file", required=False, type=click.Path(path_type=str))
@click.option("--output", "-o", metavar="FILE", help="Write the map to FILE instead of stdout.")
def codeowners(file: str | None, output: str | None) -> None:
    """A CODEOWNERS file (default: .github/CODEOWNERS, CODEOWNERS, docs/CODEOWNERS) as a map file."""
    from changegate.commands.map_import import import_codeowners

    sys.exit(import_codeowners(file, output))


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="changegate")


if __name__ == "__main__":  # pragma: no cover
    main()
