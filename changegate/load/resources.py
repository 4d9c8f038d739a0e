"""Files shipped with the package: the builtin policies and the JSON Schemas.

In a wheel they are installed as `changegate/policies/` and `changegate/schemas/` (see the
package-dir mapping in pyproject.toml); in a source checkout (editable install, tests) they
are the repository's top-level `policies/` and `schemas/`.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent  # changegate/


@cache
def shipped_dir(name: str) -> Path:
    """The directory of shipped files called `name` ("policies" or "schemas")."""
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"changegate is installed without its {name}/ directory")


def builtin_policy_path(name: str) -> Path:
    """Path of `builtin:NAME`, i.e. policies/NAME.yaml shipped with the package."""
    return shipped_dir("policies") / f"{name}.yaml"


def schema_path(name: str) -> Path:
    """Path of schemas/NAME.schema.json."""
    return shipped_dir("schemas") / f"{name}.schema.json"
