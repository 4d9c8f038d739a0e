"""A gate file's bytes to (data, Lines): decoding, then the loader its name calls for."""

from __future__ import annotations

from typing import Any

from changegate.errors import YamlError
from changegate.load.json_text import load_json
from changegate.load.lines import Lines
from changegate.load.yaml_fast import load_large
from changegate.load.yaml_text import load_yaml


def decode(data: bytes, file: str) -> str:
    """Gate-file bytes as text; YamlError naming the line of the first byte that is not UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise YamlError(f"not UTF-8 text (byte {err.start})", file, line) from None


def load_text(text: str, file: str) -> tuple[Any, Lines]:
    """`load_json` for *.json files; YAML for everything else: a large document by the fast
    path when it can vouch for the result, else (and always for errors) the careful loader."""
    if file.lower().endswith(".json"):
        return load_json(text, file)
    fast = load_large(text, file)
    return fast if fast is not None else load_yaml(text, file)
