"""CSV for spreadsheets: one row per figure and month (long format, easy to pivot)."""
from __future__ import annotations

import csv
import io

from ..result import Result, to_plain
from .json import display


def render(result: Result) -> str:
    from ..budget import check_output
    rows = sum(len(result.months) if f.series else 1 for f in result)
    check_output(rows * (len(result.title.encode("utf-8")) + 80),
                 f"the CSV ({rows:,} rows, each repeating the {len(result.title):,}-character "
                 "scenario title)")
    title = _text(result.title)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["scenario", "figure", "month", "value", "unit", "display"])
    for fig in result:
        value = to_plain(fig.value)
        if fig.series:
            if value and isinstance(value[0], list):
                continue   # sampled series are not exported row by row
            for month, v in zip(result.months, value):
                w.writerow([title, fig.name, month, _cell(v), fig.unit, ""])
        else:
            w.writerow([title, fig.name, "", _cell(value), fig.unit, display(fig) or ""])
    return buf.getvalue()


def render_many(results) -> str:
    """Several results in one CSV: one header, then each scenario's rows."""
    parts = [render(r) for r in results]
    return parts[0] + "".join(p.split("\n", 1)[1] for p in parts[1:])


def _text(v) -> str:
    """Text from input: one clean line, never read as a spreadsheet formula (=, +, -, @)."""
    from ..text import spreadsheet
    return spreadsheet(v)


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v)
    return str(v)
