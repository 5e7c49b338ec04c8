"""The Python API: every command's computation, callable from code.

Each function takes a scenario as a file path, a shipped scenario's name
(``"stargate-500b"``, see :func:`estimator.scenarios.names`), ``None`` for the default
scenario, or a :class:`~estimator.model.Scenario` already loaded with :func:`load`.
``overrides`` are ``PATH=VALUE`` strings, like the command line's ``--set``
(``"funding.cash=$1B"``, ``"training[0].mfu=*0.9"``).

Errors are exceptions from :mod:`estimator.errors`: :class:`~estimator.errors.ConfigError`
(bad input, each problem located at ``file:line:col``), :class:`~estimator.errors.UnknownFigure`,
and their base :class:`~estimator.errors.InputError`.
"""
from __future__ import annotations

from typing import Iterable, Optional

import re

from .config import loader
from .model import Scenario, run_key

#: unit suffixes of input figures (``inputs.fleets.x.accelerator_price_usd``)
_UNIT_SUFFIX = (r"(_usd|_w|_wh|_hours|_flop|_usd_per_w|_usd_per_w_month|_usd_per_year"
                r"|_usd_per_hour)?")


def _strings(name: str, values) -> tuple:
    """``values`` as a tuple of strings; one string is refused, never read as its characters
    (``allow_extends="/srv/x"`` would otherwise allow '/', and with it every file)."""
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{name} is a list of strings, not one string: [{values!r}]")
    return tuple(values)


def load(path=None, overrides: Iterable[str] = (), catalog=None, *,
         allow_extends: Iterable[str] = ()) -> Scenario:
    """Read and validate a scenario (a file, a shipped name, or None for the default), with
    ``overrides`` applied like ``--set``.

    A relative override (``*0.8``, ``+10%``) of a value the scenario does not write, such as
    ``fleets.gb200.accelerator_price=*0.8`` where the price comes from the catalog, scales the
    value the engine uses for it: the scenario is estimated once without relative overrides
    and that value is read from its input figure (``inputs.fleets.gb200.accelerator_price_usd``).
    Where no single input figure holds it, the error says so. ``allow_extends``: folders
    outside the project that ``extends:`` may include from.

    Every command that takes ``--set`` loads through here (``report``, ``check``, ``explain``,
    ``solve``, ...), so an override means the same thing to each of them.
    """
    overrides, resolved = _strings("overrides", overrides), {}
    cat = _catalog(catalog, path)
    reach = {"allow_extends": _strings("allow_extends", allow_extends)}
    while True:
        try:
            return loader.load(path, overrides, catalog=cat, resolved=resolved, **reach)
        except loader.UnwrittenRelative as e:
            if e.where in resolved:
                raise
            used = _used_value(path, overrides, cat, e.parts, reach)
            if used is None:
                raise
            resolved[e.where] = used


def _used_value(path, overrides, catalog, parts: list, reach: dict):
    """(value, description) of the figure holding what the engine uses at the path ``parts``
    (keys, list positions or items by name)."""
    from .engine import estimate as run
    from .units import format_quantity
    absolute = [o for o in overrides if loader.relative_factor(o.split("=", 1)[-1]) is None]
    scenario = loader.load(path, absolute, catalog=catalog, **reach)
    parts = [str(p) for p in parts]
    if parts[0] == "training" and len(parts) > 1:   # a run's figures go under its key
        runs = [r.name for r in scenario.training]
        if parts[1].isdigit() and int(parts[1]) < len(runs):
            parts[1] = run_key(runs[int(parts[1])])
        elif parts[1] in runs:
            parts[1] = run_key(parts[1])
        else:
            return None
    result = run(scenario, catalog)
    pattern = re.compile(r"^inputs\." + re.escape(".".join(parts)) + _UNIT_SUFFIX + "$")
    found = [f for f in result if pattern.match(f.name) and not f.series
             and isinstance(f.value, (int, float)) and not isinstance(f.value, bool)]
    if len(found) != 1:
        return None
    fig = found[0]
    return float(fig.value), f"{fig.name} = {format_quantity(fig.value, fig.unit)}"


def _scenario(scenario, overrides: Iterable[str], catalog) -> Scenario:
    if scenario is None or isinstance(scenario, str) or hasattr(scenario, "__fspath__"):
        return load(None if scenario is None else str(scenario), _strings("overrides", overrides),
                    catalog=catalog)
    if not isinstance(scenario, Scenario):
        raise TypeError(f"expected a path, a shipped scenario's name or a Scenario, got "
                        f"{type(scenario).__name__}")
    if _strings("overrides", overrides):
        raise TypeError("overrides apply while loading: pass a path or name with them, or "
                        "load(path, overrides) first")
    return scenario


def _catalog(catalog, scenario=None):
    """A loaded catalog as given, a catalog folder's path, or None: the ``catalog:`` of the
    ``estimator.yaml`` above the scenario's file (as ``estimator report`` run in that project
    uses), else the shipped catalog."""
    from .catalog import load_catalog
    if catalog is None:
        return load_catalog(_project_catalog(scenario))
    if isinstance(catalog, str) or hasattr(catalog, "__fspath__"):
        return load_catalog(str(catalog))
    return catalog


def _project_catalog(scenario):
    """The catalog folder of the project around a scenario file, or None."""
    import os
    if not isinstance(scenario, str) and not hasattr(scenario, "__fspath__"):
        return None
    path = os.fspath(scenario)
    if not os.path.isfile(path):
        return None                     # a shipped scenario's name: the shipped catalog
    from .project import find_config, load_project
    found = find_config(os.path.dirname(os.path.abspath(path)))
    return load_project(found).catalog_dir() if found else None


def estimate(scenario=None, catalog=None, *, overrides: Iterable[str] = ()):
    """Every figure of a scenario, as a :class:`~estimator.result.Result`.

    >>> from estimator import estimate
    >>> estimate("h100-server").value("capex.total_usd")   # doctest: +SKIP
    386...
    """
    from .engine import estimate as run
    cat = _catalog(catalog, scenario)
    return run(_scenario(scenario, overrides, cat), cat)


def simulate(scenario=None, samples: int = 10_000, seed: int = 0, *,
             overrides: Iterable[str] = (), catalog=None, keep_draws: bool = False):
    """Monte Carlo over the scenario's distributions: a
    :class:`~estimator.engine.uncertainty.Simulation` with ``probability_covered``,
    ``figures`` (mean, P10, P50, P90 of each headline figure) and ``values`` (one value per
    sample). The same ``seed`` gives the same numbers."""
    from .engine.uncertainty import simulate as run
    cat = _catalog(catalog, scenario)
    return run(_scenario(scenario, overrides, cat), cat, samples, seed, keep_draws=keep_draws)


def sensitivity(scenario=None, figure: Optional[str] = None, *, overrides: Iterable[str] = (),
                catalog=None):
    """Each uncertain input swung alone from its P10 to its P90: a
    :class:`~estimator.engine.uncertainty.Sensitivity` whose ``swings`` give the figure at
    each end (``at_low`` at P10, ``at_high`` at P90), largest swing first."""
    from .engine.uncertainty import sensitivity as run
    if figure is not None and not isinstance(figure, str):
        raise TypeError(f"figure is one figure's name, a string such as "
                        f"'funding.shortfall_usd', not {type(figure).__name__}")
    cat = _catalog(catalog, scenario)
    return run(_scenario(scenario, overrides, cat), cat, figure)


def solve(scenario=None, last_only: bool = False, *, overrides: Iterable[str] = (),
          catalog=None):
    """The largest multiple of the plan's compute the money covers, the extra raise the full
    plan needs and how far the money goes: a :class:`~estimator.engine.solve.Solution`."""
    from .engine.solve import solve as run
    cat = _catalog(catalog, scenario)
    return run(_scenario(scenario, overrides, cat), cat, last_only=last_only)
