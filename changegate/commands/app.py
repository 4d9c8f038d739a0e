"""`changegate validate`, until it moves to `changegate.commands.validate` (issue 8)."""

from __future__ import annotations

import sys
from pathlib import Path

from changegate.errors import InputErrors


def validate(paths: list[Path], config_path: str | None) -> int:
    """`changegate validate`: exit 0 when every file is valid, else print each error and exit 2."""
    from changegate.load import gate_files as loader

    root = Path.cwd()
    errors = loader.validate_paths(root, [str(p) for p in paths], config_path)
    if errors:
        raise InputErrors(list(errors))
    what = ", ".join(str(p) for p in paths) if paths else "config, map, policies and manifests"
    print(f"changegate: {what} valid", file=sys.stderr)
    return 0
