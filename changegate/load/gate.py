"""The gate's own files (config, map, policies), loaded and validated from one directory."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from changegate import model as models
from changegate.core.graph import Adjacency
from changegate.core.paths import PathIndex


@dataclass(frozen=True)
class GateFiles:
    """The gate's own inputs, loaded and validated."""

    config: models.Config
    depmap: models.DepMap
    policies: tuple[models.Policy, ...]
    # Derived from the map once (and cached with it): see changegate.load.cache.
    path_index: PathIndex
    adjacency: Adjacency


def find_root(start: Path) -> Path:
    """The repository root changegate works in, found as git finds its own: the nearest of
    `start` and its parents that holds `.changegate/`, not looking above the top level of
    the git work tree (the first holding `.git`), which is the root when none does; `start`
    outside any repository. A parent walk: no git process."""
    for directory in (start, *start.parents):
        if (directory / ".changegate").is_dir() or (directory / ".git").exists():
            return directory
    return start


def load_gate(root: Path, config_path: str | None, *, with_policies: bool = True,
              no_cache: bool = False) -> GateFiles:
    """Load config, map and (optionally) policies from the directory `root`; the map comes
    compiled from the cache when its files are unchanged (changegate.load.cache)."""
    from changegate.load import cache
    from changegate.load.config import load_config
    from changegate.load.depmap import empty_map_error
    from changegate.load.policies import load_policies

    config = load_config(root, config_path)
    compiled = cache.compiled_map(root, config, no_cache=no_cache)
    depmap = compiled.depmap
    empty = empty_map_error(config, depmap)
    if empty is not None:
        raise empty
    policies = tuple(load_policies(root, config, depmap)) if with_policies else ()
    return GateFiles(config, depmap, policies, compiled.path_index, compiled.adjacency)
