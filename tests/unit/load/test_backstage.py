"""Backstage catalog -> map: every kind, refs read as Backstage reads them, ids qualified
only on collision, what cannot be mapped reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from changegate.errors import InputError
from changegate.load.backstage import parse_ref, translate
from changegate.load.catalog import read_catalog

ORG = """\
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: payments, annotations: {github.com/team-slug: acme/payments}}
spec: {type: team, profile: {displayName: Payments}, members: [ada, 'user:default/bob', ghost]}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: web}
spec: {type: team}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: ada}
spec: {}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: bob, annotations: {github.com/user-login: bob-gh}}
spec: {memberOf: [web]}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: carol, namespace: ops}
spec: {memberOf: ['group:default/web'], profile: {displayName: Carol}}
"""

SYSTEMS = """\
apiVersion: backstage.io/v1alpha1
kind: Domain
metadata: {name: commerce, title: Commerce}
spec: {owner: web}
---
apiVersion: backstage.io/v1alpha1
kind: System
metadata: {name: shop, title: Shop, annotations: {changegate.dev/criticality: high}}
spec: {owner: payments, domain: commerce}
---
apiVersion: backstage.io/v1alpha1
kind: System
metadata: {name: back-office}
spec: {owner: 'user:ops/carol', domain: nowhere}
"""

PARTS = """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: checkout
  annotations: {changegate.dev/paths: 'services/checkout/, !services/checkout/docs/', changegate.dev/tests: checkout-unit}
spec:
  owner: group:payments
  system: shop
  providesApis: [checkout-api]
  consumesApis: ['api:default/orphan-api', 'api:missing']
  dependsOn: ['resource:db', 'component:default/web']
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: web, annotations: {changegate.dev/paths: web/}}
spec: {owner: web, system: shop, consumesApis: [checkout-api], providesApis: [checkout-api]}
---
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata: {name: db, annotations: {changegate.dev/paths: db/}}
spec: {owner: payments, system: back-office, dependencyOf: ['component:web']}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: web, namespace: legacy}
spec: {owner: default/web}
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata: {name: checkout-api, annotations: {changegate.dev/paths: 'api/checkout.yaml'}}
spec: {type: openapi, owner: payments, definition: {$text: https://example.com/x.yaml}}
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata: {name: orphan-api}
spec: {type: openapi, owner: payments}
---
apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata: {name: new-service}
spec: {}
"""


def catalog(tmp_path: Path) -> Path:
    root = tmp_path / "catalog"
    (root / "org").mkdir(parents=True)
    (root / "org" / "org.yaml").write_text(ORG)
    (root / "systems.yml").write_text(SYSTEMS)
    (root / "parts.yaml").write_text(PARTS)
    (root / "README.md").write_text("not read\n")
    return root


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
    with pytest.raises(InputError, match="bad.yaml:4: invalid YAML"):
        read_catalog([str(tmp_path / "bad.yaml")])
    with pytest.raises(InputError, match="no such file"):
        read_catalog([str(tmp_path / "missing")])
