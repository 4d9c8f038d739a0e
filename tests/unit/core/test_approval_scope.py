"""The files an approval requirement is about (core/approval_scope.py, `invalidate: touched-scope`)."""

from __future__ import annotations

from changegate.core.approval_scope import scope_of, touches
from changegate.core.impact import build_path_index, resolve_impact
from changegate.model import CommitFacts, Component, Config, DepMap, Interface, Team, ValueStream

DEPMAP = DepMap(
    teams={"t": Team("t", ("tess",))},
    value_streams={"shop": ValueStream("shop", ("t",), "high")},
    components={
        "crm": Component("crm", ("t",), ("crm/**",), provides=("crm-api",)),
        "pos": Component("pos", ("t",), ("pos/**",), consumes=("crm-api",), value_streams=("shop",)),
        "web": Component("web", ("t",), ("web/**",)),
    },
    interfaces={"crm-api": Interface("crm-api", ("api/crm/**",), provider="crm")},
)
CONFIG = Config()
INDEX = build_path_index(DEPMAP)


def _impact(*files: str):  # type: ignore[no-untyped-def]
    return resolve_impact(DEPMAP, None, files, None, CONFIG)


def test_a_touched_component_is_its_own_files_and_its_interfaces() -> None:
    assert scope_of("component:crm", DEPMAP, _impact("crm/a.py")) == {"component:crm", "interface:crm-api"}


def test_an_impacted_component_carries_its_via_chain() -> None:
    scope = scope_of("component:pos", DEPMAP, _impact("api/crm/v1.yaml"))
    assert scope == {"component:crm", "interface:crm-api", "component:pos"}
    assert scope_of("value_stream:shop", DEPMAP, _impact("api/crm/v1.yaml")) == scope


def test_a_team_requirement_has_no_narrower_scope() -> None:
    assert scope_of("team:t", DEPMAP, _impact("crm/a.py")) is None


def test_touching_another_component_leaves_a_scope_alone_but_unclaimed_files_and_manifests_do_not() -> None:
    scope = scope_of("component:crm", DEPMAP, _impact("crm/a.py"))
    assert not touches(CommitFacts("a", files=("web/index.html",)), scope, INDEX, CONFIG)
    assert touches(CommitFacts("a", files=("crm/b.py",)), scope, INDEX, CONFIG)
    assert touches(CommitFacts("a", files=("api/crm/v2.yaml",)), scope, INDEX, CONFIG)
    assert touches(CommitFacts("a", files=("README.md",)), scope, INDEX, CONFIG)
    assert touches(CommitFacts("a", files=(".changegate/changes/x.yaml",)), scope, INDEX, CONFIG)
    assert touches(CommitFacts("a", files=("web/index.html",)), None, INDEX, CONFIG)
