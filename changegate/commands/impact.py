"""`changegate impact`: what a change reaches (touched and impacted components, value
streams, risk), without policies."""

from __future__ import annotations

from dataclasses import dataclass

from changegate.commands.output import write_output
from changegate.sources.local import DiffOptions, LocalSource
from changegate.sources.manifests import read_manifests


@dataclass(frozen=True)
class ImpactOptions(DiffOptions):
    """The options of `changegate impact`."""

    manifests: tuple[str, ...] = ()
    fmt: str = "text"
    output: str | None = None


def impact(options: ImpactOptions) -> int:
    """Write the impact of the change in the chosen format; 0."""
    from changegate import report
    from changegate.core import impact as core

    source = LocalSource(options, with_policies=False)
    gate = source.load_gate()
    change = source.change(gate)
    manifests = read_manifests(options.root, options.manifests or change.manifest_candidates, change.manifests_at,
                               gate.depmap)
    result = core.resolve_impact(gate.depmap, gate.adjacency, change.files, manifests[0] if manifests else None,
                                 gate.config, gate.path_index)
    write_output(report.render_impact(options.fmt, result, gate.depmap), options.output)
    return 0
