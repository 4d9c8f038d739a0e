"""A Backstage catalog translated into a dependency map (plain data, `schemas/map.schema.json`).

Group -> team (members: its `spec.members` and the Users whose `spec.memberOf` names it);
a User is a member, and becomes a team of one only when it owns something. Component and
Resource -> component; API -> interface (provided by the component whose `providesApis`
names it); System -> value stream, its Domain kept in the value stream's name and the
Domain's owner as `informed`. Refs are read as Backstage reads them: `[kind:][namespace/]name`,
case-insensitive, the kind defaulting by field and the namespace to the referring entity's.
Ids are entity names, qualified (`namespace.name`, then `kind.namespace.name`) only where two
would collide. What cannot be mapped is a `Note`, never an error.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from changegate.load.catalog import Catalog, Entity, Note

PATHS = "changegate.dev/paths"
TESTS = "changegate.dev/tests"
CONTRACT_TESTS = "changegate.dev/contract-tests"
CRITICALITY = "changegate.dev/criticality"
USER_LOGIN = "github.com/user-login"
TEAM_SLUG = "github.com/team-slug"
DEFAULT_CRITICALITY = "medium"
CRITICALITIES = ("low", "medium", "high", "critical")

_SECTION = {"group": "teams", "user": "teams", "system": "value_streams", "component": "components",
            "resource": "components", "api": "interfaces"}
_READ = {"group", "user", "system", "domain", "component", "resource", "api", "location"}
_LOGIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\[\]-]*$")
_GITHUB_TEAM = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9][A-Za-z0-9._-]*$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")

Key = tuple[str, str, str]


def parse_ref(ref: str, default_kind: str, default_namespace: str) -> Key:
    """`[kind:][namespace/]name` as Backstage's parseEntityRef reads it, lower-cased."""
    kind, _, rest = ref.partition(":") if ":" in ref else (default_kind, "", ref)
    namespace, _, name = rest.partition("/") if "/" in rest else (default_namespace, "", rest)
    return (kind.lower(), namespace.lower(), name.lower())


def _split(value: str | None) -> list[str]:
    return sorted(dict.fromkeys(p.strip() for p in (value or "").split(",") if p.strip()))


class _Translation:
    def __init__(self, catalog: Catalog) -> None:
        self.notes = list(catalog.notes)
        self.by_key: dict[Key, Entity] = {}
        for entity in catalog.entities:
            if entity.key in self.by_key:
                first = self.by_key[entity.key]
                self.note(entity, f"{entity.kind} {entity.name} defined twice (first at "
                                  f"{first.file}:{first.line}); the first is kept")
            else:
                self.by_key[entity.key] = entity
        self.user_teams: set[Key] = set()  # Users that own something
        self.logins: dict[Key, str | None] = {}

    def note(self, entity: Entity, message: str) -> None:
        self.notes.append(Note(entity.file, entity.line, message))

    def of_kind(self, *kinds: str) -> list[Entity]:
        return [e for k, e in self.by_key.items() if k[0] in kinds]

    def resolve(self, entity: Entity, field: str, ref: Any, default_kind: str,
                kinds: tuple[str, ...]) -> Entity | None:
        """The entity `ref` (in `entity`'s `field`) names, when it is of one of `kinds`."""
        if not isinstance(ref, str) or not ref:
            self.note(entity, f"{entity.kind} {entity.name}: {field} {ref!r} is not an entity ref")
            return None
        key = parse_ref(ref, default_kind, entity.namespace.lower())
        target = self.by_key.get(key) if key[0] in kinds else None
        if target is None:
            self.note(entity, f"{entity.kind} {entity.name}: {field} {ref!r} does not resolve "
                              f"to a {' or '.join(kinds)} in the catalog")
        return target

    def refs(self, entity: Entity, field: str, default_kind: str, kinds: tuple[str, ...]) -> list[Entity]:
        values = entity.spec.get(field) or []
        values = values if isinstance(values, list) else [values]
        found = (self.resolve(entity, f"spec.{field}", ref, default_kind, kinds) for ref in values)
        return [e for e in found if e is not None]

    def owner(self, entity: Entity) -> Entity | None:
        if "owner" not in entity.spec:
            self.note(entity, f"{entity.kind} {entity.name}: no spec.owner")
            return None
        owner = self.resolve(entity, "spec.owner", entity.spec["owner"], "group", ("group", "user"))
        if owner is not None and owner.key[0] == "user":
            self.user_teams.add(owner.key)
        return owner

    def paths(self, entity: Entity) -> list[str]:
        paths = _split(entity.annotation(PATHS))
        if not paths:
            self.note(entity, f"{entity.kind} {entity.name}: no {PATHS} annotation; it claims no file")
        return paths

    def login(self, user: Entity) -> str | None:
        """The User's GitHub login: its `github.com/user-login` annotation, else its name."""
        if user.key not in self.logins:
            login = (user.annotation(USER_LOGIN) or user.name).lstrip("@")
            self.logins[user.key] = login if _LOGIN.match(login) else None
            if not _LOGIN.match(login):
                self.note(user, f"User {user.name}: {login!r} is not a GitHub login (set {USER_LOGIN})")
        return self.logins[user.key]


def _ids(entities: list[Entity]) -> dict[Key, str]:
    """Each entity's id in its map section: its name, qualified only where names collide."""
    groups: dict[tuple[str, str], list[Entity]] = defaultdict(list)
    for entity in entities:
        groups[(_SECTION[entity.key[0]], entity.name.lower())].append(entity)
    ids: dict[Key, str] = {}
    for group in groups.values():
        for qualify in (lambda e: e.name, lambda e: f"{e.namespace}.{e.name}",
                        lambda e: f"{e.kind.lower()}.{e.namespace}.{e.name}"):
            names = [qualify(e).lower() for e in group]
            if len(set(names)) == len(names):
                break
        ids.update((e.key, qualify(e)) for e in group)
    return ids


def translate(catalog: Catalog) -> tuple[dict[str, Any], list[Note]]:
    """The map for `catalog` and the notes of what could not be mapped."""
    t = _Translation(catalog)
    for entity in t.by_key.values():
        if entity.key[0] not in _READ:
            t.note(entity, f"kind {entity.kind} is not imported")
    members: dict[Key, set[str]] = defaultdict(set)
    for group in t.of_kind("group"):
        for user in t.refs(group, "members", "user", ("user",)):
            members[group.key].add(t.login(user) or "")
    for user in t.of_kind("user"):
        for group in t.refs(user, "memberOf", "group", ("group",)):
            members[group.key].add(t.login(user) or "")
    systems = {s.key: s for s in t.of_kind("system")}
    parts = t.of_kind("component", "resource")
    owners = {e.key: t.owner(e) for e in [*t.of_kind("domain"), *systems.values(), *parts]}
    domains = {s.key: _domain(t, s) for s in systems.values()}
    streams_of = {p.key: t.refs(p, "system", "system", ("system",)) for p in parts}
    depends = {p.key: {d.key for d in t.refs(p, "dependsOn", "component", ("component", "resource"))}
               for p in parts}
    for part in parts:
        for other in t.refs(part, "dependencyOf", "component", ("component", "resource")):
            depends[other.key].add(part.key)
    provides, consumes, providers = _apis(t, parts)
    users = [t.by_key[k] for k in sorted(t.user_teams)]
    ids = _ids([*t.of_kind("group"), *users, *systems.values(), *parts, *providers_entities(t, providers)])

    def refs(entities: Any) -> list[str]:
        return sorted({ids[e.key if isinstance(e, Entity) else e] for e in entities if e is not None})

    teams: dict[str, Any] = {}
    for group in t.of_kind("group"):
        team: dict[str, Any] = _named(group)
        team["members"] = sorted(m for m in members[group.key] if m)
        slug = group.annotation(TEAM_SLUG)
        if slug and _GITHUB_TEAM.match(slug):
            team["github_team"] = slug
        elif slug:
            t.note(group, f"Group {group.name}: {TEAM_SLUG} {slug!r} is not org/slug; left out")
        teams[ids[group.key]] = team
    for user in users:
        login = t.login(user)
        teams[ids[user.key]] = {**_named(user), "members": [login] if login else []}
    streams: dict[str, Any] = {}
    for system in systems.values():
        domain = domains[system.key]
        stream: dict[str, Any] = _named(system)
        if domain is not None:
            title = domain.metadata.get("title") or domain.name
            stream["name"] = f"{title} / {stream.get('name') or system.name}"
        stream["owners"] = refs([owners[system.key]])
        informed = refs([owners.get(domain.key) if domain else None])
        if informed and informed != stream["owners"]:
            stream["informed"] = informed
        stream["criticality"] = _criticality(t, system)
        streams[ids[system.key]] = stream
    components: dict[str, Any] = {}
    for part in parts:
        component: dict[str, Any] = _named(part)
        component["owners"] = refs([owners[part.key]])
        component["paths"] = t.paths(part)
        for key, values in (("value_streams", refs(streams_of[part.key])),
                            ("depends_on", refs(depends[part.key] - {part.key})),
                            ("provides", refs(provides[part.key])), ("consumes", refs(consumes[part.key])),
                            ("tests", _split(part.annotation(TESTS))),
                            ("contract_tests", _split(part.annotation(CONTRACT_TESTS)))):
            if values:
                component[key] = values
        components[ids[part.key]] = component
    interfaces = {ids[api.key]: {**_named(api), "paths": t.paths(api)}
                  for api in providers_entities(t, providers)}
    bad = sorted(i for section in (teams, streams, components, interfaces) for i in section
                 if not _ID.match(i))
    if bad:
        t.notes.append(Note(catalog.files[0] if catalog.files else "", 0,
                            f"ids that are not map ids (validate will say so): {', '.join(bad)}"))
    data = {"version": 1, "teams": teams, "value_streams": streams, "components": components,
            "interfaces": interfaces}
    return {key: dict(sorted(v.items())) if isinstance(v, dict) else v for key, v in data.items()
            if v}, sorted(t.notes, key=lambda n: (n.file, n.line))


def providers_entities(t: _Translation, providers: dict[Key, Entity]) -> list[Entity]:
    return [t.by_key[k] for k in providers]


def _named(entity: Entity) -> dict[str, Any]:
    profile = entity.spec.get("profile")
    title = entity.metadata.get("title") or (
        profile.get("displayName") if isinstance(profile, dict) else None)
    return {"name": str(title)} if title else {}


def _domain(t: _Translation, system: Entity) -> Entity | None:
    if "domain" not in system.spec:
        return None
    return t.resolve(system, "spec.domain", system.spec["domain"], "domain", ("domain",))


def _criticality(t: _Translation, system: Entity) -> str:
    value = system.annotation(CRITICALITY)
    if value is None or value in CRITICALITIES:
        return value or DEFAULT_CRITICALITY
    t.note(system, f"System {system.name}: {CRITICALITY} {value!r} is not one of "
                   f"{', '.join(CRITICALITIES)}; {DEFAULT_CRITICALITY} used")
    return DEFAULT_CRITICALITY


def _apis(t: _Translation, parts: list[Entity]) -> tuple[dict[Key, list[Key]], dict[Key, list[Key]],
                                                          dict[Key, Entity]]:
    """Each part's provided and consumed APIs, and each API's one provider: the first by
    ref when several provide it (the others reported). An API nobody provides is left out."""
    offered: dict[Key, list[Entity]] = defaultdict(list)
    provides: dict[Key, list[Key]] = defaultdict(list)
    for part in sorted(parts, key=lambda e: e.key):
        for api in t.refs(part, "providesApis", "api", ("api",)):
            offered[api.key].append(part)
    providers: dict[Key, Entity] = {}
    for api in t.of_kind("api"):
        if not offered[api.key]:
            t.note(api, f"API {api.name}: no Component provides it (providesApis); left out "
                        "of the map, and of its consumers' consumes")
            continue
        first, *others = offered[api.key]
        providers[api.key] = first
        provides[first.key].append(api.key)
        for other in others:
            t.note(other, f"{other.kind} {other.name}: provides API {api.name}, which "
                          f"{first.kind} {first.name} provides too; an interface has one provider, "
                          "so only the latter's is kept")
    consumes: dict[Key, list[Key]] = defaultdict(list)
    for part in parts:
        consumes[part.key] = [a.key for a in t.refs(part, "consumesApis", "api", ("api",))
                              if a.key in providers]
    return provides, consumes, providers
