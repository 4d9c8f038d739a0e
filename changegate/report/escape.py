"""Make user-controlled strings inert in each output (SPEC §6a).

Titles, summaries, file names, reviewer names and waiver reasons come from the pull
request, so every reporter passes them through one of these functions:

- `undecodable(s)` / `json_text(s)`: a file name's bytes that are not UTF-8 as `\\xNN`
  text (every other escaper starts from it; JSON output passes through `json_text`).
- `terminal(s)`: one line with no control characters (no ANSI colours, cursor moves or
  carriage-return overwrites) and no bidirectional-override characters; every other
  escaper starts from it.
- `strip_controls(s)`: the same characters stripped, but tabs and line breaks kept (lines
  of the GitHub Actions log, inside a workflow command group).
- `md(s)`: inline GitHub markdown that cannot open a link, image, HTML element, @-mention,
  issue reference, emphasis, code span, math or table cell, and that stays on one line.
- `mermaid_label(s)` / `mermaid_id(s)`: a quoted Mermaid label and a safe Mermaid node id.
- `dot(s)`: a quoted Graphviz DOT string.
- `workflow_data(s)` / `workflow_property(s)`: a GitHub workflow command's message and
  property value (actions/toolkit `command.ts`), so text never starts a command.
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
# Line breaks and tabs become a space (in `terminal`); every other C0/C1 control character
# goes, and so do the bidirectional controls that can make text read differently from what it is.
_BREAKS = re.compile(r"[\t\n\v\f\r\x85\u2028\u2029]+")
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")

# A file name that is not UTF-8 reaches changegate as Python's surrogate escapes (git -z
# gives bytes; os.fsdecode keeps each undecodable byte as U+DC80..U+DCFF). No output may
# carry one: it is not UTF-8. Each becomes the visible text `\xNN` (the byte), never U+FFFD.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _byte_text(match: re.Match[str], backslash: str = "\\") -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:
        return f"{backslash}x{code - 0xDC00:02x}"
    return f"{backslash}u{code:04x}"


def undecodable(s: str) -> str:
    """`s` with each undecodable byte (a surrogate escape) written as the text `\\xNN`."""
    return _SURROGATE.sub(_byte_text, s) if not s.isascii() else s


def json_text(s: str) -> str:
    """JSON text `s` (encoded with ensure_ascii=False) with each surrogate escape written as
    the JSON string text for `\\xNN` (an escaped backslash), so the document is UTF-8."""
    return _SURROGATE.sub(lambda m: _byte_text(m, "\\\\"), s) if not s.isascii() else s


ZWSP = "\u200b"  # zero-width space: breaks @-mentions, #refs and autolinks invisibly

# Markdown punctuation that could start inline syntax: backslash-escaped (CommonMark §2.4).
_MD_PUNCT = frozenset("\\`*_~|[]()!{}$^")
_MD_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}


def terminal(s: object) -> str:
    """`s` safe to print to a terminal: ANSI sequences removed whole, line breaks and tabs
    made spaces, other control and bidi characters stripped; one line."""
    text = _ANSI.sub("", undecodable(str(s)))
    text = _BREAKS.sub(" ", text)
    return _CONTROLS.sub("", text)


def strip_controls(s: object) -> str:
    """`s` without control and bidi characters, except tab, CR and LF."""
    return _CONTROLS.sub("", undecodable(str(s)))


def md(s: object, max_len: int = 1000) -> str:
    """`s` as inert inline GitHub markdown text, cut to `max_len` characters.

    Markdown punctuation is backslash-escaped; `< > & "` become entities; `@`, `#` and
    the `://` and `www.` of autolinks get a zero-width space, because GitHub links
    mentions, issue references and bare URLs after rendering, where escapes no longer
    count.
    """
    text = terminal(s)
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
    (see `diagrams`).
    """
    return _MERMAID_ID_BAD.sub("_", terminal(s)) or "_"


def mermaid_label(s: object, max_len: int = 120) -> str:
    """`s` as the text inside a double-quoted Mermaid label (quotes not included)."""
    text = terminal(s)
    if len(text) > max_len:
        text = text[: max_len - 1] + "…"
    return "".join(_MERMAID_LABEL.get(ch, ch) for ch in text)


def dot(s: object) -> str:
    """`s` as a double-quoted Graphviz DOT string (quotes included)."""
    text = terminal(s).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def workflow_data(s: object) -> str:
    """`s` as a workflow command's message: controls stripped, `%`, CR and LF percent-encoded."""
    return strip_controls(s).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def workflow_property(s: object) -> str:
    """`s` as a workflow command's property value: like data, plus `:` and `,` encoded."""
    return workflow_data(s).replace(":", "%3A").replace(",", "%2C")
