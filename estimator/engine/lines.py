"""Cost lines as data: one row per capex or opex line.

The registry drives the monthly series (:mod:`.series` sums each opex row's term over
the sites or fleets it applies to), the capex and opex totals, the report's labels and
the tests. Adding a line is a row here, a pure function for its amount, and its sourced
defaults.

A capex row names who owns it (a fleet or a site) and the asset class it depreciates in
(land does not depreciate). An opex row names what it is charged on (``site``,
``owned_fleet``, ``rented_fleet``) and a ``term`` that gives one site's or fleet's
monthly amount from its typed state (:class:`.sites.Site`, :class:`.fleets.Fleet`),
with the formula text of the whole line.
"""
from __future__ import annotations

from typing import Callable, NamedTuple, Optional, Tuple

from ..units import HOURS_PER_MONTH
from . import datacenter as dc
from .cashflow import Monthly, as_column

ASSET_CLASSES = ("accelerators", "network", "buildings", "power_plant")


class CapexLine(NamedTuple):
    key: str                      # figure names: capex.<key>_usd, capex.<owner>s.<name>.<key>_usd
    label: str                    # the report's label
    owner: str                    # 'fleet' or 'datacenter'
    asset_class: Optional[str]    # depreciation class; None: not depreciated (land)


class OpexLine(NamedTuple):
    key: str                      # figure names: opex.<key>_usd, monthly.opex.<key>_usd
    label: str                    # the report's label
    scope: str                    # see series.SCOPES: 'site', 'owned_fleet', 'built_site_fleet', ...
    term: Callable                # (site or fleet) -> (monthly series, [named values it used])
    formula: str                  # how the whole line is computed, in words


CAPEX = (
    CapexLine("accelerators", "Accelerators", "fleet", "accelerators"),
    CapexLine("servers", "Servers (rest of server)", "fleet", "accelerators"),
    CapexLine("network", "Cluster network", "fleet", "network"),
    CapexLine("storage", "Storage", "fleet", "network"),
    CapexLine("construction", "Buildings (shell, power, cooling)", "datacenter", "buildings"),
    CapexLine("land", "Land", "datacenter", None),
    CapexLine("power", "Grid connection / generation", "datacenter", "power_plant"),
)


def _times(series: Monthly, fn, *factors) -> Monthly:
    """``fn(series, *factors)`` for a lazy monthly series (factors per sample or not)."""
    return series.times(lambda x, whole: fn(x, *[as_column(factor) if whole else factor
                                                 for factor in factors]))


def _electricity(fleet) -> Tuple[object, list]:
    site = fleet.site
    return (_times(fleet.energy_wh, dc.electricity_usd, site.electricity.value),
            [fleet.it_w, fleet.utilisation, site.pue, site.electricity])


def _water(fleet) -> Tuple[object, list]:
    site = fleet.site
    return (_times(fleet.it_energy_wh, dc.water_usd, site.wue.value, site.water_price.value),
            [fleet.it_w, fleet.utilisation, site.wue, site.water_price])


def _maintenance(site) -> Tuple[object, list]:
    facility = site.capex["construction"].value + site.capex["power"].value
    return (Monthly(len(site.ready_row)).step(dc.rate_usd_per_month(
        facility, site.maintenance.value), site.ready),
        [site.maintenance, site.capex["construction"], site.capex["power"]])


def _staff(site) -> Tuple[object, list]:
    return (Monthly(len(site.ready_row)).step(dc.staff_usd_per_month(
        site.headcount.value, site.staff_cost.value), site.ready),
        [site.headcount, site.staff_cost])


def _on_capex_in_service(rate_attr: str) -> Callable:
    def term(site):
        rate = getattr(site, rate_attr)
        return (_times(site.capex_in_service, dc.rate_usd_per_month, rate.value),
                [rate] + list(site.capex.values()) + site.fleet_capex())
    return term


def _colocation(site) -> Tuple[object, list]:
    return (Monthly(len(site.ready_row)).step(dc.colocation_usd_per_month(
        site.it.value, site.colocation.value), site.ready), [site.it, site.colocation])


def _rental(fleet) -> Tuple[object, list]:
    rent = fleet.accelerators.value * HOURS_PER_MONTH * fleet.price.value \
        * (1 - fleet.discount.value)
    start, months = fleet.delivery
    return (Monthly(len(fleet.online)).ramp(rent, start, months),
            [fleet.accelerators, fleet.price, fleet.discount])


OPEX = (
    OpexLine("electricity", "Electricity", "owned_fleet", _electricity,
             "facility energy each month x electricity price"),
    OpexLine("water", "Cooling water", "built_site_fleet", _water,
             dc.water_usd.formula + " (built sites; a colocation fee includes water)"),
    OpexLine("maintenance", "Maintenance", "built_site", _maintenance,
             "facility capex (construction + power) x yearly maintenance rate / 12, "
             "from the month the site is ready"),
    OpexLine("staff", "Staff", "site", _staff,
             "staff x loaded cost per person / 12, from the month the site is ready"),
    OpexLine("insurance", "Insurance", "site", _on_capex_in_service("insurance"),
             "capex in service x yearly insurance rate / 12"),
    OpexLine("property_tax", "Property tax", "site", _on_capex_in_service("property_tax"),
             "capex in service x yearly property tax rate / 12"),
    OpexLine("colocation", "Colocation leases", "leased_site", _colocation,
             "contracted IT capacity x colocation price per W-month, from the lease start"),
    OpexLine("rental", "Cloud rental", "rented_fleet", _rental,
             "rented accelerators online x hours per month x price x (1 - discount)"),
)
