"""`changegate validate [PATH...]`: check the gate's files and report every problem at once.

With no paths: the repository's config, map, policies and every manifest. With paths:
each file (or each map-like file under a directory), its kind told by where it sits in the
config or else by what it holds, checked against the repository's map and policies.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Collection
from functools import cached_property, partial
from pathlib import Path
from typing import Any

from changegate.core.analysis import map_findings
from changegate.errors import InputError, InputErrors
from changegate.load.config import CONFIG_KEYS, load_config
from changegate.load.depmap import MAP_SECTIONS, MAP_SUFFIXES, check_map, empty_map_error, map_files
from changegate.load.documents import collect
from changegate.load.files import read_gate_file
from changegate.load.gate import find_root
from changegate.load.manifest import load_manifest, manifest_files
from changegate.load.parse import load_text
from changegate.load.policies import load_policies
from changegate.model import Config, DepMap, Finding, Manifest


def run(paths: list[Path], config_path: str | None) -> int:
    """Validate in the current directory: exit 0 when every file is valid (printing the map
    analysis' warnings, if any); else raise every error (the CLI prints each and exits 2)."""
    warnings: list[Finding] = []
    cwd = Path.cwd()
    root = find_root(cwd)
    # PATHs are relative to where the user is; from a subdirectory they are named from the root.
    given = [str(p if p.is_absolute() or root == cwd else cwd / p) for p in paths]
    errors = validate_paths(root, given, config_path, warnings)
    if errors:
        raise InputErrors(errors)
    for finding in warnings:
        where = f"{finding.file}:{finding.line}: " if finding.file and finding.line else (
            f"{finding.file}: " if finding.file else "")
        print(f"changegate: warning: {where}{finding.message} ({finding.code})", file=sys.stderr)
    what = ", ".join(str(p) for p in paths) if paths else "config, map, policies and manifests"
    print(f"changegate: {what} valid", file=sys.stderr)
    return 0


def validate_paths(root: Path, paths: list[str], config_path: str | None = None,
                   warnings: list[Finding] | None = None) -> list[InputError]:
    """Every problem of the gate files `paths` (all of them when empty) of the repository at
    `root`, in order. With no paths and a map without problems, the map analysis'
    warnings (cycles, unused value streams, unconsumed interfaces) go to `warnings`."""
    errors: list[InputError] = []
    config = collect(errors, partial(load_config, root, config_path))
    if config is None:
        return errors
    if not paths:
        depmap, map_errors = check_map(root, config, with_patterns=True)
        errors.extend(map_errors)
        if map_errors:  # policies and manifests are checked against a map without problems
            depmap = None
        elif depmap is not None:
            empty = empty_map_error(config, depmap)
            errors.extend([empty] if empty is not None else [])
            if warnings is not None:
                warnings.extend(map_findings(depmap))
        policies = collect(errors, partial(load_policies, root, config, depmap))
        ids = {p.id for p in policies} if policies is not None else None
        for rel in manifest_files(root, config):
            collect(errors, partial(_validate_manifest, root / rel, rel, depmap, ids))
        return errors
    _Given(root, config).validate(paths, errors)
    return errors


@dataclasses.dataclass
class _Target:
    """A file to validate: where it is, how messages name it and what kind of gate file it is."""

    path: Path
    display: str
    kind: str


class _Given:
    """Validating the files given on the command line against the repository's gate.

    The repository's map is checked (and built) once, and only when something needs it:
    with its path patterns when one of its files is among those given, else only for the
    references of the given policies and manifests."""

    def __init__(self, root: Path, config: Config) -> None:
        self.root, self.config = root, config
        listed = collect([], partial(map_files, root, config)) or []
        self.configured_map = {(root / f).resolve() for f in listed}
        self.map_given = False  # whether a file of the repository's map is among those given

    def validate(self, paths: list[str], errors: list[InputError]) -> None:
        """Add the problems of `paths` to `errors`, in order."""
        plan = [item for given in paths for item in self._targets(given)]
        self.map_given = any(isinstance(t, _Target) and t.kind == "map" and self._configured(t)
                             for t in plan)
        whole_map_done = False
        for item in plan:
            if isinstance(item, InputError):
                errors.append(item)
            elif item.kind == "map" and self._configured(item):
                if not whole_map_done:
                    whole_map_done = True
                    errors.extend(self.checked_map[1])
            else:
                self._validate(item, errors)

    def _targets(self, given: str) -> list[_Target | InputError]:
        root = self.root
        full = Path(given) if Path(given).is_absolute() else root / given
        if not full.exists():
            return [InputError("no such file or directory", given)]
        files = (
            sorted(p for p in full.rglob("*") if p.is_file() and p.name.endswith(MAP_SUFFIXES))
            if full.is_dir()
            else [full]
        )
        targets: list[_Target | InputError] = []
        for target in files:
            try:
                rel = target.resolve().relative_to(root.resolve()).as_posix()
            except ValueError:
                rel = target.as_posix()
            display = rel if full.is_dir() or Path(given).is_absolute() else given
            kind = _kind_by_place(rel, self.config)
            if kind is None:
                problems: list[InputError] = []
                parsed = collect(problems, partial(_parse, target, display))
                if parsed is None:
                    targets.extend(problems)
                    continue
                kind = _kind_by_content(parsed[0])
            if kind is None:
                targets.append(InputError(
                    "not a changegate file (expected a config, map, policy file or manifest)", display))
            else:
                targets.append(_Target(target, display, kind))
        return targets

    def _validate(self, target: _Target, errors: list[InputError]) -> None:
        root, display = self.root, target.display
        if target.kind == "config":
            collect(errors, partial(load_config, root, display))
        elif target.kind == "map":
            single = dataclasses.replace(self.config, map=(display,))
            errors.extend(check_map(root, single, with_patterns=True)[1])
        elif target.kind == "policy":
            # one file of the gate: the gate as a whole may have policies elsewhere
            single = dataclasses.replace(self.config, policies=(display,), allow_empty_gate=True)
            collect(errors, lambda: load_policies(root, single, self.checked_map[0]))
        else:
            collect(errors, lambda: _validate_manifest(target.path, display, self.checked_map[0],
                                                       self.policy_ids))

    def _configured(self, target: _Target) -> bool:
        return target.path.resolve() in self.configured_map

    @cached_property
    def checked_map(self) -> tuple[DepMap | None, list[InputError]]:
        """The repository's map and its problems; the map serves the references of policies
        and manifests unless it is broken beyond its path patterns."""
        return check_map(self.root, self.config, with_patterns=self.map_given)

    @cached_property
    def policy_ids(self) -> set[str] | None:
        """The ids of the repository's policies, None when they do not load."""
        loaded = collect([], partial(load_policies, self.root, self.config, self.checked_map[0]))
        return {p.id for p in loaded} if loaded is not None else None


def _kind_by_place(rel: str, config: Config) -> str | None:
    def under(directory: str) -> bool:
        d = directory.strip("/")
        return bool(d) and (rel == d or rel.startswith(d + "/"))

    name = rel.rsplit("/", 1)[-1]
    if name in ("config.yaml", "config.yml") and (rel.startswith(".changegate/") or rel == config.file):
        return "config"
    if rel == config.file:
        return "config"
    if under(config.changes):
        return "manifest"
    if any(under(entry) for entry in config.map):
        return "map"
    if any(under(entry) for entry in config.policies if not entry.startswith("builtin:")):
        return "policy"
    return None


def _kind_by_content(data: Any) -> str | None:
    if not isinstance(data, dict):
        return None
    if "title" in data:
        return "manifest"
    if "layer" in data or any(isinstance(p, dict) for p in data.get("policies") or ()):
        return "policy"
    if any(k in data for k in MAP_SECTIONS):
        return "map"
    if data and set(data) <= CONFIG_KEYS:
        return "config"
    return None


def _parse(path: Path, display: str) -> tuple[Any, Any]:
    return load_text(read_gate_file(path, display), display)


def _validate_manifest(path: Path, display: str, depmap: DepMap | None,
                       policy_ids: Collection[str] | None) -> Manifest:
    return load_manifest(read_gate_file(path, display), display, depmap, policy_ids=policy_ids,
                         check_owner=True)
