"""The GitHub REST client and the calls built on it, against a real local HTTP server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import SCENARIOS
from github_server import GithubServer, fixture

from changegate import model as models
from changegate.errors import GitError, InputError, SourceError
from changegate.load.gate import load_gate
from changegate.report.github import comment
from changegate.sources.github import base_gate, event, facts, pulls, teams
from changegate.sources.github.api import ApiError, Client, GithubInputError, client_from_env, next_link, origin

REPO = "acme/shop"
SHARED = SCENARIOS / "_shared"
PR = "/repos/acme/shop/pulls/42"
BOT = "github-actions[bot]"


@pytest.fixture
def server() -> Iterator[GithubServer]:
    with GithubServer() as srv:
        srv.pull_request()
        yield srv


def client_for(server: GithubServer, waits: list[float] | None = None, max_sleep: float = 0.0) -> Client:
    record = waits.append if waits is not None else (lambda _s: None)
    return Client("t0ken", server.url, max_sleep=max_sleep, sleep=record)


# ----------------------------------------------------------------------------- client


def test_requests_carry_bearer_token_accept_and_api_version(server: GithubServer) -> None:
    client_for(server).get(PR, permission="pull-requests: read")
    (req,) = server.seen("GET", PR)
    assert req.headers["authorization"] == "Bearer t0ken"
    assert req.headers["accept"] == "application/vnd.github+json"
    assert req.headers["x-github-api-version"] == "2022-11-28"


def test_lists_follow_link_next_across_pages(server: GithubServer) -> None:
    server.page_size = 1
    names, listed = pulls.files(client_for(server), REPO, 42)
    assert names == [
        "services/crm/app.py",
        ".changegate/changes/crm-5-2.yaml",
        "services/crm/api/v2.py",
        "services/crm/api/v1.py",
    ]
    assert listed == 3
    pages = [(r.query["per_page"], r.query.get("page")) for r in server.seen("GET", f"{PR}/files")]
    assert pages == [("100", None), ("100", "2"), ("100", "3")]


def test_next_link_is_read_from_a_link_header_with_several_relations() -> None:
    header = '<https://api.github.com/x?page=3>; rel="next", <https://api.github.com/x?page=9>; rel="last"'
    assert next_link(header) == "https://api.github.com/x?page=3"
    assert next_link('<https://api.github.com/x?page=1>; rel="prev"') is None
    assert next_link(None) is None


def test_a_next_page_on_another_host_is_not_followed(server: GithubServer) -> None:
    server.object("/repos/acme/shop/odd", [])
    # A list whose Link points elsewhere: serve it from a second server with its own URL.
    with GithubServer(page_size=1) as other:
        other.list("/repos/acme/shop/odd", [1, 2])
        client = Client("t0ken", other.url.replace("127.0.0.1", "localhost"), max_sleep=0)
        with pytest.raises(ApiError) as err:
            client.get_all("repos/acme/shop/odd", permission="contents: read")
    assert err.value.message == (
        f"GET repos/acme/shop/odd: the next page is on another host ({other.url.split('//')[1]}); not following it"
    )


def test_server_errors_are_retried_with_backoff_then_succeed(server: GithubServer) -> None:
    server.fail("GET", f"{PR}/reviews", 502, times=2)
    waits: list[float] = []
    reviews = pulls.reviews(client_for(server, waits, max_sleep=30), REPO, 42)
    assert [r.user for r in reviews] == ["alice", "bob"]
    assert waits == [1.0, 2.0]
    assert len(server.seen("GET", f"{PR}/reviews")) == 3


def test_secondary_rate_limit_waits_retry_after_capped_then_retries(server: GithubServer) -> None:
    server.fail("GET", f"{PR}/commits", 403, headers={"Retry-After": "120"},
                body={"message": "You have exceeded a secondary rate limit."})
    server.fail("GET", f"{PR}/commits", 429, headers={"Retry-After": "7"})
    waits: list[float] = []
    logins = pulls.committers(client_for(server, waits, max_sleep=60), REPO, 42)
    assert logins == ("carol", "erin")
    assert waits == [60, 7.0]


def test_server_errors_that_persist_end_in_a_clear_error(server: GithubServer) -> None:
    server.fail("GET", f"{PR}/reviews", 503, times=10, body={"message": "Service Unavailable"})
    with pytest.raises(ApiError) as err:
        pulls.reviews(client_for(server), REPO, 42)
    assert str(err.value) == (
        "GitHub API: GET /repos/acme/shop/pulls/42/reviews: HTTP 503 (GitHub said: Service Unavailable): "
        "GitHub's server failed after 5 attempts"
    )
    assert len(server.seen("GET", f"{PR}/reviews")) == 5


def test_forbidden_names_the_missing_permission(server: GithubServer) -> None:
    server.fail("GET", f"{PR}/files", 403, body={"message": "Resource not accessible by integration"})
    with pytest.raises(ApiError) as err:
        pulls.files(client_for(server), REPO, 42)
    assert err.value.status == 403
    assert str(err.value) == (
        "GitHub API: GET /repos/acme/shop/pulls/42/files: 403 Forbidden (GitHub said: Resource not accessible "
        "by integration): the token cannot read or write this; it needs pull-requests: read"
    )


def test_not_found_names_the_missing_permission(server: GithubServer) -> None:
    with pytest.raises(ApiError) as err:
        pulls.reviews(client_for(server), REPO, 7)
    assert str(err.value) == (
        "GitHub API: GET /repos/acme/shop/pulls/7/reviews: 404 Not Found (GitHub said: Not Found): it does not "
        "exist, or the token cannot see it; it needs pull-requests: read"
    )


def test_unauthorized_says_the_token_is_bad(server: GithubServer) -> None:
    server.fail("GET", PR, 401, body={"message": "Bad credentials"})
    with pytest.raises(ApiError) as err:
        pulls.pull(client_for(server), REPO, 42)
    assert str(err.value) == (
        "GitHub API: GET /repos/acme/shop/pulls/42: 401 Unauthorized (GitHub said: Bad credentials): "
        "the token is missing, expired or invalid"
    )


def test_an_unreachable_api_is_a_clear_error_after_retries() -> None:
    with GithubServer() as srv:
        url = srv.url
    waits: list[float] = []
    client = Client("t0ken", url, max_sleep=0, sleep=waits.append)
    with pytest.raises(ApiError) as err:
        client.get("repos/acme/shop", permission="contents: read")
    assert err.value.message.startswith(f"GET /repos/acme/shop: cannot reach {url}: ")
    assert len(waits) == 4


# ----------------------------------------------------------------------------- pull request data


def test_reviews_lower_case_logins_keep_dismissed_and_skip_deleted_users(server: GithubServer) -> None:
    reviews = pulls.reviews(client_for(server), REPO, 42)
    sha = "1111111111111111111111111111111111111111"
    assert reviews == (
        models.Review("alice", "APPROVED", sha, "2026-11-27T10:00:00Z"),
        models.Review("bob", "DISMISSED", sha, "2026-11-27T10:05:00Z"),
    )


def test_committers_are_commit_authors_and_committers_without_web_flow(server: GithubServer) -> None:
    assert pulls.committers(client_for(server), REPO, 42) == ("carol", "erin")


def test_team_members_come_live_from_github_for_teams_with_github_team(server: GithubServer) -> None:
    server.list("/orgs/acme/teams/crm/members", fixture("team_members"))
    depmap_teams = {
        "crm-team": models.Team("crm-team", ("bob",), github_team="acme/crm"),
        "ops": models.Team("ops", ("olga",)),
    }
    members, notices = teams.members(client_for(server), depmap_teams)
    assert members == {"crm-team": frozenset({"alice", "frank"})}
    assert notices == ()
    assert [r.path for r in server.seen("GET", "/orgs/")] == ["/orgs/acme/teams/crm/members"]


def test_team_members_fall_back_to_the_map_when_github_refuses(server: GithubServer) -> None:
    server.fail("GET", "/orgs/acme/teams/crm/members", 403)
    depmap_teams = {
        "crm-team": models.Team("crm-team", ("bob",), github_team="acme/crm"),
        "finance": models.Team("finance", ("fay",), github_team="acme/finance"),  # 404: not served
    }
    members, notices = teams.members(client_for(server), depmap_teams)
    assert members == {}
    assert notices == (
        "team crm-team: could not read members of acme/crm (403 Forbidden: the token may not read team members; "
        "needs members: read / read:org); using the map's members",
        "team finance: could not read members of acme/finance (404 Not Found: no such team, or the token cannot "
        "see it; needs members: read / read:org); using the map's members",
    )


def test_team_lookup_server_errors_are_not_silently_replaced_by_the_map(server: GithubServer) -> None:
    server.fail("GET", "/orgs/acme/teams/crm/members", 500, times=10)
    with pytest.raises(ApiError):
        teams.members(client_for(server), {"crm-team": models.Team("crm-team", ("bob",), github_team="acme/crm")})


# ----------------------------------------------------------------------------- sticky comment


def test_sticky_comment_is_created_once_then_edited_in_place(server: GithubServer) -> None:
    client = client_for(server)
    assert comment.upsert(client, REPO, 42, "first", BOT) == "created"
    assert comment.upsert(client, REPO, 42, "second", BOT) == "updated"
    bodies = [c["body"] for c in server.comments["acme/shop#42"]]
    assert bodies == ["Thanks! Could you add a rollback plan?", "<!-- changegate:summary -->\nsecond"]
    assert len(server.seen("POST")) == 1
    (patch,) = server.seen("PATCH")
    assert patch.path == f"/repos/acme/shop/issues/comments/{server.comments['acme/shop#42'][1]['id']}"


def test_sticky_comment_is_found_past_the_first_page(server: GithubServer) -> None:
    server.page_size = 2
    others = [{"id": i, "body": f"comment {i}", "user": {"login": "u"}} for i in range(1, 6)]
    ours = {"id": 77, "body": "<!-- changegate:summary -->\nold", "user": {"login": BOT, "type": "Bot"}}
    server.comments["acme/shop#42"] = [*others, ours]
    assert comment.upsert(client_for(server), REPO, 42, "new", BOT) == "updated"
    assert ours["body"] == "<!-- changegate:summary -->\nnew"
    assert len(server.seen("GET", "/repos/acme/shop/issues/42/comments")) == 3


def test_long_comment_is_cut_at_a_line_with_fences_closed_and_a_pointer() -> None:
    text = "<!-- changegate:summary -->\n# Title\n<details><summary>graph</summary>\n\n```mermaid\n"
    text += "".join(f"  n{i} --> n{i + 1}\n" for i in range(10_000)) + "```\n</details>\n"
    cut = comment.truncate(text, "https://github.com/acme/shop/actions/runs/5")
    assert len(cut) <= comment.COMMENT_LIMIT
    assert cut.startswith("<!-- changegate:summary -->\n# Title\n")
    body, note = cut.rsplit("\n\n**This summary", 1)
    assert body.endswith("```\n</details>\n")
    last_line = body.splitlines()[-3]
    number = int(last_line.split()[0][1:])
    assert last_line == f"  n{number} --> n{number + 1}"
    assert note == (
        " was cut to fit a comment.** The full text is in the "
        "[job summary](https://github.com/acme/shop/actions/runs/5).\n"
    )


def test_short_comment_is_not_cut() -> None:
    assert comment.truncate("short\n", None) == "short\n"


# ----------------------------------------------------------------------------- event


def write_event(tmp_path: Path, data: dict, name: str = "event.json") -> Path:  # type: ignore[type-arg]
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_pull_request_event_gives_number_shas_author_labels_and_draft(tmp_path: Path) -> None:
    path = write_event(tmp_path, fixture("pull_request_event"))
    ev = event.load_event(path, "pull_request")
    assert ev == event.Event(
        name="pull_request",
        repository="acme/shop",
        base_sha="0" * 40,
        head_sha="1" * 40,
        pr_number=42,
        author="dave",
        labels=("release",),
        draft=False,
        changed_files=3,
        head_repository="acme/shop",
        commits=2,
    )


def test_merge_group_event_has_no_pr_number_but_names_the_queued_pr(tmp_path: Path) -> None:
    ev = event.load_event(write_event(tmp_path, fixture("merge_group_event")), "merge_group")
    assert (ev.pr_number, ev.queued_pr, ev.base_sha, ev.head_sha) == (None, 42, "0" * 40, "2" * 40)


def test_an_event_changegate_does_not_handle_is_a_clear_error(tmp_path: Path) -> None:
    path = write_event(tmp_path, {})
    with pytest.raises(GithubInputError) as err:
        event.load_event(path, "push")
    assert str(err.value) == (
        f"{path}: changegate does not handle the 'push' event; run it on "
        "pull_request, pull_request_target, pull_request_review, merge_group "
        "(or on workflow_run, to check a pull request again)"
    )


def test_an_event_without_shas_is_a_clear_error(tmp_path: Path) -> None:
    data = fixture("pull_request_event")
    del data["pull_request"]["head"]["sha"]
    path = write_event(tmp_path, data)
    with pytest.raises(GithubInputError) as err:
        event.load_event(path, "pull_request")
    assert str(err.value) == f"{path}: the event has no commit SHA at pull_request.head.sha"


def test_missing_event_path_says_where_to_run(tmp_path: Path) -> None:
    with pytest.raises(GithubInputError) as err:
        event.load({"GITHUB_EVENT_NAME": "pull_request"})
    assert str(err.value) == (
        "GitHub mode: GITHUB_EVENT_PATH is not set: run changegate --github inside a GitHub Actions workflow"
    )


# ----------------------------------------------------------------------------- what GitHub says


def make_repo(git_repo, files: int = 2) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    git_repo.write("README.md", "base\n")
    base = git_repo.commit("base")
    for i in range(files):
        git_repo.write(f"services/crm/f{i}.py", f"{i}\n")
    git_repo.write("README.md", "head\n")
    head = git_repo.commit("head")
    return base, head


def gather(root: Path, depmap_teams: dict[str, models.Team], env: dict[str, str]) -> facts.GithubFacts:
    """The facts of the run `env` describes, as `changegate check --github` gathers them."""
    return facts.gather(root, event.load(env), client_from_env(env), depmap_teams)


def env_for(server: GithubServer, event_path: Path, name: str = "pull_request", **extra: str) -> dict[str, str]:
    return {
        "GITHUB_EVENT_PATH": str(event_path),
        "GITHUB_EVENT_NAME": name,
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_API_URL": server.url,
        "GITHUB_TOKEN": "t0ken",
        "CHANGEGATE_API_MAX_SLEEP": "0",
        **extra,
    }


def test_gathers_files_reviews_committers_and_team_members(server: GithubServer, tmp_path: Path) -> None:
    server.list("/orgs/acme/teams/crm/members", fixture("team_members"))
    path = write_event(tmp_path, fixture("pull_request_event"))
    depmap_teams = {"crm-team": models.Team("crm-team", ("bob",), github_team="acme/crm")}
    run = gather(tmp_path, depmap_teams, env_for(server, path))
    assert run.changed_files == (
        ".changegate/changes/crm-5-2.yaml",
        "services/crm/api/v1.py",
        "services/crm/api/v2.py",
        "services/crm/app.py",
    )
    assert run.approvals.author == "dave"
    assert run.approvals.head_sha == "1" * 40
    assert run.approvals.labels == ("release",)
    assert [r.user for r in run.approvals.reviews] == ["alice", "bob"]
    assert run.approvals.committers == ("carol", "erin")
    assert run.team_members == {"crm-team": frozenset({"alice", "frank"})}
    assert run.notices == ()


def test_git_is_used_past_the_api_file_cap_and_says_so(server: GithubServer, tmp_path: Path, git_repo) -> None:  # type: ignore[no-untyped-def]
    base, head = make_repo(git_repo)
    data = fixture("pull_request_event")
    data["pull_request"].update(changed_files=3001)
    data["pull_request"]["base"]["sha"], data["pull_request"]["head"]["sha"] = base, head
    run = gather(git_repo.root, {}, env_for(server, write_event(tmp_path, data)))
    assert run.changed_files == ("README.md", "services/crm/f0.py", "services/crm/f1.py")
    assert run.notices == (
        "this pull request changes 3001 files, more than the 3000 the GitHub API lists; "
        "changed files were taken from git diff of base...head instead",
    )
    assert server.seen("GET", f"{PR}/files") == []


def test_never_gates_on_a_short_file_list(server: GithubServer, tmp_path: Path, git_repo) -> None:  # type: ignore[no-untyped-def]
    base, head = make_repo(git_repo)
    data = fixture("pull_request_event")
    data["pull_request"].update(changed_files=5)
    data["pull_request"]["base"]["sha"], data["pull_request"]["head"]["sha"] = base, head
    run = gather(git_repo.root, {}, env_for(server, write_event(tmp_path, data)))
    assert run.changed_files == ("README.md", "services/crm/f0.py", "services/crm/f1.py")
    assert run.notices == (
        "the GitHub API listed 3 of this pull request's 5 files; "
        "changed files were taken from git diff of base...head instead",
    )


def test_fails_clearly_when_git_lacks_the_commits(server: GithubServer, tmp_path: Path, git_repo) -> None:  # type: ignore[no-untyped-def]
    make_repo(git_repo)
    data = fixture("pull_request_event")
    data["pull_request"].update(changed_files=4000)
    with pytest.raises(GitError) as err:
        gather(git_repo.root, {}, env_for(server, write_event(tmp_path, data)))
    assert err.value.message == (
        f"the base commit {'0' * 40} is not in the repository; "
        "check out with actions/checkout and fetch-depth: 0 so both commits are present"
    )


def test_on_merge_group_diffs_the_queue_and_reads_the_queued_prs_approvals(
    server: GithubServer, tmp_path: Path, git_repo  # type: ignore[no-untyped-def]
) -> None:
    base, head = make_repo(git_repo, files=1)
    data = fixture("merge_group_event")
    data["merge_group"].update(base_sha=base, head_sha=head)
    run = gather(git_repo.root, {}, env_for(server, write_event(tmp_path, data), "merge_group"))
    assert run.changed_files == ("README.md", "services/crm/f0.py")
    assert run.approvals.author == "dave"
    assert run.approvals.head_sha == "1" * 40  # the queued PR's head, where its reviews were given
    assert [r.user for r in run.approvals.reviews] == ["alice", "bob"]
    assert run.notices == ("merge queue: approvals are those of pull request #42, on its head commit",)


def test_without_a_token_github_mode_says_how_to_give_one(server: GithubServer, tmp_path: Path) -> None:
    env = env_for(server, write_event(tmp_path, fixture("pull_request_event")))
    del env["GITHUB_TOKEN"]
    with pytest.raises(GithubInputError) as err:
        client_from_env(env)
    assert str(err.value) == (
        "GitHub mode: no GitHub token: set the action's `token` input (it defaults to github.token), "
        "or CHANGEGATE_TOKEN or GITHUB_TOKEN in the step's env"
    )


def test_an_api_failure_is_a_source_error_not_an_input_error(server: GithubServer) -> None:
    server.fail("GET", f"{PR}/reviews", 500, times=10)
    with pytest.raises(ApiError) as err:
        pulls.reviews(client_for(server), REPO, 42)
    assert isinstance(err.value, SourceError) and not isinstance(err.value, InputError)
    assert str(err.value) == ("GitHub API: GET /repos/acme/shop/pulls/42/reviews: HTTP 500 (GitHub said: failure): "
                              "GitHub's server failed after 5 attempts")


# ----------------------------------------------------------------------------- the gate from the base commit


def test_the_gate_is_read_as_the_base_commit_has_it(git_repo) -> None:  # type: ignore[no-untyped-def]
    git_repo.copy_tree(SHARED / "retail-mini")
    base = git_repo.commit("base")
    git_repo.write(".changegate/policies/org.yaml", "version: 1\nlayer: org\npolicies: []\n")
    git_repo.commit("head weakens the gate")
    with pytest.raises(InputError, match="the gate has no policy"):  # the head's gate gates nothing
        load_gate(git_repo.root, None, no_cache=True)
    gate = base_gate.load_from_base(git_repo.root, base, None, no_cache=True)
    assert [p.id for p in gate.policies] == ["need-manifest"]


def test_an_explicit_config_missing_at_the_base_commit_is_an_input_error(git_repo) -> None:  # type: ignore[no-untyped-def]
    git_repo.copy_tree(SHARED / "retail-mini")
    base = git_repo.commit("base")
    with pytest.raises(InputError) as err:
        base_gate.load_from_base(git_repo.root, base, "gate.yaml", no_cache=True)
    assert str(err.value) == f"gate.yaml: config file not found at the base commit {base[:12]}"


def test_a_file_listing_that_reaches_the_api_cap_is_replaced_by_git(server: GithubServer, tmp_path: Path,
                                                                    git_repo) -> None:  # type: ignore[no-untyped-def]
    base, head = make_repo(git_repo)
    data = fixture("pull_request_event")
    del data["pull_request"]["changed_files"]
    data["pull_request"]["base"]["sha"], data["pull_request"]["head"]["sha"] = base, head
    server.objects[PR].pop("changed_files")
    server.list(f"{PR}/files", [{"filename": f"f{i}.txt"} for i in range(3500)])  # served: the first 3,000
    run = gather(git_repo.root, {}, env_for(server, write_event(tmp_path, data)))
    assert run.changed_files == ("README.md", "services/crm/f0.py", "services/crm/f1.py")
    assert run.notices == (
        "the GitHub API listed 3000 (its cap) of this pull request's files; "
        "changed files were taken from git diff of base...head instead",
    )


def test_the_token_goes_only_to_the_api_origin_default_ports_included() -> None:
    github = ("https", "api.github.com", 443)
    assert origin("https://API.github.com/x") == origin("https://api.github.com:443/y") == github
    assert origin("http://127.0.0.1:8080/a") != origin("http://127.0.0.1:8081/a")
    assert origin("http://api.github.com/") != origin("https://api.github.com/")


def test_a_post_is_not_repeated_when_the_connection_drops() -> None:
    with GithubServer() as srv:
        url = srv.url
    waits: list[float] = []
    client = Client("t0ken", url, max_sleep=0, sleep=waits.append)
    with pytest.raises(ApiError) as err:
        client.post("repos/acme/shop/issues/42/comments", {"body": "x"}, permission="pull-requests: write")
    assert waits == []
    assert err.value.kind == "unreachable"
    assert err.value.message.endswith("(not repeated: it may have been carried out)")


def test_a_primary_rate_limit_that_resets_within_the_wait_cap_is_waited_out(server: GithubServer) -> None:
    server.fail("GET", f"{PR}/reviews", 403, headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": "0"},
                body={"message": "API rate limit exceeded"})
    waits: list[float] = []
    reviews = pulls.reviews(client_for(server, waits, max_sleep=5), REPO, 42)
    assert [r.user for r in reviews] == ["alice", "bob"] and waits == [1.0]


def test_a_link_to_another_origin_is_refused_before_anything_is_sent(server: GithubServer) -> None:
    with GithubServer() as elsewhere:
        server.list("/repos/acme/shop/odd", [1, 2])
        server.page_size = 1
        server.link_base = elsewhere.url  # the next page's link points at the other server
        with pytest.raises(ApiError) as err:
            client_for(server).get_all("repos/acme/shop/odd", permission="contents: read")
        assert elsewhere.seen() == []
    assert err.value.kind == "cross-origin"


def test_a_read_that_times_out_is_retried_then_fails_closed_saying_so(server: GithubServer) -> None:
    server.stalls[("GET", f"{PR}/reviews")] = 2.0
    waits: list[float] = []
    client = Client("t0ken", server.url, max_sleep=0, timeout=0.2, sleep=waits.append)
    with pytest.raises(ApiError) as err:
        pulls.reviews(client, REPO, 42)
    assert err.value.kind == "timeout"
    assert err.value.message == f"GET {PR}/reviews: no answer within 0.2 s after 5 attempts"
    assert len(waits) == 4
