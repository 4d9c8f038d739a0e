"""The compiled-map cache changes speed, never answers: a check run without the cache, with
a cold cache (it loads and stores) and with a warm one (it reads) gives the same bytes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import PROJECT

from changegate.commands import check
from changegate.core import graph, impact
from changegate.load import cache
from changegate.load.config import load_config
from changegate.load.depmap import load_map

RETAIL = PROJECT / "examples" / "retail"


@pytest.fixture(scope="module")
def enterprise(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Written by the benchmark harness's own command (tests do not import `benchmarks`).
    root = tmp_path_factory.mktemp("enterprise")
    subprocess.run([sys.executable, "-m", "benchmarks.generate", "600", "--seed", "11", "--out", str(root)],
                   cwd=PROJECT, check=True, capture_output=True)
    return root


def _check(root: Path, changed: str, approvals: str, out: Path, fmt: str, no_cache: bool) -> tuple[int, str]:
    settings = check.CheckOptions(
        root=root, changed_files=str(root / changed), approvals=str(root / approvals), fmt=fmt,
        output=str(out), github=False, today="2026-01-15", now="2026-01-15T10:00:00+00:00",
        no_cache=no_cache)
    code = check.check(settings)
    return code, out.read_text(encoding="utf-8")


def _three_ways(root: Path, changed: str, approvals: str, fmt: str, tmp_path: Path,
                monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, str]]:
    store = tmp_path / "cache"
    monkeypatch.setenv("CHANGEGATE_CACHE_DIR", str(store))
    monkeypatch.delenv("CHANGEGATE_NO_CACHE", raising=False)
    uncached = _check(root, changed, approvals, tmp_path / "uncached", fmt, no_cache=True)
    assert not store.exists()
    cold = _check(root, changed, approvals, tmp_path / "cold", fmt, no_cache=False)
    assert len(list(store.glob("map-*.pickle"))) == 1
    warm = _check(root, changed, approvals, tmp_path / "warm", fmt, no_cache=False)
    return [uncached, cold, warm]


@pytest.mark.parametrize("fmt", ["json", "text", "markdown"])
def test_retail_decision_is_identical_uncached_cold_and_warm(
    fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs = _three_ways(RETAIL, "pr/changed-files.txt", "pr/approvals.json", fmt, tmp_path, monkeypatch)
    assert runs[0][0] == 1  # the example blocks
    assert runs[1] == runs[0]
    assert runs[2] == runs[0]


@pytest.mark.parametrize("changed", ["pr/changed-10.txt", "pr/changed-1000.txt"])
def test_generated_enterprise_decision_is_identical_uncached_cold_and_warm(
    changed: str, enterprise: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs = _three_ways(enterprise, changed, "pr/approvals.json", "json", tmp_path, monkeypatch)
    assert '"decision"' in runs[0][1]
    assert runs[1] == runs[0]
    assert runs[2] == runs[0]


def test_warm_compiled_map_equals_a_fresh_load(enterprise: Path, tmp_path: Path) -> None:
    config = load_config(enterprise, None)
    cache.compiled_map(enterprise, config, directory=tmp_path)
    warm = cache.compiled_map(enterprise, config, directory=tmp_path)
    fresh = load_map(enterprise, config)
    assert warm.depmap == fresh
    assert warm.adjacency == graph.adjacency(fresh)
    files = (enterprise / "pr" / "changed-1000.txt").read_text().split()
    fresh_index = impact.build_path_index(fresh)
    assert [warm.path_index.match(f) for f in files] == [fresh_index.match(f) for f in files]


def _reference_adjacency(depmap: Any) -> dict[str, tuple[tuple[str, str | None], ...]]:
    """The edges as `graph.adjacency` first computed them: gathered, then each list sorted."""
    provider_of = graph.providers(depmap)
    out: dict[str, list[tuple[str, str | None]]] = {cid: [] for cid in depmap.components}
    for cid, component in depmap.components.items():
        for dep in set(component.depends_on):
            out.setdefault(dep, []).append((cid, None))
        for iid in set(component.consumes):
            provider = provider_of.get(iid)
            if provider is not None:
                out.setdefault(provider, []).append((cid, iid))
    return {cid: tuple(sorted(edges, key=lambda e: (e[0], e[1] or ""))) for cid, edges in out.items()}


@pytest.mark.parametrize("unknown_dep", [False, True])
def test_adjacency_lists_are_sorted_as_a_sort_of_all_edges_would(unknown_dep: bool) -> None:
    from changegate.model import Component, DepMap, Interface

    def comp(cid: str, depends_on: tuple[str, ...] = (), provides: tuple[str, ...] = (),
             consumes: tuple[str, ...] = ()) -> Component:
        return Component(cid, ("t",), (), depends_on=depends_on, provides=provides, consumes=consumes)

    components = {
        "z": comp("z", provides=("i-b", "i-a", "")),
        "m": comp("m", depends_on=("z", "a", "z"), consumes=("i-b", "", "i-a", "i-b", "i-c")),
        "a": comp("a", depends_on=("z",) + (("ghost",) if unknown_dep else ()),
                  consumes=("i-a",), provides=("i-c",)),
        "b": comp("b", consumes=("i-c", "nobody")),
        "c": comp("c", depends_on=("a",), consumes=("i-c",)),
    }
    interfaces = {iid: Interface(iid, (), provider=p)
                  for iid, p in (("i-a", "z"), ("i-b", "z"), ("", "z"), ("i-c", "a"))}
    depmap = DepMap({}, {}, components, interfaces)
    expected = _reference_adjacency(depmap)
    got = graph.adjacency(depmap)
    assert got == expected
    assert list(got) == list(expected)


def test_providers_fall_back_to_the_first_sorted_component_listing_it() -> None:
    from changegate.model import Component, DepMap, Interface

    components = {cid: Component(cid, ("t",), (), provides=provides)
                  for cid, provides in (("z", ("i-a", "i-x")), ("b", ("i-x", "i-b")), ("a", ("i-y",)))}
    interfaces = {"i-a": Interface("i-a", (), provider="z"), "i-x": Interface("i-x", ()),
                  "i-b": Interface("i-b", (), provider="q")}
    depmap = DepMap({}, {}, components, interfaces)
    got = graph.providers(depmap)
    assert got == {"i-a": "z", "i-b": "q", "i-y": "a", "i-x": "b"}
    assert list(got) == ["i-a", "i-b", "i-y", "i-x"]
    whole = DepMap({}, {}, {"z": components["z"]},
                   {"i-a": interfaces["i-a"], "i-x": Interface("i-x", (), provider="z")})
    assert graph.providers(whole) == {"i-a": "z", "i-x": "z"}
