"""The core and the model are pure: no clock, no file, no I/O import.

Imports are import-linter's job (the `pure-core` contract in pyproject.toml, also run by
scripts/test.sh); these tests run it too, show that it catches a forbidden import, and add
what it cannot see: reading the clock or opening a file through names already imported
(`datetime.now()`, `open()`).
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PROJECT

PURE = ("changegate/core", "changegate/model")
CLOCK = frozenset({"now", "today", "utcnow", "time", "time_ns", "monotonic", "monotonic_ns",
                   "perf_counter", "perf_counter_ns", "process_time"})
IO = frozenset({"open", "print", "input"})


def _impure_calls(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in CLOCK | {"open"}:
            found.append(f"line {node.lineno}: .{func.attr}()")
        elif isinstance(func, ast.Name) and func.id in CLOCK | IO:
            found.append(f"line {node.lineno}: {func.id}()")
    return found


def test_no_pure_module_reads_the_clock_or_opens_a_file() -> None:
    offences = {
        str(path.relative_to(PROJECT)): calls
        for folder in PURE
        for path in sorted((PROJECT / folder).rglob("*.py"))
        if (calls := _impure_calls(path.read_text(encoding="utf-8")))
    }
    assert offences == {}


def test_the_check_sees_clock_reads_and_file_opens() -> None:
    source = ("import datetime as dt, time\n"
              "a = dt.datetime.now(dt.UTC)\n"
              "b = dt.date.today()\n"
              "c = time.monotonic()\n"
              "d = open('x').read()\n"
              "e = dt.date.fromisoformat('2026-01-01')\n")
    assert _impure_calls(source) == ["line 2: .now()", "line 3: .today()", "line 4: .monotonic()",
                                     "line 5: open()"]


def _lint_imports() -> str:
    exe = Path(sys.executable).with_name("lint-imports")
    if not exe.exists():
        pytest.skip("lint-imports is not installed next to this Python (pip install -e '.[dev]')")
    return str(exe)


def _pure_contract(cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([_lint_imports(), "--no-cache", "--no-logo", "--contract", "pure-core"],
                          cwd=cwd, capture_output=True, text=True, check=False)


def test_the_import_contract_holds() -> None:
    result = _pure_contract(PROJECT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_import_contract_fails_when_the_core_imports_io(tmp_path: Path) -> None:
    # A copy of the package (found first: lint-imports puts the working directory on the path).
    shutil.copytree(PROJECT / "changegate", tmp_path / "changegate",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(PROJECT / "pyproject.toml", tmp_path)
    decide = tmp_path / "changegate" / "core" / "decide.py"
    decide.write_text(decide.read_text(encoding="utf-8") + "\nimport subprocess\n", encoding="utf-8")
    result = _pure_contract(tmp_path)
    assert result.returncode == 1
    assert "changegate.core is not allowed to import subprocess" in result.stdout
    assert "changegate.core.decide -> subprocess" in result.stdout
