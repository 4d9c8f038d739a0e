"""Write every scenario's and the retail example's decision, in every format, to a folder.

Used to show that a refactoring changes no output: run it before and after, then
``diff -r``. It drives the installed CLI as a subprocess (``python -m changegate``), so it
depends on nothing inside the package. Commits are made with fixed dates and names, so the
same scenario gives the same commit ids, and so the same bytes, on every run.

    .venv/bin/python scripts/decisions.py OUT_DIR [CHECKOUT]

With CHECKOUT (another clone or worktree, e.g. of the commit before a refactoring), that
checkout's package is the one run (it goes first on PYTHONPATH).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "tests" / "scenarios"
FORMATS = ("json", "markdown", "text")
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test Author", "GIT_AUTHOR_EMAIL": "author@example.com",
    "GIT_COMMITTER_NAME": "Test Committer", "GIT_COMMITTER_EMAIL": "committer@example.com",
    "GIT_AUTHOR_DATE": "2026-11-01T12:00:00Z", "GIT_COMMITTER_DATE": "2026-11-01T12:00:00Z",
    "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull,
}


def _git(repo: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV}
    return subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True,
                          check=True).stdout.strip()


def _overlay(src: Path, dst: Path) -> None:
    for path in sorted(src.rglob("*")):
        if path.is_file():
            target = dst / path.relative_to(src)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)


def _commit(repo: Path, message: str) -> str:
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "--allow-empty", "-m", message)
    return _git(repo, "rev-parse", "HEAD")


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    proc = subprocess.run([sys.executable, "-m", "changegate", *args], cwd=cwd, env=env,
                          capture_output=True, text=True)
    return f"exit {proc.returncode}\n--- stdout\n{proc.stdout}--- stderr\n{proc.stderr}"


def scenario(folder: Path, work: Path, env: dict[str, str]) -> dict[str, str]:
    """Build the scenario's repository in `work` and return its output per format."""
    spec = yaml.safe_load((folder / "scenario.yaml").read_text())
    repo = work / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    if spec.get("shared"):
        _overlay(SCENARIOS / "_shared" / spec["shared"], repo)
    if (folder / "base").is_dir():
        _overlay(folder / "base", repo)
    base = _commit(repo, "base")
    if (folder / "head").is_dir():
        _overlay(folder / "head", repo)
    for rel in spec.get("delete", []):
        (repo / rel).unlink()
    head = _commit(repo, "head")
    args = ["check", "--base", base, "--head", head, "--today", "2026-11-28"]
    evidence = folder / "evidence"
    if (evidence / "approvals.json").is_file():
        text = (evidence / "approvals.json").read_text().replace("$HEAD", head).replace("$BASE", base)
        (work / "approvals.json").write_text(text)
        args += ["--approvals", "../approvals.json"]  # relative: no temp path in the output
    if evidence.is_dir() and any(evidence.glob("**/*.xml")):
        args += ["--junit", str(evidence / "**" / "*.xml")]
    extra = [str(a) for a in spec.get("args", [])]
    if "--format" in extra:
        return {"given": _run(args + extra, repo, env)}
    return {fmt: _run(args + ["--format", fmt] + extra, repo, env) for fmt in FORMATS}


def main(out: Path, checkout: Path | None = None) -> None:
    out.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    if checkout is not None:
        env["PYTHONPATH"] = str(checkout.resolve())
    with tempfile.TemporaryDirectory() as tmp:
        env["CHANGEGATE_CACHE_DIR"] = str(Path(tmp) / "cache")
        for folder in sorted(p for p in SCENARIOS.iterdir() if p.is_dir() and not p.name.startswith("_")):
            work = Path(tmp) / folder.name
            work.mkdir()
            for fmt, text in scenario(folder, work, env).items():
                (out / f"{folder.name}.{fmt}").write_text(text.replace(str(work), "<work>"))
        retail = ROOT / "examples" / "retail"
        for fmt in FORMATS:
            text = _run(["check", "--changed-files", "pr/changed-files.txt", "--approvals",
                         "pr/approvals.json", "--today", "2026-11-28", "--format", fmt], retail, env)
            (out / f"_retail.{fmt}").write_text(text)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) > 2 else None)
