"""A content-hashed cache of the compiled dependency map, so a warm run skips parsing.

Loading a large map (YAML parse, schema validation, reference checks) and indexing its
path patterns is most of a gate run's cost, and the map changes far less often than the
pull requests it gates. `compiled_map` keys the result by the sha256 of:

* every map file's name and bytes (so any edit, rename, addition or removal is a miss),
* the changegate version, the map schema and the source of the modules that build the
  result (so an upgrade, or an edited checkout, never reads an old shape),
* the Python version and the loader's document limits (a run with other limits never
  reuses a map those limits would have rejected).

Only a map that loaded without error is stored: errors are always reported by a real load,
with file and line. Any failure to read or unpickle an entry is a miss, and any failure to
write one is ignored — the cache can only make a run faster, never change its answer.

Where: `$CHANGEGATE_CACHE_DIR`, else `$XDG_CACHE_HOME/changegate`, else
`~/.cache/changegate`. Off with `CHANGEGATE_NO_CACHE=1` (or `no_cache=True`).

Entries are pickles: whoever can write the cache directory can run code as the gate, so
it must be writable only by the gate's own job (as a CI runner's cache is).
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from changegate import __version__
from changegate.core.graph import Adjacency, adjacency
from changegate.core.paths import PathIndex
from changegate.load import limits
from changegate.load.depmap import load_map, map_files
from changegate.load.files import read_at_most
from changegate.model import Config, DepMap

FORMAT = 1  # bump when CompiledMap changes shape
KEEP = 8  # entries kept in the directory; older ones are removed after a write
_PREFIX = "map-"
_SUFFIX = ".pickle"
# The modules whose code decides what a compiled map contains.
# The code that builds a compiled map: any change to it invalidates every entry.
_SOURCE_DIRS = ("model", "load", "core")


@dataclass(frozen=True)
class CompiledMap:
    """A validated map with what every run derives from it: the path index and the edges."""

    depmap: DepMap
    path_index: PathIndex
    adjacency: Adjacency


def compile_map(depmap: DepMap) -> CompiledMap:
    """Derive the path index and the adjacency of a loaded map."""
    from changegate.core.impact import build_path_index

    return CompiledMap(depmap, build_path_index(depmap), adjacency(depmap))


def enabled(no_cache: bool = False) -> bool:
    """Whether the cache is used: not when asked not to, by flag or CHANGEGATE_NO_CACHE."""
    if no_cache:
        return False
    return os.environ.get("CHANGEGATE_NO_CACHE", "").strip().lower() in ("", "0", "false", "no")


def cache_dir() -> Path:
    """$CHANGEGATE_CACHE_DIR, else $XDG_CACHE_HOME/changegate, else ~/.cache/changegate."""
    explicit = os.environ.get("CHANGEGATE_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        return Path(xdg) / "changegate"
    return Path.home() / ".cache" / "changegate"


def cache_key(files: list[tuple[str, bytes]]) -> str:
    """sha256 over the map files (name and bytes) and everything that shapes the result."""
    from changegate.load.resources import schema_path

    digest = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        digest.update(f"{label}\0{len(data)}\0".encode())
        digest.update(data)

    add("format", str(FORMAT).encode())
    add("version", __version__.encode())
    add("python", sys.version.encode())
    bounds = sorted((k, v) for k, v in vars(limits).items() if k.startswith("MAX_"))
    add("limits", repr(bounds).encode())
    add("schema", schema_path("map").read_bytes())
    package = Path(__file__).resolve().parent.parent
    for folder in _SOURCE_DIRS:
        for source in sorted((package / folder).glob("*.py")):
            add(f"source:{folder}/{source.name}", source.read_bytes())
    for name, data in files:
        add(f"map:{name}", data)
    return digest.hexdigest()


def compiled_map(root: Path, config: Config, *, no_cache: bool = False,
                 directory: Path | None = None) -> CompiledMap:
    """The compiled map of `root` under `config`: from the cache when an entry for these
    exact files exists, else loaded (raising InputErrors as `load_map` does), compiled
    and stored."""
    if not enabled(no_cache):
        with gc_paused():
            return compile_map(load_map(root, config))
    files = []
    for name in map_files(root, config):
        try:
            data = read_at_most(limits.MAX_BYTES, root / name, regular_only=True)
        except OSError:
            data = None
        if data is None:  # the real load reports it, with the file name
            with gc_paused():
                return compile_map(load_map(root, config))
        files.append((name, data))
    key = cache_key(files)
    where = directory if directory is not None else cache_dir()
    with gc_paused():
        found = read(where, key)
        if found is not None:
            return found
        compiled = compile_map(load_map(root, config))
    write(where, key, compiled)
    return compiled


def entry_path(directory: Path, key: str) -> Path:
    return directory / f"{_PREFIX}{key}{_SUFFIX}"


def read(directory: Path, key: str) -> CompiledMap | None:
    """The entry for `key`, or None on any failure (missing, truncated, foreign, stale)."""
    try:
        with open(entry_path(directory, key), "rb") as handle:
            stored_key, compiled = pickle.load(handle)
    except Exception:
        return None
    if stored_key != key or not isinstance(compiled, CompiledMap):
        return None
    return compiled


def write(directory: Path, key: str, compiled: CompiledMap) -> None:
    """Store an entry atomically (temp file, then rename); failures are ignored."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=_SUFFIX, dir=directory)
        try:
            with os.fdopen(fd, "wb") as handle:
                pickle.dump((key, compiled), handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, entry_path(directory, key))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _prune(directory)
    except Exception:
        return


def _prune(directory: Path) -> None:
    """Keep the KEEP most recently written entries."""
    entries = sorted(directory.glob(f"{_PREFIX}*{_SUFFIX}"), key=lambda p: p.stat().st_mtime,
                     reverse=True)
    for old in entries[KEEP:]:
        old.unlink(missing_ok=True)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Run a block with the cyclic garbage collector off, then move what it built to the
    permanent generation. Building or unpickling a large map creates ~10^6 acyclic
    objects; the collector would traverse them again and again (it roughly triples the
    unpickling time) and can free none of them."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.enable()
