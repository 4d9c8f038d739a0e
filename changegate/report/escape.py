"""Make user-controlled strings inert in each output (SPEC §6a).

Titles, summaries, file names, reviewer names and waiver reasons come from the pull
request, so every reporter passes them through one of these functions:

- `terminal(s)`: no control characters (no ANSI colours, cursor moves or carriage-return
  overwrites) and no bidirectional-override characters.
- `md(s)`: inline GitHub markdown that cannot open a link, image, HTML element, @-mention,
  issue reference, emphasis, code span, math or table cell, and that stays on one line.
- `mermaid_label(s)` / `mermaid_id(s)`: a quoted Mermaid label and a safe Mermaid node id.
- `dot(s)`: a quoted Graphviz DOT string.
"""

from __future__ import annotations

import re

# ANSI escape sequences (CSI ... final byte, OSC ... BEL/ST, and two-byte ESC x), removed
# whole so that no "[31m" debris is left behind.
_ANSI = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
    r"|\x1b[@-Z\\-_]"  # other two-byte escapes
)
# Line breaks and tabs become a space; every other C0/C1 control character goes, and so do
# the bidirectional controls that can make text read differently from what it is.
_BREAKS = re.compile(r"[\t\n\v\f\r\x85\u2028\u2029]+")
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")

ZWSP = "\u200b"  # zero-width space: breaks @-mentions, #refs and autolinks invisibly

# Markdown punctuation that could start inline syntax: backslash-escaped (CommonMark §2.4).
_MD_PUNCT = frozenset("\\`*_~|[]()!{}$^")
_MD_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}


def clean(s: object) -> str:
    """`s` as one line of text without control characters (the base of every escaper)."""
    text = _ANSI.sub("", str(s))
    text = _BREAKS.sub(" ", text)
    return _CONTROLS.sub("", text)


def terminal(s: object) -> str:
    """`s` safe to print to a terminal: control and bidi characters stripped, one line."""
    return clean(s)


def md(s: object, max_len: int = 1000) -> str:
    """`s` as inert inline GitHub markdown text, cut to `max_len` characters.

    Markdown punctuation is backslash-escaped; `< > & "` become entities; `@`, `#` and
    the `://` and `www.` of autolinks get a zero-width space, because GitHub links
    mentions, issue references and bare URLs after rendering, where escapes no longer
    count.
    """
    text = clean(s)
    if len(text) > max_len:
        text = text[: max_len - 1] + "…"
    out: list[str] = []
    for i, ch in enumerate(text):
        if ch in _MD_HTML:
            out.append(_MD_HTML[ch])
        elif ch in _MD_PUNCT:
            out.append("\\" + ch)
        elif ch in "@#":
            out.append(ch + ZWSP)
        elif ch == ":" and text.startswith("//", i + 1):
            out.append(":" + ZWSP)
        elif ch == "." and text[max(0, i - 3) : i].lower() == "www":
            out.append(ZWSP + ".")
        else:
            out.append(ch)
    return "".join(out)


_MERMAID_ID_BAD = re.compile(r"[^A-Za-z0-9_]")
_MERMAID_LABEL = {
    "#": "#35;",
    '"': "#quot;",
    "<": "#lt;",
    ">": "#gt;",
    "&": "#amp;",
    "`": "#96;",
    "\\": "#92;",
}


def mermaid_id(s: object) -> str:
    """`s` reduced to the characters a Mermaid node id may contain ([A-Za-z0-9_]).

    Not injective on its own; callers that need unique ids add a prefix and a counter
    (see `graphviz`).
    """
    return _MERMAID_ID_BAD.sub("_", clean(s)) or "_"


def mermaid_label(s: object, max_len: int = 120) -> str:
    """`s` as the text inside a double-quoted Mermaid label (quotes not included)."""
    text = clean(s)
    if len(text) > max_len:
        text = text[: max_len - 1] + "…"
    return "".join(_MERMAID_LABEL.get(ch, ch) for ch in text)


def dot(s: object) -> str:
    """`s` as a double-quoted Graphviz DOT string (quotes included)."""
    text = clean(s).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'
