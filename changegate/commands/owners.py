"""`changegate owners`: which components, owner teams and GitHub identities claim each
path, and which pattern of which map line did (SPEC §9)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from changegate.commands.output import write_output
from changegate.errors import InputError


@dataclass(frozen=True)
class OwnersOptions:
    """The options of `changegate owners`."""

    paths: tuple[str, ...] = ()
    changed_files: str | None = None
    fmt: str = "text"
    config: str | None = None
    root: Path = field(default_factory=Path.cwd)


def owners(options: OwnersOptions) -> int:
    """Write who claims each path in the chosen format; 0. The paths are the PATHs and the
    --changed-files list together; neither is bad input (exit 2): stdin is read only when
    asked (`--changed-files -`), never by default, so a bare `changegate owners` cannot hang."""
    from changegate import report
    from changegate.core.ownership import path_owners
    from changegate.core.paths import normalize_path
    from changegate.load.gate import load_gate
    from changegate.load.pattern_lines import PatternLines
    from changegate.sources import changed_files

    if not options.paths and options.changed_files is None:
        raise InputError("give the paths to look up: PATH..., or --changed-files FILE ('-' for stdin)",
                         "command line")
    listed = changed_files.load(options.changed_files) if options.changed_files is not None else ()
    paths = changed_files.normalize(normalize_path(path) for path in (*options.paths, *listed))
    gate = load_gate(options.root, options.config, with_policies=False)
    lines = PatternLines(options.root, gate.depmap)
    found = tuple(path_owners(gate.depmap, gate.path_index, path, lines.locate) for path in paths)
    write_output(report.render_owners(options.fmt, found), None)
    return 0
