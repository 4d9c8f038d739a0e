"""A small GitHub REST client on `urllib`: auth, pagination, retries, clear errors.

Only the calls changegate needs. The token goes only to the API's origin: a redirect or a
`Link` to any other origin is refused. Every refusal or failure becomes an `ApiError` (a
`SourceError`: exit 2, the gate fails closed) whose message says which failure it was (the
token permission that is missing, which rate limit, a server error after retries, …).
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

from changegate.errors import InputError
from changegate.sources.github import refusals
from changegate.sources.github.refusals import ApiError as ApiError  # callers catch it from here too

DEFAULT_API_URL = "https://api.github.com"
API_VERSION = "2022-11-28"
USER_AGENT = "changegate"
MAX_ATTEMPTS = 5
MAX_PAGES = 1000  # 100 items a page: far past any list the API serves
TOKEN_VARIABLES = ("CHANGEGATE_TOKEN", "INPUT_TOKEN", "GITHUB_TOKEN")  # the first one set is used
_LINK_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')


class GithubInputError(InputError):
    """GitHub mode cannot start: no event file, no token, an event it does not handle."""


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str]
    data: Any


_header = refusals.header


def origin(url: str) -> tuple[str, str, int | None]:
    """The origin of `url` (scheme, host, port; the scheme's default port made explicit):
    the only place the token may be sent is the API URL's origin."""
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = -1  # not a port: matches no origin
    return scheme, (parts.hostname or "").lower(), port or {"https": 443, "http": 80}.get(scheme)


class _SameOriginRedirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only within the API's origin: urllib would otherwise send the
    request's headers, the token among them, to wherever a `Location` points."""

    def __init__(self, api_url: str) -> None:
        self.api_url = api_url

    def redirect_request(self, req: urllib.request.Request, fp: Any, code: int, msg: str,
                         headers: Any, newurl: str) -> urllib.request.Request | None:
        target = urllib.parse.urljoin(req.full_url, newurl)
        if origin(target) != origin(self.api_url):
            fp.close()
            what = f"{req.get_method()} {urllib.parse.urlsplit(req.full_url).path}"
            raise ApiError(
                f"{what}: GitHub answered {code} with a redirect to another origin "
                f"({urllib.parse.urlsplit(target).netloc}); not followed: the token goes only to "
                f"{self.api_url}, and nothing from elsewhere is trusted",
                code, target, refusals.REDIRECT)
        return super().redirect_request(req, fp, code, msg, headers, target)


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
        self._opener = urllib.request.build_opener(_SameOriginRedirects(self.api_url))
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
        # The token goes with every request: never follow a Link to another origin.
        if origin(url) != origin(self.api_url):
            theirs = urllib.parse.urlsplit(url).netloc
            raise ApiError(f"GET {path}: the next page is on another host ({theirs}); not following it",
                           url=url, kind=refusals.REDIRECT)
        return url

    def request(self, method: str, url: str, *, permission: str, body: Mapping[str, Any] | None = None) -> Response:
        """One call. A GET is tried again on a 5xx, a timeout or a lost connection; any call is
        tried again on a rate limit whose wait fits `max_sleep` (GitHub did not carry it out).
        A POST or PATCH is never repeated after a 5xx or a lost answer: it may have been done."""
        data = json.dumps(body).encode() if body is not None else None
        what = f"{method} {urllib.parse.urlsplit(url).path}"
        idempotent = method in ("GET", "HEAD")
        for attempt in range(1, MAX_ATTEMPTS + 1):
            req = urllib.request.Request(url, data=data, method=method, headers=self._headers(data is not None))
            try:
                with self._opener.open(req, timeout=self.timeout) as resp:
                    raw = resp.read()
                    headers = dict(resp.headers.items())
                    return Response(resp.status, headers, json.loads(raw) if raw.strip() else None)
            except urllib.error.HTTPError as err:
                headers = dict(err.headers.items()) if err.headers else {}
                message = refusals.github_message(err.read() or b"")
                err.close()
                wait = self._retry_wait(err.code, headers, message, attempt, idempotent)
                if wait is not None and attempt < MAX_ATTEMPTS:
                    self._sleep(wait)
                    continue
                raise refusals.refusal(what, err.code, headers, message, permission, url, attempt) from None
            except (urllib.error.URLError, OSError) as err:
                reason = getattr(err, "reason", err)
                timed_out = isinstance(reason, TimeoutError)
                if idempotent and attempt < MAX_ATTEMPTS:
                    self._sleep(min(2.0 ** (attempt - 1), self.max_sleep))
                    continue
                kind = refusals.TIMEOUT if timed_out else refusals.UNREACHABLE
                how = f"no answer within {self.timeout:g} s" if timed_out else f"cannot reach {self.api_url}: {reason}"
                tries = f" after {attempt} attempts" if attempt > 1 else ""
                once = "" if idempotent else " (not repeated: it may have been carried out)"
                raise ApiError(f"{what}: {how}{tries}{once}", 0, url, kind) from None
            except ValueError as err:
                raise ApiError(f"{what}: the response is not JSON: {err}", 0, url, refusals.MALFORMED) from None
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

    def _retry_wait(self, status: int, headers: Mapping[str, str], message: str, attempt: int,
                    idempotent: bool) -> float | None:
        """Seconds to wait before trying again, or None when the failure is final."""
        backoff = min(2.0 ** (attempt - 1), self.max_sleep)
        kind = refusals.classify(status, headers, message)
        if kind == refusals.SERVER:
            return backoff if idempotent else None
        if kind == refusals.PRIMARY_LIMIT:
            reset = refusals.reset_in(headers)
            if reset is None:
                return backoff
            return reset if reset <= self.max_sleep else None  # no use trying before the reset
        if kind == refusals.SECONDARY_LIMIT:
            retry_after = _header(headers, "Retry-After")
            if retry_after is not None:
                return min(_parse_retry_after(retry_after, backoff), self.max_sleep)
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
