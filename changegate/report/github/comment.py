"""One sticky pull request comment: found by a hidden marker and its author, edited in place.

The GitHub client is passed in (anything with `get_all`, `post` and `patch`, such as
`changegate.sources.github.api.Client`), and so is the token's own login, so reporting
does not depend on the source. A comment carrying the marker that someone else wrote is
never edited: anyone can paste the marker, and editing their comment would put our summary
under their name (or let them plant the "summary" reviewers read).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, Protocol

MARKER = "<!-- changegate:summary -->"  # the first line of the markdown summary
COMMENT_LIMIT = 65536  # GitHub refuses a comment body longer than this (characters)
PULLS_WRITE = "pull-requests: write (the default token of a fork's pull request is read-only)"
_READ = "pull-requests: read"


class CommentApi(Protocol):
    """The calls of the GitHub REST client that the sticky comment needs."""

    def get_all(self, path: str, *, permission: str) -> list[Any]: ...

    def post(self, path: str, body: Mapping[str, Any], *, permission: str) -> Any: ...

    def patch(self, path: str, body: Mapping[str, Any], *, permission: str) -> Any: ...


def with_marker(markdown: str) -> str:
    """`markdown` with the marker as its first line (added when missing)."""
    return markdown if markdown.startswith(MARKER) else f"{MARKER}\n{markdown}"


def truncate(markdown: str, summary_url: str | None, limit: int = COMMENT_LIMIT) -> str:
    """`markdown` cut at a line boundary to fit `limit` characters, with open code fences
    and `<details>` blocks closed and a pointer to the job summary, which has it whole."""
    if len(markdown) <= limit:
        return markdown
    where = f"the [job summary]({summary_url})" if summary_url else "the job summary of this check"
    note = f"\n\n**This summary was cut to fit a comment.** The full text is in {where}.\n"
    budget = limit - len(note) - 200  # room for the closers added below
    lines: list[str] = []
    used = 0
    fence: str | None = None
    details = 0
    for line in markdown.splitlines(keepends=True):
        if used + len(line) > budget:
            break
        lines.append(line)
        used += len(line)
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            mark = stripped[:3]
            if fence is None:
                fence = mark
            elif stripped.startswith(fence) and stripped.strip("`~") == "":
                fence = None
        elif fence is None:
            details += stripped.count("<details") - stripped.count("</details>")
    text = "".join(lines)
    if text and not text.endswith("\n"):
        text += "\n"
    if fence is not None:
        text += fence + "\n"
    text += "</details>\n" * max(0, min(details, 20))
    return text + note


def find(client: CommentApi, repo: str, number: int, author: str) -> int | None:
    """The id of the PR's changegate comment (the oldest whose body starts with the marker
    and whose author is `author`, the token's own login), or None. Lists every page of the
    PR's comments."""
    for item in client.get_all(f"repos/{repo}/issues/{number}/comments", permission=_READ):
        if not (isinstance(item, dict) and isinstance(item.get("body"), str) and item["body"].startswith(MARKER)):
            continue
        if not written_by(item.get("user"), author):
            continue
        comment_id = item.get("id")
        if isinstance(comment_id, int):
            return comment_id
    return None


def written_by(user: Any, author: str) -> bool:
    """Whether a comment's `user` is `author` (a `…[bot]` login only as a Bot account)."""
    if not isinstance(user, dict) or not isinstance(user.get("login"), str):
        return False
    if user["login"].lower() != author.lower():
        return False
    return not author.endswith("[bot]") or user.get("type") == "Bot"


def upsert(client: CommentApi, repo: str, number: int, body: str, author: str) -> Literal["created", "updated"]:
    """Create the sticky comment, or edit the one `author` (the token's login) already wrote
    there. Raises `ApiError`."""
    body = with_marker(body)
    existing = find(client, repo, number, author)
    if existing is None:
        client.post(f"repos/{repo}/issues/{number}/comments", {"body": body}, permission=PULLS_WRITE)
        return "created"
    client.patch(f"repos/{repo}/issues/comments/{existing}", {"body": body}, permission=PULLS_WRITE)
    return "updated"
