#!/usr/bin/env bash
# Run the retail example through `changegate check` (the gate blocks this CRM upgrade: exit 1).
# The clock is fixed (--now, outside the example's month-end freeze) so that the output is the
# same on every day; pass your own --now after it to see the freeze, e.g.
#   bash scripts/example.sh --now 2026-11-30T10:00:00+01:00
source "$(dirname "${BASH_SOURCE[0]}")/_venv.sh"
cd examples/retail
set +e
../../.venv/bin/changegate check --changed-files pr/changed-files.txt --approvals pr/approvals.json \
  --now 2026-11-20T10:00:00+01:00 "$@"
code=$?
echo "changegate exited with $code (0 pass, 1 blocked by policy, 2 invalid input)" >&2
exit $code
