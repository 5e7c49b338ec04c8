"""Datacenters: capex of a site built, or the lease of a site rented, and what it costs to run.

Each datacenter of the scenario becomes a :class:`Site` holding named values; the
fleets it hosts and the monthly series read them from there.
"""
from __future__ import annotations

from typing import Dict, List, Optional, Tuple

from . import datacenter as dc
from .context import Context
from .ledger import Val

RATES = {"electricity": "energy_price", "utilisation": "fraction", "maintenance": "fraction",
         "insurance": "fraction", "property_tax": "fraction", "wue": "water_per_energy",
         "water_price": "water_price"}


class Site:
    """One datacenter: its capacity, rates, capex lines and schedule."""

    def __init__(self, name: str, spec, prefix: str):
        self.name = name
        self.spec = spec                        # the scenario's Datacenter
        self.prefix = prefix                    # inputs.datacenters.<name>
        self.it: Val = None                     # IT capacity [W]
        self.pue: Val = None
        self.built = spec.mode == "build"
        self.build: Optional[Tuple[int, int]] = None   # (start offset, months) when built
        self.ready = 0                          # offset of the first month in service
        self.capex: Dict[str, Val] = {}         # construction, land, power (built sites)
        self.colocation: Optional[Val] = None   # leased sites
        self.electricity: Val = None            # the rates of RATES, each a named value
        self.utilisation: Val = None
        self.maintenance: Val = None
        self.insurance: Val = None
        self.property_tax: Val = None
        self.wue: Val = None
        self.water_price: Val = None
        self.headcount: Val = None
        self.staff_cost: Val = None
        self.fleets: List = []                  # the owned fleets it hosts
        # set by the monthly series
        self.ready_row = None                   # 1 from the month it is ready
        self.capex_in_service = None            # its own and its fleets' capex in service so far

    def fleet_capex(self) -> List[Val]:
        return [v for fleet in self.fleets for v in fleet.capex.values()]


def build_sites(ctx: Context) -> None:
    """Record every datacenter's inputs and capex; keep them as :class:`Site` in ``ctx``."""
    for name, spec in (ctx.scenario.datacenters or {}).items():
        site = Site(name, spec, f"inputs.datacenters.{name}")
        if spec.it_capacity is not None:   # else a lease sized to its fleets: size_leases
            site.it = ctx.inputs.given(f"{site.prefix}.it_capacity_w", spec, "it_capacity",
                                       "power")
        site.pue = ctx.inputs.pick(f"{site.prefix}.pue", spec, "pue", "pue", "amount")
        start = ctx.offset(spec.build.start) if spec.build else 0
        if site.built:
            months = spec.build.months if spec.build else int(ctx.catalog.defaults.build_months)
            site.build, site.ready = (start, months), start + months
            _build_capex(ctx, site)
        else:
            site.ready = start
            site.colocation = ctx.inputs.pick(f"{site.prefix}.colocation_usd_per_w_month", spec,
                                              "colocation", "colocation", "usd_per_w_month")
        for attr, unit in RATES.items():
            setattr(site, attr, ctx.inputs.pick(f"{site.prefix}.{attr}", spec, attr, attr, unit))
        if site.it is not None:
            _staff(ctx, site)
        ctx.sites[name] = site


def size_leases(ctx: Context) -> List[Site]:
    """A leased site without ``it_capacity`` is contracted for what its fleets draw; returns
    the sites it sized."""
    sized = [site for site in ctx.sites.values() if site.it is None]
    for site in sized:
        site.it = ctx.rec.total(f"{site.prefix}.it_capacity_w",
                                [fleet.it_w for fleet in site.fleets], "power",
                                "IT power of the fleets at the site (a lease sized to fit them)")
        _staff(ctx, site)
    return sized


def _build_capex(ctx: Context, site: Site) -> None:
    """Construction, land and power capex of a site that is built, and its buildings."""
    rec, inputs, spec, p = ctx.rec, ctx.inputs, site.spec, site.prefix
    q = f"capex.datacenters.{site.name}"
    rate = inputs.pick(f"{p}.construction_usd_per_w", spec, "construction", "construction",
                       "usd_per_w")
    site.capex["construction"] = rec.derive(f"{q}.construction_usd", dc.construction_capex_usd,
                                            site.it, rate, unit="money")
    if spec.land is not None:
        site.capex["land"] = inputs.given(f"{q}.land_usd", spec, "land", "money")
    else:
        land_rate = inputs.default(f"{p}.land_usd_per_w", "land", "usd_per_w")
        site.capex["land"] = rec.derive(f"{q}.land_usd", dc.land_capex_usd, site.it, land_rate,
                                        unit="money")
    key = "grid_connection" if spec.power_source == "grid" else "onsite_generation"
    power_rate = inputs.pick(f"{p}.{key}_usd_per_w", spec, key, key, "usd_per_w")
    site.capex["power"] = rec.derive(
        f"{q}.power_usd", dc.power_capex_usd, site.it, site.pue, power_rate, unit="money",
        text=f"IT capacity x PUE x {key.replace('_', ' ')} cost per watt")
    size = inputs.pick(f"{p}.building_size_w", spec, "building_size", "building_size", "power")
    rec.derive(f"datacenters.{site.name}.buildings", dc.buildings_needed, site.it, size,
               unit="count")


def _staff(ctx: Context, site: Site) -> None:
    """Operations staff: a headcount given, or staff per MW of IT; and their loaded cost."""
    staff, p = site.spec.staff, site.prefix
    if staff is not None and staff.headcount is not None:
        site.headcount = ctx.inputs.given(f"{p}.staff_headcount", staff, "headcount", "count")
    else:
        per_mw = ctx.inputs.pick(f"{p}.staff_per_mw", staff, "per_mw", "staff_per_mw", "amount")
        site.headcount = ctx.rec.derive(f"datacenters.{site.name}.staff", dc.staff_headcount,
                                        per_mw, site.it, unit="amount")
    site.staff_cost = ctx.inputs.pick(f"{p}.staff_cost_usd_per_year", staff, "cost_per_head",
                                      "staff_cost", "usd_per_year")
