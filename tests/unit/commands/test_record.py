"""`changegate record` on a real history of merge commits, squash merges and a revert: the
note on each merge commit (content), re-running (idempotence), a changed decision (appended,
never overwritten), a foreign note (refused), and the ways the merged change is found."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner, Result
from conftest import PROJECT, GitRepo
from github_server import GithubServer
from history_samples import TODAY, History, approvals, build_history

from changegate.cli import cli

NOW = f"{TODAY}T10:00:00Z"


def _run(root: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> Result:
    monkeypatch.chdir(root)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _record(root: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> Result:
    return _run(root, monkeypatch, "record", "--now", NOW, *args)


def _schema(name: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads((PROJECT / "schemas" / f"{name}.schema.json").read_text()))


def _note(repo: GitRepo, commit: str) -> list[dict]:  # type: ignore[type-arg]
    """The records of the note on `commit`, each valid against record.schema.json, and what
    is not `record` against decision.schema.json."""
    text = repo.git("notes", "--ref", "changegate", "show", commit)
    records = [json.loads(line) for line in text.splitlines() if line.strip()]
    for data in records:
        _schema("record").validate(data)
        _schema("decision").validate({k: v for k, v in data.items() if k != "record"})
    return records


@pytest.fixture
def history(git_repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> History:
    def record(*args: str) -> None:
        result = _record(git_repo.root, monkeypatch, *args)
        assert result.exit_code == 0, result.output + result.stderr

    return build_history(git_repo, record)


def test_a_merge_commit_gets_the_decision_of_its_second_parent_against_its_first(
        history: History, git_repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    [data] = _note(git_repo, history.upgrade)
    record = data.pop("record")
    assert record["commit"] == history.upgrade
    assert (record["base"], record["head"]) == (history.base, history.upgrade_head)
    assert record["pull_request"] == 12
    assert record["approvers"] == ["alice"]
    assert record["recorded_at"] == NOW
    assert record["pir"] is None and record["fixes"] == []
    manifest = f"{history.upgrade_head}:.changegate/changes/crm-upgrade.yaml"
    assert record["manifest_blob"] == git_repo.git("rev-parse", manifest)
    # The rest is exactly what `check --format json` says of the same change.
    check = _run(git_repo.root, monkeypatch, "check", "--base", history.base, "--head", history.upgrade_head,
                 "--approvals", str(history.approvals["upgrade"]), "--format", "json", "--today", TODAY)
    assert data == json.loads(check.stdout)
    assert data["change"]["title"] == "Upgrade CRM to 5.2"
    assert data["impact"]["touched_components"] == ["crm"]


def test_a_squash_merge_is_its_own_head_against_its_parent(history: History, git_repo: GitRepo) -> None:
    [data] = _note(git_repo, history.hotfix)
    parent = git_repo.git("rev-parse", f"{history.hotfix}^")
    assert (data["record"]["base"], data["record"]["head"]) == (parent, history.hotfix)
    assert data["record"]["pull_request"] == 13
    assert data["change"]["type"] == "emergency"
    assert data["record"]["pir"] == {"due": "2026-11-20", "ticket": "PIR-7", "done": False}
    assert any(r["target"] == "field:pir.due" and r["status"] == "satisfied" for r in data["requirements"])


def test_a_revert_is_recorded_with_its_subject_and_no_manifest(history: History, git_repo: GitRepo) -> None:
    [data] = _note(git_repo, history.revert)
    assert data["change"]["file"] is None
    assert data["record"]["subject"].startswith('Revert "Merge pull request #12')
    assert data["record"]["pull_request"] is None
    followup = _note(git_repo, history.followup)[0]
    assert followup["record"]["fixes"] == ["crm-hotfix"] and followup["record"]["pull_request"] == 15


def test_recording_again_adds_nothing(history: History, git_repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    before = git_repo.git("rev-parse", "refs/notes/changegate")
    result = _run(git_repo.root, monkeypatch, "record", "--now", "2026-12-01T08:00:00Z")  # HEAD: PR #15
    assert result.exit_code == 0
    assert "already recorded" in result.stdout
    assert git_repo.git("rev-parse", "refs/notes/changegate") == before


def test_a_different_decision_is_appended_and_the_first_record_stays(
        history: History, git_repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    first = git_repo.git("notes", "--ref", "changegate", "show", history.upgrade)
    more = approvals(git_repo, history.upgrade_head, "alice", "carol")
    result = _record(git_repo.root, monkeypatch, "--commit", history.upgrade, "--approvals", str(more))
    assert result.exit_code == 0 and "appended" in result.stdout
    text = git_repo.git("notes", "--ref", "changegate", "show", history.upgrade)
    assert text.startswith(first)
    records = _note(git_repo, history.upgrade)
    assert [r["record"]["approvers"] for r in records] == [["alice"], ["alice", "carol"]]
    again = _record(git_repo.root, monkeypatch, "--commit", history.upgrade, "--approvals", str(more))
    assert "already recorded" in again.stdout
    assert len(_note(git_repo, history.upgrade)) == 2


def test_a_note_that_is_not_changegates_is_never_touched(
        history: History, git_repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    git_repo.git("notes", "--ref", "changegate", "add", "-m", "reviewed by the CAB, do not edit", history.base)
    result = _record(git_repo.root, monkeypatch, "--base", history.base, "--head", history.base)
    assert result.exit_code == 2
    assert "not changegate's" in result.stderr
    assert git_repo.git("notes", "--ref", "changegate", "show", history.base) == "reviewed by the CAB, do not edit"


def test_base_and_head_record_on_the_head_for_other_ci_systems(
        git_repo: GitRepo, history: History, monkeypatch: pytest.MonkeyPatch) -> None:
    git_repo.git("notes", "--ref", "changegate", "remove", history.banner)
    parent = git_repo.git("rev-parse", f"{history.banner}^")
    result = _record(git_repo.root, monkeypatch, "--base", parent, "--head", history.banner, "--pr", "99")
    assert result.exit_code == 0, result.stderr
    [data] = _note(git_repo, history.banner)
    assert (data["record"]["commit"], data["record"]["pull_request"]) == (history.banner, 99)


def test_a_root_commit_needs_base_and_head(git_repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    git_repo.write("a.txt", "a\n")
    git_repo.commit("root")
    result = _record(git_repo.root, monkeypatch)
    assert result.exit_code == 2
    assert "root commit" in result.stderr


def test_head_without_base_is_refused(history: History, monkeypatch: pytest.MonkeyPatch) -> None:
    result = _record(history.root, monkeypatch, "--head", history.banner)
    assert result.exit_code == 2 and "--head needs --base" in result.stderr


def test_a_bad_now_is_an_input_error(history: History, monkeypatch: pytest.MonkeyPatch) -> None:
    result = _run(history.root, monkeypatch, "record", "--now", "yesterday")
    assert result.exit_code == 2 and "--now" in result.stderr


def test_notes_are_written_without_a_configured_identity(
        history: History, git_repo: GitRepo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.gitconfig: no user.name/user.email
    git_repo.git("notes", "--ref", "changegate", "remove", history.banner)
    result = _record(git_repo.root, monkeypatch, "--commit", history.banner)
    assert result.exit_code == 0, result.stderr
    assert len(_note(git_repo, history.banner)) == 1


def test_a_squash_merge_counts_approvals_on_the_pull_requests_head_read_from_the_api(
        history: History, git_repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    with GithubServer() as srv:
        base = "/repos/acme/retail/pulls/13"
        srv.object(base, {"number": 13, "user": {"login": "Dave"}, "head": {"sha": history.hotfix_head},
                          "labels": [{"name": "hotfix"}]})
        srv.list(f"{base}/reviews", [
            {"user": {"login": "Alice"}, "state": "APPROVED", "commit_id": history.hotfix_head,
             "submitted_at": "2026-11-10T10:00:00Z"},
            {"user": {"login": "Bob"}, "state": "APPROVED", "commit_id": "0" * 40,
             "submitted_at": "2026-11-10T09:00:00Z"}])  # on an earlier commit: stale
        srv.list(f"{base}/commits", [{"author": {"login": "dave"}, "committer": {"login": "web-flow"}}])
        for name, value in {"GITHUB_API_URL": srv.url, "GITHUB_TOKEN": "t0ken",
                            "GITHUB_REPOSITORY": "acme/retail"}.items():
            monkeypatch.setenv(name, value)
        result = _record(git_repo.root, monkeypatch, "--commit", history.hotfix, "--github")
        assert result.exit_code == 0, result.stderr
        assert [r.path for r in srv.seen("GET")] == [base, f"{base}/reviews", f"{base}/commits"]
    latest = _note(git_repo, history.hotfix)[-1]
    assert latest["record"]["approvers"] == ["alice"]
    assert latest["diff"]["head"] == history.hotfix  # the change is still the squash commit
    owner = [r for r in latest["requirements"] if r["target"] == "component:crm" and r["kind"] == "approval"]
    assert owner[0]["status"] == "satisfied" and owner[0]["approvers"] == ["alice"]


def test_github_needs_the_repository(history: History, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_REPOSITORY", raising=False)
    result = _record(history.root, monkeypatch, "--commit", history.hotfix, "--github")
    assert result.exit_code == 2 and "GITHUB_REPOSITORY" in result.stderr
