"""The benchmark harness runs (its own command, as CI would call it). No timing is asserted:
speed is measured by `python -m benchmarks`, never by a unit test."""

from __future__ import annotations

import subprocess
import sys

from conftest import PROJECT


def test_quick_benchmark_run_covers_every_quick_case() -> None:
    proc = subprocess.run([sys.executable, "-m", "benchmarks", "--quick"], cwd=PROJECT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    rows = [line.split("|")[1].strip() for line in proc.stdout.splitlines() if line.startswith("| ")]
    assert rows[1:] == ["baseline: python -c pass", "help", "version", "small", "1k-10", "paths-1k"]


def test_benchmark_cases_are_listed_by_name() -> None:
    proc = subprocess.run([sys.executable, "-m", "benchmarks", "--list"], cwd=PROJECT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    names = [line.split()[0] for line in proc.stdout.splitlines()]
    assert names == ["help", "version", "small", "20k-10", "20k-1000", "20k-5000", "20k-5000-cold",
                     "20k-5000-json", "scale-1k-1000", "scale-100k-1000", "paths", "codeowners-import-1000",
                     "codeowners-check-1000", "board-5000"]
