"""Live team membership for map teams that name a `github_team`."""

from __future__ import annotations

from collections.abc import Mapping

from changegate import model as models
from changegate.sources.github.api import ApiError, Client

MEMBERS_READ = "members: read (GitHub App) or read:org (personal access token)"


def members(client: Client, teams: Mapping[str, models.Team]) -> tuple[dict[str, frozenset[str]], tuple[str, ...]]:
    """Members of each team with `github_team`, asked of GitHub.

    Returns (team id -> lower-cased logins, notices). A team GitHub refuses to show
    (403/404: the default GITHUB_TOKEN has no members permission) is left out, so the
    map's `members` stand for it, and a notice says so. Other failures raise `ApiError`.
    """
    found: dict[str, frozenset[str]] = {}
    notices: list[str] = []
    for team_id in sorted(teams):
        slug = teams[team_id].github_team
        if not slug:
            continue
        org, _, name = slug.partition("/")
        try:
            listed = client.get_all(f"orgs/{org}/teams/{name}/members", permission=MEMBERS_READ)
        except ApiError as err:
            if err.status not in (403, 404):
                raise
            notices.append(
                f"team {team_id}: could not read members of {slug} (needs members: read / read:org); "
                "using the map's members"
            )
            continue
        found[team_id] = frozenset(
            str(user["login"]).lower()
            for user in listed if isinstance(user, dict) and isinstance(user.get("login"), str)
        )
    return found, tuple(notices)
