"""Approval integrity on real git histories, on the command line with an approvals file
(issue 12): update merges, touched-scope, bot commits, vetoes, and what happened to every
approval in the JSON, text and markdown outputs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from approval_histories import RENOVATE, Story
from click.testing import CliRunner
from conftest import PROJECT

from changegate.cli import cli

SCHEMA = json.loads((PROJECT / "schemas" / "decision.schema.json").read_text(encoding="utf-8"))


def check(story: Story, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
          reviews: list[tuple[str, str, str]], fmt: str = "json") -> tuple[int, Any]:
    """`changegate check --base main --head feature` with these (user, state, commit) reviews."""
    approvals = tmp_path / "approvals.json"
    approvals.write_text(json.dumps({
        "author": "dave", "head_sha": story.head,
        "reviews": [{"user": u, "state": s, "commit_id": c, "submitted_at": f"2026-11-27T10:{i:02d}:00Z"}
                    for i, (u, s, c) in enumerate(reviews)]}), encoding="utf-8")
    monkeypatch.chdir(story.root)
    result = CliRunner().invoke(cli, ["check", "--base", "main", "--head", "feature", "--approvals",
                                      str(approvals), "--format", fmt, "--today", "2026-11-28"])
    assert result.exit_code in (0, 1), result.output
    if fmt != "json":
        return result.exit_code, result.stdout
    out = json.loads(result.stdout)
    jsonschema.Draft202012Validator(SCHEMA).validate(out)
    return result.exit_code, out


def status(out: Any, target: str) -> str:
    (req,) = [r for r in out["requirements"] if r["target"] == target]
    return str(req["status"])


def ignored(out: Any) -> dict[str, dict[str, Any]]:
    return {r["user"]: r for r in out.get("ignored_reviews", [])}


# ----------------------------------------------------------------------------- update merges


def merged_story(root: Path, approvals: str, *, sneak: dict[str, str] | None = None) -> tuple[Story, str, str]:
    """web changed and approved on C1, then the base moved (db) and was merged in."""
    story = Story(root, approvals)
    c1 = story.change({"services/web/app.py": "web = 2\n"})
    story.base_moves({"services/db/schema.sql": "create table b (id int);\n"})
    merge = story.merge_base(sneak=sneak)
    return story, c1, merge


def test_an_update_merge_keeps_approvals_with_ignore_update_merges(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    story, c1, _ = merged_story(tmp_path / "repo", "{ignore_update_merges: true}")
    code, out = check(story, tmp_path, monkeypatch, [("wendy", "APPROVED", c1), ("fay", "APPROVED", c1)])
    assert code == 0, out
    assert status(out, "component:web") == "satisfied"
    assert "ignored_reviews" not in out
    kept = [f["message"] for f in out["findings"] if f["code"] == "approval-kept"]
    assert kept == [f"fay: approval on an earlier commit {c1[:7]} still counts: 1 commit since is a merge of "
                    "the base branch that git shows brings only base changes (approvals.ignore_update_merges)",
                    f"wendy: approval on an earlier commit {c1[:7]} still counts: 1 commit since is a merge of "
                    "the base branch that git shows brings only base changes (approvals.ignore_update_merges)"]


def test_without_the_option_an_update_merge_makes_approvals_stale(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    story, c1, merge = merged_story(tmp_path / "repo", "{}")
    code, out = check(story, tmp_path, monkeypatch, [("wendy", "APPROVED", c1), ("fay", "APPROVED", c1)])
    assert code == 1
    assert status(out, "component:web") == "missing"
    wendy = ignored(out)["wendy"]
    assert (wendy["reason"], wendy["made_stale_by"], wendy["commit"]) == ("stale", [merge], c1)
    assert f"made stale by commit {merge[:7]} (changed services/db/schema.sql)" in wendy["detail"]


def test_a_merge_that_sneaks_in_a_change_is_no_update_merge(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    story, c1, merge = merged_story(tmp_path / "repo", "{ignore_update_merges: true}",
                                    sneak={"services/web/app.py": "web = 2\nbackdoor = True\n"})
    code, out = check(story, tmp_path, monkeypatch, [("wendy", "APPROVED", c1), ("fay", "APPROVED", c1)])
    assert code == 1
    assert status(out, "component:web") == "missing"
    wendy = ignored(out)["wendy"]
    assert wendy["made_stale_by"] == [merge]
    assert "[it changes more than merging the base branch does]" in wendy["detail"]


def test_a_merge_message_alone_proves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    story = Story(tmp_path / "repo", "{ignore_update_merges: true}")
    c1 = story.change({"services/web/app.py": "web = 2\n"})
    c2 = story.change({"services/web/app.py": "web = 3\n"}, "Merge branch 'main' into feature")
    code, out = check(story, tmp_path, monkeypatch, [("wendy", "APPROVED", c1), ("fay", "APPROVED", c2)])
    assert code == 1
    assert ignored(out)["wendy"]["made_stale_by"] == [c2]


def test_an_approval_on_a_commit_rebased_away_is_stale(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    story = Story(tmp_path / "repo", "{ignore_update_merges: true}")
    c1 = story.change({"services/web/app.py": "web = 2\n"})
    story.repo.git("reset", "-q", "--hard", "main")
    story.change({"services/web/app.py": "web = 2 # rewritten\n"})
    code, out = check(story, tmp_path, monkeypatch, [("wendy", "APPROVED", c1), ("fay", "APPROVED", story.head)])
    assert code == 1
    assert "not in the head commit's history (rebased or force-pushed)" in ignored(out)["wendy"]["detail"]


# ----------------------------------------------------------------------------- touched-scope


def scoped_story(root: Path, approvals: str) -> tuple[Story, str, str]:
    """web and db changed and approved on C1, then a push touching only db."""
    story = Story(root, approvals)
    c1 = story.change({"services/web/app.py": "web = 2\n", "services/db/schema.sql": "create table c (id int);\n"})
    c2 = story.change({"services/db/schema.sql": "create table d (id int);\n"})
    return story, c1, c2


def test_touched_scope_keeps_the_approval_of_a_component_the_push_did_not_touch(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    story, c1, c2 = scoped_story(tmp_path / "repo", "{invalidate: touched-scope}")
    code, out = check(story, tmp_path, monkeypatch, [
        ("wendy", "APPROVED", c1), ("dora", "APPROVED", c1), ("fay", "APPROVED", c2)])
    assert code == 1
    assert status(out, "component:web") == "satisfied"
    assert status(out, "component:db") == "missing"
    assert set(ignored(out)) == {"dora"}
    assert ignored(out)["dora"]["made_stale_by"] == [c2]
    kept = [f["message"] for f in out["findings"] if f["code"] == "approval-kept"]
    assert kept == [f"wendy: approval on an earlier commit {c1[:7]} still counts for component:web: the commits "
                    "since touched none of its files (approvals.invalidate: touched-scope)"]


def test_any_push_drops_the_approval_of_the_untouched_component(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    story, c1, c2 = scoped_story(tmp_path / "repo", "{invalidate: any-push}")
    code, out = check(story, tmp_path, monkeypatch, [
        ("wendy", "APPROVED", c1), ("dora", "APPROVED", c1), ("fay", "APPROVED", c2)])
    assert code == 1
    assert status(out, "component:web") == "missing"
    assert set(ignored(out)) == {"dora", "wendy"}


def test_touched_scope_never_narrows_a_team_approval_and_unmapped_files_touch_every_scope(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    story = Story(tmp_path / "repo", "{invalidate: touched-scope}")
    c1 = story.change({"services/web/app.py": "web = 2\n"})
    c2 = story.change({"docs/readme.md": "shop, now with docs\n"})
    code, out = check(story, tmp_path, monkeypatch, [("wendy", "APPROVED", c1), ("fay", "APPROVED", c1)])
    assert code == 1
    assert status(out, "component:web") == "missing"  # nobody owns docs/: it is in every scope
    assert status(out, "team:fin-team") == "missing"
    assert {u: r["made_stale_by"] for u, r in ignored(out).items()} == {"fay": [c2], "wendy": [c2]}


# ----------------------------------------------------------------------------- bot commits


def test_a_bot_commit_neither_invalidates_nor_excludes_when_listed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    story = Story(tmp_path / "repo", "{ignore_commits_by: ['renovate[bot]']}")
    c1 = story.change({"services/web/app.py": "web = 2\n"})
    story.change_as(RENOVATE, {"services/web/requirements.txt": "requests==2.32.3\n"})
    code, out = check(story, tmp_path, monkeypatch, [("wendy", "APPROVED", c1), ("fay", "APPROVED", c1)])
    assert code == 0, out
    assert "ignored_reviews" not in out
    assert any(f["code"] == "approval-kept" and "by accounts approvals.ignore_commits_by lists" in f["message"]
               for f in out["findings"])


def test_a_bot_commit_invalidates_when_not_listed_or_committed_by_a_person(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    story = Story(tmp_path / "repo", "{ignore_commits_by: ['renovate[bot]']}")
    c1 = story.change({"services/web/app.py": "web = 2\n"})
    bump = story.change_as(RENOVATE, {"services/web/requirements.txt": "requests==2.32.3\n"},
                           committer="mallory@example.com")
    code, out = check(story, tmp_path, monkeypatch, [("wendy", "APPROVED", c1), ("fay", "APPROVED", c1)])
    assert code == 1
    assert ignored(out)["wendy"]["made_stale_by"] == [bump]

    plain = Story(tmp_path / "plain", "{}")
    c1 = plain.change({"services/web/app.py": "web = 2\n"})
    bump = plain.change_as(RENOVATE, {"services/web/requirements.txt": "requests==2.32.3\n"})
    code, out = check(plain, tmp_path, monkeypatch, [("wendy", "APPROVED", c1), ("fay", "APPROVED", c1)])
    assert code == 1
    assert ignored(out)["wendy"]["made_stale_by"] == [bump]


# ----------------------------------------------------------------------------- veto


@pytest.fixture
def vetoed(tmp_path: Path) -> Story:
    story = Story(tmp_path / "repo", veto=True)
    story.change({"services/web/app.py": "web = 2\n"})
    return story


def test_a_change_request_from_a_member_blocks_despite_another_approval(
        vetoed: Story, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    head = vetoed.head
    code, out = check(vetoed, tmp_path, monkeypatch, [
        ("wendy", "APPROVED", head), ("fred", "APPROVED", head), ("fay", "CHANGES_REQUESTED", head)])
    assert code == 1
    (req,) = [r for r in out["requirements"] if r["target"] == "team:fin-team"]
    assert (req["status"], req["approvers"], req["vetoed_by"]) == ("missing", ["fred"], ["fay"])
    veto = ignored(out)["fay"]
    assert (veto["reason"], veto["requirements"]) == ("veto", ["team:fin-team"])
    assert any(f["code"] == "approval-veto" for f in out["findings"])


def test_the_same_member_approving_later_lifts_the_veto(
        vetoed: Story, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    head = vetoed.head
    code, out = check(vetoed, tmp_path, monkeypatch, [
        ("wendy", "APPROVED", head), ("fay", "CHANGES_REQUESTED", head), ("fay", "APPROVED", head)])
    assert code == 0, out
    assert "ignored_reviews" not in out


def test_a_dismissed_change_request_no_longer_blocks(
        vetoed: Story, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    head = vetoed.head
    code, _ = check(vetoed, tmp_path, monkeypatch, [
        ("wendy", "APPROVED", head), ("fred", "APPROVED", head), ("fay", "CHANGES_REQUESTED", head),
        ("fay", "DISMISSED", head)])
    assert code == 0


def test_without_the_veto_a_change_request_does_not_block_another_approval(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    story = Story(tmp_path / "repo", veto=False)
    head = story.change({"services/web/app.py": "web = 2\n"})
    code, out = check(story, tmp_path, monkeypatch, [
        ("wendy", "APPROVED", head), ("fred", "APPROVED", head), ("fay", "CHANGES_REQUESTED", head)])
    assert code == 0, out


# ----------------------------------------------------------------------------- every approval, every format


def test_text_and_markdown_say_what_happened_to_each_approval(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    story, c1, merge = merged_story(tmp_path / "repo", "{}")
    reviews = [("wendy", "APPROVED", c1), ("dave", "APPROVED", merge), ("zed", "APPROVED", merge),
               ("fay", "APPROVED", merge[:7])]
    _, out = check(story, tmp_path, monkeypatch, reviews)
    assert {u: r["reason"] for u, r in ignored(out).items()} == {
        "dave": "author", "fay": "short-sha", "wendy": "stale", "zed": "not-member"}
    for fmt in ("text", "markdown"):
        _, shown = check(story, tmp_path, monkeypatch, reviews, fmt)
        for needle in (f"wendy: approval on an earlier commit {c1[:7]} (stale: made stale by commit {merge[:7]}",
                       "dave: the author", "zed: not a member of a team whose approval this change needs",
                       "fay: approval names commit"):
            assert needle in shown.replace("\\", ""), (fmt, needle)
