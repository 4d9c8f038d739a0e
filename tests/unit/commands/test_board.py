"""`changegate board` on a real history (merge commits, squash merges, a revert, a `fixes:`
and an emergency with an overdue review), and `pir-overdue` in `check` on a later change.
The page itself is driven in a real browser in tests/unit/report/test_board_browser.py."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import GitRepo
from history_samples import TODAY, History, build_history, manifest

from changegate.cli import cli


def _run(root: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> Result:
    monkeypatch.chdir(root)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("GITHUB_REPOSITORY", raising=False)
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def history(git_repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> History:
    def record(*args: str) -> None:
        result = _run(git_repo.root, monkeypatch, "record", "--now", f"{TODAY}T10:00:00Z", *args)
        assert result.exit_code == 0, result.stderr

    return build_history(git_repo, record)


def _board(history: History, monkeypatch: pytest.MonkeyPatch, out: Path, *args: str) -> str:
    result = _run(history.root, monkeypatch, "board", "--output", str(out), "--today", TODAY,
                  "--repository", "acme/retail", *args)
    assert result.exit_code == 0, result.stderr
    return (out / "index.html").read_text(encoding="utf-8")


def _stat(html: str, stream: str, column: str) -> str:
    row = re.search(rf'<tr id="stats-vs-{stream}">(.*?)</tr>', html, re.S)
    assert row, stream
    cell = re.search(rf'<td class="{column}">(?:<span class="count">)?(\d+)', row.group(1))
    assert cell, (stream, column)
    return cell.group(1)


def test_counts_per_value_stream_match_the_history(history: History, monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path) -> None:
    html = _board(history, monkeypatch, tmp_path / "site")
    # crm changes (upgrade, its revert, the hotfix, the follow-up) reach three streams.
    for stream in ("customer-service", "store-operations", "finance-settlement"):
        assert [_stat(html, stream, c) for c in ("changes", "emergencies", "failure-rate")] == ["4", "1", "2"]
    assert [_stat(html, "marketing", c) for c in ("changes", "emergencies", "failure-rate")] == ["1", "0", "0"]
    assert f"reverted by {history.revert[:12]}" in html
    assert "fixed by crm-followup" in html
    assert (tmp_path / "site" / "style.css").is_file()


def test_the_overdue_review_stands_out_and_done_clears_it(history: History, git_repo: GitRepo,
                                                          monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    html = _board(history, monkeypatch, tmp_path / "before")
    row = re.search(rf'<tr class="pir-(\w+)" id="emergency-{history.hotfix[:12]}">', html)
    assert row and row.group(1) == "overdue"
    assert "OVERDUE" in html
    # The review is done: the merged manifest says so at the tip; the note is unchanged.
    git_repo.write(".changegate/changes/crm-hotfix.yaml", manifest(
        "Hotfix loyalty points sync", "emergency", ["crm"], tickets=["INC-7"],
        pir={"due": "2026-11-20", "ticket": "PIR-7", "done": True}))
    git_repo.commit("PIR-7 done")
    html = _board(history, monkeypatch, tmp_path / "after")
    assert f'<tr class="pir-done" id="emergency-{history.hotfix[:12]}">' in html
    assert "OVERDUE" not in html
    # Before its due date, it is open.
    html = _board(history, monkeypatch, tmp_path / "early", "--ref", history.followup, "--today", "2026-11-12")
    assert f'<tr class="pir-open" id="emergency-{history.hotfix[:12]}">' in html


def test_user_text_is_escaped_and_the_page_has_no_script(history: History, monkeypatch: pytest.MonkeyPatch,
                                                         tmp_path: Path) -> None:
    html = _board(history, monkeypatch, tmp_path / "site")
    assert "<script" not in html.lower() and "onerror=" not in html.lower().replace("onerror=&#34;", "")
    assert "&lt;script&gt;" in html
    assert "<img" not in html
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert hrefs and all(h in ("style.css", "data:,") or h.startswith("#") or
                         re.fullmatch(r"https://github\.com/acme/retail/pull/\d+", h) for h in hrefs), hrefs
    csp = "default-src &#39;none&#39;; style-src &#39;self&#39;; img-src &#39;self&#39; data:"
    assert f'<meta http-equiv="Content-Security-Policy" content="{csp}">' in html


def test_the_freeze_section_is_absent_without_a_schedule(history: History, monkeypatch: pytest.MonkeyPatch,
                                                         tmp_path: Path) -> None:
    html = _board(history, monkeypatch, tmp_path / "site")
    assert 'id="freezes"' not in html and "Freeze windows" not in html


FREEZE = """\
version: 1
layer: value-stream
policies:
  - id: finance-year-end-freeze
    waivable_by: [finance-owners]
    match:
      value_streams: [finance-settlement]
      change_types: [standard, normal]
      during:
        timezone: Europe/Berlin
        windows:
          - {start: "2026-11-30T00:00", end: "2026-12-01T00:00"}
          - {start: "2026-12-24T00:00", end: "2027-01-04T00:00"}
          - {start: "2027-02-01T00:00", end: "2027-02-02T00:00"}
    deny: "Finance settlement is frozen"
"""


def test_the_freeze_section_lists_open_and_coming_windows_of_the_schedule(
        history: History, git_repo: GitRepo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    git_repo.write(".changegate/policies/freeze.yaml", FREEZE)
    git_repo.commit("a change schedule")
    html = _board(history, monkeypatch, tmp_path / "site")
    section = re.search(r'<section id="freezes">(.*?)</section>', html, re.S)
    assert section, "the board has no freeze section"
    rows = re.findall(r'<tr class="(active|upcoming)"><td>finance-year-end-freeze.*?<td>([^<]*)</td><td>([^<]*)</td>',
                      section.group(1), re.S)
    # Today's window is open, the year-end one is coming; February is past the 30 days shown.
    assert rows == [("active", "2026-11-30 00:00 +01:00 Europe/Berlin", "2026-12-01 00:00 +01:00 Europe/Berlin"),
                    ("upcoming", "2026-12-24 00:00 +01:00 Europe/Berlin", "2027-01-04 00:00 +01:00 Europe/Berlin")]
    assert "finance-settlement: standard, normal; waivable by finance-owners" in section.group(1)


def test_since_leaves_older_changes_out_of_the_numbers(history: History, monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Path) -> None:
    html = _board(history, monkeypatch, tmp_path / "site", "--since", "2026-11-10")
    assert _stat(html, "customer-service", "changes") == "2"  # the hotfix and the follow-up
    assert _stat(html, "customer-service", "failure-rate") == "1"


def test_a_foreign_note_is_reported_not_shown(history: History, git_repo: GitRepo,
                                              monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    git_repo.git("notes", "--ref", "changegate", "add", "-m", '{"version": 1, "record": "x"}', history.base)
    result = _run(history.root, monkeypatch, "board", "--output", str(tmp_path / "s"), "--today", TODAY)
    assert result.exit_code == 0
    assert f"the note on {history.base[:12]} is not a usable change record" in result.stderr
    assert "is not a usable change record" in (tmp_path / "s" / "index.html").read_text()


@pytest.mark.parametrize("args", [["--repository", "acme/retail/../x"], ["--today", "soon"],
                                  ["--since", "2026-13-01"]])
def test_bad_options_are_input_errors(history: History, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                      args: list[str]) -> None:
    result = _run(history.root, monkeypatch, "board", "--output", str(tmp_path / "s"), *args)
    assert result.exit_code == 2, result.output


def _later_change(repo: GitRepo, path: str, components: list[str]) -> tuple[str, str]:
    base = repo.git("rev-parse", "main")
    repo.git("checkout", "-q", "-b", "later")
    repo.write(path, "x = 1\n")
    repo.write(".changegate/changes/later.yaml", manifest("A later change", "normal", components))
    return base, repo.commit("later")


def _findings(history: History, monkeypatch: pytest.MonkeyPatch, base: str, head: str,
              today: str = TODAY) -> list[dict]:  # type: ignore[type-arg]
    result = _run(history.root, monkeypatch, "check", "--base", base, "--head", head, "--format", "json",
                  "--today", today)
    return [f for f in json.loads(result.stdout)["findings"] if f["code"] == "pir-overdue"]


def test_check_warns_on_a_component_whose_emergency_review_is_overdue(
        history: History, git_repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    base, head = _later_change(git_repo, "services/crm/more.py", ["crm"])
    [finding] = _findings(history, monkeypatch, base, head)
    assert finding["level"] == "warning"
    assert "crm" in finding["message"] and "'Hotfix loyalty points sync'" in finding["message"]
    assert "2026-11-20" in finding["message"] and "PIR-7" in finding["message"]
    assert _findings(history, monkeypatch, base, head, today="2026-11-20") == []  # the due day itself


def test_check_says_nothing_for_other_components(history: History, git_repo: GitRepo,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    base, head = _later_change(git_repo, "web/marketing/more.html", ["marketing-site"])
    assert _findings(history, monkeypatch, base, head) == []


def test_check_says_nothing_once_the_review_is_done(history: History, git_repo: GitRepo,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    git_repo.write(".changegate/changes/crm-hotfix.yaml", manifest(
        "Hotfix loyalty points sync", "emergency", ["crm"], pir={"due": "2026-11-20", "ticket": "PIR-7",
                                                                 "done": True}))
    git_repo.commit("PIR-7 done")
    base, head = _later_change(git_repo, "services/crm/more.py", ["crm"])
    assert _findings(history, monkeypatch, base, head) == []
