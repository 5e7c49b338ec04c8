"""Rendering of `estimator solve`: words, a table, Markdown, CSV and JSON from a Solution."""
from __future__ import annotations

import dataclasses


from .. import text as safe
from ..result import SCHEMA_VERSION, dumps
from ..units import format_quantity


def multiple(k: float) -> str:
    """A scale factor as people write it: 0.8x, 1.23x, 13x (the bisection's digits are noise)."""
    if k >= 10:
        return f"{k:.0f}x"
    return f"{k:.2f}".rstrip("0").rstrip(".") + "x"


def render_text(title: str, s, width: int = 100) -> str:
    lines = [safe.clean(title), ""]
    if not s.funded:
        lines.append(f"The scenario writes down no money: carrying it through its verdict's "
                     f"window takes {format_quantity(s.shortfall_usd, 'money')}, the first of it "
                     f"by {s.needed_by}. Add a 'funding:' section to weigh a raise against it.")
        lines.append(f"({s.evaluations} evaluations of the engine)")
        return "\n".join(lines) + "\n"
    if s.covered:
        lines.append("The plan as written is covered.")
    else:
        lines.append(f"The plan as written is NOT covered: it needs "
                     f"{format_quantity(s.shortfall_usd, 'money')} more, arriving by "
                     f"{s.needed_by}" + (f" (the money lasts until {s.lasts_until})."
                                          if s.lasts_until else "."))
    what = "its last run's compute" if s.last_only else "every run's compute"
    if s.scale is None:
        lines.append("The scenario has no training runs: the extra raise above is the whole "
                     "answer." if not s.covered else "The scenario has no training runs to "
                     "scale.")
    elif s.scale <= 0:
        lines.append("Even without the plan the money does not cover the rest of the spending.")
    else:
        lines.append(f"Largest plan the money covers: {multiple(s.scale)} {what} "
                     f"(largest run {format_quantity(s.largest_run_flop, 'compute')}, "
                     f"{format_quantity(s.total_flop, 'compute')} in all with experiments).")
        if s.binding == "time":
            lines.append("Time, not money, binds: a larger plan no longer fits max_days or the "
                         "horizon.")
        elif s.binding == "money":
            lines.append("Money binds: a larger plan runs out of cash.")
    if not s.covered and s.scale is not None:
        if s.latest_finish:
            lines.append(f"Latest finish the money allows: {s.latest_finish} "
                         f"({', '.join(safe.clean(r) for r in s.finished_runs)} complete before "
                         "the cash runs out).")
        else:
            lines.append("No run of the plan completes before the cash runs out.")
    lines.append(f"({s.evaluations} evaluations of the engine)")
    import textwrap
    return "\n".join(w for line in lines for w in (textwrap.wrap(line, width) or [""])) + "\n"


def sheet(title: str, s):
    from .sheet import Cell, Sheet
    rows = [("covered as written", Cell("yes" if s.covered else "no", s.covered)),
            ("extra raise the full plan needs", Cell(format_quantity(s.shortfall_usd, "money"),
                                                     s.shortfall_usd)),
            ("cash runs out", s.gap_month or "–"),
            ("largest covered multiple of " + ("the last run" if s.last_only else "every run"),
             Cell(multiple(s.scale), s.scale)),
            ("largest run at that scale", Cell(format_quantity(s.largest_run_flop, "compute"),
                                               s.largest_run_flop)),
            ("latest finish the money allows", s.latest_finish or "–")]
    return Sheet(f"Solve: {title}", ("", "value"), rows, right=(1,))


def render(title: str, s, fmt: str = "table", width: int = 100):
    if fmt == "table":
        return render_text(title, s, width)
    from .sheet import render as render_sheets
    return render_sheets([sheet(title, s)], fmt)


def render_json(title: str, s) -> str:
    data = {"schema_version": SCHEMA_VERSION, "scenario": title, **dataclasses.asdict(s)}
    return dumps(data)


def _pct(p: float) -> str:
    return f"{p:.1%}" if round(p * 1000) % 10 else f"{p:.0%}"


def money_exact(x: float) -> str:
    """An amount written so it reads back exactly (to 6 significant figures): $258B, $1.23M."""
    for unit, scale in (("T", 1e12), ("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(x) >= scale:
            return f"${x / scale:.6g}{unit}"
    return f"${x:.6g}"


def set_raise(s) -> str:
    """The --set that adds the raise to the scenario (to check it with `estimator simulate`)."""
    return (f"--set 'funding.raises[+]={{name: confidence-"
            f"{s.confidence * 100:g}, amount: {money_exact(s.raise_usd)}, date: {s.raise_by}}}'")


def _arrival_spans(arrivals, conf: str):
    """(``by 2025-01`` or ``by 2025-01 to 2026-10``, amount) with months that need the same
    amount run together, so a flat stretch reads as one line, not a column of equal sums."""
    spans = []
    for a in arrivals:
        amount = format_quantity(a.amount_usd, "money") if a.amount_usd is not None else \
            f"too late for {conf}"
        if spans and spans[-1][2] == amount:
            spans[-1][1] = a.month
        else:
            spans.append([a.month, a.month, amount])
    return [(f"by {first}" if first == last else f"by {first} to {last}", amount)
            for first, last, amount in spans]


def confidence_text(title: str, s) -> str:
    conf = _pct(s.confidence)
    lines = [safe.clean(title), "",
             f"P(covered) of the plan as written: {_pct(s.probability_covered)} over "
             f"{s.samples:,} samples (seed {s.seed}; the window ends {s.window_end}).", ""]
    if s.probability_on_time < 1:
        lines[-1:-1] = [f"Every run within its max_days and the horizon in "
                        f"{_pct(s.probability_on_time)} of them; money does not change that: "
                        "a raise below is for the money alone."]
    if s.raise_by is None:
        lines.append(f"No extra raise is needed to be {conf} sure.")
    else:
        lo, hi = s.least_raise_interval_usd
        lines += [
            f"To be {conf} sure: raise {format_quantity(s.raise_usd, 'money')} more by "
            f"{s.raise_by}.",
            f"  P(covered) with it: {s.probability_with_raise:.2%} ± {s.standard_error:.2%} "
            f"(Monte Carlo standard error).",
            f"  The least amount, arriving at the start: {format_quantity(s.least_raise_usd, 'money')}"
            f" (95% Monte Carlo interval {format_quantity(lo, 'money')} to "
            f"{format_quantity(hi, 'money')}); {s.raise_by} is the latest month by which an "
            "amount within that interval still does.",
            "  What it takes, by when it arrives (later costs as much or more):"]
        lines += [f"    {span}: {amount}" for span, amount in _arrival_spans(s.arrivals, conf)]
        lines += ["  Check it with another seed:",
                  f"    estimator simulate --seed {s.seed + 1} " + set_raise(s)]
    lines.append("")
    if s.scale <= 0:
        lines.append(f"No multiple of the plan is covered with {conf} confidence.")
    else:
        lines.append(f"Largest plan covered with {conf} confidence: {multiple(s.scale)} the plan's "
                     f"compute (P(covered, every run within its max_days and the horizon) "
                     f"{_pct(s.scale_probability)} there; largest run "
                     f"{format_quantity(s.largest_run_flop, 'compute')}, "
                     f"{format_quantity(s.total_flop, 'compute')} in all with experiments).")
    lines.append(f"({s.evaluations:g} passes of the engine over the samples, all on the same "
                 "draws)")
    return "\n".join(lines) + "\n"


def confidence_sheet(title: str, s):
    """solve --confidence as a sheet (Markdown, CSV)."""
    from .sheet import Cell, Sheet
    money = lambda v: Cell(format_quantity(v, "money"), v)   # noqa: E731
    rows = [("confidence asked", Cell(_pct(s.confidence), s.confidence)),
            ("P(covered) as written", Cell(_pct(s.probability_covered), s.probability_covered)),
            ("P(every run on time) as written", Cell(_pct(s.probability_on_time),
                                                     s.probability_on_time)),
            ("extra raise", money(s.raise_usd) if s.raise_by else Cell("none needed", 0.0)),
            ("arriving by", s.raise_by or "–"),
            ("least raise at the start", money(s.least_raise_usd)),
            ("largest plan covered", Cell(multiple(s.scale), s.scale)),
            ("P(covered and on time) there", Cell(_pct(s.scale_probability),
                                                  s.scale_probability)),
            ("samples", Cell(f"{s.samples:,}", s.samples)), ("seed", str(s.seed))]
    return Sheet(f"Solve with confidence: {title}", ("", "value"), rows, right=(1,))


def confidence(title: str, s, fmt: str = "table", width: int = 100):
    if fmt == "table":
        import textwrap
        return "\n".join(w for line in confidence_text(title, s).splitlines()
                         for w in (textwrap.wrap(line, width, subsequent_indent="    ")
                                   if not line.lstrip().startswith("estimator ") else [line])
                         or [""]) + "\n"
    from .sheet import render as render_sheets
    return render_sheets([confidence_sheet(title, s)], fmt)


def confidence_json(title: str, s) -> str:
    data = {"schema_version": SCHEMA_VERSION, "scenario": title, **dataclasses.asdict(s)}
    data["least_raise_interval_usd"] = list(s.least_raise_interval_usd)
    if s.raise_by is not None:
        data["check"] = set_raise(s)
    return dumps(data)
