"""Impact resolution (SPEC §3): touched, propagated, via, value streams, risk, findings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from changegate.core.graph import adjacency
from changegate.core.impact import build_path_index, resolve_impact
from changegate.model import (
    Component,
    Config,
    DepMap,
    Finding,
    Impact,
    ImpactedComponent,
    ImpactSettings,
    Interface,
    Manifest,
    ValueStream,
)

# ----------------------------------------------------------------------------- builders


def make_map(
    components: dict[str, dict[str, Any]],
    interfaces: dict[str, list[str]] | None = None,
    streams: dict[str, str] | None = None,
) -> DepMap:
    """components: id -> Component fields (paths default to "<id>/**");
    interfaces: id -> paths (provider taken from `provides`); streams: id -> criticality."""
    comps = {
        cid: Component(
            id=cid,
            owners=(f"{cid}-team",),
            paths=tuple(fields.get("paths", [f"{cid}/**"])),
            value_streams=tuple(fields.get("value_streams", ())),
            depends_on=tuple(fields.get("depends_on", ())),
            provides=tuple(fields.get("provides", ())),
            consumes=tuple(fields.get("consumes", ())),
        )
        for cid, fields in components.items()
    }
    provider = {iid: cid for cid, c in comps.items() for iid in c.provides}
    ifaces = {
        iid: Interface(id=iid, paths=tuple(paths), provider=provider[iid])
        for iid, paths in (interfaces or {}).items()
    }
    vss = {
        vid: ValueStream(id=vid, owners=(f"{vid}-owners",), criticality=crit)
        for vid, crit in (streams or {}).items()
    }
    return DepMap(teams={}, value_streams=vss, components=comps, interfaces=ifaces)


def make_manifest(
    components: Sequence[str] = (),
    type: str = "normal",
    risk: str | None = None,
    interfaces_changed: Sequence[str] = (),
    breaking: bool = False,
) -> Manifest:
    return Manifest(
        file=".changegate/changes/change.yaml",
        title="A change",
        type=type,
        owner="crm-team",
        data={},
        components=tuple(components),
        interfaces_changed=tuple(interfaces_changed),
        breaking=breaking,
        risk=risk,
        lines={"components": 5, "risk": 7},
    )


def config(mode: str = "conservative", max_depth: int | None = None, unmapped: str = "warn") -> Config:
    return Config(impact=ImpactSettings(mode=mode, max_depth=max_depth), unmapped_files=unmapped)  # type: ignore[arg-type]


def resolve(
    depmap: DepMap,
    files: Sequence[str],
    manifest: Manifest | None = None,
    cfg: Config | None = None,
) -> Impact:
    return resolve_impact(depmap, adjacency(depmap), files, manifest, cfg or config(), build_path_index(depmap))


def vias(impact: Impact) -> dict[str, tuple[str, ...]]:
    return {c.id: c.via for c in impact.impacted_components}


def retail_map() -> DepMap:
    """The SPEC's story: CRM's customer API feeds POS loyalty sync and the service desk;
    the ledger depends on loyalty sync; crm-reports reads CRM's database directly."""
    return make_map(
        {
            "crm": {
                "paths": ["services/crm/**", "!services/crm/docs/**"],
                "value_streams": ["customer-service"],
                "provides": ["crm-customer-api"],
            },
            "crm-reports": {"depends_on": ["crm"], "value_streams": ["customer-service"]},
            "pos-loyalty-sync": {"consumes": ["crm-customer-api"], "value_streams": ["store-ops"]},
            "service-desk": {"consumes": ["crm-customer-api"], "value_streams": ["service"]},
            "ledger": {"depends_on": ["pos-loyalty-sync"], "value_streams": ["finance-settlement"]},
            "unrelated": {"value_streams": ["marketing"]},
        },
        interfaces={"crm-customer-api": ["services/crm/api/**", "contracts/customer.schema.json"]},
        streams={
            "customer-service": "medium",
            "store-ops": "high",
            "service": "medium",
            "finance-settlement": "critical",
            "marketing": "low",
        },
    )


# ----------------------------------------------------------------------------- graph


def test_graph_has_depends_on_and_interface_edges_from_provider_to_dependent() -> None:
    assert adjacency(retail_map()) == {
        "crm": (("crm-reports", None), ("pos-loyalty-sync", "crm-customer-api"),
                ("service-desk", "crm-customer-api")),
        "crm-reports": (),
        "ledger": (),
        "pos-loyalty-sync": (("ledger", None),),
        "service-desk": (),
        "unrelated": (),
    }


def test_graph_keeps_one_edge_per_interface_between_the_same_components() -> None:
    depmap = make_map(
        {"a": {"provides": ["i1", "i2"]}, "b": {"consumes": ["i1", "i2"], "depends_on": ["a"]}},
        interfaces={"i1": ["i1/**"], "i2": ["i2/**"]},
    )
    assert adjacency(depmap)["a"] == (("b", None), ("b", "i1"), ("b", "i2"))


# ----------------------------------------------------------------------------- touched


def test_touched_component_is_impacted_with_its_own_via() -> None:
    impact = resolve(retail_map(), ["services/crm/core.py"], cfg=config(max_depth=0))
    assert impact.touched_components == ("crm",)
    assert impact.impacted_components == (ImpactedComponent(id="crm", via=("crm",), touched=True, depth=0),)
    assert impact.file_owners == {"services/crm/core.py": ("crm",)}


def test_interface_file_touches_its_provider_and_changes_the_interface() -> None:
    impact = resolve(retail_map(), ["contracts/customer.schema.json"])
    assert impact.touched_components == ("crm",)
    assert impact.changed_interfaces == ("crm-customer-api",)
    assert impact.unmapped_files == ()
    assert impact.file_owners == {"contracts/customer.schema.json": ()}


def test_negated_path_is_not_claimed_by_the_component() -> None:
    impact = resolve(retail_map(), ["services/crm/docs/runbook.md"])
    assert impact.touched_components == ()
    assert impact.impacted_components == ()
    assert impact.unmapped_files == ("services/crm/docs/runbook.md",)


def test_duplicate_changed_files_count_once() -> None:
    impact = resolve(retail_map(), ["other.txt", "other.txt"])
    assert impact.unmapped_files == ("other.txt",)


# ----------------------------------------------------------------------------- propagation


def test_conservative_mode_follows_every_edge() -> None:
    impact = resolve(retail_map(), ["services/crm/core.py"])
    assert impact.changed_interfaces == ()
    assert vias(impact) == {
        "crm": ("crm",),
        "crm-reports": ("crm", "crm-reports"),
        "pos-loyalty-sync": ("crm", "crm-customer-api", "pos-loyalty-sync"),
        "service-desk": ("crm", "crm-customer-api", "service-desk"),
        "ledger": ("crm", "crm-customer-api", "pos-loyalty-sync", "ledger"),
    }


def test_contract_mode_stops_at_unchanged_interface_but_follows_depends_on() -> None:
    impact = resolve(retail_map(), ["services/crm/core.py"], cfg=config(mode="contract"))
    assert vias(impact) == {"crm": ("crm",), "crm-reports": ("crm", "crm-reports")}


def test_contract_mode_follows_a_changed_interface() -> None:
    impact = resolve(retail_map(), ["services/crm/api/v2.py"], cfg=config(mode="contract"))
    assert impact.changed_interfaces == ("crm-customer-api",)
    assert impact.impacted_ids() == ("crm", "crm-reports", "pos-loyalty-sync", "service-desk", "ledger")


def test_manifest_interfaces_changed_start_propagation_from_an_untouched_provider() -> None:
    manifest = make_manifest(components=[], interfaces_changed=["crm-customer-api"])
    impact = resolve(retail_map(), ["README.md"], manifest, config(mode="contract", max_depth=1))
    assert impact.touched_components == ()
    assert impact.changed_interfaces == ("crm-customer-api",)
    assert impact.impacted_components == (
        ImpactedComponent(id="crm", via=("crm",), touched=False, depth=0),
        ImpactedComponent(id="crm-reports", via=("crm", "crm-reports"), touched=False, depth=1),
        ImpactedComponent(
            id="pos-loyalty-sync", via=("crm", "crm-customer-api", "pos-loyalty-sync"), touched=False, depth=1
        ),
        ImpactedComponent(id="service-desk", via=("crm", "crm-customer-api", "service-desk"), touched=False, depth=1),
    )


def test_breaking_change_changes_every_interface_a_touched_component_provides() -> None:
    manifest = make_manifest(components=["crm"], breaking=True)
    impact = resolve(retail_map(), ["services/crm/core.py"], manifest, config(mode="contract"))
    assert impact.changed_interfaces == ("crm-customer-api",)
    assert "pos-loyalty-sync" in impact.impacted_ids()


@pytest.mark.parametrize(
    "max_depth, expected",
    [
        (0, ("crm",)),
        (1, ("crm", "crm-reports", "pos-loyalty-sync", "service-desk")),
        (2, ("crm", "crm-reports", "pos-loyalty-sync", "service-desk", "ledger")),
        (None, ("crm", "crm-reports", "pos-loyalty-sync", "service-desk", "ledger")),
    ],
)
def test_max_depth_bounds_the_hops(max_depth: int | None, expected: tuple[str, ...]) -> None:
    impact = resolve(retail_map(), ["services/crm/core.py"], cfg=config(max_depth=max_depth))
    assert impact.impacted_ids() == expected


def test_cycles_terminate() -> None:
    depmap = make_map(
        {
            "a": {"depends_on": ["c"]},
            "b": {"depends_on": ["a"]},
            "c": {"depends_on": ["b"]},
            "d": {"depends_on": ["c"]},
        }
    )
    impact = resolve(depmap, ["a/x"])
    assert [(c.id, c.depth, c.via) for c in impact.impacted_components] == [
        ("a", 0, ("a",)),
        ("b", 1, ("a", "b")),
        ("c", 2, ("a", "b", "c")),
        ("d", 3, ("a", "b", "c", "d")),
    ]


def test_via_is_the_shortest_chain() -> None:
    depmap = make_map(
        {"a": {}, "b": {"depends_on": ["a"]}, "c": {"depends_on": ["b"]}, "z": {"depends_on": ["c", "a"]}}
    )
    impact = resolve(depmap, ["a/x"])
    assert vias(impact)["z"] == ("a", "z")


def test_equal_length_chains_are_broken_by_id_order() -> None:
    depmap = make_map(
        {
            "a": {},
            "m2": {"depends_on": ["a"]},
            "m1": {"depends_on": ["a"]},
            "z": {"depends_on": ["m2", "m1"]},
        }
    )
    impact = resolve(depmap, ["a/x"])
    assert vias(impact)["z"] == ("a", "m1", "z")


def test_two_touched_components_reaching_the_same_dependent_pick_the_first_id() -> None:
    depmap = make_map({"b": {}, "a": {}, "z": {"depends_on": ["b", "a"]}})
    impact = resolve(depmap, ["b/x", "a/x"])
    assert vias(impact)["z"] == ("a", "z")


def test_impacted_components_are_ordered_touched_then_depth_then_id() -> None:
    depmap = make_map(
        {
            "t2": {},
            "t1": {},
            "y": {"depends_on": ["t2"]},
            "x": {"depends_on": ["y"]},
            "w": {"depends_on": ["t1"]},
        }
    )
    impact = resolve(depmap, ["t2/f", "t1/f"])
    assert [(c.id, c.touched, c.depth) for c in impact.impacted_components] == [
        ("t1", True, 0),
        ("t2", True, 0),
        ("w", False, 1),
        ("y", False, 1),
        ("x", False, 2),
    ]


# ----------------------------------------------------------------------------- value streams


def test_value_stream_via_is_the_shallowest_carrier_then_the_stream() -> None:
    impact = resolve(retail_map(), ["services/crm/core.py"])
    assert [(s.id, s.criticality, s.owners, s.via) for s in impact.value_streams] == [
        (
            "finance-settlement",
            "critical",
            ("finance-settlement-owners",),
            ("crm", "crm-customer-api", "pos-loyalty-sync", "ledger", "finance-settlement"),
        ),
        ("store-ops", "high", ("store-ops-owners",), ("crm", "crm-customer-api", "pos-loyalty-sync", "store-ops")),
        ("customer-service", "medium", ("customer-service-owners",), ("crm", "customer-service")),
        ("service", "medium", ("service-owners",), ("crm", "crm-customer-api", "service-desk", "service")),
    ]


def test_value_stream_carried_at_equal_depth_takes_the_first_component_id() -> None:
    depmap = make_map(
        {"a": {}, "n": {"depends_on": ["a"], "value_streams": ["vs"]},
         "m": {"depends_on": ["a"], "value_streams": ["vs"]}},
        streams={"vs": "low"},
    )
    impact = resolve(depmap, ["a/x"])
    assert impact.value_streams[0].via == ("a", "m", "vs")


# ----------------------------------------------------------------------------- unmapped


def test_unmapped_files_exclude_manifests_and_interface_files() -> None:
    files = [".changegate/changes/crm.yaml", "contracts/customer.schema.json", "random.txt", "services/crm/a.py"]
    impact = resolve(retail_map(), files)
    assert impact.unmapped_files == ("random.txt",)
    assert impact.findings == (
        Finding(
            level="warning",
            code="unmapped-files",
            message="1 changed file not claimed by any component or interface: random.txt",
        ),
    )


def test_unmapped_files_as_error_list_ten_then_the_count() -> None:
    files = [f"loose/{i:02}.txt" for i in range(13)]
    impact = resolve(retail_map(), files, cfg=config(unmapped="error"))
    assert impact.findings == (
        Finding(
            level="error",
            code="unmapped-files",
            message="13 changed files not claimed by any component or interface: loose/00.txt, loose/01.txt, "
            "loose/02.txt, loose/03.txt, loose/04.txt, loose/05.txt, loose/06.txt, loose/07.txt, "
            "loose/08.txt, loose/09.txt and 3 more",
        ),
    )


def test_unmapped_files_ignored_give_no_finding_but_are_listed() -> None:
    impact = resolve(retail_map(), ["random.txt"], cfg=config(unmapped="ignore"))
    assert impact.unmapped_files == ("random.txt",)
    assert impact.findings == ()


# ----------------------------------------------------------------------------- risk


def test_no_value_stream_gives_low_risk() -> None:
    impact = resolve(retail_map(), ["random.txt"], cfg=config(unmapped="ignore"))
    assert (impact.risk.computed, impact.risk.level, impact.risk.factors) == (
        "low",
        "low",
        ("no value stream affected: low",),
    )


def test_risk_starts_at_the_highest_criticality_and_names_the_streams() -> None:
    depmap = make_map(
        {"a": {"value_streams": ["vs-b", "vs-a"]}},
        streams={"vs-a": "high", "vs-b": "high"},
    )
    impact = resolve(depmap, ["a/x"])
    assert impact.risk.factors == ("highest criticality among affected value streams: high (vs-a, vs-b)",)
    assert impact.risk.computed == "high"


def test_changed_interface_with_impacted_consumers_raises_risk_one_step() -> None:
    depmap = make_map(
        {
            "crm": {"provides": ["api"], "value_streams": ["vs"]},
            "pos": {"consumes": ["api"]},
            "desk": {"consumes": ["api"]},
        },
        interfaces={"api": ["api/**"]},
        streams={"vs": "low"},
    )
    impact = resolve(depmap, ["api/v2.json"])
    assert impact.risk.factors == (
        "highest criticality among affected value streams: low (vs)",
        "+1: interface api changed and has impacted consumers (desk, pos)",
    )
    assert impact.risk.computed == "medium"


def test_changed_interface_without_impacted_consumers_does_not_raise_risk() -> None:
    depmap = make_map(
        {"crm": {"provides": ["api"], "value_streams": ["vs"]}, "pos": {"consumes": ["api"]}},
        interfaces={"api": ["api/**"]},
        streams={"vs": "low"},
    )
    impact = resolve(depmap, ["api/v2.json"], cfg=config(max_depth=0))
    assert impact.risk.computed == "low"


def test_three_or_more_value_streams_raise_risk_one_step() -> None:
    depmap = make_map(
        {"a": {"value_streams": ["v1", "v2", "v3"]}},
        streams={"v1": "medium", "v2": "low", "v3": "low"},
    )
    impact = resolve(depmap, ["a/x"])
    assert impact.risk.factors == (
        "highest criticality among affected value streams: medium (v1)",
        "+1: 3 or more value streams affected (3)",
    )
    assert impact.risk.computed == "high"


def test_risk_steps_are_capped_at_critical() -> None:
    impact = resolve(retail_map(), ["services/crm/api/v2.py"])
    assert impact.risk.factors == (
        "highest criticality among affected value streams: critical (finance-settlement)",
        "+1: interface crm-customer-api changed and has impacted consumers (pos-loyalty-sync, service-desk); "
        "capped at critical",
        "+1: 3 or more value streams affected (4); capped at critical",
    )
    assert impact.risk.computed == "critical"


def test_both_steps_stack_and_name_several_interfaces() -> None:
    depmap = make_map(
        {
            "p": {"provides": ["i1", "i2"], "value_streams": ["v1", "v2", "v3"]},
            "c": {"consumes": ["i1", "i2"]},
        },
        interfaces={"i1": ["i1/**"], "i2": ["i2/**"]},
        streams={"v1": "low", "v2": "low", "v3": "low"},
    )
    impact = resolve(depmap, ["i1/a", "i2/a"])
    assert impact.risk.factors == (
        "highest criticality among affected value streams: low (v1, v2, v3)",
        "+1: interfaces i1, i2 changed and have an impacted consumer (c)",
        "+1: 3 or more value streams affected (3)",
    )
    assert impact.risk.computed == "high"


def test_emergency_change_is_at_least_high() -> None:
    manifest = make_manifest(components=["unrelated"], type="emergency")
    impact = resolve(retail_map(), ["unrelated/x"], manifest)
    assert impact.risk.factors == (
        "highest criticality among affected value streams: low (marketing)",
        "emergency change: at least high",
    )
    assert impact.risk.computed == "high"


def test_emergency_floor_does_not_lower_a_higher_risk() -> None:
    manifest = make_manifest(components=["crm"], type="emergency", risk="critical")
    impact = resolve(retail_map(), ["services/crm/core.py"], manifest)
    assert impact.risk.factors[-1] == "emergency change: at least high (already critical)"
    assert impact.risk.computed == "critical"


def test_declared_risk_above_computed_is_the_effective_level() -> None:
    manifest = make_manifest(components=["unrelated"], risk="high")
    impact = resolve(retail_map(), ["unrelated/x"], manifest)
    assert (impact.risk.computed, impact.risk.declared, impact.risk.level) == ("low", "high", "high")
    assert impact.findings == ()


def test_declared_risk_below_computed_is_a_warning_at_the_risk_line() -> None:
    manifest = make_manifest(components=["crm"], risk="low")
    impact = resolve(retail_map(), ["services/crm/core.py"], manifest, config(max_depth=1))
    assert (impact.risk.computed, impact.risk.declared, impact.risk.level) == ("critical", "low", "critical")
    assert impact.findings == (
        Finding(
            level="warning",
            code="risk-under-declared",
            message="declared risk low is below the computed risk critical (highest criticality among "
            "affected value streams: high (store-ops); +1: 3 or more value streams affected (3))",
            file=".changegate/changes/change.yaml",
            line=7,
        ),
    )


def test_no_declared_risk_gives_no_risk_finding() -> None:
    manifest = make_manifest(components=["crm"])
    impact = resolve(retail_map(), ["services/crm/core.py"], manifest)
    assert impact.risk.declared is None
    assert impact.risk.level == impact.risk.computed == "critical"
    assert impact.findings == ()


# ----------------------------------------------------------------------------- undeclared


def test_touched_component_missing_from_manifest_is_an_error_per_component() -> None:
    manifest = make_manifest(components=["unrelated"])
    files = ["contracts/customer.schema.json", "crm-reports/a.py", "crm-reports/b.py", "unrelated/x"]
    impact = resolve(retail_map(), files, manifest, config(max_depth=0))
    assert impact.findings == (
        Finding(
            level="error",
            code="undeclared-component",
            message="component crm is touched by this change but missing from the manifest's components "
            "(changed: contracts/customer.schema.json)",
            file=".changegate/changes/change.yaml",
            line=5,
        ),
        Finding(
            level="error",
            code="undeclared-component",
            message="component crm-reports is touched by this change but missing from the manifest's "
            "components (changed: crm-reports/a.py, crm-reports/b.py)",
            file=".changegate/changes/change.yaml",
            line=5,
        ),
    )


def test_without_a_manifest_there_is_no_undeclared_component_finding() -> None:
    impact = resolve(retail_map(), ["services/crm/core.py"])
    assert [f.code for f in impact.findings] == []


# ----------------------------------------------------------------------------- scale


def test_large_map_resolves_each_file_to_its_own_component() -> None:
    """5,000 components and 5,000 changed files: resolution goes through the PathIndex, so
    this stays fast (no assertion on time; a file x component scan would take minutes)."""
    n = 5000
    depmap = make_map(
        {f"c{i}": {"paths": [f"svc/c{i}/**", f"!svc/c{i}/docs/**"], "depends_on": [f"c{i - 1}"] if i else []}
         for i in range(n)}
    )
    files = [f"svc/c{i}/src/main.py" for i in range(0, n, 2)] + [f"svc/c{i}/docs/x.md" for i in range(1, n, 2)]
    impact = resolve(depmap, files, cfg=config(max_depth=1, unmapped="ignore"))
    assert impact.touched_components == tuple(sorted(f"c{i}" for i in range(0, n, 2)))
    assert len(impact.impacted_components) == n
    assert len(impact.unmapped_files) == n // 2
