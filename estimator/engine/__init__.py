"""The engine: pure functions over the model, and the rollup that records figures.

``estimate(scenario)`` returns a :class:`~estimator.result.Result`. Every engine
function accepts floats or numpy arrays and broadcasts, so the same code computes one
scenario or many Monte Carlo samples.

The rollup runs in order: :mod:`.sites` and :mod:`.fleets` (capex, power), :mod:`.series`
(monthly capex, opex, energy, depreciation), :mod:`.runs` and :mod:`.plan` (training),
:mod:`.funding` (the verdict). Each records its figures through :mod:`.ledger`.
"""
from __future__ import annotations

from ..result import Ledger, Result
from .context import Context
from .fleets import build_fleets
from .funding import estimate_funding
from .plan import Plan, estimate_plan_totals
from .runs import estimate_runs
from .series import estimate_series
from .sites import build_sites


def estimate(scenario, catalog=None) -> Result:
    """Compute every figure of a loaded scenario."""
    if catalog is None:
        from ..catalog import load_catalog
        catalog = load_catalog()
    if scenario.uncertain:
        from ..distributions import Dist, substitute
        scenario = substitute(scenario, lambda d: d.base_value if isinstance(d, Dist) else d)
    return estimate_values(scenario, catalog)


def estimate_values(scenario, catalog, detail: bool = True) -> Result:
    """The engine proper: every value is a number or an array of samples (no distributions).

    ``detail=False`` skips figures that only describe (depreciation of planned capacity, the
    serving fleet month by month); Monte Carlo uses it, as it keeps only headline figures.
    """
    import numpy as np
    with np.errstate(all="ignore"):     # overflow is caught where figures are recorded
        return _estimate_values(scenario, catalog, detail)


def _estimate_values(scenario, catalog, detail: bool) -> Result:
    catalog = catalog.with_entries(scenario.accelerators, scenario.servers)   # its own hardware
    if scenario.catalog:        # catalog values the scenario makes uncertain, as drawn
        catalog = catalog.with_values(scenario.catalog)
    h = scenario.horizon
    months = [str(h.start.plus(i)) for i in range(h.months)]
    result = Result(title=scenario.scenario, files=scenario.files, months=months)
    result.warnings.extend(scenario.notes)      # harmless keys the loader ignored
    ctx = Context(scenario, catalog, Ledger(result), months=h.months, start=h.start.index,
                  detail=detail)
    build_sites(ctx)
    build_fleets(ctx)
    estimate_series(ctx)
    if scenario.training:
        ctx.inputs.common("decay", "amount")
        plan = Plan(h.months)
        estimate_runs(ctx, plan)
        estimate_plan_totals(ctx, plan)
    estimate_funding(ctx)
    return result
