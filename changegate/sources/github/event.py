"""Read the workflow's event payload (`GITHUB_EVENT_PATH`) into what the gate needs."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from changegate.load import limits
from changegate.load.files import read_at_most, size_text
from changegate.sources.github.api import GithubInputError

#: Largest event payload read (GitHub's own are a few hundred KiB at most).
MAX_EVENT_BYTES = 16 * 1024 * 1024

PULL_EVENTS = ("pull_request", "pull_request_target", "pull_request_review")
EVENTS = (*PULL_EVENTS, "merge_group")
# A merge queue branch: refs/heads/gh-readonly-queue/<base>/pr-<number>-<sha>
_QUEUE_PR = re.compile(r"gh-readonly-queue/.+/pr-(\d+)-[0-9a-f]+$")


@dataclass(frozen=True)
class Event:
    name: str
    repository: str  # owner/name
    base_sha: str
    head_sha: str
    pr_number: int | None  # None on merge_group
    author: str | None  # lower-cased login
    labels: tuple[str, ...]
    draft: bool
    changed_files: int | None  # the PR's file count when the payload carries it
    head_repository: str | None  # where the PR's head lives (a fork when not `repository`)
    queued_pr: int | None = None  # merge_group: the PR named by the queue branch
    commits: int | None = None  # the PR's commit count when the payload carries it


def dig(data: Any, *keys: str) -> Any:
    """`data[k1][k2]...`, or None where a level is missing or not an object."""
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def label_names(pull: dict[str, Any]) -> tuple[str, ...]:
    """The names of a pull request's labels (a pull request object of the event or the API)."""
    labels = pull.get("labels") or ()
    return tuple(label["name"] for label in labels if isinstance(label, dict) and isinstance(label.get("name"), str))


def count(pull: dict[str, Any], key: str) -> int | None:
    """A count a pull request object carries (`commits`, `changed_files`), when it is one."""
    value = pull.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _sha(value: Any, where: str, file: str) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[0-9a-f]{7,64}", value):
        raise GithubInputError(f"the event has no commit SHA at {where}", file)
    return value


def read_payload(path: str | Path, repository: str | None) -> tuple[dict[str, Any], str]:
    """The event payload at `path` and the repository (`repository`, else the payload's)."""
    file = str(path)
    try:
        raw = read_at_most(MAX_EVENT_BYTES, Path(path))
        if raw is None:
            raise GithubInputError(f"the event file is larger than {size_text(MAX_EVENT_BYTES)}, its bound", file)
        data = json.loads(raw.decode("utf-8"), parse_int=limits.json_int)
    except OSError as err:
        raise GithubInputError(f"cannot read the event file: {err.strerror or err}", file) from None
    except RecursionError:
        raise GithubInputError("the event file is nested too deeply", file) from None
    except ValueError as err:  # not UTF-8, not JSON, an integer past the bound
        raise GithubInputError(f"the event file is not JSON: {err}", file) from None
    if not isinstance(data, dict):
        raise GithubInputError("the event file is not a JSON object", file)
    repo = repository or dig(data, "repository", "full_name")
    if not isinstance(repo, str) or "/" not in repo:
        raise GithubInputError("no repository: GITHUB_REPOSITORY is unset and the event names none", file)
    return data, repo


def load_event(path: str | Path, event_name: str, repository: str | None = None) -> Event:
    """Parse the event payload at `path` for `event_name` (GITHUB_EVENT_NAME)."""
    file = str(path)
    if event_name not in EVENTS:
        raise GithubInputError(
            f"changegate does not handle the '{event_name}' event; run it on "
            f"{', '.join(EVENTS)} (or on workflow_run, to check a pull request again)",
            file,
        )
    data, repo = read_payload(path, repository)

    if event_name == "merge_group":
        group = data.get("merge_group")
        if not isinstance(group, dict):
            raise GithubInputError("a merge_group event without a 'merge_group' object", file)
        head_ref = group.get("head_ref")
        queued = _QUEUE_PR.search(head_ref) if isinstance(head_ref, str) else None
        return Event(
            name=event_name,
            repository=repo,
            base_sha=_sha(group.get("base_sha"), "merge_group.base_sha", file),
            head_sha=_sha(group.get("head_sha"), "merge_group.head_sha", file),
            pr_number=None,
            author=None,
            labels=(),
            draft=False,
            changed_files=None,
            head_repository=repo,
            queued_pr=int(queued.group(1)) if queued else None,
        )

    pr = data.get("pull_request")
    if not isinstance(pr, dict):
        raise GithubInputError(f"a {event_name} event without a 'pull_request' object", file)
    return pull_event(event_name, repo, pr, file, data.get("number"))


def pull_event(event_name: str, repo: str, pr: dict[str, Any], file: str, number: Any = None) -> Event:
    """The Event of pull request `pr` (an event's `pull_request`, or the API's pull request
    object, which has the same shape)."""
    number = pr.get("number", number)
    if not isinstance(number, int) or isinstance(number, bool):
        raise GithubInputError("the event has no pull request number at pull_request.number", file)
    author = dig(pr, "user", "login")
    labels = label_names(pr)
    changed = count(pr, "changed_files")
    head_repo = dig(pr, "head", "repo", "full_name")
    return Event(
        name=event_name,
        repository=repo,
        base_sha=_sha(dig(pr, "base", "sha"), "pull_request.base.sha", file),
        head_sha=_sha(dig(pr, "head", "sha"), "pull_request.head.sha", file),
        pr_number=number,
        author=author.lower() if isinstance(author, str) else None,
        labels=labels,
        draft=bool(pr.get("draft", False)),
        changed_files=changed,
        head_repository=head_repo if isinstance(head_repo, str) else None,
        commits=count(pr, "commits"),
    )


def load(env: Mapping[str, str]) -> Event:
    """The event of this workflow run, from GITHUB_EVENT_PATH, GITHUB_EVENT_NAME and
    GITHUB_REPOSITORY."""
    path = env.get("GITHUB_EVENT_PATH", "").strip()
    name = env.get("GITHUB_EVENT_NAME", "").strip()
    for var, value in (("GITHUB_EVENT_PATH", path), ("GITHUB_EVENT_NAME", name)):
        if not value:
            raise GithubInputError(
                f"{var} is not set: run changegate --github inside a GitHub Actions workflow", "GitHub mode"
            )
    return load_event(path, name, env.get("GITHUB_REPOSITORY", "").strip() or None)
