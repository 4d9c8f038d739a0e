"""The pure core: the loaded gate, the change and its evidence in; a `Decision` out.

No file, process, network or clock (the `pure-core` import contract and
tests/unit/core/test_purity.py prove it). In pipeline order:

- `paths`, `graph`, `impact`: which components a change touches and whom it reaches;
- `approvals`: who effectively approved;
- `policy_context`, `matching`, `cel`, `cel_context`, `waivers`, `asks`, `merge`: policy
  evaluation, from the change as policies see it to merged requirements;
- `decide`: the pipeline itself, ending in the `Decision`;
- `analysis`: warnings about the map itself (cycles, unused value streams and interfaces).
"""
