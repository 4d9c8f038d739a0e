"""In GitHub mode a report file that is committed never counts as test evidence (SPEC §8a):
anyone can commit `reports/fake.xml` with passing suites. A matched file whose path, as
matched or once symlinks are resolved, is in the tree of the pull request's head or base
commit is left out, and a finding names it."""

from __future__ import annotations

import os
from pathlib import Path

from changegate import model as models
from changegate.sources import git

CODE = "evidence-in-tree"
MAX_NAMED = 20  # findings naming a file; the rest are counted in one more


class TrackedReports:
    """A filter for report files: called with (name, path), False for a committed one."""

    def __init__(self, root: Path, revs: tuple[str, ...]) -> None:
        self.root = root
        self.revs = revs
        self.refused: list[str] = []
        self._tracked: set[str] | None = None

    def _paths(self) -> set[str]:
        if self._tracked is None:
            self._tracked = set().union(*(git.tree_paths(self.root, rev) for rev in self.revs))
        return self._tracked

    def __call__(self, name: str, path: Path) -> bool:
        real_root = os.path.realpath(self.root)
        candidates = set()
        for base, target in ((os.path.abspath(self.root), os.path.abspath(path)),
                             (real_root, os.path.realpath(path))):
            if os.path.commonpath([base, target]) == base:
                candidates.add(os.path.relpath(target, base).replace(os.sep, "/"))
        if not candidates & self._paths():
            return True
        if name not in self.refused:
            self.refused.append(name)
        return False

    def findings(self) -> list[models.Finding]:
        """One warning for each refused file (the first MAX_NAMED), and one for the rest."""
        out = [models.Finding(
            "warning", CODE,
            "this report file is committed in the pull request's tree (or its base's); in GitHub mode a "
            "committed report is never test evidence: publish reports from CI (check runs, commit "
            "statuses, or JUnit files outside the checkout)", name)
            for name in sorted(self.refused)[:MAX_NAMED]]
        more = len(self.refused) - MAX_NAMED
        if more > 0:
            out.append(models.Finding("warning", CODE, f"{more} more committed report files were left out"))
        return out
