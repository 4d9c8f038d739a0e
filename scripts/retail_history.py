"""Build a small history of the retail example in a temporary repository, record each merged
change, and build its change board (issue 13):

1. PR #101 "Upgrade CRM to 5.2" merged with a merge commit (the crisis of SPEC's story),
2. its `git revert` the next day,
3. PR #102, an emergency fix of POS loyalty sync, squash-merged, whose post-implementation
   review was due 2026-11-14 and is not done (overdue on 2026-11-30),
4. PR #103, the standard Black Friday campaign change, squash-merged.

    .venv/bin/python scripts/retail_history.py OUT_DIR [--screenshot PNG] [--keep REPO_DIR]

OUT_DIR gets the site (index.html, style.css). --screenshot renders it with Debian's
chromium, headless and offline (docs/images/retail-board.png is made this way). The dates
are fixed, so the board is the same on every run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RETAIL = ROOT / "examples" / "retail"
TODAY = "2026-11-30"
IDENTITY = {"GIT_AUTHOR_NAME": "Acme CI", "GIT_AUTHOR_EMAIL": "ci@acme.example",
            "GIT_COMMITTER_NAME": "Acme CI", "GIT_COMMITTER_EMAIL": "ci@acme.example",
            "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
EMERGENCY = {
    "version": 1, "title": "Emergency: POS loyalty sync reads the v1 points field again", "type": "emergency",
    "owner": "pos-team", "summary": "Stores could not award loyalty points after the CRM upgrade.",
    "components": ["pos-loyalty-sync"], "risk": "high", "tickets": ["INC-2291"],
    "rollback": {"plan": "Redeploy the previous sync image", "tested": True},
    "pir": {"due": "2026-11-14", "ticket": "PIR-311", "done": False},
}


class Repo:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.date = "2026-10-05T09:00:00+00:00"

    def git(self, *args: str) -> str:
        env = {**os.environ, **IDENTITY, "GIT_AUTHOR_DATE": self.date, "GIT_COMMITTER_DATE": self.date}
        return subprocess.run(["git", *args], cwd=self.root, env=env, check=True, capture_output=True,
                              text=True).stdout.strip()

    def write(self, rel: str, text: str) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def commit(self, message: str) -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)
        return self.git("rev-parse", "HEAD")

    def changegate(self, *args: str) -> None:
        env = {**os.environ, **IDENTITY}
        env.pop("GITHUB_ACTIONS", None)
        proc = subprocess.run([sys.executable, "-m", "changegate", *args], cwd=self.root, env=env,
                              capture_output=True, text=True)
        sys.stderr.write(proc.stdout + proc.stderr)
        if proc.returncode != 0:
            raise SystemExit(f"changegate {args[0]} exited with {proc.returncode}")


def approvals(repo: Repo, head: str, users: list[str]) -> str:
    path = repo.root.parent / f"approvals-{head[:8]}.json"
    path.write_text(json.dumps({"author": "alice-m", "head_sha": head, "reviews": [
        {"user": u, "state": "APPROVED", "commit_id": head, "submitted_at": "2026-11-02T10:00:00Z"} for u in users]}))
    return str(path)


def build(repo: Repo) -> None:
    """The four changes, each recorded after it lands on main."""
    repo.git("init", "-q", "-b", "main")
    shutil.copytree(RETAIL / ".changegate", repo.root / ".changegate",
                    ignore=shutil.ignore_patterns("crm-5-2.yaml", "black-friday-campaign-templates.yaml"))
    repo.write(".changegate/changes/.keep", "")
    for rel in ("services/crm/app/settings.py", "apps/pos/loyalty-sync/sync.py", "finance/reporting/month_end.py",
                "apps/marketing/campaigns/README.md"):
        repo.write(rel, "# stub\n")
    repo.commit("Acme Retail monorepo with changegate")

    repo.date = "2026-11-03T16:00:00+00:00"
    repo.git("checkout", "-q", "-b", "crm-5-2")
    shutil.copy(RETAIL / ".changegate" / "changes" / "crm-5-2.yaml", repo.root / ".changegate/changes/crm-5-2.yaml")
    repo.write("services/crm/api/v2/customer.py", "LOYALTY_FIELDS = ('loyalty.balance', 'loyalty.tier')\n")
    repo.write("contracts/customer.schema.json", '{"title": "customer v2"}\n')
    head = repo.commit("CRM 5.2")
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "-m", "Merge pull request #101 from acme-retail/crm-5-2", "crm-5-2")
    repo.changegate("record", "--now", "2026-11-03T16:05:00Z", "--approvals", approvals(
        repo, head, ["chen-li", "bob-k", "amara-o", "olivia-h", "fatima-z", "grace-h"]))

    repo.date = "2026-11-04T08:30:00+00:00"
    repo.git("revert", "-m", "1", "--no-edit", "HEAD")
    repo.changegate("record", "--now", "2026-11-04T08:35:00Z")

    repo.date = "2026-11-06T11:00:00+00:00"
    repo.git("checkout", "-q", "-b", "pos-hotfix")
    repo.write("apps/pos/loyalty-sync/sync.py", "POINTS_FIELD = 'points'  # v1 field, until CRM 5.2 is back\n")
    repo.write(".changegate/changes/pos-loyalty-hotfix.yaml", json.dumps(EMERGENCY, indent=2) + "\n")
    head = repo.commit("hotfix")
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--squash", "pos-hotfix")
    repo.commit("Emergency: POS loyalty sync reads the v1 points field again (#102)")
    repo.changegate("record", "--now", "2026-11-06T11:05:00Z", "--approvals", approvals(
        repo, repo.git("rev-parse", "HEAD"), ["priya-s", "olivia-h", "grace-h"]))

    repo.date = "2026-11-18T14:00:00+00:00"
    repo.git("checkout", "-q", "-b", "black-friday")
    shutil.copy(RETAIL / ".changegate" / "changes" / "black-friday-campaign-templates.yaml",
                repo.root / ".changegate/changes/black-friday-campaign-templates.yaml")
    repo.write("apps/marketing/campaigns/black-friday/email.html", "<h1>Black Friday</h1>\n")
    repo.commit("templates")
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--squash", "black-friday")
    repo.commit("Add the Black Friday 2026 campaign templates (#103)")
    repo.changegate("record", "--now", "2026-11-18T14:05:00Z", "--approvals", approvals(
        repo, repo.git("rev-parse", "HEAD"), ["liam-q"]))


def screenshot(site: Path, png: Path) -> None:
    """The board as Debian's chromium renders it: headless, offline, a throwaway profile."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("--screenshot needs chromium (apt-get install chromium)")
    with tempfile.TemporaryDirectory(prefix="changegate-chromium-") as profile:
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        "--hide-scrollbars", f"--user-data-dir={profile}", "--window-size=1200,1700",
                        f"--screenshot={png.resolve()}", (site / "index.html").resolve().as_uri()],
                       check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("output", type=Path, help="directory for the board")
    parser.add_argument("--screenshot", type=Path, help="also render the board to this PNG with chromium")
    parser.add_argument("--keep", type=Path, help="build the repository here and keep it (default: a temp dir)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="changegate-retail-") as tmp:
        root = args.keep or Path(tmp) / "acme-retail"
        root.mkdir(parents=True, exist_ok=False)
        repo = Repo(root)
        build(repo)
        repo.changegate("board", "--output", str(args.output.resolve()), "--today", TODAY,
                        "--repository", "acme-retail/monorepo")
    if args.screenshot:
        args.screenshot.parent.mkdir(parents=True, exist_ok=True)
        screenshot(args.output, args.screenshot)
        print(f"screenshot: {args.screenshot}")


if __name__ == "__main__":
    main()
