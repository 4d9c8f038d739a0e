#!/usr/bin/env bash
# Run the whole test suite in the project's own virtual environment: lint (ruff), types
# (mypy, strict on core/ and model/), the import contracts (import-linter: the pure core),
# then pytest. Arguments go to pytest.
source "$(dirname "${BASH_SOURCE[0]}")/_venv.sh"
.venv/bin/ruff check changegate tests benchmarks scripts fuzz
.venv/bin/mypy
.venv/bin/lint-imports --no-cache
exec .venv/bin/python -m pytest "$@"
