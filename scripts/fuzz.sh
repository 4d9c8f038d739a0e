#!/usr/bin/env bash
# Fuzz changegate's input readers for SECONDS (default 600) with atheris (libFuzzer):
#   bash scripts/fuzz.sh [SECONDS] [libFuzzer options...]
# Creates .venv-fuzz (the `fuzz` extra, editable install of this tree) once; the corpus
# grows in fuzz/corpus/ (seeded with one valid input per target), crash artifacts go to
# fuzz/crashes/; the first crash stops the run (exit 77, its traceback printed). One
# process; `nice` keeps it polite on a shared machine. docs/fuzzing.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds=${1:-600}
shift || true
PY=${PYTHON:-python3}
if [ ! -x .venv-fuzz/bin/python ]; then
  "$PY" -m venv .venv-fuzz
fi
stamp=.venv-fuzz/.changegate-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv-fuzz/bin/python -m pip install --quiet --disable-pip-version-check -e '.[fuzz]'
  touch "$stamp"
fi
# CHANGEGATE_FUZZ_TARGET=NAME (config, map, map-large, policy, manifest, junit, approvals,
# changed-files, patterns) fuzzes that one target, with a corpus of its own.
target=${CHANGEGATE_FUZZ_TARGET:-}
corpus=fuzz/corpus/${target:-all}
seeds=fuzz/seeds/${target:-all}
mkdir -p "$corpus" "$seeds" fuzz/crashes
.venv-fuzz/bin/python fuzz/fuzz_changegate.py seeds "$seeds"
export CHANGEGATE_NO_CACHE=1
exec nice -n 10 .venv-fuzz/bin/python fuzz/fuzz_changegate.py "$corpus" "$seeds" \
  -max_total_time="$seconds" -artifact_prefix=fuzz/crashes/ -timeout=20 -rss_limit_mb=3072 \
  -max_len=16384 -print_final_stats=1 "$@" </dev/null
