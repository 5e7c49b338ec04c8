"""Rendering of `estimator simulate` and `estimator sensitivity`: tables, a tornado, JSON."""
from __future__ import annotations


from rich import box
from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from .. import text as safe
from ..result import SCHEMA_VERSION, dumps
from ..units import format_quantity


def _q(value, unit: str) -> str:
    if unit == "flag":
        return f"{value:.1%}"
    if unit == "amount" and abs(value) < 100:
        return f"{value:.3g}"
    return format_quantity(value, unit)


def _month_text(x) -> str:
    from ..model import Month
    return str(Month.from_index(int(round(x))))


def _dist_text(d) -> str:
    if d.dim == "month":
        if d.kind == "choice":
            return "one of " + ", ".join(_month_text(v) for v in d.params["choices"])
        return f"{d.kind} " + ", ".join(f"{k} {v:g} months" if k == "sd" else
                                        f"{k} {_month_text(v)}" for k, v in d.params.items())
    dim = "amount" if d.scale else d.dim
    p = {k: (v if isinstance(v, tuple) else _q(v, dim)) for k, v in d.params.items()}
    if d.kind == "choice":
        text = "one of " + ", ".join(_q(v, dim) for v in d.params["choices"])
    else:
        text = f"{d.kind} " + ", ".join(f"{k} {v}" for k, v in p.items())
    return f"x factor: {text}" if d.scale else text


def _input_text(value, unit: str) -> str:
    if unit == "month":
        return _month_text(value)
    return f"x{value:.3g}" if unit == "factor" else format_quantity(value, unit)


def simulation_table(title: str, sim) -> Group:
    from .sheet import wrap_path
    parts = []
    if sim.probability_covered is not None:
        p = sim.probability_covered
        style = "green" if p >= 0.9 else ("yellow" if p >= 0.5 else "red")
        parts.append(Panel(Text.assemble(("P(covered) = ", "bold"), (f"{p:.1%}", f"bold {style}"),
                                         f"  over {sim.samples:,} samples (seed {sim.seed})"),
                           title=safe.markup(title), title_align="left", box=box.HEAVY,
                           border_style=style))
    t = Table(title="Headline figures", box=box.SIMPLE_HEAD, title_justify="left",
              title_style="bold")
    t.add_column("figure", no_wrap=True, overflow="ellipsis")
    for col in ("P10", "P50", "P90"):
        t.add_column(col, justify="right", no_wrap=True)
    for f in sim.figures:
        if f.p10 == f.p90 == 0:
            continue
        t.add_row(wrap_path(safe.markup(f.name), 32), _q(f.p10, f.unit), _q(f.p50, f.unit),
                  _q(f.p90, f.unit))
    parts.append(t)
    if sim.months:
        parts.append(months_table(sim))
    inputs = Table(title="Uncertain inputs", box=box.SIMPLE_HEAD, title_justify="left",
                   title_style="bold")
    inputs.add_column("path", no_wrap=True, overflow="ellipsis")
    inputs.add_column("distribution", overflow="fold")
    seen = set()
    for path, d in sim.inputs:
        key = d.key or path
        if key in seen:
            continue
        seen.add(key)
        inputs.add_row(wrap_path(safe.markup(key)), safe.markup(_dist_text(d)))
    parts.append(inputs)
    return Group(*parts)


def _month(m) -> str:
    return m if m is not None else "never"


def months_table(sim) -> Table:
    """Month-valued figures: P10/P50/P90 as months ('never' past the share where they occur)."""
    t = Table(title="When", box=box.SIMPLE_HEAD, title_justify="left", title_style="bold",
              caption="'never': in more than that share of samples the month does not come "
                      "(the cash never runs out)", caption_justify="left")
    t.add_column("figure", overflow="fold", min_width=30)
    for col in ("P10", "P50", "P90", "happens in"):
        t.add_column(col, justify="right", no_wrap=True)
    for m in sim.months:
        t.add_row(safe.markup(m.name), _month(m.p10), _month(m.p50), _month(m.p90),
                  f"{m.share:.1%}")
    gap = next((m for m in sim.months if m.name == "funding.gap_month"), None)
    if gap is not None and gap.before:
        t.add_row("P(cash runs out before)", "", "", "", "")
        for month, p in gap.before.items():
            t.add_row(f"  {month}", "", "", "", f"{p:.1%}")
    return t


def simulation_json(title: str, sim) -> str:
    seen, inputs = set(), []
    for path, d in sim.inputs:
        key = d.key or path
        if key in seen:
            continue
        seen.add(key)
        inputs.append({"path": str(key), "distribution": d.kind,
                       "unit": "factor" if d.scale else d.dim,
                       "params": {k: list(v) if isinstance(v, tuple) else v
                                  for k, v in d.params.items()}, "base": d.raw_base})
    data = {"schema_version": SCHEMA_VERSION, "scenario": title, "samples": sim.samples,
            "seed": sim.seed, "probability_covered": sim.probability_covered, "inputs": inputs,
            "figures": {f.name: {"unit": f.unit, "mean": f.mean, "p10": f.p10, "p50": f.p50,
                                 "p90": f.p90} for f in sim.figures}}
    for m in sim.months:     # months: null where the month does not come (never)
        data["figures"][m.name] = {"unit": "month", "formula": m.formula, "share": m.share,
                                   "p10": m.p10, "p50": m.p50, "p90": m.p90,
                                   "p_before": m.before}
    return dumps(data)


BAR = 8
LOW_END, HIGH_END = "░", "█"


def _signed(delta: float, unit: str) -> str:
    return ("+" if delta > 0 else "-" if delta < 0 else "±") + format_quantity(abs(delta), unit)


def _no_effect_note(sens) -> str:
    if sens.window_end and sens.figure.startswith("funding."):
        return (f"no effect: outside the verdict window (through {sens.window_end}), or not "
                "used by this figure")
    return "no effect on this figure"


def tornado(title: str, sens) -> Group:
    """Each input's bar, labelled by end: the figure's change with the input at its P10
    (░) and at its P90 (█); left of the axis the figure falls, right of it it rises."""
    t = Table(title=f"Sensitivity of {safe.markup(sens.figure)} "
                    f"(base {format_quantity(sens.base, sens.unit)})",
              box=box.SIMPLE_HEAD, title_justify="left", title_style="bold")
    from .sheet import wrap_path
    t.add_column("input", no_wrap=True, overflow="ellipsis")
    t.add_column("at P10", justify="right", no_wrap=True)
    t.add_column("falls", justify="right", no_wrap=True)
    t.add_column("rises", no_wrap=True)
    t.add_column("at P90", justify="right", no_wrap=True)
    widest = max((abs(v - sens.base) for s in sens.swings for v in (s.at_low, s.at_high)),
                 default=0.0) or 1.0
    notes = []
    for s in sens.swings:
        lo, hi = s.at_low - sens.base, s.at_high - sens.base
        left, right = Text(), Text()
        for delta, char, style in ((lo, LOW_END, "cyan"), (hi, HIGH_END, "magenta")):
            n = max(1, int(round(abs(delta) / widest * BAR))) if delta else 0
            if delta < 0:
                left.append(char * n, style=style)
            elif delta > 0:
                right.append(char * n, style=style)
        left = Text(" " * (BAR - len(left.plain))) + left if len(left.plain) < BAR else left
        if s.swing == 0:
            notes.append(s.path)
        name = Text(wrap_path(safe.clean(s.path)))
        name.append(f"\n  {_input_text(s.low_input, s.unit)} → "
                    f"{_input_text(s.high_input, s.unit)}", style="dim")
        t.add_row(name, _signed(lo, sens.unit), left, Text("│") + right, _signed(hi, sens.unit))
    lines = [f"{LOW_END} input at its P10, {HIGH_END} at its P90 (under each input: its P10 → "
             "P90); each input moved alone, the others at their base values."]
    if notes:
        lines.append(f"{len(notes)} input(s) move nothing ({_no_effect_note(sens)}): "
                     + ", ".join(notes))
    return Group(Text(safe.clean(title), style="bold"), t,
                 Text(safe.message("\n".join(lines)), style="dim"))


def sensitivity_sheet(sens):
    from .sheet import Cell, Sheet
    rows = [(s.path, Cell(_input_text(s.low_input, s.unit), s.low_input),
             Cell(_input_text(s.high_input, s.unit), s.high_input),
             Cell(_signed(s.at_low - sens.base, sens.unit), s.at_low - sens.base),
             Cell(_signed(s.at_high - sens.base, sens.unit), s.at_high - sens.base),
             Cell(format_quantity(s.swing, sens.unit), s.swing),
             _no_effect_note(sens) if s.swing == 0 else "") for s in sens.swings]
    return Sheet(f"Sensitivity of {sens.figure} (base {format_quantity(sens.base, sens.unit)})",
                 ("input", "P10", "P90", "change at P10", "change at P90", "swing", "note"), rows,
                 right=(1, 2, 3, 4, 5))


def sobol_sheet(sob):
    from .sheet import Cell, Sheet
    rows = [(i.input, Cell(f"{i.first:.3f} ± {i.first_conf:.3f}", i.first),
             Cell(f"{i.total:.3f} ± {i.total_conf:.3f}", i.total)) for i in sob.indices]
    return Sheet(f"Sobol indices of {sob.figure} ({sob.evaluations:,} points, N = "
                 f"{sob.samples:,}, seed {sob.seed})", ("input", "first-order", "total"), rows,
                 right=(1, 2), note="Top drivers: " + (", ".join(top_drivers(sob)) or "none"))


def sensitivity(title: str, sens, sob=None, fmt: str = "table"):
    """The tornado (and Sobol indices when computed) as a table, Markdown or CSV."""
    if fmt == "table":
        return sensitivity_view(title, sens, sob)
    from .sheet import render
    sheets = ([sensitivity_sheet(sens)] if sens is not None else []) + \
        ([sobol_sheet(sob)] if sob is not None else [])
    return render(sheets, fmt, title)


def simulation_sheets(sim) -> list:
    from .sheet import Cell, Sheet
    out = []
    if sim.probability_covered is not None:
        out.append(Sheet("Funding", ("", "value"), [
            ("P(covered)", Cell(f"{sim.probability_covered:.1%}", sim.probability_covered)),
            ("samples", Cell(f"{sim.samples:,}", sim.samples)), ("seed", str(sim.seed))],
            right=(1,)))
    out.append(Sheet("Headline figures", ("figure", "P10", "P50", "P90"),
                     [(f.name, Cell(_q(f.p10, f.unit), f.p10), Cell(_q(f.p50, f.unit), f.p50),
                       Cell(_q(f.p90, f.unit), f.p90)) for f in sim.figures
                      if not f.p10 == f.p90 == 0], right=(1, 2, 3)))
    seen, rows = set(), []
    for path, d in sim.inputs:
        key = d.key or path
        if key not in seen:
            seen.add(key)
            rows.append((str(key), _dist_text(d)))
    if sim.months:
        out.append(Sheet("When", ("figure", "P10", "P50", "P90", "happens in"),
                         [(m.name, _month(m.p10), _month(m.p50), _month(m.p90),
                           Cell(f"{m.share:.1%}", m.share)) for m in sim.months],
                         right=(1, 2, 3, 4)))
    out.append(Sheet("Uncertain inputs", ("path", "distribution"), rows))
    return out


def simulation(title: str, sim, fmt: str = "table"):
    if fmt == "table":
        return simulation_table(title, sim)
    from .sheet import render
    return render(simulation_sheets(sim), fmt, title)


def sobol_table(sob) -> Table:
    """Sobol indices, largest total first, with 95% bootstrap half-widths."""
    t = Table(title=f"Sobol indices of {sob.figure} ({sob.evaluations:,} points, N = "
                    f"{sob.samples:,}, seed {sob.seed})",
              box=box.SIMPLE_HEAD, title_justify="left", title_style="bold",
              caption="first-order: share of the variance the input explains alone; total: with "
                      "every interaction it takes part in; ± 95% bootstrap interval",
              caption_justify="left")
    t.add_column("input", overflow="fold", min_width=24)
    t.add_column("first-order", justify="right", no_wrap=True)
    t.add_column("total", justify="right", no_wrap=True)
    t.add_column("", no_wrap=True)
    for i in sob.indices:
        bar = "█" * int(round(max(min(i.total, 1.0), 0.0) * BAR * 2))
        t.add_row(safe.markup(i.input), f"{i.first:.3f} ± {i.first_conf:.3f}",
                  f"{i.total:.3f} ± {i.total_conf:.3f}", Text(bar, style="magenta"))
    t.add_row("sum", f"{sum(i.first for i in sob.indices):.3f}",
              f"{sum(i.total for i in sob.indices):.3f}", "")
    return t


def top_drivers(sob, share: float = 0.9) -> list:
    """The inputs whose total indices, largest first, reach ``share`` of their sum."""
    total = sum(max(i.total, 0.0) for i in sob.indices)
    if total <= 0:          # the figure does not vary: nothing drives it
        return []
    out, acc = [], 0.0
    for i in sob.indices:
        out.append(i.input)
        acc += max(i.total, 0.0)
        if acc >= share * total:
            break
    return out


def sensitivity_view(title: str, sens, sob) -> Group:
    parts = [tornado(title, sens)] if sens is not None else [Text(title, style="bold")]
    if sob is not None:
        parts.append(sobol_table(sob))
        parts.append(Text(safe.clean("Top drivers: " + (", ".join(top_drivers(sob)) or
                                                        f"none ({sob.figure} does not vary)"))))
    return Group(*parts)


def sensitivity_json(title: str, sens, sob=None) -> str:
    data = {"schema_version": SCHEMA_VERSION, "scenario": title}
    if sens is not None:
        data.update({"figure": sens.figure, "unit": sens.unit, "base": sens.base,
                     "swings": [{"input": s.path, "unit": s.unit, "p10": s.low_input,
                                 "p90": s.high_input, "at_p10": s.at_low, "at_p90": s.at_high,
                                 "swing": s.swing} for s in sens.swings]})
    if sob is not None:
        data.setdefault("figure", sob.figure)
        data["sobol"] = {"samples": sob.samples, "evaluations": sob.evaluations,
                         "seed": sob.seed, "variance": sob.variance,
                         "top_drivers": top_drivers(sob),
                         "indices": [{"input": i.input, "first_order": i.first,
                                      "first_order_conf": i.first_conf, "total": i.total,
                                      "total_conf": i.total_conf} for i in sob.indices]}
    return dumps(data)
