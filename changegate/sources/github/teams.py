"""Live team membership for map teams that name a `github_team`."""

from __future__ import annotations

from collections.abc import Mapping

from changegate import model as models
from changegate.sources.github import refusals
from changegate.sources.github.api import ApiError, Client

MEMBERS_READ = "members: read (GitHub App) or read:org (personal access token)"


def members(client: Client, teams: Mapping[str, models.Team]) -> tuple[dict[str, frozenset[str]], tuple[str, ...]]:
    """Members of each team with `github_team`, asked of GitHub.

    Returns (team id -> lower-cased logins, notices). A team GitHub definitely refuses to
    show (a permission 403, or a 404: the default GITHUB_TOKEN has no members permission) is
    left out, so the map's `members` stand for it, and a notice says which refusal it was.
    Anything else (a rate limit, a server error, a timeout) raises `ApiError`: the map's
    members are not a stand-in for an answer GitHub did not give.
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
            if err.kind not in refusals.DEFINITE_REFUSALS:
                raise
            why = ("403 Forbidden: the token may not read team members" if err.kind == refusals.PERMISSION
                   else "404 Not Found: no such team, or the token cannot see it")
            notices.append(
                f"team {team_id}: could not read members of {slug} ({why}; needs members: read / read:org); "
                "using the map's members"
            )
            continue
        found[team_id] = frozenset(
            str(user["login"]).lower()
            for user in listed if isinstance(user, dict) and isinstance(user.get("login"), str)
        )
    return found, tuple(notices)
