#!/usr/bin/env bash
# Run the whole test suite in the project's own virtual environment.
source "$(dirname "${BASH_SOURCE[0]}")/_venv.sh"
exec .venv/bin/python -m pytest "$@"
