"""Monte Carlo and one-at-a-time sensitivity, on the same engine as every report.

:func:`simulate` replaces each distribution in the model by a numpy array of draws and
runs :func:`~estimator.engine.estimate_values` on it, chunk by chunk, so memory stays
flat however many samples are asked for. :func:`sensitivity` moves one uncertain input
at a time to its 10th and 90th percentile and records how a chosen figure swings.
"""
from __future__ import annotations

from typing import Callable, Dict, List, NamedTuple, Optional

import numpy as np

from ..distributions import Dist, collect, draw, substitute
from ..errors import InputError, UnknownFigure, did_you_mean

#: elements (samples x months) per chunk: bounds the memory of the monthly series
CHUNK_ELEMENTS = 800_000
MAX_SAMPLES = 2_000_000   # the kept headline values stay well under 1 GB


class Summary(NamedTuple):
    name: str
    unit: str
    mean: float
    p10: float
    p50: float
    p90: float


class Simulation(NamedTuple):
    samples: int
    seed: int
    inputs: List[tuple]                 # (path, Dist)
    probability_covered: Optional[float]
    figures: List[Summary]
    values: Dict[str, np.ndarray]       # headline figures, one value per sample
    draws: Dict[str, np.ndarray]        # input path -> samples (only when kept)


def _distributions(scenario) -> List[tuple]:
    found = collect(scenario)
    if not found:
        raise InputError("the scenario has no uncertain inputs: write a distribution such as "
                         "{low: 30%, high: 50%} where a number goes, or add an 'uncertainty:' block")
    return found


def chunk_size(months: int) -> int:
    return max(1, CHUNK_ELEMENTS // max(months, 1))


def simulate(scenario, catalog, samples: int, seed: int, *, chunk: Optional[int] = None,
             progress: Optional[Callable[[int], None]] = None, keep_draws: bool = False) -> Simulation:
    """Run the engine on ``samples`` draws of every uncertain input."""
    from . import estimate_values
    if not 1 <= samples <= MAX_SAMPLES:
        raise InputError(f"--samples must be between 1 and {MAX_SAMPLES:,}")
    found = _distributions(scenario)
    dists = [d for _, d in found]
    chunk = chunk or chunk_size(scenario.horizon.months)
    values: Dict[str, List[np.ndarray]] = {}
    units: Dict[str, str] = {}
    kept: Dict[str, List[np.ndarray]] = {p: [] for p, _ in found} if keep_draws else {}
    done = 0
    for n, drawn in draw(dists, seed, samples, chunk):
        sampled = substitute(scenario, lambda d: drawn[id(d)] if isinstance(d, Dist) else d)
        result = estimate_values(sampled, catalog, detail=False)
        for fig in result:
            if fig.headline and not fig.series and fig.unit not in ("month", "text"):
                v = np.broadcast_to(np.asarray(fig.value, dtype=float), (n,))
                values.setdefault(fig.name, []).append(np.array(v))
                units[fig.name] = fig.unit
        for p, d in found if keep_draws else ():
            kept[p].append(drawn[id(d)])
        done += n
        if progress is not None:
            progress(done)
    arrays = {k: np.concatenate(v) for k, v in values.items()}
    covered = arrays.pop("funding.covered", None)
    figures = []
    for name, arr in arrays.items():
        if arr.min() == arr.max():          # not uncertain at all: no need to sort
            p10 = p50 = p90 = float(arr[0])
        else:
            p10, p50, p90 = np.percentile(arr, [10, 50, 90])
        figures.append(Summary(name, units[name], float(np.mean(arr)), float(p10), float(p50),
                               float(p90)))
    if covered is not None:
        arrays["funding.covered"] = covered
    return Simulation(samples, seed, found,
                      float(np.mean(covered)) if covered is not None else None, figures, arrays,
                      {k: np.concatenate(v) for k, v in kept.items()})


class Swing(NamedTuple):
    path: str
    low_input: float
    high_input: float
    at_low: float
    at_high: float
    unit: str                # of the input

    @property
    def swing(self) -> float:
        return abs(self.at_high - self.at_low)


class Sensitivity(NamedTuple):
    figure: str
    unit: str
    base: float
    swings: List[Swing]


def default_figure(scenario) -> str:
    if scenario.funding is not None:
        return "funding.shortfall_usd"
    if scenario.training:
        return "training.cost.build_usd"
    return "capex.total_usd"


def sensitivity(scenario, catalog, figure: Optional[str] = None) -> Sensitivity:
    """Swing each uncertain input (one at a time) from its P10 to its P90."""
    from . import estimate_values
    found = _distributions(scenario)
    figure = figure or default_figure(scenario)
    base_scn = substitute(scenario, lambda d: d.base if isinstance(d, Dist) else d)
    base = estimate_values(base_scn, catalog)
    if figure not in base.figures or base[figure].series:
        hint = did_you_mean(figure, [n for n, f in base.figures.items() if not f.series])
        raise UnknownFigure(f"no single figure named '{figure}'" + (f"; {hint}" if hint else ""))
    groups: Dict[object, List[tuple]] = {}
    for path, d in found:
        groups.setdefault(d.key if d.key is not None else path, []).append((path, d))
    swings = []
    for key, members in groups.items():
        ends = []
        for q in (0.1, 0.9):
            chosen = {id(d): d.quantile(q) for _, d in members}
            scn = substitute(scenario, lambda d: chosen.get(id(d), d.base) if isinstance(d, Dist)
                             else d)
            ends.append(float(estimate_values(scn, catalog).value(figure)))
        d0 = members[0][1]
        swings.append(Swing(str(key), d0.quantile(0.1), d0.quantile(0.9), ends[0], ends[1],
                            d0.dim))
    swings.sort(key=lambda s: (-s.swing, s.path))
    return Sensitivity(figure, base[figure].unit, float(base.value(figure)), swings)


#: draws taken for the uncertainty line of a report (P(covered) to about +-1 point)
REPORT_SAMPLES = 2000


def annotate(result, scenario, catalog, samples: int = REPORT_SAMPLES, seed: int = 0) -> None:
    """Put the scenario's own uncertainty beside its base verdict, in ``result``.

    Records ``uncertainty.p_covered`` and P10/P50/P90 of the shortfall over ``samples`` draws
    of its distributions, and warns when a base value lies outside its own P10-P90, or when
    the base verdict is not the verdict of the median draw.
    """
    from ..result import Ledger
    if not scenario.uncertain or "funding.covered" not in result:
        return
    sim = simulate(scenario, catalog, samples, seed)
    ledger = Ledger(result)
    where = (f"Monte Carlo over the scenario's distributions ({result.files[0]}), "
             f"{samples:,} draws, seed {seed}")
    ledger.input("uncertainty.p_covered", sim.probability_covered, "fraction", where)
    short = next(f for f in sim.figures if f.name == "funding.shortfall_usd")
    for q in ("p10", "p50", "p90"):
        ledger.input(f"uncertainty.shortfall_{q}_usd", getattr(short, q), "money", where)
    for path, dist in sim.inputs:
        lo, hi = dist.quantile(0.1), dist.quantile(0.9)
        if dist.base is not None and not lo <= dist.base <= hi:
            ledger.warn(f"the base value of {path} ({dist.base:.4g}) lies outside its own "
                        f"P10-P90 ({lo:.4g} to {hi:.4g}): the base verdict is not a central "
                        "case")
    base_covered = bool(result.value("funding.covered"))
    if base_covered != (sim.probability_covered >= 0.5):
        ledger.warn(f"the base case is {'covered' if base_covered else 'not covered'}, but "
                    f"P(covered) over the scenario's own distributions is "
                    f"{sim.probability_covered:.0%}")
