"""A seeded CODEOWNERS workload: a 1,000-rule file in GitHub's own style (teams, users,
emails, comments, `*`, `dir/*`, anchored and unanchored patterns, lines without owners),
a repository whose map is its import, and a 1,000-file change.

    python -m benchmarks --cases codeowners-import-1000,codeowners-check-1000
"""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

from benchmarks.generate import DATA_DIR

RULES = 1000
FILES = 1000


def codeowners_text(rules: int = RULES, seed: int = 11) -> str:
    """`rules` CODEOWNERS lines (plus comments), the same bytes for the same seed."""
    rnd = random.Random(seed)
    lines = ["# Generated for changegate's benchmarks", "*       @acme/platform", ""]
    for i in range(rules - 1):
        area, svc = f"area{i % 25}", f"svc{i}"
        owner = rnd.choice([f"@acme/team-{i % 60}", f"@user{i % 90}", f"@acme/team-{i % 7} @user{i % 13}",
                            f"dev{i % 5}@example.com"])
        shape = i % 6
        if shape == 0:
            lines.append(f"/{area}/{svc}/ {owner}")
        elif shape == 1:
            lines.append(f"{area}/{svc}/* {owner}")
        elif shape == 2:
            lines.append(f"/{area}/{svc}/**/*.go {owner}")
        elif shape == 3:
            lines.append(f"{svc}.md {owner}")
        elif shape == 4:
            lines.append(f"/{area}/{svc}/docs/  # no owner: unowned")
        else:
            lines.append(f"/{area}/{svc}/**/api/ {owner}  # api")
    return "\n".join(lines) + "\n"


def changed_files(files: int = FILES, seed: int = 11) -> list[str]:
    """`files` paths under the areas the rules name."""
    rnd = random.Random(seed)
    out = set()
    while len(out) < files:
        i = rnd.randrange(RULES)
        area, svc = f"area{i % 25}", f"svc{i}"
        out.add(rnd.choice([f"{area}/{svc}/main.go", f"{area}/{svc}/pkg/api/v1.go", f"{area}/{svc}/docs/x.md",
                            f"{area}/{svc}/README.md", f"misc/{svc}.md", f"{area}/{svc}/deep/a/b.go"]))
    return sorted(out)


def ensure_codeowners_case() -> Path:
    """Write the workload under benchmarks/.data/codeowners-1000/ (once); return its root."""
    root = DATA_DIR / f"codeowners-{RULES}"
    stamp = root / ".complete"
    if stamp.is_file():
        return root
    (root / ".github").mkdir(parents=True, exist_ok=True)
    (root / ".github" / "CODEOWNERS").write_text(codeowners_text(), encoding="utf-8")
    (root / ".changegate").mkdir(exist_ok=True)
    (root / ".changegate" / "config.yaml").write_text(
        "version: 1\nmap: .changegate/map.yaml\npolicies: [builtin:baseline]\n", encoding="utf-8")
    subprocess.run([sys.executable, "-m", "changegate", "map", "import", "codeowners", ".github/CODEOWNERS",
                    "--output", ".changegate/map.yaml"], cwd=root, check=True, capture_output=True)
    (root / "pr").mkdir(exist_ok=True)
    (root / "pr" / f"changed-{FILES}.txt").write_text("\n".join(changed_files()) + "\n", encoding="utf-8")
    stamp.write_text("ok\n")
    return root
