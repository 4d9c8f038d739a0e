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
#: Longest integer literal accepted, in characters (Python refuses to print one of more
#: than 4,300 digits; no gate value needs more than a handful).
MAX_INT_DIGITS = 100


class IntegerTooLongError(ValueError):
    """An integer literal longer than MAX_INT_DIGITS characters (`token` is the literal)."""

    def __init__(self, token: str) -> None:
        super().__init__(int_message(token))
        self.token = token


def int_message(token: str) -> str:
    """What is wrong with an integer literal that is too long."""
    return f"an integer of {len(token)} characters; at most {MAX_INT_DIGITS} are accepted"


def json_int(token: str) -> int:
    """`int(token)` for `json.loads(parse_int=...)`, refusing literals past MAX_INT_DIGITS."""
    if len(token) > MAX_INT_DIGITS:
        raise IntegerTooLongError(token)
    return int(token)


def token_line(text: str, token: str) -> int:
    """The 1-based line of the first occurrence of `token` in `text` (0 when absent)."""
    at = text.find(token)
    return 0 if at < 0 else text.count("\n", 0, at) + 1


def check_size(text: str, file: str) -> None:
    """Raise YamlError when `text` is longer than MAX_BYTES."""
    if len(text) > MAX_BYTES:
        raise YamlError(f"file is larger than the {MAX_BYTES // (1024 * 1024)} MiB limit", file)
