"""The escapers every reporter uses (SPEC §6a)."""

from __future__ import annotations

from changegate.report import escape


def test_dot_escapes_backslashes_and_newlines() -> None:
    assert escape.dot('a\\"b\nc') == '"a\\\\\\"b c"'


def test_md_escape_is_inert_for_every_syntax() -> None:
    assert escape.md("*b* _i_ ~s~ `c` | $x$ \\") == "\\*b\\* \\_i\\_ \\~s\\~ \\`c\\` \\| \\$x\\$ \\\\"
    assert escape.md("a@b #1 https://x www.y") == "a@\u200bb #\u200b1 https:\u200b//x www\u200b.y"
    assert escape.md("<a href='x'>&amp;") == "&lt;a href='x'&gt;&amp;amp;"
    assert escape.md("one\r\ntwo\x1b[1mthree") == "one twothree"


def test_md_escape_caps_length() -> None:
    assert escape.md("x" * 50, max_len=10) == "xxxxxxxxx…"


def test_terminal_strips_ansi_sequences_whole() -> None:
    assert escape.terminal("\x1b[31mred\x1b[0m\x1b]8;;http://e\x1b\\link\x1b]8;;\x1b\\ \x9b2J") == "redlink "


def test_strip_controls_keeps_tabs_and_line_breaks_for_workflow_commands() -> None:
    assert escape.strip_controls("a\tb\r\nc\x1b[1m\x07\u202ed") == "a\tb\r\nc[1md"
