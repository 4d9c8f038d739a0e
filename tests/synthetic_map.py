"""A generated dependency map for tests that need a large one (the YAML fast path starts at
64 KiB): teams, value streams, components in tiers that consume each other's interfaces,
written as the benchmark's maps are (block mappings, flow lists of scalars)."""

from __future__ import annotations

import random
from typing import Any

import yaml


def synthetic_map(components: int = 600, seed: int = 11) -> dict[str, Any]:
    """A valid map of `components` components (deterministic for a seed)."""
    rng = random.Random(seed)
    streams = [f"vs-{i:03d}" for i in range(max(1, components // 100))]
    teams = [f"team-{i:04d}" for i in range(max(1, components // 25))]
    depmap: dict[str, Any] = {
        "version": 1,
        "teams": {t: {"name": f"Team {i}", "members": [f"{t}-m{m}" for m in range(3)],
                      **({"github_team": f"bench/{t}"} if i % 3 == 0 else {})}
                  for i, t in enumerate(teams)},
        "value_streams": {vs: {"owners": [rng.choice(teams)],
                               "criticality": rng.choice(["low", "medium", "high", "critical"])}
                          for vs in streams},
        "components": {},
        "interfaces": {},
    }
    for i in range(components):
        cid, vs = f"c{i:05d}", streams[i % len(streams)]
        component: dict[str, Any] = {
            "owners": [teams[i // 25 % len(teams)]],
            "paths": [f"services/{vs}/{cid}/**", f"deploy/{cid}/*.yaml"],
            "value_streams": [vs],
            "provides": [f"{cid}-api"],
        }
        if i % 20 == 0:
            component["paths"].append(f"!services/{vs}/{cid}/**/*.snap")
        if i >= 10:
            component["consumes"] = sorted({f"c{rng.randrange(i):05d}-api" for _ in range(3)})
        depmap["components"][cid] = component
        depmap["interfaces"][f"{cid}-api"] = {"paths": [f"contracts/{vs}/{cid}.schema.json"]}
    return depmap


def to_yaml(data: Any) -> str:
    """Block mappings, flow lists of scalars, keys in order."""
    return yaml.safe_dump(data, sort_keys=False, default_flow_style=None, width=1000)
