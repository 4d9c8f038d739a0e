"""`changegate init`: a starter .changegate/ (config, a small map, a policy, a changes folder)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from changegate.errors import InputError

STARTER = Path(__file__).resolve().parent.parent / "templates" / "init"


def init(directory: Path | None, force: bool) -> int:
    """Copy the starter .changegate/ into `directory` (default: the repository root); 0."""
    from changegate.load.gate import find_root

    cwd = Path.cwd()
    for path in write_starter(directory or Path(os.path.relpath(find_root(cwd), cwd)), force):
        print(f"changegate: wrote {path}", file=sys.stderr)
    print("changegate: next: describe your components in .changegate/map.yaml, adapt the policies in "
          ".changegate/policies/ to them, then run `changegate validate`", file=sys.stderr)
    return 0


def write_starter(directory: Path, force: bool) -> list[Path]:
    """Copy the starter .changegate/ into `directory`; refuse to overwrite unless `force`."""
    if not directory.is_dir():
        raise InputError("is not a directory", str(directory))
    target_root = directory / ".changegate"
    sources = sorted(p for p in STARTER.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    targets = [(src, target_root / src.relative_to(STARTER)) for src in sources]
    existing = [t for _, t in targets if t.exists()]
    if existing and not force:
        raise InputError("already exists; use --force to overwrite the starter files", str(existing[0]))
    written = []
    for src, dst in targets:
        dst.parent.mkdir(parents=True, exist_ok=True)
        dst.write_bytes(src.read_bytes())
        written.append(dst)
    return written
