"""The dependency map: its files merged, schema-valid, every reference resolved, built into a
`DepMap` in one pass over its entries."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Iterable
from functools import partial
from pathlib import Path
from typing import Any

from changegate.errors import BrokenReferenceError, InputError
from changegate.load.config import config_line
from changegate.load.documents import OutsideError, collect, entry_files, load_document, raise_all
from changegate.load.lines import Lines, PathKey
from changegate.load.references import check_patterns, check_ref, check_refs
from changegate.load.schema import dotted
from changegate.model import Component, Config, DepMap, Interface, Location, OwnershipRule, Team, ValueStream

MAP_SUFFIXES = (".yaml", ".yml", ".json")
MAP_SECTIONS = ("teams", "value_streams", "components", "interfaces")

# The provider of an interface: the component's id, its entry and the index in its provides.
_Provider = tuple[str, "_Entry", int]
# Checks an entry's path patterns (validate only).
_PathCheck = Callable[["_Entry"], None] | None


@dataclasses.dataclass
class _Entry:
    data: dict[str, Any]
    file: str
    lines: Lines
    path: PathKey

    @property
    def loc(self) -> Location:
        # JSON maps are for speed: their lines are only worked out for error messages.
        return Location(self.file, self.lines.line(self.path) if self.lines.eager else 0)

    def refs(self, key: str) -> list[str]:
        return list(self.data.get(key, ()))


def map_files(root: Path, config: Config) -> list[str]:
    """The map files the config names, in load order. Raises InputErrors for missing ones."""
    files: list[str] = []
    errors: list[InputError] = []
    seen: set[Path] = set()
    for index, entry in enumerate(config.map):
        where = config.file or entry
        line = config_line(root, config, ("map", index) if len(config.map) > 1 else ("map",))
        try:
            found = entry_files(root, entry, MAP_SUFFIXES)
        except OutsideError as err:
            errors.append(InputError(f"map: {err.message}", where, line) if err.file == entry else err)
            continue
        if found is None:
            what = "map file or directory"
            hint = "" if config.file else " (create it, e.g. with `changegate init`)"
            errors.append(InputError(f"{what} {entry!r} does not exist{hint}", where, line))
            continue
        for file in found:
            resolved = (root / file).resolve()
            if resolved not in seen:
                seen.add(resolved)
                files.append(file)
    raise_all(errors)
    return files


def empty_map_error(config: Config, depmap: DepMap) -> InputError | None:
    """The error for a map without components (it gates nothing), unless the config allows it."""
    if depmap.components or config.allow_empty_gate:
        return None
    return InputError("the map has no components, so no change can touch anything it gates; add "
                      "components, or set allow_empty_gate: true in the config",
                      ", ".join(depmap.files) or ", ".join(config.map))


def load_map(root: Path, config: Config) -> DepMap:
    """The dependency map: every file merged, schema-valid, every reference resolved.
    Raises InputErrors with every problem found."""
    depmap, errors = check_map(root, config)
    raise_all(errors)
    assert depmap is not None
    return depmap


def check_map(root: Path, config: Config, *,
              with_patterns: bool = False) -> tuple[DepMap | None, list[InputError]]:
    """The dependency map and every problem it has, in order.

    `with_patterns` also compiles every path pattern (for `changegate validate`); a gate
    run leaves that to the path index, which compiles only the patterns it needs. The map
    is None when a problem other than a path pattern's leaves it unusable."""
    errors: list[InputError] = []
    files = collect(errors, partial(map_files, root, config))
    if files is None:
        return None, errors
    entries: dict[str, dict[str, _Entry]] = {section: {} for section in MAP_SECTIONS}
    rules: _Entry | None = None  # the one file's `ownership_rules`
    for file in files:
        loaded = collect(errors, partial(load_document, root / file, file, "map"))
        if loaded is None:
            continue
        data, lines = loaded
        for section in MAP_SECTIONS:
            for key, value in (data.get(section) or {}).items():
                first = entries[section].get(key)
                if first is not None:
                    errors.append(
                        InputError(
                            f"{section}.{key}: defined twice (first at "
                            f"{Location(first.file, first.lines.line(first.path))})",
                            file,
                            lines.line((section, key)),
                        )
                    )
                    continue
                entries[section][key] = _Entry(value, file, lines, (section, key))
        if data.get("ownership_rules") is not None:
            if rules is not None:
                errors.append(InputError(f"ownership_rules: defined twice (first at {rules.loc})", file,
                                         lines.line(("ownership_rules",))))
                continue
            rules = _Entry({"rules": data["ownership_rules"]}, file, lines, ("ownership_rules",))
    if errors:
        return None, errors
    depmap = _build_map(entries, files, errors, with_patterns)
    if depmap is not None and rules is not None:
        depmap = dataclasses.replace(depmap, ownership_rules=_ownership_rules(rules, depmap, errors))
    return depmap, errors


def _ownership_rules(rules: _Entry, depmap: DepMap, errors: list[InputError]) -> tuple[OwnershipRule, ...]:
    """The map's `ownership_rules`, each `component` checked to resolve."""
    built: list[OwnershipRule] = []
    items: list[dict[str, str]] = rules.data["rules"]
    for index, item in enumerate(items):
        at = rules.path + (index,)
        line = rules.lines.line(at) if rules.lines.eager else 0
        component = item.get("component")
        if component is not None:
            check_ref(errors, component, depmap.components, "component", rules.file, rules.lines,
                      at + ("component",))
        built.append(OwnershipRule(item["pattern"], component, Location(rules.file, line)))
    return tuple(built)


def _build_map(
    entries: dict[str, dict[str, _Entry]], files: list[str], errors: list[InputError],
    with_patterns: bool,
) -> DepMap | None:
    """The map built from its entries, adding every problem to `errors`; None when a problem
    other than a path pattern's was found."""
    teams, streams = entries["teams"], entries["value_streams"]
    components, interfaces = entries["components"], entries["interfaces"]
    pattern_errors = 0

    def check_paths(entry: _Entry) -> None:
        nonlocal pattern_errors
        before = len(errors)
        check_patterns(errors, entry.refs("paths"), entry.file, entry.lines, entry.path + ("paths",))
        pattern_errors += len(errors) - before

    for stream in streams.values():
        for key in ("owners", "consulted", "informed"):
            check_refs(errors, stream.refs(key), teams, "team", stream.file, stream.lines,
                       stream.path + (key,))
    built, providers = _components(components, teams, streams, interfaces, errors,
                                   check_paths if with_patterns else None)
    for iface_id, iface in interfaces.items():
        if with_patterns:
            check_paths(iface)
        if iface_id not in providers:
            errors.append(
                BrokenReferenceError(
                    f"interfaces.{iface_id}: no component provides this interface "
                    "(list it in one component's provides)",
                    iface.file,
                    iface.lines.line(iface.path),
                )
            )
    if len(errors) > pattern_errors:
        return None

    def logins(values: Iterable[str]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(v.lstrip("@").lower() for v in values))

    return DepMap(
        teams={
            key: Team(key, logins(e.refs("members")), e.data.get("name"), e.data.get("github_team"),
                      e.loc)
            for key, e in teams.items()
        },
        value_streams={
            key: ValueStream(key, tuple(e.refs("owners")), e.data["criticality"], e.data.get("name"),
                             tuple(e.refs("consulted")), tuple(e.refs("informed")), e.loc)
            for key, e in streams.items()
        },
        components=built,
        interfaces=_interfaces(interfaces, providers),
        files=tuple(files),
    )


def _interfaces(interfaces: dict[str, _Entry], providers: dict[str, _Provider]) -> dict[str, Interface]:
    built: dict[str, Interface] = {}
    lines: Lines | None = None
    line: Any = None
    eager = False
    for key, e in interfaces.items():
        if e.lines is not lines:  # the entries of one file share its Lines (`_Entry.loc`)
            lines, line, eager = e.lines, e.lines.line, e.lines.eager
        get = e.data.get
        built[key] = Interface(key, tuple(get("paths", ())), get("name"), providers[key][0],
                               Location(e.file, line(e.path) if eager else 0))
    return built


def _components(
    components: dict[str, _Entry], teams: Collection[str], streams: Collection[str],
    interfaces: Collection[str], errors: list[InputError], check_paths: _PathCheck,
) -> tuple[dict[str, Component], dict[str, _Provider]]:
    """Every component built and the provider of each provided interface, in one pass.

    A component whose references all resolve only has its provides noted (the hot path);
    any other, or every one when `check_paths` is given, goes through
    `_check_component`, which words each problem."""
    built: dict[str, Component] = {}
    providers: dict[str, _Provider] = {}
    lines: Lines | None = None
    line: Any = None
    eager = False
    contains_team, contains_stream = teams.__contains__, streams.__contains__
    contains_component, contains_interface = components.__contains__, interfaces.__contains__
    for comp_id, comp in components.items():
        if comp.lines is not lines:  # the entries of one file share its Lines (`_Entry.loc`)
            lines, line, eager = comp.lines, comp.lines.line, comp.lines.eager
        get = comp.data.get
        owners = tuple(get("owners", ()))
        value_streams = tuple(get("value_streams", ()))
        depends_on = tuple(get("depends_on", ()))
        provides = tuple(get("provides", ()))
        consumes = tuple(get("consumes", ()))
        built[comp_id] = Component(
            comp_id, owners, tuple(get("paths", ())), get("name"), value_streams, depends_on,
            provides, consumes, tuple(get("tests", ())), tuple(get("contract_tests", ())),
            Location(comp.file, line(comp.path) if eager else 0),
        )
        if check_paths is None and (
            all(map(contains_team, owners)) and all(map(contains_stream, value_streams))
            and all(map(contains_component, depends_on)) and all(map(contains_interface, consumes))
        ):
            for index, iface in enumerate(provides):
                if iface not in interfaces or iface in providers:
                    for undone in provides[:index]:  # `_check_component` notes them again
                        del providers[undone]
                    break
                providers[iface] = (comp_id, comp, index)
            else:
                continue
        _check_component(errors, comp_id, comp, components, teams, streams, interfaces,
                         providers, check_paths)
    return built, providers


def _check_component(
    errors: list[InputError], comp_id: str, comp: _Entry, components: Collection[str],
    teams: Collection[str], streams: Collection[str], interfaces: Collection[str],
    providers: dict[str, _Provider], check_paths: _PathCheck,
) -> None:
    """Every problem of a component's references, paths (with `check_paths`) and provided
    interfaces, in order; notes it as the provider of the interfaces no other provides."""
    at, file, lines = comp.path, comp.file, comp.lines
    check_refs(errors, comp.refs("owners"), teams, "team", file, lines, at + ("owners",))
    check_refs(errors, comp.refs("value_streams"), streams, "value stream", file, lines,
               at + ("value_streams",))
    check_refs(errors, comp.refs("depends_on"), components, "component", file, lines,
               at + ("depends_on",))
    for key in ("provides", "consumes"):
        check_refs(errors, comp.refs(key), interfaces, "interface", file, lines, at + (key,))
    if check_paths is not None:
        check_paths(comp)
    for index, iface in enumerate(comp.refs("provides")):
        if iface not in interfaces:
            continue
        if iface in providers:
            other, other_entry, other_index = providers[iface]
            where = Location(other_entry.file,
                             other_entry.lines.line(other_entry.path + ("provides", other_index)))
            item = at + ("provides", index)
            errors.append(
                BrokenReferenceError(
                    f"{dotted(item)}: interface {iface!r} is already provided by component "
                    f"{other!r} ({where}); an interface has exactly one provider",
                    file,
                    lines.line(item),
                )
            )
        else:
            providers[iface] = (comp_id, comp, index)
