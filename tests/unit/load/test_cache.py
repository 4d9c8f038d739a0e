"""The compiled-map cache (changegate.load.cache): keyed by the map files' content, so any edit is
a miss; unreadable entries are misses; a bad map is never stored and always reported."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import PROJECT

from changegate.errors import InputErrors
from changegate.load import cache
from changegate.load.config import load_config

RETAIL = PROJECT / "examples" / "retail"
TEAMS = ".changegate/map/teams.yaml"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(RETAIL / ".changegate", root / ".changegate")
    return root


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CHANGEGATE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("CHANGEGATE_NO_CACHE", raising=False)
    return tmp_path / "cache"


def _compiled(root: Path) -> cache.CompiledMap:
    return cache.compiled_map(root, load_config(root, None))


def _entries(store: Path) -> list[Path]:
    return sorted(store.glob("map-*.pickle"))


def test_second_run_reads_the_entry_the_first_run_wrote(repo: Path, store: Path) -> None:
    first = _compiled(repo)
    [entry] = _entries(store)
    second = _compiled(repo)
    assert second.depmap == first.depmap
    assert second.depmap is not first.depmap  # it came from the file
    assert _entries(store) == [entry]


def test_changed_map_file_invalidates_the_cache(repo: Path, store: Path) -> None:
    assert _compiled(repo).depmap.teams["crm-team"].members == ("alice-m", "bob-k", "chen-li")
    teams = repo / TEAMS
    teams.write_text(teams.read_text().replace("[alice-m, bob-k, chen-li]", "[alice-m, dana-q]"))
    assert _compiled(repo).depmap.teams["crm-team"].members == ("alice-m", "dana-q")
    assert len(_entries(store)) == 2


def test_new_file_in_the_map_directory_invalidates_the_cache(repo: Path, store: Path) -> None:
    _compiled(repo)
    (repo / ".changegate/map/more-teams.yaml").write_text(
        "version: 1\nteams:\n  late-team:\n    members: [zoe-a]\n")
    assert "late-team" in _compiled(repo).depmap.teams
    assert len(_entries(store)) == 2


def test_same_content_under_another_root_shares_the_entry(repo: Path, store: Path, tmp_path: Path) -> None:
    _compiled(repo)
    other = tmp_path / "elsewhere"
    shutil.copytree(repo, other)
    assert _compiled(other).depmap == _compiled(repo).depmap
    assert len(_entries(store)) == 1


def test_corrupt_entry_is_a_miss_and_is_rewritten(repo: Path, store: Path) -> None:
    expected = _compiled(repo).depmap
    [entry] = _entries(store)
    entry.write_bytes(b"not a pickle")
    assert _compiled(repo).depmap == expected
    assert entry.read_bytes() != b"not a pickle"


def test_entry_stored_under_another_key_is_a_miss(repo: Path, store: Path) -> None:
    compiled = _compiled(repo)
    [entry] = _entries(store)
    cache.write(store, "0" * 64, compiled)
    shutil.copyfile(cache.entry_path(store, "0" * 64), entry)
    assert cache.read(store, entry.name[len("map-"):-len(".pickle")]) is None


def test_invalid_map_is_reported_every_time_and_never_stored(repo: Path, store: Path) -> None:
    teams = repo / TEAMS
    teams.write_text(teams.read_text().replace("    members: [alice-m, bob-k, chen-li]\n",
                                               "    members: [alice-m, bob-k, chen-li]\n    lead: alice-m\n"))
    for _ in range(2):
        with pytest.raises(InputErrors) as raised:
            _compiled(repo)
        assert [str(e) for e in raised.value.errors] == [
            f"{TEAMS}:8: teams.crm-team: unknown key 'lead' (allowed: github_team, members, name)"]
    assert _entries(store) == []


def test_no_cache_environment_variable_neither_reads_nor_writes(
    repo: Path, store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHANGEGATE_NO_CACHE", "1")
    _compiled(repo)
    assert not store.exists()


def test_no_cache_flag_neither_reads_nor_writes(repo: Path, store: Path) -> None:
    cache.compiled_map(repo, load_config(repo, None), no_cache=True)
    assert not store.exists()


def test_unwritable_cache_directory_only_costs_speed(repo: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("CHANGEGATE_CACHE_DIR", str(blocker / "cache"))
    assert "crm" in _compiled(repo).depmap.components


def test_directory_keeps_only_the_most_recent_entries(repo: Path, store: Path) -> None:
    compiled = _compiled(repo)
    for n in range(cache.KEEP + 3):
        cache.write(store, f"{n:064x}", compiled)
    assert len(_entries(store)) == cache.KEEP


def test_cache_directory_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("CHANGEGATE_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert cache.cache_dir() == tmp_path / "home" / ".cache" / "changegate"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_dir() == tmp_path / "xdg" / "changegate"
    monkeypatch.setenv("CHANGEGATE_CACHE_DIR", str(tmp_path / "explicit"))
    assert cache.cache_dir() == tmp_path / "explicit"


@pytest.mark.parametrize(("value", "on"), [("", True), ("0", True), ("false", True), ("1", False),
                                           ("yes", False), ("true", False)])
def test_no_cache_environment_values(value: str, on: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHANGEGATE_NO_CACHE", value)
    assert cache.enabled() is on
