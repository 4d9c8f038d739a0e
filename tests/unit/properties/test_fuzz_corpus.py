"""The fuzz target's regression corpus, replayed without atheris: every input that once
crashed changegate (tests/fixtures/fuzz-crashes/) now ends in an InputError or a decision;
and each target's seed, a valid input, goes all the way through (so the harness the fuzz
run relies on works)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import TESTS

from fuzz import fuzz_changegate as target

CRASHES = sorted(p for p in (TESTS / "fixtures" / "fuzz-crashes").iterdir() if "--" in p.name)


@pytest.mark.parametrize("crash", CRASHES, ids=[p.name for p in CRASHES])
def test_a_kept_crash_is_an_input_error_now(crash: Path) -> None:
    name = crash.name.split("--", 1)[0]
    assert name in target.TARGETS
    target.run(name, crash.read_bytes())


def test_the_corpus_is_not_empty() -> None:
    assert CRASHES


@pytest.mark.parametrize("name", target.TARGETS)
def test_each_seed_is_valid_input_that_goes_all_the_way(name: str) -> None:
    from changegate.errors import InputError

    payload = target.seed_inputs()[name]
    try:
        target.run_strict(name, payload)
    except InputError as exc:  # pragma: no cover - the message is the point
        pytest.fail(f"the {name} seed is refused: {exc}")


def test_an_input_picks_its_target_by_the_first_byte(tmp_path: Path) -> None:
    target.seeds(tmp_path)
    seeds = sorted(tmp_path.iterdir())
    assert sorted(p.stem for p in seeds) == sorted(target.TARGETS)
    for seed in seeds:
        target.one_input(seed.read_bytes())
    crash = tmp_path / "crash-x"
    crash.write_bytes(bytes([target.TARGETS.index("junit")]) + b"<testsuite")
    kept = target.keep(crash, "cut-short", tmp_path)
    assert kept.name == "junit--cut-short"
    assert kept.read_bytes() == b"<testsuite"
