"""Where each path pattern of the map is written (file and line), for `changegate owners`:
the map files are read again, only those holding a pattern asked about, once each."""

from __future__ import annotations

from pathlib import Path

from changegate.load.documents import load_document
from changegate.load.lines import Lines
from changegate.model import DepMap, Location

_SECTIONS = {"component": "components", "interface": "interfaces"}


class PatternLines:
    """`locate(kind, id, position)`: the file and line of the `position`-th pattern of the
    `paths` of the component or interface `id` (the `core.ownership.Locate` a command hands in)."""

    def __init__(self, root: Path, depmap: DepMap) -> None:
        self._root = root
        self._depmap = depmap
        self._lines: dict[str, Lines] = {}

    def locate(self, kind: str, entry: str, position: int) -> Location | None:
        """Where the pattern is written; None for an entry the map does not hold."""
        section = _SECTIONS[kind]
        found = getattr(self._depmap, section).get(entry)
        if found is None or found.loc is None:
            return None
        file = found.loc.file
        lines = self._lines.get(file)
        if lines is None:
            lines = self._lines[file] = load_document(self._root / file, file, "map")[1]
        return Location(file, lines.line((section, entry, "paths", position)))
