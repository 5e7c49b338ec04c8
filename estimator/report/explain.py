"""`estimator explain`: a figure, its formula, and the chain of inputs down to their sources.

Branches whose value is zero (and everything under them) are left out unless asked for:
they are what did not happen (no loans, no land bought) and hide what did.
"""
from __future__ import annotations

from typing import List, Tuple

import numpy as np

from .. import text as safe
from ..result import Figure, Result, SCHEMA_VERSION, chain, dumps, to_plain
from ..units import show_value


def _value(fig) -> str:
    v = to_plain(fig.value)
    if fig.series or isinstance(v, list):       # a month-by-month value, flagged or not
        if v and not isinstance(v[0], list):
            return (f"monthly series, {len(v)} months; last month "
                    f"{show_value(v[-1], fig.unit)}")
        return "monthly series"
    return show_value(v, fig.unit)


#: what a run's summary shows, in order: (figure suffix, label)
RUN_SUMMARY = (
    ("compute_flop", "final-run compute"),
    ("final_gpu_hours", "final-run accelerator-hours"),
    ("experiments_gpu_hours", "experiments, accelerator-hours"),
    ("accelerators", "accelerators"),
    ("days", "days"),
    ("implied_mfu", "implied MFU (wall-clock, goodput included)"),
    ("years_since_acquisition", "years from hardware acquisition to the run's start"),
    ("value_per_accelerator_usd", "value per accelerator when acquired"),
    ("value_at_start_usd", "value per accelerator at the run's start"),
    ("chip_power_w", "power: chip (accelerators x TDP)"),
    ("server_power_w", "power: server (whole servers at maximum)"),
    ("it_power_w", "power: IT (servers + network and storage)"),
    ("facility_power_w", "power: facility (IT x PUE)"),
    ("energy_wh", "energy"),
    ("cost.amortized_usd", "amortized cost"),
    ("cost.rental_usd", "rental cost"),
    ("cost.build_usd", "build cost"),
)


def render_run(result: Result, prefix: str) -> str:
    """A run's key figures, each with its formula: value at its start, the power definitions
    side by side, the MFU its hours imply."""
    lines = [f"{prefix}: key figures (explain any of them for its inputs and sources)"]
    for suffix, label in RUN_SUMMARY:
        fig = result.figures.get(f"{prefix}.{suffix}")
        if fig is None:
            continue
        lines.append(f"  {label:<52} {_value(fig):>16}   {fig.name}")
        if fig.formula and fig.formula != "input":
            lines.append(f"  {'':<52} {'':>16}   = {fig.formula}")
    return "\n".join(lines) + "\n"


def is_run(result: Result, name: str) -> bool:
    """Whether ``name`` is a run's prefix (``training.KEY``) rather than a figure."""
    return name not in result.figures and f"{name}.gpu_hours" in result.figures


def run_sheet(result: Result, prefix: str):
    """A run's key figures as a sheet (for JSON-free formats other than the terminal's)."""
    from .sheet import Cell, Sheet
    rows = []
    for suffix, label in RUN_SUMMARY:
        fig = result.figures.get(f"{prefix}.{suffix}")
        if fig is not None:
            rows.append((label, Cell(_value(fig), "" if fig.series else to_plain(fig.value)),
                         fig.name, "" if fig.formula == "input" else fig.formula))
    return Sheet(f"{prefix}: key figures", ("", "value", "figure", "formula"), rows,
                 right=(1,))


def is_zero(fig: Figure) -> bool:
    """A number (or a series) that is zero throughout; flags, text and months never are."""
    v = fig.value
    if isinstance(v, (bool, str, np.bool_)) or v is None:
        return False
    try:
        return not np.any(np.asarray(v, dtype=float))
    except (TypeError, ValueError):
        return False


def lines(result: Result, name: str, prune: bool = True) -> Tuple[List[Tuple[int, Figure]], int]:
    """The chain under a figure, zero branches pruned (the figure itself always stays), and
    how many figures were left out."""
    out, skip_below, left_out = [], None, 0
    for depth, fig in chain(result, name):
        if skip_below is not None and depth > skip_below:
            left_out += 1
            continue
        skip_below = None
        if prune and depth > 0 and is_zero(fig):
            skip_below, left_out = depth, left_out + 1
            continue
        out.append((depth, fig))
    return out, left_out


def _wrap(line: str, width: int, more: int = 4) -> List[str]:
    """A line wrapped at ``width``, continuation lines indented under its text."""
    import textwrap
    pad = len(line) - len(line.lstrip(" "))
    return textwrap.wrap(line, width, subsequent_indent=" " * (pad + more),
                         break_long_words=True, break_on_hyphens=False) or [line]


def render(result: Result, name: str, fmt: str = "table", prune: bool = True,
           width: int = 100) -> str:
    if is_run(result, name):
        if fmt == "table":
            return render_run(result, name)
        if fmt == "json":
            sheet = run_sheet(result, name)
            return dumps({"schema_version": SCHEMA_VERSION, "scenario": result.title,
                          "run": name, "figures": [
                              {"label": r[0], "name": r[2], "value": r[1].value,
                               "display": r[1].text, "formula": r[3]}
                              for r in sheet.rows]})
        from .sheet import render as render_sheets
        return render_sheets([run_sheet(result, name)], fmt)
    chosen, left_out = lines(result, name, prune)
    note = (f"({left_out} figure(s) equal to zero left out; --all shows them)"
            if left_out else "")
    if fmt == "json":
        return dumps({"schema_version": SCHEMA_VERSION, "scenario": result.title,
                      "figure": name, "left_out_zero": left_out,
                      "chain": [{"depth": d, "name": f.name, "value": to_plain(f.value),
                                 "unit": f.unit, "display": _value(f),
                                 "formula": f.formula, "inputs": list(f.inputs),
                                 "sources": list(f.sources)} for d, f in chosen]})
    if fmt == "csv":
        from .sheet import Cell, Sheet, to_csv
        rows = [(f.name, Cell(str(d), d), Cell(_value(f), "" if f.series else to_plain(f.value)),
                 f.unit, f.formula, "; ".join(f.sources)) for d, f in chosen]
        return to_csv([Sheet(f"explain {name}", ("figure", "depth", "value", "unit", "formula",
                                                 "sources"), rows)])
    out = []
    md = fmt == "markdown"
    if md:
        out += [f"### {safe.code(name)} in {safe.markdown(result.title)}", ""]
    for depth, fig in chosen:
        pad = ("  " if md else "    ") * depth
        if md:
            out.append(f"{pad}- {safe.code(fig.name)} = **{safe.markdown(_value(fig))}**")
            if fig.formula and fig.formula != "input":
                out.append(f"{pad}  = {fig.formula}")
            out += [f"{pad}  source: {safe.markdown(src)}" for src in fig.sources]
            continue
        out.append(f"{pad}{safe.clean(fig.name)} = {safe.clean(_value(fig))}")
        if fig.formula and fig.formula != "input":
            out.append(f"{pad}  = {fig.formula}")
        for src in fig.sources:
            out.append(f"{pad}  source: {safe.clean(src)}")
    if note:
        out += ["", note] if md else [note]
    if not md:
        out = [w for line in out for w in _wrap(line, width)]
    return "\n".join(out) + "\n"
