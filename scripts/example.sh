#!/usr/bin/env bash
# Run the retail example through `changegate check` (the gate blocks this CRM upgrade: exit 1).
source "$(dirname "${BASH_SOURCE[0]}")/_venv.sh"
cd examples/retail
set +e
../../.venv/bin/changegate check --changed-files pr/changed-files.txt --approvals pr/approvals.json "$@"
code=$?
echo "changegate exited with $code (0 pass, 1 blocked by policy, 2 invalid input)" >&2
exit $code
