"""Datacenter capex and opex rates. Floats or numpy arrays, broadcasting.

References
----------
.. [1] Cushman & Wakefield, "Data Center Development Cost Guide", 2025: construction per
   MW of critical IT load (shell, power, cooling), US average $11.7M/MW.
.. [2] A. Shehabi et al., "United States Data Center Energy Usage Report", LBNL-1005775,
   2016: on-site water ~1.8 L per kWh of IT energy; The Green Grid, "Water Usage
   Effectiveness (WUE)", White Paper 35, 2011.
"""
from __future__ import annotations

import numpy as np

from ..units import HOURS_PER_MONTH
from .ledger import formula


@formula("IT capacity x construction cost per watt of IT")
def construction_capex_usd(it_capacity_w, usd_per_w):
    """Shell, power and cooling: IT capacity x cost per watt of IT [1]. [USD]"""
    return it_capacity_w * usd_per_w


@formula("IT capacity x land cost per watt of IT")
def land_capex_usd(it_capacity_w, usd_per_w):
    """Land: IT capacity x land cost per watt of IT. [USD]"""
    return it_capacity_w * usd_per_w


def power_capex_usd(it_capacity_w, pue, usd_per_w):
    """Grid connection or on-site generation, sized to facility power (IT x PUE). [USD]"""
    return it_capacity_w * pue * usd_per_w


@formula("IT capacity / IT capacity of one building, rounded up")
def buildings_needed(it_capacity_w, building_size_w):
    """Whole buildings to hold the IT capacity. [count]"""
    return np.ceil(np.asarray(it_capacity_w, dtype=float) / building_size_w)


def energy_wh(it_w, utilisation, pue, hours=HOURS_PER_MONTH):
    """Facility energy over ``hours``: IT power x utilisation x PUE x hours. [Wh]"""
    return it_w * utilisation * pue * hours


@formula("energy x electricity price")
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


@formula("construction + land + grid connection x PUE, per watt of IT")
def buildings_usd_per_w(construction_usd_per_w, land_usd_per_w, grid_usd_per_w, pue):
    """Buildings, land and grid connection for one watt of IT (grid sized by PUE). [USD/W]"""
    return construction_usd_per_w + land_usd_per_w + grid_usd_per_w * pue


@formula("staff per MW x IT capacity in MW")
def staff_headcount(staff_per_mw, it_capacity_w):
    """Operations staff of a site, from staff per MW of IT. [count]"""
    return staff_per_mw * it_capacity_w / 1e6


@formula("IT power / IT capacity of one building, rounded up")
def whole_buildings(it_w, building_size_w):
    """Whole buildings for a run's IT power (a hair under a whole number counts whole). [count]"""
    return np.ceil(it_w / building_size_w - 1e-9)


@formula("IT energy each month x water usage effectiveness (L per kWh of IT energy) x water price")
def water_usd(it_energy_wh, wue_l_per_kwh, usd_per_l):
    """Cooling water: IT energy x WUE x price [2]. [USD]

    WUE is The Green Grid's water usage effectiveness: litres of site water per kWh of
    IT energy (not facility energy).
    """
    return it_energy_wh / 1000.0 * wue_l_per_kwh * usd_per_l
