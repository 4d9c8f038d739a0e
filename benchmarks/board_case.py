"""A seeded history of 5,000 recorded changes for `changegate board` (issue 13, acceptance 3).

Written with two `git fast-import` runs, never one git process per change: the first makes
the commits on main (one manifest and one file each, two years of weekly dates) and exports
their marks; the second adds the reverts (messages `This reverts commit <sha>.`, as `git
revert` writes) and one commit on refs/notes/changegate holding a record on every change.
A record is a decision of realistic size (impact with `via` chains, every policy's result,
requirements, findings). About 3% of the changes are emergencies with a `pir` (half
done), 2% are reverted, 1% are named in a later manifest's `fixes:`, and 1% of the
manifests were edited after their record (so the board reads those from the tree).

    python -m benchmarks --cases board-5000
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import random
import subprocess
from pathlib import Path
from typing import Any

from benchmarks.generate import DATA_DIR

CHANGES = 5000
STREAMS = 20
COMPONENTS = 200
POLICIES = 40
TODAY = "2026-11-30"
_GIT_ENV = {"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "HOME": "/nonexistent",
            "PATH": "/usr/bin:/bin:/usr/local/bin"}
_WHO = "Bench <bench@example.com>"


def _git(root: Path, *args: str, data: bytes | None = None) -> bytes:
    return subprocess.run(["git", "-C", str(root), *args], input=data, capture_output=True, check=True,
                          env=_GIT_ENV).stdout


def _blob_sha(content: bytes) -> str:
    return hashlib.sha1(b"blob %d\x00" % len(content) + content).hexdigest()


def _data(text: str | bytes) -> bytes:
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return b"data %d\n" % len(raw) + raw + b"\n"


def map_text() -> str:
    lines = ["version: 1", "teams:"]
    lines += [f"  team-{i}: {{name: Team {i}, members: [dev{i}a, dev{i}b]}}" for i in range(STREAMS)]
    lines.append("value_streams:")
    crit = ("low", "medium", "high", "critical")
    lines += [f"  vs-{i}: {{name: Value stream {i}, owners: [team-{i}], consulted: [team-{(i + 1) % STREAMS}], "
              f"informed: [team-{(i + 2) % STREAMS}], criticality: {crit[i % 4]}}}" for i in range(STREAMS)]
    lines.append("components:")
    lines += [f"  c{i}: {{owners: [team-{i % STREAMS}], paths: [\"svc/c{i}/**\"], value_streams: [vs-{i % STREAMS}]}}"
              for i in range(COMPONENTS)]
    return "\n".join(lines) + "\n"


def _manifest(n: int, rnd: random.Random, edited: bool) -> tuple[str, dict[str, Any]]:
    kind = "emergency" if n % 33 == 0 else "standard" if n % 4 == 0 else "normal"
    comp = f"c{rnd.randrange(COMPONENTS)}"
    data: dict[str, Any] = {"version": 1, "title": f"Change {n}: update {comp}", "type": kind, "owner": "team-0",
                            "components": [comp], "rollback": {"plan": "revert"}, "tickets": [f"T-{n}"]}
    if kind == "emergency":
        data["pir"] = {"due": "2026-01-01", "ticket": f"PIR-{n}", "done": edited or n % 2 == 0}
    if n % 100 == 50:
        data["fixes"] = [f"change-{n - 7}"]
    return comp, data


def _record(n: int, commit: str, comp: str, manifest: dict[str, Any], blob: str, when: str) -> dict[str, Any]:
    vs = f"vs-{int(comp[1:]) % STREAMS}"
    requirement = {"kind": "approval", "target": f"component:{comp}", "policy": "baseline-component-owner-approval",
                   "layer": "org", "severity": "error", "status": "satisfied", "detail": "approved by dev0a",
                   "fix": "", "count": 1, "approvers": ["dev0a"], "eligible": ["dev0a", "dev0b"]}
    return {
        "version": 1, "decision": "pass",
        "change": {"file": f".changegate/changes/change-{n}.yaml", "title": manifest["title"],
                   "type": manifest["type"], "owner": "team-0", "summary": None},
        "diff": {"base": "0" * 40, "head": commit, "files": 2},
        "impact": {"touched_components": [comp], "changed_interfaces": [],
                   "impacted_components": [{"id": comp, "via": [comp], "touched": True, "depth": 0}],
                   "value_streams": [{"id": vs, "name": vs, "criticality": "high", "owners": ["team-0"],
                                      "consulted": [], "informed": [], "via": [comp, vs]}],
                   "unmapped_files": [], "risk": {"computed": "high", "declared": None, "level": "high",
                                                  "factors": [f"{vs} is high"]}},
        "policies": [{"id": f"policy-{i}", "layer": "org", "matched": i < 6, "severity": "error",
                      "description": f"Policy {i} of the organisation", "reason": "", "waived": False}
                     for i in range(POLICIES)],
        "requirements": [requirement] * 6,
        "findings": [],
        "summary": {"blocking": 0, "requirements": {"satisfied": 6, "missing": 0, "failed": 0, "waived": 0},
                    "findings": {"error": 0, "warning": 0, "notice": 0}},
        "record": {"commit": commit, "base": "0" * 40, "head": commit, "recorded_at": when,
                   "subject": manifest["title"], "approvers": ["dev0a"], "pull_request": n,
                   "manifest_blob": blob, "pir": manifest.get("pir"), "fixes": manifest.get("fixes", [])},
    }


def write_history(root: Path, changes: int = CHANGES, seed: int = 13) -> None:
    """A repository at `root` with `changes` merged changes, each recorded (see the docstring)."""
    rnd = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    _git(root, "init", "-q", "-b", "main")
    start = _dt.datetime(2024, 12, 2, 12, tzinfo=_dt.UTC)
    stream = bytearray()
    stream += b"commit refs/heads/main\nmark :1\n"
    stream += f"committer {_WHO} {int(start.timestamp())} +0000\n".encode() + _data("gate")
    stream += b"M 100644 inline .changegate/config.yaml\n" + _data("version: 1\npolicies: []\nallow_empty_gate: true\n")
    stream += b"M 100644 inline .changegate/map.yaml\n" + _data(map_text())
    pending: list[tuple[int, str, dict[str, Any], str]] = []
    for n in range(1, changes + 1):
        edited = n % 100 == 7
        comp, manifest = _manifest(n, rnd, edited=False)
        text = json.dumps(manifest) + "\n"
        when = start + _dt.timedelta(minutes=int(n * 60 * 24 * 730 / changes))
        stream += f"commit refs/heads/main\nmark :{n + 1}\ncommitter {_WHO} {int(when.timestamp())} +0000\n".encode()
        stream += _data(f"{manifest['title']} (#{n})")
        stream += f"M 100644 inline .changegate/changes/change-{n}.yaml\n".encode() + _data(text)
        stream += f"M 100644 inline svc/{comp}/f{n}.txt\n".encode() + _data(str(n))
        pending.append((n, comp, manifest, _blob_sha(text.encode())))
        if edited:  # a later edit of the manifest (e.g. a review marked done)
            _, manifest_after = _manifest(n, random.Random(n), edited=True)
            stream += f"M 100644 inline .changegate/changes/change-{n}-note.yaml\n".encode() + _data(
                json.dumps(manifest_after) + "\n")
    marks_file = root / ".git" / "bench-marks"
    _git(root, "fast-import", "--quiet", f"--export-marks={marks_file}", data=bytes(stream))
    marks = dict(line.split() for line in marks_file.read_text().splitlines())
    shas = {n: marks[f":{n + 1}"] for n in range(1, changes + 1)}
    tip = marks[f":{changes + 1}"]
    second = bytearray()
    when = int((start + _dt.timedelta(days=731)).timestamp())
    second += f"commit refs/heads/main\nmark :900001\ncommitter {_WHO} {when} +0000\n".encode()
    second += _data("".join(f"This reverts commit {shas[n]}.\n" for n in range(1, changes + 1) if n % 50 == 3))
    second += f"from {tip}\n".encode()
    second += f"commit refs/notes/changegate\ncommitter {_WHO} {when} +0000\n".encode() + _data("records")
    for n, comp, manifest, blob in pending:
        record = _record(n, shas[n], comp, manifest, blob, f"{TODAY}T00:00:00Z")
        second += f"N inline {shas[n]}\n".encode() + _data(json.dumps(record, separators=(",", ":")) + "\n")
    _git(root, "fast-import", "--quiet", data=bytes(second))
    _git(root, "reset", "-q", "--hard", "main")


def ensure_board_case(changes: int = CHANGES) -> Path:
    """Write the history under benchmarks/.data/board-<changes>/ (once); return its root."""
    root = DATA_DIR / f"board-{changes}"
    stamp = root / ".complete"
    if stamp.is_file():
        return root
    if root.exists():
        import shutil

        shutil.rmtree(root)
    write_history(root, changes)
    stamp.write_text("ok\n")
    return root
