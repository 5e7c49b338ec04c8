"""One sanitiser for text that came from a user and reaches an output.

Names, titles, file names, paths, cited sources and warnings are written by whoever wrote
the scenario. Before any of them reaches a terminal, a rich table, a markdown comment, an
HTML page or an error message, it passes one of these functions:

- :func:`clean`: one line of printable text. Control characters (C0, DEL, C1, including
  ESC and CSI, which drive a terminal: clear the screen, fake hyperlinks, move the cursor)
  and bidirectional overrides (which reorder what is shown) become visible escapes such as
  ``\\x1b``; a newline becomes ``\\n``, so a name cannot forge a line of a report.
- :func:`markup`: :func:`clean`, then rich markup escaped (``[bold]`` stays text).
- :func:`markdown`: :func:`clean`, then every character markdown or HTML would act on
  escaped (tables, links, images, emphasis, raw HTML, entities), for pull-request comments.
- :func:`html`: :func:`clean`, then HTML-escaped, for the ``--html`` page.
- :func:`spreadsheet`: :func:`clean`, and never a formula, for CSV cells.
- :func:`message`: for error messages; keeps the message's own line breaks and indentation,
  escapes every other control character.

Text the tool writes itself is never passed through these; only what came from input.
"""
from __future__ import annotations

import re

#: C0 controls, DEL, C1 controls, bidi embeddings/overrides/isolates, line/paragraph
#: separators, BOM and zero-width characters that hide text
#: (and lone surrogates: the undecodable bytes of a file name, which no UTF-8 output can hold)
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff"
                     "\ud800-\udfff]")
_UNSAFE_IN_MESSAGE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e"
                                "\u2060-\u2069\ufeff\ud800-\udfff]")
#: characters markdown (CommonMark, GitHub) acts on inside a line: escapes, code, emphasis,
#: links and images (no link without '['), table cells. HTML's < > & " become entities. An
#: underscore inside a word (for_profit) never makes emphasis, so it is left as written.
_MARKDOWN = re.compile(r"([\\`*\[\]|]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")


def _visible(m: re.Match) -> str:
    c = m.group(0)
    if c == "\n":
        return "\\n"
    if c == "\t":
        return "\\t"
    code = ord(c)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean(text) -> str:
    """One line of printable text: control and reordering characters shown as escapes."""
    return _UNSAFE.sub(_visible, str(text))


def markup(text) -> str:
    """:func:`clean` text that rich prints as written, never as markup."""
    from rich.markup import escape
    return escape(clean(text))


def markdown(text) -> str:
    """:func:`clean` text that markdown and HTML show as written, never act on."""
    s = clean(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN.sub(r"\\\1", s)


def spreadsheet(text) -> str:
    """:func:`clean` text for a CSV cell that a spreadsheet never reads as a formula (a
    leading =, +, - or @ is quoted with ')."""
    s = clean(text)
    return "'" + s if s[:1] in ("=", "+", "-", "@") else s


def html(text) -> str:
    """:func:`clean` text for an HTML page: shown as written, never markup, never reordered."""
    from html import escape
    return escape(clean(text))


def code(text) -> str:
    """Text for a markdown code span: clean, backticks and table bars made harmless."""
    s = clean(text).replace("`", "'").replace("|", "\\|")
    return f"`{s}`"


#: the most characters of one line of a message (error messages quote the input)
MAX_MESSAGE_LINE = 2000


def message(text) -> str:
    """An error message for a terminal: its line breaks kept, other control characters escaped,
    and each line at most :data:`MAX_MESSAGE_LINE` characters (names, values and sources it
    quotes can be as long as the input)."""
    lines = str(text).split("\n")
    lines = [ln if len(ln) <= MAX_MESSAGE_LINE else
             f"{ln[:MAX_MESSAGE_LINE]}... ({len(ln) - MAX_MESSAGE_LINE:,} more characters)"
             for ln in lines]
    return _UNSAFE_IN_MESSAGE.sub(_visible, "\n".join(lines))
