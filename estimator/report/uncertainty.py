"""Rendering of `estimator simulate` and `estimator sensitivity`: tables, a tornado, JSON."""
from __future__ import annotations

import json

from rich import box
from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..result import SCHEMA_VERSION
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
    parts = []
    if sim.probability_covered is not None:
        p = sim.probability_covered
        style = "green" if p >= 0.9 else ("yellow" if p >= 0.5 else "red")
        parts.append(Panel(Text.assemble(("P(covered) = ", "bold"), (f"{p:.1%}", f"bold {style}"),
                                         f"  over {sim.samples:,} samples (seed {sim.seed})"),
                           title=title, title_align="left", box=box.HEAVY, border_style=style))
    t = Table(title="Headline figures", box=box.SIMPLE_HEAD, title_justify="left",
              title_style="bold")
    t.add_column("figure", overflow="fold", min_width=30)
    for col in ("P10", "P50", "P90"):
        t.add_column(col, justify="right", no_wrap=True)
    for f in sim.figures:
        if f.p10 == f.p90 == 0:
            continue
        t.add_row(f.name, _q(f.p10, f.unit), _q(f.p50, f.unit), _q(f.p90, f.unit))
    parts.append(t)
    if sim.months:
        parts.append(months_table(sim))
    inputs = Table(title="Uncertain inputs", box=box.SIMPLE_HEAD, title_justify="left",
                   title_style="bold")
    inputs.add_column("path", overflow="fold")
    inputs.add_column("distribution", overflow="fold")
    seen = set()
    for path, d in sim.inputs:
        key = d.key or path
        if key in seen:
            continue
        seen.add(key)
        inputs.add_row(str(key), _dist_text(d))
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
        t.add_row(m.name, _month(m.p10), _month(m.p50), _month(m.p90), f"{m.share:.1%}")
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
    return json.dumps(data, indent=2) + "\n"


BAR = 10


def tornado(title: str, sens) -> Group:
    """Bars to the left of the base value go down, to the right go up."""
    t = Table(title=f"Sensitivity of {sens.figure} (base {format_quantity(sens.base, sens.unit)})",
              box=box.SIMPLE_HEAD, title_justify="left", title_style="bold",
              caption="each input moved alone from its P10 to its P90, the others at their base "
              "values; bars show how far the figure falls below or rises above its base",
              caption_justify="left")
    t.add_column("input", overflow="fold", min_width=24)
    t.add_column("P10 → P90", overflow="fold")
    t.add_column("lower", justify="right", no_wrap=True)
    t.add_column("higher", no_wrap=True)
    t.add_column("swing", justify="right", no_wrap=True)
    widest = max((s.swing for s in sens.swings), default=0.0) or 1.0
    for s in sens.swings:
        lo_d, hi_d = min(s.at_low, s.at_high) - sens.base, max(s.at_low, s.at_high) - sens.base
        left = int(round(min(-lo_d, widest) / widest * BAR)) if lo_d < 0 else 0
        right = int(round(min(hi_d, widest) / widest * BAR)) if hi_d > 0 else 0
        t.add_row(s.path, f"{_input_text(s.low_input, s.unit)} → "
                          f"{_input_text(s.high_input, s.unit)}",
                  Text("█" * left, style="cyan"), Text("│" + "█" * right, style="magenta"),
                  format_quantity(s.swing, sens.unit))
    return Group(Text(title, style="bold"), t)


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
        t.add_row(i.input, f"{i.first:.3f} ± {i.first_conf:.3f}",
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
        parts.append(Text("Top drivers: " + (", ".join(top_drivers(sob)) or
                                             f"none ({sob.figure} does not vary)")))
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
    return json.dumps(data, indent=2) + "\n"
