"""Hypothesis strategies for the property tests: random but valid gates (config, map,
policies, manifest) as the documents a user writes, random changes and evidence, random
path patterns and paths, and a way to break a valid document anywhere.

A generated gate is valid by construction (the loaders must accept it: the tests assert
so), small (ids t0.., v0.., c0.., i0.., s0..) and over a fixed universe of paths, so that
patterns, changed files and policies meet each other often.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

from changegate.core.paths import pattern_error

LOGINS = ("alice", "bob", "carol", "dave", "erin")
SUITES = ("s0", "s1", "s2", "s3")
LAYERS = ("org", "value-stream", "component", "change")
RISKS = ("low", "medium", "high", "critical")
TYPES = ("standard", "normal", "emergency")
TODAY = dt.date(2026, 11, 30)
HEAD = "c0ffee"
MANIFEST = ".changegate/changes/change.yaml"

#: Every changed file is one of these (the manifest's own path is added when there is one).
PATHS = (
    "README.md", "x.py", "a/x.py", "a/y.md", "a/b/x.py", "a/b/y.md", "a/b/c/z", "a/c/x.py",
    "b/x.py", "b/z", "b/a/x.py", "c/d/e/z", "c/e/y.md", "docs/a.md", "docs/api/x.py",
    "src/[ab]/x.py", "src/a b/y.md", "é/x.py", "a/.hidden", ".changegate/map.yaml",
)

#: Patterns written as maps write them, each with a meaning git gives it.
MAP_PATTERNS = (
    "a/**", "a/", "a", "/a/b/**", "a/b/", "b/**", "!a/b/**", "*.py", "**/*.py", "*.md", "**/y.md",
    "c/*/e/", "c/**/z", "README.md", "z", "x.py", "[ab]/x.py", "?/x.py", "a/*/x.py", "docs/**",
    "!docs/api/**", "docs/api/", "src/\\[ab\\]/*", "src/a b/**", "é/**", ".*", "**/c/**", "**",
    "!*.md", "a/**/z", ".changegate/**",
)

#: CEL `when` expressions over the variables policies see.
WHEN = (
    'change.type == "emergency"', "size(impact.value_streams) > 1", '"a/x.py" in files',
    'author == "alice"', '"release" in labels', 'impact.risk == "high"',
    "size(files) >= 3", 'impact.touched_components.exists(c, c == "c0")',
)


def ids(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{i}" for i in range(n)]


def subset(items: list[str] | tuple[str, ...], *, min_size: int = 0, max_size: int | None = None
           ) -> st.SearchStrategy[list[str]]:
    """A sublist of `items` (one coin a item: cheap for hypothesis to draw and shrink)."""
    if not items:
        return st.just([])
    limit = len(items) if max_size is None else max_size

    def pick(bits: tuple[bool, ...]) -> list[str]:
        chosen = [item for item, bit in zip(items, bits, strict=True) if bit][:limit]
        return chosen if len(chosen) >= min_size else list(items[:min_size])

    return st.tuples(*[st.booleans()] * len(items)).map(pick)


@st.composite
def maps(draw: st.DrawFn) -> dict[str, Any]:
    """A valid dependency map: every reference resolves, each interface has one provider."""
    teams = ids("t", draw(st.integers(1, 4)))
    streams = ids("v", draw(st.integers(0, 4)))
    components = ids("c", draw(st.integers(1, 6)))
    interfaces = ids("i", draw(st.integers(0, 4)))
    provider = {iid: draw(st.sampled_from(components)) for iid in interfaces}
    doc: dict[str, Any] = {"version": 1, "teams": {}, "value_streams": {}, "components": {}, "interfaces": {}}
    for tid in teams:
        doc["teams"][tid] = {"members": draw(subset(LOGINS, min_size=draw(st.sampled_from([0, 1, 1, 1])),
                                                    max_size=3))}
    for vid in streams:
        doc["value_streams"][vid] = {"owners": draw(subset(teams, max_size=2)),
                                     "criticality": draw(st.sampled_from(RISKS))}
    for cid in components:
        doc["components"][cid] = {
            "owners": draw(subset(teams, min_size=draw(st.sampled_from([0, 1, 1, 1])), max_size=2)),
            "paths": draw(st.lists(st.sampled_from(MAP_PATTERNS), min_size=1, max_size=3)),
            "value_streams": draw(subset(streams, max_size=2)),
            "depends_on": draw(subset(components, max_size=3)),
            "provides": [iid for iid in interfaces if provider[iid] == cid],
            "consumes": draw(subset(interfaces, max_size=3)),
            "tests": draw(subset(SUITES, max_size=2)),
            "contract_tests": draw(subset(SUITES, max_size=2)),
        }
    for iid in interfaces:
        doc["interfaces"][iid] = {"paths": draw(st.lists(st.sampled_from(MAP_PATTERNS), min_size=1, max_size=2))}
    return doc


@st.composite
def policies(draw: st.DrawFn, depmap: dict[str, Any], prefix: str = "p", count: tuple[int, int] = (1, 4)
             ) -> list[dict[str, Any]]:
    """Valid policies (ids `prefix`0..) over `depmap`'s ids: each asks something or denies."""
    teams, streams = list(depmap["teams"]), list(depmap["value_streams"])
    components, interfaces = list(depmap["components"]), list(depmap["interfaces"])
    out = []
    for pid in ids(prefix, draw(st.integers(*count))):
        policy: dict[str, Any] = {"id": pid, "severity": draw(st.sampled_from(["error", "error", "warning"]))}
        if draw(st.booleans()):
            policy["final"] = draw(st.booleans())
        if draw(st.booleans()):
            policy["waivable_by"] = draw(subset(teams, min_size=1, max_size=2))
        match: dict[str, Any] = {}
        keys = draw(st.lists(st.sampled_from(["value_streams", "touched_components", "impacted_components",
                                              "change_types", "risk_at_least", "paths", "breaking",
                                              "interfaces_changed", "when"]), max_size=2, unique=True))
        for key in keys:
            if key == "value_streams" and streams:
                match[key] = draw(subset(streams, min_size=1))
            elif key == "touched_components":
                match[key] = draw(st.booleans() | subset(components, min_size=1))
            elif key == "impacted_components":
                match[key] = draw(subset(components, min_size=1))
            elif key == "change_types":
                match[key] = draw(subset(TYPES, min_size=1))
            elif key == "risk_at_least":
                match[key] = draw(st.sampled_from(RISKS))
            elif key == "paths":
                match[key] = draw(st.lists(st.sampled_from(MAP_PATTERNS), min_size=1, max_size=2))
            elif key == "breaking":
                match[key] = draw(st.booleans())
            elif key == "interfaces_changed":
                match[key] = draw(st.booleans() | subset(interfaces, min_size=1)) if interfaces else True
            elif key == "when":
                match[key] = draw(st.sampled_from(WHEN))
        if match:
            policy["match"] = match
        if draw(st.integers(0, 9)) == 0:
            policy["deny"] = draw(st.sampled_from(["No.", "Frozen: <b>@all</b> [x](y)"]))
        else:
            policy["require"] = draw(requires(teams))
        out.append(policy)
    return out


@st.composite
def requires(draw: st.DrawFn, teams: list[str]) -> dict[str, Any]:
    """A non-empty `require`."""
    require: dict[str, Any] = {}
    for key in draw(st.lists(st.sampled_from(["manifest", "fields", "owners", "approvals", "tests"]), min_size=1,
                             max_size=2, unique=True)):
        if key == "manifest":
            require["manifest"] = True
        elif key == "fields":
            require["fields"] = draw(subset(["rollback.plan", "tickets", "summary", "rollback.tested"],
                                            min_size=1))
        elif key == "owners":
            require["owners"] = True
        elif key == "approvals":
            rules: list[dict[str, Any]] = []
            for _ in range(draw(st.integers(1, 2))):
                if draw(st.booleans()):
                    rules.append({"team": draw(st.sampled_from(teams)), "count": draw(st.sampled_from([1, 1, 2, 3]))})
                else:
                    rules.append({"owners_of": draw(st.sampled_from(
                        ["value_streams", "touched_components", "impacted_components"]))})
            require["approvals"] = rules
        else:
            require["tests"] = draw(st.lists(
                st.sampled_from(SUITES) | st.sampled_from(["touched_components", "impacted_consumers"]).map(
                    lambda f: {"from": f}), min_size=1, max_size=3))
    return require


def policy_files(items: list[dict[str, Any]], draw: st.DrawFn) -> dict[str, dict[str, Any]]:
    """`items` spread over one or two policy files, each of one layer."""
    files: dict[str, dict[str, Any]] = {}
    for policy in items:
        layer = draw(st.sampled_from(LAYERS))
        files.setdefault(layer, {"version": 1, "layer": layer, "policies": []})["policies"].append(policy)
    return {f"{layer}.yaml": doc for layer, doc in files.items()}


@st.composite
def manifests(draw: st.DrawFn, depmap: dict[str, Any], policy_ids: list[str]) -> dict[str, Any]:
    """A valid manifest over `depmap`, its waivers naming some of `policy_ids`."""
    doc: dict[str, Any] = {
        "version": 1,
        "title": draw(st.text(min_size=1, max_size=20).filter(str.strip)),
        "type": draw(st.sampled_from(TYPES)),
        "owner": draw(st.sampled_from([*depmap["teams"], "@alice", "@nobody"])),
        # mostly every component (an undeclared one is an error finding that hides the rest)
        "components": list(depmap["components"]) if draw(st.integers(0, 3)) else draw(
            subset(list(depmap["components"]))),
    }
    if draw(st.booleans()):
        doc["summary"] = draw(st.sampled_from(["Moves CRM to 5.2", "<img src=x> @all `x`"]))
    if depmap["interfaces"] and draw(st.booleans()):
        doc["interfaces_changed"] = draw(subset(list(depmap["interfaces"])))
    if draw(st.booleans()):
        doc["breaking"] = draw(st.booleans())
    if draw(st.booleans()):
        doc["risk"] = draw(st.sampled_from(RISKS))
    if draw(st.integers(0, 3)):
        doc["rollback"] = {"plan": draw(st.sampled_from(["", "Redeploy", "Redeploy"])), "tested": draw(st.booleans())}
    if draw(st.integers(0, 3)):
        doc["tickets"] = draw(st.lists(st.sampled_from(["CRM-1", 42]), max_size=2))
    if draw(st.booleans()):
        doc["tests"] = draw(subset(SUITES))
    if policy_ids and draw(st.booleans()):
        doc["waivers"] = [
            {"policy": pid, "reason": "Because",
             "expires": (TODAY + dt.timedelta(days=draw(st.integers(-3, 3)))).isoformat()}
            for pid in draw(subset(policy_ids, min_size=1, max_size=2))
        ]
    return doc


@st.composite
def reviews(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Reviews in time order (each user's latest is the one that counts), mostly approvals
    at the head, so that gates pass often enough for "fail never turns into pass" to bite."""
    out = []
    for minute in range(draw(st.integers(0, 8))):
        state = draw(st.sampled_from(["APPROVED"] * 5 + ["CHANGES_REQUESTED", "COMMENTED", "DISMISSED"]))
        out.append({"user": draw(st.sampled_from(LOGINS)), "state": state,
                    "commit_id": draw(st.sampled_from([HEAD, HEAD, HEAD, "0ld"])),
                    "submitted_at": f"2026-11-30T10:{minute:02d}:00Z"})
    return out


@st.composite
def approvals(draw: st.DrawFn) -> dict[str, Any]:
    """An approvals document (SPEC §5)."""
    doc: dict[str, Any] = {"author": draw(st.sampled_from(LOGINS)), "head_sha": HEAD, "reviews": draw(reviews())}
    if draw(st.booleans()):
        doc["labels"] = draw(subset(["release", "hotfix"]))
    if draw(st.booleans()):
        doc["committers"] = draw(subset(LOGINS, max_size=2))
    return doc


@st.composite
def suite_counts(draw: st.DrawFn) -> dict[str, tuple[int, int, int, int]]:
    """Suite -> (tests, failures, errors, skipped) for the suites that have a report (mostly
    passing ones)."""
    out = {}
    for suite in SUITES:
        if draw(st.integers(0, 4)) == 0:
            continue  # no report: the suite is missing
        tests = draw(st.integers(0, 3))
        if draw(st.integers(0, 3)) > 0:
            out[suite] = (max(tests, 1), 0, 0, 0)
            continue
        failures = draw(st.integers(0, tests))
        errors = draw(st.integers(0, tests - failures))
        out[suite] = (tests, failures, errors, draw(st.integers(0, tests - failures - errors)))
    return out


@dataclass
class Gate:
    """A whole gate and change as a user's repository holds them."""

    config: dict[str, Any]
    depmap: dict[str, Any]
    policy_files: dict[str, dict[str, Any]]  # file name -> policy document
    manifest: dict[str, Any] | None
    changed: list[str]
    approvals: dict[str, Any]
    suites: dict[str, tuple[int, int, int, int]]
    extra: list[dict[str, Any]] = field(default_factory=list)  # more policies (not written)

    def documents(self) -> dict[str, Any]:
        """Repository path -> document (approvals and JUnit reports are outside `.changegate/`)."""
        docs: dict[str, Any] = {".changegate/config.yaml": self.config, ".changegate/map.yaml": self.depmap}
        for name, doc in self.policy_files.items():
            docs[f".changegate/policies/{name}"] = doc
        if self.manifest is not None:
            docs[MANIFEST] = self.manifest
        return docs


@st.composite
def gates(draw: st.DrawFn, *, extra_policies: bool = False) -> Gate:
    """A valid gate, a change and its evidence; `extra_policies`: also policies `q0..` kept apart."""
    depmap = draw(maps())
    items = draw(policies(depmap))
    config: dict[str, Any] = {
        "version": 1,
        "policies": [*(["builtin:baseline"] if draw(st.booleans()) else []), ".changegate/policies"],
        "impact": {"mode": draw(st.sampled_from(["conservative", "contract"])),
                   "max_depth": draw(st.none() | st.integers(0, 3))},
        "unmapped_files": draw(st.sampled_from(["ignore", "warn", "error"])),
        "approvals": {"allow_stale": draw(st.booleans()), "exclude_committers": draw(st.booleans())},
        "evidence": {"junit": ["reports/*.xml"]},
    }
    baseline_ids = _baseline_ids() if "builtin:baseline" in config["policies"] else []
    extra = draw(policies(depmap, "q", (1, 2))) if extra_policies else []
    manifest = draw(st.none() | manifests(depmap, [p["id"] for p in [*items, *extra]] + baseline_ids))
    changed = draw(st.lists(st.sampled_from(PATHS), max_size=8, unique=True))
    if manifest is not None:
        changed.append(MANIFEST)
    return Gate(config, depmap, policy_files(items, draw), manifest, sorted(changed), draw(approvals()),
                draw(suite_counts()), extra)


@cache
def _baseline_ids() -> list[str]:
    from changegate.load.resources import builtin_policy_path

    doc = yaml.safe_load(builtin_policy_path("baseline").read_text(encoding="utf-8"))
    return [p["id"] for p in doc["policies"]]


def junit_xml(suite: str, counts: tuple[int, int, int, int]) -> str:
    tests, failures, errors, skipped = counts
    return (f'<testsuite name="{suite}" tests="{tests}" failures="{failures}" errors="{errors}" '
            f'skipped="{skipped}"></testsuite>\n')


def dump(path: str, doc: Any) -> str:
    """A document as the file `path` holds it (YAML, JSON for *.json)."""
    if path.endswith(".json"):
        return json.dumps(doc)
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


@contextmanager
def repository(gate: Gate, texts: dict[str, str] | None = None) -> Iterator[Path]:
    """A temporary directory holding `gate` (its documents, the changed-files list, the
    approvals file and the JUnit reports); `texts` replace or add files as raw text."""
    with tempfile.TemporaryDirectory(prefix="cg-prop-") as tmp:
        root = Path(tmp)
        files = {path: dump(path, doc) for path, doc in gate.documents().items()}
        files["changed.txt"] = "".join(f"{p}\n" for p in gate.changed)
        files["approvals.json"] = json.dumps(gate.approvals)
        for suite, counts in gate.suites.items():
            files[f"reports/{suite}.xml"] = junit_xml(suite, counts)
        files.update(texts or {})
        for path, text in files.items():
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8", errors="surrogateescape")
        yield root


# --------------------------------------------------------------------------- breaking things

#: Values that go where a document's values go: of the wrong type, too big, hostile.
HOSTILE = st.one_of(
    st.none(), st.booleans(), st.integers(), st.just(10**4000), st.floats(allow_nan=True),
    st.text(max_size=12), st.sampled_from(["", "../../etc/passwd", "/dev/zero", "builtin:nope", "t0", "c0",
                                            "i0", "v0", "s0", "p0", "**", "[", "!", "a\\", "[[:nope:]]",
                                            "2026-02-30", "\x1b[31m", "@", "x\x00y"]),
    st.lists(st.sampled_from(["t0", "c0", "c0", "i0", "v0", "", "[", "a/**"]), max_size=3),
    st.dictionaries(st.sampled_from(["t0", "c0", "paths", "owners", "members", "id", "x"]),
                    st.sampled_from([None, 1, "a", []]), max_size=2),
)


def mutate(doc: Any, draw: st.DrawFn, depth: int = 0) -> Any:
    """`doc` with one change somewhere: a value replaced by a hostile one, a key removed,
    an unknown key added, or a list entry duplicated."""
    children: list[Any] = list(doc) if isinstance(doc, dict) else list(range(len(doc))) if isinstance(
        doc, list) else []
    if children and draw(st.integers(0, 3)) > 0:
        key = draw(st.sampled_from(children))
        copy = dict(doc) if isinstance(doc, dict) else list(doc)
        copy[key] = mutate(doc[key], draw, depth + 1)
        return copy
    action = draw(st.sampled_from(["replace", "drop", "add", "duplicate"]))
    if action == "drop" and children:
        copy = dict(doc) if isinstance(doc, dict) else list(doc)
        del copy[draw(st.sampled_from(children))]
        return copy
    if action == "add" and isinstance(doc, dict):
        return {**doc, draw(st.sampled_from(["extra", "paths", "id", "1"])): draw(HOSTILE)}
    if action == "duplicate" and isinstance(doc, list) and doc:
        return [*doc, doc[0]]
    return draw(HOSTILE)


@st.composite
def broken_gates(draw: st.DrawFn) -> tuple[Gate, dict[str, str]]:
    """A valid gate with one or two of its files broken: a document mutated (`mutate`), or
    its text cut, or bytes spliced into it."""
    gate = draw(gates())
    texts: dict[str, str] = {}
    docs = gate.documents()
    targets = [*docs, "changed.txt", "approvals.json", *(f"reports/{s}.xml" for s in gate.suites)]
    for path in draw(st.lists(st.sampled_from(targets), min_size=1, max_size=2, unique=True)):
        if path in docs and draw(st.integers(0, 2)) > 0:
            texts[path] = dump(path, mutate(docs[path], draw))
            continue
        original = _text(gate, path)
        cut = draw(st.integers(0, len(original)))
        splice = draw(st.sampled_from(["", "\x00", "\udcff", ": :", "&a [*a, *a]", "- - -", "{", "\t",
                                       "<!DOCTYPE x [<!ENTITY e 'e'>]>", "<a>", "9" * 5000, "\n  x: 1\n",
                                       "]]>", "\ufeff", "\r\n"]))
        texts[path] = original[:cut] + splice + original[cut + draw(st.integers(0, 3)):]
    return gate, texts


def _text(gate: Gate, path: str) -> str:
    docs = gate.documents()
    if path in docs:
        return dump(path, docs[path])
    if path == "changed.txt":
        return "".join(f"{p}\n" for p in gate.changed)
    if path == "approvals.json":
        return json.dumps(gate.approvals)
    suite = path.removeprefix("reports/").removesuffix(".xml")
    return junit_xml(suite, gate.suites[suite])


# --------------------------------------------------------------------------- patterns and paths

_PATTERN_TOKENS = ("a", "b", "ab", "x.py", ".", "é", " ", "*", "**", "?", "[ab]", "[!a]", "[^b]", "[a-c]",
                   "[]a]", "[[:alpha:]]", "\\*", "\\", "/", "/", "/", "!", "#", "-",
                   "[a/", "b]", "[]/")  # brackets holding a "/" (one character, no separator)
_PATH_SEGMENTS = ("a", "b", "ab", "x.py", "y.md", "é", "a b", "[ab]", "*", ".hidden", "-", "#c", "!x", "zz")


def raw_patterns() -> st.SearchStrategy[str]:
    """Pattern text built from glob tokens: valid or not (`pattern_error` says)."""
    return st.lists(st.sampled_from(_PATTERN_TOKENS), min_size=1, max_size=6).map("".join)


def slashed_brackets() -> st.SearchStrategy[str]:
    """Patterns with a bracket expression holding "/" around literal text (``[x/abc/y]``,
    ``a/[]/b.py]*``): the bracket is one character, the text in it no segment."""
    part = st.sampled_from(["", "a", "ab", "x.py", "]", "!", "a-c"])
    return st.builds(lambda before, first, inner, last, after: f"{before}[{first}/{inner}/{last}]{after}",
                     st.sampled_from(["", "a/", "*", "/"]), part, st.sampled_from(["ab", "x.py", "b", "a/b"]),
                     part, st.sampled_from(["", "/", "*", "/**", ".py"]))


def patterns() -> st.SearchStrategy[str]:
    """Patterns git can match (the ones the loaders accept)."""
    return (raw_patterns() | st.sampled_from(MAP_PATTERNS) | slashed_brackets()).filter(
        lambda p: pattern_error(p) is None)


def paths() -> st.SearchStrategy[str]:
    """Repository-relative paths in canonical form (no empty, "." or ".." segment)."""
    return st.lists(st.sampled_from(_PATH_SEGMENTS), min_size=1, max_size=5).map("/".join)
