"""Several scenarios side by side: the headline figures of each, in one table."""
from __future__ import annotations

import json
from typing import List

from rich import box
from rich.table import Table

from ..result import SCHEMA_VERSION, Result, to_plain
from ..units import format_quantity
from .json import as_dict

ROWS = [
    ("funding.covered", "Covered"), ("funding.shortfall_usd", "Shortfall"),
    ("funding.gap_month", "Cash runs out"), ("funding.sources_usd", "Sources"),
    ("funding.uses_usd", "Uses"), ("funding.coverage_ratio", "Coverage"),
    ("capex.total_usd", "Capex of fleets and sites"), ("training.capex_usd", "Capex of planned runs"),
    ("opex.total_usd", "Opex over the horizon"),
    ("opex.annual_run_rate_usd", "Opex run rate"), ("fleets.accelerators", "Accelerators"),
    ("power.facility_w", "Facility power"), ("energy.total_wh", "Energy"),
    ("training.total_compute_flop", "Training compute"), ("training.cost.amortized_usd",
                                                            "Training, amortized"),
    ("training.cost.rental_usd", "Training, rented"), ("training.cost.build_usd",
                                                       "Training, built"),
    ("training.peak_facility_w", "Peak power of a run"),
]


def _cell(result: Result, name: str) -> str:
    if name not in result:
        return "–"
    fig = result[name]
    v = to_plain(fig.value)
    if v is None:
        return "–"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if fig.unit in ("text", "month"):
        return str(v)
    if name.endswith("coverage_ratio"):
        return f"{v:.2f}x"
    return format_quantity(v, fig.unit)


def rows(results: List[Result]):
    return [(label, [_cell(r, name) for r in results]) for name, label in ROWS
            if any(name in r for r in results)]


def table(results: List[Result]) -> Table:
    t = Table(title="Side by side", box=box.SIMPLE_HEAD, title_justify="left", title_style="bold")
    t.add_column("")
    for r in results:
        t.add_column(r.title, justify="right", overflow="fold")
    for label, cells in rows(results):
        t.add_row(label, *cells)
    return t


def markdown(results: List[Result]) -> str:
    lines = ["## Side by side", "", "| | " + " | ".join(r.title for r in results) + " |",
             "|---|" + "---:|" * len(results)]
    lines += [f"| {label} | " + " | ".join(cells) + " |" for label, cells in rows(results)]
    return "\n".join(lines) + "\n"


def render_json(results: List[Result]) -> str:
    return json.dumps({"schema_version": SCHEMA_VERSION,
                       "scenarios": [as_dict(r) for r in results]}, indent=2, allow_nan=False) + "\n"
