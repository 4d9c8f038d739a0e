"""One sticky pull request comment: found by a hidden marker, edited in place."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, Protocol

from changegate.report.markdown import MARKER  # the first line of every summary

COMMENT_LIMIT = 65536  # GitHub refuses a comment body longer than this (characters)
PULLS_WRITE = "pull-requests: write (the default token of a fork's pull request is read-only)"
_READ = "pull-requests: read"


class Client(Protocol):
    """The REST calls the comment needs; `changegate.sources.github.api.Client` makes them."""

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


def find(client: Client, repo: str, number: int) -> int | None:
    """The id of the PR's changegate comment (the oldest whose body starts with the
    marker), or None. Lists every page of the PR's comments."""
    for item in client.get_all(f"repos/{repo}/issues/{number}/comments", permission=_READ):
        if isinstance(item, dict) and isinstance(item.get("body"), str) and item["body"].startswith(MARKER):
            comment_id = item.get("id")
            if isinstance(comment_id, int):
                return comment_id
    return None


def upsert(client: Client, repo: str, number: int, body: str) -> Literal["created", "updated"]:
    """Create the sticky comment, or edit the one already there. Raises `ApiError`."""
    body = with_marker(body)
    existing = find(client, repo, number)
    if existing is None:
        client.post(f"repos/{repo}/issues/{number}/comments", {"body": body}, permission=PULLS_WRITE)
        return "created"
    client.patch(f"repos/{repo}/issues/comments/{existing}", {"body": body}, permission=PULLS_WRITE)
    return "updated"
