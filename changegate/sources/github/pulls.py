"""What the pull request says: its files, its reviews, the people who wrote its commits."""

from __future__ import annotations

from typing import Any

from changegate import model as models
from changegate.sources.github.api import ApiError, Client

PULLS_READ = "pull-requests: read"
CONTENTS_READ = "contents: read"
FILES_API_CAP = 3000  # GET /pulls/{n}/files returns at most this many files
COMMITS_API_CAP = 250  # GET /pulls/{n}/commits returns at most this many commits


def pull(client: Client, repo: str, number: int) -> dict[str, Any]:
    """GET /repos/{repo}/pulls/{number}."""
    data = client.get(f"repos/{repo}/pulls/{number}", permission=PULLS_READ)
    if not isinstance(data, dict):
        raise ApiError(f"GET /repos/{repo}/pulls/{number}: expected an object")
    return data


def files(client: Client, repo: str, number: int) -> tuple[list[str], int]:
    """Every path the PR changes as the files endpoint lists them (at most 3,000 files),
    and how many entries it listed.

    A renamed file counts under both names: moving a file out of a component changes
    that component too.
    """
    names: list[str] = []
    listed = client.get_all(f"repos/{repo}/pulls/{number}/files", permission=PULLS_READ)
    for item in listed:
        if not isinstance(item, dict) or not isinstance(item.get("filename"), str):
            raise ApiError(f"GET /repos/{repo}/pulls/{number}/files: an entry without 'filename'")
        names.append(item["filename"])
        previous = item.get("previous_filename")
        if isinstance(previous, str):
            names.append(previous)
    return names, len(listed)


def reviews(client: Client, repo: str, number: int) -> tuple[models.Review, ...]:
    """Every review of the PR, logins lower-cased, in the order they were made (GitHub's review
    ids grow with time), whatever order the API lists them in. DISMISSED reviews are kept, so
    that a user's latest review being dismissed takes their approval away."""
    found: list[tuple[tuple[int, str], models.Review]] = []
    for item in client.get_all(f"repos/{repo}/pulls/{number}/reviews", permission=PULLS_READ):
        login = _login(item.get("user")) if isinstance(item, dict) else None
        if login is None:  # a deleted account ("ghost") has user: null
            continue
        state = item.get("state")
        commit = item.get("commit_id")
        submitted = item.get("submitted_at")
        review_id = item.get("id")
        review = models.Review(
            user=login,
            state=state.upper() if isinstance(state, str) else "COMMENTED",
            commit_id=commit if isinstance(commit, str) else None,
            submitted_at=submitted if isinstance(submitted, str) else None,
        )
        order = review_id if isinstance(review_id, int) and not isinstance(review_id, bool) else 2**63
        found.append(((order, review.submitted_at or ""), review))
    found.sort(key=lambda pair: pair[0])
    return tuple(review for _, review in found)


def commit(client: Client, repo: str, sha: str) -> dict[str, tuple[tuple[str, ...], bool]]:
    """`commit_people` of commit `sha` alone (`GET /commits/{sha}`)."""
    data = client.get(f"repos/{repo}/commits/{sha}", permission=CONTENTS_READ)
    if not isinstance(data, dict) or str(data.get("sha", "")).lower() != sha.lower():
        raise ApiError(f"GET /repos/{repo}/commits/{sha}: the answer is not that commit")
    return commit_people([data])


def committers(client: Client, repo: str, number: int) -> tuple[str, ...]:
    """Logins of everyone who authored or committed a commit in the PR (lower-cased,
    sorted). Commits whose e-mail matches no GitHub account have no login and add none."""
    return committers_of(commits(client, repo, number))


def commits(client: Client, repo: str, number: int) -> list[Any]:
    """GET /repos/{repo}/pulls/{number}/commits, every page."""
    return client.get_all(f"repos/{repo}/pulls/{number}/commits", permission=PULLS_READ)


def committers_of(items: list[Any]) -> tuple[str, ...]:
    """`committers` of the listed commits."""
    return tuple(sorted({login for logins, _ in commit_people(items).values() for login in logins}))


def commit_people(items: list[Any]) -> dict[str, tuple[tuple[str, ...], bool]]:
    """Each listed commit's sha -> the logins of its author and committer (GitHub's own
    web-commit identity left out) and whether GitHub verified its signature."""
    out: dict[str, tuple[tuple[str, ...], bool]] = {}
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        logins = tuple(sorted({login for role in ("author", "committer")
                               if (login := _login(item.get(role))) is not None and login != "web-flow"}))
        commit = item.get("commit")
        verification = commit.get("verification") if isinstance(commit, dict) else None
        verified = isinstance(verification, dict) and verification.get("verified") is True
        sha = item.get("sha")
        out[sha.lower() if isinstance(sha, str) else f"#{index}"] = (logins, verified)
    return out


def _login(user: Any) -> str | None:
    if isinstance(user, dict) and isinstance(user.get("login"), str):
        return str(user["login"]).lower()
    return None
