"""Variance-based global sensitivity: Sobol first-order and total indices, with SALib.

The tornado (:func:`.uncertainty.sensitivity`) moves one input at a time and cannot see
interactions (revenue x MFU). Sobol indices split the variance of a figure over all the
uncertain inputs moving together: the first-order index of an input is the share of the
variance it explains alone, its total index the share it explains with every interaction
it takes part in. ``total - first`` is what it does only through interactions.

The sampling design and the estimators are SALib's (Saltelli 2010, Jansen 1999), imported
only here, so its import cost stays off every other command. Points are drawn on the unit
cube and mapped to each input's distribution by its inverse CDF; every point runs on the
same vectorized engine as ``simulate`` (N x (D + 2) points for D inputs).

References
----------
.. [1] Saltelli et al. 2010, "Variance based sensitivity analysis of model output",
   Computer Physics Communications 181(2), 259-270.
.. [2] Herman & Usher 2017, "SALib: An open-source Python library for Sensitivity
   Analysis", Journal of Open Source Software 2(9), 97.
"""
from __future__ import annotations

from typing import Callable, Dict, List, NamedTuple, Optional, Sequence

import numpy as np

from ..errors import InputError


class Index(NamedTuple):
    input: str
    first: float           # first-order index S1
    first_conf: float      # half-width of its 95% bootstrap interval
    total: float           # total index ST
    total_conf: float


class Sobol(NamedTuple):
    figure: str
    unit: str
    samples: int            # N: base samples (a power of two)
    evaluations: int        # N x (D + 2) engine points
    seed: int
    variance: float
    indices: List[Index]    # sorted by total index, largest first


def _salib():
    try:
        from SALib.analyze import sobol as analyze
        from SALib.sample import sobol as sample
    except ImportError:
        from ..errors import install_hint
        raise InputError(f"Sobol indices need SALib: {install_hint('SALib', 'sobol')}") from None
    return sample, analyze


def indices(names: Sequence[str], dists: Sequence, model: Callable[[np.ndarray], np.ndarray],
            samples: int, seed: int) -> tuple:
    """Sobol indices of ``model`` over inputs with distributions ``dists``.

    ``model`` takes a (points, inputs) matrix of raw input values (see :meth:`Dist.apply`)
    and returns one value per point. ``samples`` (N) is rounded up to a power of two, as the Sobol sequence needs.
    Returns (indices sorted by total, N, points, variance of the output).
    """
    sample, analyze = _salib()
    n = base_samples(samples)
    problem = {"num_vars": len(names), "names": list(names),
               "bounds": [[0.0, 1.0]] * len(names)}
    unit = sample.sample(problem, n, calc_second_order=False, seed=seed)
    # the unit cube's edges map to infinite tails for unbounded distributions
    unit = np.clip(unit, 0.5 / (n * 64), 1 - 0.5 / (n * 64))
    x = np.column_stack([d.raw_ppf(unit[:, j]) for j, d in enumerate(dists)])
    y = np.asarray(model(x), dtype=float)
    if not np.all(np.isfinite(y)):
        raise InputError("the figure is not finite at every sampled point; Sobol indices need "
                         "a finite figure")
    var = float(np.var(y))
    out = []
    if var > 0:
        res = analyze.analyze(problem, y, calc_second_order=False, seed=seed,
                              print_to_console=False)
        for j, name in enumerate(names):
            out.append(Index(name, float(res["S1"][j]), float(res["S1_conf"][j]),
                             float(res["ST"][j]), float(res["ST_conf"][j])))
    else:
        out = [Index(name, 0.0, 0.0, 0.0, 0.0) for name in names]
    out.sort(key=lambda i: (-i.total, i.input))
    return out, n, len(y), var


def base_samples(samples: int) -> int:
    """N: ``samples`` rounded up to a power of two (at least 2), as the Sobol sequence needs."""
    return 1 << max(int(np.ceil(np.log2(max(samples, 2)))), 1)


def sobol(scenario, catalog, figure: Optional[str] = None, samples: int = 1024, seed: int = 0
          ) -> Sobol:
    """Sobol indices of a figure of the scenario over all its uncertain inputs."""
    from ..budget import allow
    from .uncertainty import (distributions_of, base_result, check_draws, check_schedules,
                              chunk_size, evaluate, groups, in_chunks)
    check_draws(samples, seed, most=1 << 20)
    found = distributions_of(scenario)
    grouped = groups(found)
    keys = list(grouped)
    combinations = check_schedules(found, samples * (len(keys) + 2))
    chunk = chunk_size(scenario)
    n = base_samples(samples)             # Saltelli's N points for each of D + 2 matrices
    allowance = allow(scenario, f"sensitivity --method sobol --samples {samples} (N = {n:,}, "
                      "a power of two, x (inputs + 2) points)", samples=n,
                      passes=len(keys) + 2, chunk=chunk, groups=min(combinations, chunk, n))
    base, figure = base_result(scenario, catalog, figure)
    dists = [grouped[k][0][1] for k in keys]

    def model(x: np.ndarray) -> np.ndarray:
        columns: Dict[object, np.ndarray] = {k: x[:, j] for j, k in enumerate(keys)}
        ev = evaluate(scenario, catalog, in_chunks(columns, len(x), chunk), allowance,
                      figures=[figure], detail=not base[figure].headline, found=found)
        return ev.values[figure]

    found_indices, n, points, var = indices([str(k) for k in keys], dists, model, samples, seed)
    return Sobol(figure, base[figure].unit, n, points, seed, var, found_indices)
