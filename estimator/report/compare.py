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
    ("funding.peak_need_usd", "Peak funding need"),
    ("funding.uses.training_capex_usd", "Planned capacity bought"),
    ("funding.uses.training_rental_usd", "Training rented by the hour"),
    ("funding.uses.contracts_usd", "Compute contracts"),
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


def differences(results: List[Result], most: int = 3) -> str:
    """In words: the uses of money that differ most between the scenarios, and the verdicts."""
    from .terminal import USE_LINES
    spread = []
    for key, label in USE_LINES:
        name = f"funding.uses.{key}_usd"
        values = [to_plain(r.value(name)) if name in r else 0.0 for r in results]
        if all(isinstance(v, (int, float)) for v in values) and max(values) - min(values) > 0:
            spread.append((max(values) - min(values), label, values))
    if not spread:
        return ""
    spread.sort(key=lambda x: -x[0])
    parts = [f"{label.lower()} " + " vs ".join(format_quantity(v, "money") for v in values)
             for _, label, values in spread[:most]]
    return ("What differs (through each verdict's window): " + "; ".join(parts)
            + ". Owning pays for capacity before the runs; renting pays by the hour over "
            "them; a contract's payments follow its schedule whether the plan uses it or not.")


def table(results: List[Result]) -> Table:
    t = Table(title="Side by side", box=box.SIMPLE_HEAD, title_justify="left", title_style="bold",
              caption=differences(results) or None, caption_justify="left")
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
    note = differences(results)
    return "\n".join(lines + ([""] + [note] if note else [])) + "\n"


def render_json(results: List[Result]) -> str:
    return json.dumps({"schema_version": SCHEMA_VERSION,
                       "scenarios": [as_dict(r) for r in results]}, indent=2, allow_nan=False) + "\n"
