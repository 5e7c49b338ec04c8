"""Owners' unit economics, per owned fleet: the all-in cost of one accelerator-hour.

Capex per accelerator (its fleet's servers, network and storage, and its share of the
site's buildings, power plant and land) is recovered over each asset class's depreciation
life at the owner's cost of capital (:mod:`.unit_economics`); yearly opex per accelerator
(electricity, maintenance, insurance, property tax, staff, colocation) is added; both are
spread over the hours actually sold. Records ``fleets.NAME.unit.*`` and
``fleets.NAME.cost_per_accelerator_hour_usd``.
"""
from __future__ import annotations

import numpy as np

from ..units import HOURS_PER_YEAR
from . import unit_economics as ue


def record(ctx, name: str, fleet: dict, site: dict) -> None:
    """Figures of one owned fleet (``fleet`` and ``site`` as the rollup keeps them)."""
    L, f, s = ctx.ledger, ctx.ledger.result.figures, ctx.scenario
    p, ip, q = f"fleets.{name}.unit", f"inputs.fleets.{name}", f"capex.fleets.{name}"
    n_name = f"fleets.{name}.accelerators"
    n = np.maximum(f[n_name].value, 1e-300)
    rate = ctx.pick(f"{ip}.cost_of_capital", fleet["fleet"], "cost_of_capital", "cost_of_capital",
                    "fraction")
    sold = ctx.pick(f"{ip}.sold_utilisation", fleet["fleet"], "sold_utilisation",
                    "sold_utilisation", "fraction")
    d = s.depreciation
    share_name = f"{p}.site_share"
    site_it = f"inputs.datacenters.{fleet['site']}.it_capacity_w"
    share = L.add(share_name, f[f"power.fleets.{name}.it_w"].value / site["it"], "fraction",
                  "fleet IT power / its site's IT capacity: its share of the site's costs",
                  [f"power.fleets.{name}.it_w", site_it])
    # capex per accelerator by asset class, each with its life
    classes = [("accelerators", ("accelerators", "servers"), "life_accelerators"),
               ("network", ("network", "storage"), "life_network")]
    parts, inputs = [], []
    for cls, lines, life_key in classes:
        life = ctx.pick(f"inputs.depreciation.{cls}_hours", d, cls, life_key, "duration")
        capex = sum(fleet["lines"][ln] for ln in lines) / n
        parts.append(ue.capital_usd_per_hour(capex, life / HOURS_PER_YEAR, rate, sold))
        inputs += [f"{q}.{ln}_usd" for ln in lines] + [f"inputs.depreciation.{cls}_hours"]
    site_capex = 0.0
    if site["lines"]:
        sp = f"capex.datacenters.{fleet['site']}"
        for line, cls, life_key in (("construction", "buildings", "life_buildings"),
                                    ("power", "power_plant", "life_power_plant")):
            life = ctx.pick(f"inputs.depreciation.{cls}_hours", d, cls, life_key, "duration")
            capex = site["lines"][line] * share / n
            site_capex = site_capex + capex
            parts.append(ue.capital_usd_per_hour(capex, life / HOURS_PER_YEAR, rate, sold))
            inputs += [f"{sp}.{line}_usd", f"inputs.depreciation.{cls}_hours"]
        land = site["lines"]["land"] * share / n   # not depreciated: it carries its cost of capital
        site_capex = site_capex + land
        parts.append(land * rate / (HOURS_PER_YEAR * sold))
        inputs.append(f"{sp}.land_usd")
    L.add(f"{p}.capex_per_accelerator_usd", fleet["lines"]["accelerators"] / n
          + sum(fleet["lines"][k] for k in ("servers", "network", "storage")) / n + site_capex,
          "money", "fleet capex / accelerators + its share of the site's capex / accelerators",
          [f"{q}.total_usd", n_name, share_name])
    cap = L.add(f"{p}.capital_usd_per_hour", sum(parts, 0.0), "gpu_hour_price",
                "sum over asset classes of capex per accelerator x capital recovery factor "
                "(cost of capital, class life) / (8,766 h x sold utilisation)",
                inputs + [n_name, share_name, f"{ip}.cost_of_capital", f"{ip}.sold_utilisation"])
    # opex per accelerator-year
    it = f[f"power.fleets.{name}.it_w"].value
    elec = it * fleet["util"] * site["pue"] * HOURS_PER_YEAR / 1000.0 * site["electricity"]
    base = sum(fleet["lines"].values()) + site_capex * n
    facility = (site["lines"]["construction"] + site["lines"]["power"]) * share \
        if site["lines"] else 0.0
    rates = facility * site["maintenance"] + base * (site["insurance"] + site["property_tax"])
    staff = site["headcount"] * site["staff_cost"] * share
    colo = site["it"] * site["colocation"] * 12.0 * share if "colocation" in site else 0.0
    sn = f"inputs.datacenters.{fleet['site']}"
    opex = L.add(f"{p}.opex_usd_per_hour", ue.opex_usd_per_hour((elec + rates + staff + colo) / n,
                                                               sold), "gpu_hour_price",
                 "yearly electricity (IT power x utilisation x PUE x 8,766 h x price) + maintenance, "
                 "insurance and property tax + staff + colocation, for the fleet's share of its "
                 "site, / accelerators / (8,766 h x sold utilisation)",
                 [f"power.fleets.{name}.it_w", fleet["util_name"], f"{sn}.pue",
                  f"{sn}.electricity", f"{sn}.maintenance", f"{sn}.insurance",
                  f"{sn}.property_tax", share_name, n_name, f"{ip}.sold_utilisation"])
    L.add(f"fleets.{name}.cost_per_accelerator_hour_usd", cap + opex, "gpu_hour_price",
          "owner's all-in cost of one sold accelerator-hour: capital recovery + opex",
          [f"{p}.capital_usd_per_hour", f"{p}.opex_usd_per_hour"])
