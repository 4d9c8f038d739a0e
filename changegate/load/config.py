"""The gate's config file, `.changegate/config.yaml`: read, validated, defaults filled in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from changegate.errors import InputError, InputErrors, SchemaError
from changegate.load.files import escapes, leaves_root, read_gate_file
from changegate.load.lines import Lines, PathKey
from changegate.load.parse import load_text
from changegate.load.schema import validate
from changegate.model import ApprovalSettings, Config, ImpactSettings, Limits

DEFAULT_CONFIG = ".changegate/config.yaml"
#: The top-level keys a config file may have.
CONFIG_KEYS = frozenset(
    {"version", "map", "policies", "changes", "evidence", "layers", "impact", "unmapped_files",
     "approvals", "limits", "allow_empty_gate"}
)


def load_config(root: Path, path: str | None) -> Config:
    """`.changegate/config.yaml` (or `path`) with defaults filled in; all defaults when the
    default file does not exist. An explicitly given file must exist."""
    if path is None:
        if not (root / DEFAULT_CONFIG).is_file():
            return Config()
        path = DEFAULT_CONFIG
    elif not (root / path).exists():
        raise InputError("config file not found", path)
    if not Path(path).is_absolute() and escapes(root, path):
        # a relative config (the default one included) is the repository's: never a way out
        raise InputError("is a symlink that leads out of the repository (or climbs out with '..'); "
                         "refusing to read it", path)
    data, lines = load_text(read_gate_file(root / path, path), path)
    if data is None:
        data = {}
    validate(data, "config", path, lines)
    _inside_repository(data, path, lines)
    defaults = Config()
    map_value = data.get("map", defaults.map)
    impact = data.get("impact", {})
    approvals = data.get("approvals", {})
    evidence = data.get("evidence", {})
    return Config(
        version=data.get("version", 1),
        map=(map_value,) if isinstance(map_value, str) else tuple(map_value),
        policies=tuple(data.get("policies", defaults.policies)),
        changes=data.get("changes", defaults.changes),
        junit=tuple(evidence.get("junit", ())),
        suites=_suite_globs(evidence.get("suites", {}), path, lines),
        github_checks=tuple((suite, tuple(names)) for suite, names in evidence.get("github_checks", {}).items()),
        layers=tuple(data.get("layers", defaults.layers)),
        impact=ImpactSettings(
            mode=impact.get("mode", "conservative"), max_depth=impact.get("max_depth")
        ),
        unmapped_files=data.get("unmapped_files", defaults.unmapped_files),
        approvals=ApprovalSettings(
            allow_stale=approvals.get("allow_stale", False),
            exclude_committers=approvals.get("exclude_committers", True),
            ignore_update_merges=approvals.get("ignore_update_merges", False),
            invalidate=approvals.get("invalidate", "any-push"),
            ignore_commits_by=tuple(sorted({a.strip().lstrip("@").lower()
                                            for a in approvals.get("ignore_commits_by", ())})),
        ),
        limits=Limits(**data.get("limits", {})),
        allow_empty_gate=data.get("allow_empty_gate", False),
        file=path,
    )


def _inside_repository(data: dict[str, Any], path: str, lines: Lines) -> None:
    """Refuse (with its line) a map, policy, changes or evidence entry that is absolute or
    climbs out with `..`: the gate reads nothing outside the repository (SPEC §6a)."""
    entries: list[tuple[PathKey, str]] = []
    value = data.get("map")
    if isinstance(value, str):
        entries.append((("map",), value))
    elif isinstance(value, list):
        entries.extend((("map", i), v) for i, v in enumerate(value))
    entries.extend((("policies", i), v) for i, v in enumerate(data.get("policies", ()))
                   if not v.startswith("builtin:"))
    if "changes" in data:
        entries.append((("changes",), data["changes"]))
    entries.extend((("evidence", "junit", i), v) for i, v in enumerate(data.get("evidence", {}).get("junit", ())))
    problems: list[InputError] = [
        SchemaError(f"{'.'.join(map(str, key))}: {value!r} leads out of the repository; give a path "
                    "relative to the repository root, without '..'", path, lines.line(key))
        for key, value in entries if leaves_root(value)]
    if problems:
        raise InputErrors(problems)


def _suite_globs(suites: dict[str, list[str]], path: str,
                 lines: Lines) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """evidence.suites as (suite, globs) pairs; a glob that is absolute or climbs out of the
    repository is refused with its line."""
    for suite, globs in suites.items():
        for i, pattern in enumerate(globs):
            if leaves_root(pattern):
                raise SchemaError(f"evidence.suites.{suite}: {pattern!r} leads out of the repository; "
                                  "give a glob relative to the repository root",
                                  path, lines.line(("evidence", "suites", suite, i)))
    return tuple((suite, tuple(globs)) for suite, globs in suites.items())


def config_line(root: Path, config: Config, path: PathKey) -> int:
    """The line of `path` in the config file (for messages about its values); 0 when
    there is no config file or it cannot be read."""
    if not config.file:
        return 0
    try:
        _, lines = load_text(read_gate_file(root / config.file, config.file), config.file)
    except InputError:
        return 0
    return lines.line(path)
