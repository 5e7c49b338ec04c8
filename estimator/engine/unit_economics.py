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
from .ledger import formula


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


@formula("capex per accelerator x capital recovery factor (cost of capital, life) / (8,766 h x "
         "sold utilisation)")
def class_capital_usd_per_hour(capex_usd, accelerators, life_hours, rate, sold_utilisation):
    """Capital cost per sold accelerator-hour of one asset class of a fleet. [USD/hour]"""
    per = capex_usd / np.maximum(accelerators, 1e-300)
    return capital_usd_per_hour(per, np.asarray(life_hours, dtype=float) / HOURS_PER_YEAR, rate,
                                sold_utilisation)


@formula("land per accelerator x cost of capital / (8,766 h x sold utilisation): land is not "
         "depreciated, it carries its cost of capital")
def land_usd_per_hour(land_usd, accelerators, rate, sold_utilisation):
    """Cost of capital on land per sold accelerator-hour. [USD/hour]"""
    return land_usd / np.maximum(accelerators, 1e-300) * rate / (HOURS_PER_YEAR * sold_utilisation)


@formula("yearly opex per accelerator / (8,766 h x sold utilisation)")
def opex_per_sold_hour(opex_usd_per_year, accelerators, sold_utilisation):
    """Opex per sold accelerator-hour from a fleet's yearly opex. [USD/hour]"""
    return opex_usd_per_hour(opex_usd_per_year / np.maximum(accelerators, 1e-300),
                             sold_utilisation)


@formula("fleet IT power / its site's IT capacity")
def site_share(fleet_it_w, site_it_w):
    """The share of a site's costs a fleet carries: its share of the IT capacity. [1]"""
    return fleet_it_w / site_it_w


@formula("IT power x utilisation x PUE x 8,766 h x electricity price")
def electricity_usd_per_year(it_w, utilisation, pue, usd_per_kwh):
    """Yearly electricity of a fleet. [USD/year]"""
    return it_w * utilisation * pue * HOURS_PER_YEAR / 1000.0 * usd_per_kwh
