"""The gate as the base commit has it.

A pull request must not be able to weaken its own gate, so config, map and policies are
read from the base commit. When the pull request edits them, its versions are validated
too: their errors become findings, and a notice says the edits take effect after merge.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from changegate import model as models
from changegate.errors import InputError, InputErrors
from changegate.load.config import DEFAULT_CONFIG, load_config
from changegate.load.depmap import MAP_SUFFIXES
from changegate.load.files import leaves_root
from changegate.load.gate import GateFiles, load_gate
from changegate.load.policies import POLICY_SUFFIXES
from changegate.sources import git

GATE_SUFFIXES = tuple(dict.fromkeys((*MAP_SUFFIXES, *POLICY_SUFFIXES)))  # what the loaders read in a directory


def load_from_base(root: Path, base_sha: str, config_path: str | None, *, no_cache: bool) -> GateFiles:
    """Load the gate files of commit `base_sha` (written into a temporary directory first)."""
    with tempfile.TemporaryDirectory(prefix="changegate-base-") as tmp:
        return _load(root, base_sha, Path(tmp), config_path or DEFAULT_CONFIG, config_path is not None, no_cache)


def _load(root: Path, base_sha: str, base_root: Path, config_rel: str, explicit: bool,
          no_cache: bool) -> GateFiles:
    config_files = _gate_files(root, base_sha, config_rel)
    if config_files:
        _write(base_root, config_rel, _blob(root, base_sha, config_rel))
    elif explicit:
        raise InputError(f"config file not found at the base commit {base_sha[:12]}", config_rel)
    config_arg = config_rel if config_files else None
    config = load_config(base_root, config_arg)
    for rel in (*config.map, *(p for p in config.policies if not p.startswith("builtin:"))):
        for path in _gate_files(root, base_sha, rel.rstrip("/")):
            _write(base_root, path, _blob(root, base_sha, path))
    return load_gate(base_root, config_arg, no_cache=no_cache)


def _gate_files(root: Path, base_sha: str, rel: str) -> list[str]:
    """The files a gate path names at the base commit: itself when it is a file, else the
    files directly inside it; empty when it does not exist there.

    A symlink or a submodule (gitlink) anywhere on the way, or one inside a gate directory
    that the loader would read, is an input error naming it: git holds no file there, and
    skipping it would silently drop part of the gate (a policy directory kept as a
    submodule would leave only the baseline)."""
    entries = git.tree_entries(root, base_sha, rel)
    for entry in entries:
        on_the_way = entry.path == rel or rel.startswith(entry.path + "/")
        inside = entry.path.rpartition("/")[0] == rel and entry.path.endswith(GATE_SUFFIXES)
        if entry.is_link and (on_the_way or inside):
            what = "a submodule (gitlink)" if entry.mode == git.GITLINK else "a symbolic link"
            named = "" if entry.path == rel else f" (gate path {rel})"
            raise InputError(
                f"{what} at the base commit {base_sha[:12]}{named}: gate files must be ordinary files "
                "committed in this repository, so that the base commit fixes them", entry.path)
    self_entry = next((e for e in entries if e.path == rel), None)
    if self_entry is None:
        return []
    if self_entry.kind == "blob":
        return [rel]
    return [e.path for e in entries if e.kind == "blob" and e.path.rpartition("/")[0] == rel]


def _blob(root: Path, base_sha: str, rel: str) -> bytes:
    data = git.show(root, base_sha, rel)
    if data is None:  # listed a moment ago as a file of the base commit
        raise InputError(f"cannot read the file at the base commit {base_sha[:12]}", rel)
    return data


def _write(base_root: Path, rel: str, data: bytes) -> None:
    if leaves_root(rel):
        raise InputError("gate file paths must stay inside the repository", rel)
    target = base_root / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)


def edited_gate_findings(
    root: Path, config_path: str | None, base_config: models.Config, changed: tuple[str, ...]
) -> list[models.Finding]:
    """A notice when the pull request edits the gate's own files, and an error finding for
    each error in its versions of them."""
    gate_paths = [config_path or DEFAULT_CONFIG, *base_config.map,
                  *(p for p in base_config.policies if not p.startswith("builtin:"))]
    prefixes = [p.rstrip("/") for p in gate_paths]
    edited = sorted(f for f in changed if any(f == p or f.startswith(p + "/") for p in prefixes))
    if not edited:
        return []
    findings = [models.Finding(
        "notice", "gate-files-changed",
        f"this pull request edits the gate's own files ({', '.join(edited[:10])}); this check used the "
        "base commit's versions, and the edits take effect after merge")]
    try:
        load_gate(root, config_path, no_cache=True)  # the pull request's own files: validate only
    except InputErrors as exc:
        errors = exc.errors
    except InputError as exc:
        errors = [exc]
    else:
        return findings
    for err in errors:
        findings.append(models.Finding(
            "error", "invalid-gate-edit",
            f"the pull request's version of the gate files is invalid: {err.message}", err.file, err.line))
    return findings
