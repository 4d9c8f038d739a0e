"""Random gates, changes and evidence never end in a traceback: a valid gate is decided and
rendered in every format; a broken one (a document mutated anywhere, text cut or spliced
with hostile bytes) fails with an InputError naming a file, through the same functions
`changegate check` runs."""

from __future__ import annotations

from gate_run import check
from gate_strategies import Gate, broken_gates, gates, repository
from hypothesis import event, given

from changegate.errors import InputError


@given(gates())
def test_a_valid_gate_is_decided_and_rendered(gate: Gate) -> None:
    with repository(gate) as root:
        outputs = check(root)
    assert all(outputs)


@given(broken_gates())
def test_a_broken_gate_fails_with_an_input_error(case: tuple[Gate, dict[str, str]]) -> None:
    gate, texts = case
    with repository(gate, texts) as root:
        try:
            check(root)
            event("still valid")
        except InputError as exc:
            event(type(exc).__name__)
            assert exc.message.strip()
            assert str(exc).strip()
