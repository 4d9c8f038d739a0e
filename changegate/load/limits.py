"""The bounds every gate file is held to, whatever its format (docs/formats.md lists them).

Loaders read them as `limits.MAX_BYTES` at call time, so one place sets them (and the
compiled-map cache keys on them)."""

from __future__ import annotations

from changegate.errors import YamlError

#: Largest gate file accepted, in bytes (characters for text already decoded). A
#: 100,000-component map is about 40 MiB of YAML.
MAX_BYTES = 64 * 1024 * 1024
#: Deepest nesting of mappings/sequences accepted.
MAX_DEPTH = 64
#: Most nodes that aliases may add to a document when expanded (beyond the nodes written).
MAX_ALIAS_NODES = 100_000


def check_size(text: str, file: str) -> None:
    """Raise YamlError when `text` is longer than MAX_BYTES."""
    if len(text) > MAX_BYTES:
        raise YamlError(f"file is larger than the {MAX_BYTES // (1024 * 1024)} MiB limit", file)
