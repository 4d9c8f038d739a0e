"""Change manifests: the file a change carries to say what it is, its risk and its waivers."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Collection
from pathlib import Path

from changegate.errors import InputError
from changegate.load.documents import entry_files, raise_all
from changegate.load.lines import PathKey
from changegate.load.parse import load_text
from changegate.load.references import check_ref, check_refs
from changegate.load.schema import dotted, validate
from changegate.model import Config, DepMap, Location, Manifest, Waiver

MANIFEST_SUFFIXES = (".yaml", ".yml")


def load_manifest(
    text: str,
    file: str,
    depmap: DepMap | None,
    *,
    policy_ids: Collection[str] | None = None,
    check_owner: bool = False,
) -> Manifest:
    """A change manifest, schema-valid, its components and interfaces resolved against
    `depmap` (skipped when None) and, when `policy_ids` is given, its waivers' policies.
    `check_owner` (validate): an `owner` that is neither a team of `depmap` nor an @login is
    an error too; `check` leaves it to the `manifest-owner` requirement."""
    data, lines = load_text(text, file)
    validate(data, "manifest", file, lines)
    errors: list[InputError] = []
    if depmap is not None:
        check_refs(errors, data.get("components", ()), depmap.components, "component", file,
                   lines, ("components",))
        check_refs(errors, data.get("interfaces_changed", ()), depmap.interfaces, "interface",
                   file, lines, ("interfaces_changed",))
        if check_owner and not data["owner"].startswith("@"):
            check_ref(errors, data["owner"], depmap.teams, "team", file, lines, ("owner",),
                      note="; the owner is a team id of the map or an @login")
    waivers: list[Waiver] = []
    for index, raw in enumerate(data.get("waivers", ())):
        at: PathKey = ("waivers", index)
        if policy_ids is not None:
            check_ref(errors, raw["policy"], policy_ids, "policy", file, lines, at + ("policy",))
        expires = _dt.date.fromisoformat(raw["expires"])  # the schema checked the format
        waivers.append(Waiver(raw["policy"], raw["reason"], expires, Location(file, lines.line(at))))
    raise_all(errors)
    return Manifest(
        file=file,
        title=data["title"],
        type=data["type"],
        owner=data["owner"],
        data=data,
        components=tuple(data.get("components", ())),
        interfaces_changed=tuple(data.get("interfaces_changed", ())),
        breaking=data.get("breaking", False),
        risk=data.get("risk"),
        tests=tuple(data.get("tests", ())),
        waivers=tuple(waivers),
        lines={dotted(path): line for path, line in lines.items() if path},
    )


def manifest_files(root: Path, config: Config) -> list[str]:
    """Every manifest in the config's `changes` directory (sorted)."""
    found = entry_files(root, config.changes, MANIFEST_SUFFIXES)
    if found is None or not (root / config.changes).is_dir():
        return []
    return found
