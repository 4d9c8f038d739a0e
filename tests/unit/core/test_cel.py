from __future__ import annotations

import datetime as dt
import subprocess
import sys
from typing import Any

import pytest

from changegate.core import cel
from changegate.errors import CelError


def _context(**overrides: Any) -> dict[str, Any]:
    context: dict[str, Any] = {
        "change": {"version": 1, "title": "Upgrade CRM to 5.2", "type": "emergency",
                   "owner": "crm-team", "tickets": ["CRM-1042"],
                   "rollback": {"plan": "Redeploy 5.1", "tested": True},
                   "waivers": [{"policy": "x", "reason": "y", "expires": dt.date(2026, 12, 31)}]},
        "impact": {"touched_components": ("crm",), "impacted_components": ("crm", "pos"),
                   "changed_interfaces": ("crm-customer-api",),
                   "value_streams": ("finance-settlement", "retail", "service-desk"),
                   "risk": "critical", "unmapped_files": ()},
        "files": ("db/migrations/001.sql", "services/crm/App.py"),
        "author": "dave",
        "labels": ("release",),
    }
    context.update(overrides)
    return context


def _eval(expr: str, context: dict[str, Any] | None = None) -> bool:
    return cel.evaluate(cel.compile_when(expr, "policies/p.yaml", 7),
                        _context() if context is None else context)


@pytest.mark.parametrize("expr", [
    'change.type == "emergency" && size(impact.value_streams) > 2',
    '"finance-settlement" in impact.value_streams',
    'impact.risk == "critical"',
    'files.exists(f, f.startsWith("db/"))',
    '"release" in labels',
    'author == "dave"',
    "has(change.rollback) && change.rollback.tested",
    'change.title.contains("CRM") && change.title.endsWith("5.2") && '
    'change.title.matches("^Upgrade .* [0-9.]+$")',
    "files.all(f, f.size() > 3)",
    'size(files.filter(f, f.startsWith("services/"))) == 1',
    'files.map(f, f.lowerAscii()).exists(f, f == "services/crm/app.py")',
    'files.exists(f, f.split("/")[0] == "db")',
    'impact.risk in ["high", "critical"]',
    'change.tickets.exists_one(t, t.startsWith("CRM-"))',
    '!has(change.breaking) || !change.breaking',
    'change.waivers.all(w, w.expires < "2027-01-01")',
    'files.exists(f, impact.touched_components.exists(c, f.contains(c)))',
])
def test_the_expressions_users_write_evaluate_to_true(expr: str) -> None:
    assert _eval(expr) is True


def test_an_expression_that_does_not_hold_is_false() -> None:
    assert _eval('change.type == "normal" || size(files) > 10') is False
    assert _eval('"release" in labels', _context(labels=())) is False
    assert _eval("has(change.rollback)", _context(change={})) is False


def test_a_syntax_error_names_file_line_and_column() -> None:
    with pytest.raises(CelError) as info:
        cel.compile_when('change.type == "emergency" ||| x', "policies/p.yaml", 7)
    assert str(info.value) == (
        "policies/p.yaml:7: when: invalid CEL 'change.type == \"emergency\" ||| x': "
        "token recognition error at: '| ' at column 30")


def test_an_empty_expression_is_an_error() -> None:
    with pytest.raises(CelError) as info:
        cel.compile_when("  ", "p.yaml", 3)
    assert str(info.value) == "p.yaml:3: when: an empty CEL expression"


def test_an_expression_past_the_size_bound_is_refused() -> None:
    expr = " || ".join(['author == "x"'] * 200)
    with pytest.raises(CelError) as info:
        cel.compile_when(expr, "p.yaml", 3)
    assert str(info.value) == ("p.yaml:3: when: the CEL expression is 3396 characters long; "
                               "the bound is 2000")


def test_brackets_nested_past_the_bound_are_refused() -> None:
    expr = "(" * 40 + "true" + ")" * 40
    with pytest.raises(CelError) as info:
        cel.compile_when(expr, "p.yaml", 3)
    assert str(info.value).startswith("p.yaml:3: when: brackets nest 40 deep in '((((")
    assert str(info.value).endswith("; the bound is 32")


def test_macros_nested_past_the_bound_are_refused() -> None:
    expr = "files.exists(a, files.exists(b, files.exists(c, a == b && b == c)))"
    with pytest.raises(CelError) as info:
        cel.compile_when(expr, "p.yaml", 3)
    assert str(info.value) == (
        f"p.yaml:3: when: macros (all, exists, exists_one, map, filter) nest 3 deep in "
        f"'{expr}'; the bound is 2")


def test_macro_names_inside_strings_do_not_count_as_macros() -> None:
    compiled = cel.compile_when('files.exists(f, f == ".exists(.map(.all(")', "p.yaml", 3)
    assert (compiled.macro_depth, compiled.macros) == (1, 1)


def test_evaluation_past_the_cost_bound_is_refused() -> None:
    compiled = cel.compile_when("files.exists(a, files.exists(b, a + b == \"x\"))", "p.yaml", 3)
    files = [f"f{i}" for i in range(3000)]
    with pytest.raises(CelError) as info:
        cel.evaluate(compiled, _context(files=files))
    assert str(info.value) == (
        "p.yaml:3: when: 'files.exists(a, files.exists(b, a + b == \"x\"))': evaluation could "
        "take 18012002 steps on this change; the bound is 5000000")
    assert cel.evaluate(compiled, _context(files=files[:100])) is False


def test_an_unknown_field_fails_closed_naming_the_expression() -> None:
    with pytest.raises(CelError) as info:
        _eval("change.rollback.approved")
    assert str(info.value) == ("policies/p.yaml:7: when: 'change.rollback.approved' cannot be "
                               "evaluated: no such key: approved")


def test_an_unknown_variable_fails_closed() -> None:
    with pytest.raises(CelError) as info:
        _eval('manifest.type == "normal"')
    assert str(info.value) == ("policies/p.yaml:7: when: 'manifest.type == \"normal\"' cannot be "
                               "evaluated: Undefined variable or function: 'manifest'")


def test_a_type_error_fails_closed() -> None:
    with pytest.raises(CelError) as info:
        _eval('author + 1 == "dave1"')
    assert str(info.value) == (
        "policies/p.yaml:7: when: 'author + 1 == \"dave1\"' cannot be evaluated: Unsupported "
        "operation: string + int. CEL does not coerce between types — both operands must be the "
        "same type. Convert explicitly with int(x), uint(x), double(x) or string(x) as "
        "appropriate.")


def test_a_result_that_is_not_a_bool_fails_closed() -> None:
    with pytest.raises(CelError) as info:
        _eval("size(impact.value_streams)")
    assert str(info.value) == ("policies/p.yaml:7: when: 'size(impact.value_streams)' gave int 3, "
                               "not true or false")


def test_an_error_on_the_short_circuited_side_is_absorbed() -> None:
    assert _eval("true || change.nope") is True
    assert _eval("change.nope || true") is True


def test_importing_the_module_loads_no_engine() -> None:
    code = ("import sys, changegate.core.cel\n"
            "print('cel' in sys.modules, 'cel.cel' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.split() == ["False", "False"]


def test_an_expression_is_compiled_once_for_every_place_it_is_written() -> None:
    # The loader checks each `when` and evaluation compiles it again: both get one program.
    first = cel.compile_when("size(files) > 1", "policies/a.yaml", 3)
    again = cel.compile_when("size(files) > 1", "policies/b.yaml", 9, "policies.2.match.when")
    assert again.program is first.program
    assert (again.file, again.line, again.key) == ("policies/b.yaml", 9, "policies.2.match.when")


def test_variables_prepared_once_serve_many_expressions_like_a_fresh_context() -> None:
    # A check converts its context once (cel.Variables) and evaluates every policy's `when`
    # against it; answers, errors and the cost bound are those of a fresh context each time.
    variables = cel.Variables(_context())
    exprs = ['change.type == "emergency" && size(impact.value_streams) > 2',
             'files.exists(f, f.startsWith("services/"))', 'impact.risk == "low"',
             'author == "dave"']
    for expr in exprs:
        compiled = cel.compile_when(expr, "policies/p.yaml", 7)
        assert cel.evaluate(compiled, variables) is cel.evaluate(compiled, _context())
    with pytest.raises(CelError) as info:
        cel.evaluate(cel.compile_when("change.rollback.approved", "policies/p.yaml", 7), variables)
    assert str(info.value) == ("policies/p.yaml:7: when: 'change.rollback.approved' cannot be "
                               "evaluated: no such key: approved")
    assert cel.evaluate(cel.compile_when(exprs[0], "policies/p.yaml", 7), variables) is True
    many = cel.Variables(_context(files=[f"f{i}" for i in range(3000)]))
    nested = cel.compile_when("files.exists(a, files.exists(b, a + b == \"x\"))", "p.yaml", 3)
    with pytest.raises(CelError) as info:
        cel.evaluate(nested, many)
    assert str(info.value) == (
        "p.yaml:3: when: 'files.exists(a, files.exists(b, a + b == \"x\"))': evaluation could "
        "take 18012002 steps on this change; the bound is 5000000")
