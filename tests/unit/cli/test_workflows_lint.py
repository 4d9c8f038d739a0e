"""Every GitHub workflow the project shows is one actionlint accepts: the fenced ```yaml
blocks of README.md and docs/*.md that are workflows (top-level `on:` and `jobs:`) and the
workflow files in the repository. And the README's workflow is the trusted deployment:
base branch workflow, no pull request code run in or before the gate (SPEC §8a)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import PROJECT

FENCE = re.compile(r"^```ya?ml\n(.*?)^```", re.M | re.S)
EXAMPLES = PROJECT / "examples" / "workflows"


def is_workflow(text: str) -> bool:
    return bool(re.search(r"^on:", text, re.M) and re.search(r"^jobs:", text, re.M))


def shown_workflows() -> list[tuple[str, str]]:
    """(where, text) of every workflow shown in README.md and docs/*.md, and of every
    workflow file in the repository."""
    found = []
    for doc in [PROJECT / "README.md", *sorted((PROJECT / "docs").glob("*.md"))]:
        text = doc.read_text(encoding="utf-8")
        for match in FENCE.finditer(text):
            if is_workflow(match.group(1)):
                line = text.count("\n", 0, match.start()) + 1
                found.append((f"{doc.relative_to(PROJECT)}:{line}", match.group(1)))
    files = [*sorted(EXAMPLES.glob("*.y*ml")), *sorted((PROJECT / ".github" / "workflows").glob("*.y*ml"))]
    for path in files:
        found.append((str(path.relative_to(PROJECT)), path.read_text(encoding="utf-8")))
    return found


def actionlint() -> str:
    exe = Path(sys.executable).with_name("actionlint")
    found = str(exe) if exe.exists() else shutil.which("actionlint")
    if not found:
        pytest.fail("actionlint is not installed: it comes with the dev extra (bash scripts/_venv.sh)")
    return found


def test_the_docs_show_workflows_and_the_example_files_are_among_them() -> None:
    where = [w for w, _ in shown_workflows()]
    assert any(w.startswith("README.md:") for w in where)
    assert any(w.startswith("docs/security.md:") for w in where)
    assert {p.name for p in EXAMPLES.glob("*.yml")} >= {"changegate.yml", "changegate-review.yml", "ci.yml",
                                                        "changegate-plain.yml"}


@pytest.mark.parametrize("where,text", shown_workflows(), ids=lambda v: v if "\n" not in v else "")
def test_actionlint_accepts_the_workflow(where: str, text: str, tmp_path: Path) -> None:
    path = tmp_path / "workflow.yml"
    path.write_text(text, encoding="utf-8")
    proc = subprocess.run([actionlint(), "-no-color", str(path)], capture_output=True, text=True, check=False,
                          timeout=120)
    assert proc.returncode == 0, f"{where}:\n{proc.stdout}{proc.stderr}"


def test_actionlint_is_not_a_rubber_stamp(tmp_path: Path) -> None:
    path = tmp_path / "workflow.yml"
    path.write_text("on: pull_request_target\njobs:\n  gate:\n    runs-on: ubuntu-latest\n    steps:\n"
                    "      - run: echo \"${{ github.event.pull_request.title }}\"\n", encoding="utf-8")
    proc = subprocess.run([actionlint(), "-no-color", str(path)], capture_output=True, text=True, check=False,
                          timeout=120)
    assert proc.returncode == 1 and "potentially untrusted" in proc.stdout


def readme_blocks() -> list[str]:
    text = (PROJECT / "README.md").read_text(encoding="utf-8")
    return [m.group(1) for m in FENCE.finditer(text) if is_workflow(m.group(1))]


def test_the_readme_shows_the_trusted_workflow_files_as_they_are() -> None:
    blocks = readme_blocks()
    for name in ("changegate.yml", "changegate-review.yml"):
        assert (EXAMPLES / name).read_text(encoding="utf-8") in blocks, name
    security = (PROJECT / "docs" / "security.md").read_text(encoding="utf-8")
    shown = [m.group(1) for m in FENCE.finditer(security)]
    for name in ("changegate.yml", "changegate-review.yml", "ci.yml", "changegate-plain.yml"):
        assert (EXAMPLES / name).read_text(encoding="utf-8") in shown, name


def test_the_trusted_workflow_runs_no_pull_request_code() -> None:
    data = yaml.safe_load((EXAMPLES / "changegate.yml").read_text(encoding="utf-8"))
    triggers = data[True]  # YAML 1.1 reads the key `on` as true
    assert set(triggers) == {"pull_request_target", "workflow_run"}
    assert data["permissions"] == {}
    (job,) = data["jobs"].values()
    steps = job["steps"]
    checkout = steps[0]
    assert checkout["uses"].startswith("actions/checkout@") and "ref" not in checkout.get("with", {})
    for step in steps[1:]:
        if "uses" in step:
            assert step["uses"].startswith("changegate/changegate@"), step
            assert step["with"]["status-context"] == "changegate"
            continue
        for command in step["run"].strip().splitlines():  # only git fetch and the gh CLI: no build, no test
            assert re.match(r"\s*(git fetch |run_id=\$\(gh run list |--status |if |gh run download |fi$)", command), \
                command
    review = yaml.safe_load((EXAMPLES / "changegate-review.yml").read_text(encoding="utf-8"))
    assert set(review[True]) == {"pull_request_review"} and review["permissions"] == {}
    assert data[True]["workflow_run"]["workflows"] == ["CI", review["name"]]
