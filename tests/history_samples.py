"""A real git history of merged changes for `record`, `board` and `pir-overdue` tests: merge
commits, squash merges and a `git revert`, on the retail-mini map with builtin:baseline.

    history = build_history(repo, record=lambda *args: ...)

`record` is called after each change lands on main (with the arguments to add, e.g.
`--approvals FILE`); the dates are fixed so that weeks and overdue reviews are known.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from conftest import SCENARIOS, GitRepo

TODAY = "2026-11-30"
HOSTILE_TITLE = ('Banner <script>document.title="pwned"</script><img src="http://198.51.100.7/x.png" '
                 'onerror="document.title=\'pwned\'"> [click](javascript:alert(1)) javascript:alert(2)')
CONFIG = """version: 1
map: .changegate/map.yaml
policies: [builtin:baseline, .changegate/policies]
changes: .changegate/changes
"""
Record = Callable[..., None]


@dataclass
class History:
    """The commits of the history, by what they are."""

    root: Path
    base: str = ""
    upgrade: str = ""  # merge commit of PR #12 (the CRM upgrade), later reverted
    upgrade_head: str = ""
    revert: str = ""
    hotfix: str = ""  # squash commit of PR #13 (emergency, review overdue), later fixed
    hotfix_head: str = ""  # the head of PR #13, where it was reviewed
    banner: str = ""  # squash commit of PR #14 (standard, a hostile title)
    followup: str = ""  # merge commit of PR #15 (normal; fixes: [crm-hotfix])
    approvals: dict[str, Path] = field(default_factory=dict)


def _at(date: str) -> None:
    os.environ["GIT_AUTHOR_DATE"] = os.environ["GIT_COMMITTER_DATE"] = f"{date}T12:00:00+00:00"


def manifest(title: str, change_type: str, components: list[str], **extra: object) -> str:
    """A manifest as JSON (valid YAML), so that any title is written as it is."""
    data = {"version": 1, "title": title, "type": change_type, "owner": "crm-team", "components": components,
            "rollback": {"plan": "revert the merge"}, **extra}
    return json.dumps(data, ensure_ascii=False) + "\n"


def approvals(repo: GitRepo, head: str, *users: str) -> Path:
    """An approvals file: each of `users` approved `head`; the author is dave."""
    path = repo.root.parent / f"approvals-{head[:7]}-{'-'.join(users) or 'none'}.json"
    path.write_text(json.dumps({"author": "dave", "head_sha": head, "reviews": [
        {"user": u, "state": "APPROVED", "commit_id": head, "submitted_at": "2026-11-01T10:00:00Z"} for u in users]}))
    return path


def build_history(repo: GitRepo, record: Record) -> History:
    """Five changes on main, `record` after each: PR #12 merged (merge commit), its revert,
    PR #13 an emergency squash-merged with a review due 2026-11-20, PR #14 a standard change
    squash-merged with a hostile title, PR #15 merged (merge commit) naming #13 in `fixes:`."""
    saved = {k: os.environ.get(k) for k in ("GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE")}
    try:
        return _build(repo, record)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _build(repo: GitRepo, record: Record) -> History:
    h = History(repo.root)
    _at("2026-10-01")
    repo.copy_tree(SCENARIOS / "_shared" / "retail-mini")
    repo.write(".changegate/config.yaml", CONFIG)
    repo.write("web/marketing/index.html", "<p>hi</p>\n")
    h.base = repo.commit("base")

    _at("2026-11-02")
    repo.git("checkout", "-q", "-b", "crm-upgrade")
    repo.write("services/crm/api/v2.py", "V2 = True\n")
    repo.write(".changegate/changes/crm-upgrade.yaml", manifest(
        "Upgrade CRM to 5.2", "normal", ["crm"], interfaces_changed=["crm-customer-api"], risk="high"))
    h.upgrade_head = repo.commit("CRM 5.2")
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "-m", "Merge pull request #12 from acme/crm-upgrade", "crm-upgrade")
    h.upgrade = repo.git("rev-parse", "HEAD")
    h.approvals["upgrade"] = approvals(repo, h.upgrade_head, "alice")
    record("--approvals", str(h.approvals["upgrade"]))

    _at("2026-11-03")
    repo.git("revert", "-m", "1", "--no-edit", h.upgrade)
    h.revert = repo.git("rev-parse", "HEAD")
    record()

    _at("2026-11-10")
    repo.git("checkout", "-q", "-b", "hotfix")
    repo.write("services/crm/app.py", "print('hotfix')\n")
    repo.write(".changegate/changes/crm-hotfix.yaml", manifest(
        "Hotfix loyalty points sync", "emergency", ["crm"], tickets=["INC-7"],
        pir={"due": "2026-11-20", "ticket": "PIR-7", "done": False}))
    h.hotfix_head = repo.commit("hotfix")
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--squash", "hotfix")
    h.hotfix = repo.commit("Hotfix loyalty points sync (#13)")
    record()

    _at("2026-11-17")
    repo.git("checkout", "-q", "-b", "banner")
    repo.write("web/marketing/banner.html", "<p>sale</p>\n")
    repo.write(".changegate/changes/banner.yaml", manifest(HOSTILE_TITLE, "standard", ["marketing-site"]))
    repo.commit("banner")
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--squash", "banner")
    h.banner = repo.commit("Banner (#14)")
    record()

    _at("2026-11-24")
    repo.git("checkout", "-q", "-b", "followup")
    repo.write("services/crm/app.py", "print('fixed for good')\n")
    repo.write(".changegate/changes/crm-followup.yaml", manifest(
        "Fix the loyalty sync for good", "normal", ["crm"], fixes=["crm-hotfix"]))
    repo.commit("followup")
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "-m", "Merge pull request #15 from acme/followup", "followup")
    h.followup = repo.git("rev-parse", "HEAD")
    record()
    return h
