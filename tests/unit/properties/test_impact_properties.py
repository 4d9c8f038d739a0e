"""Impact resolution (SPEC §3) is monotone: more changed files never reach less, and the
`contract` mode (propagation through an interface only when it changed) and a `max_depth`
bound only ever reach a part of what the `conservative`, unbounded mode reaches."""

from __future__ import annotations

import dataclasses

from gate_run import Loaded, load
from gate_strategies import PATHS, Gate, gates, repository
from hypothesis import given
from hypothesis import strategies as st

from changegate.core.impact import resolve_impact
from changegate.model import Config, Impact, ImpactSettings, risk_index


def _impact(loaded: Loaded, files: list[str] | tuple[str, ...], config: Config | None = None) -> Impact:
    gate = loaded.gate
    return resolve_impact(gate.depmap, gate.adjacency, files, loaded.manifest, config or gate.config,
                          gate.path_index)


def _reach(impact: Impact) -> dict[str, set[str]]:
    return {
        "touched": set(impact.touched_components),
        "interfaces": set(impact.changed_interfaces),
        "impacted": {c.id for c in impact.impacted_components},
        "value_streams": {s.id for s in impact.value_streams},
        "unmapped": set(impact.unmapped_files),
    }


def _within(small: Impact, large: Impact) -> None:
    inner, outer = _reach(small), _reach(large)
    for key, ids in inner.items():
        assert ids <= outer[key], key
    assert risk_index(small.risk.computed) <= risk_index(large.risk.computed)


@given(gates(), st.lists(st.sampled_from(PATHS), max_size=6))
def test_impact_is_monotone_in_the_changed_files(gate: Gate, more: list[str]) -> None:
    with repository(gate) as root:
        loaded = load(root, gate)
    files = gate.changed
    _within(_impact(loaded, files), _impact(loaded, sorted({*files, *more})))
    _within(_impact(loaded, []), _impact(loaded, files))


@given(gates(), st.none() | st.integers(0, 3))
def test_contract_mode_and_a_depth_bound_reach_a_part_of_conservative_mode(gate: Gate, depth: int | None) -> None:
    with repository(gate) as root:
        loaded = load(root, gate)
    config = loaded.gate.config

    def mode(name: str, max_depth: int | None) -> Config:
        return dataclasses.replace(config, impact=ImpactSettings(name, max_depth))  # type: ignore[arg-type]

    conservative = _impact(loaded, gate.changed, mode("conservative", None))
    contract = _impact(loaded, gate.changed, mode("contract", None))
    _within(contract, conservative)
    # the same touched components and changed interfaces: modes differ only in propagation
    assert contract.touched_components == conservative.touched_components
    assert contract.changed_interfaces == conservative.changed_interfaces
    for name in ("conservative", "contract"):
        bounded = _impact(loaded, gate.changed, mode(name, depth))
        _within(bounded, _impact(loaded, gate.changed, mode(name, None)))
        if depth is not None:
            _within(bounded, _impact(loaded, gate.changed, mode(name, depth + 1)))
            assert all(c.depth <= depth for c in bounded.impacted_components)
