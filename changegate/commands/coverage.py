"""`changegate map coverage`: what the map leaves uncovered (SPEC §9) — tracked files no
component claims, components claiming no tracked file, teams nobody can be reached as,
value streams no component serves, interfaces nobody provides or consumes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from changegate.commands.output import write_output


@dataclass(frozen=True)
class CoverageOptions:
    """The options of `changegate map coverage`."""

    fmt: str = "text"
    strict: bool = False
    config: str | None = None
    root: Path = field(default_factory=Path.cwd)


def coverage(options: CoverageOptions) -> int:
    """Write the map's coverage in the chosen format; 0, or 1 with `strict` when any list
    is non-empty."""
    from changegate import report
    from changegate.core.ownership import coverage as core_coverage
    from changegate.load.gate import load_gate
    from changegate.sources import git

    gate = load_gate(options.root, options.config, with_policies=False)
    found = core_coverage(gate.depmap, gate.path_index, gate.config, git.tracked_files(options.root))
    write_output(report.render_coverage(options.fmt, found), None)
    return 1 if options.strict and not found.is_empty() else 0
