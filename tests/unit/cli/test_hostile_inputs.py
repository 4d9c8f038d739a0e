"""Issue 10, acceptance 1: every attack of the issue, and more hostile inputs, through the real
CLI (`python -m changegate` in a subprocess) on real files in a real git repository.

Each case asserts the exit code and the message; that nothing outside the repository was read
or echoed (a sentinel file sits next to the repository, and /etc/passwd is a target: neither
content may appear in any output); that the output is valid UTF-8 with no escape character;
and no traceback. "Finished within a bound": every unbounded input is met by a limit the tool
enforces, so the expected message IS the limit error (the subprocess timeout is only a net).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import GIT_ENV, GitRepo

SENTINEL = "SENTINEL-outside-the-repository-7f3a91"

CONFIG = "version: 1\nmap: .changegate/map.yaml\npolicies: [.changegate/policies]\n"
MAP = """\
version: 1
teams:
  core: {members: [alice]}
value_streams:
  shop: {owners: [core], criticality: medium}
components:
  app: {owners: [core], paths: ["services/app/**"], value_streams: [shop]}
  sdk: {owners: [core], paths: ["vendor/sdk/**"]}
  gate: {owners: [core], paths: [".changegate/config.yaml", ".changegate/map.yaml", ".changegate/policies/**"]}
"""
POLICY = """\
version: 1
layer: org
policies:
  - id: need-manifest
    match: {touched_components: true}
    require: {manifest: true}
"""
MANIFEST = "version: 1\ntitle: {title}\ntype: normal\nowner: core\ncomponents: [app]\n"


@dataclass
class Ctx:
    """The repository under attack, a work directory beside it (command-line evidence) and
    the outside directory holding the sentinel."""

    repo: GitRepo
    work: Path
    outside: Path
    env: dict[str, str] = field(default_factory=dict)
    stdin: bytes = b""

    @property
    def root(self) -> Path:
        return self.repo.root

    def write(self, rel: str, text: str | bytes) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    def config(self, extra: str = "", base: str = CONFIG) -> None:
        self.write(".changegate/config.yaml", base + extra)

    def changed(self, *paths: str | bytes) -> list[str]:
        """`check --changed-files` args for a list holding `paths` (one a line)."""
        listing = self.work / "changed.txt"
        listing.write_bytes(b"".join((p.encode() if isinstance(p, str) else p) + b"\n" for p in paths))
        return ["check", "--no-github", "--changed-files", str(listing)]

    def sparse(self, rel: str | Path, size: int) -> Path:
        """A file of `size` bytes that costs no disk (the bound is checked before reading)."""
        path = rel if isinstance(rel, Path) else self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as handle:
            handle.truncate(size)
        return path

    def commit_change(self) -> list[str]:
        """Commit what was written on a branch; `check` args for main...HEAD."""
        self.repo.git("checkout", "-q", "-b", "change")
        self.repo.commit("the change")
        return ["check", "--no-github", "--base", "main", "--head", "HEAD"]


@dataclass(frozen=True)
class Attack:
    id: str
    setup: Callable[[Ctx], list[str]]
    exit: int
    message: str  # expected in stderr (exit 2) or in stdout/stderr (a decision)
    absent: tuple[str, ...] = ()  # must appear in no output


def _laughs(levels: int = 9) -> str:
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]")
    return "\n".join(lines) + "\n"


def _manifest(ctx: Ctx, title: str, extra: str = "") -> str:
    ctx.write(".changegate/changes/change.yaml", MANIFEST.format(title=json.dumps(title)) + extra)
    return ".changegate/changes/change.yaml"


def _junit(ctx: Ctx, name: str, text: str | bytes) -> list[str]:
    ctx.config('evidence: {junit: ["reports/**/*.xml"]}\n')
    ctx.write(f"reports/{name}", text)
    return ctx.changed("services/app/main.py")


def _submodule(ctx: Ctx, pattern: str, ignore_all: bool = False) -> list[str]:
    """A real submodule at vendor/sdk, bumped by the change (the single path `vendor/sdk`)."""
    source = GitRepo(_mkdir(ctx.work / "sdk-source"))
    source.write("lib.c", "int x;\n")
    source.commit("sdk v1")
    ctx.write(".changegate/map.yaml", MAP.replace('"vendor/sdk/**"', json.dumps(pattern)))
    ctx.repo.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", str(source.root), "vendor/sdk")
    if ignore_all:  # the change's own .gitmodules tries to hide the bump from `git diff`
        ctx.repo.git("config", "-f", ".gitmodules", "submodule.vendor/sdk.ignore", "all")
    ctx.repo.commit("sdk submodule")
    ctx.repo.git("checkout", "-q", "-b", "change")
    subprocess.run(["git", "commit", "-q", "--allow-empty", "-m", "sdk v2"], cwd=ctx.root / "vendor" / "sdk",
                   env={**os.environ, **GIT_ENV}, check=True, capture_output=True)
    ctx.repo.commit("bump the sdk")
    return ["check", "--no-github", "--base", "main", "--head", "HEAD", "--format", "json"]


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def _wildmatch(ctx: Ctx, pattern: str, path: str) -> list[str]:
    ctx.write(".changegate/map.yaml", MAP + f"  wm: {{owners: [core], paths: [{json.dumps(pattern)}]}}\n")
    return ["owners", "--format", "json", path]


def _fifo(ctx: Ctx) -> list[str]:
    os.mkfifo(ctx.root / ".changegate" / "fifo.yaml")
    ctx.config(base="version: 1\nmap: .changegate/fifo.yaml\npolicies: [.changegate/policies]\n")
    return ctx.changed("services/app/main.py")


def _symlink(ctx: Ctx, rel: str, target: Path) -> None:
    link = ctx.root / rel
    link.parent.mkdir(parents=True, exist_ok=True)
    if link.exists() or link.is_symlink():
        link.unlink()
    link.symlink_to(target)


def _strict(ctx: Ctx, path: str) -> list[str]:
    """`check --changed-files` of `path`, with unmapped files as errors (as `init` writes)."""
    ctx.config("unmapped_files: error\n")
    return ctx.changed(path)


def _named(ctx: Ctx, raw: bytes) -> list[str]:
    """A committed file whose name is the bytes `raw` (git -z hands it over as it is); unmapped
    files are errors, so the decision names it."""
    ctx.config("unmapped_files: error\n")
    ctx.repo.commit("unmapped files are errors")
    (ctx.root / os.fsdecode(raw)).write_bytes(b"x\n")
    return ctx.commit_change()


def _env(ctx: Ctx, args: list[str], **env: str) -> list[str]:
    ctx.env.update(env)
    return args


def _stdin(ctx: Ctx, data: bytes) -> list[str]:
    ctx.stdin = data
    return ["check", "--no-github", "--changed-files", "-"]


def _cel(ctx: Ctx, when: str, files: int = 1) -> list[str]:
    ctx.write(".changegate/policies/cel.yaml", "version: 1\nlayer: org\npolicies:\n  - id: cel\n"
              f"    match: {{when: {json.dumps(when)}}}\n    deny: blocked\n")
    return ctx.changed(*(f"services/app/f{i}.py" for i in range(files)))


OUT = "leads out of the repository"
BIG = "1" * 5000
ATTACKS = [
    # --- Non-canonical paths pass as unmapped (--changed-files) ------------------------------
    Attack("path-dot-slash", lambda c: c.changed("./services/app/main.py"), 2, ":1: a '.' segment ('./')"),
    Attack("path-double-slash", lambda c: c.changed("ok.txt", "services//app/main.py"), 2,
           ":2: an empty path segment ('//')"),
    Attack("path-dot-dot", lambda c: c.changed("services/app/../../etc/passwd"), 2, ":1: a '..' segment"),
    Attack("path-absolute", lambda c: c.changed("/etc/passwd"), 2, ":1: an absolute path", ("root:x:0:0",)),
    Attack("path-nul-byte", lambda c: c.changed(b"services/app/\x00main.py"), 2, ":1: a NUL byte"),
    Attack("path-not-utf8", lambda c: c.changed(b"services/app/\xff.py"), 2, ":1: not UTF-8 text"),
    Attack("path-stdin-traversal", lambda c: _stdin(c, b"a/b\n../x\n"), 2, "<stdin>:2: a '..' segment"),
    Attack("changed-files-over-limit", lambda c: (c.config("limits: {changed_files: 3}\n"),
                                                   c.changed("a", "b", "c", "d"))[1], 2,
           ":4: more than 3 changed files (limits.changed_files"),
    Attack("limit-out-of-sane-bounds", lambda c: (c.config("limits: {changed_files: 0}\n"),
                                                   c.changed("a"))[1], 2, "limits.changed_files"),
    Attack("case-variant-directory", lambda c: _strict(c, "Services/app/main.py"), 1,
           "unmapped-files"),
    Attack("look-alike-directory", lambda c: _strict(c, "\u0455ervices/app/main.py"), 1,
           "unmapped-files"),
    Attack("new-top-level-directory", lambda c: _strict(c, "newdir/backdoor.py"), 1,
           "unmapped-files"),
    # --- A submodule bump passes ungated --------------------------------------------------------
    Attack("gitlink-claimed-by-dir-glob", lambda c: _submodule(c, "vendor/sdk/**"), 1, '"touched_components": ["sdk"]'),
    Attack("gitlink-claimed-by-dir-only", lambda c: _submodule(c, "vendor/sdk/"), 1, '"touched_components": ["sdk"]'),
    Attack("gitlink-hidden-by-gitmodules", lambda c: _submodule(c, "vendor/sdk/**", ignore_all=True), 1,
           '"touched_components": ["sdk"]'),
    Attack("directory-entry-in-list", lambda c: c.changed("vendor/sdk/") + ["--format", "json"], 1,
           '"touched_components": ["sdk"]'),
    # --- Path patterns that do not mean what git means (git check-ignore: tests/unit/core/test_paths_git.py)
    Attack("wildmatch-negated-class-no-slash", lambda c: _wildmatch(c, "ab[!a-z]file", "ab/file"), 0,
           '"components": []'),
    Attack("wildmatch-posix-class", lambda c: _wildmatch(c, "[[:upper:]]*.md", "README.md"), 0,
           '"components": ["wm"]'),
    Attack("wildmatch-backslash-in-brackets", lambda c: _wildmatch(c, "br/[\\]]x", "br/]x"), 0,
           '"components": ["wm"]'),
    Attack("wildmatch-dir-glob-not-direct-files", lambda c: _wildmatch(c, "docs/**/", "docs/a.md"), 0,
           '"components": []'),
    Attack("wildmatch-unclosed-bracket", lambda c: _wildmatch(c, "src/[abc", "src/a"), 2,
           "a '[' is not closed by ']'"),
    # --- Unbounded work ---------------------------------------------------------------------
    Attack("glob-symlink-loops", lambda c: (_symlink(c, "reports/a", Path(".")), _symlink(c, "reports/b", Path(".")),
                                             _junit(c, "x.xml", "<testsuite name='s' tests='1'/>"))[2], 1,
           "no change manifest"),  # the loop is walked once: symlinked directories are not entered
    Attack("junit-deep-nesting", lambda c: _junit(c, "deep.xml", "<testsuites>" + "<testsuite>" * 40_000), 2,
           "elements nested deeper than 256 levels"),
    Attack("junit-huge-file", lambda c: (c.sparse("reports/huge.xml", 50 * 1024 * 1024 + 1),
                                          _junit(c, "ok.xml", "<testsuite name='s' tests='1'/>"))[1], 2,
           "larger than 50 MiB, the bound for one JUnit file"),
    Attack("junit-xxe", lambda c: _junit(c, "xxe.xml", f'<?xml version="1.0"?><!DOCTYPE t [<!ENTITY e SYSTEM '
                                                       f'"file://{c.outside}/secret.yaml">]><testsuite name="&e;"/>'),
           2, "DTDs are not allowed"),
    Attack("junit-billion-laughs", lambda c: _junit(c, "lol.xml", '<!DOCTYPE l [<!ENTITY a "lol"><!ENTITY b '
                                                    '"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><testsuite name="&b;"/>'),
           2, "DTDs are not allowed"),
    Attack("junit-giant-integer", lambda c: _junit(c, "int.xml", f"<testsuite name='s' tests='{BIG}'/>"), 2,
           "is not a whole number"),
    Attack("yaml-billion-laughs", lambda c: (c.write(".changegate/map.yaml", MAP + _laughs()),
                                              c.changed("services/app/main.py"))[1], 2, "alias expansion exceeds"),
    Attack("yaml-deep-nesting", lambda c: c.changed(_manifest(c, "x", "tickets: " + "[" * 500 + "]" * 500 + "\n")),
           2, "nesting deeper than 64 levels"),
    Attack("json-deep-nesting-approvals", lambda c: (
        (c.work / "approvals.json").write_text("[" * 100_000 + "]" * 100_000),
        [*c.changed("services/app/main.py"), "--approvals", str(c.work / "approvals.json")])[1], 2,
        "nested too deeply"),
    Attack("huge-map-file", lambda c: (c.sparse(".changegate/map.yaml", 64 * 1024 * 1024 + 1),
                                        c.changed("services/app/main.py"))[1], 2, "larger than the 64 MiB limit"),
    Attack("changed-files-from-dev-zero", lambda c: ["check", "--no-github", "--changed-files", "/dev/zero"], 2,
           "larger than 64 MiB, the bound for the changed-files list"),
    Attack("approvals-from-dev-zero", lambda c: [*c.changed("services/app/main.py"), "--approvals", "/dev/zero"],
           2, "larger than 16 MiB, the bound for the approvals file"),
    Attack("map-is-a-fifo", _fifo, 2, "is not a regular file"),
    Attack("cel-macro-nesting", lambda c: _cel(c, "files.all(a, files.all(b, files.all(d, a + b + d != '')))"), 2,
           "macros (all, exists, exists_one, map, filter) nest"),
    Attack("cel-evaluation-cost", lambda c: _cel(c, "files.all(a, files.all(b, a + b != ''))", files=3000), 2,
           "evaluation could take"),
    Attack("cel-too-long", lambda c: _cel(c, "true && " * 400 + "true"), 2, "characters long; the bound"),
    Attack("cyclic-map-terminates", lambda c: (c.write(".changegate/map.yaml", MAP.replace(
        'value_streams: [shop]}', 'value_streams: [shop], depends_on: [sdk]}').replace(
        'paths: ["vendor/sdk/**"]}', 'paths: ["vendor/sdk/**"], depends_on: [app]}')),
        c.changed("services/app/main.py"))[1], 1, "manifest"),
    # --- Reads outside the repository ---------------------------------------------------------
    Attack("map-dev-zero", lambda c: (c.config(base="version: 1\nmap: /dev/zero\n"), c.changed("a"))[1], 2,
           f"map: '/dev/zero' {OUT}"),
    Attack("map-etc-passwd", lambda c: (c.config(base="version: 1\nmap: /etc/passwd\n"), c.changed("a"))[1], 2,
           f"map: '/etc/passwd' {OUT}", ("root:x:0:0", "daemon")),
    Attack("map-directory-outside", lambda c: (c.config(base="version: 1\nmap: ../outside\n"), c.changed("a"))[1],
           2, f"map: '../outside' {OUT}"),
    Attack("map-symlink-to-outside-dir", lambda c: (_symlink(c, ".changegate/m", c.outside), c.config(
        base="version: 1\nmap: .changegate/m\n"), c.changed("a"))[2], 2, f"map: '.changegate/m' {OUT}"),
    Attack("map-symlink-to-outside-file", lambda c: (_symlink(c, ".changegate/map.yaml", c.outside / "secret.yaml"),
                                                      c.changed("a"))[1], 2, OUT),
    Attack("map-symlink-to-etc-passwd", lambda c: (_symlink(c, ".changegate/map.yaml", Path("/etc/passwd")),
                                                    c.changed("a"))[1], 2, OUT, ("root:x:0:0",)),
    Attack("policy-symlink-out", lambda c: (_symlink(c, ".changegate/policies/evil.yaml", c.outside / "secret.yaml"),
                                             c.changed("a"))[1], 2, "is a symlink that leads out of the repository"),
    Attack("config-symlink-out", lambda c: (_symlink(c, ".changegate/config.yaml", c.outside / "secret.yaml"),
                                             c.changed("a"))[1], 2, "is a symlink that leads out of the repository"),
    Attack("config-junit-absolute-glob", lambda c: (c.config(f'evidence: {{junit: ["{c.outside}/*.xml"]}}\n'),
                                                     c.changed("a"))[1], 2, f"evidence.junit.0: '{{}}/*.xml' {OUT}"),
    Attack("junit-glob-through-symlink-out", lambda c: (_symlink(c, "reports/x.xml", c.outside / "secret.xml"),
                                                         _junit(c, "ok.xml", "<testsuite name='s' tests='1'/>"))[1],
           2, "is a symlink that leads out of the repository"),
    Attack("manifest-symlink-out", lambda c: (_symlink(c, ".changegate/changes/change.yaml", c.outside / "secret.yaml"),
                                               c.changed(".changegate/changes/change.yaml"))[1], 2,
           "is a symlink that leads out of the repository"),
    # --- Crashes (exit 3) on reachable input ------------------------------------------------------
    Attack("giant-integer-config", lambda c: (c.config(f"impact: {{max_depth: {BIG}}}\n"), c.changed("a"))[1], 2,
           "config.yaml:4: an integer of 5000 characters; at most 100 are accepted"),
    Attack("giant-integer-manifest", lambda c: c.changed(_manifest(c, "x", f"risk: {BIG}\n")), 2,
           "change.yaml:6: an integer of 5000 characters"),
    Attack("giant-integer-approvals", lambda c: (
        (c.work / "approvals.json").write_text('{"author": "x", "reviews": [], "head_sha": ' + BIG + "}"),
        [*c.changed("services/app/main.py"), "--approvals", str(c.work / "approvals.json")])[1], 2,
        "approvals.json:1: an integer of 5000 characters"),
    Attack("giant-integer-json-map", lambda c: (c.config(base="version: 1\nmap: .changegate/map.json\n"
                                                         "policies: [.changegate/policies]\n"),
                                                 c.write(".changegate/map.json", '{"version": ' + BIG + "}"),
                                                 c.changed("a"))[2], 2, "map.json:1: an integer of 5000 characters"),
    Attack("non-utf8-file-name-from-git", lambda c: [*_named(c, b"n\xff\xfe.txt"), "--format", "json"], 1,
           '"unmapped_files": ["n\\\\xff\\\\xfe.txt"]'),
    Attack("non-utf8-file-name-markdown", lambda c: [*_named(c, b"caf\xe9.md"), "--format", "markdown"], 1,
           "caf\\\\xe9.md"),
    Attack("ansi-in-file-name-from-git", lambda c: _named(c, b"\x1b[2J\x1b]0;owned\x07evil.txt"), 1,
           "evil.txt"),
    Attack("newline-in-file-name-from-git", lambda c: [*_named(c, b"a\n::error::forged.txt"), "--format", "json"], 1,
           "a\\n::error::forged.txt"),
    # --- A gate that silently gates nothing ----------------------------------------------------
    Attack("policy-directory-without-policies", lambda c: (c.write(".changegate/policies/README.md", "x"),
                                                           (c.root / ".changegate/policies/org.yaml").unlink(),
                                                           c.changed("a"))[2], 2,
           "policy directory '.changegate/policies' holds no policy files"),
    Attack("policy-path-missing", lambda c: (c.config(base="version: 1\nmap: .changegate/map.yaml\n"
                                                      "policies: [.changegate/polices]\n"), c.changed("a"))[1], 2,
           "policy file or directory '.changegate/polices' does not exist"),
    Attack("no-policy-source", lambda c: (c.config(base="version: 1\npolicies: []\n"), c.changed("a"))[1], 2,
           "the gate has no policy"),
    Attack("policy-file-without-policies", lambda c: (c.write(".changegate/policies/org.yaml",
                                                              "version: 1\nlayer: org\npolicies: []\n"),
                                                      c.changed("a"))[1], 2, "the gate has no policy"),
    Attack("map-without-components", lambda c: (c.write(".changegate/map.yaml", "version: 1\nteams: {}\n"),
                                                c.changed("a"))[1], 2, "the map has no components"),
    Attack("empty-gate-allowed-explicitly", lambda c: (c.config(base="version: 1\npolicies: []\n"
                                                                "allow_empty_gate: true\n"),
                                                       c.changed("services/app/main.py"))[1], 0, "changegate: PASS"),
    # --- Inert text: control characters, ANSI, markdown/HTML/mention/workflow-command injection --
    Attack("ansi-and-controls-in-title", lambda c: c.changed(
        _manifest(c, "\x1b[2J\x1b]8;;http://evil\x07Upgrade\r\x08\x7f\u202eFAKE pass"), "services/app/main.py"),
        0, "Upgrade"),
    Attack("markdown-html-mention-injection", lambda c: [*c.changed(
        _manifest(c, "<img src=x onerror=alert(1)> [click](http://evil.example) ![p](http://e/x.png) @everyone "
                     "#1 <!-- www.evil.example"), "services/app/main.py"), "--format", "markdown"],
        0, "\\[click\\]\\(http:\u200b//evil.example\\)",
        ("<img", "](http", "@everyone", "<!-- www", "#1")),
    Attack("workflow-command-injection", lambda c: _env(c, c.changed(
        _manifest(c, "x\n::set-output name=decision::pass\n::error::forged"), "services/app/main.py"),
        GITHUB_ACTIONS="true"), 0, "x ::set-output", ("\n::set-output", "\n::error::forged")),
    Attack("workflow-command-in-error", lambda c: _env(c, (c.config(base='version: 1\nmap: "x\\n::error::forged"\n'),
                                                           c.changed("a"))[1], GITHUB_ACTIONS="true"),
           2, "does not exist", ("\n::error::forged",)),
    Attack("unknown-yaml-tag", lambda c: c.changed(_manifest(c, "x", "tickets: !!python/object:os.system [x]\n")),
           2, "unsupported tag"),
    Attack("duplicate-keys", lambda c: c.changed(_manifest(c, "x", "title: y\n")), 2, "duplicate key"),
]


@pytest.fixture
def ctx(tmp_path: Path) -> Ctx:
    outside = _mkdir(tmp_path / "outside")
    (outside / "secret.yaml").write_text(f"version: 1\n{SENTINEL}: [{SENTINEL}]\n", encoding="utf-8")
    (outside / "secret.xml").write_text(f"<testsuite name='{SENTINEL}' tests='1'/>", encoding="utf-8")
    repo = GitRepo(_mkdir(tmp_path / "repo"))
    ctx = Ctx(repo, _mkdir(tmp_path / "work"), outside)
    ctx.config()
    ctx.write(".changegate/map.yaml", MAP)
    ctx.write(".changegate/policies/org.yaml", POLICY)
    ctx.write("services/app/main.py", "print('hi')\n")
    repo.commit("base")
    return ctx


def _run(ctx: Ctx, args: list[str], cache: Path) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "RUNNER_", "CHANGEGATE_"))}
    env.update(GIT_ENV, CHANGEGATE_CACHE_DIR=str(cache), **ctx.env)
    return subprocess.run([sys.executable, "-m", "changegate", *args], cwd=ctx.root, env=env, input=ctx.stdin,
                          capture_output=True, timeout=300, check=False)


def test_the_list_is_long_enough() -> None:
    assert len(ATTACKS) >= 40
    assert len({a.id for a in ATTACKS}) == len(ATTACKS)


@pytest.mark.parametrize("attack", ATTACKS, ids=[a.id for a in ATTACKS])
def test_hostile_input(attack: Attack, ctx: Ctx, tmp_path: Path) -> None:
    args = attack.setup(ctx)
    proc = _run(ctx, args, tmp_path / "cache")
    stdout, stderr = proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")  # strict: valid UTF-8
    shown = f"exit {proc.returncode}\nstdout:\n{stdout[:3000]}\nstderr:\n{stderr[:3000]}"
    assert proc.returncode == attack.exit, shown
    message = attack.message.replace("{}", str(ctx.outside))
    assert message in (stderr if attack.exit == 2 else stdout + stderr), shown
    both = stdout + stderr
    for text in ("Traceback", "internal error", SENTINEL, "\x1b", "\x07", *attack.absent):
        assert text not in both, f"{text!r} in output\n{shown}"
