"""Solve over the engine: the largest plan the money covers, and what the full plan lacks.

Scaling a plan multiplies every run's compute (or only the last run's) by a factor
``k``: ``compute`` directly, or ``tokens`` when a run is given as parameters and
tokens. Uses grow with ``k``, so coverage is monotone in it and bisection finds
the largest covered ``k`` to a relative precision of ``tol``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, List, Optional, Tuple

import numpy as np

from ..budget import allow, check_work
from ..errors import InputError
from ..model import Month
from ..record import replace
from .training import run_months

MAX_SCALE = 1024.0
#: the most engine passes a solve makes (doubling to MAX_SCALE, then bisection to 1e-4)
MAX_PASSES = 32
#: the passes over all the samples ``solve --confidence`` expects to make (the plan as
#: written, the scale search on a fifth of the draws, its refinement on all): the shipped
#: scenarios take 2 to 8; a search that needs more is stopped at the work budget itself
CONFIDENCE_PASSES = 12


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
    def start(r):       # an uncertain start orders by its base month
        m = r.start or scenario.horizon.start
        return m.base_value if hasattr(m, "base_value") else m
    order = sorted(range(len(runs)), key=lambda i: start(runs[i]))
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


def _on_time(result) -> bool:
    """Every run fits its max_days and ends inside the horizon (in every sample)."""
    return "training.on_time" not in result or bool(np.all(result.value("training.on_time")))


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
    check_work(scenario, "solve", passes=MAX_PASSES if scenario.training and funded else 1)
    count = [0]

    def check(k: float):
        count[0] += 1
        if progress is not None:
            progress(count[0])
        r = estimate(scaled(scenario, k, last_only), catalog)
        return bool(r.value("funding.covered")), _on_time(r)

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
    lo, hi, binding = _bisect(check, full and _on_time(base), tol)
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


# --------------------------------------------------------------------------- under uncertainty

Z95 = 1.959963984540054     # two-sided 95% normal quantile


@dataclass(frozen=True)
class Arrival:
    """How much extra must arrive by a month for P(covered) >= the confidence."""
    month: str
    amount_usd: Optional[float]     # None: arriving then is too late for that confidence


@dataclass(frozen=True)
class ConfidenceSolution:
    confidence: float               # the P asked for
    samples: int
    seed: int
    probability_covered: float      # the plan as written: the money covers it
    probability_on_time: float      # the plan as written: every run within max_days, horizon
    raise_usd: float                # the extra raise, rounded up to 3 significant figures
    raise_by: Optional[str]         # the month it must arrive by (None: no raise needed)
    probability_with_raise: float   # P(covered) in these samples with raise_usd by raise_by
    standard_error: float           # Monte Carlo standard error of that probability
    least_raise_usd: float          # the least extra raise (arriving at the horizon's start)
    least_raise_interval_usd: Tuple[float, float]   # its 95% Monte Carlo interval
    arrivals: List[Arrival]         # later arrival -> more money (or too late)
    scale: float                    # largest multiple of the plan covered (and on time) with
    #                                 the confidence, as solve's: money and time both
    scale_probability: float        # P(covered and on time) at that scale, in these samples
    largest_run_flop: float
    total_flop: float
    window_end: Optional[str]
    evaluations: float              # engine passes, in passes over all the samples


def round_up(x: float, digits: int = 3) -> float:
    """``x`` rounded up to ``digits`` significant figures (a raise stated is never too small)."""
    if x <= 0:
        return 0.0
    e = math.floor(math.log10(x)) - digits + 1
    step = 10.0 ** e
    return math.ceil(x / step - 1e-9) * step


def in_time(gap: np.ndarray, month: int) -> np.ndarray:
    """Samples that money arriving in month offset ``month`` can still cover: their balance
    is not below the buffer before that month (the verdict's first gap is at or after it,
    or there is none). Then ``x`` covers a sample when ``x`` >= its shortfall: money
    arriving in ``month`` lifts every later month by ``x``, and every month short is later.
    """
    return (gap < 0) | (gap >= month)


def needed_by(shortfall: np.ndarray, gap: np.ndarray, month: int, p: float) -> float:
    """Least extra money arriving in month offset ``month`` that covers a share ``p`` of samples
    (:func:`in_time` and ``x`` >= the shortfall); ``inf`` when fewer than that share can be
    covered by money arriving then.
    """
    x = np.sort(np.where(in_time(gap, month), shortfall, np.inf))
    k = max(int(math.ceil(p * len(x) - 1e-9)), 1)
    return float(x[k - 1])


def raise_for_confidence(shortfall: np.ndarray, gap: np.ndarray, p: float, window: int
                         ) -> Tuple[float, int, float, Tuple[float, float]]:
    """(amount, month offset, least amount, its 95% interval) for P(covered) >= ``p``.

    The least amount arrives at the horizon's start. The month is the latest by which an
    amount within the least amount's Monte Carlo interval still reaches ``p``: waiting
    longer would cost more than the sampling error of the answer.
    """
    n = len(shortfall)
    ordered = np.sort(shortfall)
    k = max(int(math.ceil(p * n - 1e-9)), 1)
    half = Z95 * math.sqrt(n * p * (1 - p))
    lo_i, hi_i = max(int(math.floor(k - half)), 1), min(int(math.ceil(k + half)), n)
    least = float(ordered[k - 1])
    interval = (float(ordered[lo_i - 1]), float(ordered[hi_i - 1]))
    if least <= 0:
        return 0.0, 0, 0.0, interval
    lo_m, hi_m = 0, window          # needed_by grows with the month: bisect the latest month
    while lo_m < hi_m:
        mid = (lo_m + hi_m + 1) // 2
        if needed_by(shortfall, gap, mid, p) <= interval[1]:
            lo_m = mid
        else:
            hi_m = mid - 1
    return needed_by(shortfall, gap, lo_m, p), lo_m, least, interval


def covered_with(shortfall: np.ndarray, gap: np.ndarray, amount: float, month: int) -> np.ndarray:
    """Which samples ``amount`` arriving in month offset ``month`` covers."""
    return in_time(gap, month) & (shortfall <= amount)


class Sampler:
    """Engine passes over the same draws (common random numbers), counted in full passes,
    each charged to the command's work allowance (:func:`estimator.budget.allow`)."""

    def __init__(self, catalog, seed: int, samples: int, allowance,
                 progress: Optional[Callable[[int], None]] = None):
        self.catalog, self.seed, self.samples = catalog, seed, samples
        self.allowance, self.chunk = allowance, allowance.chunk
        self.progress, self.passes = progress, 0.0

    def run(self, scn, figures, n: Optional[int] = None):
        from ..distributions import collect
        from .uncertainty import drawn_chunks, evaluate
        n = n or self.samples
        self.passes += n / self.samples
        if self.progress is not None:
            self.progress(int(self.passes))
        found = collect(scn)
        return evaluate(scn, self.catalog, drawn_chunks(found, self.seed, n, self.chunk),
                        self.allowance, figures=figures, found=found)

    def p_covered(self, scn, n: int) -> float:
        """P(the money covers the plan and every run is on time): what a plan needs to be
        feasible, as in :func:`solve`."""
        values = self.run(scn, ["funding.covered", "training.on_time"], n).values
        ok = values["funding.covered"].astype(bool)
        if "training.on_time" in values:
            ok = ok & values["training.on_time"].astype(bool)
        return float(np.mean(ok))


def raise_answer(ev, confidence: float, labels: List[str]) -> dict:
    """The raise part of a :class:`ConfidenceSolution` from one evaluation's samples."""
    shortfall, gap = ev.values["funding.shortfall_usd"], ev.months["funding.gap_month"]
    least, month, least0, interval = raise_for_confidence(shortfall, gap, confidence, ev.window)
    amount = round_up(least)
    achieved = float(np.mean(covered_with(shortfall, gap, amount, month)))
    arrivals = []
    for m in range(0, ev.window + 1, 3 if ev.window < 120 else 12):
        need = needed_by(shortfall, gap, m, confidence)
        arrivals.append(Arrival(labels[m], None if math.isinf(need) else round_up(need)))
        if math.isinf(need):
            break
    return dict(raise_usd=amount if least > 0 else 0.0,
                raise_by=labels[month] if least > 0 else None, probability_with_raise=achieved,
                standard_error=math.sqrt(max(achieved * (1 - achieved), 1e-12) / len(shortfall)),
                least_raise_usd=least0, least_raise_interval_usd=interval, arrivals=arrivals)


def solve_confidence(scenario, catalog, confidence: float, *, samples: int = 100_000,
                     seed: int = 0, last_only: bool = False, tol: float = 0.01,
                     progress: Optional[Callable[[int], None]] = None) -> ConfidenceSolution:
    """The extra raise (and by when) and the largest plan covered with probability ``confidence``.

    Every evaluation uses the same draws (common random numbers), so the answers move
    smoothly with the plan's scale and do not jitter between evaluations.
    """
    from .uncertainty import check_draws, check_schedules, chunk_size, distributions_of
    check_draws(samples, seed)
    if scenario.funding is None:
        raise InputError("the scenario has no 'funding:' section to solve against")
    if not 0 < confidence < 1:
        raise InputError("--confidence must be between 0% and 100% (exclusive), e.g. 90%")
    combinations = check_schedules(distributions_of(scenario), samples)
    chunk = chunk_size(scenario)
    allowance = allow(scenario, f"solve --confidence {confidence * 100:.4g}% --samples "
                      f"{samples}", samples=samples, chunk=chunk,
                      passes=CONFIDENCE_PASSES if scenario.training else 1,
                      groups=min(combinations, chunk, samples))
    sampler = Sampler(catalog, seed, samples, allowance, progress)
    ev = sampler.run(scenario, ["funding.covered", "funding.shortfall_usd", "training.on_time"])
    labels = [str(scenario.horizon.start.plus(i)) for i in range(scenario.horizon.months)]
    p_now = float(np.mean(ev.values["funding.covered"]))
    # a plan is feasible when the money covers it and every run is on time (as in solve)
    on_time = ev.values.get("training.on_time", np.ones(1)).astype(bool)
    feasible = ev.values["funding.covered"].astype(bool) & on_time
    # the largest plan: its scale found on a fifth of the draws, then refined on all of
    # them from that bracket; every step uses the same draws (common random numbers)
    few = max(samples // 5, 1)
    lo, _, hi = _confidence_scale(scenario, confidence, tol, float(np.mean(feasible[:few])),
                                  lambda k: sampler.p_covered(scaled(scenario, k, last_only),
                                                              few))
    scale, p_scale, _ = _confidence_scale(
        scenario, confidence, tol, float(np.mean(feasible)),
        lambda k: sampler.p_covered(scaled(scenario, k, last_only), samples),
        (lo * (1 - tol), hi * (1 + tol)) if lo > 0 else None)
    at = None
    if scale > 0:
        from . import estimate
        at = estimate(scaled(scenario, scale, last_only), catalog)
    largest = max((at.value(f"training.{row['key']}.compute_flop")
                   for row in at.tables["training"]), default=0.0) if at else 0.0
    return ConfidenceSolution(
        confidence=confidence, samples=samples, seed=seed, probability_covered=p_now,
        probability_on_time=float(np.mean(on_time)),
        **raise_answer(ev, confidence, labels),
        scale=scale, scale_probability=p_scale, largest_run_flop=float(largest),
        total_flop=float(at.value("training.total_compute_flop")) if at else 0.0,
        window_end=labels[ev.window] if ev.window >= 0 else None,
        evaluations=round(sampler.passes, 1))


def _confidence_scale(scenario, p: float, tol: float, p_now: float,
                      p_at: Callable[[float], float], bracket: Optional[Tuple[float, float]] = None
                      ) -> Tuple[float, float, float]:
    """Largest scale k of the plan with P(covered at k) >= p: (k, its P, the bracket's top).

    P(covered) falls as k grows. The root is bracketed (from ``bracket`` when given, else
    from k = 1) by doubling or quartering, then found by regula falsi on log k with the
    Illinois step, which needs a handful of evaluations where bisection needs a dozen; it
    stops when the bracket is within ``tol``.
    """
    if not scenario.training:
        return 0.0, p_now, 0.0
    known = {1.0: p_now}

    def at(k: float) -> float:
        if k not in known:
            known[k] = p_at(k)
        return known[k]
    if bracket is None and p_now < p and at(1e-6) < p:
        return 0.0, known[1e-6], 1e-6      # even (almost) no plan falls short: stop here
    lo, hi = bracket if bracket else (0.25, 1.0)
    p_hi = at(hi)
    while p_hi >= p:
        lo, p_lo, hi = hi, p_hi, hi * 2
        if hi > MAX_SCALE:
            return lo, p_lo, lo
        p_hi = at(hi)
    p_lo = at(lo)
    while p_lo < p:
        hi, p_hi, lo = lo, p_lo, lo / 4
        if lo < 1e-6:
            return 0.0, p_lo, hi
        p_lo = at(lo)
    f_lo, f_hi = p_lo - p, p_hi - p          # f_lo >= 0 > f_hi
    side = 0
    while (hi - lo) / hi > tol:
        a, b = math.log(lo), math.log(hi)
        x = b - f_hi * (b - a) / (f_hi - f_lo) if f_lo != f_hi else (a + b) / 2
        # stay strictly inside, away from the ends, so the bracket always shrinks
        x = min(max(x, a + 0.05 * (b - a)), b - 0.05 * (b - a))
        mid = math.exp(x)
        q = at(mid)
        if q >= p:
            lo, p_lo, f_lo = mid, q, q - p
            if side == 1:
                f_hi /= 2
            side = 1
        else:
            hi, p_hi, f_hi = mid, q, q - p
            if side == -1:
                f_lo /= 2
            side = -1
    return lo, p_lo, hi
