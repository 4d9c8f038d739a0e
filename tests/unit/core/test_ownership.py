"""core/ownership: GitHub identities of owner teams, and coverage on a map built in memory."""

from __future__ import annotations

from changegate.core.impact import build_path_index
from changegate.core.ownership import coverage, github_identities, path_owners
from changegate.model import Component, Config, DepMap, Interface, Location, Team, ValueStream

DEPMAP = DepMap(
    teams={"app": Team("app", ("zed",), github_team="acme/app"), "solo": Team("solo", ("bob", "alice")),
           "ghost": Team("ghost", ())},
    value_streams={"vs": ValueStream("vs", ("app",), "low"), "unused": ValueStream("unused", ("app",), "low")},
    components={"api": Component("api", ("app", "solo"), ("src/**",), value_streams=("vs",), provides=("i",)),
                "idle": Component("idle", ("ghost",), ("nothing/**",))},
    interfaces={"i": Interface("i", ("api.json",), provider="api")},
)


def test_github_is_the_team_slug_else_each_member_sorted_and_unique() -> None:
    assert github_identities(DEPMAP, ["solo", "app", "solo", "ghost", "missing"]) == ("@acme/app", "@alice", "@bob")


def test_path_owners_with_claims_located_by_the_callback() -> None:
    found = path_owners(DEPMAP, build_path_index(DEPMAP), "api.json", lambda kind, i, n: Location(f"{kind}-{i}", n))
    assert (found.components, found.owners) == (("api",), ("app", "solo"))
    assert found.github == ("@acme/app", "@alice", "@bob")
    assert [(c.kind, c.id, c.pattern, c.loc) for c in found.claims] == [
        ("interface", "i", "api.json", Location("interface-i", 0))]


def test_coverage_lists_each_kind() -> None:
    found = coverage(DEPMAP, build_path_index(DEPMAP), Config(), ["src/a.py", "api.json", "README.md"])
    assert found.unclaimed_files == ("README.md",)
    assert found.components_without_files == ("idle",)
    assert found.teams_without_identity == ("ghost",)
    assert found.value_streams_unserved == ("unused",)
    assert found.interfaces_unconsumed == ("i",)
    assert not found.is_empty()
