"""The change's manifests, read from git at a commit or from the working tree."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from changegate import model as models
from changegate.errors import InputError
from changegate.load.files import read_inside
from changegate.load.parse import decode
from changegate.sources import git


def read_manifests(
    root: Path, paths: Sequence[str], at: str | None, depmap: models.DepMap,
    policy_ids: Sequence[str] | None = None,
) -> list[models.Manifest]:
    """Parse and validate the manifests at `paths`: from git at commit `at` when given, else
    from the working tree. `policy_ids` (None: not checked) are the policies waivers may name."""
    from changegate.load.manifest import load_manifest

    manifests = []
    for path in paths:
        rel = _repo_relative(root, path)
        if at:
            data = git.show(root, at, rel)
            if data is None:
                raise InputError(f"manifest not found at {at[:12]}", rel)
            if git.is_symlink(root, at, rel):
                raise InputError("is a symlink; manifests are never read through a symlink", rel)
        else:
            data = read_inside(root, rel)
        manifests.append(load_manifest(decode(data, rel), rel, depmap, policy_ids=policy_ids))
    return manifests


def _repo_relative(root: Path, path: str) -> str:
    p = Path(path)
    if p.is_absolute():
        try:
            return p.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            raise InputError("is outside the repository", path) from None
    return p.as_posix().removeprefix("./")
