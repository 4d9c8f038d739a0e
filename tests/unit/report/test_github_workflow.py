"""Workflow commands, outputs, the job summary and `publish`: what a run writes back to
GitHub, and that nothing a pull request controls can turn into a command or markup."""

from __future__ import annotations

import io
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from github_runner_files import read_outputs
from github_server import GithubServer

from changegate import model as models
from changegate.report import escape
from changegate.report.github import publish, workflow
from changegate.sources.github.api import client_from_env

HOSTILE_TITLE = "Upgrade ::error::x%0A\r\n::warning file=a::pwned @everyone <img src=x onerror=alert(1)>"
HOSTILE_FILE = ".changegate/changes/evil,name:%0A\n::error::y.yaml"
HOSTILE_REVIEWER = "@everyone\n::error::z"


def command_lines(text: str) -> list[str]:
    """Lines the runner would treat as workflow commands (it trims before looking)."""
    return [line for line in text.splitlines() if line.strip().startswith("::")]


# ----------------------------------------------------------------------------- escaping


def test_data_escapes_percent_carriage_return_and_line_feed() -> None:
    assert escape.workflow_data("100% done\r\nnext::x") == "100%25 done%0D%0Anext::x"


def test_properties_also_escape_colon_and_comma() -> None:
    assert escape.workflow_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_annotation_with_hostile_title_file_and_message_stays_one_inert_line() -> None:
    line = workflow.annotation("error", HOSTILE_TITLE, file=HOSTILE_FILE, line=3, title=HOSTILE_TITLE)
    assert "\n" not in line and "\r" not in line
    assert line == (
        "::error file=.changegate/changes/evil%2Cname%3A%250A%0A%3A%3Aerror%3A%3Ay.yaml,line=3,"
        "title=Upgrade %3A%3Aerror%3A%3Ax%250A%0D%0A%3A%3Awarning file=a%3A%3Apwned "
        "@everyone <img src=x onerror=alert(1)>"
        "::Upgrade ::error::x%250A%0D%0A::warning file=a::pwned @everyone <img src=x onerror=alert(1)>"
    )


def test_annotation_strips_terminal_control_characters() -> None:
    assert workflow.annotation("notice", "a\x1b[31mred\x07") == "::notice::a[31mred"


def test_annotation_rejects_an_unknown_level() -> None:
    with pytest.raises(ValueError):
        workflow.annotation("debugz", "x")


def test_group_body_cannot_run_workflow_commands() -> None:
    text = workflow.group("why", ["plain", "::error::pwned", "  ::set-output name=x::y", "bell\x07"])
    lines = text.splitlines()
    token = lines[1].removeprefix("::stop-commands::")
    assert re.fullmatch(r"changegate-[0-9a-f]{32}", token)
    assert lines == [
        "::group::why",
        f"::stop-commands::{token}",
        "plain",
        "::error::pwned",
        "  ::set-output name=x::y",
        "bell",
        f"::{token}::",
        "::endgroup::",
    ]
    assert token not in workflow.group("why", [])  # a fresh token every time


def test_outputs_survive_multi_line_values_and_fake_delimiters(tmp_path: Path) -> None:
    path = tmp_path / "output"
    path.write_text("", encoding="utf-8")
    workflow.write_outputs(path, {"decision": "fail", "summary": "a\nEOF\nghadelimiter_x\nb"})
    workflow.write_outputs(path, {"risk": "high"})
    assert read_outputs(path) == {"decision": "fail", "summary": "a\nEOF\nghadelimiter_x\nb", "risk": "high"}


def test_step_summary_is_appended_not_replaced(tmp_path: Path) -> None:
    path = tmp_path / "summary.md"
    path.write_text("# earlier step\n", encoding="utf-8")
    workflow.append_summary(path, "# changegate")
    assert path.read_text(encoding="utf-8") == "# earlier step\n# changegate\n"


def test_step_summary_past_one_mebibyte_is_cut_with_a_note(tmp_path: Path) -> None:
    path = tmp_path / "summary.md"
    workflow.append_summary(path, "line\n" * 300_000)
    text = path.read_text(encoding="utf-8")
    assert len(text.encode()) <= workflow.STEP_SUMMARY_LIMIT
    assert text.endswith("line\n\n_The summary was cut: it is longer than GitHub shows in a job summary._\n")


# ----------------------------------------------------------------------------- publish


def decision(status: str = "missing") -> models.Decision:
    risk = models.Risk("high", "medium", "high", ("finance-settlement is high",))
    impact = models.Impact(
        touched_components=("crm",),
        changed_interfaces=(),
        impacted_components=(models.ImpactedComponent("crm", ("crm",), True, 0),),
        value_streams=(models.AffectedValueStream("finance", "high", ("fin-owners",), ("crm", "finance")),),
        unmapped_files=(HOSTILE_FILE,),
        risk=risk,
    )
    req = models.Requirement(
        kind="approval",
        target="component:crm",
        policy="baseline-owner-approval",
        layer="org",
        severity="error",
        status=status,  # type: ignore[arg-type]
        detail=f"needs 1 approval from crm-team; {HOSTILE_REVIEWER} is not a member",
        fix="ask a member of crm-team to approve",
    )
    return models.Decision(
        decision="fail" if status == "missing" else "pass",
        change=models.ChangeInfo(HOSTILE_FILE, HOSTILE_TITLE, "normal"),
        base="0" * 40,
        head="1" * 40,
        files=2,
        impact=impact,
        policies=(models.PolicyResult("baseline-owner-approval", "org", True, "error", reason="crm touched"),),
        requirements=(req,),
        findings=(models.Finding("warning", "risk-under-declared", HOSTILE_TITLE, HOSTILE_FILE, 7),),
        depmap=models.DepMap({}, {}, {}, {}),
    )


def publish_to(env: dict[str, str], decision: models.Decision, markdown: str, stream: io.StringIO, *,
               comment: bool = True, pull_request: int | None = 42) -> None:
    """Publish as `changegate check --github` does, with a client made from `env`."""
    publish.publish(decision, markdown, repository="acme/shop", pull_request=pull_request,
                    comments=client_from_env(env) if comment else None, comment_author=lambda: "github-actions[bot]",
                    env=env, stream=stream)


@pytest.fixture
def server() -> Iterator[GithubServer]:
    with GithubServer() as srv:
        srv.pull_request()
        yield srv


@pytest.fixture
def env(server: GithubServer, tmp_path: Path) -> dict[str, str]:
    (tmp_path / "output").write_text("", encoding="utf-8")
    return {
        "GITHUB_API_URL": server.url,
        "GITHUB_REPOSITORY": "acme/shop",
        "GITHUB_TOKEN": "t0ken",
        "CHANGEGATE_API_MAX_SLEEP": "0",
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "GITHUB_OUTPUT": str(tmp_path / "output"),
        "RUNNER_TEMP": str(tmp_path / "runner-temp"),
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_RUN_ID": "99",
    }


def test_publish_writes_annotations_group_summary_outputs_and_the_comment(
    server: GithubServer, env: dict[str, str], tmp_path: Path
) -> None:
    stream = io.StringIO()
    publish_to(env, decision(), "# changegate: fail\n", stream)
    log = stream.getvalue()
    commands = command_lines(log)
    token = re.search(r"::stop-commands::(\S+)", log).group(1)  # type: ignore[union-attr]
    assert commands == [
        "::warning file=.changegate/changes/evil%2Cname%3A%250A%0A%3A%3Aerror%3A%3Ay.yaml,line=7,"
        "title=changegate%3A risk-under-declared::Upgrade ::error::x%250A%0D%0A::warning file=a::pwned "
        "@everyone <img src=x onerror=alert(1)>",
        "::error file=.changegate/changes/evil%2Cname%3A%250A%0A%3A%3Aerror%3A%3Ay.yaml,line=1,"
        "title=changegate%3A approval component%3Acrm missing (baseline-owner-approval)::needs 1 approval from "
        "crm-team; @everyone%0A::error::z is not a member%0ATo fix: ask a member of crm-team to approve",
        "::group::changegate: why the decision is fail",
        f"::stop-commands::{token}",
        f"::{token}::",
        "::endgroup::",
    ]
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert summary == "<!-- changegate:summary -->\n# changegate: fail\n"
    summary_path = tmp_path / "runner-temp" / "changegate-summary.md"
    assert summary_path.read_text(encoding="utf-8") == summary
    assert read_outputs(tmp_path / "output") == {
        "decision": "fail",
        "risk": "high",
        "value-streams": "finance",
        "summary-path": str(summary_path),
    }
    (post,) = server.seen("POST", "/repos/acme/shop/issues/42/comments")
    assert post.body == {"body": summary}
    assert log.endswith("changegate: pull request comment created\n")


def test_publish_annotates_a_notice_finding_once(env: dict[str, str]) -> None:
    notice = "merge queue: approvals are those of pull request #42, on its head commit"
    base = decision()
    with_finding = models.Decision(**{**base.__dict__, "findings": (models.Finding("notice", "github", notice),)})
    stream = io.StringIO()
    publish_to(env, with_finding, "# x\n", stream, comment=False)
    assert [c for c in command_lines(stream.getvalue()) if notice in c] == [
        "::notice title=changegate%3A github::merge queue: approvals are those of pull request #42, on its head commit"
    ]


def test_publish_edits_the_comment_on_the_second_run(server: GithubServer, env: dict[str, str]) -> None:
    publish_to(env, decision(), "# first\n", io.StringIO())
    stream = io.StringIO()
    publish_to(env, decision("satisfied"), "# second\n", stream)
    ours = [c for c in server.comments["acme/shop#42"] if c["body"].startswith("<!-- changegate:summary -->")]
    assert [c["body"] for c in ours] == ["<!-- changegate:summary -->\n# second\n"]
    assert len(server.seen("POST")) == 1 and len(server.seen("PATCH")) == 1
    assert stream.getvalue().endswith("changegate: pull request comment updated\n")


def test_publish_with_a_read_only_token_skips_the_comment_with_a_notice(
    server: GithubServer, env: dict[str, str], tmp_path: Path
) -> None:
    server.comment_writes_refused = 403
    stream = io.StringIO()
    publish_to(env, decision(), "# fork\n", stream)
    assert command_lines(stream.getvalue())[-1] == (
        "::notice title=changegate::the pull request comment was skipped: POST /repos/acme/shop/issues/42/comments: "
        "403 Forbidden (GitHub said: Resource not accessible by integration): the token cannot read or write this; "
        "it needs pull-requests: write (the default token of a fork's pull request is read-only). "
        "The decision stands and is in the job summary."
    )
    assert (tmp_path / "summary.md").read_text(encoding="utf-8") == "<!-- changegate:summary -->\n# fork\n"


def test_publish_survives_a_comment_api_that_keeps_failing(server: GithubServer, env: dict[str, str]) -> None:
    server.fail("GET", "/repos/acme/shop/issues/42/comments", 502, times=10)
    stream = io.StringIO()
    publish_to(env, decision(), "# x\n", stream)
    assert command_lines(stream.getvalue())[-1].startswith(
        "::notice title=changegate::the pull request comment was skipped: "
        "GET /repos/acme/shop/issues/42/comments: HTTP 502"
    )


def test_publish_on_merge_group_writes_no_comment(server: GithubServer, env: dict[str, str]) -> None:
    stream = io.StringIO()
    publish_to(env, decision(), "# queue\n", stream, pull_request=None)
    assert server.seen("POST") == [] and server.seen("GET") == []
    assert stream.getvalue().endswith(
        "changegate: no pull request comment on a merge_group run (the summary is in the job summary)\n"
    )


def test_publish_with_comment_off_touches_no_api(server: GithubServer, env: dict[str, str]) -> None:
    publish_to(env, decision(), "# x\n", io.StringIO(), comment=False)
    assert server.requests == []


def test_explanation_group_shows_via_chains_and_requirement_status(env: dict[str, str]) -> None:
    stream = io.StringIO()
    publish_to(env, decision(), "# x\n", stream, comment=False)
    log = stream.getvalue()
    body = log[log.index("::stop-commands::") :].splitlines()[1:-2]
    assert body == [
        "decision: fail",
        "change: .changegate/changes/evil,name:%0A ::error::y.yaml: Upgrade ::error::x%0A ::warning file=a::pwned "
        "@everyone <img src=x onerror=alert(1)>",
        f"diff: {'0' * 40}...{'1' * 40} (2 files)",
        "risk: high (computed high, declared medium)",
        "  risk factor: finance-settlement is high",
        "impacted components:",
        "  crm (touched)  via crm",
        "value streams:",
        "  finance [high] owners fin-owners  via crm -> finance",
        "unmapped files:",
        "  .changegate/changes/evil,name:%0A ::error::y.yaml",
        "policies:",
        "  baseline-owner-approval (org, error): matched: crm touched",
        "requirements:",
        "  [MISSING] approval component:crm (baseline-owner-approval, error): needs 1 approval from crm-team; "
        "@everyone ::error::z is not a member; to fix: ask a member of crm-team to approve",
        "findings:",
        "  warning risk-under-declared: .changegate/changes/evil,name:%0A ::error::y.yaml:7: Upgrade ::error::x%0A "
        "::warning file=a::pwned @everyone <img src=x onerror=alert(1)>",
    ]


@pytest.mark.parametrize("runner_temp", [False, True])
def test_the_summary_file_is_never_written_through_a_planted_symlink(
    env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runner_temp: bool
) -> None:
    # Issue 10: with RUNNER_TEMP unset the summary went to <shared tmp>/changegate-summary.md,
    # through whatever symlink another user of that directory had planted there.
    shared = tmp_path / "shared-tmp"
    shared.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(shared))
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n", encoding="utf-8")
    directory = Path(env["RUNNER_TEMP"]) if runner_temp else shared
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "changegate-summary.md").symlink_to(victim)
    if not runner_temp:
        del env["RUNNER_TEMP"]
    publish_to(env, decision(), "# changegate: fail\n", io.StringIO(), comment=False)
    assert victim.read_text(encoding="utf-8") == "precious\n"
    written = Path(read_outputs(tmp_path / "output")["summary-path"])
    assert written.parent == directory and not written.is_symlink()
    assert written.read_text(encoding="utf-8") == "<!-- changegate:summary -->\n# changegate: fail\n"
    assert written.stat().st_mode & 0o077 == 0  # created private (mkstemp), not world-readable
