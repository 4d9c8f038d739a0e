"""One module per command: `check`, `impact`, `new`, `init` (and `validate`). Each is
`command(options) -> exit code`; it picks a source, runs the core and hands the result to
the reporters. `output` and `failures` say where output and errors go."""
