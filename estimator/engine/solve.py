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
    shortfall_usd: float            # the extra raise the plan as written needs
    needed_by: Optional[str]        # the month that extra raise must arrive by (the first gap)
    gap_month: Optional[str]
    lasts_until: Optional[str]
    scale: Optional[float]          # largest covered multiple of the plan's compute (None: no runs)
    binding: str                    # what stops a larger plan: 'money', 'time' or 'none'
    last_only: bool
    largest_run_flop: float         # the largest run's final-run compute at that scale
    total_flop: float               # the plan's total compute (with experiments) at that scale
    latest_finish: Optional[str]    # end month of the last run that finishes before cash runs out
    finished_runs: List[str]
    evaluations: int
    funded: bool = True             # False: the scenario writes down no money at all


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


def _on_time(result, scenario) -> bool:
    """Every run fits its max_days and ends inside the horizon."""
    end = scenario.horizon.end
    return all(bool(np.all(result.value(f"training.{row['key']}.fits")))
               for row in result.tables.get("training", [])) and \
        all(month <= end for _, month in _run_ends(result))


def solve(scenario, catalog, *, last_only: bool = False, tol: float = 1e-4,
          progress: Optional[Callable[[int], None]] = None) -> Solution:
    """Largest covered scale of the plan, the extra raise it needs and by when.

    A plan is feasible at scale ``k`` when the money covers it *and* every run still fits
    its ``max_days`` and the horizon; ``binding`` says which of the two stops a larger plan.
    A scenario without runs has nothing to scale: the answer is the extra raise alone.
    ``progress``, when given, is called with the number of engine evaluations so far.
    """
    from . import estimate
    funded = scenario.funding is not None
    if not funded:
        # no money written down: the answer is all the money the scenario needs, and by when
        from ..model import Funding
        scenario = replace(scenario, funding=Funding())
    count = [0]

    def check(k: float):
        count[0] += 1
        if progress is not None:
            progress(count[0])
        r = estimate(scaled(scenario, k, last_only), catalog)
        return bool(r.value("funding.covered")), _on_time(r, scenario)

    base = estimate(scenario, catalog)
    count[0] += 1
    full = bool(base.value("funding.covered"))
    gap = base.value("funding.gap_month")
    common = dict(covered=full, shortfall_usd=float(base.value("funding.shortfall_usd")),
                  needed_by=gap, gap_month=gap, lasts_until=base.value("funding.lasts_until"),
                  last_only=last_only, funded=funded)
    if not scenario.training or not funded:
        return Solution(scale=None, binding="none", largest_run_flop=0.0, total_flop=0.0,
                        latest_finish=None, finished_runs=[], evaluations=count[0], **common)
    lo, hi, binding = _bisect(check, full and _on_time(base, scenario), tol)
    at = estimate(scaled(scenario, lo, last_only), catalog) if lo > 0 else None
    largest = max((at.value(f"training.{row['key']}.compute_flop")
                   for row in at.tables["training"]), default=0.0) if at else 0.0
    total = at.value("training.total_compute_flop") if at else 0.0
    lasts = common["lasts_until"]
    finished = [(name, end) for name, end in _run_ends(base)
                if lasts is not None and end <= Month.parse(lasts)]
    return Solution(scale=lo, binding=binding, largest_run_flop=float(largest),
                    total_flop=float(total),
                    latest_finish=str(max(end for _, end in finished)) if finished else None,
                    finished_runs=[name for name, _ in finished], evaluations=count[0], **common)


def _bisect(check, feasible_at_one: bool, tol: float):
    """(largest feasible k, the first infeasible k found, what binds there)."""
    lo_k = 1e-6
    why = {"money": False, "time": False}

    def ok(k):
        money, time = check(k)
        if not (money and time):
            why["money" if not money else "time"] = True
        return money and time

    if feasible_at_one:
        lo, hi = 1.0, 2.0
        while ok(hi):
            lo, hi = hi, hi * 2
            if hi > MAX_SCALE:
                return MAX_SCALE, MAX_SCALE, "none"
    elif not ok(lo_k):
        return 0.0, 0.0, "money" if why["money"] else "time"
    else:
        lo, hi = lo_k, 1.0
    last = None
    while hi > 0 and (hi - lo) / hi > tol:
        mid = (lo + hi) / 2 if hi / lo < 16 else (lo * hi) ** 0.5
        money, time = check(mid)
        if money and time:
            lo = mid
        else:
            hi, last = mid, ("money" if not money else "time")
    if last is None:
        money, time = check(hi)
        last = "money" if not money else "time" if not time else "none"
    return lo, hi, last
