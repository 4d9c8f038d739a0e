"""A small Backstage catalog with every kind the import reads (and one it does not)."""

from __future__ import annotations

from pathlib import Path

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
  annotations:
    changegate.dev/paths: 'services/checkout/, !services/checkout/docs/'
    changegate.dev/tests: checkout-unit
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
