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
from changegate.sources.github import pulls, refusals, teams
from changegate.sources.github.api import ApiError, Client
from changegate.sources.github.event import Event, count, label_names

MAX_COMMIT_LOOKUPS = 1000  # commits past the API's 250 whose authors are asked for one by one
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
        pr = _Pull(event.repository, event.pr_number, event.author, event.base_sha, event.head_sha, event.labels,
                   event.commits)
        approvals = _approvals(client, root, pr, notices, event.base_sha)
    else:
        changed = diff_names(root, event.base_sha, event.head_sha)
        approvals = _queue_approvals(client, root, event, notices)
    members, team_notices = teams.members(client, depmap_teams)
    notices.extend(team_notices)
    # Sorted, so that the same facts give the same bytes whatever order the API lists them in.
    return GithubFacts(tuple(sorted(set(changed))), approvals, members, tuple(notices))


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
    if (isinstance(count, int) and listed < count) or listed >= pulls.FILES_API_CAP:
        of = f"of this pull request's {count}" if isinstance(count, int) else "(its cap) of this pull request's"
        notices.append(
            f"the GitHub API listed {listed} {of} files; "
            "changed files were taken from git diff of base...head instead"
        )
        return diff_names(root, event.base_sha, event.head_sha)
    return tuple(names)


@dataclass(frozen=True)
class _Pull:
    """The pull request whose approvals are read."""

    repo: str
    number: int
    author: str | None
    base_sha: str
    head_sha: str
    labels: tuple[str, ...]
    commits: int | None  # how many commits GitHub says it has, when known


def _approvals(client: Client, root: Path, pr: _Pull, notices: list[str], history_base: str) -> models.Approvals:
    people = _commit_people(client, root, pr, notices)
    found = models.Approvals(
        author=pr.author,
        head_sha=pr.head_sha,
        labels=tuple(sorted(pr.labels)),
        reviews=pulls.reviews(client, pr.repo, pr.number),
        committers=tuple(sorted({login for logins, _ in people.values() for login in logins})),
        source=f"GitHub API: {pr.repo}#{pr.number}",
    )
    return _with_history(root, history_base, found, people)


def _with_history(root: Path, base: str, approvals: models.Approvals,
                  people: dict[str, tuple[tuple[str, ...], bool]]) -> models.Approvals:
    """`approvals` with the commit history behind approvals on earlier commits, from the
    checkout's git, with the API's logins and signature verification of each commit."""
    head = approvals.head_sha
    if not head or not git.commit_exists(root, head):
        return approvals
    return replace(approvals, history=history.gather(root, base, head, approvals, people))


def _commit_people(client: Client, root: Path, pr: _Pull,
                   notices: list[str]) -> dict[str, tuple[tuple[str, ...], bool]]:
    """Every commit of the pull request -> its author's and committer's logins and whether
    GitHub verified its signature (`pulls.commit_people`), from a complete commit list.

    `GET /pulls/{n}/commits` stops at 250 commits. When the pull request has more (or the
    listing is short of its count), the commit list comes from git (`base..head`, the head is
    in the checkout as git objects) and each commit the API left out is asked for by SHA;
    past `MAX_COMMIT_LOOKUPS` of those, the gate fails closed rather than decide on a
    partial list."""
    listed = pulls.commit_people(pulls.commits(client, pr.repo, pr.number))
    if len(listed) < pulls.COMMITS_API_CAP and (pr.commits is None or pr.commits <= len(listed)):
        return listed
    shas = _commit_list(root, pr)
    unlisted = [sha for sha in shas if sha not in listed]
    if len(unlisted) > MAX_COMMIT_LOOKUPS:
        raise ApiError(
            f"pull request #{pr.number} has {len(shas)} commits; the API lists {len(listed)}, and changegate "
            f"looks up at most {MAX_COMMIT_LOOKUPS} more one by one, so it cannot know every committer: "
            "the gate fails closed. Split the pull request, or squash its history", kind=refusals.LISTING_CAP)
    people = dict(listed)  # everyone the API named stays excluded
    for sha in unlisted:
        people.update(pulls.commit(client, pr.repo, sha))
    notices.append(
        f"pull request #{pr.number} has {len(shas)} commits, more than the GitHub API lists "
        f"({len(listed)}, at most {pulls.COMMITS_API_CAP}); the commit list was taken from git "
        f"(base..head) and the authors of the {len(unlisted)} other commits were asked for by SHA")
    return people


def _commit_list(root: Path, pr: _Pull) -> list[str]:
    for role, sha in (("base", pr.base_sha), ("head", pr.head_sha)):
        if not git.commit_exists(root, sha):
            raise GitError(f"pull request #{pr.number} has more commits than the GitHub API lists, and its {role} "
                           f"commit {sha} is not in the repository to list them from; {FETCH_HINT}", str(root))
    shas = git.commits_between(root, git.resolve(root, pr.head_sha), [git.resolve(root, pr.base_sha)])
    if pr.commits is not None and len(shas) < pr.commits:
        raise GitError(f"pull request #{pr.number} has {pr.commits} commits on GitHub, but git lists {len(shas)} "
                       f"between its base and head (a shallow checkout?); {FETCH_HINT}", str(root))
    return shas


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
    base = (data.get("base") or {}).get("sha")
    pr = _Pull(
        event.repository,
        number,
        author.lower() if isinstance(author, str) else None,
        base if isinstance(base, str) else event.base_sha,
        head if isinstance(head, str) else event.head_sha,
        labels,
        count(data, "commits"),
    )
    return _approvals(client, root, pr, notices, event.base_sha)
