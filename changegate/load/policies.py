"""Policy files: the builtin sets shipped with changegate and the repository's own, each
policy schema-valid, its references resolved and its CEL `when` compiled."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from changegate.errors import InputError
from changegate.load.config import config_line
from changegate.load.documents import OutsideError, collect, entry_files, load_document, raise_all
from changegate.load.lines import Lines, PathKey
from changegate.load.references import check_patterns, check_ref, check_refs
from changegate.load.resources import builtin_policy_path, shipped_dir
from changegate.load.schedule import load_schedule
from changegate.load.schema import dotted
from changegate.model import ApprovalRule, Config, DepMap, Location, Match, Policy, Require, TestRule

DEFAULT_POLICY_DIR = ".changegate/policies"
POLICY_SUFFIXES = (".yaml", ".yml")


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
                        config_line(root, config, ("policies", index)),
                    )
                )
                continue
            files.append((builtin_policy_path(name), entry))
            continue
        try:
            found = entry_files(root, entry, POLICY_SUFFIXES)
        except OutsideError as err:
            errors.append(InputError(f"policies: {err.message}", config.file or entry,
                                     config_line(root, config, ("policies", index)))
                          if err.file == entry else err)
            continue
        # the default directory may be absent (or empty) while the policy sources are the default ones
        named = entry.rstrip("/") != DEFAULT_POLICY_DIR or config.policies != Config().policies
        if found is None:
            if named:
                errors.append(InputError(f"policy file or directory {entry!r} does not exist",
                                         config.file or entry, config_line(root, config, ("policies", index))))
            continue
        if not found and named and not config.allow_empty_gate:
            errors.append(InputError(
                f"policy directory {entry!r} holds no policy files (*.yaml, *.yml): a gate that gates "
                "nothing; add a policy, remove the entry, or set allow_empty_gate: true",
                config.file or entry, config_line(root, config, ("policies", index))))
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
        loaded = collect(errors, partial(load_document, path, display, "policy"))
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
    if not policies and not errors and not config.allow_empty_gate:
        where = "no policy file" if not files else "no policy in " + ", ".join(display for _, display in files)
        errors.append(InputError(
            f"the gate has no policy ({where}): it would pass every change; add a policy source, "
            "or set allow_empty_gate: true", config.file or "the default config",
            config_line(root, config, ("policies",))))
    raise_all(errors)
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
        check_refs(errors, raw.get("waivable_by", ()), depmap.teams, "team", file, lines,
                    at + ("waivable_by",))
        check_refs(errors, match_raw.get("value_streams", ()), depmap.value_streams,
                    "value stream", file, lines, at + ("match", "value_streams"))
        for key in ("touched_components", "impacted_components"):
            ids = match_raw.get(key, ())
            if isinstance(ids, list):
                check_refs(errors, ids, depmap.components, "component", file, lines, at + ("match", key))
        changed = match_raw.get("interfaces_changed")
        if isinstance(changed, list):
            check_refs(errors, changed, depmap.interfaces, "interface", file, lines,
                        at + ("match", "interfaces_changed"))
        for index, rule in enumerate(require_raw.get("approvals", ())):
            if "team" in rule:
                check_ref(errors, rule["team"], depmap.teams, "team", file, lines,
                           at + ("require", "approvals", index, "team"))
    check_patterns(errors, match_raw.get("paths", ()), file, lines, at + ("match", "paths"))
    changed = match_raw.get("interfaces_changed")
    touched = match_raw.get("touched_components")
    when = match_raw.get("when")
    when_line = lines.line(at + ("match", "when")) if when is not None else 0
    if when is not None:
        _compile_when(errors, when, file, when_line, dotted(at + ("match", "when")))
    during = None
    if "during" in match_raw:
        during = load_schedule(match_raw["during"], file, lines, at + ("match", "during"), errors)
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
        during=during,
    )
    require = Require(
        manifest=require_raw.get("manifest", False),
        fields=tuple(require_raw.get("fields", ())),
        owners=require_raw.get("owners", False),
        approvals=tuple(
            ApprovalRule(team=r.get("team"), count=r.get("count", 1), owners_of=r.get("owners_of"),
                         changes_requested_blocks=r.get("changes_requested_blocks", False))
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
    from changegate.load import cel_engine

    try:
        cel_engine.install()
        cel.compile_when(expr, file, line, key)
    except InputError as err:
        errors.append(err)


def _opt_tuple(value: list[str] | None) -> tuple[str, ...] | None:
    return None if value is None else tuple(value)
