"""The verdict branch protection requires: a commit status on the head commit (SPEC §8a).

Written only by a trusted run (`pull_request_target`, `workflow_run`), when the workflow asks
for it with `--status-context NAME`: `pending` as soon as the head commit is known, then
`success` or `failure` with the decision, or `error` when the gate could not decide. A
workflow_run re-check runs on the default branch, so its own job is no check on the pull
request: this status is what carries its decision there. A status that cannot be written
is an error (exit 2): the run's whole point is the verdict.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

STATUSES_WRITE = "statuses: write"
DESCRIPTION_LIMIT = 140  # GitHub's limit for a status description


class StatusApi(Protocol):
    """The call of the GitHub REST client that writing a commit status needs."""

    def post(self, path: str, body: Mapping[str, Any], *, permission: str) -> Any: ...


class Verdict:
    """Commit statuses named `context` on `sha` of `repository`, linking to `target_url`."""

    def __init__(self, api: StatusApi, repository: str, sha: str, context: str, target_url: str | None) -> None:
        self.api = api
        self.repository = repository
        self.sha = sha
        self.context = context
        self.target_url = target_url

    def post(self, state: str, description: str) -> None:
        """Write one status: state is pending, success, failure or error."""
        body = {"state": state, "context": self.context,
                "description": description if len(description) <= DESCRIPTION_LIMIT
                else description[:DESCRIPTION_LIMIT - 1] + "…"}
        if self.target_url:
            body["target_url"] = self.target_url
        self.api.post(f"repos/{self.repository}/statuses/{self.sha}", body, permission=STATUSES_WRITE)


def description(decision: str, blocking: int) -> str:
    """The status text for a decision and the number of things blocking it."""
    if decision == "pass" and not blocking:
        return "pass: every required owner, test and approval is in place"
    return f"blocked: {blocking} requirement{'s' if blocking != 1 else ''} or finding{'s' if blocking != 1 else ''} " \
           "to fix; see the summary"
