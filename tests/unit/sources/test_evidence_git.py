from __future__ import annotations

import io
import os
import subprocess
from pathlib import Path

import pytest

from changegate.errors import EvidenceError, GitError
from changegate.sources import changed_files, git

ODD_NAMES = [
    "with space.txt",
    "unicodé/файл.yaml",
    "new\nline.txt",
    "-leading-dash.txt",
    'quote"and\\backslash.txt',
    "tab\there.txt",
]


def _git(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    full_env = dict(os.environ)
    full_env.update({
        "GIT_AUTHOR_NAME": "Alice", "GIT_AUTHOR_EMAIL": "alice@example.com",
        "GIT_COMMITTER_NAME": "Alice", "GIT_COMMITTER_EMAIL": "alice@example.com",
        "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(repo.parent),
    })
    full_env.update(env or {})
    proc = subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                          env=full_env)
    return proc.stdout.decode()


def _write(repo: Path, name: str, text: str) -> None:
    path = repo / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _commit(repo: Path, message: str, env: dict[str, str] | None = None) -> str:
    _git(repo, "add", "-A", "--", ".")
    _git(repo, "commit", "-q", "-m", message, env=env)
    return _git(repo, "rev-parse", "HEAD").strip()


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    _git(root, "init", "-q", "-b", "main")
    _write(root, "README.md", "hello\n")
    _write(root, "services/crm/app.py", "print(1)\n")
    _write(root, "old.txt", "old\n")
    _commit(root, "base")
    return root


def test_changed_files_lists_added_modified_and_deleted_paths_sorted(repo: Path) -> None:
    base = _git(repo, "rev-parse", "HEAD").strip()
    _write(repo, "services/crm/app.py", "print(2)\n")
    _write(repo, "b.txt", "b\n")
    (repo / "old.txt").unlink()
    head = _commit(repo, "change")
    assert git.changed_files_with_status(repo, base, head) == {
        "b.txt": "A", "old.txt": "D", "services/crm/app.py": "M"}


def test_changed_files_round_trips_odd_file_names(repo: Path) -> None:
    base = _git(repo, "rev-parse", "HEAD").strip()
    for name in ODD_NAMES:
        _write(repo, name, "x\n")
    head = _commit(repo, "odd names")
    assert git.changed_files_with_status(repo, base, head) == {n: "A" for n in sorted(ODD_NAMES)}
    for name in ODD_NAMES:
        assert git.show(repo, head, name) == b"x\n"


def test_a_rename_is_a_deletion_and_an_addition(repo: Path) -> None:
    base = _git(repo, "rev-parse", "HEAD").strip()
    _git(repo, "mv", "old.txt", "new.txt")
    head = _commit(repo, "rename")
    assert git.changed_files_with_status(repo, base, head) == {"new.txt": "A", "old.txt": "D"}


def test_changed_files_uses_the_merge_base_so_base_branch_changes_do_not_count(repo: Path) -> None:
    _git(repo, "checkout", "-q", "-b", "feature")
    _write(repo, "feature.txt", "f\n")
    _commit(repo, "feature work")
    _git(repo, "checkout", "-q", "main")
    _write(repo, "main-only.txt", "m\n")
    _commit(repo, "main moves on")
    assert git.changed_files_with_status(repo, "main", "feature") == {"feature.txt": "A"}


def test_resolve_returns_the_full_sha(repo: Path) -> None:
    sha = _git(repo, "rev-parse", "HEAD").strip()
    assert git.resolve(repo, "main") == sha
    assert git.resolve(repo, "HEAD") == sha


def test_an_unknown_ref_names_the_ref_and_the_repository(repo: Path) -> None:
    with pytest.raises(GitError) as info:
        git.changed_files_with_status(repo, "nope", "HEAD")
    assert str(info.value) == f"{repo}: unknown git ref 'nope' (git: not a valid revision)"


def test_a_ref_that_looks_like_an_option_is_an_unknown_ref(repo: Path) -> None:
    with pytest.raises(GitError) as info:
        git.resolve(repo, "--all")
    assert str(info.value) == f"{repo}: unknown git ref '--all' (git: not a valid revision)"


def test_a_directory_that_is_not_a_repository_is_a_git_error(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(GitError) as info:
        git.resolve(plain, "HEAD")
    assert info.value.file == str(plain)
    assert info.value.message.startswith("not a git repository (git: fatal: not a git repository")


def test_show_returns_none_for_a_path_missing_at_the_revision(repo: Path) -> None:
    assert git.show(repo, "HEAD", "README.md") == b"hello\n"
    assert git.show(repo, "HEAD", "nowhere.yaml") is None
    assert git.show(repo, "HEAD", "services") is None


def test_show_reads_the_file_as_it_was_at_the_revision(repo: Path) -> None:
    base = _git(repo, "rev-parse", "HEAD").strip()
    _write(repo, "README.md", "changed\n")
    _commit(repo, "edit")
    assert git.show(repo, base, "README.md") == b"hello\n"
    assert git.show(repo, "HEAD", "README.md") == b"changed\n"


def test_list_tree_lists_the_files_directly_in_a_directory(repo: Path) -> None:
    _write(repo, ".changegate/changes/a change.yaml", "x")
    _write(repo, ".changegate/changes/b.yaml", "x")
    _write(repo, ".changegate/changes/sub/c.yaml", "x")
    _commit(repo, "manifests")
    assert git.list_tree(repo, "HEAD", ".changegate/changes") == [
        ".changegate/changes/a change.yaml", ".changegate/changes/b.yaml"]
    assert git.list_tree(repo, "HEAD", ".changegate/changes/") == [
        ".changegate/changes/a change.yaml", ".changegate/changes/b.yaml"]
    assert git.list_tree(repo, "HEAD", "missing") == []
    assert git.list_tree(repo, "HEAD", "README.md") == []
    assert git.list_tree(repo, "HEAD", "") == ["README.md", "old.txt"]


# ------------------------------------------------- the hardened runner


def test_a_replace_ref_makes_every_git_call_refuse_naming_it(repo: Path) -> None:
    first = _git(repo, "rev-parse", "HEAD").strip()
    _write(repo, "README.md", "changed\n")
    second = _commit(repo, "second")
    assert git.show(repo, second, "README.md") == b"changed\n"
    _git(repo, "replace", second, first)
    assert _git(repo, "show", f"{second}:README.md") == "hello\n"  # plain git follows the replacement
    for call in (lambda: git.show(repo, second, "README.md"), lambda: git.resolve(repo, "HEAD"),
                 lambda: git.tracked_files(repo), lambda: git.working_tree_changes(repo),
                 lambda: git.changed_files_with_status(repo, first, second)):
        with pytest.raises(GitError) as err:
            call()
        assert err.value.message.startswith(f"the repository has a replace ref (refs/replace/{second}): ")
        assert err.value.file == str(repo)
    _git(repo, "replace", "-d", second)
    assert git.show(repo, second, "README.md") == b"changed\n"


def test_grafts_cannot_move_the_merge_base(repo: Path) -> None:
    _git(repo, "checkout", "-q", "-b", "feature")
    _write(repo, "feature.txt", "f\n")
    feature = _commit(repo, "feature work")
    _git(repo, "checkout", "-q", "main")
    _write(repo, "main-only.txt", "m\n")
    main = _commit(repo, "main moves on")
    (repo / ".git" / "info").mkdir(exist_ok=True)
    (repo / ".git" / "info" / "grafts").write_text(f"{feature} {main}\n", encoding="utf-8")
    assert "main-only.txt" in _git(repo, "diff", "--name-only", f"{main}...{feature}")  # plain git obeys
    assert git.changed_files_with_status(repo, main, feature) == {"feature.txt": "A"}


def test_git_variables_of_the_caller_cannot_point_git_elsewhere(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "other"
    other.mkdir()
    _git(other, "init", "-q", "-b", "main")
    _write(other, "README.md", "other\n")
    _commit(other, "other")
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(other))
    assert git.show(repo, "HEAD", "README.md") == b"hello\n"
    assert git.working_tree_changes(repo) == {}


def test_commit_exists_and_current_branch(repo: Path) -> None:
    assert git.commit_exists(repo, "HEAD")
    assert not git.commit_exists(repo, "0" * 40)
    assert git.current_branch(repo) == "main"
    _git(repo, "checkout", "-q", "--detach")
    assert git.current_branch(repo) is None


# ------------------------------------------------- --changed-files FILE, the alternative to git


def test_changed_files_list_skips_blank_lines_and_strips_cr(tmp_path: Path) -> None:
    listing = tmp_path / "files.txt"
    listing.write_bytes(b"services/crm/app.py\r\n\n  \nb.txt\nwith space.txt\r\nb.txt\n# not a comment\nvendor/sdk/\n")
    assert changed_files.load(str(listing)) == (
        "# not a comment", "b.txt", "services/crm/app.py", "vendor/sdk/", "with space.txt")


@pytest.mark.parametrize(("line", "problem"), [
    ("./services/crm/app.py", "a '.' segment ('./'); write the path as git prints it"),
    ("services//crm/app.py", "an empty path segment ('//')"),
    ("services/crm/../../etc/passwd", "a '..' segment; changed paths stay inside the repository"),
    ("/etc/passwd", "an absolute path; changed paths are relative to the repository root"),
    ("a/./b", "a '.' segment ('./'); write the path as git prints it"),
])
def test_a_non_canonical_changed_path_is_refused_with_its_line(tmp_path: Path, line: str, problem: str) -> None:
    listing = tmp_path / "files.txt"
    listing.write_text(f"ok.txt\n\n{line}\n", encoding="utf-8")
    with pytest.raises(EvidenceError) as info:
        changed_files.load(str(listing))
    assert str(info.value) == f"{listing}:3: {problem}: {line!r}"


def test_the_changed_files_limit_is_enforced_with_the_line(tmp_path: Path) -> None:
    listing = tmp_path / "files.txt"
    listing.write_text("a\nb\nb\nc\n", encoding="utf-8")
    assert changed_files.load(str(listing), limit=3) == ("a", "b", "c")
    listing.write_text("a\nb\nc\nd\n", encoding="utf-8")
    with pytest.raises(EvidenceError) as info:
        changed_files.load(str(listing), limit=3)
    assert str(info.value).startswith(f"{listing}:4: more than 3 changed files (limits.changed_files")


def test_changed_files_list_dash_reads_standard_input() -> None:
    stream = io.BytesIO("unicodé/файл.yaml\n-leading-dash.txt\n".encode())
    assert changed_files.load("-", stdin=stream) == ("-leading-dash.txt", "unicodé/файл.yaml")


def test_an_unreadable_changed_files_list_is_an_evidence_error(tmp_path: Path) -> None:
    missing = tmp_path / "missing.txt"
    with pytest.raises(EvidenceError) as info:
        changed_files.load(str(missing))
    assert str(info.value) == f"{missing}: cannot read the changed-files list: No such file or directory"


def test_a_binary_changed_files_list_is_an_evidence_error(tmp_path: Path) -> None:
    listing = tmp_path / "files.txt"
    listing.write_bytes(b"a.txt\nb\x00c\n")
    with pytest.raises(EvidenceError) as info:
        changed_files.load(str(listing))
    assert str(info.value) == f"{listing}:2: a NUL byte: a changed-files list is text, one path a line"
    listing.write_bytes(b"a.txt\n\xff\xfe\n")
    with pytest.raises(EvidenceError) as info:
        changed_files.load(str(listing))
    assert str(info.value) == f"{listing}:2: not UTF-8 text: a changed-files list is text, one path a line"


def test_working_tree_changes_lists_edits_deletions_and_untracked_files(repo: Path) -> None:
    _write(repo, "kept.txt", "v1\n")
    _write(repo, "gone.txt", "v1\n")
    _commit(repo, "base")
    _write(repo, "kept.txt", "v2\n")
    (repo / "gone.txt").unlink()
    _write(repo, "new dir/new file.txt", "x\n")
    assert git.working_tree_changes(repo) == {
        "gone.txt": "D", "kept.txt": "M", "new dir/new file.txt": "?"}


def test_show_refuses_a_blob_past_the_gate_file_limit_before_reading_it(
        repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from changegate.errors import YamlError
    from changegate.load import limits

    _write(repo, "big.yaml", "x" * 2000 + "\n")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "big")
    assert git.show(repo, "HEAD", "big.yaml") == b"x" * 2000 + b"\n"
    monkeypatch.setattr(limits, "MAX_BYTES", 1024)
    with pytest.raises(YamlError, match=r"big\.yaml: file is larger than the 1024 bytes limit"):
        git.show(repo, "HEAD", "big.yaml")


def test_git_py_is_the_only_module_that_starts_a_process() -> None:
    """One hardened runner: no other module of the package can run git (or anything) another way."""
    package = Path(git.__file__).parents[1]
    starters = ("subprocess", "os.system", "os.popen", "os.exec", "os.spawn", "pty.spawn", "asyncio.create_subprocess")
    offenders = sorted(
        str(path.relative_to(package)) for path in package.rglob("*.py")
        if path != Path(git.__file__) and any(word in path.read_text(encoding="utf-8") for word in starters)
    )
    assert offenders == []
