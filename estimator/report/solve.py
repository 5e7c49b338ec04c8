"""Rendering of `estimator solve`: words and JSON from a Solution."""
from __future__ import annotations

import dataclasses
import json

from ..result import SCHEMA_VERSION
from ..units import format_quantity


def render_text(title: str, s) -> str:
    lines = [title, ""]
    if s.covered:
        lines.append("The plan as written is covered.")
    else:
        lines.append(f"The plan as written is NOT covered: it needs "
                     f"{format_quantity(s.shortfall_usd, 'money')} more at the start "
                     f"(cash runs out in {s.gap_month}; lasts until {s.lasts_until}).")
    what = "its last run's compute" if s.last_only else "every run's compute"
    if s.scale <= 0:
        lines.append("Even without the plan the money does not cover the rest of the spending.")
    else:
        lines.append(f"Largest plan the money covers: {s.scale:.4g}x {what} "
                     f"(largest run {format_quantity(s.largest_run_flop, 'compute')}, "
                     f"{format_quantity(s.total_flop, 'compute')} in all with experiments).")
    if not s.covered:
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
