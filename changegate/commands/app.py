"""The edge of changegate: gathers files, git and evidence, calls the pure core, writes output.

Each command is `command(settings) -> exit code`. Nothing here decides policy; it only
collects inputs for `decide.decide` and hands its `Decision` to a reporter.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

from changegate import model as models
from changegate.errors import InputError, InputErrors
from changegate.load.document import decode

# --------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class DiffSettings:
    """Where the change comes from: --base/--head, --changed-files, or the working tree."""

    config: str | None = None
    base: str | None = None
    head: str | None = None
    changed_files: str | None = None
    root: Path = field(default_factory=Path.cwd)
    no_cache: bool = False  # skip the compiled-map cache (see changegate.load.cache)

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> Self:
        """Settings from click's options (repeatable options become tuples)."""
        return cls(**{k: (tuple(v) if isinstance(v, (list, tuple)) else v) for k, v in options.items()})


@dataclass(frozen=True)
class CheckSettings(DiffSettings):
    manifests: tuple[str, ...] = ()
    approvals: str | None = None
    junit: tuple[str, ...] = ()
    fmt: str = "text"
    output: str | None = None
    template: str | None = None
    fail_on: str = "error"
    github: bool | None = None
    comment: bool = True
    today: str | None = None


@dataclass(frozen=True)
class ImpactSettings(DiffSettings):
    manifests: tuple[str, ...] = ()
    fmt: str = "text"
    output: str | None = None


@dataclass(frozen=True)
class NewSettings(DiffSettings):
    title: str | None = None
    change_type: str = "normal"
    output: str | None = None
    force: bool = False


# --------------------------------------------------------------------------- shared steps


@dataclass(frozen=True)
class GateFiles:
    """The gate's own inputs, loaded and validated."""

    config: models.Config
    depmap: models.DepMap
    policies: tuple[models.Policy, ...]
    # Derived from the map once (and cached with it): see changegate.load.cache.
    path_index: Any = None  # changegate.core.paths.PathIndex
    adjacency: Any = None  # changegate.core.graph.Adjacency


def load_gate(root: Path, config_path: str | None, *, with_policies: bool = True,
              no_cache: bool = False) -> GateFiles:
    """Load config, map and (optionally) policies from `root`; the map comes compiled
    from the cache when its files are unchanged (changegate.load.cache)."""
    from changegate.load import cache
    from changegate.load import gate_files as loader

    config = loader.load_config(root, config_path)
    compiled = cache.compiled_map(root, config, no_cache=no_cache)
    depmap = compiled.depmap
    policies = tuple(loader.load_policies(root, config, depmap)) if with_policies else ()
    return GateFiles(config, depmap, policies, compiled.path_index, compiled.adjacency)


@dataclass(frozen=True)
class ChangeSet:
    files: tuple[str, ...]
    manifest_candidates: tuple[str, ...]  # changed manifests the diff adds or modifies
    base: str | None
    head: str | None  # resolved sha when from git


def gather_changes(settings: DiffSettings, config: models.Config) -> ChangeSet:
    """Changed files from git, a list file, or the working tree."""
    from changegate.sources import changed_files as changed_files_file
    from changegate.sources import git

    root = settings.root
    if settings.changed_files and (settings.base or settings.head):
        raise InputError("give either --base/--head or --changed-files, not both", "command line")
    if settings.changed_files:
        files = changed_files_file.load(settings.changed_files)
        candidates = tuple(f for f in files if config.is_manifest_path(f) and (root / f).is_file())
        return ChangeSet(files, candidates, None, None)
    if settings.base:
        head_ref = settings.head or "HEAD"
        base_sha = git.resolve(root, settings.base)
        head_sha = git.resolve(root, head_ref)
        statuses = git.changed_files_with_status(root, base_sha, head_sha)
        files = tuple(sorted(statuses))
        candidates = tuple(p for p, st in sorted(statuses.items()) if st in ("A", "M") and config.is_manifest_path(p))
        return ChangeSet(files, candidates, base_sha, head_sha)
    if settings.head:
        raise InputError("--head needs --base", "command line")
    statuses = git.working_tree_changes(root)
    files = tuple(sorted(statuses))
    candidates = tuple(p for p, st in sorted(statuses.items()) if st in ("A", "M", "?") and config.is_manifest_path(p))
    return ChangeSet(files, candidates, None, None)


def read_manifests(
    root: Path, paths: Sequence[str], head: str | None, depmap: models.DepMap,
    policy_ids: Sequence[str] | None = None,
) -> list[models.Manifest]:
    """Parse and validate manifests: from git at `head` when given, else the working tree."""
    from changegate.load import gate_files as loader
    from changegate.sources import git

    manifests = []
    for path in paths:
        rel = _repo_relative(root, path)
        if head:
            data = git.show(root, head, rel)
            if data is None:
                raise InputError(f"manifest not found at {head[:12]}", rel)
            if git.is_symlink(root, head, rel):
                raise InputError("is a symlink; manifests are never read through a symlink", rel)
        else:
            data = _read_inside(root, rel)
        manifests.append(loader.load_manifest(decode(data, rel), rel, depmap, policy_ids=policy_ids))
    return manifests


def _repo_relative(root: Path, path: str) -> str:
    p = Path(path)
    if p.is_absolute():
        try:
            return p.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            raise InputError("is outside the repository", path) from None
    return p.as_posix().removeprefix("./")


def _read_inside(root: Path, rel: str) -> bytes:
    """Read a file of the repository, refusing symlinks that lead out of it."""
    path = root / rel
    try:
        real = path.resolve(strict=True)
    except (FileNotFoundError, RuntimeError):
        raise InputError("file not found", rel) from None
    if not real.is_relative_to(root.resolve()):
        raise InputError("is a symlink that leads out of the repository; refusing to read it", rel)
    try:
        return real.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", rel) from None


def _today(value: str | None) -> dt.date:
    if value:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise InputError(f"--today: {value!r} is not a YYYY-MM-DD date", "command line") from None
    return dt.datetime.now(dt.UTC).date()


def write_output(text: str, output: str | None) -> None:
    """Machine formats go to stdout alone, or to --output."""
    if output and output != "-":
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot write output: {exc.strerror}", output) from None
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


# --------------------------------------------------------------------------- check


def check(settings: CheckSettings) -> int:
    """`changegate check`: exit 0 pass, 1 blocked."""
    github = settings.github if settings.github is not None else os.environ.get("GITHUB_ACTIONS") == "true"
    if github:
        from changegate.commands import app_github

        return app_github.check(settings)
    gate = load_gate(settings.root, settings.config, no_cache=settings.no_cache)
    changes = gather_changes(settings, gate.config)
    evidence_head = changes.head
    decision = evaluate(settings, gate, changes, head_for_manifests=changes.head if settings.head else None,
                        evidence_head=evidence_head)
    text = render(settings, decision)
    write_output(text, settings.output)
    return exit_code(decision, settings.fail_on)


def evaluate(
    settings: CheckSettings,
    gate: GateFiles,
    changes: ChangeSet,
    *,
    head_for_manifests: str | None,
    evidence_head: str | None,
    approvals: models.Approvals | None = None,
    team_members: Mapping[str, frozenset[str]] | None = None,
    extra_findings: Sequence[models.Finding] = (),
) -> models.Decision:
    """Gather manifests and evidence for a change and run the pure core."""
    from changegate.core import decide
    from changegate.sources import approvals as approvals_file
    from changegate.sources import junit

    manifest_paths = settings.manifests or changes.manifest_candidates
    manifests = read_manifests(settings.root, manifest_paths, head_for_manifests, gate.depmap,
                               [p.id for p in gate.policies])
    findings = list(extra_findings)
    if len(manifests) > 1:
        names = ", ".join(m.file for m in manifests)
        findings.append(models.Finding(
            "error", "multiple-manifests",
            f"the change has {len(manifests)} manifests ({names}); one pull request is one change: "
            "keep one, or name it with --manifest", manifests[1].file, 1))
    manifest = manifests[0] if manifests else None

    if approvals is None:
        approvals = approvals_file.load(Path(settings.approvals)) if settings.approvals else models.Approvals()
    if evidence_head and approvals.head_sha != evidence_head:
        # The commit being gated is the head git resolved; approvals must be on it.
        if approvals.head_sha and not evidence_head.startswith(approvals.head_sha):
            findings.append(models.Finding(
                "warning", "approvals-head-mismatch",
                f"the approvals file names head {approvals.head_sha[:12]}, but the change's head is "
                f"{evidence_head[:12]}; approvals are checked against {evidence_head[:12]}",
                approvals.source))
        approvals = dataclasses.replace(approvals, head_sha=evidence_head)
    globs = tuple(gate.config.junit) + tuple(settings.junit)
    suites = junit.load(globs, settings.root) if globs else {}
    evidence = models.Evidence(
        changed_files=changes.files,
        approvals=approvals,
        suites=suites,
        team_members=dict(team_members or {}),
        today=_today(settings.today),
        base=changes.base,
        head=changes.head,
    )
    return decide.decide(manifest, gate.depmap, gate.adjacency, gate.policies, evidence, gate.config,
                         findings, path_index=gate.path_index)


def render(settings: CheckSettings, decision: models.Decision) -> str:
    """Render the decision in the chosen format."""
    from changegate import report

    if settings.fmt == "markdown":
        from changegate.report import markdown

        return markdown.render(decision, Path(settings.template) if settings.template else None)
    return report.render(settings.fmt, decision)


def exit_code(decision: models.Decision, fail_on: str) -> int:
    """0 pass, 1 blocked; with fail_on=warning, warnings block too."""
    if decision.decision == "fail":
        return 1
    if fail_on == "warning":
        if any(r.status in ("missing", "failed") for r in decision.requirements):
            return 1
        if any(f.level == "warning" for f in decision.findings):
            return 1
    return 0


# --------------------------------------------------------------------------- validate


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


# --------------------------------------------------------------------------- impact


def impact(settings: ImpactSettings) -> int:
    """`changegate impact`: what a change reaches, no policies."""
    from changegate.core import impact as impact_mod
    from changegate.report import diagrams as graphviz
    from changegate.report import json_report, text

    gate = load_gate(settings.root, settings.config, with_policies=False, no_cache=settings.no_cache)
    changes = gather_changes(settings, gate.config)
    manifest_paths = settings.manifests or changes.manifest_candidates
    manifests = read_manifests(settings.root, manifest_paths, changes.head if settings.head else None,
                               gate.depmap)
    manifest = manifests[0] if manifests else None
    result = impact_mod.resolve_impact(gate.depmap, gate.adjacency, changes.files,
                                       manifest, gate.config, gate.path_index)
    if settings.fmt == "mermaid":
        out = graphviz.mermaid(result, gate.depmap)
    elif settings.fmt == "dot":
        out = graphviz.dot(result, gate.depmap)
    elif settings.fmt == "json":
        out = json_report.dumps(json_report.impact_to_dict(result, gate.depmap))
    else:
        out = text.render_impact(result, gate.depmap)
    write_output(out if out.endswith("\n") else out + "\n", settings.output)
    return 0


# --------------------------------------------------------------------------- new


def new(settings: NewSettings) -> int:
    """`changegate new`: scaffold a manifest for the current diff."""
    from changegate.commands import scaffold
    from changegate.core import impact as impact_mod

    gate = load_gate(settings.root, settings.config, with_policies=False, no_cache=settings.no_cache)
    changes = gather_changes(settings, gate.config)
    result = impact_mod.resolve_impact(gate.depmap, gate.adjacency, changes.files,
                                       None, gate.config, gate.path_index)
    title = settings.title or scaffold.title_from_branch(settings.root)
    text = scaffold.manifest_yaml(title, settings.change_type, result, gate.depmap)
    if settings.output == "-":
        sys.stdout.write(text)
        return 0
    target = Path(settings.output) if settings.output else (
        settings.root / gate.config.changes / f"{scaffold.slug(title)}.yaml")
    if target.exists() and not settings.force:
        raise InputError("already exists; use --force to overwrite, or --output for another name", str(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    print(f"changegate: wrote {target}; review the TODOs, then commit it with your change", file=sys.stderr)
    return 0


# --------------------------------------------------------------------------- init


def init(directory: Path, force: bool) -> int:
    """`changegate init`: copy the starter .changegate/ into `directory`."""
    from changegate.commands import scaffold

    written = scaffold.write_starter(directory, force)
    for path in written:
        print(f"changegate: wrote {path}", file=sys.stderr)
    print("changegate: next: describe your components in .changegate/map.yaml, then run "
          "`changegate validate`", file=sys.stderr)
    return 0

