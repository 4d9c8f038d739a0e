"""The gate's config file, `.changegate/config.yaml`: read, validated, defaults filled in."""

from __future__ import annotations

from pathlib import Path

from changegate.errors import InputError
from changegate.load.files import read_gate_file
from changegate.load.lines import PathKey
from changegate.load.parse import load_text
from changegate.load.schema import validate
from changegate.model import ApprovalSettings, Config, ImpactSettings

DEFAULT_CONFIG = ".changegate/config.yaml"
#: The top-level keys a config file may have.
CONFIG_KEYS = frozenset(
    {"version", "map", "policies", "changes", "evidence", "layers", "impact", "unmapped_files",
     "approvals"}
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
    data, lines = load_text(read_gate_file(root / path, path), path)
    if data is None:
        data = {}
    validate(data, "config", path, lines)
    defaults = Config()
    map_value = data.get("map", defaults.map)
    impact = data.get("impact", {})
    approvals = data.get("approvals", {})
    return Config(
        version=data.get("version", 1),
        map=(map_value,) if isinstance(map_value, str) else tuple(map_value),
        policies=tuple(data.get("policies", defaults.policies)),
        changes=data.get("changes", defaults.changes),
        junit=tuple(data.get("evidence", {}).get("junit", ())),
        layers=tuple(data.get("layers", defaults.layers)),
        impact=ImpactSettings(
            mode=impact.get("mode", "conservative"), max_depth=impact.get("max_depth")
        ),
        unmapped_files=data.get("unmapped_files", defaults.unmapped_files),
        approvals=ApprovalSettings(
            allow_stale=approvals.get("allow_stale", False),
            exclude_committers=approvals.get("exclude_committers", True),
        ),
        file=path,
    )


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
