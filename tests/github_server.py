"""A real HTTP server on 127.0.0.1 that speaks the GitHub REST shapes changegate uses.

Responses are recorded shapes from `tests/fixtures/github/*.json`. Lists are paginated
like GitHub (`per_page`, `page`, a `Link` header with rel="next" and rel="last"); a test
can make pages smaller than `per_page` to get several of them. A pull request's commits
stop at 250 and its files at 3,000, as on GitHub. A route can answer with a redirect. Failures can be queued per
route (a 403/404/5xx once, then OK). Every request is recorded, and issue comments are
stateful, so a test can check that a second run edits the comment the first one created.
"""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures" / "github"
# Listings GitHub cuts short, whatever the pages: a pull request's commits and files.
LIST_CAPS = ((re.compile(r"/repos/[^/]+/[^/]+/pulls/\d+/commits"), 250),
             (re.compile(r"/repos/[^/]+/[^/]+/pulls/\d+/files"), 3000))


def fixture(name: str) -> Any:
    """A fresh copy of `tests/fixtures/github/<name>.json`."""
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # names lower-cased
    body: Any


@dataclass
class Failure:
    status: int
    times: int
    body: dict[str, Any] = field(default_factory=lambda: {"message": "failure"})
    headers: dict[str, str] = field(default_factory=dict)


class GithubServer:
    """Routes are exact paths (`/repos/acme/shop/pulls/42`). Use as a context manager."""

    def __init__(self, page_size: int | None = None) -> None:
        self.page_size = page_size  # when set, at most this many items a page
        self.link_base: str | None = None  # when set, `Link` URLs point there instead (another origin)
        self.objects: dict[str, Any] = {}
        self.lists: dict[str, list[Any]] = {}
        self.failures: dict[tuple[str, str], list[Failure]] = {}
        self.redirects: dict[tuple[str, str], tuple[int, str]] = {}  # (method, path) -> (status, Location)
        self.stalls: dict[tuple[str, str], float] = {}  # (method, path) -> seconds before answering
        self.requests: list[Recorded] = []
        self.comments: dict[str, list[dict[str, Any]]] = {}  # "acme/shop#42" -> comments
        self.comment_writes_refused: int | None = None  # e.g. 403 for a read-only token
        # Who the token is: None for an installation token such as GITHUB_TOKEN (GET /user is
        # refused with 403, comments are written by github-actions[bot]); else the user of a
        # personal access token, whom GET /user returns and whose comments these are.
        self.viewer: dict[str, Any] | None = None
        self._next_comment_id = 10_000
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    # ------------------------------------------------------------------ setup

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> GithubServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=10)

    def object(self, path: str, data: Any) -> None:
        self.objects[path] = data

    def list(self, path: str, items: list[Any]) -> None:
        self.lists[path] = items

    def fail(self, method: str, path: str, status: int, times: int = 1, **kwargs: Any) -> None:
        self.failures.setdefault((method, path), []).append(Failure(status, times, **kwargs))

    def redirect(self, method: str, path: str, location: str, status: int = 302) -> None:
        """Answer `method path` with `status` and a `Location` header (another server's URL, say)."""
        self.redirects[(method, path)] = (status, location)

    def pull_request(self, repo: str = "acme/shop", number: int = 42) -> None:
        """Serve the recorded pull request, its files, reviews and commits."""
        base = f"/repos/{repo}/pulls/{number}"
        self.object(base, fixture("pull"))
        self.list(f"{base}/files", fixture("pull_files"))
        self.list(f"{base}/reviews", fixture("pull_reviews"))
        self.list(f"{base}/commits", fixture("pull_commits"))
        self.comments.setdefault(f"{repo}#{number}", fixture("issue_comments"))

    def seen(self, method: str | None = None, path_prefix: str = "") -> list[Recorded]:
        """Recorded requests, optionally only one method and a path prefix."""
        with self._lock:
            return [r for r in self.requests
                    if (method is None or r.method == method) and r.path.startswith(path_prefix)]

    # ------------------------------------------------------------------ serving

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                server._serve(self, "GET")

            def do_POST(self) -> None:
                server._serve(self, "POST")

            def do_PATCH(self) -> None:
                server._serve(self, "PATCH")

        return Handler

    def _serve(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        split = urllib.parse.urlsplit(handler.path)
        query = dict(urllib.parse.parse_qsl(split.query))
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        with self._lock:
            headers = {k.lower(): v for k, v in handler.headers.items()}
            self.requests.append(Recorded(method, split.path, query, headers, body))
            failure = self._take_failure(method, split.path)
            redirect = self.redirects.get((method, split.path))
            stall = self.stalls.get((method, split.path), 0.0)
        if stall:
            time.sleep(stall)
        if redirect is not None:
            self._send(handler, redirect[0], {"message": "Moved"}, {"Location": redirect[1]})
            return
        if failure is not None:
            self._send(handler, failure.status, failure.body, failure.headers)
            return
        status, data, headers = self._route(method, split.path, query, body)
        self._send(handler, status, data, headers)

    def _take_failure(self, method: str, path: str) -> Failure | None:
        queue = self.failures.get((method, path))
        if not queue:
            return None
        failure = queue[0]
        failure.times -= 1
        if failure.times <= 0:
            queue.pop(0)
        return failure

    def _route(self, method: str, path: str, query: dict[str, str], body: Any) -> tuple[int, Any, dict[str, str]]:
        comments = re.fullmatch(r"/repos/([^/]+/[^/]+)/issues/(\d+)/comments", path)
        if comments:
            key = f"{comments.group(1)}#{comments.group(2)}"
            if method == "GET":
                return self._page(path, query, self.comments.get(key, []))
            if method == "POST":
                if self.comment_writes_refused:
                    return self._refused()
                with self._lock:
                    self._next_comment_id += 1
                    created = {
                        "id": self._next_comment_id,
                        "body": body["body"],
                        "user": self.viewer or {"login": "github-actions[bot]", "id": 41898282, "type": "Bot"},
                    }
                    self.comments.setdefault(key, []).append(created)
                return 201, created, {}
        edit = re.fullmatch(r"/repos/([^/]+/[^/]+)/issues/comments/(\d+)", path)
        if edit and method == "PATCH":
            if self.comment_writes_refused:
                return self._refused()
            for items in self.comments.values():
                for item in items:
                    if item["id"] == int(edit.group(2)):
                        item["body"] = body["body"]
                        return 200, item, {}
            return 404, {"message": "Not Found"}, {}
        if method == "GET" and path == "/user" and "/user" not in self.objects:
            if self.viewer is None:
                return 403, {"message": "Resource not accessible by integration"}, {}
            return 200, self.viewer, {}
        if method == "GET" and path in self.lists:
            return self._page(path, query, self.lists[path])
        if method == "GET" and path in self.objects:
            return 200, self.objects[path], {}
        return 404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}, {}

    def _refused(self) -> tuple[int, Any, dict[str, str]]:
        status = self.comment_writes_refused or 403
        return status, {"message": "Resource not accessible by integration"}, {}

    def _page(self, path: str, query: dict[str, str], items: list[Any]) -> tuple[int, Any, dict[str, str]]:
        for pattern, cap in LIST_CAPS:
            if pattern.fullmatch(path):
                items = items[:cap]
        per_page = min(int(query.get("per_page", "30")), 100)
        if self.page_size:
            per_page = min(per_page, self.page_size)
        page = int(query.get("page", "1"))
        last = max(1, -(-len(items) // per_page))
        chunk = items[(page - 1) * per_page : page * per_page]
        links = []
        if page < last:
            links.append(f'<{self._page_url(path, query, page + 1)}>; rel="next"')
            links.append(f'<{self._page_url(path, query, last)}>; rel="last"')
        if page > 1:
            links.append(f'<{self._page_url(path, query, 1)}>; rel="first"')
            links.append(f'<{self._page_url(path, query, page - 1)}>; rel="prev"')
        return 200, chunk, ({"Link": ", ".join(links)} if links else {})

    def _page_url(self, path: str, query: dict[str, str], page: int) -> str:
        return f"{self.link_base or self.url}{path}?{urllib.parse.urlencode({**query, 'page': str(page)})}"

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, status: int, data: Any, headers: dict[str, str]) -> None:
        payload = json.dumps(data).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("Content-Length", str(len(payload)))
        for key, value in headers.items():
            handler.send_header(key, value)
        handler.end_headers()
        try:
            handler.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting (a timeout test)
            pass

