"""Run a generated gate as the CLI runs it, and load it into the models the core takes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from gate_strategies import HEAD, MANIFEST, TODAY, Gate

from changegate import model as models
from changegate import report
from changegate.commands.check import CheckOptions, gate_change
from changegate.load.gate import GateFiles, load_gate
from changegate.sources import approvals as approvals_file
from changegate.sources.local import LocalSource
from changegate.sources.manifests import read_manifests


def check(root: Path) -> list[str]:
    """`changegate check --changed-files changed.txt --approvals approvals.json`, in every
    format, as the command runs it (the same loaders, sources, core and reporters)."""
    options = CheckOptions(root=root, changed_files=str(root / "changed.txt"), no_cache=True,
                           approvals=str(root / "approvals.json"), today=TODAY.isoformat())
    source = LocalSource(options, approvals=options.approvals)
    decision = gate_change(options, source)
    return [report.render(fmt, decision) for fmt in report.DECISION_FORMATS]


@dataclass
class Loaded:
    """A generated gate as the core sees it."""

    gate: GateFiles
    manifest: models.Manifest | None
    evidence: models.Evidence


def load(root: Path, gate: Gate) -> Loaded:
    """The gate's files through the loaders; the evidence built from `gate` directly."""
    files = load_gate(root, None, no_cache=True)
    manifests = read_manifests(root, [MANIFEST] if gate.manifest is not None else [], None, files.depmap,
                               [p.id for p in files.policies])
    suites = {name: models.SuiteResult(name, *counts) for name, counts in gate.suites.items()}
    evidence = models.Evidence(changed_files=tuple(gate.changed), today=TODAY, head=HEAD,
                               approvals=approvals_file.parse(json.dumps(gate.approvals), "approvals.json"),
                               suites=suites)
    return Loaded(files, manifests[0] if manifests else None, evidence)
