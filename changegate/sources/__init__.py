"""Where a change and its evidence come from: `local` (the command line) and `github.source`
(a workflow run), both shaped as `change.ChangeSource`; `git` is the one way git is run."""
