"""A small GitHub REST client on `urllib`: auth, pagination, retries, clear errors.

Only the calls changegate needs. Every refusal or failure becomes an `ApiError` (a
`SourceError`: exit 2, the gate fails closed) whose message names the token permission
that is missing.
"""

from __future__ import annotations

import email.utils
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from changegate.errors import InputError, SourceError

DEFAULT_API_URL = "https://api.github.com"
API_VERSION = "2022-11-28"
USER_AGENT = "changegate"
MAX_ATTEMPTS = 5
MAX_PAGES = 1000  # 100 items a page: far past any list the API serves
TOKEN_VARIABLES = ("CHANGEGATE_TOKEN", "INPUT_TOKEN", "GITHUB_TOKEN")  # the first one set is used
_LINK_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')


class GithubInputError(InputError):
    """GitHub mode cannot start: no event file, no token, an event it does not handle."""


class ApiError(SourceError):
    """The GitHub API refused or failed a request. `status` is the HTTP status (0 when the
    server could not be reached)."""

    title = "GitHub API error"

    def __init__(self, message: str, status: int = 0, url: str = "") -> None:
        super().__init__(message, file="GitHub API")
        self.status = status
        self.url = url


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str]
    data: Any


def _header(headers: Mapping[str, str], name: str) -> str | None:
    lower = name.lower()
    for key, value in headers.items():
        if key.lower() == lower:
            return value
    return None


def next_link(link_header: str | None) -> str | None:
    """The URL of `rel="next"` in a `Link` header, or None on the last page."""
    if not link_header:
        return None
    for part in link_header.split(","):
        found = _LINK_NEXT.search(part)
        if found:
            return found.group(1)
    return None


class Client:
    """GitHub REST calls for one repository host.

    `permission` (passed per call) is the token permission that call needs; it goes into
    the message of a 401/403/404. `max_sleep` caps every wait between retries (seconds);
    `sleep` is `time.sleep` unless a caller needs otherwise.
    """

    def __init__(
        self,
        token: str,
        api_url: str = DEFAULT_API_URL,
        *,
        max_sleep: float = 60.0,
        timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.token = token
        self.api_url = api_url.rstrip("/")
        self.max_sleep = max_sleep
        self.timeout = timeout
        self._sleep = sleep

    # ------------------------------------------------------------------ public calls

    def get(self, path: str, *, permission: str, params: Mapping[str, str] | None = None) -> Any:
        """GET one resource (JSON)."""
        return self.request("GET", self._url(path, params), permission=permission).data

    def get_all(self, path: str, *, permission: str, params: Mapping[str, str] | None = None,
                key: str | None = None) -> list[Any]:
        """GET every page of a list (100 a page), following `Link: rel="next"`. With `key`,
        each page is an object whose `key` holds the list (check runs, combined status)."""
        query = {"per_page": "100", **(params or {})}
        url: str | None = self._url(path, query)
        items: list[Any] = []
        pages = 0
        while url is not None:
            pages += 1
            if pages > MAX_PAGES:
                raise ApiError(f"GET {path}: more than {MAX_PAGES} pages; giving up", url=url)
            response = self.request("GET", url, permission=permission)
            page = response.data.get(key) if key is not None and isinstance(response.data, dict) else response.data
            if not isinstance(page, list):
                raise ApiError(f"GET {path}: expected a list{f' in {key!r}' if key else ''}, "
                               f"got {type(page).__name__}", response.status, url)
            items.extend(page)
            url = next_link(_header(response.headers, "Link"))
            if url is not None:
                url = self._same_host(url, path)
        return items

    def post(self, path: str, body: Mapping[str, Any], *, permission: str) -> Any:
        return self.request("POST", self._url(path), permission=permission, body=body).data

    def patch(self, path: str, body: Mapping[str, Any], *, permission: str) -> Any:
        return self.request("PATCH", self._url(path), permission=permission, body=body).data

    # ------------------------------------------------------------------ machinery

    def _url(self, path: str, params: Mapping[str, str] | None = None) -> str:
        url = f"{self.api_url}/{path.lstrip('/')}"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        return url

    def _same_host(self, url: str, path: str) -> str:
        # The token goes with every request: never follow a Link to another host.
        ours = urllib.parse.urlsplit(self.api_url)
        theirs = urllib.parse.urlsplit(url)
        if (theirs.scheme, theirs.netloc) != (ours.scheme, ours.netloc):
            raise ApiError(f"GET {path}: the next page is on another host ({theirs.netloc}); not following it", url=url)
        return url

    def request(self, method: str, url: str, *, permission: str, body: Mapping[str, Any] | None = None) -> Response:
        """One call with retries on 5xx, secondary rate limits and connection errors."""
        data = json.dumps(body).encode() if body is not None else None
        what = f"{method} {urllib.parse.urlsplit(url).path}"
        for attempt in range(1, MAX_ATTEMPTS + 1):
            req = urllib.request.Request(url, data=data, method=method, headers=self._headers(data is not None))
            try:
                with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                    raw = resp.read()
                    headers = dict(resp.headers.items())
                    return Response(resp.status, headers, json.loads(raw) if raw.strip() else None)
            except urllib.error.HTTPError as err:
                headers = dict(err.headers.items()) if err.headers else {}
                raw = err.read() or b""
                err.close()
                wait = self._retry_wait(err.code, headers, attempt)
                if wait is not None and attempt < MAX_ATTEMPTS:
                    self._sleep(min(wait, self.max_sleep))
                    continue
                raise _refusal(what, err.code, headers, raw, permission, url) from None
            except (urllib.error.URLError, OSError, TimeoutError) as err:
                if attempt < MAX_ATTEMPTS:
                    self._sleep(min(2.0 ** (attempt - 1), self.max_sleep))
                    continue
                reason = getattr(err, "reason", err)
                raise ApiError(f"{what}: cannot reach {self.api_url}: {reason}", 0, url) from None
            except ValueError as err:
                raise ApiError(f"{what}: the response is not JSON: {err}", 0, url) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _headers(self, has_body: bool) -> dict[str, str]:
        headers = {
            "Accept": "application/vnd.github+json",
            "Authorization": f"Bearer {self.token}",
            "X-GitHub-Api-Version": API_VERSION,
            "User-Agent": USER_AGENT,
        }
        if has_body:
            headers["Content-Type"] = "application/json"
        return headers

    @staticmethod
    def _retry_wait(status: int, headers: Mapping[str, str], attempt: int) -> float | None:
        """Seconds to wait before trying again, or None when the failure is final."""
        backoff = 2.0 ** (attempt - 1)
        if status >= 500:
            return backoff
        if status in (403, 429):
            retry_after = _header(headers, "Retry-After")
            if retry_after is not None:
                return _parse_retry_after(retry_after, backoff)
            if _header(headers, "x-ratelimit-remaining") == "0":
                reset = _header(headers, "x-ratelimit-reset")
                if reset and reset.isdigit():
                    return max(0.0, int(reset) - time.time()) + 1
                return backoff
            if status == 429:
                return backoff
        return None


def client_from_env(env: Mapping[str, str]) -> Client:
    """A REST client from the workflow's environment (token, API URL, retry cap)."""
    token = next((env[name].strip() for name in TOKEN_VARIABLES if env.get(name, "").strip()), "")
    if not token:
        raise GithubInputError(
            "no GitHub token: set the action's `token` input (it defaults to github.token), "
            "or CHANGEGATE_TOKEN or GITHUB_TOKEN in the step's env",
            "GitHub mode",
        )
    max_sleep = 60.0
    raw = env.get("CHANGEGATE_API_MAX_SLEEP", "").strip()
    if raw:
        try:
            max_sleep = max(0.0, float(raw))
        except ValueError:
            raise GithubInputError(f"CHANGEGATE_API_MAX_SLEEP must be a number of seconds, not {raw!r}",
                                   "GitHub mode") from None
    return Client(token, env.get("GITHUB_API_URL", "").strip() or DEFAULT_API_URL, max_sleep=max_sleep)


def _parse_retry_after(value: str, default: float) -> float:
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    return max(0.0, when.timestamp() - time.time())


def _refusal(what: str, status: int, headers: Mapping[str, str], raw: bytes, permission: str, url: str) -> ApiError:
    try:
        message = str(json.loads(raw).get("message", "")).strip()
    except (ValueError, AttributeError):
        message = ""
    said = f" (GitHub said: {message})" if message else ""
    if status == 401:
        text = f"{what}: 401 Unauthorized{said}: the token is missing, expired or invalid"
    elif status in (403, 404):
        name = "403 Forbidden" if status == 403 else "404 Not Found"
        text = (
            f"{what}: {name}{said}: the token cannot read or write this; it needs {permission}"
            if status == 403
            else f"{what}: {name}{said}: it does not exist, or the token cannot see it; it needs {permission}"
        )
        if _header(headers, "x-ratelimit-remaining") == "0" or status == 429:
            text = f"{what}: {name}{said}: rate limit exhausted"
    elif status == 429:
        text = f"{what}: 429 Too Many Requests{said}: rate limit exhausted after retries"
    else:
        text = f"{what}: HTTP {status}{said}"
    return ApiError(text, status, url)
