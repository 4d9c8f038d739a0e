"""A seeded, reproducible synthetic enterprise repository for the benchmarks.

`build_enterprise(components, seed)` makes the whole estate in memory (pure, no I/O);
`write_enterprise(enterprise, root)` writes it as a repository directory the CLI can gate:

```
.changegate/config.yaml          map: .changegate/map.yaml (or map.json, see map_format)
.changegate/config-yaml.yaml     always points at map.yaml
.changegate/config-json.yaml     always points at map.json
.changegate/map.yaml             the dependency map as YAML (block style, flow lists)
.changegate/map.json             the same data as JSON
.changegate/policies/*.yaml      500 policies over the four layers
.changegate/changes/pr-N.yaml    one manifest per pull request size
pr/changed-N.txt                 changed files (the manifest included) for N = 10, 1000, 5000
pr/approvals.json                reviews, author and labels
reports/junit/*.xml              a few JUnit files
```

The estate is tiered like a real one: front ends consume domain services, which consume
platform services and data stores; platform services consume data stores; data stores
consume nothing. Component directories are disjoint, so each generated changed file is
claimed by exactly one component (except the deliberately unmapped and negated ones).
"""

from __future__ import annotations

import datetime as _dt
import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

GENERATOR_VERSION = 2
DATA_DIR = Path(__file__).resolve().parent / ".data"
PR_SIZES: tuple[int, ...] = (10, 1000, 5000)
POLICY_COUNT = 500
TEAM_SIZE = 5
HEAD_SHA = "0123456789abcdef0123456789abcdef01234567"

# Tier of component i is TIERS[i % 10]: 20% front ends, 40% domain services,
# 20% platform services, 20% data stores.
TIERS: tuple[str, ...] = ("fe", "fe", "dom", "dom", "dom", "dom", "plat", "plat", "ds", "ds")
CRITICALITY_WEIGHTS: tuple[tuple[str, int], ...] = (
    ("low", 3), ("medium", 4), ("high", 2), ("critical", 1))


@dataclass
class Enterprise:
    """Everything a case consists of, in memory; `tier_of` maps component id to tier."""

    components: int
    seed: int
    depmap: dict[str, Any]
    policy_files: dict[str, dict[str, Any]]  # file name -> policy document
    manifests: dict[int, dict[str, Any]]  # PR size -> manifest document
    changed: dict[int, list[str]]  # PR size -> changed files (manifest included)
    approvals: dict[str, Any]
    junit: dict[str, str]  # file name -> XML text
    tier_of: dict[str, str] = field(default_factory=dict)


def tier_of_index(i: int) -> str:
    """The tier ("fe", "dom", "plat" or "ds") of component number `i`."""
    return TIERS[i % len(TIERS)]


def component_id(i: int) -> str:
    """The id of component number `i`, e.g. "dom-000123"."""
    return f"{tier_of_index(i)}-{i:06d}"


def _vs_id(k: int) -> str:
    return f"vs-{k:04d}"


def _team_id(k: int) -> str:
    return f"team-{k:05d}"


def _member(team: int, m: int) -> str:
    return f"t{team:05d}-m{m}"


def _style(i: int) -> int:
    """Which path layout component `i` uses (0..3), mixed through the estate."""
    return (i * 7 + i // 10) % 4


def component_paths(i: int, vs: str) -> list[str]:
    """The two path patterns of component `i` (plus a negation for one in twenty)."""
    cid = component_id(i)
    style = _style(i)
    if style == 0:
        paths = [f"services/{vs}/{cid}/**", f"deploy/{cid}/*.yaml"]
        if i % 20 == 0:
            paths.append(f"!services/{vs}/{cid}/**/*.snap")
    elif style == 1:
        paths = [f"web/{vs}/{cid}/**/*.tsx", f"web/{vs}/{cid}/*.json"]
    elif style == 2:
        paths = [f"svc/{vs}/{cid}/**/api/*.proto", f"svc/{vs}/{cid}/src/**"]
    else:
        paths = [f"libs/{cid}/**", f"docs/{vs}/{cid}/*.md"]
    return paths


def _component_file(i: int, vs: str, rng: random.Random) -> str:
    """A file path that component `i`'s positive patterns match (and no negation does)."""
    cid = component_id(i)
    style = _style(i)
    a, b, second = rng.randrange(20), rng.randrange(1000), rng.random() < 0.3
    if style == 0:
        return f"deploy/{cid}/values-{b}.yaml" if second else f"services/{vs}/{cid}/src/m{a}/f{b}.py"
    if style == 1:
        return f"web/{vs}/{cid}/package-{b}.json" if second else f"web/{vs}/{cid}/ui/c{a}/W{b}.tsx"
    if style == 2:
        return f"svc/{vs}/{cid}/src/p{a}/f{b}.go" if second else f"svc/{vs}/{cid}/proto/v{a}/api/s{b}.proto"
    return f"docs/{vs}/{cid}/page-{b}.md" if second else f"libs/{cid}/pkg{a}/f{b}.rs"


def _weighted(rng: random.Random, choices: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def _pick(rng: random.Random, local: list[int], everywhere: list[int], local_share: float) -> int:
    if local and rng.random() < local_share:
        return rng.choice(local)
    return rng.choice(everywhere)


def _build_map(n: int, rng: random.Random) -> tuple[dict[str, Any], dict[str, str]]:
    vs_count = max(1, n // 100)
    team_count = max(1, n // 25)
    teams = {
        _team_id(t): {
            "name": f"Team {t}",
            "members": [_member(t, m) for m in range(TEAM_SIZE)],
            **({"github_team": f"bench/{_team_id(t)}"} if t % 3 == 0 else {}),
        }
        for t in range(team_count)
    }
    value_streams = {}
    for k in range(vs_count):
        value_streams[_vs_id(k)] = {
            "name": f"Value stream {k}",
            "owners": [_team_id((k * 4) % team_count)],
            "consulted": [_team_id((k * 4 + 1) % team_count)],
            "informed": [_team_id((k * 4 + 2) % team_count)],
            "criticality": _weighted(rng, CRITICALITY_WEIGHTS),
        }

    by_tier: dict[str, list[int]] = {t: [] for t in set(TIERS)}
    by_tier_vs: dict[tuple[str, int], list[int]] = {}
    for i in range(n):
        by_tier[tier_of_index(i)].append(i)
        by_tier_vs.setdefault((tier_of_index(i), i // 100), []).append(i)

    # What each tier consumes: (tier, how many, share picked from the same value stream).
    consumes_from: dict[str, tuple[tuple[str, int, float], ...]] = {
        "fe": (("dom", 3, 0.8),),
        "dom": (("plat", 2, 0.3), ("ds", 1, 0.7)),
        "plat": (("ds", 3, 0.2),),
        "ds": (),
    }
    components: dict[str, Any] = {}
    interfaces: dict[str, Any] = {}
    tier_of: dict[str, str] = {}
    for i in range(n):
        cid, tier, group = component_id(i), tier_of_index(i), i // 100
        vs = _vs_id(min(group, vs_count - 1))
        owners = [_team_id(min(i // 25, team_count - 1))]
        if i % 20 == 7:
            owners.append(_team_id(rng.randrange(team_count)))
        streams = [vs]
        if rng.random() < 0.1:
            extra = _vs_id(rng.randrange(vs_count))
            if extra != vs:
                streams.append(extra)
        consumed: list[str] = []
        for source, count, local_share in consumes_from[tier]:
            local = by_tier_vs.get((source, group), [])
            for _ in range(count):
                for _attempt in range(5):
                    iface = f"{component_id(_pick(rng, local, by_tier[source], local_share))}-api"
                    if iface not in consumed:
                        consumed.append(iface)
                        break
        comp: dict[str, Any] = {
            "owners": list(dict.fromkeys(owners)),
            "paths": component_paths(i, vs),
            "value_streams": streams,
            "provides": [f"{cid}-api"],
            "consumes": consumed,
            "tests": [f"{cid}-unit"],
        }
        if tier == "dom" and rng.random() < 0.1:
            comp["depends_on"] = [component_id(_pick(rng, by_tier_vs.get(("ds", group), []),
                                                     by_tier["ds"], 0.7))]
        if consumed:
            comp["contract_tests"] = [f"{cid}-contract"]
        components[cid] = comp
        interfaces[f"{cid}-api"] = {"paths": [f"contracts/{vs}/{cid}.schema.json"]}
        tier_of[cid] = tier
    depmap = {"version": 1, "teams": teams, "value_streams": value_streams,
              "components": components, "interfaces": interfaces}
    return depmap, tier_of


def _when(k: int) -> str:
    return ('size(impact.value_streams) > 2', '"release" in labels',
            'change.type == "emergency" && size(files) > 100',
            'size(impact.touched_components) > 10', '"hotfix" in labels || change.breaking')[k % 5]


def _build_policies(depmap: dict[str, Any], rng: random.Random) -> dict[str, dict[str, Any]]:
    """500 policies: 25 org, 200 value-stream, 200 component, 75 change; every tenth has a `when`."""
    teams = sorted(depmap["teams"])
    streams = sorted(depmap["value_streams"])
    comps = sorted(depmap["components"])
    layers: dict[str, list[dict[str, Any]]] = {"org": [], "value-stream": [], "component": [],
                                               "change": []}
    plan = [("org", 25), ("value-stream", 200), ("component", 200), ("change", 75)]
    n = 0
    for layer, count in plan:
        for j in range(count):
            match: dict[str, Any] = {}
            require: dict[str, Any] = {}
            policy: dict[str, Any] = {"id": f"p-{layer}-{j:03d}",
                                      "description": f"Synthetic {layer} policy {j}"}
            if layer == "org":
                if j % 3 == 0:
                    match["risk_at_least"] = "high"
                    require["approvals"] = [{"team": rng.choice(teams), "count": 1}]
                elif j % 3 == 1:
                    require["owners"] = True
                    require["approvals"] = [{"owners_of": "touched_components"}]
                else:
                    require["tests"] = [{"from": "touched_components"}]
                    require["fields"] = ["tickets"]
            elif layer == "value-stream":
                vs = streams[j % len(streams)]
                match["value_streams"] = [vs]
                if j % 2:
                    require["approvals"] = [{"owners_of": "value_streams"}]
                else:
                    require["approvals"] = [{"team": depmap["value_streams"][vs]["owners"][0],
                                             "count": 1}]
                    require["tests"] = [f"{vs}-regression"]
            elif layer == "component":
                cid = comps[rng.randrange(len(comps))]
                key = "touched_components" if j % 2 else "impacted_components"
                match[key] = [cid]
                require["tests"] = [f"{cid}-smoke"]
                require["approvals"] = [{"team": depmap["components"][cid]["owners"][0],
                                         "count": 1 + j % 2}]
            else:
                kind = j % 5
                if kind == 0:
                    match["change_types"] = ["emergency"]
                    require["fields"] = ["rollback.plan"]
                elif kind == 1:
                    match["breaking"] = True
                    require["tests"] = [{"from": "impacted_consumers"}]
                elif kind == 2:
                    match["paths"] = [f"db/migrations/m{j}/**", "**/*.sql"]
                    require["approvals"] = [{"team": rng.choice(teams), "count": 2}]
                elif kind == 3:
                    match["interfaces_changed"] = True
                    require["tests"] = [{"from": "impacted_consumers"}]
                else:
                    policy["severity"] = "warning"
                    match["risk_at_least"] = "critical"
                    policy["deny"] = f"Synthetic deny {j}: critical changes need a freeze window"
            if n % 10 == 0:
                match["when"] = _when(n // 10)
            if n % 7 == 0:
                policy["waivable_by"] = [teams[0]]
            if j % 11 == 0 and "deny" not in policy:
                policy["severity"] = "warning"
            if match:
                policy["match"] = match
            if require:
                policy["require"] = require
            layers[layer].append(policy)
            n += 1
    return {f"{i + 1}0-{layer}.yaml": {"version": 1, "layer": layer, "policies": items}
            for i, (layer, items) in enumerate(layers.items())}


def _build_changes(n: int, depmap: dict[str, Any], rng: random.Random,
                   pr_sizes: tuple[int, ...]) -> tuple[dict[int, dict[str, Any]], dict[int, list[str]]]:
    """For each PR size: changed files clustered in a few value streams, and its manifest."""
    comps = depmap["components"]
    vs_count = len(depmap["value_streams"])
    manifests: dict[int, dict[str, Any]] = {}
    changed: dict[int, list[str]] = {}
    for size in pr_sizes:
        mapped = size - max(1, size // 50)  # about 2% unmapped
        n_components = min(n, max(1, size // 5))
        # A pull request is clustered: components from a handful of value streams.
        groups = rng.sample(range(vs_count), k=min(vs_count, max(1, n_components // 20)))
        pool = [i for g in groups for i in range(g * 100, min(n, g * 100 + 100))]
        if len(pool) < n_components:
            pool = list(range(n))
        chosen = sorted(rng.sample(pool, k=n_components))
        files: dict[str, None] = {}
        touched: set[str] = set()
        k = 0
        while len(files) < mapped:
            i = chosen[k % len(chosen)]
            cid = component_id(i)
            vs = _vs_id(min(i // 100, vs_count - 1))
            if k % 97 == 13:  # now and then a contract file: an interface changes
                files[f"contracts/{vs}/{cid}.schema.json"] = None
            else:
                files[_component_file(i, vs, rng)] = None
            touched.add(cid)
            k += 1
        u = 0
        while len(files) < size:
            files[f"misc/scratch/n{u}.txt"] = None
            u += 1
        # A negated file (unmapped although it sits under a component directory).
        negated = [i for i in chosen if _style(i) == 0 and i % 20 == 0]
        if negated and size >= 1000:
            i = negated[0]
            vs = _vs_id(min(i // 100, vs_count - 1))
            files[f"services/{vs}/{component_id(i)}/src/__snapshots__/a.snap"] = None
        manifest_path = f".changegate/changes/pr-{size}.yaml"
        changed[size] = [manifest_path, *files]
        first = sorted(touched)[0]
        manifests[size] = {
            "version": 1,
            "title": f"Synthetic change touching {len(touched)} components",
            "type": "normal",
            "owner": comps[first]["owners"][0],
            "summary": f"Benchmark pull request with {size} changed files.",
            "components": sorted(touched),
            "breaking": False,
            "risk": "medium",
            "tickets": [f"BENCH-{size}"],
            "rollback": {"plan": "Redeploy the previous release", "tested": True},
            "tests": [f"{first}-unit"],
            "waivers": [{"policy": "p-org-000", "reason": "Benchmark waiver",
                         "expires": _dt.date(2099, 12, 31)}],
        }
    return manifests, changed


def _build_approvals(depmap: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    teams = sorted(depmap["teams"])
    reviewers = sorted({depmap["teams"][rng.choice(teams)]["members"][rng.randrange(TEAM_SIZE)]
                        for _ in range(min(300, len(teams) * 2))})
    reviews = [{"user": user, "state": "APPROVED" if k % 9 else "COMMENTED",
                "commit_id": HEAD_SHA, "submitted_at": f"2026-11-27T10:{k % 60:02d}:00Z"}
               for k, user in enumerate(reviewers)]
    return {"author": "bench-author", "head_sha": HEAD_SHA, "labels": ["release"],
            "reviews": reviews}


def _build_junit(depmap: dict[str, Any], rng: random.Random) -> dict[str, str]:
    comps = sorted(depmap["components"])
    out: dict[str, str] = {}
    for f in range(5):
        suites = []
        for cid in rng.sample(comps, k=min(100, len(comps))):
            failures = 1 if rng.random() < 0.05 else 0
            suites.append(f'  <testsuite name="{cid}-unit" tests="12" failures="{failures}" '
                          f'errors="0" skipped="1"><testcase name="t1" classname="{cid}"/>'
                          f'</testsuite>')
        out[f"unit-{f}.xml"] = ('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n'
                                + "\n".join(suites) + "\n</testsuites>\n")
    return out


def build_enterprise(components: int, seed: int = 7,
                     pr_sizes: tuple[int, ...] = PR_SIZES) -> Enterprise:
    """The whole synthetic estate for `components` components, reproducible from `seed`."""
    rng = random.Random(f"changegate-bench:{components}:{seed}")
    depmap, tier_of = _build_map(components, rng)
    policies = _build_policies(depmap, rng)
    manifests, changed = _build_changes(components, depmap, rng, pr_sizes)
    return Enterprise(components=components, seed=seed, depmap=depmap, policy_files=policies,
                      manifests=manifests, changed=changed,
                      approvals=_build_approvals(depmap, rng), junit=_build_junit(depmap, rng),
                      tier_of=tier_of)


# --------------------------------------------------------------------------- YAML writing
# A small emitter instead of yaml.dump: PyYAML's emitter needs minutes for 100,000
# components. Every scalar is written JSON-quoted, which is valid YAML.


_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9._/-]*\Z")
_RESERVED = {"true", "false", "yes", "no", "on", "off", "null", "y", "n"}


def _scalar(value: Any) -> str:
    if isinstance(value, str) and _PLAIN.match(value) and value.lower() not in _RESERVED:
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, _dt.date):
        return value.isoformat()
    return json.dumps(value)


def _is_flat_list(value: Any) -> bool:
    return isinstance(value, list) and all(not isinstance(v, (dict, list)) for v in value)


def to_yaml(value: Any, indent: int = 0) -> str:
    """Block-style YAML for plain data: mappings as blocks, scalar lists as flow lists."""
    lines: list[str] = []
    _emit(value, indent, lines)
    return "\n".join(lines) + "\n"


def _emit(value: Any, indent: int, lines: list[str]) -> None:
    pad = " " * indent
    if isinstance(value, dict):
        for key, item in value.items():
            k = key if key.replace("-", "").replace("_", "").replace(".", "").isalnum() \
                else json.dumps(key)
            if isinstance(item, dict) and item:
                lines.append(f"{pad}{k}:")
                _emit(item, indent + 2, lines)
            elif _is_flat_list(item):
                lines.append(f"{pad}{k}: [{', '.join(_scalar(v) for v in item)}]")
            elif isinstance(item, list):
                lines.append(f"{pad}{k}:")
                _emit(item, indent + 2, lines)
            elif isinstance(item, dict):
                lines.append(f"{pad}{k}: {{}}")
            else:
                lines.append(f"{pad}{k}: {_scalar(item)}")
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict) and item:
                sub: list[str] = []
                _emit(item, indent + 2, sub)
                sub[0] = f"{pad}- " + sub[0][indent + 2:]
                lines.extend(sub)
            else:
                lines.append(f"{pad}- {_scalar(item)}")
    else:
        lines.append(f"{pad}{_scalar(value)}")


def to_json(depmap: dict[str, Any]) -> str:
    """Compact JSON with one map entry (team, component, …) a line."""
    compact = {"separators": (",", ":")}
    parts = []
    for key, value in depmap.items():
        if isinstance(value, dict) and value:
            entries = ",\n".join(f"{json.dumps(k)}:{json.dumps(v, **compact)}"
                                  for k, v in value.items())
            parts.append(f"{json.dumps(key)}:{{\n{entries}\n}}")
        else:
            parts.append(f"{json.dumps(key)}:{json.dumps(value, **compact)}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def _config_yaml(map_file: str) -> str:
    return to_yaml({
        "version": 1,
        "map": map_file,
        "policies": ["builtin:baseline", ".changegate/policies"],
        "changes": ".changegate/changes",
        "evidence": {"junit": ["reports/**/*.xml"]},
        "unmapped_files": "warn",
    })


def write_enterprise(ent: Enterprise, root: Path, map_format: str = "yaml") -> None:
    """Write `ent` as a repository directory under `root` (created if missing).
    `map_format` ("yaml" or "json") chooses which map `.changegate/config.yaml` names."""
    if map_format not in ("yaml", "json"):
        raise ValueError(f"map_format must be yaml or json, not {map_format!r}")
    cg = root / ".changegate"
    for d in (cg / "policies", cg / "changes", root / "pr", root / "reports" / "junit"):
        d.mkdir(parents=True, exist_ok=True)
    (cg / "map.yaml").write_text(to_yaml(ent.depmap))
    (cg / "map.json").write_text(to_json(ent.depmap))
    (cg / "config.yaml").write_text(_config_yaml(f".changegate/map.{map_format}"))
    (cg / "config-yaml.yaml").write_text(_config_yaml(".changegate/map.yaml"))
    (cg / "config-json.yaml").write_text(_config_yaml(".changegate/map.json"))
    for name, doc in ent.policy_files.items():
        (cg / "policies" / name).write_text(to_yaml(doc))
    for size, doc in ent.manifests.items():
        (cg / "changes" / f"pr-{size}.yaml").write_text(to_yaml(doc))
    for size, files in ent.changed.items():
        (root / "pr" / f"changed-{size}.txt").write_text("\n".join(files) + "\n")
    (root / "pr" / "approvals.json").write_text(json.dumps(ent.approvals, indent=1) + "\n")
    for name, text in ent.junit.items():
        (root / "reports" / "junit" / name).write_text(text)


def case_dir(components: int, seed: int = 7, map_format: str = "yaml") -> Path:
    """Where the case for these parameters lives: benchmarks/.data/c<N>-s<seed>-<format>."""
    return DATA_DIR / f"c{components}-s{seed}-{map_format}"


def ensure_case(components: int, seed: int = 7, map_format: str = "yaml",
                root: Path | None = None) -> Path:
    """Generate the case unless an up-to-date copy exists; return its directory."""
    root = root or case_dir(components, seed, map_format)
    stamp = root / ".generated"
    want = json.dumps({"version": GENERATOR_VERSION, "components": components, "seed": seed,
                       "map_format": map_format})
    if stamp.is_file() and stamp.read_text() == want:
        return root
    write_enterprise(build_enterprise(components, seed), root, map_format)
    stamp.write_text(want)
    return root


def main(argv: list[str] | None = None) -> int:
    """`python -m benchmarks.generate N [--seed S] [--map-format yaml|json] [--out DIR]`."""
    import argparse
    import time

    parser = argparse.ArgumentParser(prog="python -m benchmarks.generate")
    parser.add_argument("components", type=int)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--map-format", choices=("yaml", "json"), default="yaml")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    out = args.out or case_dir(args.components, args.seed, args.map_format)
    write_enterprise(build_enterprise(args.components, args.seed), out, args.map_format)
    print(f"wrote {out} in {time.perf_counter() - started:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
