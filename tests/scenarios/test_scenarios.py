"""End-to-end scenarios, one folder each under tests/scenarios/, run through `changegate check`.

A scenario folder holds:
  scenario.yaml   what to run and what to expect (see below)
  base/           files of the base commit (overlaid on tests/scenarios/_shared/<shared>/ if given)
  head/           files the head commit adds or changes (overlaid on base)
  evidence/       approvals.json and JUnit XML, kept outside the repository; in approvals.json
                  $HEAD, $BASE become the commits' full SHAs and $HEAD7 the head's first 7 digits

scenario.yaml:
  description: ...
  shared: retail-mini            # optional: start base/ from _shared/retail-mini
  delete: [path, ...]            # optional: files the head commit deletes
  args: [--format, json, ...]    # extra arguments (the harness adds --base/--head, --approvals, --junit)
  expect:
    exit: 1
    decision: fail
    impact: {touched_components: [...], ...}       # each key compared exactly
    impacted: {component-id: [via, ...]}           # via chains of impacted components
    value_streams: {vs-id: [via, ...]}
    risk: {computed: high, factors_count: 2}
    requirements: [{target: ..., status: ..., ...}]  # each must match one requirement (subset)
    absent: [target, ...]                          # no requirement has this target
    findings: [{code: ..., level: ...}]            # each must match one finding (subset)
    no_findings: [code, ...]
    policies: {policy-id: true|false}              # matched or not
    policies: {policy-id: {matched: true, waived: true}}   # or a subset of the policy result
    change: {file: ..., title: ...}                # subset of the decision's `change`
  xfail: "why"                                     # optional: a known bug (behaviour contradicts
                                                   # SPEC.md); the scenario must fail until fixed

Adding a case means adding a folder, not code.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from changegate.cli import cli
from conftest import GitRepo, PROJECT

HERE = Path(__file__).parent
SCHEMA = json.loads((PROJECT / "schemas" / "decision.schema.json").read_text())
SCENARIOS = sorted(p for p in HERE.iterdir() if p.is_dir() and not p.name.startswith("_"))


def _param(folder: Path) -> Any:
    reason = yaml.safe_load((folder / "scenario.yaml").read_text()).get("xfail")
    marks = [pytest.mark.xfail(reason=str(reason), strict=True)] if reason else []
    return pytest.param(folder, id=folder.name, marks=marks)


def _subset(expected: Any, actual: Any) -> bool:
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and _subset(v, actual[k]) for k, v in expected.items())
    return bool(expected == actual)


def run_scenario(folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, dict[str, Any], str]:
    spec = yaml.safe_load((folder / "scenario.yaml").read_text())
    repo_dir = tmp_path / "repo"
    repo_dir.mkdir()
    repo = GitRepo(repo_dir)
    if spec.get("shared"):
        repo.copy_tree(HERE / "_shared" / spec["shared"])
    if (folder / "base").is_dir():
        repo.copy_tree(folder / "base")
    base = repo.commit("base")
    if (folder / "head").is_dir():
        repo.copy_tree(folder / "head")
    for rel in spec.get("delete", []):
        repo.delete(rel)
    head = repo.commit("head")
    args = ["check", "--base", base, "--head", head, "--format", "json", "--today", "2026-11-28"]
    evidence = folder / "evidence"
    if (evidence / "approvals.json").is_file():
        text = (evidence / "approvals.json").read_text().replace("$HEAD7", head[:7])
        text = text.replace("$HEAD", head).replace("$BASE", base)
        approvals = tmp_path / "approvals.json"
        approvals.write_text(text)
        args += ["--approvals", str(approvals)]
    if evidence.is_dir() and any(evidence.glob("**/*.xml")):
        args += ["--junit", str(evidence / "**" / "*.xml")]
    args += [str(a) for a in spec.get("args", [])]
    monkeypatch.chdir(repo_dir)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    out = json.loads(result.stdout) if result.stdout.strip().startswith("{") else {}
    return result.exit_code, out, result.stderr


@pytest.mark.parametrize("folder", [_param(p) for p in SCENARIOS])
def test_scenario(folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = yaml.safe_load((folder / "scenario.yaml").read_text())
    expect = spec["expect"]
    code, out, err = run_scenario(folder, tmp_path, monkeypatch)
    assert code == expect["exit"], f"exit {code}, stderr:\n{err}\nstdout:\n{json.dumps(out, indent=1)[:4000]}"
    if not out:
        for needle in expect.get("stderr", []):
            assert needle in err
        return
    jsonschema.Draft202012Validator(SCHEMA).validate(out)
    if "decision" in expect:
        assert out["decision"] == expect["decision"]
    if "change" in expect:
        assert _subset(expect["change"], out["change"]), out["change"]
    for key, value in expect.get("impact", {}).items():
        assert out["impact"][key] == value, key
    impacted = {c["id"]: c["via"] for c in out["impact"]["impacted_components"]}
    for cid, via in expect.get("impacted", {}).items():
        assert impacted.get(cid) == via, f"{cid}: {impacted.get(cid)}"
    for cid in expect.get("not_impacted", []):
        assert cid not in impacted
    streams = {v["id"]: v["via"] for v in out["impact"]["value_streams"]}
    for vid, via in expect.get("value_streams", {}).items():
        assert streams.get(vid) == via, f"{vid}: {streams.get(vid)}"
    risk = expect.get("risk", {})
    for key in ("computed", "declared", "level"):
        if key in risk:
            assert out["impact"]["risk"][key] == risk[key], out["impact"]["risk"]
    if "factors_count" in risk:
        assert len(out["impact"]["risk"]["factors"]) == risk["factors_count"], out["impact"]["risk"]
    for want in expect.get("requirements", []):
        assert any(_subset(want, r) for r in out["requirements"]), (
            f"no requirement matches {want}; have:\n"
            + "\n".join(json.dumps({k: r[k] for k in ('kind', 'target', 'policy', 'status')}) for r in out["requirements"]))
    targets = {r["target"] for r in out["requirements"]}
    for target in expect.get("absent", []):
        assert target not in targets, target
    for want in expect.get("findings", []):
        assert any(_subset(want, f) for f in out["findings"]), (want, out["findings"])
    codes = {f["code"] for f in out["findings"]}
    for code_ in expect.get("no_findings", []):
        assert code_ not in codes, (code_, out["findings"])
    results = {p["id"]: p for p in out["policies"]}
    for pid, want in expect.get("policies", {}).items():
        result = results.get(pid)
        if isinstance(want, dict):
            assert result is not None and _subset(want, result), (pid, result)
        else:
            assert result is not None and result["matched"] == want, (pid, result)
