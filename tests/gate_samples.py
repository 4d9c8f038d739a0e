"""A small valid gate (config, map, policy, manifest) as text, and helpers to write a
repository of it (with a file or two broken) and to read the errors a loader raises."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from changegate.errors import InputError, InputErrors

MAP = """\
version: 1
teams:
  crm-team: {members: [Alice, "@bob"], github_team: acme/crm}
  finance-owners: {members: [carol]}
value_streams:
  finance-settlement:
    owners: [finance-owners]
    criticality: critical
components:
  crm:
    owners: [crm-team]
    paths: ["services/crm/**"]
    value_streams: [finance-settlement]
    provides: [crm-customer-api]
  ledger:
    owners: [finance-owners]
    paths: ["finance/ledger/**"]
    depends_on: [crm]
    consumes: [crm-customer-api]
interfaces:
  crm-customer-api:
    paths: ["services/crm/api/**"]
"""

MANIFEST = """\
version: 1
title: Upgrade CRM to 5.2
type: normal
owner: crm-team
components: [crm]
interfaces_changed: [crm-customer-api]
risk: medium
rollback: {plan: Redeploy 5.1, tested: true}
waivers:
  - policy: finance-signoff
    reason: Consumer suite being rewritten
    expires: 2026-12-31
"""

POLICY = """\
version: 1
layer: org
policies:
  - id: finance-signoff
    waivable_by: [finance-owners]
    match:
      value_streams: [finance-settlement]
      touched_components: [crm]
      interfaces_changed: [crm-customer-api]
    require:
      approvals:
        - team: finance-owners
          count: 1
        - owners_of: value_streams
      tests: [finance-regression, {from: touched_components}]
"""

CONFIG = """\
version: 1
map: .changegate/map.yaml
policies: [.changegate/policies]
layers: [org, value-stream, component, change]
"""

MAP_FILE = ".changegate/map.yaml"
POLICY_FILE = ".changegate/policies/org.yaml"


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def messages(fn: Callable[[], Any]) -> list[str]:
    """The full one-line messages of the input errors `fn` raises."""
    with pytest.raises(InputError) as info:
        fn()
    error = info.value
    return [str(e) for e in error.errors] if isinstance(error, InputErrors) else [str(error)]


def repo(tmp_path: Path, **overrides: str) -> Path:
    files = {".changegate/config.yaml": CONFIG, MAP_FILE: MAP, POLICY_FILE: POLICY}
    files.update({k.replace("__", "/"): v for k, v in overrides.items()})
    return write(tmp_path, files)
