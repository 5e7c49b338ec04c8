"""Datacenter capex and opex rates. Floats or numpy arrays, broadcasting.

References
----------
.. [1] Cushman & Wakefield, "Data Center Development Cost Guide", 2025: construction per
   MW of critical IT load (shell, power, cooling), US average $11.7M/MW.
"""
from __future__ import annotations

import numpy as np

from ..units import HOURS_PER_MONTH


def construction_capex_usd(it_capacity_w, usd_per_w):
    """Shell, power and cooling: IT capacity x cost per watt of IT [1]. [USD]"""
    return it_capacity_w * usd_per_w


def land_capex_usd(it_capacity_w, usd_per_w):
    """Land: IT capacity x land cost per watt of IT. [USD]"""
    return it_capacity_w * usd_per_w


def power_capex_usd(it_capacity_w, pue, usd_per_w):
    """Grid connection or on-site generation, sized to facility power (IT x PUE). [USD]"""
    return it_capacity_w * pue * usd_per_w


def buildings_needed(it_capacity_w, building_size_w):
    """Whole buildings to hold the IT capacity. [count]"""
    return np.ceil(np.asarray(it_capacity_w, dtype=float) / building_size_w)


def energy_wh(it_w, utilisation, pue, hours=HOURS_PER_MONTH):
    """Facility energy over ``hours``: IT power x utilisation x PUE x hours. [Wh]"""
    return it_w * utilisation * pue * hours


def electricity_usd(energy_wh_, usd_per_kwh):
    """Energy x price. [USD]"""
    return energy_wh_ / 1000.0 * usd_per_kwh


def colocation_usd_per_month(it_capacity_w, usd_per_w_month):
    """Colocation lease on contracted IT capacity, per month. [USD]"""
    return it_capacity_w * usd_per_w_month


def staff_usd_per_month(headcount, cost_per_head_usd_year):
    """Loaded staff cost per month. [USD]"""
    return headcount * cost_per_head_usd_year / 12.0


def rate_usd_per_month(base_usd, yearly_rate):
    """A yearly rate (maintenance, insurance, property tax) on a capex base, per month. [USD]"""
    return base_usd * yearly_rate / 12.0
