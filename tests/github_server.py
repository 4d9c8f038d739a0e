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
        # "acme/shop@<sha>" -> check runs / commit statuses on that commit (newest last);
        # a commit with none gets GitHub's empty answers
        self.check_runs: dict[str, list[dict[str, Any]]] = {}
        self.statuses: dict[str, list[dict[str, Any]]] = {}
        self.status_writes_refused: int | None = None  # e.g. 403 for a token without statuses: write
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

    def check_run(self, repo: str, sha: str, name: str, conclusion: str | None, *,
                  status: str = "completed", app: str = "github-actions", suite: int = 1) -> dict[str, Any]:
        """Add a check run on `sha` (newer than every one added before) in check suite `suite`,
        shaped like GET /repos/{o}/{r}/commits/{sha}/check-runs lists it."""
        runs = self.check_runs.setdefault(f"{repo}@{sha}", [])
        run_id = 4_000_000_000 + sum(len(v) for v in self.check_runs.values())
        run = {
            "id": run_id, "node_id": f"CR_{run_id}", "head_sha": sha, "external_id": "",
            "url": f"{self.url}/repos/{repo}/check-runs/{run_id}",
            "html_url": f"https://github.com/{repo}/runs/{run_id}", "details_url": f"https://github.com/{repo}/runs/{run_id}",
            "status": status, "conclusion": conclusion if status == "completed" else None,
            "started_at": f"2026-11-27T10:{len(runs):02d}:00Z",
            "completed_at": f"2026-11-27T10:{len(runs):02d}:30Z" if status == "completed" else None,
            "output": {"title": None, "summary": None, "text": None, "annotations_count": 0, "annotations_url": ""},
            "name": name, "check_suite": {"id": suite},
            "app": {"id": 15368, "slug": app, "name": "GitHub Actions"}, "pull_requests": [],
        }
        runs.append(run)
        return run

    def commit_status(self, repo: str, sha: str, context: str, state: str) -> None:
        """Set the status of `context` on `sha`; the combined status keeps the latest of each context."""
        items = self.statuses.setdefault(f"{repo}@{sha}", [])
        status_id = 7_000_000 + sum(len(v) for v in self.statuses.values())
        items[:] = [s for s in items if s["context"] != context]
        items.append({
            "url": f"{self.url}/repos/{repo}/statuses/{sha}", "avatar_url": "", "id": status_id,
            "node_id": f"SC_{status_id}", "state": state, "description": f"{context} {state}",
            "target_url": "https://ci.example.com/build/1", "context": context,
            "created_at": f"2026-11-27T10:{len(items):02d}:00Z", "updated_at": f"2026-11-27T10:{len(items):02d}:00Z",
        })

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
        written = re.fullmatch(r"/repos/([^/]+/[^/]+)/statuses/([0-9a-f]{40})", path)
        if written and method == "POST":
            if self.status_writes_refused:
                return self.status_writes_refused, {"message": "Resource not accessible by integration"}, {}
            self.commit_status(written.group(1), written.group(2), body["context"], body["state"])
            return 201, self.statuses[f"{written.group(1)}@{written.group(2)}"][-1], {}
        pulls = re.fullmatch(r"/repos/([^/]+/[^/]+)/pulls", path)
        if pulls and method == "GET":  # list pull requests, filtered like GitHub by state and head
            found = [item for key, item in sorted(self.objects.items())
                     if re.fullmatch(rf"/repos/{re.escape(pulls.group(1))}/pulls/\d+", key)
                     and (query.get("state", "open") == "all" or item.get("state") == query.get("state", "open"))
                     and ("head" not in query or query["head"] == "{}:{}".format(
                         item["head"]["repo"]["full_name"].split("/")[0], item["head"]["ref"]))]
            return self._page(path, query, found)
        checks = re.fullmatch(r"/repos/([^/]+/[^/]+)/commits/([^/]+)/(check-runs|status)", path)
        if checks and method == "GET" and path not in self.objects:
            repo, sha, what = checks.groups()
            if what == "check-runs":
                runs = self.check_runs.get(f"{repo}@{sha}", [])
                if query.get("filter", "latest") == "latest":  # the latest run of a name in each check suite
                    latest: dict[tuple[str, int], dict[str, Any]] = {}
                    for run in runs:
                        latest[(run["name"], run["check_suite"]["id"])] = run
                    runs = list(latest.values())
                status, chunk, headers = self._page(path, query, runs)
                return status, {"total_count": len(runs), "check_runs": chunk}, headers
            items = self.statuses.get(f"{repo}@{sha}", [])
            status, chunk, headers = self._page(path, query, items)
            states = {item["state"] for item in items}
            combined = ("failure" if states & {"failure", "error"} else
                        "pending" if not items or "pending" in states else "success")
            return status, {"state": combined, "statuses": chunk, "sha": sha, "total_count": len(items),
                            "repository": {"full_name": repo}, "commit_url": "", "url": ""}, headers
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

