"""Backstage catalog -> map: every kind, refs read as Backstage reads them, ids qualified
only on collision, what cannot be mapped reported."""

from __future__ import annotations

from pathlib import Path

import pytest
from backstage_samples import ORG, catalog

from changegate.errors import InputError
from changegate.load.backstage import parse_ref, translate
from changegate.load.catalog import read_catalog


def test_parse_ref_defaults_kind_and_namespace_as_backstage_does() -> None:
    assert parse_ref("team-a", "group", "default") == ("group", "default", "team-a")
    assert parse_ref("user:Jane", "group", "ops") == ("user", "ops", "jane")
    assert parse_ref("default/team-a", "group", "alt") == ("group", "default", "team-a")
    assert parse_ref("component:alt/x", "component", "default") == ("component", "alt", "x")


def test_every_kind_is_mapped(tmp_path: Path) -> None:
    data, notes = translate(read_catalog([str(catalog(tmp_path))]))
    assert data["teams"] == {
        "carol": {"name": "Carol", "members": ["carol"]},  # owns a System: a team of one
        "payments": {"name": "Payments", "members": ["ada", "bob-gh"], "github_team": "acme/payments"},
        "web": {"members": ["bob-gh", "carol"]},
    }
    assert data["value_streams"] == {
        "back-office": {"owners": ["carol"], "criticality": "medium"},
        "shop": {"name": "Commerce / Shop", "owners": ["payments"], "informed": ["web"],
                 "criticality": "high"},
    }
    assert data["components"] == {
        "checkout": {"owners": ["payments"], "paths": ["!services/checkout/docs/", "services/checkout/"],
                     "value_streams": ["shop"], "depends_on": ["db", "default.web"],
                     "provides": ["checkout-api"], "tests": ["checkout-unit"]},
        "db": {"owners": ["payments"], "paths": ["db/"], "value_streams": ["back-office"]},
        "default.web": {"owners": ["web"], "paths": ["web/"], "value_streams": ["shop"],
                        "depends_on": ["db"], "consumes": ["checkout-api"]},
        "legacy.web": {"owners": ["web"], "paths": []},
    }
    assert data["interfaces"] == {"checkout-api": {"paths": ["api/checkout.yaml"]}}
    text = "\n".join(str(n) for n in notes)
    for expected in ("Group payments: spec.members 'ghost' does not resolve",
                     "System back-office: spec.domain 'nowhere' does not resolve",
                     "Component checkout: spec.consumesApis 'api:missing' does not resolve",
                     "Component web: provides API checkout-api, which Component checkout provides too",
                     "API orphan-api: no Component provides it",
                     "Component web: no changegate.dev/paths annotation",
                     "kind Template is not imported"):
        assert expected in text, (expected, text)
    assert str(notes[0]).startswith(str(tmp_path / "catalog" / "org" / "org.yaml") + ":")


def test_location_targets_are_followed_inside_the_paths_given_only(tmp_path: Path) -> None:
    root = catalog(tmp_path)
    (tmp_path / "outside.yaml").write_text(ORG)
    (tmp_path / "entry").mkdir()
    (tmp_path / "entry" / "all.yaml").write_text(
        "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: all}\n"
        "spec: {targets: [../catalog/parts.yaml, ../outside.yaml, 'https://example.com/c.yaml']}\n")
    only_entry = read_catalog([str(tmp_path / "entry")])
    assert [e.name for e in only_entry.entities] == ["all"]
    assert len(only_entry.notes) == 3
    both = read_catalog([str(tmp_path / "entry" / "all.yaml"), str(root / "systems.yml")])
    # A file given makes its directory one the Location may lead into.
    assert [e.name for e in both.entities][:4] == ["all", "commerce", "shop", "back-office"]
    assert "checkout" in [e.name for e in both.entities]
    with_root = read_catalog([str(tmp_path / "entry"), str(root)])
    assert [e.name for e in with_root.entities][:2] == ["all", "checkout"]
    assert len({Path(f).resolve() for f in with_root.files}) == len(with_root.files) == 4  # read once


def test_a_broken_catalog_file_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("kind: Group\n---\nkind: [\n")
    with pytest.raises(InputError, match=r"bad\.yaml:4: invalid YAML"):
        read_catalog([str(tmp_path / "bad.yaml")])
    with pytest.raises(InputError, match="no such file"):
        read_catalog([str(tmp_path / "missing")])
