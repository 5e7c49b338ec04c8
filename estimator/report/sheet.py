"""One shape for the tabular output of every command: a titled table of cells.

A command's report module builds :class:`Sheet` objects once; this module renders them as
a terminal table, Markdown or CSV, so every command offers the same formats and they
agree with each other.
"""
from __future__ import annotations

import csv as _csv
import io
from typing import List, NamedTuple, Optional, Sequence, Tuple

from .. import text as safe


class Cell(NamedTuple):
    """A cell shown as ``text`` whose machine value (CSV) is ``value``."""

    text: str
    value: object


class Sheet(NamedTuple):
    """A table: ``title``, column names, rows of cells (str or :class:`Cell`).

    ``right``: columns aligned right (numbers). ``keep``: columns never wrapped (names,
    paths): other columns wrap at word boundaries to fit. ``note``: a line under the table.
    """

    title: str
    header: Tuple[str, ...]
    rows: Sequence[Sequence]
    right: Tuple[int, ...] = ()
    keep: Tuple[int, ...] = (0,)
    note: str = ""


def wrap_path(path: str, limit: int = 28) -> str:
    """A dotted name broken after dots into lines of at most ``limit`` characters (where it
    can be), so narrow tables wrap names between their parts, never inside a word."""
    if len(path) <= limit:
        return path
    lines, line = [], ""
    for part in path.replace(".", ".\0").split("\0"):
        if line and len(line) + len(part) > limit:
            lines.append(line)
            line = "  " + part
        else:
            line += part
    return "\n".join(lines + [line])


def text_of(cell) -> str:
    return cell.text if isinstance(cell, Cell) else ("" if cell is None else str(cell))


def value_of(cell):
    return cell.value if isinstance(cell, Cell) else ("" if cell is None else cell)


def to_rich(sheets: Sequence[Sheet], lead: Optional[str] = None):
    """The sheets as rich tables, one under the other (with an optional bold lead line)."""
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text
    parts: List = [Text(safe.clean(lead), style="bold")] if lead else []
    for s in sheets:        # cells may hold names from the input: shown, never read as markup
        t = Table(title=safe.markup(s.title) if s.title else None, box=box.SIMPLE_HEAD,
                  title_justify="left", title_style="bold")
        for i, col in enumerate(s.header):
            t.add_column(safe.markup(col), justify="right" if i in s.right else "left",
                         no_wrap=i in s.keep or i in s.right,
                         overflow="ellipsis" if i in s.keep else "fold")
        for row in s.rows:
            t.add_row(*(safe.markup(text_of(c)) for c in row))
        parts.append(t)
        if s.note:   # under the table, wrapped at the output's width, not the table's
            parts.append(Text(safe.message(s.note) + "\n", style="dim"))
    return Group(*parts)


def _md_cell(text: str) -> str:
    """A cell that markdown and HTML show as written (names from the input may be in it)."""
    return safe.markdown(text)


def to_markdown(sheets: Sequence[Sheet], heading: str = "") -> str:
    lines = [f"## {safe.markdown(heading)}", ""] if heading else []
    for s in sheets:
        if s.title:
            lines += [f"### {safe.markdown(s.title)}", ""]
        align = ["---:" if i in s.right else "---" for i in range(len(s.header))]
        lines.append("| " + " | ".join(_md_cell(h) or " " for h in s.header) + " |")
        lines.append("| " + " | ".join(align) + " |")
        for row in s.rows:
            lines.append("| " + " | ".join(_md_cell(text_of(c)) for c in row) + " |")
        lines.append("")
        if s.note:
            lines += [s.note, ""]
    return "\n".join(lines) + ("\n" if lines and lines[-1] else "")


def to_csv(sheets: Sequence[Sheet]) -> str:
    """Long format, one row per cell: table, row (its first cell), column, value, display."""
    buf = io.StringIO()
    w = _csv.writer(buf, lineterminator="\n")
    w.writerow(["table", "row", "column", "value", "display"])
    for s in sheets:
        for row in s.rows:
            key = text_of(row[0]) if row else ""
            for col, cell in zip(s.header[1:], row[1:]):
                v = value_of(cell)
                shown = text_of(cell)
                # text (names, sources) as a spreadsheet shows it, never as a formula or an
                # escape sequence; numbers and their displays as they are
                text = safe.spreadsheet if isinstance(v, str) else safe.clean
                w.writerow([safe.spreadsheet(s.title), safe.spreadsheet(key), safe.clean(col),
                            text(_plain(v)), text(shown) if isinstance(cell, Cell) else ""])
    return buf.getvalue()


def _plain(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v)
    return "" if v is None else str(v)


def render(sheets: Sequence[Sheet], fmt: str, lead: str = ""):
    """``table`` -> a rich renderable; ``markdown``/``csv`` -> text."""
    if fmt == "markdown":
        return to_markdown(sheets, lead)
    if fmt == "csv":
        return to_csv(sheets)
    return to_rich(sheets, lead)
