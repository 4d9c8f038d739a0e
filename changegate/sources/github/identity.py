"""Who the token is: the author whose comment changegate may edit.

The sticky comment is the one that carries the marker AND was written by the token's own
identity; anyone can paste the marker into a comment, so the marker alone proves nothing.
"""

from __future__ import annotations

from collections.abc import Mapping

from changegate.sources.github import refusals
from changegate.sources.github.api import Client

COMMENT_AUTHOR_VARIABLE = "CHANGEGATE_COMMENT_AUTHOR"
ACTIONS_BOT = "github-actions[bot]"  # who writes with the workflow's GITHUB_TOKEN


def comment_author(client: Client, env: Mapping[str, str]) -> str:
    """The login comments made with this token carry (lower-cased).

    `CHANGEGATE_COMMENT_AUTHOR` when set (a GitHub App's installation token writes as
    `<app-slug>[bot]`, which the token cannot look up); else `GET /user` (a personal access
    token, or an App's user token); else, when GitHub refuses that (an installation token
    such as GITHUB_TOKEN gets 403), `github-actions[bot]`. Other failures raise `ApiError`."""
    configured = env.get(COMMENT_AUTHOR_VARIABLE, "").strip().lstrip("@")
    if configured:
        return configured.lower()
    try:
        data = client.get("user", permission="none (GET /user)")
    except refusals.ApiError as err:
        if err.kind in refusals.DEFINITE_REFUSALS:
            return ACTIONS_BOT
        raise
    login = data.get("login") if isinstance(data, dict) else None
    if not isinstance(login, str) or not login.strip():
        raise refusals.ApiError("GET /user: the answer names no login", kind=refusals.MALFORMED)
    return login.strip().lower()
