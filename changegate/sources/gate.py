"""The gate's own files (config, map, policies) as a source hands them to a command."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from changegate import model as models


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
    """Load config, map and (optionally) policies from the directory `root`; the map comes
    compiled from the cache when its files are unchanged (changegate.load.cache)."""
    from changegate.load import cache
    from changegate.load import gate_files as loader

    config = loader.load_config(root, config_path)
    compiled = cache.compiled_map(root, config, no_cache=no_cache)
    depmap = compiled.depmap
    policies = tuple(loader.load_policies(root, config, depmap)) if with_policies else ()
    return GateFiles(config, depmap, policies, compiled.path_index, compiled.adjacency)
