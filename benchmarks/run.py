"""The benchmark runner: each case as a subprocess of the installed console script,
several repeats, median wall time and peak RSS, against a baseline measured in the same run.

Peak RSS is the child's own ru_maxrss, reported by a small parent process (see `run_once`).
The path-matching case runs in process: PathIndex against the `codeowners` package.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from benchmarks.board_case import CHANGES as BOARD_CHANGES
from benchmarks.board_case import TODAY as BOARD_TODAY
from benchmarks.board_case import ensure_board_case
from benchmarks.codeowners_case import FILES as CODEOWNERS_FILES
from benchmarks.codeowners_case import ensure_codeowners_case
from benchmarks.generate import ensure_case

REPO = Path(__file__).resolve().parent.parent
RETAIL = REPO / "examples" / "retail"
PATHS_SPEEDUP_TARGET = 100.0


@dataclass
class Case:
    """One benchmark case: a command run in `cwd`, or an in-process function (`run_inline`)."""

    name: str
    description: str
    argv: list[str] = field(default_factory=list)
    cwd: Path | None = None
    expect_exit: tuple[int, ...] = (0,)
    target_ms: float | None = None
    target_rss_mb: float | None = None
    prepare: Callable[[], Path] | None = None  # generates data; returns the cwd
    run_inline: Callable[[], dict[str, Any]] | None = None
    target_speedup: float | None = None  # in-process path matching: x faster than codeowners
    env: dict[str, str] = field(default_factory=dict)  # extra environment for the command


@dataclass
class Result:
    name: str
    description: str
    command: str = ""
    wall_ms: float | None = None  # median
    wall_ms_runs: list[float] = field(default_factory=list)
    cpu_ms: float | None = None  # median of the child's user + system time
    cpu_ms_runs: list[float] = field(default_factory=list)
    peak_rss_mb: float | None = None  # max over runs
    ratio: float | None = None  # wall / baseline wall
    target: str = ""
    met: bool | None = None
    exit_codes: list[int] = field(default_factory=list)
    error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def changegate_command() -> list[str]:
    """The installed console script beside this interpreter, else `python -m changegate`."""
    script = Path(sys.executable).parent / "changegate"
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    found = shutil.which("changegate")
    return [found] if found else [sys.executable, "-m", "changegate"]


_TIME = Path("/usr/bin/time")
# Used when /usr/bin/time is missing: a small interpreter that spawns the command and
# reports the rusage of exactly that child (see `run_once`).
_WRAPPER = (
    "import os, subprocess, sys\n"
    "p = subprocess.Popen(sys.argv[2:])\n"
    "_, status, usage = os.wait4(p.pid, 0)\n"
    "p.returncode = os.waitstatus_to_exitcode(status)\n"
    "open(sys.argv[1], 'w').write(f'{usage.ru_maxrss} {usage.ru_utime} {usage.ru_stime}')\n"
    "sys.exit(p.returncode)\n"
)


def run_once(argv: Sequence[str], cwd: Path | None,
             env: dict[str, str] | None = None) -> tuple[float, float, int, str, float]:
    """Run `argv` once; return (wall ms, peak RSS MB, exit code, stderr tail, CPU ms).

    CPU time (user + system) of the child is what to compare on a busy machine: waiting for a
    core counts in wall time, not in CPU time.

    The peak RSS is measured by a small parent (/usr/bin/time, else a tiny Python wrapper)
    rather than by this process: Linux counts the pre-exec image of a forked child in its
    ru_maxrss, so a child forked from this (large) runner would report the runner's size."""
    with tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile("r") as rss:
        if _TIME.is_file():
            cmd = [str(_TIME), "-f", "%M %U %S", "-o", rss.name, *argv]
        else:
            cmd = [sys.executable, "-I", "-S", "-c", _WRAPPER, rss.name, *argv]
        started = time.perf_counter()
        proc = subprocess.run(cmd, cwd=cwd, stdin=subprocess.DEVNULL, env={**os.environ, **(env or {})},
                              stdout=subprocess.DEVNULL, stderr=err, check=False)
        wall = (time.perf_counter() - started) * 1000
        err.seek(0)
        tail = err.read()[-2000:].decode("utf-8", "replace")
        lines = [line for line in rss.read().splitlines() if line.strip()]
    # /usr/bin/time writes "Command exited with non-zero status N" before the numbers.
    fields = lines[-1].split() if lines else []
    if len(fields) != 3 or not fields[0].isdigit():
        fields = ["0", "0", "0"]
    peak_kb, user_s, system_s = (float(f) for f in fields)
    return wall, peak_kb / 1024, proc.returncode, tail, (user_s + system_s) * 1000


def measure(case: Case, repeat: int, warmup: bool) -> Result:
    """Run a subprocess case `repeat` times (after one unmeasured warm-up run)."""
    result = Result(case.name, case.description)
    try:
        cwd = case.prepare() if case.prepare else case.cwd
    except Exception as exc:  # a missing example or a generator problem: report, go on
        result.error = f"prepare failed: {exc}"
        return result
    result.command = " ".join(case.argv) + (f"   (in {cwd})" if cwd else "")
    runs = repeat
    walls: list[float] = []
    rss: list[float] = []
    if warmup:
        wall, peak, code, tail, cpu = run_once(case.argv, cwd, case.env)
        if code not in case.expect_exit:
            result.error = f"exit {code}, expected {case.expect_exit}: {tail.strip()[-600:]}"
            result.exit_codes.append(code)
            return result
        if wall > 10_000:  # a slow case: the warm-up counts, and fewer repeats follow
            result.exit_codes.append(code)
            walls.append(wall)
            rss.append(peak)
            result.cpu_ms_runs.append(round(cpu, 1))
            runs = min(runs, 3) - 1
    for _ in range(runs):
        wall, peak, code, tail, cpu = run_once(case.argv, cwd, case.env)
        result.exit_codes.append(code)
        if code not in case.expect_exit:
            result.error = f"exit {code}, expected {case.expect_exit}: {tail.strip()[-600:]}"
            return result
        walls.append(wall)
        rss.append(peak)
        result.cpu_ms_runs.append(round(cpu, 1))
    result.wall_ms_runs = [round(w, 1) for w in walls]
    result.wall_ms = statistics.median(walls)
    result.cpu_ms = statistics.median(result.cpu_ms_runs)
    result.peak_rss_mb = max(rss)
    return result


def measure_in_rounds(cases: Sequence[Case], repeat: int) -> list[Result]:
    """Subprocess cases measured in rounds, one run of each a round (after one warm-up run
    each), so the slow spells of a busy machine fall on every case alike (`--variants`)."""
    results: list[Result] = []
    cwds: list[Path | None] = []
    for case in cases:
        result = Result(case.name, case.description, command=" ".join(case.argv))
        cwd = None
        try:
            cwd = case.prepare() if case.prepare else case.cwd
        except Exception as exc:  # reported in the table, the other cases go on
            result.error = f"prepare failed: {exc}"
        cwds.append(cwd)
        results.append(result)
    for round_ in range(repeat + 1):  # round 0 is the warm-up
        for case, cwd, result in zip(cases, cwds, results, strict=True):
            if result.error:
                continue
            wall, peak, code, tail, cpu = run_once(case.argv, cwd, case.env)
            if code not in case.expect_exit:
                result.error = f"exit {code}, expected {case.expect_exit}: {tail.strip()[-600:]}"
            elif round_:
                result.exit_codes.append(code)
                result.wall_ms_runs.append(round(wall, 1))
                result.cpu_ms_runs.append(round(cpu, 1))
                result.peak_rss_mb = max(result.peak_rss_mb or 0.0, peak)
    for result in results:
        if result.wall_ms_runs and not result.error:
            result.wall_ms = statistics.median(result.wall_ms_runs)
            result.cpu_ms = statistics.median(result.cpu_ms_runs)
    return results


def variant_table(results: list[Result]) -> str:
    """Each variant (`case@variant`) against its case run as-is: the ratios of the medians of
    wall and CPU time, and of the fastest runs."""
    by_name = {r.name: r for r in results}
    rows = ["| variant | wall median | CPU median | wall ratio | CPU ratio | fastest wall ratio |",
            "|---|---|---|---|---|---|"]
    for r in results:
        case, _, variant = r.name.partition("@")
        base = by_name.get(f"{case}@as-is") or by_name.get(case)
        if not variant or base is None or base is r or None in (r.wall_ms, r.cpu_ms, base.wall_ms, base.cpu_ms):
            continue
        assert r.wall_ms and r.cpu_ms and base.wall_ms and base.cpu_ms
        rows.append(f"| {r.name} | {r.wall_ms:.0f} ms | {r.cpu_ms:.0f} ms | {r.wall_ms / base.wall_ms:.2f} | "
                    f"{r.cpu_ms / base.cpu_ms:.2f} | {min(r.wall_ms_runs) / min(base.wall_ms_runs):.2f} |")
    return "\n".join(rows)


def judge(result: Result, case: Case, baseline_ms: float | None) -> None:
    """Fill in ratio, target and met."""
    if result.wall_ms is not None and baseline_ms:
        result.ratio = result.wall_ms / baseline_ms
    parts = []
    met = True
    if case.target_ms is not None:
        parts.append(f"<= {case.target_ms:g} ms")
        met = met and result.wall_ms is not None and result.wall_ms <= case.target_ms
    if case.target_rss_mb is not None:
        parts.append(f"<= {case.target_rss_mb:g} MB")
        met = met and result.peak_rss_mb is not None and result.peak_rss_mb <= case.target_rss_mb
    if parts:
        result.target = ", ".join(parts)
        result.met = met if result.error is None else False


# --------------------------------------------------------------------------- path matching


def workload(depmap: dict[str, Any], changed: Sequence[str]) -> tuple[dict[str, list[str]], list[str]]:
    """Positive patterns by component id (2 a component) and the changed files without the
    manifest; negations are left out because CODEOWNERS has none."""
    patterns = {cid: [p for p in comp["paths"] if not p.startswith("!")]
                for cid, comp in depmap["components"].items()}
    return patterns, [f for f in changed if f and not f.startswith(".changegate/")]


def path_workload(components: int, files: int) -> tuple[dict[str, list[str]], list[str]]:
    """`workload` for the generated case of `components`, with up to `files` changed files."""
    root = ensure_case(components)
    depmap = json.loads((root / ".changegate" / "map.json").read_text())
    size = 5000 if files > 1000 else 1000 if files > 10 else 10
    patterns, changed = workload(depmap, (root / "pr" / f"changed-{size}.txt").read_text().splitlines())
    return patterns, changed[:files]


def codeowners_text(patterns: dict[str, list[str]]) -> str:
    """A CODEOWNERS file with one line per pattern, owned by `@bench/<component id>`."""
    return "".join(f"{p} @bench/{cid}\n" for cid, ps in patterns.items() for p in ps)


def match_with_codeowners(patterns: dict[str, list[str]], files: list[str]) -> dict[str, tuple[str, ...]]:
    """Owners of each file by the `codeowners` package (the last matching line wins)."""
    from codeowners import CodeOwners

    owners = CodeOwners(codeowners_text(patterns))
    out: dict[str, tuple[str, ...]] = {}
    for f in files:
        found = tuple(sorted(name.split("/", 1)[1] for _, name in owners.of(f)))
        if found:
            out[f] = found
    return out


def match_with_pathindex(patterns: dict[str, list[str]], files: list[str]) -> dict[str, tuple[str, ...]]:
    """Owners of each file by changegate's PathIndex (files no pattern claims are left out),
    the index built as a run builds it: with the cyclic collector paused (load.cache)."""
    from changegate.core.paths import PathIndex

    gc.disable()
    try:
        index = PathIndex(patterns)
    finally:
        gc.enable()
    matched = {f: index.match(f) for f in files}
    return {f: tuple(sorted(ids)) for f, ids in matched.items() if ids}


def path_matching_case(components: int, files: int, repeat: int) -> dict[str, Any]:
    """Time PathIndex and `codeowners` on the same data; check they agree."""
    patterns, changed = path_workload(components, files)
    n_patterns = sum(len(p) for p in patterns.values())
    index_times = []
    ours: dict[str, tuple[str, ...]] = {}
    for _ in range(max(1, repeat)):
        started = time.perf_counter()
        ours = match_with_pathindex(patterns, changed)
        index_times.append((time.perf_counter() - started) * 1000)
    # The first run is the one a CLI invocation pays (patterns compile lazily, once per
    # process); later runs in this process reuse compiled patterns and are reported apart.
    out: dict[str, Any] = {"patterns": n_patterns, "files": len(changed),
                           "pathindex_ms": index_times[0],
                           "pathindex_warm_ms": statistics.median(index_times[1:] or index_times)}
    try:
        import codeowners  # noqa: F401
    except ImportError:
        out["codeowners_ms"] = None
        out["note"] = "codeowners not installed: pip install -r benchmarks/requirements.txt"
        return out
    started = time.perf_counter()  # once: it takes seconds, and it is the reference
    theirs = match_with_codeowners(patterns, changed)
    out["codeowners_ms"] = (time.perf_counter() - started) * 1000
    out["speedup"] = out["codeowners_ms"] / out["pathindex_ms"]
    out["identical"] = ours == theirs
    if not out["identical"]:
        diff = sorted(f for f in set(ours) | set(theirs) if ours.get(f) != theirs.get(f))
        out["differences"] = [{"file": f, "pathindex": ours.get(f), "codeowners": theirs.get(f)}
                              for f in diff[:10]]
    return out


def measure_paths(case: Case) -> Result:
    result = Result(case.name, case.description, command="in-process: changegate.core.paths.PathIndex"
                    " vs codeowners.CodeOwners")
    try:
        assert case.run_inline is not None
        data = case.run_inline()
    except Exception as exc:
        result.error = f"{type(exc).__name__}: {exc}"
        return result
    result.extra = data
    result.wall_ms = data["pathindex_ms"]
    if data.get("speedup") is not None:
        result.ratio = data["speedup"]
        if case.target_speedup:
            result.met = data["speedup"] >= case.target_speedup and data["identical"]
    if case.target_speedup:
        result.target = f">= {case.target_speedup:g}x codeowners"
    if data.get("identical") is False:
        result.error = f"PathIndex and codeowners disagree: {data['differences'][:3]}"
    return result


# --------------------------------------------------------------------------- cases


# `--lift-limits`: run the CLI with the gate files' document bounds (changegate.load.limits)
# raised, to measure what the limits would otherwise stop. Never what a user runs.
_LIFT = "import changegate.load.limits as y; y.MAX_ALIAS_NODES = y.MAX_BYTES = 1 << 40"

# `--variants`: the cases run again with one thing changed in the CLI's process (Python run
# before `main`), or with another checkout's package first on the path (`tree=PATH`), to
# compare alternatives in one command on a busy machine (see docs/performance.md).
VARIANTS: dict[str, str] = {
    "as-is": "",  # through `python -c` like the others: the fair base for their ratios
    "careful-yaml": "import changegate.load.yaml_fast as f; f.FAST_MIN_CHARS = 1 << 62",
    # fastjsonschema in place of the generated check: a deep copy (it rewrites $refs in the
    # schema it is given) and no defaults (it would write them into the document)
    "fastjsonschema": "\n".join([
        "import copy, functools, fastjsonschema, changegate.load.schema as s",
        "def compiled(name):",
        "    check = fastjsonschema.compile(copy.deepcopy(s.schema_document(name)), use_default=False)",
        "    def ok(doc):",
        "        try:",
        "            check(doc)",
        "        except fastjsonschema.JsonSchemaException:",
        "            return False",
        "        return True",
        "    return ok",
        "s.fast_check = functools.cache(compiled)",
    ]),
}


def cli_command(prelude: str = "") -> list[str]:
    """The CLI as `python -c`, running `prelude` first."""
    return [sys.executable, "-c", f"import sys\n{prelude}\nfrom changegate.cli import main\n"
            "sys.argv[0] = 'changegate'\nmain()"]


def lifted_command() -> list[str]:
    """The CLI with the input-size bounds lifted (see `_LIFT`)."""
    return cli_command(_LIFT)


def variant_of(case: Case, variant: str, cache_dir: Path) -> Case:
    """`case` run as `variant` (a name of VARIANTS, or tree=PATH), with the compiled-map cache
    in `cache_dir`; in-process cases stay as they are."""
    if case.run_inline:
        return case
    argv, env = list(case.argv), {**case.env, "CHANGEGATE_CACHE_DIR": str(cache_dir)}
    if variant.startswith("tree="):
        env["PYTHONPATH"] = str(Path(variant[len("tree="):]).resolve())
    else:
        if variant not in VARIANTS:
            raise SystemExit(f"unknown variant {variant!r}; known: {', '.join(VARIANTS)}, tree=PATH")
        prefix = changegate_command()
        if argv[:len(prefix)] == prefix:
            argv = cli_command(VARIANTS[variant]) + argv[len(prefix):]
        else:  # lifted: [python, -c, code, ...]
            argv[2] = argv[2].replace("\nfrom changegate.cli", f"\n{VARIANTS[variant]}\nfrom changegate.cli")
    return replace(case, name=f"{case.name}@{variant}", argv=argv, env=env,
                   description=f"{case.description} [{variant}]")


def _check_argv(pr: int, config: str | None = None, lift: bool = False) -> list[str]:
    argv = [*(lifted_command() if lift else changegate_command()), "check"]
    if config:
        argv += ["--config", config]
    return argv + ["--changed-files", f"pr/changed-{pr}.txt", "--approvals", "pr/approvals.json",
                   "--format", "json"]


def _generated(name: str, components: int, pr: int, *, target_ms: float | None = None,
               target_rss_mb: float | None = None, config: str | None = None,
               note: str = "", lift: bool = False, cold: bool = False) -> Case:
    note += " (limits lifted)" if lift else ""
    note += ", cold: no compiled-map cache" if cold else ""
    return Case(name=name,
                description=f"check, {components:,} components, {pr:,} changed files{note}",
                argv=_check_argv(pr, config, lift), expect_exit=(0, 1), target_ms=target_ms,
                target_rss_mb=target_rss_mb, prepare=lambda: ensure_case(components),
                env={"CHANGEGATE_NO_CACHE": "1"} if cold else {})


def all_cases(quick: bool, repeat: int, lift: bool = False) -> list[Case]:
    """Every case, in table order. `quick` keeps a tiny smoke set; `lift` runs the
    generated cases with the input-size bounds lifted."""
    cg = changegate_command()
    small = Case("small", "check, the retail example (blocks: exit 1)",
                 argv=[*cg, "check", "--changed-files", "pr/changed-files.txt", "--approvals",
                       "pr/approvals.json"], cwd=RETAIL, expect_exit=(1,), target_ms=400,
                 prepare=lambda: _require_dir(RETAIL))
    cases = [
        Case("help", "changegate --help", argv=[*cg, "--help"], target_ms=150),
        Case("version", "changegate --version", argv=[*cg, "--version"], target_ms=150),
        small,
    ]
    if quick:
        return cases + [
            _generated("1k-10", 1000, 10, lift=lift),
            Case("paths-1k", "path matching, 1,000 changed files vs 2,000 patterns",
                 run_inline=lambda: path_matching_case(1000, 1000, 1)),
        ]
    return cases + [
        _generated("20k-10", 20000, 10, lift=lift),
        _generated("20k-1000", 20000, 1000, lift=lift),
        _generated("20k-5000", 20000, 5000, lift=lift, target_ms=1500, target_rss_mb=400),
        _generated("20k-5000-cold", 20000, 5000, lift=lift, cold=True),
        _generated("20k-5000-json", 20000, 5000, lift=lift, config=".changegate/config-json.yaml",
                   note=" (JSON map)"),
        # Scaling in components (with 20k-1000 above); scaling in files is 20k-10/1000/5000.
        _generated("scale-1k-1000", 1000, 1000, lift=lift),
        _generated("scale-100k-1000", 100000, 1000, lift=lift),
        Case("paths", "path matching, 5,000 changed files vs 40,000 patterns",
             run_inline=lambda: path_matching_case(20000, 5000, repeat),
             target_speedup=PATHS_SPEEDUP_TARGET),
        # Adoption (issue 11): importing a 1,000-rule CODEOWNERS, and checking a 1,000-file
        # change against the imported map (ownership_rules), each under 1 s.
        Case("codeowners-import-1000", "map import codeowners, 1,000 rules",
             argv=[*cg, "map", "import", "codeowners", ".github/CODEOWNERS", "--output", "-"],
             target_ms=1000, prepare=ensure_codeowners_case),
        Case("codeowners-check-1000", "check, a CODEOWNERS-imported map (1,000 rules), 1,000 changed files",
             argv=[*cg, "check", "--changed-files", f"pr/changed-{CODEOWNERS_FILES}.txt", "--format", "json"],
             expect_exit=(0, 1), target_ms=1000, prepare=ensure_codeowners_case),
        # The change board (issue 13): 5,000 recorded changes (notes), all in the window, < 5 s.
        Case(f"board-{BOARD_CHANGES}", f"board, {BOARD_CHANGES:,} recorded changes (git notes), all in the window",
             argv=[*cg, "board", "--output", "site", "--today", BOARD_TODAY, "--since", "2020-01-01"],
             target_ms=5000, prepare=ensure_board_case),
    ]


def _require_dir(path: Path) -> Path:
    if not path.is_dir():
        raise FileNotFoundError(f"{path} does not exist")
    return path


def select(cases: list[Case], names: Sequence[str] | None) -> list[Case]:
    """The cases named (comma-separated or repeated); all when none is named."""
    if not names:
        return cases
    wanted = [n for item in names for n in item.split(",") if n]
    by_name = {c.name: c for c in cases}
    unknown = [n for n in wanted if n not in by_name]
    if unknown:
        raise SystemExit(f"unknown case(s): {', '.join(unknown)}; known: {', '.join(by_name)}")
    return [by_name[n] for n in wanted]


# --------------------------------------------------------------------------- output


def _fmt(value: float | None, pattern: str) -> str:
    return "-" if value is None else format(value, pattern)


def table(results: list[Result], baseline: Result) -> str:
    """The results as a Markdown table (also readable in a terminal)."""
    rows = [("case", "wall median", "peak RSS", "ratio", "target", "met?")]
    rows.append((f"baseline: {baseline.description}", f"{_fmt(baseline.wall_ms, '.0f')} ms",
                 f"{_fmt(baseline.peak_rss_mb, '.0f')} MB", "1.0", "", ""))
    for r in results:
        if r.error:
            rows.append((r.name, "error", "", "", r.target, "no"))
            continue
        if "codeowners_ms" in r.extra:
            ratio = "-" if r.ratio is None else f"{r.ratio:.0f}x faster"
            wall = (f"{r.wall_ms:.0f} ms (codeowners "
                    f"{_fmt(r.extra.get('codeowners_ms'), '.0f')} ms)")
            rows.append((r.name, wall, "", ratio, r.target,
                         "-" if r.met is None else "yes" if r.met else "no"))
            continue
        rows.append((r.name, f"{r.wall_ms:.0f} ms", f"{_fmt(r.peak_rss_mb, '.0f')} MB",
                     f"{_fmt(r.ratio, '.1f')}", r.target,
                     "-" if r.met is None else "yes" if r.met else "no"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) + " |"
             for row in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    lines += [f"{r.name}: {r.extra['note']}" for r in results if r.extra.get("note")]
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    return {"python": sys.version.split()[0], "platform": platform.platform(),
            "cpus": os.cpu_count(), "changegate": " ".join(changegate_command())}


def run(quick: bool = False, names: Sequence[str] | None = None, repeat: int | None = None,
        json_out: Path | None = None, log: Callable[[str], None] = print,
        lift: bool = False, variants: Sequence[str] = ()) -> int:
    """Run the benchmark; print the table; write JSON when asked. Returns an exit code:
    0 when every case ran (met or not), 1 when a case failed to run. With `variants`, each
    subprocess case also runs as each variant, all measured in rounds."""
    repeat = repeat or (1 if quick else 5)
    cases = select(all_cases(quick, repeat, lift), names)
    # A private compiled-map cache for this run: each case's warm-up run fills it, so the
    # measured runs are warm (a PR run after the first); "-cold" cases switch it off. Each
    # variant has a directory of its own: in rounds, all of them together would hold more
    # maps than the cache keeps, and evict each other.
    cache_dir = tempfile.mkdtemp(prefix="changegate-bench-cache-")
    os.environ["CHANGEGATE_CACHE_DIR"] = cache_dir
    if variants:
        cases = [c for case in cases for c in [case, *(variant_of(case, v, Path(cache_dir) / str(i))
                                                        for i, v in enumerate(variants)
                                                        if not case.run_inline)]]
    try:
        return _run_cases(cases, quick, repeat, json_out, log, lift, rounds=bool(variants))
    finally:
        shutil.rmtree(cache_dir, ignore_errors=True)


def _run_cases(cases: list[Case], quick: bool, repeat: int, json_out: Path | None,
               log: Callable[[str], None], lift: bool, rounds: bool = False) -> int:
    baseline_case = Case("baseline", "python -c pass", argv=[sys.executable, "-c", "pass"])
    baseline = measure(baseline_case, max(repeat, 5), warmup=True)
    results: list[Result] = []
    in_rounds: dict[str, Result] = {}
    if rounds:
        log(f"running {len(cases)} cases in {repeat} rounds …")
        in_rounds = {r.name: r for r in measure_in_rounds([c for c in cases if not c.run_inline], repeat)}
    for case in cases:
        if case.name in in_rounds:
            result = in_rounds[case.name]
        else:
            log(f"running {case.name}: {case.description} …")
            result = measure_paths(case) if case.run_inline else measure(case, repeat, not quick)
        judge_target = case if not case.run_inline else None
        if judge_target:
            judge(result, case, baseline.wall_ms)
        if result.error:
            log(f"  {case.name} failed: {result.error}")
        results.append(result)
    log("")
    log(table(results, baseline))
    if rounds:
        log("\neach variant against `CASE@as-is` when measured, else against CASE (same rounds):\n"
            + variant_table(results))
    if json_out:
        json_out.write_text(json.dumps({"machine": machine(), "repeat": repeat,
                                        "limits_lifted": lift,
                                        "baseline": asdict(baseline),
                                        "cases": [asdict(r) for r in results]}, indent=2) + "\n")
        log(f"\nwrote {json_out}")
    return 1 if any(r.error for r in results) else 0


def profile(name: str, out: Path | None = None, top: int = 30, lift: bool = False) -> int:
    """Run one subprocess case under cProfile and print the top functions."""
    import pstats

    case = select(all_cases(False, 1, lift), [name])[0]
    if case.run_inline:
        raise SystemExit("profile a subprocess case, not the in-process path matching")
    cwd = case.prepare() if case.prepare else case.cwd
    out = out or Path(tempfile.gettempdir()) / f"changegate-{name}.prof"
    # The console script is a Python file: cProfile runs it as a script.
    cmd = [sys.executable, "-m", "cProfile", "-o", str(out), *case.argv]
    if case.argv[0] == sys.executable and case.argv[1] == "-c":  # cProfile has no -c
        script = Path(tempfile.gettempdir()) / "changegate-profile-main.py"
        script.write_text(case.argv[2] + "\n")
        cmd = [sys.executable, "-m", "cProfile", "-o", str(out), str(script), *case.argv[3:]]
    elif case.argv[0] == sys.executable:  # `python -m changegate …`
        cmd = [sys.executable, "-m", "cProfile", "-o", str(out), *case.argv[1:]]
    subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, env={**os.environ, **case.env},
                   check=False)
    stats = pstats.Stats(str(out))
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    print(f"profile written to {out}")
    return 0


# Functions timed by `--phases`, as module attributes looked up at call time (nested ones
# included in their callers' time). A missing one is skipped: the code base moves.
PHASES: tuple[str, ...] = (
    "changegate.load.gate:load_gate",
    "changegate.load.depmap:check_map",
    "changegate.load.policies:load_policies",
    "changegate.load.documents:load_text",
    "changegate.load.documents:validate",
    "changegate.load.references:check_patterns",
    "changegate.core.impact:resolve_impact",
    "changegate.core.impact:build_path_index",
    "changegate.core.decide:evaluate_policies",
    "changegate.report:render",
)

_PHASES_MAIN = """
import importlib, json, sys, time
started = time.perf_counter()
totals = {}
def wrap(module, name):
    try:
        mod = importlib.import_module(module)
        inner = getattr(mod, name)
    except (ImportError, AttributeError):
        return
    key = module + ":" + name
    def timed(*args, **kwargs):
        t = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            calls, spent = totals.get(key, (0, 0.0))
            totals[key] = (calls + 1, spent + time.perf_counter() - t)
    setattr(mod, name, timed)
LIFT
for item in json.loads(sys.argv.pop(1)):
    wrap(*item.split(":"))
from changegate.cli import main
sys.argv[0] = "changegate"
try:
    main()
finally:
    totals["total (from interpreter start of this script)"] = (1, time.perf_counter() - started)
    sys.stderr.write("PHASES " + json.dumps(totals) + "\\n")
"""


def phases(name: str, lift: bool = False) -> int:
    """Run one case once with the main stages timed (low overhead, unlike cProfile)."""
    case = select(all_cases(False, 1, lift), [name])[0]
    if case.run_inline:
        raise SystemExit("time the phases of a subprocess case")
    cwd = case.prepare() if case.prepare else case.cwd
    code = _PHASES_MAIN.replace("LIFT", _LIFT if lift else "")
    args = case.argv[1:]
    if case.argv[0] == sys.executable:  # lifted: [python, -c, code, check, ...]
        args = case.argv[3:]
    proc = subprocess.run([sys.executable, "-c", code, json.dumps(PHASES), *args], cwd=cwd,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                          env={**os.environ, **case.env}, check=False)
    line = next((x for x in proc.stderr.splitlines() if x.startswith("PHASES ")), None)
    if line is None:
        print(proc.stderr[-2000:])
        return 1
    print(f"{'phase':50} {'calls':>6} {'seconds':>8}")
    for key, (calls, spent) in json.loads(line[len("PHASES "):]).items():
        print(f"{key:50} {calls:6d} {spent:8.3f}")
    print(f"exit code {proc.returncode}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m benchmarks [--quick] [--cases A,B] [--repeat N] [--json OUT] [--profile CASE]`."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks",
                                     description="changegate benchmarks")
    parser.add_argument("--quick", action="store_true",
                        help="tiny smoke run: 1,000 components, 10 files, 1 repeat (< 30 s)")
    parser.add_argument("--cases", nargs="+", metavar="CASE",
                        help="run only these cases (names from the table, comma-separated ok)")
    parser.add_argument("--repeat", type=int, help="runs per case (default 5; 1 with --quick)")
    parser.add_argument("--json", type=Path, metavar="OUT", help="write the results as JSON")
    parser.add_argument("--profile", metavar="CASE",
                        help="run one case under cProfile and print where the time goes")
    parser.add_argument("--phases", metavar="CASE",
                        help="run one case once with its main stages timed")
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    parser.add_argument("--variants", metavar="V,V", default="",
                        help="also run each case as these variants, measured in rounds: "
                             f"{', '.join(VARIANTS)}, or tree=PATH (another checkout's package)")
    parser.add_argument("--lift-limits", action="store_true",
                        help="run generated cases with the gate files' document-size bounds raised "
                             "(measures what the bounds would otherwise reject)")
    args = parser.parse_args(argv)
    if args.list:
        for case in all_cases(args.quick, 1):
            print(f"{case.name:18} {case.description}")
        return 0
    if args.phases:
        return phases(args.phases, lift=args.lift_limits)
    if args.profile:
        return profile(args.profile, lift=args.lift_limits)
    return run(quick=args.quick, names=args.cases, repeat=args.repeat, json_out=args.json,
               lift=args.lift_limits, variants=[v for v in args.variants.split(",") if v])
