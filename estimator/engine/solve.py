"""Solve over the engine: the largest plan the money covers, and what the full plan lacks.

Scaling a plan multiplies every run's compute (or only the last run's) by a factor
``k``: ``compute`` directly, or ``tokens`` when a run is given as parameters and
tokens. Uses grow with ``k``, so coverage is monotone in it and bisection finds
the largest covered ``k`` to a relative precision of ``tol``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, List, Optional

import numpy as np

from ..errors import InputError
from ..model import Month
from ..record import replace
from .training import run_months

MAX_SCALE = 1024.0


@dataclass(frozen=True)
class Solution:
    covered: bool                   # the plan as written
    shortfall_usd: float            # the extra raise the full plan needs at the horizon's start
    gap_month: Optional[str]
    lasts_until: Optional[str]
    scale: float                    # largest covered multiple of the plan's compute
    last_only: bool
    largest_run_flop: float         # the largest run's final-run compute at that scale
    total_flop: float               # the plan's total compute (with experiments) at that scale
    latest_finish: Optional[str]    # end month of the last run that finishes before cash runs out
    finished_runs: List[str]
    evaluations: int


def scaled(scenario, k: float, last_only: bool = False):
    """The scenario with its runs' compute multiplied by ``k``."""
    runs = list(scenario.training)
    if not runs:
        raise InputError("the scenario has no training runs to scale")
    order = sorted(range(len(runs)), key=lambda i: runs[i].start or scenario.horizon.start)
    targets = [order[-1]] if last_only else order
    for i in targets:
        r = runs[i]
        if r.compute is not None:
            runs[i] = replace(r, compute=r.compute * k)
        else:
            runs[i] = replace(r, tokens=r.tokens * k)
    return replace(scenario, training=tuple(runs))


def _run_ends(result) -> List[tuple]:
    ends = []
    for row in result.tables.get("training", []):
        months = run_months(float(result.value(f"training.{row['key']}.days")))
        ends.append((row["run"], Month.parse(row["start"]).plus(months - 1)))
    return ends


def solve(scenario, catalog, *, last_only: bool = False, tol: float = 1e-4,
          progress: Optional[Callable[[int], None]] = None) -> Solution:
    """Largest covered scale of the plan, the extra raise it needs, and how far the money goes.

    ``progress``, when given, is called with the number of engine evaluations so far.
    """
    from . import estimate
    if scenario.funding is None:
        raise InputError("the scenario has no 'funding:' section to solve against")
    count = [0]

    def covered(k: float) -> bool:
        count[0] += 1
        if progress is not None:
            progress(count[0])
        return bool(estimate(scaled(scenario, k, last_only), catalog).value("funding.covered"))

    base = estimate(scenario, catalog)
    count[0] += 1
    full = bool(base.value("funding.covered"))
    lo_k = 1e-6
    if full:
        lo, hi = 1.0, 2.0
        while covered(hi):
            lo, hi = hi, hi * 2
            if hi > MAX_SCALE:
                lo = hi = MAX_SCALE
                break
    elif not covered(lo_k):
        lo = hi = 0.0
    else:
        lo, hi = lo_k, 1.0
    while hi > 0 and lo < MAX_SCALE and (hi - lo) / hi > tol:
        mid = (lo + hi) / 2 if hi / lo < 16 else (lo * hi) ** 0.5
        if covered(mid):
            lo = mid
        else:
            hi = mid
    at = estimate(scaled(scenario, lo, last_only), catalog) if lo > 0 else None
    largest = max((at.value(f"training.{row['key']}.compute_flop")
                   for row in at.tables["training"]), default=0.0) if at else 0.0
    total = at.value("training.total_compute_flop") if at else 0.0
    lasts = base.value("funding.lasts_until")
    finished = [(name, end) for name, end in _run_ends(base)
                if lasts is not None and end <= Month.parse(lasts)]
    return Solution(
        covered=full, shortfall_usd=float(base.value("funding.shortfall_usd")),
        gap_month=base.value("funding.gap_month"), lasts_until=lasts, scale=lo,
        last_only=last_only, largest_run_flop=float(largest), total_flop=float(total),
        latest_finish=str(max(end for _, end in finished)) if finished else None,
        finished_runs=[name for name, _ in finished], evaluations=count[0])
