"""The local change source: the gate from the working tree; the change from --base/--head,
--changed-files or the working tree; approvals from --approvals; test results from JUnit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Self

from changegate import model as models
from changegate.errors import InputError
from changegate.load.gate import GateFiles, find_root, load_gate
from changegate.sources.change import Change, SourceEvidence


@dataclass(frozen=True)
class DiffOptions:
    """Where the change comes from: --base/--head, --changed-files, or the working tree."""

    config: str | None = None
    base: str | None = None
    head: str | None = None
    changed_files: str | None = None
    root: Path = field(default_factory=lambda: find_root(Path.cwd()))  # as git finds its top level
    no_cache: bool = False  # skip the compiled-map cache (see changegate.load.cache)

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> Self:
        """Options from click (repeatable options become tuples)."""
        values: dict[str, Any] = {k: (tuple(v) if isinstance(v, (list, tuple)) else v) for k, v in options.items()}
        return cls(**values)


class LocalSource:
    """The change as the command line describes it, in the repository at `options.root`."""

    def __init__(self, options: DiffOptions, *, approvals: str | None = None, junit: tuple[str, ...] = (),
                 with_policies: bool = True, manifests: tuple[str, ...] = (),
                 teams_env: Mapping[str, str] | None = None) -> None:
        self.options = options
        self.approvals = approvals
        self.junit = junit
        self.with_policies = with_policies
        self.manifests = manifests  # given with --manifest
        self.teams_env = teams_env  # given (--resolve-teams): ask GitHub for github_team members

    def load_gate(self) -> GateFiles:
        """Config, map and (unless not wanted) policies from the working tree."""
        return load_gate(self.options.root, self.options.config, with_policies=self.with_policies,
                         no_cache=self.options.no_cache)

    def change(self, gate: GateFiles) -> Change:
        """Changed files from git (--base/--head), a list file, or the working tree."""
        return changes(self.options, gate.config)

    def evidence(self, gate: GateFiles, change: Change) -> SourceEvidence:
        """The approvals file (none: no approvals) and the JUnit results of the config's and
        the command line's globs, and of the config's suite mapping."""
        from changegate.sources import approvals, junit

        found = approvals.load(Path(self.approvals)) if self.approvals else models.Approvals()
        found = with_history(self.options.root, change, found)
        suites = junit.load((*gate.config.junit, *self.junit), self.options.root, dict(gate.config.suites))
        unseen = () if self.manifests else uncommitted_manifests(self.options.root, gate.config, change)
        not_junit = tuple(models.Finding(
            "warning", "junit-not-a-report",
            f"--junit {name} is XML but not a JUnit report (its root element is not <testsuites> or "
            "<testsuite>): it supplies no suite", name) for name in junit.not_reports(self.junit, self.options.root))
        members, team_findings = resolve_teams(gate.depmap.teams, self.teams_env)
        unresolved = {tid: team for tid, team in gate.depmap.teams.items() if tid not in members}
        return SourceEvidence(found, suites, members,
                              findings=unseen + not_junit + team_findings + teams_without_members(unresolved))


def with_history(root: Path, change: Change, found: models.Approvals) -> models.Approvals:
    """`found` with the commit history behind its approvals on earlier commits, from git,
    when the change comes from git (--base/--head): its head is the one approvals are
    checked against (commands/check.py)."""
    from changegate.sources import history

    if change.base is None or change.head is None:
        return found
    return replace(found, history=history.gather(root, change.base, change.head, found))


def resolve_teams(teams: Mapping[str, models.Team], env: Mapping[str, str] | None
                  ) -> tuple[dict[str, frozenset[str]], tuple[models.Finding, ...]]:
    """Live members of the teams with a `github_team`, asked of the REST API with the token of
    `env` (None: not asked). A team GitHub refuses to show keeps its map members, with a
    notice; any other failure raises (fail closed)."""
    if env is None or not any(team.github_team for team in teams.values()):
        return {}, ()
    from changegate.sources.github import api
    from changegate.sources.github import teams as github_teams

    if not any(env.get(name, "").strip() for name in api.TOKEN_VARIABLES):
        raise InputError("--resolve-teams needs a GitHub token: set GITHUB_TOKEN (or CHANGEGATE_TOKEN) "
                         "to a token that can read the organization's teams (read:org)", "command line")
    members, notices = github_teams.members(api.client_from_env(env), teams)
    return members, tuple(models.Finding("notice", "github", n) for n in notices)


def teams_without_members(teams: Mapping[str, models.Team]) -> tuple[models.Finding, ...]:
    """One notice naming the teams that have a `github_team` but no `members`: outside the
    GitHub Action nobody is in them, so no approval they own can count."""
    names = sorted(tid for tid, team in teams.items() if team.github_team and not team.members)
    if not names:
        return ()
    return (models.Finding(
        "notice", "team-members-unknown",
        f"team{'s' if len(names) > 1 else ''} {', '.join(names)} "
        f"{'have' if len(names) > 1 else 'has'} no members, only a github_team, which only the GitHub Action "
        "reads: on the command line no approval they own can count; list their logins under `members` "
        "in the map, give --resolve-teams with a GITHUB_TOKEN, or run the check in the Action"),)


def uncommitted_manifests(root: Path, config: models.Config, change: Change) -> tuple[models.Finding, ...]:
    """When a change from git has no manifest: a warning for each manifest the working tree
    has but no commit of the change does (written by `changegate new`, not yet committed)."""
    from changegate.sources import git

    if change.base is None or change.manifest_candidates:
        return ()
    pending = _manifests(git.working_tree_changes(root), ("A", "M", "?"), config)
    return tuple(models.Finding(
        "warning", "uncommitted-manifest",
        f"no manifest is part of the change, but {path} is not committed: commit it with the change"
        + (" (with --head, manifests are read from that commit)" if change.manifests_at
           else f", or name it with --manifest {path}"), path) for path in pending)


def changes(options: DiffOptions, config: models.Config) -> Change:
    """Changed files from git, a list file, or the working tree. Manifests are read from
    git at the head only when --head names it, else from the working tree."""
    from changegate.sources import changed_files as changed_files_file
    from changegate.sources import git

    root = options.root
    if options.changed_files and (options.base or options.head):
        raise InputError("give either --base/--head or --changed-files, not both", "command line")
    limit = config.limits.changed_files
    if options.changed_files:
        files = changed_files_file.mark_directories(
            changed_files_file.load(options.changed_files, limit=limit), root)
        candidates = tuple(f for f in files if config.is_manifest_path(f) and (root / f).is_file())
        return Change(files, candidates, None, None)
    if options.base:
        base_sha = git.resolve(root, options.base)
        head_sha = git.resolve(root, options.head or "HEAD")
        statuses = git.changed_files_with_status(root, base_sha, head_sha)
        changed_files_file.checked(statuses, f"git diff {options.base}...{options.head or 'HEAD'}", limit)
        return Change(tuple(statuses), _manifests(statuses, ("A", "M"), config), base_sha, head_sha,
                      manifests_at=head_sha if options.head else None)
    if options.head:
        raise InputError("--head needs --base", "command line")
    statuses = git.working_tree_changes(root)
    changed_files_file.checked(statuses, "the working tree (git status)", limit)
    return Change(tuple(statuses), _manifests(statuses, ("A", "M", "?"), config), None, None)


def _manifests(statuses: Mapping[str, str], wanted: tuple[str, ...], config: models.Config) -> tuple[str, ...]:
    """The manifests among the changed paths whose status is one of `wanted`."""
    return tuple(p for p, st in statuses.items() if st in wanted and config.is_manifest_path(p))
