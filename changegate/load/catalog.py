"""Backstage catalog entity files read: files and directories of YAML documents, and the
relative file targets of Location entities inside the directories given. Nothing else is
followed: no URL, no `$ref`/`$text`/`$yaml` placeholder, no file outside those directories."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

from changegate.errors import InputError
from changegate.load.files import read_inside
from changegate.load.parse import decode
from changegate.load.yaml_text import load_yaml_documents

CATALOG_SUFFIXES = (".yaml", ".yml")
MAX_FILES = 10_000


@dataclasses.dataclass(frozen=True)
class Entity:
    """One catalog entity: its kind, namespace and name as written, its document, and where."""

    kind: str
    namespace: str
    name: str
    data: dict[str, Any]
    file: str
    line: int

    @property
    def key(self) -> tuple[str, str, str]:
        """The entity's ref, compared case-insensitively as Backstage does."""
        return (self.kind.lower(), self.namespace.lower(), self.name.lower())

    @property
    def spec(self) -> dict[str, Any]:
        spec = self.data.get("spec")
        return spec if isinstance(spec, dict) else {}

    @property
    def metadata(self) -> dict[str, Any]:
        return self.data["metadata"]  # type: ignore[no-any-return]

    def annotation(self, name: str) -> str | None:
        annotations = self.metadata.get("annotations")
        value = annotations.get(name) if isinstance(annotations, dict) else None
        return value if isinstance(value, str) else None


@dataclasses.dataclass(frozen=True)
class Note:
    """Something the import could not map, reported on stderr (not an error)."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}" if self.line else f"{self.file}: {self.message}"


@dataclasses.dataclass
class Catalog:
    """Every entity read, in file order, and what reading them had to report."""

    entities: list[Entity] = dataclasses.field(default_factory=list)
    notes: list[Note] = dataclasses.field(default_factory=list)
    files: list[str] = dataclasses.field(default_factory=list)


def read_catalog(paths: list[str]) -> Catalog:
    """The entities of the catalog files and directories `paths` (directories walked for
    `*.yaml`/`*.yml`, dot-directories skipped, in name order). Raises InputError for a path
    that does not exist or a file that is not valid YAML."""
    catalog = Catalog()
    roots: list[Path] = []
    queue: list[tuple[Path, Path]] = []  # (root it must stay in, file)
    for given in paths:
        path = Path(given)
        if path.is_dir():
            roots.append(path)
            queue.extend((path, file) for file in _walk(path))
        elif path.is_file():
            roots.append(path.parent)
            queue.append((path.parent, path))
        else:
            raise InputError("no such file or directory", given)
    seen: set[Path] = set()
    while queue:
        root, file = queue.pop(0)
        real = file.resolve()
        if real in seen:
            continue
        seen.add(real)
        if len(seen) > MAX_FILES:
            raise InputError(f"more than {MAX_FILES} catalog files; give fewer directories", str(file))
        display = str(file)
        catalog.files.append(display)
        text = decode(read_inside(root, os.path.relpath(file, root)), display)
        for data, lines in load_yaml_documents(text, display):
            entity = _entity(data, display, lines.line(()), catalog.notes)
            if entity is None:
                continue
            catalog.entities.append(entity)
            if entity.kind.lower() == "location":
                queue.extend(_targets(entity, file, roots, catalog.notes))
    return catalog


def _walk(directory: Path) -> list[Path]:
    found: list[Path] = []
    for here, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(Path(here) / f for f in sorted(files) if f.endswith(CATALOG_SUFFIXES))
    return found


def _entity(data: Any, file: str, line: int, notes: list[Note]) -> Entity | None:
    if data is None:
        return None
    metadata = data.get("metadata") if isinstance(data, dict) else None
    name = metadata.get("name") if isinstance(metadata, dict) else None
    kind = data.get("kind") if isinstance(data, dict) else None
    if not isinstance(kind, str) or not isinstance(name, str) or not name:
        notes.append(Note(file, line, "not a catalog entity (no kind or metadata.name); skipped"))
        return None
    assert isinstance(metadata, dict) and isinstance(data, dict)
    namespace = metadata.get("namespace")
    return Entity(kind, namespace if isinstance(namespace, str) and namespace else "default",
                  name, data, file, line)


def _targets(location: Entity, file: Path, roots: list[Path], notes: list[Note]) -> list[tuple[Path, Path]]:
    """The Location's relative file targets that lie inside a directory given; every other
    target (a URL, an absolute path, a file outside) is reported, not read."""
    spec = location.spec
    targets = [spec["target"]] if isinstance(spec.get("target"), str) else []
    targets += [t for t in spec.get("targets") or () if isinstance(t, str)]
    kind = spec.get("type", "url")
    followed = []
    for target in targets:
        candidate = (file.parent / target).resolve()
        inside = [r for r in roots if candidate.is_relative_to(r.resolve())]
        relative = not (target.startswith("/") or "://" in target or ":" in target.split("/")[0])
        if relative and inside and candidate.is_file():
            followed.append((inside[0], file.parent / target))
        else:
            notes.append(Note(location.file, location.line,
                              f"Location {location.name}: target {target!r} ({kind}) not read: only "
                              "relative files inside the paths given are followed"))
    return followed
