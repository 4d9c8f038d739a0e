"""The CEL engine the edge hands the core: the bare extension, cheap to import."""

from __future__ import annotations

import subprocess
import sys


def _run(code: str) -> list[str]:
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return out.stdout.split()


def test_install_gives_the_core_the_extension_without_the_cel_package() -> None:
    # `import cel` imports the package's command-line tool too (~200 ms); the core must not.
    assert _run(
        "import sys\n"
        "from changegate.load import cel_engine\n"
        "from changegate.core import cel\n"
        "cel_engine.install()\n"
        "print(cel.evaluate(cel.compile_when('size(files) == 1', 'p.yaml', 1), {'files': ['a']}))\n"
        "print('cel' in sys.modules, 'cel.cel' in sys.modules, 'typer' in sys.modules)\n"
    ) == ["True", "False", "True", "False"]


def test_the_cel_package_imported_later_reuses_the_loaded_extension() -> None:
    # The extension cannot be initialised twice in one process.
    assert _run(
        "import sys\n"
        "from changegate.load import cel_engine\n"
        "bare = cel_engine.bare_extension()\n"
        "import cel\n"
        "print(cel.compile is bare.compile, cel_engine.bare_extension() is bare)\n"
    ) == ["True", "True"]


def test_an_already_imported_cel_package_lends_its_extension() -> None:
    assert _run(
        "import sys, cel\n"
        "from changegate.load import cel_engine\n"
        "engine = cel_engine.bare_extension()\n"
        "print(engine is sys.modules['cel.cel'], cel.Context is engine.Context)\n"
    ) == ["True", "True"]
