"""GitHub mode of `changegate check`: gate files from the base commit, evidence from the API.

A pull request must not be able to weaken its own gate, so config, map and policies are
read from the base commit. When the pull request edits them, the new versions are
validated too: their errors become findings, and a notice says they take effect after merge.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path, PurePosixPath

from changegate import model as models
from changegate.commands import app
from changegate.errors import InputError, InputErrors

_DEFAULT_CONFIG = ".changegate/config.yaml"


def check(settings: app.CheckSettings) -> int:
    """Evaluate a pull request or merge-queue entry as the GitHub Action does."""
    from changegate.sources.github import event as gh_event
    from changegate.sources.github import runner

    root = settings.root
    ev = gh_event.load(os.environ)
    with tempfile.TemporaryDirectory(prefix="changegate-base-") as tmp:
        base_root = Path(tmp)
        config_rel = settings.config or _DEFAULT_CONFIG
        # The compiled-map cache is a file a pull request's own code (its tests, run earlier
        # in the same job) could write; so in GitHub mode it is used only when the workflow
        # opts in by setting CHANGEGATE_CACHE_DIR (see docs/performance.md).
        no_cache = settings.no_cache or not os.environ.get("CHANGEGATE_CACHE_DIR")
        gate = _load_gate_from_base(root, ev.base_sha, base_root, config_rel, settings.config is not None,
                                    no_cache)
    run = runner.prepare(root, gate.depmap.teams, os.environ)
    changes = app.ChangeSet(
        files=run.changed_files,
        manifest_candidates=tuple(
            p for p in run.changed_files
            if gate.config.is_manifest_path(p) and _exists_at(root, run.head_sha, p)),
        base=run.base_sha,
        head=run.head_sha,
    )
    findings = [models.Finding("notice", "github", n) for n in run.notices]
    findings += _check_edited_gate_files(root, settings.config, gate.config, run.changed_files)
    decision = app.evaluate(
        settings, gate, changes,
        head_for_manifests=run.head_sha,
        evidence_head=run.head_sha,
        approvals=run.approvals,
        team_members=run.team_members,
        extra_findings=findings,
    )
    from changegate import report

    summary = report.render("markdown", decision, template=Path(settings.template) if settings.template else None)
    if settings.fmt != "text" or settings.output:
        app.write_output(summary if settings.fmt == "markdown" else app.render(settings, decision),
                         settings.output)
    runner.publish(decision, summary, run, comment=settings.comment, env=os.environ)
    return app.exit_code(decision, settings.fail_on)


def _exists_at(root: Path, rev: str, path: str) -> bool:
    from changegate.sources import git

    return git.show(root, rev, path) is not None


def _load_gate_from_base(
    root: Path, base_sha: str, base_root: Path, config_rel: str, explicit: bool, no_cache: bool
) -> app.GateFiles:
    """Write the base commit's gate files into `base_root` and load them from there."""
    from changegate.load.config import load_config
    from changegate.sources import git

    data = git.show(root, base_sha, config_rel)
    if data is not None:
        _write(base_root, config_rel, data)
    elif explicit:
        raise InputError(f"config file not found at the base commit {base_sha[:12]}", config_rel)
    config_arg = config_rel if data is not None else None
    config = load_config(base_root, config_arg)
    wanted = list(config.map) + [p for p in config.policies if not p.startswith("builtin:")]
    for rel in wanted:
        rel = rel.rstrip("/")
        blob = git.show(root, base_sha, rel)
        if blob is not None:
            _write(base_root, rel, blob)
            continue
        for path in git.list_tree(root, base_sha, rel):
            content = git.show(root, base_sha, path)
            if content is not None:
                _write(base_root, path, content)
    return app.load_gate(base_root, config_arg, no_cache=no_cache)


def _write(base_root: Path, rel: str, data: bytes) -> None:
    pure = PurePosixPath(rel)
    if pure.is_absolute() or ".." in pure.parts:
        raise InputError("gate file paths must stay inside the repository", rel)
    target = base_root / pure
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)


def _check_edited_gate_files(
    root: Path, config_path: str | None, base_config: models.Config, changed: tuple[str, ...]
) -> list[models.Finding]:
    """Validate the pull request's own versions of the gate files, when it edits them."""
    gate_paths = [config_path or _DEFAULT_CONFIG, *base_config.map,
                  *(p for p in base_config.policies if not p.startswith("builtin:"))]
    prefixes = [p.rstrip("/") for p in gate_paths]
    edited = sorted(f for f in changed if any(f == p or f.startswith(p + "/") for p in prefixes))
    if not edited:
        return []
    findings = [models.Finding(
        "notice", "gate-files-changed",
        f"this pull request edits the gate's own files ({', '.join(edited[:10])}); this check used the "
        "base commit's versions, and the edits take effect after merge")]
    try:
        app.load_gate(root, config_path, no_cache=True)  # the PR's own files: validate only
    except InputErrors as exc:
        errors = exc.errors
    except InputError as exc:
        errors = [exc]
    else:
        return findings
    for err in errors:
        findings.append(models.Finding(
            "error", "invalid-gate-edit",
            f"the pull request's version of the gate files is invalid: {err.message}", err.file, err.line))
    return findings
