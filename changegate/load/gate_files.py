"""Loading the gate's files: config, dependency map, policies and change manifests.

Every loader validates against the file's JSON Schema, then checks every reference, and
reports all problems of a file set at once (`InputErrors`), each with file and line.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import difflib
from collections.abc import Callable, Collection, Iterable
from pathlib import Path
from typing import Any, TypeVar

from changegate.errors import InputError, InputErrors, ReferenceError_, YamlError
from changegate.load.document import decode, load_text
from changegate.load.limits import MAX_BYTES
from changegate.load.lines import Lines, PathKey
from changegate.load.resources import builtin_policy_path, shipped_dir
from changegate.load.schema import dotted, validate
from changegate.model import (
    ApprovalRule,
    ApprovalSettings,
    Component,
    Config,
    DepMap,
    ImpactSettings,
    Interface,
    Location,
    Manifest,
    Match,
    Policy,
    Require,
    Team,
    TestRule,
    ValueStream,
    Waiver,
)

DEFAULT_CONFIG = ".changegate/config.yaml"
DEFAULT_POLICY_DIR = ".changegate/policies"
MAP_SUFFIXES = (".yaml", ".yml", ".json")
POLICY_SUFFIXES = (".yaml", ".yml")
MAP_SECTIONS = ("teams", "value_streams", "components", "interfaces")

T = TypeVar("T")


# --------------------------------------------------------------------------- files


def read_gate_file(path: Path, display: str) -> str:
    """Read a gate file as UTF-8 text, refusing files past the size limit."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise YamlError(f"file is larger than the {MAX_BYTES // (1024 * 1024)} MiB limit", display)
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", display) from None
    except IsADirectoryError:
        raise InputError("is a directory, expected a file", display) from None
    except OSError as err:
        raise InputError(f"cannot read: {err.strerror or err}", display) from None
    return decode(data, display)


def _load(path: Path, display: str, schema: str) -> tuple[Any, Lines]:
    data, lines = load_text(read_gate_file(path, display), display)
    validate(data, schema, display, lines)
    return data, lines


def _collect(errors: list[InputError], fn: Callable[[], T]) -> T | None:
    """Run `fn`, adding any input errors it raises to `errors`."""
    try:
        return fn()
    except InputErrors as err:
        errors.extend(err.errors)
    except InputError as err:
        errors.append(err)
    return None


def _raise(errors: list[InputError]) -> None:
    if errors:
        raise InputErrors(errors)


def _join(entry: str, name: str) -> str:
    return f"{entry.rstrip('/')}/{name}"


def _expand(root: Path, entry: str, suffixes: tuple[str, ...]) -> list[str] | None:
    """The files an entry names: itself, or its directory's files with `suffixes` (sorted).
    None when the entry does not exist."""
    path = root / entry
    if path.is_dir():
        return [
            _join(entry, child.name)
            for child in sorted(path.iterdir(), key=lambda p: p.name)
            if child.name.endswith(suffixes) and child.is_file()
        ]
    if path.exists():
        return [entry]
    return None


def _config_line(root: Path, config: Config, path: PathKey) -> int:
    """The line of `path` in the config file (for messages about its values)."""
    if not config.file:
        return 0
    try:
        _, lines = load_text(read_gate_file(root / config.file, config.file), config.file)
    except InputError:
        return 0
    return lines.line(path)


def _hint(value: str, known: Collection[str], what: str) -> str:
    if not known:
        return f" (the map defines no {what}s)"
    close = difflib.get_close_matches(value, list(known), n=1)
    if close:
        return f" (did you mean {close[0]!r}?)"
    if len(known) <= 8:
        return f" (known: {', '.join(sorted(known))})"
    return ""


def _check_ref(
    errors: list[InputError], value: str, known: Collection[str], what: str, file: str,
    lines: Lines, at: PathKey,
) -> None:
    if value not in known:
        errors.append(
            ReferenceError_(
                f"{dotted(at)}: unknown {what} {value!r}{_hint(value, known, what)}",
                file,
                lines.line(at),
            )
        )


def _check_refs(
    errors: list[InputError],
    values: Iterable[str],
    known: Collection[str],
    what: str,
    file: str,
    lines: Lines,
    path: PathKey,
) -> None:
    for index, value in enumerate(values):
        _check_ref(errors, value, known, what, file, lines, path + (index,))


def _check_patterns(
    errors: list[InputError], patterns: Iterable[str], file: str, lines: Lines, path: PathKey
) -> None:
    from changegate.core.paths import pattern_error

    for index, pattern in enumerate(patterns):
        problem = pattern_error(pattern)
        if problem:
            at = path + (index,)
            errors.append(InputError(f"{dotted(at)}: {problem}", file, lines.line(at)))


# --------------------------------------------------------------------------- config


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


# --------------------------------------------------------------------------- map


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
        found = _expand(root, entry, MAP_SUFFIXES)
        if found is None:
            where = config.file or entry
            line = _config_line(root, config, ("map", index) if len(config.map) > 1 else ("map",))
            what = "map file or directory"
            hint = "" if config.file else " (create it, e.g. with `changegate init`)"
            errors.append(InputError(f"{what} {entry!r} does not exist{hint}", where, line))
            continue
        for file in found:
            resolved = (root / file).resolve()
            if resolved not in seen:
                seen.add(resolved)
                files.append(file)
    _raise(errors)
    return files


def load_map(root: Path, config: Config, *, check_patterns: bool = False) -> DepMap:
    """The dependency map: every file merged, schema-valid, every reference resolved.

    `check_patterns` also compiles every path pattern (for `changegate validate`); a gate
    run leaves that to the path index, which compiles only the patterns it needs."""
    errors: list[InputError] = []
    files = map_files(root, config)
    entries: dict[str, dict[str, _Entry]] = {section: {} for section in MAP_SECTIONS}
    for file in files:
        loaded = _collect(errors, lambda file=file: _load(root / file, file, "map"))
        if loaded is None:
            continue
        data, lines = loaded
        for section in MAP_SECTIONS:
            for key, value in (data.get(section) or {}).items():
                entry = _Entry(value, file, lines, (section, key))
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
                entries[section][key] = entry
    _raise(errors)
    depmap = _build_map(entries, files, errors, check_patterns)
    _raise(errors)
    return depmap


def _build_map(
    entries: dict[str, dict[str, _Entry]], files: list[str], errors: list[InputError],
    check_patterns: bool,
) -> DepMap:
    teams, streams = entries["teams"], entries["value_streams"]
    components, interfaces = entries["components"], entries["interfaces"]

    for stream in streams.values():
        for key in ("owners", "consulted", "informed"):
            _check_refs(errors, stream.refs(key), teams, "team", stream.file, stream.lines,
                        stream.path + (key,))
    # The components are built, and their references and providers checked, in one pass
    # that only notes whether anything is wrong; when something is (or patterns are to be
    # checked), `_check_components` goes over them again to report every problem in order.
    built, providers, clean = _components(components, teams, streams, interfaces)
    if not clean or check_patterns:
        providers = _check_components(errors, components, teams, streams, interfaces,
                                      check_patterns)
    for iface_id, iface in interfaces.items():
        if check_patterns:
            _check_patterns(errors, iface.refs("paths"), iface.file, iface.lines,
                            iface.path + ("paths",))
        if iface_id not in providers:
            errors.append(
                ReferenceError_(
                    f"interfaces.{iface_id}: no component provides this interface "
                    "(list it in one component's provides)",
                    iface.file,
                    iface.lines.line(iface.path),
                )
            )
    if errors:
        return DepMap({}, {}, {}, {}, tuple(files))

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


def _interfaces(
    interfaces: dict[str, _Entry], providers: dict[str, tuple[str, _Entry, int]],
) -> dict[str, Interface]:
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
    interfaces: Collection[str],
) -> tuple[dict[str, Component], dict[str, tuple[str, _Entry, int]], bool]:
    """Every component built, the provider of each provided interface, and whether every
    reference resolves and every interface has at most one provider (no messages: see
    `_check_components`)."""
    built: dict[str, Component] = {}
    providers: dict[str, tuple[str, _Entry, int]] = {}
    clean = True
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
        if clean and not (
            all(map(contains_team, owners)) and all(map(contains_stream, value_streams))
            and all(map(contains_component, depends_on)) and all(map(contains_interface, consumes))
        ):
            clean = False
        for index, iface in enumerate(provides):
            if iface not in interfaces or iface in providers:
                clean = False
            else:
                providers[iface] = (comp_id, comp, index)
    return built, providers, clean


def _check_components(
    errors: list[InputError], components: dict[str, _Entry], teams: Collection[str],
    streams: Collection[str], interfaces: Collection[str], check_patterns: bool,
) -> dict[str, tuple[str, _Entry, int]]:
    """Every problem of the components' references, patterns (when asked) and provided
    interfaces, in order; returns the provider of each provided interface."""
    providers: dict[str, tuple[str, _Entry, int]] = {}
    for comp_id, comp in components.items():
        at = comp.path
        _check_refs(errors, comp.refs("owners"), teams, "team", comp.file, comp.lines, at + ("owners",))
        _check_refs(errors, comp.refs("value_streams"), streams, "value stream", comp.file,
                    comp.lines, at + ("value_streams",))
        _check_refs(errors, comp.refs("depends_on"), components, "component", comp.file,
                    comp.lines, at + ("depends_on",))
        for key in ("provides", "consumes"):
            _check_refs(errors, comp.refs(key), interfaces, "interface", comp.file, comp.lines,
                        at + (key,))
        if check_patterns:
            _check_patterns(errors, comp.refs("paths"), comp.file, comp.lines, at + ("paths",))
        for index, iface in enumerate(comp.refs("provides")):
            if iface not in interfaces:
                continue
            if iface in providers:
                other, other_entry, other_index = providers[iface]
                where = Location(other_entry.file,
                                 other_entry.lines.line(other_entry.path + ("provides", other_index)))
                item = at + ("provides", index)
                errors.append(
                    ReferenceError_(
                        f"{dotted(item)}: interface {iface!r} is already provided by component "
                        f"{other!r} ({where}); an interface has exactly one provider",
                        comp.file,
                        comp.lines.line(item),
                    )
                )
            else:
                providers[iface] = (comp_id, comp, index)
    return providers


# --------------------------------------------------------------------------- policies


def available_builtins() -> list[str]:
    """Names usable as `builtin:NAME`."""
    try:
        directory = shipped_dir("policies")
    except FileNotFoundError:
        return []
    return sorted(p.stem for p in directory.glob("*.yaml"))


def policy_files(root: Path, config: Config) -> tuple[list[tuple[Path, str]], list[InputError]]:
    """(path, display name) of every policy file the config names, and errors for missing ones."""
    files: list[tuple[Path, str]] = []
    errors: list[InputError] = []
    for index, entry in enumerate(config.policies):
        if entry.startswith("builtin:"):
            name = entry[len("builtin:"):]
            available = available_builtins()
            if name not in available:
                errors.append(
                    InputError(
                        f"unknown builtin policy set {entry!r} (available: "
                        f"{', '.join('builtin:' + a for a in available) or 'none'})",
                        config.file or entry,
                        _config_line(root, config, ("policies", index)),
                    )
                )
                continue
            files.append((builtin_policy_path(name), entry))
            continue
        found = _expand(root, entry, POLICY_SUFFIXES)
        if found is None:
            if entry.rstrip("/") != DEFAULT_POLICY_DIR:
                errors.append(
                    InputError(
                        f"policy file or directory {entry!r} does not exist",
                        config.file or entry,
                        _config_line(root, config, ("policies", index)),
                    )
                )
            continue
        files.extend((root / f, f) for f in found)
    return files, errors


def load_policies(root: Path, config: Config, depmap: DepMap | None) -> list[Policy]:
    """Every configured policy, sorted by layer (file order within a layer). References are
    checked against `depmap` (skipped when it is None)."""
    files, errors = policy_files(root, config)
    policies: list[Policy] = []
    first_at: dict[str, Location] = {}
    for path, display in files:
        loaded = _collect(errors, lambda path=path, display=display: _load(path, display, "policy"))
        if loaded is None:
            continue
        data, lines = loaded
        layer = data["layer"]
        if layer not in config.layers:
            errors.append(
                InputError(
                    f"layer: {layer!r} is not one of the configured layers: {', '.join(config.layers)}",
                    display,
                    lines.line(("layer",)),
                )
            )
            continue
        for index, raw in enumerate(data["policies"]):
            policy = _policy(raw, layer, display, lines, ("policies", index), depmap, errors)
            if policy is None:
                continue
            if policy.id in first_at:
                errors.append(
                    InputError(
                        f"policies.{index}.id: policy id {policy.id!r} is already defined at "
                        f"{first_at[policy.id]}",
                        display,
                        lines.line(("policies", index, "id")),
                    )
                )
                continue
            assert policy.loc is not None
            first_at[policy.id] = policy.loc
            policies.append(policy)
    _raise(errors)
    return sorted(policies, key=lambda p: config.layers.index(p.layer))


def _policy(
    raw: dict[str, Any],
    layer: str,
    file: str,
    lines: Lines,
    at: PathKey,
    depmap: DepMap | None,
    errors: list[InputError],
) -> Policy | None:
    before = len(errors)
    match_raw = raw.get("match", {})
    require_raw = raw.get("require", {})
    if depmap is not None:
        _check_refs(errors, raw.get("waivable_by", ()), depmap.teams, "team", file, lines,
                    at + ("waivable_by",))
        _check_refs(errors, match_raw.get("value_streams", ()), depmap.value_streams,
                    "value stream", file, lines, at + ("match", "value_streams"))
        for key in ("touched_components", "impacted_components"):
            ids = match_raw.get(key, ())
            if isinstance(ids, list):
                _check_refs(errors, ids, depmap.components, "component", file, lines, at + ("match", key))
        changed = match_raw.get("interfaces_changed")
        if isinstance(changed, list):
            _check_refs(errors, changed, depmap.interfaces, "interface", file, lines,
                        at + ("match", "interfaces_changed"))
        for index, rule in enumerate(require_raw.get("approvals", ())):
            if "team" in rule:
                _check_ref(errors, rule["team"], depmap.teams, "team", file, lines,
                           at + ("require", "approvals", index, "team"))
    _check_patterns(errors, match_raw.get("paths", ()), file, lines, at + ("match", "paths"))
    changed = match_raw.get("interfaces_changed")
    touched = match_raw.get("touched_components")
    when = match_raw.get("when")
    when_line = lines.line(at + ("match", "when")) if when is not None else 0
    if when is not None:
        _compile_when(errors, when, file, when_line, dotted(at + ("match", "when")))
    match = Match(
        value_streams=_opt_tuple(match_raw.get("value_streams")),
        touched_components=tuple(touched) if isinstance(touched, list) else touched,
        impacted_components=_opt_tuple(match_raw.get("impacted_components")),
        change_types=_opt_tuple(match_raw.get("change_types")),
        risk_at_least=match_raw.get("risk_at_least"),
        paths=_opt_tuple(match_raw.get("paths")),
        breaking=match_raw.get("breaking"),
        interfaces_changed=tuple(changed) if isinstance(changed, list) else changed,
        when=when,
        when_line=when_line,
        when_key=dotted(at + ("match", "when")),
    )
    require = Require(
        manifest=require_raw.get("manifest", False),
        fields=tuple(require_raw.get("fields", ())),
        owners=require_raw.get("owners", False),
        approvals=tuple(
            ApprovalRule(team=r.get("team"), count=r.get("count", 1), owners_of=r.get("owners_of"))
            for r in require_raw.get("approvals", ())
        ),
        tests=tuple(
            TestRule(suite=t) if isinstance(t, str) else TestRule(from_=t["from"])
            for t in require_raw.get("tests", ())
        ),
    )
    deny = raw.get("deny")
    loc = Location(file, lines.line(at + ("id",)))
    if require.is_empty() and deny is None:
        errors.append(
            InputError(
                f"{dotted(at)}: policy {raw['id']!r} has an empty require and no deny, "
                "so it could never do anything",
                file,
                loc.line,
            )
        )
    if len(errors) > before:
        return None
    return Policy(
        id=raw["id"],
        layer=layer,
        description=raw.get("description", ""),
        severity=raw.get("severity", "error"),
        final=raw.get("final", False),
        waivable_by=tuple(raw.get("waivable_by", ())),
        match=match,
        require=require,
        deny=deny,
        loc=loc,
    )


def _compile_when(errors: list[InputError], expr: str, file: str, line: int, key: str) -> None:
    """Compile a CEL `when` now, so a syntax error is an input error at load time."""
    from changegate.core import cel  # imported only when a policy has a `when`

    try:
        cel.compile_when(expr, file, line, key)
    except InputError as err:
        errors.append(err)


def _opt_tuple(value: list[str] | None) -> tuple[str, ...] | None:
    return None if value is None else tuple(value)


# --------------------------------------------------------------------------- manifests


def load_manifest(
    text: str,
    file: str,
    depmap: DepMap | None,
    *,
    policy_ids: Collection[str] | None = None,
) -> Manifest:
    """A change manifest, schema-valid, its components and interfaces resolved against
    `depmap` (skipped when None) and, when `policy_ids` is given, its waivers' policies."""
    data, lines = load_text(text, file)
    validate(data, "manifest", file, lines)
    errors: list[InputError] = []
    if depmap is not None:
        _check_refs(errors, data.get("components", ()), depmap.components, "component", file,
                    lines, ("components",))
        _check_refs(errors, data.get("interfaces_changed", ()), depmap.interfaces, "interface",
                    file, lines, ("interfaces_changed",))
    waivers: list[Waiver] = []
    for index, raw in enumerate(data.get("waivers", ())):
        at: PathKey = ("waivers", index)
        if policy_ids is not None and raw["policy"] not in policy_ids:
            where = at + ("policy",)
            errors.append(
                ReferenceError_(
                    f"{dotted(where)}: unknown policy {raw['policy']!r}"
                    f"{_hint(raw['policy'], policy_ids, 'policy')}",
                    file,
                    lines.line(where),
                )
            )
        expires = _dt.date.fromisoformat(raw["expires"])  # the schema checked the format
        waivers.append(Waiver(raw["policy"], raw["reason"], expires, Location(file, lines.line(at))))
    _raise(errors)
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


# --------------------------------------------------------------------------- validate


def manifest_files(root: Path, config: Config) -> list[str]:
    """Every manifest in the config's `changes` directory (sorted)."""
    found = _expand(root, config.changes, POLICY_SUFFIXES)
    if found is None or not (root / config.changes).is_dir():
        return []
    return found


CONFIG_KEYS = frozenset(
    {"version", "map", "policies", "changes", "evidence", "layers", "impact", "unmapped_files",
     "approvals"}
)


def _kind_by_place(rel: str, root: Path, config: Config) -> str | None:
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


def validate_paths(root: Path, paths: list[str], config_path: str | None = None) -> list[InputError]:
    """Validate gate files (`changegate validate [PATH...]`); every error found, in order.

    With no paths: the repository's config, map, policies and every manifest."""
    errors: list[InputError] = []
    config = _collect(errors, lambda: load_config(root, config_path))
    if config is None:
        return errors
    quiet: list[InputError] = []
    if not paths:
        depmap = _collect(errors, lambda: load_map(root, config, check_patterns=True))
        policies = _collect(errors, lambda: load_policies(root, config, depmap))
        ids = {p.id for p in policies} if policies is not None else None
        for rel in manifest_files(root, config):
            _collect(errors, lambda rel=rel: _validate_manifest(root / rel, rel, depmap, ids))
        return errors

    state: dict[str, Any] = {}

    def gate_map() -> DepMap | None:
        if "map" not in state:
            state["map"] = _collect(quiet, lambda: load_map(root, config))
        return state["map"]

    def gate_policy_ids() -> set[str] | None:
        if "policies" not in state:
            loaded = _collect(quiet, lambda: load_policies(root, config, gate_map()))
            state["policies"] = {p.id for p in loaded} if loaded is not None else None
        return state["policies"]

    configured_map = set()
    map_listing = _collect(quiet, lambda: map_files(root, config))
    for file in map_listing or ():
        configured_map.add((root / file).resolve())
    whole_map_done = False

    for given in paths:
        full = Path(given) if Path(given).is_absolute() else root / given
        if not full.exists():
            errors.append(InputError("no such file or directory", given))
            continue
        targets = (
            sorted(p for p in full.rglob("*") if p.is_file() and p.name.endswith(MAP_SUFFIXES))
            if full.is_dir()
            else [full]
        )
        for target in targets:
            try:
                rel = target.resolve().relative_to(root.resolve()).as_posix()
            except ValueError:
                rel = target.as_posix()
            display = rel if full.is_dir() or Path(given).is_absolute() else given
            kind = _kind_by_place(rel, root, config)
            if kind is None:
                parsed = _collect(
                    errors,
                    lambda target=target, display=display: load_text(
                        read_gate_file(target, display), display),
                )
                if parsed is None:
                    continue
                kind = _kind_by_content(parsed[0])
            if kind is None:
                errors.append(
                    InputError("not a changegate file (expected a config, map, policy file or manifest)",
                               display)
                )
            elif kind == "config":
                _collect(errors, lambda display=display: load_config(root, display))
            elif kind == "map":
                if target.resolve() in configured_map:
                    if not whole_map_done:
                        whole_map_done = True
                        _collect(errors, lambda: load_map(root, config, check_patterns=True))
                else:
                    single = dataclasses.replace(config, map=(display,))
                    _collect(errors, lambda single=single: load_map(root, single, check_patterns=True))
            elif kind == "policy":
                single = dataclasses.replace(config, policies=(display,))
                _collect(errors, lambda single=single: load_policies(root, single, gate_map()))
            else:
                _collect(
                    errors,
                    lambda target=target, display=display: _validate_manifest(
                        target, display, gate_map(), gate_policy_ids()),
                )
    return errors


def _validate_manifest(path: Path, display: str, depmap: DepMap | None,
                       policy_ids: Collection[str] | None) -> Manifest:
    return load_manifest(read_gate_file(path, display), display, depmap, policy_ids=policy_ids)


__all__ = [
    "available_builtins",
    "load_config",
    "load_manifest",
    "load_map",
    "load_policies",
    "manifest_files",
    "map_files",
    "policy_files",
    "read_gate_file",
    "validate_paths",
]
