"""Owners' unit economics: the all-in cost of one accelerator-hour over a fleet's life.

The first number an infrastructure planner asks for: what an owned accelerator-hour costs
once the capex is recovered over the depreciation life at a cost of capital, opex is added,
and only the hours actually sold carry it. Capital is recovered as a level annuity (the
capital recovery factor), the standard levelised-cost method [1]. Floats or numpy arrays.

References
----------
.. [1] W. Short, D. J. Packey, T. Holt, "A Manual for the Economic Evaluation of Energy
   Efficiency and Renewable Energy Technologies", NREL/TP-462-5173, 1995: capital recovery
   factor CRF = r / (1 - (1 + r)^-n) and levelised cost.
"""
from __future__ import annotations

import numpy as np

from ..units import HOURS_PER_YEAR


def capital_recovery_factor(rate, years):
    """Share of an investment to recover each year to repay it with interest over ``years`` [1].

    Parameters
    ----------
    rate : numeric
        Cost of capital a year; 0 gives straight-line recovery (1 / years). [1/year]
    years : numeric
        Life over which the capital is recovered. [years]

    Returns
    -------
    numeric
        r / (1 - (1 + r)^-n). [1/year]
    """
    rate = np.asarray(rate, dtype=float)
    years = np.asarray(years, dtype=float)
    safe = np.where(np.abs(rate) < 1e-12, 1.0, rate)
    crf = safe / (1.0 - (1.0 + safe) ** -years)
    return np.where(np.abs(rate) < 1e-12, 1.0 / years, crf)


def capital_usd_per_hour(capex_usd, years, rate, sold_utilisation):
    """Capital cost of one sold accelerator-hour: capex x CRF / (8,766 h x sold share). [USD/hour]"""
    return capex_usd * capital_recovery_factor(rate, years) / (HOURS_PER_YEAR * sold_utilisation)


def opex_usd_per_hour(opex_usd_per_year, sold_utilisation):
    """Operating cost of one sold accelerator-hour: yearly opex / (8,766 h x sold share). [USD/hour]"""
    return opex_usd_per_year / (HOURS_PER_YEAR * sold_utilisation)


def cost_usd_per_hour(capex_usd, years, rate, opex_usd_per_year, sold_utilisation):
    """All-in cost of one sold accelerator-hour: capital + opex per sold hour. [USD/hour]

    Parameters
    ----------
    capex_usd : numeric
        Capex per accelerator: its share of servers, network, storage and buildings. [USD]
    years : numeric
        Depreciation life. [years]
    rate : numeric
        Cost of capital a year. [1/year]
    opex_usd_per_year : numeric
        Yearly opex per accelerator: electricity, maintenance, staff, insurance, colocation. [USD]
    sold_utilisation : numeric
        Share of the hours in a year that are sold. [1]
    """
    return (capital_usd_per_hour(capex_usd, years, rate, sold_utilisation)
            + opex_usd_per_hour(opex_usd_per_year, sold_utilisation))
