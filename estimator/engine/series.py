"""Monthly series of the fleets and datacenters: capex on its schedule, opex, energy, depreciation.

Capex lands on the build or delivery schedule; each opex line of the registry
(:mod:`.lines`) is summed over the sites or fleets it applies to; depreciation runs by
asset class, straight-line or Epoch AI's value decay.
"""
from __future__ import annotations

from typing import Dict, List

import numpy as np

from ..result import total
from ..units import HOURS_PER_MONTH
from . import cashflow, datacenter as dc
from .cashflow import as_column
from .context import Context
from .ledger import Val
from .lines import ASSET_CLASSES, CAPEX, OPEX


class Schedules:
    """Capex by line and in service by asset class, month by month, as the rollup adds them.

    Each is a :class:`~.cashflow.Monthly`: per-sample amounts on a schedule stay terms
    until the series is recorded (the same values; month-only amounts are added as rows).
    """

    def __init__(self, months: int):
        self.capex = {line.key: cashflow.Monthly(months) for line in CAPEX}
        self.in_service = {cls: cashflow.Monthly(months) for cls in ASSET_CLASSES}
        self.outside: List[str] = []

    def asset_class(self, line: str):
        return next(capex_line.asset_class for capex_line in CAPEX if capex_line.key == line)


def estimate_series(ctx: Context) -> None:
    """Every monthly series and total of the fleets and datacenters."""
    books = Schedules(ctx.months)
    _site_schedules(ctx, books)
    _fleet_schedules(ctx, books)
    if books.outside:
        ctx.rec.warn("capex outside the horizon is left out of the monthly series: "
                     + ", ".join(books.outside))
    totals = _capex_totals(ctx)
    _power_totals(ctx)
    capex = ctx.monthly["capex"] = _capex_series(ctx, books, totals)
    _energy(ctx)
    opex = _opex(ctx)
    ctx.monthly["cash_out"] = ctx.rec.derive("monthly.cash_out_usd", np.add, capex, opex, unit="money", series=True,
                   text="monthly capex + monthly opex")
    estimate_depreciation(ctx, books)


def _horizon_sum(series):
    return np.sum(series, axis=-1)


def _site_schedules(ctx: Context, books: Schedules) -> None:
    """Built sites' capex over their build (land when it starts); each site's ready month."""
    n = ctx.months
    for site in ctx.sites.values():
        site.ready_row = cashflow.step(site.ready, n)
        site.capex_in_service = cashflow.Monthly(n)
        if site.build is None:
            continue
        start, months = site.build
        share = cashflow.outside_share(start, months, n)
        if share > 0:
            books.outside.append(f"site '{site.name}' ({share:.0%} of its build)")
        for line, amount in site.capex.items():
            books.capex[line].spread(amount.value, start, 1 if line == "land" else months)
            if line != "land":
                books.in_service[books.asset_class(line)].point(amount.value, site.ready)
                site.capex_in_service.point(amount.value, site.ready)


def _fleet_schedules(ctx: Context, books: Schedules) -> None:
    """Fleets' capex over their delivery, in service as delivered; the share online each month."""
    n = ctx.months
    for fleet in ctx.fleets.values():
        start, months = fleet.delivery
        share = cashflow.outside_share(start, months, n)
        if share > 0:
            books.outside.append(f"fleet '{fleet.name}' ({share:.0%} of its delivery)")
        fleet.online = cashflow.ramp(start, months, n)
        if not fleet.owned:
            continue
        for line, amount in fleet.capex.items():
            books.capex[line].spread(amount.value, start, months)
            books.in_service[books.asset_class(line)].spread(amount.value, start, months)
            fleet.site.capex_in_service.spread(amount.value, start, months)
    for site in ctx.sites.values():
        site.capex_in_service = site.capex_in_service.cumulative()


def _capex_totals(ctx: Context) -> Dict[str, Val]:
    """Capex by line over fleets and datacenters (whole schedules, inside the horizon or not)."""
    rec = ctx.rec
    owned = [fleet for fleet in ctx.fleets.values() if fleet.owned]
    built = [site for site in ctx.sites.values() if site.built]
    lines = {}
    for line in CAPEX:
        owners = owned if line.owner == "fleet" else built
        lines[line.key] = rec.total(f"capex.{line.key}_usd",
                                    (owner.capex[line.key] for owner in owners),
                                    "money", f"sum over {line.owner}s of their {line.key} capex")
    for site in built:
        rec.total(f"capex.datacenters.{site.name}.total_usd", site.capex.values(), "money",
                  "sum of the datacenter's capex lines")
    rec.total("capex.total_usd", lines.values(), "money", "sum of the capex lines", headline=True)
    return lines


def _power_totals(ctx: Context) -> None:
    rec = ctx.rec
    owned = [fleet for fleet in ctx.fleets.values() if fleet.owned]
    rec.total("fleets.accelerators", (fleet.accelerators for fleet in ctx.fleets.values()), "count",
              "sum of accelerators over fleets (owned and rented)")
    rec.total("power.it_w", (fleet.it_w for fleet in owned), "power", "sum of the fleets' IT power",
              headline=True)
    rec.total("power.facility_w", (fleet.facility_w for fleet in owned), "power",
              "sum of the fleets' facility power", headline=True)
    rec.total("power.site_capacity_w", (site.it for site in ctx.sites.values()), "power",
              "sum of the datacenters' IT capacity")


def _capex_series(ctx: Context, books: Schedules, totals: Dict[str, Val]) -> Val:
    rec = ctx.rec
    lines = [rec.record(f"monthly.capex.{key}_usd", series.value(), "money",
                        f"{key} capex spread over its build or delivery months", [totals[key]],
                        series=True)
             for key, series in books.capex.items()]
    return rec.total("monthly.capex_usd", lines, "money", "sum of the monthly capex lines",
                     series=True)


def _energy(ctx: Context) -> None:
    """Each owned fleet's facility energy month by month (IT power online x utilisation x PUE)."""
    energy, used = cashflow.Monthly(ctx.months), []
    for fleet in ctx.fleets.values():
        if not fleet.owned:
            continue
        it, util, pue = fleet.it_w.value, fleet.utilisation.value, fleet.site.pue.value
        fleet.energy_wh, fleet.it_energy_wh = cashflow.Monthly(ctx.months), \
            cashflow.Monthly(ctx.months)
        if all(np.ndim(x) == 0 for x in (it, util, pue)):
            fleet.energy_wh.add(dc.energy_wh(as_column(it) * fleet.online, as_column(util),
                                             as_column(pue)))
            fleet.it_energy_wh.add(dc.energy_wh(as_column(it) * fleet.online, as_column(util),
                                                1.0))
        else:       # per-sample amounts: one delivery ramp each
            start, months = fleet.delivery
            fleet.energy_wh.ramp(dc.energy_wh(it, util, pue), start, months)
            fleet.it_energy_wh.ramp(dc.energy_wh(it, util, 1.0), start, months)
        energy.merge(fleet.energy_wh)
        used += [fleet.it_w, fleet.utilisation, fleet.site.pue]
    monthly = ctx.rec.record("monthly.energy_wh", energy.value(), "energy",
                             "fleets' IT power online x utilisation x PUE x hours in the month",
                             used, series=True)
    ctx.rec.derive("energy.total_wh", _horizon_sum, monthly, unit="energy", headline=True,
                   text="sum of monthly facility energy over the horizon")


SCOPES = {
    "site": lambda ctx: ctx.sites.values(),
    "built_site": lambda ctx: [site for site in ctx.sites.values() if site.built],
    "leased_site": lambda ctx: [site for site in ctx.sites.values() if not site.built],
    "owned_fleet": lambda ctx: [fleet for fleet in ctx.fleets.values() if fleet.owned],
    "rented_fleet": lambda ctx: [fleet for fleet in ctx.fleets.values() if not fleet.owned],
    "built_site_fleet": lambda ctx: [fleet for fleet in ctx.fleets.values()
                                     if fleet.owned and fleet.site.built],
}


def _opex(ctx: Context) -> Val:
    """Each opex line of the registry, summed over what it is charged on; the opex totals."""
    rec, monthly, totals = ctx.rec, [], []
    for line in OPEX:
        series, used = cashflow.Monthly(ctx.months), []
        for owner in SCOPES[line.scope](ctx):
            amount, inputs = line.term(owner)
            if isinstance(amount, cashflow.Monthly):
                series.merge(amount)
            else:
                series.add(amount)
            used += inputs
        m = rec.record(f"monthly.opex.{line.key}_usd", series.value(), "money", line.formula,
                       used, series=True)
        monthly.append(m)
        totals.append(rec.derive(f"opex.{line.key}_usd", _horizon_sum, m, unit="money",
                                 text=f"sum of monthly {line.key.replace('_', ' ')} over the "
                                      "horizon"))
    opex = rec.total("monthly.opex_usd", monthly, "money", "sum of the monthly opex lines",
                     series=True)
    rec.total("opex.total_usd", totals, "money", "sum of the opex lines over the horizon",
              headline=True)
    rec.derive("opex.annual_run_rate_usd", _run_rate, opex, unit="money", headline=True,
               text="opex of the horizon's last month x 12")
    return opex


def _run_rate(monthly):
    return monthly[..., -1] * 12


def estimate_depreciation(ctx: Context, books: Schedules) -> None:
    """Depreciation by asset class, its total, and the book value month by month."""
    rec = ctx.rec
    monthly, totals, in_service = [], [], []
    for cls in ASSET_CLASSES:
        method = _method(ctx, cls)
        added = rec.record(f"monthly.in_service.{cls}_usd", books.in_service[cls].value(),
                           "money",
                           f"{cls.replace('_', ' ')} capex as it enters service",
                           _capex_of_class(ctx, cls), series=True)
        in_service.append(added)
        dep = rec.derive(f"monthly.depreciation.{cls}_usd", method, added, *method.inputs,
                         unit="money", series=True)
        monthly.append(dep)
        totals.append(rec.derive(f"depreciation.{cls}_usd", _horizon_sum, dep, unit="money",
                                 text=f"sum of monthly {cls.replace('_', ' ')} depreciation "
                                      "over the horizon"))
    dep_total = rec.total("monthly.depreciation_usd", monthly, "money",
                          "sum of depreciation by asset class", series=True)
    rec.total("depreciation.total_usd", totals, "money",
              "sum of depreciation by asset class over the horizon")
    book = cashflow.book_value(total(v.value for v in in_service), dep_total.value)
    book = rec.record("monthly.book_value_usd", book, "money",
                      "depreciable capex in service so far - depreciation so far (land excluded)",
                      [dep_total] + in_service, series=True)
    rec.derive("book_value.end_usd", _last, book, unit="money",
               text="book value at the horizon's last month")


def _method(ctx: Context, cls: str):
    """The depreciation of one asset class as a function of its additions, with its inputs."""
    spec = ctx.scenario.depreciation
    words = cls.replace("_", " ")
    if spec is None or spec.method == "straight_line":
        life = ctx.inputs.pick(f"inputs.depreciation.{cls}_hours", spec, cls, f"life_{cls}",
                               "duration")

        def method(additions, life_hours):
            return cashflow.straight_line(additions, float(np.mean(life_hours)) / HOURS_PER_MONTH)
        method.formula = f"{words} capex in service, straight-line over its life"
        method.inputs = (life,)
    else:
        decay = ctx.inputs.pick("inputs.depreciation.decay", spec, "decay", "decay", "amount")

        def method(additions, decay_oom):
            return cashflow.exponential(additions, decay_oom)
        method.formula = (f"{words} book value x (1 - 10^(-decay/12)) each month "
                          "(Epoch AI's value decay)")
        method.inputs = (decay,)
    return method


def _capex_of_class(ctx: Context, cls: str) -> List[Val]:
    """The capex lines that depreciate in an asset class."""
    keys = [line.key for line in CAPEX if line.asset_class == cls]
    owners = list(ctx.sites.values()) + [fleet for fleet in ctx.fleets.values() if fleet.owned]
    return [owner.capex[k] for owner in owners for k in keys if k in owner.capex]


def _last(series):
    return series[..., -1]
