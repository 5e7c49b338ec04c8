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
