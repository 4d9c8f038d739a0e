"""The one bounded reader and the wording of its failures for each kind of file."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from changegate.errors import EvidenceError, InputError, YamlError
from changegate.load.files import read_at_most, read_bounded, read_gate_file, read_inside
from changegate.load.limits import MAX_BYTES


def test_read_at_most_refuses_a_file_or_stream_past_the_bound(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"12345")
    assert read_at_most(5, path) == b"12345"
    assert read_at_most(4, path) is None
    assert read_at_most(5, stream=io.BytesIO(b"12345")) == b"12345"
    assert read_at_most(4, stream=io.BytesIO(b"12345")) is None


def test_read_at_most_bounds_what_it_reads_from_a_pipe(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    writer = os.open(fifo, os.O_RDWR)  # read-write: opening the reading end does not block
    try:
        os.write(writer, b"x" * 10)
        assert read_at_most(4, fifo) is None  # its size says nothing: 5 bytes read, not 10
    finally:
        os.close(writer)


def test_evidence_files_name_what_they_are(tmp_path: Path) -> None:
    (tmp_path / "big.json").write_bytes(b"x" * 65)
    with pytest.raises(EvidenceError) as info:
        read_bounded("big.json", "the approvals file", 64, tmp_path / "big.json")
    assert str(info.value) == "big.json: larger than 64 bytes, the bound for the approvals file"


def test_gate_files_name_what_is_wrong(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        read_gate_file(tmp_path / "nope.yaml", "nope.yaml")
    assert str(info.value) == "nope.yaml: no such file"
    with pytest.raises(InputError) as info:
        read_gate_file(tmp_path, "gate")
    assert str(info.value) == "gate: is a directory, expected a file"
    (tmp_path / "bad.yaml").write_bytes(b"a: \xff\n")
    with pytest.raises(YamlError) as info:
        read_gate_file(tmp_path / "bad.yaml", "bad.yaml")
    assert str(info.value) == "bad.yaml:1: not UTF-8 text (byte 3)"
    (tmp_path / "ok.yaml").write_bytes("a: é\n".encode())
    assert read_gate_file(tmp_path / "ok.yaml", "ok.yaml") == "a: é\n"


def test_a_file_inside_the_repository_is_read_but_never_through_a_symlink_out(tmp_path: Path) -> None:
    repo, outside = tmp_path / "repo", tmp_path / "secret.yaml"
    repo.mkdir()
    outside.write_text("title: secret\n")
    (repo / "change.yaml").write_text("title: mine\n")
    (repo / "link.yaml").symlink_to(outside)
    (repo / "inner.yaml").symlink_to(repo / "change.yaml")
    assert read_inside(repo, "change.yaml") == b"title: mine\n"
    assert read_inside(repo, "inner.yaml") == b"title: mine\n"
    with pytest.raises(InputError) as info:
        read_inside(repo, "link.yaml")
    assert str(info.value) == "link.yaml: is a symlink that leads out of the repository; refusing to read it"
    with pytest.raises(InputError) as info:
        read_inside(repo, "gone.yaml")
    assert str(info.value) == "gone.yaml: file not found"


def test_a_file_inside_the_repository_past_the_limit_is_refused_before_reading(tmp_path: Path) -> None:
    with open(tmp_path / "huge.yaml", "wb") as handle:
        handle.truncate(MAX_BYTES + 1)  # sparse: no 64 MiB written
    with pytest.raises(YamlError) as info:
        read_inside(tmp_path, "huge.yaml")
    assert str(info.value) == "huge.yaml: file is larger than the 64 MiB limit"
