"""Map analysis (core/analysis.py): cycles, unused value streams, unconsumed interfaces."""

from __future__ import annotations

from typing import Any

from changegate.core.analysis import dependency_graph, map_findings
from changegate.model import Component, DepMap, Finding, Interface, Location, ValueStream

MAP_FILE = ".changegate/map.yaml"


def make_map(components: dict[str, dict[str, Any]], interfaces: tuple[str, ...] = (),
             streams: tuple[str, ...] = ("vs",)) -> DepMap:
    """Components with a line each (10, 20, … in id order), every one carrying "vs" unless
    it says otherwise; each interface provided by the component listing it in `provides`."""
    built = {
        cid: Component(cid, ("team",), (f"{cid}/**",),
                       value_streams=tuple(spec.get("value_streams", ("vs",))),
                       depends_on=tuple(spec.get("depends_on", ())),
                       provides=tuple(spec.get("provides", ())),
                       consumes=tuple(spec.get("consumes", ())),
                       loc=Location(MAP_FILE, 10 * (n + 1)))
        for n, (cid, spec) in enumerate(sorted(components.items()))
    }
    provider = {iid: cid for cid, c in built.items() for iid in c.provides}
    return DepMap(
        teams={},
        value_streams={vid: ValueStream(vid, ("team",), "low", loc=Location(MAP_FILE, 100 + n))
                       for n, vid in enumerate(streams)},
        components=built,
        interfaces={iid: Interface(iid, (f"{iid}.json",), provider=provider.get(iid, ""),
                                   loc=Location(MAP_FILE, 200 + n))
                    for n, iid in enumerate(interfaces)},
    )


def codes(findings: tuple[Finding, ...]) -> list[str]:
    return [f.code for f in findings]


def test_a_clean_map_has_no_findings() -> None:
    depmap = make_map({"api": {"provides": ["api-v1"]}, "web": {"consumes": ["api-v1"]},
                       "jobs": {"depends_on": ["api"]}}, interfaces=("api-v1",))
    assert map_findings(depmap) == ()


def test_a_depends_on_cycle_is_named_at_its_first_component() -> None:
    depmap = make_map({"a": {"depends_on": ["b"]}, "b": {"depends_on": ["c"]},
                       "c": {"depends_on": ["a"]}, "d": {"depends_on": ["a"]}})
    assert map_findings(depmap) == (Finding(
        "warning", "map-cycle",
        "components depend on each other in a cycle: a depends on b; b depends on c; "
        "c depends on a; a change in any of them reaches all the others", MAP_FILE, 10),)


def test_a_cycle_through_a_consumed_interface_names_the_interface() -> None:
    depmap = make_map({"api": {"provides": ["api-v1"], "depends_on": ["web"]},
                       "web": {"consumes": ["api-v1"]}}, interfaces=("api-v1",))
    (finding,) = map_findings(depmap)
    assert (finding.code, finding.line) == ("map-cycle", 10)
    assert finding.message.startswith(
        "components depend on each other in a cycle: api depends on web; web consumes api-v1 of api;")


def test_a_larger_group_names_one_cycle_and_every_member() -> None:
    depmap = make_map({"a": {"depends_on": ["b"]}, "b": {"depends_on": ["a", "c"]},
                       "c": {"depends_on": ["b"]}})
    (finding,) = map_findings(depmap)
    assert finding.message == (
        "components depend on each other in a cycle: a depends on b; b depends on a "
        "(3 components in all: a, b, c); a change in any of them reaches all the others")


def test_a_component_depending_on_itself_is_a_cycle() -> None:
    (finding,) = map_findings(make_map({"a": {"depends_on": ["a"]}}))
    assert finding.message == ("components depend on each other in a cycle: a depends on a; "
                               "a change in any of them reaches all the others")


def test_two_separate_cycles_are_two_findings_in_id_order() -> None:
    depmap = make_map({"x": {"depends_on": ["y"]}, "y": {"depends_on": ["x"]},
                       "a": {"depends_on": ["b"]}, "b": {"depends_on": ["a"]}})
    assert [f.message.split(": ")[1].split(";")[0] for f in map_findings(depmap)] == [
        "a depends on b", "x depends on y"]


def test_a_component_consuming_its_own_interface_is_no_cycle_and_no_consumer() -> None:
    depmap = make_map({"api": {"provides": ["api-v1"], "consumes": ["api-v1"]}},
                      interfaces=("api-v1",))
    assert list(dependency_graph(depmap).edges) == []
    assert codes(map_findings(depmap)) == ["interface-unconsumed"]


def test_a_value_stream_no_component_carries_is_reported_at_its_line() -> None:
    depmap = make_map({"a": {}}, streams=("vs", "orphan"))
    assert map_findings(depmap) == (Finding(
        "warning", "value-stream-unused",
        "value stream orphan is carried by no component (no component lists it in "
        "value_streams), so no change can affect it", MAP_FILE, 101),)


def test_an_interface_nobody_consumes_is_reported_at_its_line() -> None:
    depmap = make_map({"api": {"provides": ["api-v1", "api-v2"]}, "web": {"consumes": ["api-v1"]}},
                      interfaces=("api-v1", "api-v2"))
    assert map_findings(depmap) == (Finding(
        "warning", "interface-unconsumed",
        "interface api-v2 (provided by api) is consumed by no other component, so changing it "
        "reaches no one through it", MAP_FILE, 201),)


def test_findings_without_a_location_name_no_file() -> None:
    depmap = DepMap({}, {"vs": ValueStream("vs", (), "low")}, {}, {})
    assert map_findings(depmap) == (Finding(
        "warning", "value-stream-unused",
        "value stream vs is carried by no component (no component lists it in value_streams), "
        "so no change can affect it"),)


def test_cycles_come_first_then_value_streams_then_interfaces() -> None:
    depmap = make_map({"a": {"depends_on": ["b"], "provides": ["i"]}, "b": {"depends_on": ["a"]}},
                      interfaces=("i",), streams=("vs", "unused"))
    assert codes(map_findings(depmap)) == ["map-cycle", "value-stream-unused", "interface-unconsumed"]
