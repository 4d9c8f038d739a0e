"""The fuzz target (atheris, coverage-guided): every input changegate reads from a user,
through the functions the CLI reads it with. Any exception other than changegate's
InputError family is a crash, and so is a path index that disagrees with the per-pattern
reference.

Run it with `bash scripts/fuzz.sh SECONDS` (docs/fuzzing.md). The first byte of an input
picks the target (`TARGETS`), the rest is that target's file (with CHANGEGATE_FUZZ_TARGET
set, every input goes to that one target, whole):

- config, map, map-large, policy, manifest: a gate file written into a small valid
  repository and loaded as `changegate check` loads it (`load_gate`, `read_manifests`) and
  as `changegate validate` checks it (`validate_paths`); a map or manifest that loads is
  then decided by the core and rendered in every format. `map-large` pads the map past
  64 KiB with a comment, so that the fast YAML path (yaml_rs) reads it first;
- junit: the JUnit XML parser; approvals: the approvals file loader; changed-files: a
  `--changed-files` list, through `changegate check` on the sample gate (`gate_change`);
- patterns: path patterns (lines up to the first blank one) and paths (the lines after),
  matched by the index and by the per-pattern reference.

Without atheris the module still imports: `run(target, payload)` is what the crash corpus
regression test (tests/unit/properties/test_fuzz_corpus.py) replays.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from changegate.load.gate import GateFiles
    from changegate.model import Manifest

TARGETS = ("config", "map", "map-large", "policy", "manifest", "junit", "approvals", "changed-files",
           "patterns")

# The small valid repository every gate-file input lands in (each input replaces one file).
SAMPLE = {
    ".changegate/config.yaml": """\
version: 1
map: .changegate/map.yaml
policies: [builtin:baseline, .changegate/policies]
evidence: {junit: ["reports/*.xml"]}
impact: {mode: contract, max_depth: 3}
""",
    ".changegate/map.yaml": """\
version: 1
teams:
  crm-team: {members: [alice, "@bob"], github_team: acme/crm}
  finance-owners: {members: [carol]}
value_streams:
  finance: {owners: [finance-owners], criticality: critical, consulted: [crm-team]}
components:
  crm:
    owners: [crm-team]
    paths: ["services/crm/**", "!services/crm/docs/**"]
    value_streams: [finance]
    provides: [crm-api]
    tests: [crm-unit]
  ledger:
    owners: [finance-owners]
    paths: ["finance/**", "*.sql"]
    depends_on: [crm]
    consumes: [crm-api]
    contract_tests: [ledger-contract]
interfaces:
  crm-api: {paths: ["services/crm/api/**"]}
""",
    ".changegate/policies/org.yaml": """\
version: 1
layer: org
policies:
  - id: finance-signoff
    waivable_by: [finance-owners]
    match: {value_streams: [finance], when: 'size(files) > 0 && change.type != "standard"'}
    require:
      approvals: [{team: finance-owners, count: 1}, {owners_of: value_streams}]
      tests: [{from: impacted_consumers}, crm-unit]
      fields: [rollback.plan]
""",
    ".changegate/changes/change.yaml": """\
version: 1
title: Upgrade CRM
type: normal
owner: crm-team
components: [crm]
interfaces_changed: [crm-api]
risk: medium
rollback: {plan: Redeploy}
waivers: [{policy: finance-signoff, reason: Rewritten, expires: 2026-12-31}]
""",
    "reports/crm-unit.xml": '<testsuite name="crm-unit" tests="2" failures="0"><testcase name="a"/></testsuite>\n',
    "approvals.json": '{"author": "dave", "head_sha": "abc", "reviews": [{"user": "carol", "state": "APPROVED", '
                      '"commit_id": "abc", "submitted_at": "2026-11-27T10:00:00Z"}]}\n',
}
CHANGED = ("services/crm/api/v1.py", "finance/ledger.py", "db/x.sql", "README.md",
           ".changegate/changes/change.yaml")
FILE_OF = {"config": ".changegate/config.yaml", "map": ".changegate/map.yaml",
           "map-large": ".changegate/map.yaml", "policy": ".changegate/policies/org.yaml",
           "manifest": ".changegate/changes/change.yaml", "approvals": "approvals.json"}
LARGE_PAD = b"\n# " + b"x" * (64 * 1024) + b"\n"  # past yaml_fast.FAST_MIN_CHARS


class _Repository:
    """One temporary repository, reset to the sample before each input."""

    def __init__(self) -> None:
        shm = Path("/dev/shm")
        self._dir = tempfile.TemporaryDirectory(prefix="changegate-fuzz-",
                                                dir=shm if shm.is_dir() else None)
        self.root = Path(self._dir.name)

    def reset(self, replace: str | None = None, data: bytes = b"") -> Path:
        """The sample written afresh, with the file `replace` holding `data` instead."""
        for rel, text in {**SAMPLE, "changed.txt": "\n".join(CHANGED)}.items():
            path = self.root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data if rel == replace else text.encode())
        return self.root


_REPO: _Repository | None = None


def _repository() -> _Repository:
    global _REPO
    if _REPO is None:
        _REPO = _Repository()
    return _REPO


def run_strict(target: str, payload: bytes) -> None:
    """Feed `payload` to `target`, raising whatever it raises (an InputError included)."""
    _RUNNERS[target](payload)


def run(target: str, payload: bytes) -> None:
    """Feed `payload` to `target`; return when it is handled (accepted, or refused with an
    InputError that has a message); raise when changegate has a bug."""
    from changegate.errors import InputError

    try:
        run_strict(target, payload)
    except InputError as exc:
        if not str(exc).strip():
            raise AssertionError(f"an InputError without a message: {exc!r}") from exc
    finally:
        _collect_garbage()


_RUNS = [0]


def _collect_garbage() -> None:
    """Loading a map freezes every object that exists, garbage included (load/cache.py
    `gc_paused`: right for a one-shot CLI process). A process that loads maps all day hands
    them back to the collector and collects now and then, else it grows by ~300 KiB a map."""
    gc.unfreeze()
    _RUNS[0] += 1
    if _RUNS[0] % 32 == 0:
        gc.collect()


def one_input(data: bytes) -> None:
    """The libFuzzer entry: the first byte picks the target."""
    if not data:
        return
    run(TARGETS[data[0] % len(TARGETS)], data[1:])


def one_input_for(target: str) -> Callable[[bytes], None]:
    """The libFuzzer entry that feeds every input to `target` (CHANGEGATE_FUZZ_TARGET)."""
    if target not in TARGETS:
        raise SystemExit(f"CHANGEGATE_FUZZ_TARGET: {target!r} is not one of {', '.join(TARGETS)}")
    return lambda data: run(target, data)


def _gate_file(target: str, payload: bytes) -> None:
    """A gate file as `check` and `validate` read it; a gate that loads is decided."""
    from changegate.commands.validate import validate_paths
    from changegate.errors import InputError, InputErrors
    from changegate.load.gate import load_gate
    from changegate.sources.manifests import read_manifests

    if target == "map-large":
        payload = payload + LARGE_PAD
    root = _repository().reset(FILE_OF[target], payload)
    errors = validate_paths(root, [])
    for error in errors:
        if not isinstance(error, InputError) or not str(error).strip():
            raise AssertionError(f"validate returned {error!r}")
    gate = load_gate(root, None, no_cache=True)
    manifests = read_manifests(root, [".changegate/changes/change.yaml"], None, gate.depmap,
                               [p.id for p in gate.policies])
    if errors:  # validate compiles every pattern, check only those it needs: it may refuse more
        raise InputErrors(errors)
    _decide(root, gate, manifests[0], CHANGED)


def _decide(root: Path, gate: GateFiles, manifest: Manifest | None, changed: tuple[str, ...]) -> None:
    """Decide the change on the gate and render the decision in every format."""
    from changegate import model as models
    from changegate import report
    from changegate.core.decide import decide
    from changegate.sources import approvals, junit

    found = approvals.load(root / "approvals.json")
    suites = junit.load(gate.config.junit, root, dict(gate.config.suites))
    evidence = models.Evidence(changed_files=tuple(changed), today=dt.date(2026, 11, 30), approvals=found,
                               suites=suites, head="abc")
    decision = decide(manifest, gate.depmap, gate.adjacency, gate.policies, evidence, gate.config,
                      path_index=gate.path_index)
    for fmt in report.DECISION_FORMATS:
        text = report.render(fmt, decision)
        text.encode("utf-8")  # every output is valid UTF-8, whatever the input held


def _junit(payload: bytes) -> None:
    from changegate.sources import junit

    junit.parse(payload, "report.xml")


def _approvals(payload: bytes) -> None:
    from changegate.sources import approvals

    root = _repository().reset("approvals.json", payload)
    approvals.load(root / "approvals.json")


def _changed_files(payload: bytes) -> None:
    """`changegate check --changed-files LIST --approvals approvals.json` on the sample gate."""
    from changegate import report
    from changegate.commands.check import CheckOptions, gate_change
    from changegate.sources.local import LocalSource

    root = _repository().reset("changed.txt", payload)
    options = CheckOptions(root=root, changed_files=str(root / "changed.txt"), approvals=str(root / "approvals.json"),
                           no_cache=True, today="2026-11-30")
    decision = gate_change(options, LocalSource(options, approvals=options.approvals))
    for fmt in report.DECISION_FORMATS:
        report.render(fmt, decision).encode("utf-8")


def _patterns(payload: bytes) -> None:
    from changegate.core.paths import PathIndex, matches_any, pattern_error

    text = payload.decode("utf-8", "surrogateescape")
    head, _, tail = text.partition("\n\n")
    patterns = [p for p in head.split("\n") if pattern_error(p) is None]
    # Changed paths reach the matcher in git's canonical form only (issue 10: "a//b", "./a",
    # "a/../b" and absolute paths are refused before), so only such paths are compared here.
    paths = [p for p in tail.split("\n") if _canonical(p)] or ["a/b", "a/b/c.py"]
    owners = {"o0": patterns[::2], "o1": patterns[1::2], "o2": patterns}
    index = PathIndex(owners)
    for path in paths:
        got = index.match(path)
        want = tuple(owner for owner in sorted(owners) if matches_any(owners[owner], path))
        if got != want:
            raise AssertionError(f"path index {got} != per-pattern reference {want} for {path!r}, "
                                 f"patterns {patterns!r}")


def _canonical(path: str) -> bool:
    return "\x00" not in path and all(part not in ("", ".", "..") for part in path.split("/"))


_RUNNERS = {
    "config": lambda p: _gate_file("config", p),
    "map": lambda p: _gate_file("map", p),
    "map-large": lambda p: _gate_file("map-large", p),
    "policy": lambda p: _gate_file("policy", p),
    "manifest": lambda p: _gate_file("manifest", p),
    "junit": _junit,
    "approvals": _approvals,
    "changed-files": _changed_files,
    "patterns": _patterns,
}
assert set(_RUNNERS) == set(TARGETS)


def seed_inputs() -> dict[str, bytes]:
    """Target -> a valid input for it (the sample's files, a JUnit report, patterns)."""
    extra = {
        "junit": SAMPLE["reports/crm-unit.xml"].encode(),
        "changed-files": "\n".join(CHANGED).encode(),
        "patterns": b"services/**\n!services/crm/**\n*.py\n[a-c]?/x\n**/api/\n\nservices/crm/a.py\nb/x\n",
    }
    return {target: extra.get(target) or SAMPLE[FILE_OF[target]].encode() for target in TARGETS}


def seeds(directory: Path, only: str | None = None) -> None:
    """Write one seed file per target (its selector byte, then `seed_inputs`' payload), or
    `only`'s payload alone (for a run with CHANGEGATE_FUZZ_TARGET)."""
    directory.mkdir(parents=True, exist_ok=True)
    for number, (target, payload) in enumerate(seed_inputs().items()):
        if only is None:
            (directory / f"{target}.seed").write_bytes(bytes([number]) + payload)
        elif target == only:
            (directory / f"{target}.seed").write_bytes(payload)


def keep(crash: Path, name: str, directory: Path, only: str | None = None) -> Path:
    """Copy a crash artifact into the regression corpus as `<target>--<name>` (payload only;
    `only`: the artifact of a CHANGEGATE_FUZZ_TARGET run, all payload)."""
    data = crash.read_bytes()
    target, payload = (only, data) if only else (TARGETS[data[0] % len(TARGETS)], data[1:])
    kept = directory / f"{target}--{name}"
    kept.write_bytes(payload)
    return kept


def main() -> None:
    """`fuzz_changegate.py seeds DIR`, `fuzz_changegate.py keep CRASH NAME DIR`, or libFuzzer's
    own arguments (corpus directories, -max_total_time=N, ...)."""
    fixed = os.environ.get("CHANGEGATE_FUZZ_TARGET") or None
    if sys.argv[1:2] == ["seeds"]:
        seeds(Path(sys.argv[2]), fixed)
        return
    if sys.argv[1:2] == ["keep"]:
        print(keep(Path(sys.argv[2]), sys.argv[3], Path(sys.argv[4]), fixed))
        return
    import atheris

    # changegate and PyYAML's pure-Python parser: coverage of both guides the mutations
    with atheris.instrument_imports(include=["changegate", "yaml"]):
        import changegate.commands.validate
        import changegate.core.decide
        import changegate.core.paths
        import changegate.load.gate
        import changegate.report.json_report
        import changegate.report.markdown
        import changegate.report.text
        import changegate.sources.approvals
        import changegate.sources.changed_files
        import changegate.sources.junit
        import changegate.sources.manifests  # noqa: F401
    atheris.Setup(sys.argv, one_input_for(fixed) if fixed else one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
