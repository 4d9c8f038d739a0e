"""The CEL engine for the core, loaded cheaply: the compiled extension module alone.

`import cel` also imports the package's command-line tool (typer, rich, prompt_toolkit):
~200 ms, about 8x a bare interpreter start, on every run whose policies have a `when`. The
extension alone costs almost nothing, so it is loaded directly from the package folder
when the package is laid out as expected (else through `import cel`), and handed to
core/cel.py, which compiles and evaluates with it.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import sys
from types import ModuleType

from changegate.core import cel
from changegate.errors import CelError

_NAME = "cel.cel"  # the extension's own name inside the package


def bare_extension() -> ModuleType:
    """The `cel` extension module, loaded once per process: the one already imported when
    there is one (the extension cannot be initialised twice)."""
    for name in (_NAME, "cel"):
        if name in sys.modules:
            return sys.modules[name]
    spec = importlib.util.find_spec("cel")
    if spec is None or not spec.submodule_search_locations:
        raise CelError(cel.NO_ENGINE)
    for folder in spec.submodule_search_locations:
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            path = os.path.join(folder, "cel" + suffix)
            if os.path.isfile(path):
                ext_spec = importlib.util.spec_from_file_location(_NAME, path)
                if ext_spec is not None and ext_spec.loader is not None:
                    module = importlib.util.module_from_spec(ext_spec)
                    # Registered under its own name, so a later `import cel` reuses it.
                    sys.modules[_NAME] = module
                    ext_spec.loader.exec_module(module)
                    return module
    import cel as package  # fallback: the package as published

    return package


def install() -> None:
    """Have the core compile and evaluate CEL with `bare_extension`."""
    cel.use_engine(bare_extension())
