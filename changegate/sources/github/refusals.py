"""What a failed GitHub API call means, and the error that says so.

Only two failures are definite answers about the facts: a permission refusal (403) and
"not found" (404). A rate limit, a server error, a timeout or a refused redirect says
nothing about the facts, so the gate fails closed on them (exit 2) with a message that
names which one it was.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Mapping

from changegate.errors import SourceError

PERMISSION = "permission"  # 403: the token may not read or write this
NOT_FOUND = "not-found"  # 404: it does not exist, or the token cannot see it
UNAUTHORIZED = "unauthorized"  # 401: the token is bad
PRIMARY_LIMIT = "primary-rate-limit"  # x-ratelimit-remaining: 0
SECONDARY_LIMIT = "secondary-rate-limit"  # 429, Retry-After, or GitHub's "secondary rate limit"
SERVER = "server-error"  # 5xx
UNREACHABLE = "unreachable"  # no answer: connection refused, reset, DNS
TIMEOUT = "timeout"
REDIRECT = "cross-origin"  # a redirect or a Link to another origin, refused
MALFORMED = "malformed"  # an answer of the wrong shape
LISTING_CAP = "listing-cap"  # a list past what the API (and changegate's lookups) can give whole
OTHER = "other"

RATE_LIMITS = (PRIMARY_LIMIT, SECONDARY_LIMIT)
DEFINITE_REFUSALS = (PERMISSION, NOT_FOUND)  # the only failures that may fall back to the map


class ApiError(SourceError):
    """The GitHub API refused or failed a request. `status` is the HTTP status (0 when the
    server could not be reached); `kind` says which failure it was (one of this module's
    constants)."""

    title = "GitHub API error"

    def __init__(self, message: str, status: int = 0, url: str = "", kind: str = OTHER) -> None:
        super().__init__(message, file="GitHub API")
        self.status = status
        self.url = url
        self.kind = kind


def header(headers: Mapping[str, str], name: str) -> str | None:
    """A header's value, whatever the case of its name."""
    lower = name.lower()
    for key, value in headers.items():
        if key.lower() == lower:
            return value
    return None


def github_message(raw: bytes) -> str:
    """GitHub's `message` from an error body, or ''."""
    try:
        data = json.loads(raw)
    except ValueError:
        return ""
    return str(data.get("message", "")).strip() if isinstance(data, dict) else ""


def classify(status: int, headers: Mapping[str, str], message: str) -> str:
    """Which failure an HTTP error status is. A 403 is a permission refusal only when
    nothing says it is a rate limit."""
    if status == 401:
        return UNAUTHORIZED
    if status in (403, 429):
        if header(headers, "x-ratelimit-remaining") == "0":
            return PRIMARY_LIMIT
        if status == 429 or header(headers, "Retry-After") is not None or "rate limit" in message.lower():
            return SECONDARY_LIMIT
        return PERMISSION
    if status == 404:
        return NOT_FOUND
    if status >= 500:
        return SERVER
    return OTHER


def reset_in(headers: Mapping[str, str]) -> float | None:
    """Seconds until the primary rate limit resets (`x-ratelimit-reset`), when said."""
    reset = header(headers, "x-ratelimit-reset")
    if reset and reset.strip().isdigit():
        return max(0.0, int(reset) - time.time()) + 1
    return None


def refusal(what: str, status: int, headers: Mapping[str, str], message: str, permission: str, url: str,
            attempts: int) -> ApiError:
    """The error for a final HTTP failure of `what` ("GET /path") after `attempts` tries."""
    kind = classify(status, headers, message)
    said = f" (GitHub said: {message})" if message else ""
    name = {401: "401 Unauthorized", 403: "403 Forbidden", 404: "404 Not Found",
            429: "429 Too Many Requests"}.get(status, f"HTTP {status}")
    tries = f" after {attempts} attempts" if attempts > 1 else ""
    if kind == UNAUTHORIZED:
        text = f"{what}: {name}{said}: the token is missing, expired or invalid"
    elif kind == PRIMARY_LIMIT:
        reset = header(headers, "x-ratelimit-reset")
        when = ""
        if reset and reset.strip().isdigit():
            when = f", resets at {dt.datetime.fromtimestamp(int(reset), dt.UTC):%Y-%m-%dT%H:%M:%SZ}"
        text = f"{what}: {name}{said}: GitHub's primary rate limit is exhausted (x-ratelimit-remaining: 0{when}){tries}"
    elif kind == SECONDARY_LIMIT:
        text = f"{what}: {name}{said}: GitHub's secondary rate limit{tries}"
    elif kind == PERMISSION:
        text = f"{what}: {name}{said}: the token cannot read or write this; it needs {permission}"
    elif kind == NOT_FOUND:
        text = f"{what}: {name}{said}: it does not exist, or the token cannot see it; it needs {permission}"
    elif kind == SERVER:
        text = f"{what}: {name}{said}: GitHub's server failed{tries}"
    else:
        text = f"{what}: {name}{said}"
    return ApiError(text, status, url, kind)
