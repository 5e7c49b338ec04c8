"""Several scenarios side by side: the headline figures of each, in one table."""
from __future__ import annotations

from typing import List

from rich import box
from rich.table import Table

from .. import text as safe
from ..result import SCHEMA_VERSION, Result, dumps, to_plain
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
        return safe.clean(v)
    return format_quantity(v, fig.unit)


def _delta(base: Result, other: Result, name: str) -> str:
    """The difference from the first scenario, and in percent: ``+$12.3B (+25%)``."""
    if name not in base or name not in other:
        return "–"
    fig = base[name]
    a, b = to_plain(fig.value), to_plain(other[name].value)
    if isinstance(a, bool) or isinstance(b, bool):
        return "same" if a == b else "changed"
    if fig.unit in ("text", "month") or not isinstance(a, (int, float)) \
            or not isinstance(b, (int, float)):
        return "same" if a == b else "–"
    d = b - a
    if d == 0:
        return "0"
    if fig.unit == "ratio":
        shown = f"{d:+.2f}x"
    else:
        shown = ("+" if d > 0 else "-") + format_quantity(abs(d), fig.unit)
    return shown + (f" ({d / abs(a):+.0%})" if a else "")


def variants(results: List[Result]):
    """(the scenario, [each result's label]) when every title is ``SCENARIO (LABEL)`` with one
    SCENARIO (``report --acquire owned,rented``): the heads then say only what differs."""
    import re
    found = [re.fullmatch(r"(.+) \(([^()]+)\)", r.title) for r in results]
    if all(found) and len({m.group(1) for m in found}) == 1:
        return found[0].group(1), [m.group(2) for m in found]
    return None, [r.title for r in results]


def columns(results: List[Result]) -> List[str]:
    """Column heads (as written in the scenarios: render them through the sanitiser): each
    scenario, and after each but the first its difference from the first."""
    _, heads = variants(results)
    out = [heads[0]]
    for head in heads[1:]:
        out += [head, "Δ" if len(results) == 2 else f"Δ {head}"]
    return out


def title(results: List[Result]) -> str:
    stem, _ = variants(results)
    return f"Side by side: {stem}" if stem else "Side by side"


def rows(results: List[Result]):
    out = []
    for name, label in ROWS:
        if not any(name in r for r in results):
            continue
        cells = [_cell(results[0], name)]
        for r in results[1:]:
            cells += [_cell(r, name), _delta(results[0], r, name)]
        out.append((label, cells))
    return out


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
    t = Table(title=safe.markup(title(results)), box=box.SIMPLE_HEAD, title_justify="left",
              title_style="bold",
              caption=" ".join(x for x in ("Δ: difference from the first scenario.",
                                           differences(results)) if x),
              caption_justify="left")
    t.add_column("")
    for col in columns(results):
        t.add_column(safe.markup(col), justify="right", overflow="fold")
    for label, cells in rows(results):
        t.add_row(label, *(safe.markup(c) for c in cells))
    return t


def markdown(results: List[Result]) -> str:
    cols = [safe.markdown(c) for c in columns(results)]
    lines = [f"## {safe.markdown(title(results))}", "", "| | " + " | ".join(cols) + " |",
             "|---|" + "---:|" * len(cols)]
    lines += [f"| {label} | " + " | ".join(safe.markdown(c) for c in cells) + " |"
              for label, cells in rows(results)]
    note = differences(results)
    lines += ["", "Δ: difference from the first scenario." + (f" {note}" if note else "")]
    return "\n".join(lines) + "\n"


def render_json(results: List[Result]) -> str:
    return dumps({"schema_version": SCHEMA_VERSION, "scenarios": [as_dict(r) for r in results]})
