"""The trusted re-check: a `workflow_run` event (SPEC §8a).

A review submitted or dismissed, or a CI run finished, must decide the pull request again
without running the pull request's own workflow. GitHub runs a `workflow_run` workflow from
the default branch; its event names a finished run (of the pull request's CI, or of a
workflow that only listens to `pull_request_review`) by head commit and head branch. Which
pull request that is, and every fact about it, is asked of the API here: nothing the
finished run wrote (artifacts, outputs) is read, since the pull request could have written it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from changegate.sources.github import pulls
from changegate.sources.github.api import Client, GithubInputError
from changegate.sources.github.event import Event, dig, pull_event, read_payload

WORKFLOW_RUN = "workflow_run"


class Outdated(Exception):
    """The finished run was for a commit that is no longer the pull request's head: the run
    for the new head decides, and this one has nothing to say (nor to write)."""
_FULL_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")




def _belongs(pull: Any, head_sha: str, head_repo: str | None, head_branch: str | None) -> bool:
    """Whether the API's pull request `pull` is the one the finished run ran for: same head
    commit, or (it moved on since) same head repository and branch."""
    if not isinstance(pull, dict):
        return False
    if dig(pull, "head", "sha") == head_sha:
        return True
    return (head_repo is not None and head_branch is not None
            and dig(pull, "head", "repo", "full_name") == head_repo and dig(pull, "head", "ref") == head_branch)


def load(env: Mapping[str, str], client: Client) -> Event:
    """The pull request a `workflow_run` event is about, as the API describes it now.
    Raises Outdated when its head is no longer the finished run's commit."""
    path = env.get("GITHUB_EVENT_PATH", "").strip()
    if not path:
        raise GithubInputError("GITHUB_EVENT_PATH is not set: run changegate --github inside a GitHub "
                               "Actions workflow", "GitHub mode")
    data, repo = read_payload(path, env.get("GITHUB_REPOSITORY", "").strip() or None)
    run = data.get("workflow_run")
    if not isinstance(run, dict):
        raise GithubInputError("a workflow_run event without a 'workflow_run' object", path)
    head_sha = run.get("head_sha")
    if not isinstance(head_sha, str) or not _FULL_SHA.fullmatch(head_sha):
        raise GithubInputError("the event has no full commit SHA at workflow_run.head_sha", path)
    head_repo = dig(run, "head_repository", "full_name")
    head_branch = run.get("head_branch")
    head_repo = head_repo if isinstance(head_repo, str) else None
    head_branch = head_branch if isinstance(head_branch, str) else None

    numbers = sorted({p["number"] for p in run.get("pull_requests") or ()
                      if isinstance(p, dict) and isinstance(p.get("number"), int)})
    found = []
    for number in numbers:  # may name pull requests of other repositories: check each one
        pull = pulls.pull(client, repo, number)
        if _belongs(pull, head_sha, head_repo, head_branch):
            found.append(pull)
    if not found and head_repo and head_branch:  # a fork's run lists no pull request
        owner = head_repo.split("/", 1)[0]
        listed = client.get_all(f"repos/{repo}/pulls", permission=pulls.PULLS_READ,
                                params={"state": "open", "head": f"{owner}:{head_branch}"})
        found = [p for p in listed if _belongs(p, head_sha, head_repo, head_branch)]
    if len(found) != 1:
        which = ("no open pull request" if not found else
                 "several pull requests (" + ", ".join(f"#{p.get('number')}" for p in found) + ")")
        raise GithubInputError(
            f"the finished workflow run (head {head_sha[:12]}, branch {head_branch or '?'}) belongs to {which} "
            f"of {repo}; nothing to check again", path)
    current = dig(found[0], "head", "sha")
    if current != head_sha:
        raise Outdated(f"pull request #{found[0].get('number')} has moved on from {head_sha[:12]} to "
                       f"{str(current)[:12]} since this run; the check of the new head decides")
    return pull_event(WORKFLOW_RUN, repo, found[0], "GitHub API")
