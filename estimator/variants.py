"""Variants of one scenario, for side-by-side answers: the same plan acquired three ways."""
from __future__ import annotations

from typing import List

from .errors import InputError


def acquire_overrides(scenario, way: str) -> List[str]:
    """``--set`` overrides that acquire every run the plan sizes (no ``on:``/``rent:``) ``way``.

    ``way`` is ``owned``, ``rented`` or the name of one of the scenario's contracts.
    """
    contracts = [c.name for c in scenario.contracts]
    if way not in ("owned", "rented") and way not in contracts:
        from .errors import did_you_mean
        close = did_you_mean(way, ["owned", "rented"] + contracts)
        raise InputError(f"--acquire: '{way}' is neither 'owned', 'rented' nor one of the "
                         f"contracts ({', '.join(contracts) or 'none defined'})"
                         + (f"; {close}" if close else ""))
    planned = [i for i, r in enumerate(scenario.training) if r.on is None and r.rent is None]
    if not planned:
        raise InputError("--acquire: the scenario has no runs the plan sizes (runs without "
                         "'on:' or 'rent:') to acquire another way")
    return [f"training[{i}].acquire={way}" for i in planned]
