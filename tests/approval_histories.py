"""Real git histories for the approval-integrity tests (CLI and GitHub mode): a gate with
two components (web, db) owned by two teams and a finance team that signs off every change,
a `main` branch and a `feature` branch, and helpers to commit as someone else (a bot) and to
merge the base branch into the feature, honestly or with a change slipped into the merge."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from conftest import GIT_ENV, GitRepo

MAP = """\
version: 1
teams:
  web-team: {members: [wendy]}
  db-team: {members: [dora]}
  fin-team: {members: [fay, fred]}
components:
  web: {owners: [web-team], paths: ["services/web/**"]}
  db: {owners: [db-team], paths: ["services/db/**"]}
"""
POLICY = """\
version: 1
layer: org
policies:
  - id: owners-approve
    description: The owners of every touched component approve.
    require:
      approvals:
        - owners_of: touched_components
  - id: finance-signoff
    description: Finance signs off every change.
    require:
      approvals:
        - {{team: fin-team, changes_requested_blocks: {veto}}}
"""
RENOVATE = "29139614+renovate[bot]@users.noreply.github.com"


def config(approvals: str = "{}") -> str:
    """A config reading only the test policies, with `approvals` as its approvals section."""
    return f"version: 1\npolicies: [.changegate/policies]\nunmapped_files: ignore\napprovals: {approvals}\n"


class Story:
    """A repository with the gate on `main` and a `feature` branch checked out."""

    def __init__(self, root: Path, approvals: str = "{}", *, veto: bool = False) -> None:
        root.mkdir(parents=True)
        self.repo = GitRepo(root)
        self.root = root
        self.repo.write(".changegate/config.yaml", config(approvals))
        self.repo.write(".changegate/map.yaml", MAP)
        self.repo.write(".changegate/policies/org.yaml", POLICY.format(veto=str(veto).lower()))
        self.repo.write("services/web/app.py", "web = 1\n")
        self.repo.write("services/db/schema.sql", "create table a (id int);\n")
        self.repo.write("docs/readme.md", "shop\n")
        self.base = self.repo.commit("base")
        self.repo.git("checkout", "-q", "-b", "feature")

    def change(self, files: dict[str, str], message: str = "change") -> str:
        """Commit `files` on the checked-out branch; the new commit's sha."""
        for rel, text in files.items():
            self.repo.write(rel, text)
        return self.repo.commit(message)

    def change_as(self, email: str, files: dict[str, str], *, committer: str | None = None) -> str:
        """Commit `files` authored by `email` (and committed by `committer`, default the same)."""
        for rel, text in files.items():
            self.repo.write(rel, text)
        env = {**os.environ, **GIT_ENV, "GIT_AUTHOR_NAME": "bot", "GIT_AUTHOR_EMAIL": email,
               "GIT_COMMITTER_NAME": "bot", "GIT_COMMITTER_EMAIL": committer or email}
        subprocess.run(["git", "add", "-A"], cwd=self.root, env=env, check=True)
        subprocess.run(["git", "commit", "-q", "-m", "bump"], cwd=self.root, env=env, check=True)
        return self.repo.git("rev-parse", "HEAD")

    def base_moves(self, files: dict[str, str]) -> str:
        """A commit on `main` (the feature stays checked out); its sha."""
        self.repo.git("checkout", "-q", "main")
        sha = self.change(files, "base moves on")
        self.repo.git("checkout", "-q", "feature")
        return sha

    def merge_base(self, *, sneak: dict[str, str] | None = None) -> str:
        """Merge `main` into the feature; with `sneak`, these files are changed in the merge
        commit itself (an "evil merge"). The merge's sha."""
        if sneak is None:
            self.repo.git("merge", "-q", "--no-edit", "main")
        else:
            self.repo.git("merge", "-q", "--no-commit", "--no-ff", "main")
            for rel, text in sneak.items():
                self.repo.write(rel, text)
            self.repo.git("add", "-A")
            self.repo.git("commit", "-q", "--no-edit")
        return self.repo.git("rev-parse", "HEAD")

    @property
    def head(self) -> str:
        return self.repo.git("rev-parse", "HEAD")

    @property
    def main(self) -> str:
        return self.repo.git("rev-parse", "main")
