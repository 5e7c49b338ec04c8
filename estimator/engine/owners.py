"""Owners' unit economics, per owned fleet: the all-in cost of one accelerator-hour.

Capex per accelerator (its fleet's servers, network and storage, and its share of the
site's buildings, power plant and land) is recovered over each asset class's depreciation
life at the owner's cost of capital (:mod:`.unit_economics`); yearly opex (electricity,
maintenance, insurance, property tax, staff, colocation) is added; both are spread over
the hours actually sold. Records ``fleets.NAME.unit.*`` and
``fleets.NAME.cost_per_accelerator_hour_usd``.
"""
from __future__ import annotations

from typing import List

from . import unit_economics as ue
from .context import Context
from .ledger import Expr, Val

#: fleet capex lines by asset class, and the default life of each
FLEET_CLASSES = (("accelerators", ("accelerators", "servers"), "life_accelerators"),
                 ("network", ("network", "storage"), "life_network"))
SITE_CLASSES = (("construction", "buildings", "life_buildings"),
                ("power", "power_plant", "life_power_plant"))


def record(ctx: Context, fleet) -> Val:
    """The cost per sold accelerator-hour of an owned fleet, with its parts."""
    rec, p, u = ctx.rec, fleet.prefix, f"fleets.{fleet.name}.unit"
    rate = ctx.inputs.pick(f"{p}.cost_of_capital", fleet.spec, "cost_of_capital",
                           "cost_of_capital", "fraction")
    sold = ctx.inputs.pick(f"{p}.sold_utilisation", fleet.spec, "sold_utilisation",
                           "sold_utilisation", "fraction")
    share = rec.derive(f"{u}.site_share", ue.site_share, fleet.it_w, fleet.site.it,
                       unit="fraction")
    capital = rec.total(f"{u}.capital_usd_per_hour", _capital(ctx, fleet, share, rate, sold),
                        "gpu_hour_price", "capital recovery of every asset class per sold "
                        "accelerator-hour")
    opex = rec.derive(f"{u}.opex_usd_per_hour", ue.opex_per_sold_hour,
                      _opex_per_year(ctx, fleet, share), fleet.accelerators, sold,
                      unit="gpu_hour_price")
    return rec.total(f"fleets.{fleet.name}.cost_per_accelerator_hour_usd", [capital, opex],
                     "gpu_hour_price", "owner's all-in cost of one sold accelerator-hour: "
                     "capital recovery + opex")


def _life(ctx: Context, cls: str, key: str) -> Val:
    return ctx.inputs.pick(f"inputs.depreciation.{cls}_hours", ctx.scenario.depreciation, cls,
                           key, "duration")


def _capital(ctx: Context, fleet, share: Val, rate: Val, sold: Val) -> List[Val]:
    """Capital per sold accelerator-hour of each asset class the fleet uses."""
    rec, u, out = ctx.rec, f"fleets.{fleet.name}.unit", []
    for cls, lines, key in FLEET_CLASSES:
        parts = [fleet.capex[line] for line in lines]
        capex = Expr(sum(v.value for v in parts), tuple(parts))
        out.append(rec.derive(f"{u}.capital.{cls}_usd_per_hour", ue.class_capital_usd_per_hour,
                              capex, fleet.accelerators, _life(ctx, cls, key), rate, sold,
                              unit="gpu_hour_price"))
    site = fleet.site
    for line, cls, key in SITE_CLASSES if site.capex else ():
        capex = Expr(site.capex[line].value * share.value, (site.capex[line], share))
        out.append(rec.derive(f"{u}.capital.{cls}_usd_per_hour", ue.class_capital_usd_per_hour,
                              capex, fleet.accelerators, _life(ctx, cls, key), rate, sold,
                              unit="gpu_hour_price"))
    if site.capex:
        land = Expr(site.capex["land"].value * share.value, (site.capex["land"], share))
        out.append(rec.derive(f"{u}.capital.land_usd_per_hour", ue.land_usd_per_hour, land,
                              fleet.accelerators, rate, sold, unit="gpu_hour_price"))
    return out


def _opex_per_year(ctx: Context, fleet, share: Val) -> Val:
    """Yearly opex of the fleet and its share of its site's running costs."""
    rec, site, u = ctx.rec, fleet.site, f"fleets.{fleet.name}.unit"
    elec = rec.derive(f"{u}.electricity_usd_per_year", ue.electricity_usd_per_year, fleet.it_w,
                      fleet.utilisation, site.pue, site.electricity, unit="usd_per_year")
    facility = [site.capex[k] for k in ("construction", "power") if k in site.capex]
    own = list(fleet.capex.values()) + [site.capex[k] for k in site.capex]
    base = sum(v.value for v in fleet.capex.values()) + share.value * sum(
        v.value for v in site.capex.values())
    value = (elec.value + share.value * sum(v.value for v in facility) * site.maintenance.value
             + base * (site.insurance.value + site.property_tax.value)
             + share.value * site.headcount.value * site.staff_cost.value
             + (share.value * site.it.value * site.colocation.value * 12.0
                if site.colocation is not None else 0.0))
    inputs = [elec, share, site.maintenance, site.insurance, site.property_tax, site.headcount,
              site.staff_cost] + own + ([site.colocation, site.it] if site.colocation is not None else [])
    return rec.record(f"{u}.opex_usd_per_year", value, "usd_per_year",
                      "electricity + its share of the site's maintenance (on facility capex), "
                      "insurance and property tax (on its capex and its share of the site's), "
                      "staff and colocation", inputs)
