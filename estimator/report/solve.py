"""Rendering of `estimator solve`: words and JSON from a Solution."""
from __future__ import annotations

import dataclasses
import json

from ..result import SCHEMA_VERSION
from ..units import format_quantity


def render_text(title: str, s) -> str:
    lines = [title, ""]
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
        lines.append(f"Largest plan the money covers: {s.scale:.4g}x {what} "
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
                         f"({', '.join(s.finished_runs)} complete before the cash runs out).")
        else:
            lines.append("No run of the plan completes before the cash runs out.")
    lines.append(f"({s.evaluations} evaluations of the engine)")
    return "\n".join(lines) + "\n"


def render_json(title: str, s) -> str:
    data = {"schema_version": SCHEMA_VERSION, "scenario": title, **dataclasses.asdict(s)}
    return json.dumps(data, indent=2) + "\n"


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


def confidence_text(title: str, s) -> str:
    conf = _pct(s.confidence)
    lines = [title, "",
             f"P(covered) of the plan as written: {_pct(s.probability_covered)} over "
             f"{s.samples:,} samples (seed {s.seed}; the window ends {s.window_end}).", ""]
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
            "  Arriving later costs more:"]
        for a in s.arrivals:
            lines.append(f"    by {a.month}: " + (format_quantity(a.amount_usd, 'money')
                                                  if a.amount_usd is not None else
                                                  f"too late for {conf}"))
        lines += ["  Check it with another seed:",
                  f"    estimator simulate --seed {s.seed + 1} " + set_raise(s)]
    lines.append("")
    if s.scale <= 0:
        lines.append(f"No multiple of the plan is covered with {conf} confidence.")
    else:
        lines.append(f"Largest plan covered with {conf} confidence: {s.scale:.3g}x the plan's "
                     f"compute (P(covered) {_pct(s.scale_probability)} there; largest run "
                     f"{format_quantity(s.largest_run_flop, 'compute')}, "
                     f"{format_quantity(s.total_flop, 'compute')} in all with experiments).")
    lines.append(f"({s.evaluations:g} passes of the engine over the samples, all on the same "
                 "draws)")
    return "\n".join(lines) + "\n"


def confidence_json(title: str, s) -> str:
    data = {"schema_version": SCHEMA_VERSION, "scenario": title, **dataclasses.asdict(s)}
    data["least_raise_interval_usd"] = list(s.least_raise_interval_usd)
    if s.raise_by is not None:
        data["check"] = set_raise(s)
    return json.dumps(data, indent=2) + "\n"
