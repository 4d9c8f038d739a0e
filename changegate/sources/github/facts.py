"""What GitHub says about the change under check: its files, its approvals, the live members
of the map's teams, and notices on how they were read. The core never sees GitHub; it sees
these facts as evidence."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from changegate import model as models
from changegate.errors import GitError
from changegate.sources import git, history
from changegate.sources.github import pulls, teams
from changegate.sources.github.api import Client
from changegate.sources.github.event import Event, label_names

FETCH_HINT = "check out with actions/checkout and fetch-depth: 0 so both commits are present"


@dataclass(frozen=True)
class GithubFacts:
    """Everything GitHub told us about the change under check."""

    changed_files: tuple[str, ...]
    approvals: models.Approvals
    team_members: dict[str, frozenset[str]]  # team id -> live members; absent when refused
    notices: tuple[str, ...]


def gather(root: Path, event: Event, client: Client, depmap_teams: Mapping[str, models.Team]) -> GithubFacts:
    """Ask the REST API (and git, past the API's file cap) for the change's files, reviews,
    commit authors and team members. Raises `ApiError` or `GitError` with a clear message."""
    notices: list[str] = []
    if event.pr_number is not None:
        changed = _pr_files(client, root, event, notices)
        approvals = _approvals(client, event.repository, event.pr_number, event.author, event.head_sha, event.labels,
                               root, event.base_sha)
    else:
        changed = diff_names(root, event.base_sha, event.head_sha)
        approvals = _queue_approvals(client, root, event, notices)
    members, team_notices = teams.members(client, depmap_teams)
    notices.extend(team_notices)
    return GithubFacts(tuple(dict.fromkeys(changed)), approvals, members, tuple(notices))


def diff_names(root: Path, base: str, head: str) -> tuple[str, ...]:
    """Every path changed in `base...head`, from git; a clear error when a shallow checkout
    lacks the commits."""
    for role, sha in (("base", base), ("head", head)):
        if not git.commit_exists(root, sha):
            raise GitError(f"the {role} commit {sha} is not in the repository; {FETCH_HINT}", str(root))
    try:
        return tuple(git.changed_files_with_status(root, base, head))
    except GitError as err:
        raise GitError(f"{err.message}; {FETCH_HINT}", err.file) from None


def _pr_files(client: Client, root: Path, event: Event, notices: list[str]) -> tuple[str, ...]:
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
        return diff_names(root, event.base_sha, event.head_sha)
    names, listed = pulls.files(client, event.repository, event.pr_number)
    if isinstance(count, int) and listed < count:
        notices.append(
            f"the GitHub API listed {listed} of this pull request's {count} files; "
            "changed files were taken from git diff of base...head instead"
        )
        return diff_names(root, event.base_sha, event.head_sha)
    return tuple(names)


def _approvals(
    client: Client, repo: str, number: int, author: str | None, head_sha: str, labels: tuple[str, ...],
    root: Path, base_sha: str,
) -> models.Approvals:
    commits = pulls.commits(client, repo, number)
    found = models.Approvals(
        author=author,
        head_sha=head_sha,
        labels=labels,
        reviews=pulls.reviews(client, repo, number),
        committers=pulls.committers_of(commits),
        source=f"GitHub API: {repo}#{number}",
    )
    return _with_history(root, base_sha, found, pulls.commit_people(commits))


def _with_history(root: Path, base: str, approvals: models.Approvals,
                  people: dict[str, tuple[tuple[str, ...], bool]]) -> models.Approvals:
    """`approvals` with the commit history behind approvals on earlier commits, from the
    checkout's git, with the API's logins and signature verification of each commit."""
    head = approvals.head_sha
    if not head or not git.commit_exists(root, head):
        return approvals
    return replace(approvals, history=history.gather(root, base, head, approvals, people))


def _queue_approvals(client: Client, root: Path, event: Event, notices: list[str]) -> models.Approvals:
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
    labels = label_names(data)
    notices.append(f"merge queue: approvals are those of pull request #{number}, on its head commit")
    return _approvals(
        client,
        event.repository,
        number,
        author.lower() if isinstance(author, str) else None,
        head if isinstance(head, str) else event.head_sha,
        labels,
        root,
        event.base_sha,
    )
